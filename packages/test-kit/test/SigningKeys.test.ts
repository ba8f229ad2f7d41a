/**
 * Each pool signs with its own RSA key pair, as each Cognito user pool does: a token of
 * one pool verifies against that pool's JWKS only, so an app that forgets to check `iss`
 * or `kid` fails here as it would on AWS. The key is generated on the pool's first use and
 * kept in its snapshots.
 */
import { TestCognito, TestCognitoSnapshot } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { atStart, expectReason, password } from "./fixtures.js"

/** Another pool beside the test's, with the same app client id and a user of the same name. */
const secondPool = Effect.provide(
  TestCognito.TestCognito,
  TestCognito.layerCognito({ userPoolId: "us-east-1_SecondPool", seed: 2 })
)

/** `alice`, confirmed in `cognito` and signed in by password: her tokens. */
const aliceTokens = (cognito: TestCognito.TestCognito.Service) =>
  Effect.gen(function* () {
    yield* cognito.provider.signUp({ username: "alice", password, userAttributes: { email: "alice@example.com" } })
    yield* cognito.adminConfirmSignUp("alice")
    const response = yield* cognito.provider.initiateAuth({
      authFlow: "USER_PASSWORD_AUTH",
      username: "alice",
      password
    })
    if (response._tag !== "Authenticated") return yield* Effect.die(new Error(`expected tokens, got ${response._tag}`))
    return response.tokens
  })

/** Does the token's RS256 signature verify with the JWKS's first key, whatever the token's `kid`? */
const verifiesWith = (jwks: { readonly keys: ReadonlyArray<JsonWebKey> }, token: Redacted.Redacted<string>) =>
  Effect.promise(async () => {
    const [header = "", payload = "", signature = ""] = Redacted.value(token).split(".")
    const published = jwks.keys[0]
    if (published === undefined) throw new Error("the JWKS has no key")
    const key = await crypto.subtle.importKey("jwk", published, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, [
      "verify"
    ])
    return crypto.subtle.verify(
      "RSASSA-PKCS1-v1_5",
      key,
      Buffer.from(signature, "base64url"),
      new TextEncoder().encode(`${header}.${payload}`)
    )
  })

describe("signing keys", () => {
  it.effect("each pool has its own signing key: a token of pool 2 does not verify against pool 1's JWKS", () =>
    Effect.gen(function* () {
      yield* atStart
      const first = yield* TestCognito.TestCognito
      const second = yield* secondPool
      const firstJwks = yield* first.jwks
      const secondJwks = yield* second.jwks
      assert.notStrictEqual(firstJwks.keys[0]?.n, secondJwks.keys[0]?.n)

      const firstTokens = yield* aliceTokens(first)
      const secondTokens = yield* aliceTokens(second)
      assert.isTrue(yield* verifiesWith(secondJwks, secondTokens.accessToken))
      assert.isTrue(yield* verifiesWith(firstJwks, firstTokens.accessToken))
      // Even ignoring `kid` and `iss`, pool 1's key does not verify pool 2's tokens.
      assert.isFalse(yield* verifiesWith(firstJwks, secondTokens.accessToken))
      assert.isFalse(yield* verifiesWith(firstJwks, secondTokens.idToken))
      // Pool 1 refuses pool 2's access token, though its client id and username are pool 1's too.
      yield* expectReason(first.provider.getUser({ accessToken: secondTokens.accessToken }), "NotAuthorized")
      yield* expectReason(
        first.identityPool.getId({ logins: { [first.config.loginProvider]: secondTokens.idToken } }),
        "NotAuthorized"
      )
      assert.strictEqual((yield* second.provider.getUser({ accessToken: secondTokens.accessToken })).username, "alice")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a pool's key travels in its snapshot: the restored pool publishes the same JWKS, no other pool's", () =>
    Effect.gen(function* () {
      yield* atStart
      const first = yield* TestCognito.TestCognito
      const tokens = yield* aliceTokens(first)
      const json = yield* Effect.flatMap(first.snapshot, TestCognitoSnapshot.toJson)
      const snapshot = yield* TestCognitoSnapshot.fromJson(json)
      const restored = yield* Effect.provide(TestCognito.TestCognito, TestCognito.layerCognito({ restore: snapshot }))
      assert.deepStrictEqual(yield* restored.jwks, yield* first.jwks)
      assert.strictEqual((yield* restored.provider.getUser({ accessToken: tokens.accessToken })).username, "alice")
      // A fresh pool of the same id and seed still gets a key of its own.
      const fresh = yield* Effect.provide(TestCognito.TestCognito, TestCognito.layerCognito())
      assert.notStrictEqual((yield* fresh.jwks).keys[0]?.n, (yield* first.jwks).keys[0]?.n)
      yield* expectReason(fresh.provider.getUser({ accessToken: tokens.accessToken }), "NotAuthorized")
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})
