/**
 * The main job: the whole story of an app's user, told over the real wire.
 *
 *   npm start
 *
 * It starts the local Cognito (`LocalCognito`: TestCognito's pools served over HTTP in
 * Cognito's own protocol) in this process on a free port, and the app talks to it
 * through `NodeAuth.layer` and undici, as it would talk to Cognito: sign-up with
 * standard and custom attributes, the re-sent code, confirmation, SRP sign-in with SMS
 * MFA, tokens and their refresh, AWS credentials from the identity pool and a request
 * signed with them, her phone remembered as a device so that signing in again asks for no
 * SMS code (device SRP), forgot password, an admin-created user who must set a
 * new password, global sign-out and the old refresh token refused, a sign-in with an
 * emailed code instead of her password (`USER_AUTH`); then a sign-in through the Cognito
 * domain (the hosted login page, authorization code with PKCE, driven with fetch as a
 * browser would be) and a machine-to-machine token for a custom scope. Every step checks
 * what came back; the process exits 0 only when every step behaved as expected.
 *
 * With `COGNITO_REGION`, `COGNITO_USER_POOL_ID` and `COGNITO_CLIENT_ID` set (see
 * `AuthConfig.config`) it tells the same story against that real pool: the codes are read
 * from stdin (an empty line skips the rest with a message), `WALKTHROUGH_EMAIL` and
 * `WALKTHROUGH_PHONE` name where Cognito sends them, and the admin steps, which need
 * IAM-signed calls, are skipped with a message.
 */
import { createServer, type Server } from "node:http"
import { createInterface } from "node:readline/promises"
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import type * as AuthError from "@effect-cognito/core/AuthError"
import type * as AwsCredentials from "@effect-cognito/core/AwsCredentials"
import * as ClientCredentials from "@effect-cognito/core/ClientCredentials"
import * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import { NodeAuth } from "@effect-cognito/node"
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import * as SigV4Verifier from "@effect-cognito/test-kit/SigV4Verifier"
import * as HttpClient from "effect/http/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"

type Secret = Redacted.Redacted<string>

/** A step that did not behave as expected. */
class StepFailed extends Data.TaggedError("StepFailed")<{ readonly message: string }> {}

/** The story cannot go on against a real pool (a code was not entered); not a failure. */
class Stopped extends Data.TaggedError("Stopped")<{ readonly message: string }> {}

const check = (ok: boolean, expected: string) => (ok ? Effect.void : Effect.fail(new StepFailed({ message: expected })))

/** Runs an effect that must fail with `reason`, and returns that failure. */
const refused = <A>(effect: Effect.Effect<A, AuthError.AuthError>, reason: AuthError.Reason) =>
  Effect.matchEffect(effect, {
    onSuccess: () => Effect.fail(new StepFailed({ message: `expected ${reason}, but the call succeeded` })),
    onFailure: (error) =>
      error.reason === reason
        ? Effect.succeed(error)
        : Effect.fail(new StepFailed({ message: `expected ${reason}, got ${error.reason}: ${error.message}` }))
  })

let stepNumber = 0
const step = (title: string) => Console.log(`\n== ${++stepNumber}. ${title}`)
const say = (line: string) => Console.log(`   ${line}`)
const time = (date: Date) => date.toISOString().slice(11, 19)

// ---------------------------------------------------------------------------
// The clock
// ---------------------------------------------------------------------------

/**
 * The demo's clock: the machine's clock plus an offset that `advance` moves. Nothing
 * waits: moving it is how "five minutes later" happens in a demo that takes seconds.
 * Locally the Cognito server and the app run in this process and both read it, so for
 * both of them the time really moves; the tokens are checked and issued by it.
 */
const makeDemoClock = () => {
  const machine = Clock.Clock.defaultValue()
  let offset = 0
  const clock: Clock.Clock = {
    currentTimeMillisUnsafe: () => machine.currentTimeMillisUnsafe() + offset,
    currentTimeNanosUnsafe: () => machine.currentTimeNanosUnsafe() + BigInt(offset) * 1_000_000n,
    currentTimeMillis: Effect.sync(() => machine.currentTimeMillisUnsafe() + offset),
    currentTimeNanos: Effect.sync(() => machine.currentTimeNanosUnsafe() + BigInt(offset) * 1_000_000n),
    monotonicTimeNanosUnsafe: () => machine.monotonicTimeNanosUnsafe(),
    monotonicTimeNanos: machine.monotonicTimeNanos,
    sleep: (duration) => machine.sleep(duration)
  }
  const advance = (duration: Duration.Duration) =>
    Effect.sync(() => {
      offset += Duration.toMillis(duration)
    })
  return { clock, advance }
}

// ---------------------------------------------------------------------------
// Where the story runs: the local Cognito, or a real pool
// ---------------------------------------------------------------------------

type Purpose = "SignUp" | "ForgotPassword" | "Mfa" | "Invitation" | "VerifyAttribute"

