import * as HttpClient from "effect/http/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/testing/TestClock"
import * as AuthConfig from "../src/AuthConfig.js"
import * as AuthError from "../src/AuthError.js"
import * as CognitoIdentityPool from "../src/CognitoIdentityPool.js"
import * as FakeHttpClient from "./FakeHttpClient.js"

const identityPoolId = "eu-west-1:0c1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8"
const config: AuthConfig.Input = {
  region: "eu-west-1",
  userPoolId: "eu-west-1_AbCdEf123",
  clientId: "client123",
  identityPoolId
}
const endpoint = "https://cognito-identity.eu-west-1.amazonaws.com/"
const provider = "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"
const idToken = FakeHttpClient.jwt({ token_use: "id", iat: 1_000, exp: 4_600, sub: "sub-1" })
const identityId = "eu-west-1:11111111-2222-3333-4444-555555555555"
const secretKey = "secret-access-key-only-in-the-response"
const sessionToken = "session-token-only-in-the-response"

const credentialsWire = {
  IdentityId: identityId,
  Credentials: {
    AccessKeyId: "ASIAEXAMPLE",
    SecretKey: secretKey,
    SessionToken: sessionToken,
    Expiration: 1_767_225_600.5
  }
}

const setup = (
  script: (request: FakeHttpClient.Recorded, index: number) => FakeHttpClient.Reply,
  options: CognitoIdentityPool.Options = { retrySchedule: Schedule.recurs(0) },
  input: AuthConfig.Input = config
) =>
  Effect.gen(function* () {
    const fake = FakeHttpClient.make(script)
    const pool = yield* CognitoIdentityPool.makeWith(options).pipe(
      Effect.provideService(HttpClient.HttpClient, fake.client),
      Effect.provide(AuthConfig.layer(input)),
      Effect.orDie
    )
    return { pool, requests: fake.requests }
  })

const logins = { [provider]: Redacted.make(idToken) }

