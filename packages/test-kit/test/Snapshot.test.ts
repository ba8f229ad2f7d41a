/**
 * Snapshots of a TestCognito pool: a pool restored from one keeps its users, app clients,
 * tokens, signing key and identities, and continues its randomness (no `sub` or id twice);
 * a snapshot that does not decode fails with a `Storage` error naming where, never a value.
 */
import * as Auth from "@effect-cognito/core/Auth"
import { TestCognito, TestCognitoSnapshot } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { alice, atStart, confirmedUser, expectReason, password, start } from "./fixtures.js"

const clientSecret = "s3cret-of-the-second-client-0123456789"

/** A pool with alice signed in, a second app client and alice's identity; its snapshot as JSON. */
const populated = Effect.gen(function* () {
  yield* atStart
  const signUp = yield* confirmedUser()
  const auth = yield* Auth.Auth
  yield* auth.signIn({ username: "alice", password })
  const tokens = yield* auth.getTokens()
  const cognito = yield* TestCognito.TestCognito
  yield* cognito.withClient({ clientId: "secondclient1234", clientSecret: Redacted.make(clientSecret) })
  const totpSecret = yield* cognito.adminEnableTotp("alice")
  const { identityId } = yield* cognito.identityPool.getId({
    logins: { [cognito.config.loginProvider]: tokens.idToken }
  })
  const json = yield* Effect.flatMap(cognito.snapshot, TestCognitoSnapshot.toJson)
  return { sub: signUp.userSub, tokens, identityId, totpSecret, json }
})

/** A copy of `value` with the member at `path` replaced, or removed for `undefined`. */
const withMember = (value: unknown, path: ReadonlyArray<string | number>, member: unknown): unknown => {
  const copy = structuredClone(value)
  let at = copy as Record<string | number, unknown>
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>
  const last = path[path.length - 1]!
  if (member === undefined) delete at[last]
  else at[last] = member
  return copy
}

const bob = { username: "bob", password, userAttributes: { email: "bob@example.com" } }