interface Backend {
  readonly local: boolean
  readonly config: AuthConfig.Input
  readonly email: string
  readonly phone: string
  /** The last code (or temporary password) sent to a user for a purpose, as the user reads it. */
  readonly received: (username: string, purpose: Purpose) => Effect.Effect<Secret, StepFailed | Stopped>
  /** How many messages were delivered so far (local only: the outbox). */
  readonly delivered: (username: string, purpose: Purpose) => Effect.Effect<ReadonlyArray<LocalCognito.Delivery>>
  /** An admin action (unsigned: the local Cognito accepts admin calls on loopback). */
  readonly admin: Option.Option<(action: string, body: unknown) => Effect.Effect<unknown, StepFailed>>
  /** Every request the pool served. */
  readonly requests: Effect.Effect<number>
  /** The challenges the pool was answered, in order (local only: its request log). */
  readonly challenges: Effect.Effect<ReadonlyArray<string>>
  /** The secret half of credentials the identity pool issued (local only). */
  readonly credentialsOf: LocalCognito.LocalCognito.Service["credentialsOf"]
  /** The pool's Cognito domain, its base URL (local only: made with CreateUserPoolDomain). */
  readonly domain: Option.Option<string>
}

const adminOver =
  (endpoint: string, service = "AWSCognitoIdentityProviderService") =>
  (action: string, body: unknown) =>
    Effect.tryPromise({
      try: async () => {
        const response = await fetch(endpoint, {
          method: "POST",
          headers: {
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": `${service}.${action}`
          },
          body: JSON.stringify(body)
        })
        const answer: unknown = await response.json()
        if (!response.ok) throw new Error(`${action}: HTTP ${response.status} ${JSON.stringify(answer)}`)
        return answer
      },
      catch: (error) => new StepFailed({ message: String(error) })
    })

const field = (value: unknown, ...path: ReadonlyArray<string>): string => {
  let at = value
  for (const key of path) at = typeof at === "object" && at !== null ? (at as Record<string, unknown>)[key] : undefined
  return typeof at === "string" ? at : ""
}

