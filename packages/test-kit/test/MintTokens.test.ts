/**
 * `mintTokens` and `jwksHttpClient`: tokens for a handler's tests without a sign-in,
 * verified by core's `CognitoJwtVerifier` fetching the pool's JWKS through the pool's own
 * `HttpClient`, as a server verifies Cognito's. A minted token names the pool's user (her
 * `sub` and attributes) or a made-up one, carries the groups, scopes, lifetime and claims
 * the test chooses, and expires by `TestClock`.
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as CognitoJwtVerifier from "@effect-cognito/core/CognitoJwtVerifier"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { atStart, confirmedUser, password } from "./fixtures.js"

/** A verifier of the pool's tokens, fetching its JWKS through `jwksHttpClient`. */
const verifierOf = (pool: TestCognito.TestCognito.Service, tokenUse: "id" | "access" | null = "access") =>
  CognitoJwtVerifier.make({
    userPools: { userPoolId: pool.config.userPoolId, clientId: pool.config.clientId },
    tokenUse
  }).pipe(Effect.provideService(HttpClient.HttpClient, pool.jwksHttpClient))

describe("TestCognito.mintTokens", () => {
  it.effect("mints tokens for the pool's user that a CognitoJwtVerifier accepts, with her sub and attributes", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const auth = yield* Auth.Auth
      yield* auth.signIn({ username: "alice", password })
      const signedIn = yield* auth.getTokens()
      const pool = yield* TestCognito.TestCognito
      const verifier = yield* verifierOf(pool, null)
      const minted = yield* pool.mintTokens({ username: "alice", groups: ["admins"], scopes: ["orders/read"] })
      const access = yield* verifier.verify(minted.accessToken, { groups: ["admins"], scopes: ["orders/read"] })
      const id = yield* verifier.verify(minted.idToken, { tokenUse: "id" })
      const real = yield* verifier.verify(signedIn.accessToken)
      assert.strictEqual(access.sub, real.sub)
      assert.strictEqual(id.sub, real.sub)
      assert.strictEqual(access.username, "alice")
      assert.deepStrictEqual(access.groups, ["admins"])
      assert.deepStrictEqual(access.scopes, ["orders/read"])
      assert.strictEqual(id.claims.email, "alice@example.com")
      const realId = yield* verifier.verify(signedIn.idToken)
      assert.strictEqual(id.claims.email_verified, realId.claims.email_verified)
      assert.deepStrictEqual(Object.keys(id.claims).sort(), Object.keys(realId.claims).concat("cognito:groups").sort())
      // The pool takes the minted access token as its own.
      const user = yield* pool.provider.getUser({ accessToken: minted.accessToken })
      assert.strictEqual(user.username, "alice")
    }).pipe(Effect.provide(TestCognito.layer({ autoConfirm: true })))
  )

  it.effect("mints for a made-up user: one sub in both tokens, Cognito's default scope, no groups claim", () =>
    Effect.gen(function* () {
      yield* atStart
      const pool = yield* TestCognito.TestCognito
      const verifier = yield* verifierOf(pool, null)
      const { accessToken, idToken } = yield* pool.mintTokens({ username: "bob" })
      const access = yield* verifier.verify(accessToken)
      const id = yield* verifier.verify(idToken)
      assert.strictEqual(access.sub, id.sub)
      assert.match(access.sub, /^[0-9a-f-]{36}$/)
      assert.deepStrictEqual(access.scopes, ["aws.cognito.signin.user.admin"])
      assert.notProperty(access.claims, "cognito:groups")
      assert.strictEqual((yield* Effect.flip(verifier.verify(accessToken, { groups: ["admins"] }))).check, "groups")
    }).pipe(Effect.provide(TestCognito.layerCognito()))
  )

  it.effect("tokens expire by TestClock after expiresIn; claims on top make any token a test needs", () =>
    Effect.gen(function* () {
      yield* atStart
      const pool = yield* TestCognito.TestCognito
      const verifier = yield* verifierOf(pool)
      const { accessToken } = yield* pool.mintTokens({ username: "carol", expiresIn: "5 minutes" })
      yield* verifier.verify(accessToken)
      yield* TestClock.adjust(Duration.minutes(5))
      yield* verifier.verify(accessToken)
      yield* TestClock.adjust(Duration.seconds(1))
      assert.strictEqual((yield* Effect.flip(verifier.verify(accessToken))).check, "exp")
      const other = yield* pool.mintTokens({ username: "carol", accessClaims: { client_id: "another", "custom:x": 1 } })
      assert.strictEqual((yield* Effect.flip(verifier.verify(other.accessToken))).check, "client_id")
    }).pipe(Effect.provide(TestCognito.layerCognito()))
  )

  it.effect("another pool's verifier refuses them: another issuer, another key", () =>
    Effect.gen(function* () {
      yield* atStart
      const pool = yield* TestCognito.TestCognito
      const other = yield* Effect.provide(
        TestCognito.TestCognito,
        TestCognito.layerCognito({ userPoolId: "us-east-1_OtherPool", seed: 2 })
      )
      const minted = yield* pool.mintTokens({ username: "dave" })
      assert.strictEqual((yield* Effect.flip((yield* verifierOf(other)).verify(minted.accessToken))).check, "iss")
      const forged = yield* pool.mintTokens({ username: "dave", accessClaims: { iss: other.issuer } })
      assert.strictEqual((yield* Effect.flip((yield* verifierOf(other)).verify(forged.accessToken))).check, "kid")
    }).pipe(Effect.provide(TestCognito.layerCognito()))
  )

  it.effect("jwksHttpClient serves the JWKS at the issuer only", () =>
    Effect.gen(function* () {
      const pool = yield* TestCognito.TestCognito
      const ok = yield* pool.jwksHttpClient.get(`${pool.issuer}/.well-known/jwks.json`)
      assert.strictEqual(ok.status, 200)
      assert.deepStrictEqual<unknown>(yield* ok.json, yield* pool.jwks)
      assert.strictEqual((yield* pool.jwksHttpClient.get(`${pool.issuer}/other`)).status, 404)
    }).pipe(Effect.provide(TestCognito.layerCognito()))
  )

  it.effect("minting leaves the seeded pool's codes as they would have been", () =>
    Effect.gen(function* () {
      const codeAfterSignUp = (mintFirst: boolean) =>
        Effect.gen(function* () {
          yield* atStart
          const pool = yield* TestCognito.TestCognito
          if (mintFirst) yield* pool.mintTokens({ username: "erin" })
          yield* pool.provider.signUp({ username: "erin", password, userAttributes: { email: "erin@example.com" } })
          return Redacted.value(yield* pool.lastCodeFor("erin"))
        }).pipe(Effect.provide(TestCognito.layerCognito({ seed: 7 })))
      assert.strictEqual(yield* codeAfterSignUp(true), yield* codeAfterSignUp(false))
    })
  )
})
