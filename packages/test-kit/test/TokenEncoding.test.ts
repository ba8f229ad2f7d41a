/**
 * JWTs are compact JWS in unpadded base64url (RFC 7515 §2, §7.1), as Cognito and
 * aws-jwt-verify read them: a token re-encoded in padded standard base64 (`+`, `/`, `=`),
 * with `=` appended, or with a space inside is refused by GetUser (and every action that
 * takes an access token) and by the identity pool (GetId, GetCredentialsForIdentity) as
 * NotAuthorized, though its bytes decode to the same signed content.
 */
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { atStart, expectReason, password } from "./fixtures.js"

/** Padded standard base64 of a base64url segment: same bytes, other alphabet. */
const toPaddedBase64 = (segment: string) => Buffer.from(segment, "base64url").toString("base64")

/** The same token, encoded in ways Cognito refuses. */
const variants = (token: Redacted.Redacted<string>): ReadonlyArray<readonly [string, Redacted.Redacted<string>]> => {
  const plain = Redacted.value(token)
  const [header = "", payload = "", signature = ""] = plain.split(".")
  const middle = Math.floor(payload.length / 2)
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["a padded standard base64 signature", `${header}.${payload}.${toPaddedBase64(signature)}`],
    ["padded standard base64 segments", [header, payload, signature].map(toPaddedBase64).join(".")],
    ["== appended", `${plain}==`],
    ["= appended to the payload", `${header}.${payload}=.${signature}`],
    ["a space inside the payload", `${header}.${payload.slice(0, middle)} ${payload.slice(middle)}.${signature}`],
    ["a leading space", ` ${plain}`],
    ["a trailing newline", `${plain}\n`]
  ]
  for (const [name, variant] of cases) assert.notStrictEqual(variant, plain, name)
  return cases.map(([name, variant]) => [name, Redacted.make(variant)] as const)
}

const signedIn = Effect.gen(function* () {
  yield* atStart
  const cognito = yield* TestCognito.TestCognito
  yield* cognito.provider.signUp({ username: "alice", password, userAttributes: { email: "alice@example.com" } })
  yield* cognito.adminConfirmSignUp("alice")
  const response = yield* cognito.provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username: "alice", password })
  if (response._tag !== "Authenticated") return yield* Effect.die(new Error(`expected tokens, got ${response._tag}`))
  return { cognito, tokens: response.tokens }
})

describe("tokens that are not base64url", () => {
  it.effect("GetUser refuses an access token that is not unpadded base64url, as NotAuthorized", () =>
    Effect.gen(function* () {
      const { cognito, tokens } = yield* signedIn
      // The token as issued works.
      assert.strictEqual((yield* cognito.provider.getUser({ accessToken: tokens.accessToken })).username, "alice")
      for (const [name, variant] of variants(tokens.accessToken)) {
        const error = yield* expectReason(cognito.provider.getUser({ accessToken: variant }), "NotAuthorized")
        assert.strictEqual(error.exception, "NotAuthorizedException", name)
        assert.notInclude(error.message, Redacted.value(variant).slice(0, 40), name)
      }
      // Other actions that take an access token read it the same way.
      const [, padded] = variants(tokens.accessToken)[0]!
      yield* expectReason(cognito.provider.globalSignOut({ accessToken: padded }), "NotAuthorized")
      yield* expectReason(cognito.provider.deleteUser({ accessToken: padded }), "NotAuthorized")
      assert.strictEqual((yield* cognito.listUsers).length, 1)
    }).pipe(Effect.provide(TestCognito.layer({ mfa: "OFF" })))
  )

  it.effect("the identity pool refuses an id token that is not unpadded base64url, as NotAuthorized", () =>
    Effect.gen(function* () {
      const { cognito, tokens } = yield* signedIn
      const provider = cognito.config.loginProvider
      const { identityId } = yield* cognito.identityPool.getId({ logins: { [provider]: tokens.idToken } })
      const guest = yield* cognito.identityPool.getId({})
      for (const [name, variant] of variants(tokens.idToken)) {
        const logins = { [provider]: variant }
        const refused = yield* expectReason(cognito.identityPool.getId({ logins }), "NotAuthorized")
        assert.strictEqual(refused.exception, "NotAuthorizedException", name)
        yield* expectReason(cognito.identityPool.getCredentialsForIdentity({ identityId, logins }), "NotAuthorized")
        yield* expectReason(
          cognito.identityPool.getCredentialsForIdentity({ identityId: guest.identityId, logins }),
          "NotAuthorized"
        )
      }
      // The guest identity was not linked to anything on the way.
      const identities = yield* cognito.identities
      assert.deepStrictEqual(identities.find((identity) => identity.identityId === guest.identityId)?.providers, [])
    }).pipe(Effect.provide(TestCognito.layer({ mfa: "OFF" })))
  )

  it.effect("an identity pool over another user pool refuses that pool's id token when not base64url", () =>
    Effect.gen(function* () {
      const { cognito: other, tokens } = yield* signedIn
      const first = yield* Effect.provide(
        TestCognito.TestCognito,
        TestCognito.layerCognito({ userPoolId: "us-east-1_FirstPool", clientId: "firstclient12345", seed: 3 })
      )
      const identityPool = yield* first.withIdentityPool({
        identityPoolId: "us-east-1:11111111-2222-4333-8444-555555555555",
        userPools: [{ pool: other, clientIds: [other.config.clientId] }]
      })
      const provider = other.config.loginProvider
      yield* identityPool.identityPool.getId({ logins: { [provider]: tokens.idToken } })
      for (const [, variant] of variants(tokens.idToken))
        yield* expectReason(identityPool.identityPool.getId({ logins: { [provider]: variant } }), "NotAuthorized")
    }).pipe(Effect.provide(TestCognito.layer({ mfa: "OFF" })))
  )
})