/** The local Cognito, started in this process, with a pool and an app client made for the demo. */
const localBackend = Effect.gen(function* () {
  const local = yield* LocalCognito.LocalCognito
  const admin = adminOver(local.endpoint)
  const pool = yield* admin("CreateUserPool", {
    PoolName: "walkthrough",
    MfaConfiguration: "OPTIONAL",
    // Devices are tracked, and remembered (so they skip MFA) when the user asks.
    DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
    Schema: [{ Name: "badge", AttributeDataType: "String", Mutable: true }],
    AutoVerifiedAttributes: ["email"],
    // Choice-based sign-in (USER_AUTH): the password, or a code by email.
    Policies: { SignInPolicy: { AllowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP"] } }
  })
  const userPoolId = field(pool, "UserPool", "Id")
  const client = yield* admin("CreateUserPoolClient", {
    UserPoolId: userPoolId,
    ClientName: "walkthrough-app",
    ExplicitAuthFlows: [
      "ALLOW_USER_SRP_AUTH",
      "ALLOW_USER_PASSWORD_AUTH",
      "ALLOW_REFRESH_TOKEN_AUTH",
      "ALLOW_USER_AUTH"
    ],
    AccessTokenValidity: 5,
    IdTokenValidity: 5,
    TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes" }
  })
  const clientId = field(client, "UserPoolClient", "ClientId")
  const identityPool = yield* adminOver(local.endpoint, "AWSCognitoIdentityService")("CreateIdentityPool", {
    IdentityPoolName: "walkthrough",
    AllowUnauthenticatedIdentities: false,
    CognitoIdentityProviders: [
      { ProviderName: `cognito-idp.${local.defaultPool.region}.amazonaws.com/${userPoolId}`, ClientId: clientId }
    ]
  })
  const identityPoolId = field(identityPool, "IdentityPoolId")
  // The pool's domain, and the app client allowed the code flow back to a loopback page (any port).
  yield* admin("CreateUserPoolDomain", { UserPoolId: userPoolId, Domain: "walkthrough" })
  yield* admin("UpdateUserPoolClient", {
    UserPoolId: userPoolId,
    ClientId: clientId,
    ExplicitAuthFlows: [
      "ALLOW_USER_SRP_AUTH",
      "ALLOW_USER_PASSWORD_AUTH",
      "ALLOW_REFRESH_TOKEN_AUTH",
      "ALLOW_USER_AUTH"
    ],
    AllowedOAuthFlows: ["code"],
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthScopes: ["openid", "email", "aws.cognito.signin.user.admin"],
    CallbackURLs: ["http://127.0.0.1/callback"],
    SupportedIdentityProviders: ["COGNITO"]
  })
  const domain = yield* Effect.orDie(local.domainUrl(userPoolId))
  yield* Console.log(
    [
      `local Cognito at ${local.endpoint} (in this process, on a free port)`,
      `   user pool ${userPoolId}: MFA optional, devices tracked and remembered on request, custom attribute custom:badge, password or email-code sign-in (CreateUserPool)`,
      `   app client ${clientId}: no secret, SRP / password / choice-based / refresh flows, 5-minute access and id tokens (CreateUserPoolClient)`,
      `   identity pool ${identityPoolId}: her id tokens for AWS credentials, no guests (CreateIdentityPool)`,
      "   Cognito domain walkthrough: the hosted login page, the code flow back to http://127.0.0.1/callback (CreateUserPoolDomain)",
      "   the app: NodeAuth.layer over undici, speaking Cognito's JSON protocol to it"
    ].join("\n")
  )
  const delivered = (username: string, purpose: Purpose) =>
    Effect.map(local.deliveries, (all) =>
      all.filter((d) => d.userPoolId === userPoolId && d.message.username === username && d.message.purpose === purpose)
    )
  const backend: Backend = {
    local: true,
    config: {
      region: local.defaultPool.region,
      userPoolId,
      clientId,
      identityPoolId,
      endpoints: { identityProvider: local.endpoint, identityPool: local.endpoint },
      // Refresh a minute before expiry (the default is 5 minutes, as long as these tokens live).
      refreshWindow: "1 minute"
    },
    email: "alice@example.com",
    phone: "+15555550100",
    received: (username, purpose) =>
      Effect.flatMap(delivered(username, purpose), (messages) =>
        messages.length === 0
          ? Effect.fail(new StepFailed({ message: `no ${purpose} message was delivered to ${username}` }))
          : Effect.succeed(messages[messages.length - 1]!.message.code)
      ),
    delivered,
    admin: Option.some(admin),
    credentialsOf: local.credentialsOf,
    domain: Option.some(domain),
    requests: Effect.flatMap(local.pool(userPoolId), (cognito) => cognito.requestCount()).pipe(Effect.orDie),
    challenges: Effect.flatMap(local.pool(userPoolId), (cognito) => cognito.requests).pipe(
      Effect.map((requests) => requests.flatMap((r) => (r.challengeName === undefined ? [] : [r.challengeName]))),
      Effect.orDie
    )
  }
  return backend
})

/** A real pool named by `COGNITO_*`: codes typed on stdin, no admin steps. */
const realBackend = Effect.gen(function* () {
  const config = yield* Effect.mapError(
    AuthConfig.config,
    (error) => new StepFailed({ message: `COGNITO_* variables: ${error}` })
  )
  yield* Console.log(
    [
      `a real user pool: ${config.userPoolId} in ${config.region}, app client ${config.clientId}`,
      "   codes that Cognito sends are read from stdin; an empty line stops the story there",
      "   admin steps (SMS MFA on, the admin-created user) need IAM-signed calls and are skipped"
    ].join("\n")
  )
  const readLine = (prompt: string) =>
    Effect.acquireUseRelease(
      Effect.sync(() => createInterface({ input: process.stdin, output: process.stdout })),
      (rl) => Effect.promise(() => rl.question(prompt).catch(() => "")),
      (rl) => Effect.sync(() => rl.close())
    )
  let requests = 0
  const backend: Backend = {
    local: false,
    config,
    email: process.env.WALKTHROUGH_EMAIL ?? "alice@example.com",
    phone: process.env.WALKTHROUGH_PHONE ?? "+15555550100",
    received: (username, purpose) =>
      Effect.flatMap(readLine(`   enter the ${purpose} code sent for ${username}: `), (line) =>
        line.trim() === ""
          ? Effect.fail(new Stopped({ message: `no ${purpose} code entered: the remaining steps need it` }))
          : Effect.succeed(Redacted.make(line.trim()))
      ),
    delivered: () => Effect.succeed([]),
    admin: Option.none(),
    credentialsOf: (accessKeyId) => Effect.fail(new Cause.NoSuchElementError(accessKeyId)),
    domain: Option.none(),
    requests: Effect.sync(() => requests++),
    challenges: Effect.succeed([])
  }
  return backend
})

/**
 * A loopback endpoint standing in for an AWS API (API Gateway): it verifies each request's
 * SigV4 signature with test-kit's independent `SigV4Verifier`, for the credentials the
 * identity pool issued (locally the server keeps their secret half; against a real pool
 * the app's own copy stands in for AWS's), at the demo clock's time.
 */
const apiEndpoint = (backend: Backend, issued: AwsCredentials.AwsCredentials, clock: Clock.Clock) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly url: string; readonly server: Server }>((resume) => {
      const server = createServer((request, response) => {
        const accessKeyId = /Credential=([^/]+)\//.exec(request.headers.authorization ?? "")?.[1] ?? ""
        const verdict = Effect.gen(function* () {
          const secrets =
            accessKeyId === ""
              ? undefined
              : accessKeyId === issued.accessKeyId && !backend.local
                ? { secretAccessKey: issued.secretAccessKey, sessionToken: issued.sessionToken }
                : yield* Effect.option(backend.credentialsOf(accessKeyId)).pipe(Effect.map(Option.getOrUndefined))
          if (secrets === undefined) return "no credentials: missing or unknown access key"
          const result = yield* SigV4Verifier.verify(
            {
              method: request.method ?? "GET",
              url: `http://${request.headers.host}${request.url}`,
              headers: request.headers
            },
            {
              accessKeyId,
              ...secrets,
              service: "execute-api",
              region: backend.config.region,
              now: new Date(clock.currentTimeMillisUnsafe())
            }
          )
          return result._tag === "Valid" ? "Valid" : `Invalid ${result.part}`
        })
        Effect.runPromise(verdict).then((text) => {
          response.writeHead(text === "Valid" ? 200 : 403, { "content-type": "text/plain" })
          response.end(`signature ${text}`)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        resume(
          Effect.succeed({
            url: `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}/`,
            server
          })
        )
      })
    }),
    ({ server }) =>
      Effect.callback<void>((resume) => {
        server.close(() => resume(Effect.void))
      })
  )

/**
 * What a browser does on the domain's pages, with fetch: the authorize URL redirects to the
 * login page; its form is posted with the page's cookie and CSRF field; the answer
 * redirects to the app's redirect URI with the code. Returns that URL (the callback).
 */
const browse = (authorizeUrl: string, username: string, password: Secret) =>
  Effect.tryPromise({
    try: async () => {
      const cookies = new Map<string, string>()
      const visit = async (url: string, init: RequestInit = {}) => {
        const response = await fetch(url, {
          ...init,
          redirect: "manual",
          headers: { ...init.headers, cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join("; ") }
        })
        for (const line of response.headers.getSetCookie()) {
          const [pair = ""] = line.split(";")
          const at = pair.indexOf("=")
          if (at > 0) cookies.set(pair.slice(0, at), pair.slice(at + 1))
        }
        return response
      }
      const toLogin = await visit(authorizeUrl)
      const loginUrl = new URL(toLogin.headers.get("location") ?? "", authorizeUrl).href
      const page = await (await visit(loginUrl)).text()
      const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1]?.replaceAll("&amp;", "&")
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1]
      if (action === undefined || csrf === undefined) throw new Error("the login page has no sign-in form")
      const posted = await visit(new URL(action, loginUrl).href, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ _csrf: csrf, username, password: Redacted.value(password) }).toString()
      })
      const callback = posted.headers.get("location")
      if (posted.status !== 302 || callback === null) throw new Error(`the login form answered HTTP ${posted.status}`)
      return { loginUrl, callback }
    },
    catch: (error) => new StepFailed({ message: `the hosted login page: ${String(error)}` })
  })