describe("TestCognito snapshots", () => {
  it.effect("a restored pool keeps users, clients, tokens, keys and identities, and hands out no sub twice", () =>
    Effect.gen(function* () {
      const before = yield* populated
      // The JSON holds the secrets as values; the decoded snapshot keeps them Redacted.
      assert.include(before.json, clientSecret)
      const snapshot = yield* TestCognitoSnapshot.fromJson(before.json)
      assert.notInclude(JSON.stringify(snapshot), clientSecret)
      assert.strictEqual(String(snapshot.users[0]!.verifier), "<redacted>")
      assert.strictEqual(Redacted.value(snapshot.clients[0]!.clientSecret!), clientSecret)
      // What the original pool hands out next, to compare with the restored one.
      const original = yield* TestCognito.TestCognito
      const nextSub = (yield* original.provider.signUp(bob)).userSub

      yield* Effect.gen(function* () {
        const restored = yield* TestCognito.TestCognito
        const auth = yield* Auth.Auth
        // The randomness continues: the next sub is the one the original handed out, not alice's.
        const sub = (yield* restored.provider.signUp(bob)).userSub
        assert.strictEqual(sub, nextSub)
        assert.notStrictEqual(sub, before.sub)
        const user = yield* restored.adminGetUser("alice")
        assert.strictEqual(user.status, "CONFIRMED")
        assert.strictEqual(user.attributes.sub, before.sub)
        assert.strictEqual(user.attributes.email, alice.userAttributes.email)
        // Tokens issued before the snapshot verify, and the refresh token still works.
        const described = yield* restored.provider.getUser({ accessToken: before.tokens.accessToken })
        assert.strictEqual(described.username, "alice")
        const refreshed = yield* restored.provider.initiateAuth({
          authFlow: "REFRESH_TOKEN_AUTH",
          refreshToken: before.tokens.refreshToken
        })
        assert.strictEqual(refreshed._tag, "Authenticated")
        // The identity is found again by the old id token.
        const again = yield* restored.identityPool.getId({
          logins: { [restored.config.loginProvider]: before.tokens.idToken }
        })
        assert.strictEqual(again.identityId, before.identityId)
        // The password works by SRP; TOTP is still set up, with the same secret.
        const signIn = yield* auth.signIn({ username: "alice", password })
        assert.strictEqual(signIn._tag, "SoftwareTokenMfa")
        const signedIn = yield* auth.confirmSignIn({ challengeResponse: yield* restored.totpCode(before.totpSecret) })
        assert.strictEqual(signedIn._tag, "SignedIn")
        // The second client and its secret came back.
        assert.deepStrictEqual(
          (yield* restored.snapshot).clients.map((c) => c.clientId),
          ["secondclient1234"]
        )
      }).pipe(Effect.provide(TestCognito.layer({ restore: snapshot }), { local: true }))
    }).pipe(Effect.provide(TestCognito.layer({ mfa: "OPTIONAL" })))
  )

  it.effect("a pending attribute-verification code survives a snapshot: the restored pool accepts it", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const auth = yield* Auth.Auth
      yield* auth.signIn({ username: "alice", password })
      const { accessToken } = yield* auth.getTokens()
      yield* auth.updateUserAttributes({ userAttributes: { email: "alice@example.org" } })
      const cognito = yield* TestCognito.TestCognito
      const code = yield* cognito.lastCodeFor("alice")
      const snapshot = yield* Effect.flatMap(
        Effect.flatMap(cognito.snapshot, TestCognitoSnapshot.toJson),
        TestCognitoSnapshot.fromJson
      )
      const restored = yield* TestCognito.TestCognito.pipe(
        Effect.provide(TestCognito.layerCognito({ restore: snapshot }))
      )
      assert.strictEqual((yield* restored.adminGetUser("alice")).attributes.email_verified, "false")
      yield* restored.provider.verifyUserAttribute({ accessToken, attributeName: "email", code })
      assert.strictEqual((yield* restored.adminGetUser("alice")).attributes.email_verified, "true")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect(
    "users' creation and last-modified dates survive a snapshot; an older snapshot's users date from the restore",
    () =>
      Effect.gen(function* () {
        yield* atStart
        const created = start
        yield* confirmedUser()
        const cognito = yield* TestCognito.TestCognito
        yield* TestClock.adjust("1 hour")
        yield* cognito.adminDisableUser("alice")
        const modified = created + 3_600_000
        const kept = yield* cognito.adminGetUser("alice")
        assert.deepStrictEqual([kept.created, kept.lastModified], [created, modified])
        const json = yield* Effect.flatMap(cognito.snapshot, TestCognitoSnapshot.toJson)
        yield* TestClock.adjust("1 day")
        const restore = (text: string) =>
          Effect.flatMap(TestCognitoSnapshot.fromJson(text), (snapshot) =>
            TestCognito.TestCognito.pipe(Effect.provide(TestCognito.layerCognito({ restore: snapshot })))
          )
        const restored = yield* Effect.flatMap(restore(json), (pool) => pool.adminGetUser("alice"))
        assert.deepStrictEqual([restored.created, restored.lastModified], [created, modified])
        // A snapshot written before the dates were kept still restores.
        const older = JSON.stringify(
          withMember(
            withMember(JSON.parse(json), ["users", 0, "created"], undefined),
            ["users", 0, "lastModified"],
            undefined
          )
        )
        const dated = yield* Effect.flatMap(restore(older), (pool) => pool.adminGetUser("alice"))
        assert.deepStrictEqual([dated.created, dated.lastModified], [modified + 86_400_000, modified + 86_400_000])
      }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("leaves out refresh tokens that expired and keeps the pool's settings over the options", () =>
    Effect.gen(function* () {
      const before = yield* populated
      yield* TestClock.adjust("31 days")
      const cognito = yield* TestCognito.TestCognito
      const snapshot = yield* cognito.snapshot
      assert.deepStrictEqual(snapshot.refreshTokens, [])
      assert.strictEqual(snapshot.pool.passwordPolicy.minimumLength, 9)
      const restored = yield* TestCognito.TestCognito.pipe(
        Effect.provide(TestCognito.layerCognito({ restore: snapshot, passwordPolicy: { minimumLength: 6 } }))
      )
      assert.strictEqual(restored.config.userPoolId, cognito.config.userPoolId)
      yield* expectReason(restored.provider.signUp({ ...bob, password: Redacted.make("Sh0rt!x") }), "InvalidPassword")
      yield* expectReason(
        restored.provider.initiateAuth({ authFlow: "REFRESH_TOKEN_AUTH", refreshToken: before.tokens.refreshToken }),
        "NotAuthorized"
      )
    }).pipe(Effect.provide(TestCognito.layer({ passwordPolicy: { minimumLength: 9 } })))
  )

  it.effect("fails with a Storage error naming what is wrong, never a value", () =>
    Effect.gen(function* () {
      const { json } = yield* populated
      const encoded = JSON.parse(json) as TestCognitoSnapshot.Encoded
      const failure = (value: unknown) => expectReason(TestCognitoSnapshot.decode(value), "Storage")

      assert.include((yield* expectReason(TestCognitoSnapshot.fromJson("{ not json"), "Storage")).message, "not JSON")
      assert.include((yield* failure({ ...encoded, version: 2 })).message, "version 2 is not supported")
      assert.include((yield* failure([])).message, "no version")

      const verifierError = yield* failure(withMember(encoded, ["users", 0, "verifier"], "secret-looking-garbage"))
      assert.include(verifierError.message, "users.0.verifier")
      assert.notInclude(verifierError.message, "secret-looking-garbage")

      const missing = withMember(encoded, ["pool", "userPoolId"], undefined)
      assert.include((yield* failure(missing)).message, "pool.userPoolId is missing")
      assert.include((yield* failure(withMember(encoded, ["random"], { s0: "0", s1: "0" }))).message, "random")

      // A key that decodes but is not a key pair fails when the pool is built.
      const otherModulus = encoded.signingKey.n.replace(/^./, (c) => (c === "A" ? "B" : "A"))
      const snapshot = yield* TestCognitoSnapshot.decode(withMember(encoded, ["signingKey", "n"], otherModulus))
      const keyError = yield* expectReason(
        Effect.provide(TestCognito.TestCognito, TestCognito.layerCognito({ restore: snapshot })),
        "Storage"
      )
      assert.include(keyError.message, "signingKey")
      assert.notInclude(keyError.message, encoded.signingKey.d)
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})
