/**
 * Bench app: the Effect + @effect/platform floor of `app-ours.ts`, without effect-cognito.
 * The same kind of program written directly on the modules our code stands on: a service
 * in a Layer, fetch through `HttpClient` with a retry schedule, Schema-decoded answers and a
 * Schema-encoded session in `localStorage` through `KeyValueStore`, `Redacted` secrets,
 * `Clock`, a `SubscriptionRef` for the user state and a `Stream` of its changes.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"

class Failure extends Schema.TaggedError<Failure>()("Failure", { reason: Schema.String, cause: Schema.Defect }) {}

const Answer = Schema.Struct({
  AuthenticationResult: Schema.Struct({
    IdToken: Schema.Redacted(Schema.String),
    AccessToken: Schema.Redacted(Schema.String),
    RefreshToken: Schema.optional(Schema.Redacted(Schema.String)),
    ExpiresIn: Schema.Number
  })
})

const Stored = Schema.parseJson(Schema.Struct({ version: Schema.Literal(1), session: Answer, at: Schema.Number }))

type State = Data.TaggedEnum<{ SignedIn: { readonly at: number }; SignedOut: {} }>
const State = Data.taggedEnum<State>()

class Client extends Context.Tag("floor/Client")<
  Client,
  { readonly signIn: (username: string, password: Redacted.Redacted<string>) => Effect.Effect<string, Failure> }
>() {}

const layer = Layer.scoped(
  Client,
  Effect.gen(function* () {
    const http = (yield* HttpClient.HttpClient).pipe(
      HttpClient.filterStatusOk,
      HttpClient.retryTransient({ schedule: Schedule.exponential(Duration.millis(100)), times: 3 })
    )
    const kv = yield* KeyValueStore.KeyValueStore
    const state = yield* SubscriptionRef.make<State>(State.SignedOut())
    yield* Effect.forkScoped(Stream.runDrain(state.changes))
    return {
      signIn: (username, password) =>
        HttpClientRequest.post("https://cognito-idp.eu-west-1.amazonaws.com/").pipe(
          HttpClientRequest.setHeader("x-amz-target", "AWSCognitoIdentityProviderService.InitiateAuth"),
          HttpClientRequest.bodyJson({
            AuthFlow: "USER_PASSWORD_AUTH",
            ClientId: "client",
            AuthParameters: { USERNAME: username, PASSWORD: Redacted.value(password) }
          }),
          Effect.flatMap(http.execute),
          Effect.flatMap(HttpClientResponse.schemaBodyJson(Answer)),
          Effect.scoped,
          Effect.timeout(Duration.seconds(10)),
          Effect.flatMap((answer) =>
            Effect.gen(function* () {
              const at = yield* Clock.currentTimeMillis
              const value = yield* Schema.encode(Stored)({ version: 1, session: answer, at })
              yield* kv.set("session", value)
              const back = yield* kv.get("session")
              if (Option.isSome(back)) yield* Schema.decode(Stored)(back.value)
              yield* SubscriptionRef.set(state, State.SignedIn({ at }))
              return Redacted.value(answer.AuthenticationResult.IdToken)
            })
          ),
          Effect.mapError((cause) => new Failure({ reason: "Failed", cause }))
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
  Effect.flatMap(Client, (client) => client.signIn("alice", Redacted.make("Abc@123!x"))).pipe(
    Effect.tap((token) =>
      Effect.sync(() => {
        document.body.textContent = token
      })
    ),
    Effect.provide(layer)
  )
)
