/**
 * Property tests (fast-check): whatever arrives — configuration, user input, a server's
 * answer, a stored session — the result is a value or a typed `AuthError`, never a
 * thrown exception, never a defect, and never a secret in a message or a log.
 */
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import fc from "fast-check"
import * as AuthConfig from "../src/AuthConfig.js"
import * as AuthError from "../src/AuthError.js"
import * as CognitoIdentityPool from "../src/CognitoIdentityPool.js"
import * as CognitoIdentityProvider from "../src/CognitoIdentityProvider.js"
import * as Input from "../src/internal/input.js"
import * as TokenStore from "../src/TokenStore.js"

/** The exit failed with one `AuthError` of one of `reasons` (any when empty), and nothing else. */
const typedFailure = (exit: Exit.Exit<unknown, unknown>, reasons: ReadonlyArray<AuthError.Reason> = []) => {
  if (Exit.isSuccess(exit)) return
  assert.isFalse(Cause.hasDies(exit.cause), `a defect: ${Cause.pretty(exit.cause)}`)
  assert.isFalse(Cause.hasInterrupts(exit.cause), "interrupted")
  const error = Option.getOrThrow(Cause.findErrorOption(exit.cause))
  assert.isTrue(AuthError.isAuthError(error), `not an AuthError: ${String(error)}`)
  if (reasons.length > 0) assert.include(reasons, (error as AuthError.AuthError).reason)
}

const secretMarker = "S3CRET-MARKER"

// ---------------------------------------------------------------------------------------------
// AuthConfig
// ---------------------------------------------------------------------------------------------

const region = fc.oneof(fc.constantFrom("eu-west-1", "us-east-1", "cn-north-1", "cn-northwest-1"), fc.string())
const durationInput = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.bigInt(),
  fc.tuple(fc.double(), fc.double()),
  fc.constantFrom("5 minutes", "-5 minutes", "0 millis", "1.5 seconds", "forever", "NaN seconds"),
  fc.string(),
  fc.anything()
)
const endpointInput = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.constantFrom("http://127.0.0.1:9229", "ftp://x/", "not a url"),
  fc
    .tuple(fc.string(), fc.webUrl())
    .map(([user, url]) => url.replace("://", `://${encodeURIComponent(user)}:${secretMarker}@`)),
  fc.string(),
  fc.anything()
)
const configInput = fc.record(
  {
    region,
    userPoolId: fc.oneof(
      region.map((r) => `${r}_AbC123`),
      fc.string(),
      fc.anything()
    ),
    clientId: fc.oneof(fc.stringMatching(/^[\w+]{1,128}$/), fc.string(), fc.anything()),
    clientSecret: fc.oneof(
      fc.string().map((s) => Redacted.make(s)),
      fc.anything()
    ),
    identityPoolId: fc.oneof(
      region.map((r) => `${r}:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`),
      fc.string(),
      fc.anything()
    ),
    endpoints: fc.oneof(fc.record({ identityProvider: endpointInput, identityPool: endpointInput }), fc.anything()),
    refreshWindow: durationInput,
    requestTimeout: durationInput,
    maxResponseBytes: fc.oneof(fc.integer(), fc.double(), fc.anything()),
    refreshTokenRotation: fc.oneof(fc.boolean(), fc.anything())
  },
  { requiredKeys: ["region", "userPoolId", "clientId"] }
)

describe("AuthConfig.make, for any input", () => {
  it("gives a validated config or InvalidConfig, never a defect, never a credential in the message", () => {
    fc.assert(
      fc.property(fc.oneof(configInput, fc.anything()), (input) => {
        const exit = Effect.runSyncExit(AuthConfig.make(input as AuthConfig.Input))
        typedFailure(exit, ["InvalidConfig"])
        if (Exit.isFailure(exit)) {
          const error = Option.getOrThrow(Cause.findErrorOption(exit.cause))
          assert.notInclude(error.message, secretMarker)
          assert.notInclude(JSON.stringify(error), secretMarker)
        } else {
          const config = exit.value
          assert.isTrue(config.requestTimeout.value._tag !== "Infinity")
          assert.isAbove(
            Number(config.requestTimeout.value._tag === "Millis" ? config.requestTimeout.value.millis : 1),
            0
          )
          assert.isTrue(Number.isSafeInteger(config.maxResponseBytes) && config.maxResponseBytes > 0)
          for (const url of [config.identityProviderEndpoint, config.identityPoolEndpoint]) {
            const parsed = new URL(url)
            assert.strictEqual(parsed.username + parsed.password, "")
          }
        }
      }),
      { numRuns: 500 }
    )
  })
})