describe("CognitoIdentityPool", () => {
  describe("wire shape", () => {
    it.effect("sends GetId with the configured IdentityPoolId and the revealed Logins", () =>
      Effect.gen(function* () {
        const { pool, requests } = yield* setup(() => FakeHttpClient.json(200, { IdentityId: identityId }))
        const result = yield* pool.getId({ logins })
        assert.deepStrictEqual(result, { identityId })
        const request = requests[0]!
        assert.strictEqual(request.method, "POST")
        assert.strictEqual(request.url, endpoint)
        assert.strictEqual(request.contentType, "application/x-amz-json-1.1")
        assert.strictEqual(request.headers["x-amz-target"], "AWSCognitoIdentityService.GetId")
        assert.deepStrictEqual(request.body, { IdentityPoolId: identityPoolId, Logins: { [provider]: idToken } })
      })
    )

    it.effect("sends GetId without Logins for a guest identity", () =>
      Effect.gen(function* () {
        const { pool, requests } = yield* setup(() => FakeHttpClient.json(200, { IdentityId: identityId }))
        yield* pool.getId({})
        assert.deepStrictEqual(requests[0]!.body, { IdentityPoolId: identityPoolId })
      })
    )

    it.effect("reads GetCredentialsForIdentity: Expiration in epoch seconds, secrets redacted", () =>
      Effect.gen(function* () {
        const { pool, requests } = yield* setup(() => FakeHttpClient.json(200, credentialsWire))
        const result = yield* pool.getCredentialsForIdentity({ identityId, logins })
        assert.strictEqual(requests[0]!.headers["x-amz-target"], "AWSCognitoIdentityService.GetCredentialsForIdentity")
        assert.deepStrictEqual(requests[0]!.body, { IdentityId: identityId, Logins: { [provider]: idToken } })
        assert.strictEqual(result.identityId, identityId)
        assert.strictEqual(result.credentials.accessKeyId, "ASIAEXAMPLE")
        assert.strictEqual(Redacted.value(result.credentials.secretAccessKey), secretKey)
        assert.strictEqual(Redacted.value(result.credentials.sessionToken), sessionToken)
        assert.strictEqual(result.credentials.expiration.getTime(), 1_767_225_600_500)
        assert.notInclude(JSON.stringify(result), secretKey)
        assert.notInclude(JSON.stringify(result), sessionToken)
      })
    )

    it.effect("posts to the identityPool endpoint from AuthConfig", () =>
      Effect.gen(function* () {
        const { pool, requests } = yield* setup(() => FakeHttpClient.json(200, { IdentityId: identityId }), undefined, {
          ...config,
          endpoints: { identityPool: "http://127.0.0.1:5000/" }
        })
        yield* pool.getId({})
        assert.strictEqual(requests[0]!.url, "http://127.0.0.1:5000/")
      })
    )

    it.effect("fails GetId with InvalidConfig, sending nothing, when no identity pool is configured", () =>
      Effect.gen(function* () {
        const { identityPoolId: _, ...withoutPool } = config
        const { pool, requests } = yield* setup(() => FakeHttpClient.json(200, {}), undefined, withoutPool)
        const error = yield* Effect.flip(pool.getId({}))
        assert.strictEqual(error.reason, "InvalidConfig")
        assert.strictEqual(error.method, "GetId")
        assert.strictEqual(requests.length, 0)
      })
    )
  })

  describe("errors", () => {
    it.effect("maps Cognito Identity exceptions through the table", () =>
      Effect.gen(function* () {
        const cases = [
          ["NotAuthorizedException", "NotAuthorized"],
          ["ResourceNotFoundException", "ResourceNotFound"],
          ["InvalidParameterException", "InvalidParameter"],
          ["LimitExceededException", "LimitExceeded"],
          ["TooManyRequestsException", "TooManyRequests"],
          ["ResourceConflictException", "ResourceConflict"],
          ["ExternalServiceException", "ExternalService"],
          ["InvalidIdentityPoolConfigurationException", "InvalidUserPoolConfiguration"],
          ["InternalErrorException", "InternalError"]
        ] as const
        for (const [exception, reason] of cases) {
          const { pool } = yield* setup(() =>
            FakeHttpClient.awsError(
              400,
              `com.amazonaws.cognito.identity.model#${exception}`,
              "Cognito Identity says no"
            )
          )
          const error = yield* Effect.flip(pool.getId({ logins }))
          assert.strictEqual(error.reason, reason)
          assert.strictEqual(error.method, "GetId")
          assert.strictEqual(error.exception, exception)
          assert.strictEqual(error.description, "Cognito Identity says no")
          assert.strictEqual(error.status, 400)
        }
      })
    )

    it.effect("fails with InvalidResponse for an unknown exception, an HTML page and a wrong Expiration", () =>
      Effect.gen(function* () {
        const replies = [
          FakeHttpClient.awsError(400, "DeveloperUserAlreadyRegisteredException", "m"),
          FakeHttpClient.text(500, "<!doctype html><title>500 Internal Server Error</title>"),
          FakeHttpClient.json(200, {
            ...credentialsWire,
            Credentials: { ...credentialsWire.Credentials, Expiration: "soon" }
          }),
          FakeHttpClient.text(200, '{"IdentityId":', "application/x-amz-json-1.1")
        ]
        for (const reply of replies) {
          const { pool } = yield* setup(() => reply)
          const error = yield* Effect.flip(pool.getCredentialsForIdentity({ identityId }))
          assert.strictEqual(error.reason, "InvalidResponse")
          assert.strictEqual(error.method, "GetCredentialsForIdentity")
          assert.include(error.description, "GetCredentialsForIdentity")
          assert.include(error.description, `HTTP ${error.status}`)
        }
      })
    )

    it.effect("fails with Transport when the server never answers", () =>
      Effect.gen(function* () {
        const { pool } = yield* setup(() => FakeHttpClient.never)
        const fiber = yield* Effect.forkChild(pool.getId({}))
        yield* TestClock.adjust("10 seconds")
        const error = yield* Effect.flip(Fiber.join(fiber))
        assert.strictEqual(error.reason, "Transport")
        assert.strictEqual(error.method, "GetId")
      })
    )

    it.effect("keeps the id token out of errors even when the server echoes it", () =>
      Effect.gen(function* () {
        const { pool } = yield* setup((request) => FakeHttpClient.awsError(400, "NotAuthorizedException", request.text))
        const error = yield* Effect.flip(pool.getCredentialsForIdentity({ identityId, logins }))
        assert.strictEqual(error.reason, "NotAuthorized")
        for (const text of [String(error), JSON.stringify(error)]) assert.notInclude(text, idToken)
      })
    )
  })

  describe("retries", () => {
    it.effect("retries throttled GetId and GetCredentialsForIdentity until they succeed", () =>
      Effect.gen(function* () {
        const throttled = FakeHttpClient.awsError(400, "TooManyRequestsException", "Rate exceeded")
        const { pool, requests } = yield* setup(
          (request, index) =>
            index % 3 < 2
              ? throttled
              : FakeHttpClient.json(
                  200,
                  request.headers["x-amz-target"]!.endsWith("GetId") ? { IdentityId: identityId } : credentialsWire
                ),
          { retrySchedule: Schedule.recurs(5) }
        )
        const { identityId: id } = yield* pool.getId({ logins })
        yield* pool.getCredentialsForIdentity({ identityId: id, logins })
        assert.strictEqual(requests.length, 6)
      })
    )

    it.effect("gives up after the attempts of the default schedule", () =>
      Effect.gen(function* () {
        const { pool, requests } = yield* setup(() => FakeHttpClient.text(503, "<html>unavailable</html>"), {})
        const fiber = yield* Effect.forkChild(pool.getCredentialsForIdentity({ identityId }))
        yield* TestClock.adjust("1 minute")
        const error = yield* Effect.flip(Fiber.join(fiber))
        assert.strictEqual(error.reason, "InvalidResponse")
        assert.isTrue(AuthError.isTransient(error))
        assert.strictEqual(requests.length, 4)
      })
    )
  })
})
