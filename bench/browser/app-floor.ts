/**
 * Bench app: the Effect floor of `app-ours.ts`, without effect-cognito.
 *
 * The same four steps (sign in, tokens, AWS credentials, one signed request) written directly
 * on the Effect 4 modules (`effect/*`, `effect/http/*`, `effect/persistence/*`) effect-cognito
 * uses for them, as a hand-written client would: a service in a Layer; fetch through
 * `HttpClient` with a jittered, capped retry schedule, a timeout and the body read as a
 * size-limited `Stream`; Schema-decoded answers (with the Standard Schema issue formatter for
 * the message) and a Schema-encoded `Schema.Class` session in `localStorage` through
 * `KeyValueStore`; `Schema.TaggedError` failures; `Redacted` secrets; `Clock`; a
 * `SubscriptionRef` for the user state with a `Stream` of its changes; credentials cached with
 * a `Deferred` for single flight; the request authorized in an `HttpClient.mapRequestEffect`
 * transform with a retry flag in a `Context.Reference` provided to the retried attempt; logs
 * with annotations and spans.
 *
 * What it leaves out is what effect-cognito is: the SRP math and Web Crypto calls, SigV4
 * (the transform below only attaches the credentials), Cognito's operations and error
 * table, configuration checks, token refresh and the browser store and tab sync. It is a
 * size baseline, never run against a server.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as KeyValueStore from "effect/persistence/KeyValueStore"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"

class Failure extends Schema.TaggedError<Failure>()("Failure", {
  reason: Schema.Literals(["Transport", "InvalidResponse", "NotSignedIn"]),
  method: Schema.String,
  description: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Defect())
}) {}

const Secret = Schema.RedactedFromValue(Schema.String)

const SignInWire = Schema.Struct({
  AuthenticationResult: Schema.Struct({
    IdToken: Secret,
    AccessToken: Secret,
    RefreshToken: Schema.optional(Schema.NullOr(Secret)),
    ExpiresIn: Schema.Number
  })
})
const GetIdWire = Schema.Struct({ IdentityId: Schema.String })
const CredentialsWire = Schema.Struct({
  IdentityId: Schema.String,
  Credentials: Schema.Struct({
    AccessKeyId: Schema.String,
    SecretKey: Secret,
    SessionToken: Secret,
    Expiration: Schema.Number
  })
})

class Session extends Schema.Class<Session>("floor/Session")({
  idToken: Secret,
  accessToken: Secret,
  refreshToken: Secret,
  identityId: Schema.optional(Schema.String)
}) {}
const Stored = Schema.fromJsonString(Schema.Struct({ version: Schema.Literal(1), session: Session }))

type State = { readonly _tag: "SignedIn"; readonly session: Session } | { readonly _tag: "SignedOut" }

interface Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken: Redacted.Redacted<string>
  readonly expiration: number
}

class Client extends Context.Service<
  Client,
  {
    readonly signIn: (username: string, password: Redacted.Redacted<string>) => Effect.Effect<void, Failure>
    readonly getTokens: Effect.Effect<Session, Failure>
    readonly getCredentials: Effect.Effect<Credentials, Failure>
    readonly authorized: (client: HttpClient.HttpClient) => HttpClient.HttpClient
  }
>()("floor/Client") {}

const Retrying = Context.Reference<boolean>("floor/Retrying", { defaultValue: () => false })

const layer = Layer.effect(
  Client,
  Effect.gen(function* () {
    const http = yield* HttpClient.HttpClient
    const kv = yield* KeyValueStore.KeyValueStore
    const state = yield* SubscriptionRef.make<State>({ _tag: "SignedOut" })
    yield* Effect.forkScoped(Stream.runDrain(SubscriptionRef.changes(state)))
    const schedule = Schedule.exponential("200 millis", 2).pipe(
      Schedule.jittered,
      (exponential) => Schedule.max([exponential, Schedule.recurs(3)]),
      Schedule.upTo({ duration: "10 seconds" })
    )

    const call = <A, I>(target: string, body: unknown, schema: Schema.Codec<A, I>) =>
      HttpClientRequest.post("https://cognito-idp.eu-west-1.amazonaws.com/").pipe(
        HttpClientRequest.setHeader("x-amz-target", target),
        HttpClientRequest.bodyText(JSON.stringify(body), "application/x-amz-json-1.1"),
        http.execute,
        Effect.flatMap((response) =>
          response.stream.pipe(
            Stream.runFoldEffect(
              () => "",
              (text, chunk: Uint8Array) =>
                text.length + chunk.length > 1024 * 1024
                  ? Effect.fail(new Failure({ reason: "InvalidResponse", method: target }))
                  : Effect.succeed(text + new TextDecoder().decode(chunk))
            )
          )
        ),
        Effect.mapError((cause) => new Failure({ reason: "Transport", method: target, cause })),
        Effect.timeoutOrElse({
          duration: Duration.seconds(10),
          orElse: () => Effect.fail(new Failure({ reason: "Transport", method: target }))
        }),
        Effect.flatMap((text) =>
          Exit.match(Schema.decodeUnknownExit(Schema.fromJsonString(schema))(text), {
            onFailure: (cause) =>
              Effect.fail(
                new Failure({
                  reason: "InvalidResponse",
                  method: target,
                  description: cause.reasons
                    .flatMap((reason) =>
                      reason._tag === "Fail"
                        ? SchemaIssue.makeFormatterStandardSchemaV1()(reason.error.issue).issues.map((issue) =>
                            (issue.path ?? []).map(String).join(".")
                          )
                        : []
                    )
                    .join("; ")
                })
              ),
            onSuccess: Effect.succeed
          })
        ),
        Effect.retry({ schedule, while: (error) => error.reason === "Transport" }),
        Effect.tapError((error) =>
          Effect.logDebug("floor: failed").pipe(Effect.annotateLogs({ reason: error.reason }))
        ),
        Effect.withSpan(target, { kind: "client" })
      )

    const getTokens = Effect.flatMap(SubscriptionRef.get(state), (current) =>
      current._tag === "SignedIn"
        ? Effect.succeed(current.session)
        : Effect.fail(new Failure({ reason: "NotSignedIn", method: "getTokens" }))
    )

    let cached: Credentials | undefined
    let inflight: Deferred.Deferred<Credentials, Failure> | undefined
    const fetchCredentials = Effect.gen(function* () {
      const session = yield* getTokens
      const logins = { "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123": Redacted.value(session.idToken) }
      const id = yield* call(
        "AWSCognitoIdentityService.GetId",
        { IdentityPoolId: "eu-west-1:7c9e6679-7425-40de-944b-e07fc1f90ae7", Logins: logins },
        GetIdWire
      )
      const answer = yield* call(
        "AWSCognitoIdentityService.GetCredentialsForIdentity",
        { IdentityId: id.IdentityId, Logins: logins },
        CredentialsWire
      )
      return {
        accessKeyId: answer.Credentials.AccessKeyId,
        secretAccessKey: answer.Credentials.SecretKey,
        sessionToken: answer.Credentials.SessionToken,
        expiration: answer.Credentials.Expiration * 1000
      }
    })
    const getCredentials = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      if (cached !== undefined && cached.expiration - now > 300_000) return cached
      if (inflight !== undefined) return yield* Deferred.await(inflight)
      const mine = yield* Deferred.make<Credentials, Failure>()
      inflight = mine
      const exit = yield* Effect.exit(fetchCredentials)
      inflight = undefined
      if (exit._tag === "Success") cached = exit.value
      yield* Deferred.done(mine, exit)
      return yield* exit
    })

    return {
      signIn: (username, password) =>
        call(
          "AWSCognitoIdentityProviderService.InitiateAuth",
          {
            AuthFlow: "USER_PASSWORD_AUTH",
            ClientId: "client",
            AuthParameters: { USERNAME: username, PASSWORD: Redacted.value(password) }
          },
          SignInWire
        ).pipe(
          Effect.flatMap((answer) => {
            const result = answer.AuthenticationResult
            const session = new Session({
              idToken: result.IdToken,
              accessToken: result.AccessToken,
              refreshToken: result.RefreshToken ?? Redacted.make("")
            })
            return Schema.encodeEffect(Stored)({ version: 1, session }).pipe(
              Effect.flatMap((value) => kv.set("session", value)),
              Effect.andThen(kv.get("session")),
              Effect.flatMap((stored) => (stored === undefined ? Effect.void : Schema.decodeEffect(Stored)(stored))),
              Effect.andThen(SubscriptionRef.set(state, { _tag: "SignedIn", session })),
              Effect.mapError((cause) => new Failure({ reason: "InvalidResponse", method: "signIn", cause }))
            )
          })
        ),
      getTokens,
      getCredentials,
      authorized: (client) =>
        client.pipe(
          HttpClient.mapRequestEffect((request) =>
            Effect.gen(function* () {
              if (yield* Retrying) cached = undefined
              const credentials = yield* Effect.orDie(getCredentials)
              return HttpClientRequest.setHeaders(request, {
                "x-amz-date": new Date(yield* Clock.currentTimeMillis).toISOString(),
                "x-amz-security-token": Redacted.value(credentials.sessionToken)
              })
            })
          ),
          HttpClient.transformResponse((attempt) =>
            Effect.flatMap(attempt, (response) =>
              response.status === 403 ? Effect.provideService(attempt, Retrying, true) : Effect.succeed(response)
            )
          )
        )
    }
  })
).pipe(
  Layer.provide(
    Layer.merge(
      FetchHttpClient.layer,
      KeyValueStore.layerStorage(() => localStorage)
    )
  )
)

Effect.runFork(
  Effect.gen(function* () {
    const client = yield* Client
    yield* client.signIn("alice", Redacted.make("Abc@123!x"))
    const tokens = yield* client.getTokens
    const credentials = yield* client.getCredentials
    const signed = client.authorized(yield* HttpClient.HttpClient)
    const response = yield* signed.get("https://abc123.execute-api.eu-west-1.amazonaws.com/prod/items")
    document.body.textContent = `${tokens.identityId ?? ""} ${credentials.accessKeyId} ${response.status}`
  }).pipe(Effect.scoped, Effect.provide(layer), Effect.provide(FetchHttpClient.layer))
)