// ---------------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------------

const plain = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 300 }),
  fc.fullUnicodeString(),
  fc.anything()
)
const secretInput = fc.oneof(
  fc.string({ unit: "binary", maxLength: 3000 }).map((s) => Redacted.make(`${secretMarker}${s}`)),
  fc.stringMatching(/^[0-9]{5,9}$/).map((s) => Redacted.make(s)),
  fc.anything()
)

describe("Input, for any value", () => {
  const plainChecks: ReadonlyArray<(method: string, value: unknown) => Input.Checked<unknown>> = [
    Input.username,
    Input.attributeName,
    Input.attributeValue,
    Input.attributes,
    Input.clientMetadata
  ]
  const secretChecks = [Input.password, Input.confirmationCode, Input.mfaCode, Input.challengeResponse]

  it("gives the value or InvalidInput, never throws, never echoes a secret", () => {
    fc.assert(
      fc.property(plain, secretInput, (value, secret) => {
        for (const check of plainChecks) {
          const checked = check("flow", value)
          if (Result.isFailure(checked)) {
            assert.strictEqual(checked.failure.reason, "InvalidInput")
            assert.isBelow(checked.failure.message.length, 300)
          }
        }
        for (const check of secretChecks) {
          const checked = check("flow", secret)
          if (Result.isFailure(checked)) {
            assert.strictEqual(checked.failure.reason, "InvalidInput")
            assert.notInclude(checked.failure.message, secretMarker)
          } else assert.strictEqual(checked.success, secret)
        }
      }),
      { numRuns: 500 }
    )
  })
})

// ---------------------------------------------------------------------------------------------
// AWS JSON responses
// ---------------------------------------------------------------------------------------------