// ---------------------------------------------------------------------------
// The story
// ---------------------------------------------------------------------------

const story = (backend: Backend, demo: ReturnType<typeof makeDemoClock>) =>
  Effect.gen(function* () {
    const alice = backend.local ? "alice" : `walkthrough-${Date.now()}`
    const password = Redacted.make("Abc@123!x")
    const newPassword = Redacted.make("Reset#2026!")
    // Her phone, her laptop and bob's phone: the same app, each with its own session. Each is
    // built on its own (`local`, `Layer.fresh`): Effect 4 shares what one build made with the
    // builds nested in it, and these three must share nothing (their memory stores above all).
    // Each names the device it runs on: a pool that tracks devices shows the name in its list.
    const device = NodeAuth.layer(backend.config, { deviceName: "Alice's phone" })
    const laptopLayer = NodeAuth.layer(backend.config, { deviceName: "Alice's laptop" })
    const bobLayer = NodeAuth.layer(backend.config)

    const showDelivery = (username: string, purpose: Purpose) =>
      Effect.flatMap(backend.delivered(username, purpose), (messages) => {
        const last = messages[messages.length - 1]
        return last === undefined
          ? Effect.void
          : say(
              `the local Cognito's outbox: ${last.message.medium} to ${last.message.destination} (${purpose} #${messages.length}; the code is not printed)`
            )
      })

    yield* Effect.gen(function* () {
      const auth = yield* Auth.Auth
      const provider = yield* IdentityProvider.IdentityProvider

      yield* step("Sign up with standard and custom attributes")
      const signUp = yield* auth.signUp({
        username: alice,
        password,
        userAttributes: { email: backend.email, phone_number: backend.phone, "custom:badge": "ABC123XYZ" }
      })
      const first = signUp.codeDeliveryDetails
      yield* say(
        `SignUp: ${signUp.confirmationState}, sub ${signUp.userSub}; code sent by ${first?.deliveryMedium} to ${first?.destination}`
      )
      yield* check(signUp.confirmationState === "Unconfirmed", "a new user is unconfirmed")
      yield* check(first?.deliveryMedium === "EMAIL", "the code goes by email")
      yield* showDelivery(alice, "SignUp")
      const firstCode = backend.local ? Option.some(yield* backend.received(alice, "SignUp")) : Option.none()

      yield* step("Re-send the code")
      const resent = yield* auth.resendSignUpCode({ username: alice })
      yield* say(`ResendConfirmationCode: a new code sent by ${resent?.deliveryMedium} to ${resent?.destination}`)
      yield* check(resent?.deliveryMedium === "EMAIL", "the new code goes by email")
      yield* showDelivery(alice, "SignUp")
      if (backend.local)
        yield* check((yield* backend.delivered(alice, "SignUp")).length === 2, "two sign-up codes delivered")

      yield* step("Confirm the sign-up")
      if (Option.isSome(firstCode)) {
        const stale = yield* refused(
          auth.confirmSignUp({ username: alice, confirmationCode: firstCode.value }),
          "CodeMismatch"
        )
        yield* say(`the first code no longer works: ${stale.reason}`)
      }
      const confirmed = yield* auth.confirmSignUp({
        username: alice,
        confirmationCode: yield* backend.received(alice, "SignUp")
      })
      yield* say(`ConfirmSignUp with the latest code: ${confirmed.confirmationState}`)

      yield* step("SRP sign-in, answered by SMS MFA")
      if (Option.isSome(backend.admin)) {
        yield* backend.admin.value("AdminSetUserMFAPreference", {
          UserPoolId: backend.config.userPoolId,
          Username: alice,
          SMSMfaSettings: { Enabled: true, PreferredMfa: true }
        })
        yield* say("the admin turned SMS MFA on for her (AdminSetUserMFAPreference)")
      } else yield* say("skipped against a real pool: turning SMS MFA on (an admin call); the pool's own MFA applies")
      const wrong = yield* refused(
        auth.signIn({ username: alice, password: Redacted.make("Wrong@123!") }),
        "NotAuthorized"
      )
      yield* say(`a wrong password: ${wrong.reason} (the SRP proof did not match)`)
      const signIn = yield* auth.signIn({ username: alice, password })
      yield* say(`InitiateAuth USER_SRP_AUTH + PASSWORD_VERIFIER: ${signIn._tag}`)
      if (signIn._tag === "SmsMfa") {
        yield* say(`SMS code sent to ${signIn.codeDeliveryDetails.destination}`)
        yield* showDelivery(alice, "Mfa")
        yield* step("Confirm sign-in with the SMS code")
        const done = yield* auth.confirmSignIn({ challengeResponse: yield* backend.received(alice, "Mfa") })
        yield* say(`RespondToAuthChallenge SMS_MFA: ${done._tag}`)
        yield* check(done._tag === "SignedIn", "the SMS code signs her in")
      } else yield* check(!backend.local && signIn._tag === "SignedIn", "SRP sign-in asks for the SMS code")
      yield* check(yield* auth.isSignedIn, "signed in")
      yield* say(`isSignedIn: true; username: ${Option.getOrElse(yield* auth.username, () => "-")}`)

      yield* step("Tokens")
      const tokens = yield* auth.getTokens()
      const lifetime = Duration.millis(tokens.expiresAt.getTime() - tokens.issuedAt.getTime())
      yield* say(
        `access token issued ${time(tokens.issuedAt)}, expires ${time(tokens.expiresAt)} (${Duration.format(lifetime)}); sub ${tokens.sub}`
      )
      yield* say(`as JSON a token stays secret: ${JSON.stringify(tokens.accessToken)}`)
      const attributes = yield* auth.getUserAttributes
      yield* say(`GetUser: email ${attributes.email}, custom:badge ${attributes["custom:badge"]}`)
      yield* check(attributes["custom:badge"] === "ABC123XYZ", "the custom attribute is stored")

      yield* step("A new email address, unverified until she confirms the code sent to it")
      const newEmail = backend.local ? "alice@example.org" : (process.env.WALKTHROUGH_NEW_EMAIL ?? backend.email)
      const sent = yield* auth.updateUserAttributes({ userAttributes: { email: newEmail, given_name: "Alice" } })
      yield* say(
        `UpdateUserAttributes: email ${newEmail}, given_name Alice; ${
          sent.length === 0
            ? "no code sent (the email did not change)"
            : sent.map((details) => `code sent by ${details.deliveryMedium} to ${details.destination}`).join(", ")
        }`
      )
      if (sent.length > 0) {
        yield* showDelivery(alice, "VerifyAttribute")
        const pending = yield* auth.getUserAttributes
        yield* say(`until she confirms: email ${pending.email}, email_verified ${pending.email_verified}`)
        // A pool with AttributesRequireVerificationBeforeUpdate keeps the old, verified email until then.
        yield* check(
          (pending.email === newEmail && pending.email_verified === "false") ||
            (!backend.local && pending.email !== newEmail),
          "a changed email is unverified until confirmed"
        )
        yield* auth.confirmUserAttribute({
          attributeName: "email",
          confirmationCode: yield* backend.received(alice, "VerifyAttribute")
        })
        const confirmed = yield* auth.getUserAttributes
        yield* say(`VerifyUserAttribute with the code: email_verified ${confirmed.email_verified}`)
        yield* check(
          confirmed.email === newEmail && confirmed.email_verified === "true",
          "the code verifies the new email"
        )
      } else yield* check(!backend.local, "a changed email gets a code")

      yield* step(`${Duration.format(lifetime)} later: the access token expired, so the tokens are refreshed`)
      yield* demo.advance(lifetime)
      yield* say(
        backend.local
          ? `the demo clock moved ${Duration.format(lifetime)}: the local Cognito and the app both read it, so nobody waits`
          : `the app's clock moved ${Duration.format(lifetime)} (Cognito's cannot); the app corrects for the skew it measured at sign-in, so it sees the token expired`
      )
      const refreshed = yield* auth.getTokens()
      yield* say(
        `getTokens refreshed them (REFRESH_TOKEN_AUTH): new access token issued ${time(refreshed.issuedAt)}, expires ${time(refreshed.expiresAt)}`
      )
      yield* check(refreshed.issuedAt.getTime() > tokens.issuedAt.getTime(), "a new access token was issued")
      yield* check(
        Redacted.value(refreshed.accessToken) !== Redacted.value(tokens.accessToken),
        "the access token changed"
      )

      yield* step("AWS credentials and the identity id, from the identity pool")
      const credentials = yield* auth.getAWSCredentials()
      yield* say(
        `GetId + GetCredentialsForIdentity with her id token: identity ${credentials.identityId}, access key ${credentials.accessKeyId}, expires ${time(credentials.expiration)}`
      )
      const identityId = yield* auth.identityId
      yield* say(`identityId (kept with the session): ${Option.getOrElse(identityId, () => "-")}`)
      yield* say(`the secret key stays secret: ${JSON.stringify(credentials.secretAccessKey)}`)
      yield* check(Option.contains(identityId, credentials.identityId), "the identity id is kept with the session")

      yield* step("A signed request to a loopback endpoint that verifies the SigV4 signature")
      const api = yield* apiEndpoint(backend, credentials, demo.clock)
      yield* say(`a stand-in for API Gateway at ${api.url}: it answers 200 only to a valid signature`)
      const signedClient = auth.signedHttpClient({ service: "execute-api", region: backend.config.region })(
        yield* HttpClient.HttpClient
      )
      const signed = yield* signedClient.get(`${api.url}prod/items?color=blue`)
      const verdict = yield* signed.text
      yield* say(`signed GET /prod/items: HTTP ${signed.status}, ${verdict}`)
      yield* check(signed.status === 200, "the signed request is accepted")
      const unsigned = yield* (yield* HttpClient.HttpClient).get(`${api.url}prod/items?color=blue`)
      yield* say(`the same request unsigned: HTTP ${unsigned.status}, ${yield* unsigned.text}`)
      yield* check(unsigned.status === 403, "an unsigned request is refused")

      yield* step("Her phone, remembered, signs in again with the password alone: no SMS code")
      // The phone's device key, for the last step: the refresh tokens issued here are bound to it.
      let phoneDeviceKey: string | undefined
      const tracked = yield* auth.getDevice().pipe(
        Effect.map(Option.some),
        Effect.catchIf(
          (error) => error.reason === "ResourceNotFound",
          () => Effect.succeed(Option.none<Auth.Device>())
        )
      )
      if (Option.isSome(tracked)) {
        const phone = tracked.value
        phoneDeviceKey = phone.key
        yield* say(
          `her first sign-in confirmed the phone as a device (NewDeviceMetadata, ConfirmDevice): "${phone.name}", ${phone.rememberedStatus}`
        )
        if (backend.local)
          yield* check(phone.rememberedStatus === "not_remembered", "a new device is remembered only when she asks")
        yield* auth.rememberDevice()
        const remembered = yield* auth.getDevice()
        yield* say(`rememberDevice (UpdateDeviceStatus): ${remembered.rememberedStatus}`)
        yield* check(remembered.rememberedStatus === "remembered", "the phone is remembered")
        yield* auth.signOut()
        yield* say(`she signs out (isSignedIn ${yield* auth.isSignedIn}); the device stays on the phone`)
        const smsBefore = (yield* backend.delivered(alice, "Mfa")).length
        const answeredBefore = (yield* backend.challenges).length
        const again = yield* auth.signIn({ username: alice, password })
        yield* say(`signIn with her password: ${again._tag}, no SMS code asked`)
        yield* check(again._tag === "SignedIn", "a remembered device skips MFA")
        if (backend.local) {
          const answered = (yield* backend.challenges).slice(answeredBefore)
          yield* say(`the challenges the app answered on its own: ${answered.join(", ")} (device SRP)`)
          yield* check(
            answered.join(",") === "PASSWORD_VERIFIER,DEVICE_SRP_AUTH,DEVICE_PASSWORD_VERIFIER",
            "the phone proved itself by device SRP"
          )
          yield* check((yield* backend.delivered(alice, "Mfa")).length === smsBefore, "no SMS code was sent")
        }
      } else {
        yield* check(!backend.local, "the local pool tracks devices")
        yield* say("skipped: this user pool tracks no devices (it has no DeviceConfiguration)")
      }

      yield* step("Forgot password, on her laptop")
      // The laptop's session outlives this step: its layer is built in the story's scope.
      const laptop = yield* Effect.gen(function* () {
        const auth = Context.get(yield* Layer.build(Layer.fresh(laptopLayer)), Auth.Auth)
        const forgot = yield* auth.forgotPassword({ username: alice })
        yield* say(
          `ForgotPassword: code sent by ${forgot.codeDeliveryDetails?.deliveryMedium} to ${forgot.codeDeliveryDetails?.destination}`
        )
        yield* showDelivery(alice, "ForgotPassword")
        yield* auth.confirmForgotPassword({
          username: alice,
          newPassword,
          confirmationCode: yield* backend.received(alice, "ForgotPassword")
        })
        yield* say("ConfirmForgotPassword: the new password is set")
        const old = yield* refused(auth.signIn({ username: alice, password }), "NotAuthorized")
        yield* say(`the old password is refused: ${old.reason}`)
        const next = yield* auth.signIn({ username: alice, password: newPassword })
        yield* say(`the new password is accepted: ${next._tag}`)
        if (next._tag === "SmsMfa") {
          const done = yield* auth.confirmSignIn({ challengeResponse: yield* backend.received(alice, "Mfa") })
          yield* check(done._tag === "SignedIn", "the SMS code signs her in on the laptop")
        }
        yield* check(yield* auth.isSignedIn, "signed in on the laptop with the new password")
        yield* say("signed in on the laptop too; her phone's session carries on")
        return auth
      })
      yield* check(yield* auth.isSignedIn, "the phone is still signed in")

      yield* step("An admin-created user sets a new password, then deletes his account")
      if (Option.isSome(backend.admin)) {
        yield* backend.admin.value("AdminCreateUser", {
          UserPoolId: backend.config.userPoolId,
          Username: "bob",
          DesiredDeliveryMediums: ["EMAIL"],
          UserAttributes: [{ Name: "email", Value: "bob@example.com" }]
        })
        yield* say("AdminCreateUser without a temporary password: the pool generated one")
        yield* showDelivery("bob", "Invitation")
        yield* Effect.gen(function* () {
          const bob = yield* Auth.Auth
          const temporary = yield* bob.signIn({
            username: "bob",
            password: yield* backend.received("bob", "Invitation")
          })
          yield* say(`bob signs in with the temporary password from his invitation: ${temporary._tag}`)
          yield* check(temporary._tag === "NewPasswordRequired", "a temporary password asks for a new one")
          const weak = yield* refused(
            bob.confirmSignIn({ challengeResponse: Redacted.make("weak") }),
            "InvalidPassword"
          )
          yield* say(`a weak new password: ${weak.reason}`)
          const done = yield* bob.confirmSignIn({ challengeResponse: Redacted.make("Strong@1234") })
          yield* say(`a strong one: ${done._tag} as ${Option.getOrElse(yield* bob.username, () => "-")}`)
          yield* check(done._tag === "SignedIn", "the new password signs bob in")
          yield* bob.deleteUser
          yield* say(`bob deletes his account (DeleteUser) and is signed out: isSignedIn ${yield* bob.isSignedIn}`)
          const gone = yield* refused(
            bob.signIn({ username: "bob", password: Redacted.make("Strong@1234") }),
            "UserNotFound"
          )
          yield* say(`his password signs nobody in any more: ${gone.reason}`)
        }).pipe(Effect.provide(bobLayer, { local: true }))
      } else yield* say("skipped against a real pool: AdminCreateUser is an IAM-signed admin call")

      yield* step("Global sign-out, from her phone")
      const before = yield* auth.getTokens()
      yield* auth.signOut({ global: true })
      yield* say(`GlobalSignOut: every session of hers ended; isSignedIn on the phone: ${yield* auth.isSignedIn}`)
      yield* check(!(yield* auth.isSignedIn), "signed out on the phone")

      yield* step("The old refresh token is refused")
      // With the phone's device key: the token is refused for being signed out, not for lacking it.
      const rejected = yield* refused(
        provider.initiateAuth({
          authFlow: "REFRESH_TOKEN_AUTH",
          refreshToken: before.refreshToken,
          deviceKey: phoneDeviceKey
        }),
        "NotAuthorized"
      )
      yield* say(`InitiateAuth REFRESH_TOKEN_AUTH with the phone's old refresh token: ${rejected.reason}`)
      const ended = yield* refused(laptop.getTokens({ forceRefresh: true }), "SessionExpired")
      yield* say(`the laptop's next refresh: ${ended.reason}; its state is now ${yield* laptop.userState}`)

      yield* step("An emailed code instead of her password (USER_AUTH)")
      const byEmail = yield* Effect.result(
        auth.signIn({ username: alice, flow: "USER_AUTH", preferredChallenge: "EMAIL_OTP" })
      )
      if (byEmail._tag === "Failure") {
        if (backend.local) return yield* Effect.fail(byEmail.failure)
        yield* say(`skipped: this pool or app client refuses USER_AUTH with EMAIL_OTP (${byEmail.failure.reason})`)
      } else {
        const first = byEmail.success
        yield* say(`InitiateAuth USER_AUTH, preferred EMAIL_OTP: ${first._tag}, no password asked`)
        yield* check(first._tag === "EmailOtp", "USER_AUTH with EMAIL_OTP sends a code by email")
        if (first._tag === "EmailOtp") {
          yield* showDelivery(alice, "Mfa")
          const done = yield* auth.confirmSignIn({ challengeResponse: yield* backend.received(alice, "Mfa") })
          yield* say(`RespondToAuthChallenge EMAIL_OTP: ${done._tag} (a password-less factor: no SMS code either)`)
          yield* check(done._tag === "SignedIn", "the emailed code signs her in")
        }
      }
      yield* say(`the user pool served ${yield* backend.requests} requests over HTTP`)

      yield* step("Sign-in through the Cognito domain: the hosted login page, authorization code with PKCE")
      if (Option.isSome(backend.domain) && Option.isSome(backend.admin)) {
        const domain = backend.domain.value
        const carolPassword = Redacted.make("Carol#2026!")
        yield* backend.admin.value("AdminCreateUser", {
          UserPoolId: backend.config.userPoolId,
          Username: "carol",
          MessageAction: "SUPPRESS",
          UserAttributes: [{ Name: "email", Value: "carol@example.com" }]
        })
        yield* backend.admin.value("AdminSetUserPassword", {
          UserPoolId: backend.config.userPoolId,
          Username: "carol",
          Password: Redacted.value(carolPassword),
          Permanent: true
        })
        // A web app of the same client: its redirect URI a loopback page (the port is its own).
        const web = NodeAuth.layer({
          ...backend.config,
          oauth: {
            domain,
            redirectSignIn: "http://127.0.0.1:8080/callback",
            scopes: ["openid", "email", "aws.cognito.signin.user.admin"]
          }
        })
        yield* Effect.gen(function* () {
          const carol = yield* Auth.Auth
          const { pending, url } = yield* carol.redirectSignInUrl({ customState: "/orders" })
          const authorize = new URL(url)
          yield* say(
            `redirectSignInUrl: ${authorize.pathname} with code_challenge_method ${authorize.searchParams.get("code_challenge_method")}, state, nonce and scope "${authorize.searchParams.get("scope")}"`
          )
          const { callback, loginUrl } = yield* browse(url, "carol", carolPassword)
          yield* say(
            `the domain's login page (${new URL(loginUrl).pathname}): its form posted, back to the app's redirect URI with a code`
          )
          const done = yield* carol.completeRedirectSignIn({ callbackUrl: callback, pending })
          const tokens = yield* carol.getTokens()
          yield* say(
            `completeRedirectSignIn: signed in as ${tokens.username}, the id token verified (signature, issuer, audience, nonce); customState ${done.customState}`
          )
          yield* check(
            tokens.username === "carol" && done.customState === "/orders",
            "carol is signed in through the domain"
          )
          const attributes = yield* carol.getUserAttributes
          yield* say(`her access token calls the user pool's API too (GetUser): email ${attributes.email}`)
          yield* carol.signOut()
          const replayed = yield* refused(
            carol.completeRedirectSignIn({ callbackUrl: callback, pending }),
            "InvalidGrant"
          )
          yield* say(`signed out, the same callback again: ${replayed.reason} (a code is used once)`)
        }).pipe(Effect.provide(web, { local: true }))

        yield* step("A machine-to-machine token (client_credentials) for a custom scope")
        yield* backend.admin.value("CreateResourceServer", {
          UserPoolId: backend.config.userPoolId,
          Identifier: "orders",
          Name: "Orders API",
          Scopes: [{ ScopeName: "read", ScopeDescription: "Read orders" }]
        })
        const worker = yield* backend.admin.value("CreateUserPoolClient", {
          UserPoolId: backend.config.userPoolId,
          ClientName: "orders-worker",
          GenerateSecret: true,
          AllowedOAuthFlows: ["client_credentials"],
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthScopes: ["orders/read"]
        })
        yield* say("a resource server orders with the scope orders/read, and an app client with a secret allowed it")
        const m2m = yield* ClientCredentials.make({
          domain,
          clientId: field(worker, "UserPoolClient", "ClientId"),
          clientSecret: Redacted.make(field(worker, "UserPoolClient", "ClientSecret")),
          scopes: ["orders/read"]
        })
        const tokens = yield* Effect.all(
          Array.from({ length: 10 }, () => m2m.token()),
          { concurrency: "unbounded" }
        )
        const first = tokens[0]!
        const same = tokens.every((t) => Redacted.value(t.accessToken) === Redacted.value(first.accessToken))
        yield* check(same, "concurrent callers share one token")
        yield* say(
          `ClientCredentials.token from 10 callers at once: one token, scope ${first.scopes.join(" ")}, expires ${time(first.expiresAt)}`
        )
        const claims = JSON.parse(
          Buffer.from(Redacted.value(first.accessToken).split(".")[1] ?? "", "base64url").toString("utf8")
        ) as { readonly token_use?: string; readonly scope?: string }
        yield* check(claims.scope === "orders/read", "the token carries the custom scope")
        yield* say(
          `its claims: token_use ${claims.token_use}, scope ${claims.scope}; as JSON it stays secret: ${JSON.stringify(first.accessToken)}`
        )
      } else yield* say("skipped against a real pool: the walkthrough makes its own domain and clients locally")
    }).pipe(Effect.provide(device, { local: true }), Effect.provide(NodeHttpClient.layerUndici), Effect.scoped)
  })

// ---------------------------------------------------------------------------
// Running it
// ---------------------------------------------------------------------------

const realPool = (process.env.COGNITO_USER_POOL_ID ?? "") !== ""

export const main = Effect.gen(function* () {
  const demo = makeDemoClock()
  return yield* (
    realPool
      ? Effect.flatMap(realBackend, (backend) => story(backend, demo))
      : Effect.flatMap(localBackend, (backend) => story(backend, demo)).pipe(Effect.provide(LocalCognito.layer()))
  ).pipe(Effect.provideService(Clock.Clock, demo.clock), Effect.provideService(References.MinimumLogLevel, "Warn"))
})

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now()
  Effect.runPromiseExit(main).then((exit) => {
    if (exit._tag === "Success") {
      console.log(`\nwalkthrough complete: every step behaved as expected (${Date.now() - started} ms)`)
      return
    }
    const failure = Option.getOrUndefined(Cause.findErrorOption(exit.cause))
    if (failure instanceof Stopped) {
      console.log(`\nwalkthrough stopped: ${failure.message}`)
      return
    }
    console.error(`\nwalkthrough FAILED: ${failure instanceof StepFailed ? failure.message : String(exit.cause)}`)
    process.exit(1)
  })
}