const wireKeys = fc.constantFrom(
  "AuthenticationResult",
  "AccessToken",
  "IdToken",
  "RefreshToken",
  "ExpiresIn",
  "TokenType",
  "NewDeviceMetadata",
  "ChallengeName",
  "ChallengeParameters",
  "Session",
  "Username",
  "UserAttributes",
  "Name",
  "Value",
  "UserConfirmed",
  "UserSub",
  "CodeDeliveryDetails",
  "DeliveryMedium",
  "IdentityId",
  "Credentials",
  "Expiration",
  "SecretKey",
  "__type",
  "message",
  "code"
)
const wireValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.jsonValue({ maxDepth: 1 }),
    fc.constantFrom("NotAuthorizedException", "x#UnknownException", "SMS_MFA", "EMAIL", "Bearer"),
    tie("object"),
    fc.array(tie("value"), { maxLength: 3 })
  ),
  object: fc.dictionary(wireKeys, tie("value"), { maxKeys: 5 })
}))
const body = fc.oneof(
  wireValue.object.map((o) => JSON.stringify(o)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string(),
  fc.constantFrom("", "<html>502 Bad Gateway</html>", '{"AuthenticationResult":', "null", "[]")
)
const answer = fc.record({
  status: fc.constantFrom(200, 201, 299, 301, 400, 403, 404, 429, 500, 502, 503),
  body,
  echo: fc.constantFrom("none", "raw", "json")
})

const runAgainst = (
  reply: { status: number; body: string; echo: string },
  call: (services: Services) => Effect.Effect<unknown, AuthError.AuthError>
) =>
  Effect.gen(function* () {
    const client = HttpClient.make((request) => {
      const sent = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
      const text =
        reply.echo === "none"
          ? reply.body
          : JSON.stringify({
              __type: "InvalidParameterException",
              message: reply.echo === "raw" ? sent : JSON.stringify(sent)
            })
      return Effect.succeed(HttpClientResponse.fromWeb(request, new Response(text, { status: reply.status })))
    })
    const config = AuthConfig.layer({
      region: "eu-west-1",
      userPoolId: "eu-west-1_AbC123",
      clientId: "client1",
      identityPoolId: "eu-west-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    })
    const services = yield* Effect.all({
      provider: CognitoIdentityProvider.makeWith({ retrySchedule: Schedule.recurs(0) }),
      pool: CognitoIdentityPool.makeWith({ retrySchedule: Schedule.recurs(0) })
    }).pipe(Effect.provideService(HttpClient.HttpClient, client), Effect.provide(config), Effect.orDie)
    return yield* call(services)
  })

interface Services {
  readonly provider: Effect.Success<ReturnType<typeof CognitoIdentityProvider.makeWith>>
  readonly pool: Effect.Success<ReturnType<typeof CognitoIdentityPool.makeWith>>
}

const secret = Redacted.make(`${secretMarker}-pa"ss\\wörd`)
const calls: Record<string, (services: Services) => Effect.Effect<unknown, AuthError.AuthError>> = {
  InitiateAuth: ({ provider }) =>
    provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username: "alice", password: secret }),
  RefreshToken: ({ provider }) => provider.initiateAuth({ authFlow: "REFRESH_TOKEN_AUTH", refreshToken: secret }),
  GetUser: ({ provider }) => provider.getUser({ accessToken: secret }),
  SignUp: ({ provider }) => provider.signUp({ username: "alice", password: secret, userAttributes: {} }),
  GetId: ({ pool }) => pool.getId({ logins: { provider: secret } }),
  GetCredentialsForIdentity: ({ pool }) =>
    pool.getCredentialsForIdentity({ identityId: "eu-west-1:x", logins: { provider: secret } })
}

describe("AWS JSON decoding, for any answer", () => {
  for (const [name, call] of Object.entries(calls)) {
    it(`${name} gives a value or a typed AuthError, never a defect, never the secret it sent`, async () => {
      await fc.assert(
        fc.asyncProperty(answer, async (reply) => {
          const exit = await Effect.runPromiseExit(runAgainst(reply, call))
          typedFailure(exit)
          if (Exit.isFailure(exit)) {
            const error = Option.getOrThrow(Cause.findErrorOption(exit.cause))
            for (const text of [error.message, JSON.stringify(error), Cause.pretty(exit.cause)])
              assert.notInclude(text, secretMarker)
          }
        }),
        { numRuns: 150 }
      )
    })
  }
})

// ---------------------------------------------------------------------------------------------
// Session files
// ---------------------------------------------------------------------------------------------

const tokenish = fc.string().map((s) => `eyJ${secretMarker}${s}`)
const sessionish = fc.record(
  {
    username: fc.oneof(fc.string(), fc.anything()),
    idToken: fc.oneof(tokenish, fc.anything()),
    accessToken: fc.oneof(tokenish, fc.anything()),
    refreshToken: fc.oneof(tokenish, fc.anything()),
    identityId: fc.oneof(fc.string(), fc.anything()),
    clockSkewMillis: fc.oneof(fc.double(), fc.anything())
  },
  { requiredKeys: [] }
)
const stored = fc.oneof(
  fc
    .record({ version: fc.oneof(fc.constant(1), fc.anything()), session: fc.oneof(sessionish, fc.anything()) })
    .map((v) => JSON.stringify(v)),
  tokenish.map((t) => JSON.stringify(t)),
  tokenish,
  fc.tuple(tokenish, fc.nat()).map(([t, n]) => JSON.stringify({ version: 1, session: { idToken: t } }).slice(0, n)),
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v))
)

describe("session decoding, for any stored value", () => {
  it("loads a session or nothing, never fails or defects, and logs no token", () => {
    fc.assert(
      fc.property(stored, (value) => {
        const lines: Array<string> = []
        const logger = Logger.make(({ fiber, message }) => {
          lines.push(JSON.stringify({ message, annotations: fiber.getRef(References.CurrentLogAnnotations) }))
        })
        const store = TokenStore.make(
          { get: () => Effect.succeed(Option.some(value)), set: () => Effect.void, remove: () => Effect.void },
          "key"
        )
        const exit = Effect.runSyncExit(store.load.pipe(Effect.provide(Logger.layer([logger]))))
        assert.isTrue(Exit.isSuccess(exit), Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "")
        for (const line of lines) assert.notInclude(line, secretMarker)
      }),
      { numRuns: 500 }
    )
  })
})
