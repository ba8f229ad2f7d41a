/**
 * The real `Auth` flows through `NodeAuth` (CognitoIdentityProvider over undici) against
 * the emulators the global setup started: cognito-local for the password flows, moto for
 * SRP, GlobalSignOut and identity pools. What they do not check is in docs/testing.md.
 */
import { randomUUID } from "node:crypto"
import * as Auth from "@effect-cognito/core/Auth"
import type * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as IdentityPool from "@effect-cognito/core/IdentityPool"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import { NodeAuth } from "@effect-cognito/node"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { inject } from "vitest"

const local = inject("cognitoLocal")
const moto = inject("moto")

const expectReason = <A, E extends { readonly reason?: string }, R>(effect: Effect.Effect<A, E, R>, reason: string) =>
  Effect.gen(function* () {
    const error = yield* Effect.flip(effect)
    assert.strictEqual(error.reason, reason, String(error))
    return error
  })

/**
 * The refresh token of a session that was signed out, used again by a fresh `Auth`
 * (as a stolen copy or another process would): Cognito must reject it.
 */
const reuseAfterSignOut = (stale: TokenStore.Session) =>
  Effect.gen(function* () {
    const store = yield* TokenStore.TokenStore
    yield* store.save(stale)
    const revived = yield* Auth.make
    assert.isTrue(yield* revived.isSignedIn)
    yield* expectReason(revived.getTokens({ forceRefresh: true }), "SessionExpired")
    assert.isFalse(yield* revived.isSignedIn)
    assert.isTrue(Option.isNone(yield* store.load))
  })

const passwordFlows = (name: string, config: AuthConfig.Input) =>
  it.scoped(`${name}: sign-up, confirm, sign-in, refresh, change and reset password, sign-out`, () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      const username = `user-${randomUUID().slice(0, 8)}`
      const first = Redacted.make("First-Passw0rd!")
      const second = Redacted.make("Second-Passw0rd!")
      const third = Redacted.make("Third-Passw0rd!")
      const signUp = yield* auth.signUp({
        username,
        password: first,
        userAttributes: { email: `${username}@example.com`, "custom:badge": "ABC123XYZ" }
      })
      assert.strictEqual(signUp.confirmationState, "Unconfirmed")
      assert.isNotEmpty(signUp.userSub)
      yield* expectReason(auth.signUp({ username, password: first }), "UsernameExists")
      yield* expectReason(
        auth.confirmSignUp({
          username,
          confirmationCode: Redacted.make(local.code === "000000" ? "111111" : "000000")
        }),
        "CodeMismatch"
      )
      yield* auth.confirmSignUp({ username, confirmationCode: Redacted.make(local.code) })

      const signedIn = yield* auth.signIn({ username, password: first, flow: "USER_PASSWORD_AUTH" })
      assert.strictEqual(signedIn._tag, "SignedIn")
      assert.deepStrictEqual(yield* auth.username, Option.some(username))
      const tokens = yield* auth.getTokens()
      const refreshed = yield* auth.getTokens({ forceRefresh: true })
      assert.notStrictEqual(Redacted.value(refreshed.idToken), Redacted.value(tokens.idToken))
      assert.strictEqual(Redacted.value(refreshed.refreshToken), Redacted.value(tokens.refreshToken))

      yield* auth.changePassword({ currentPassword: first, proposedPassword: second })
      const forgot = yield* auth.forgotPassword({ username })
      assert.strictEqual(forgot.state, "ConfirmationCodeSent")
      yield* expectReason(
        auth.confirmForgotPassword({ username, newPassword: third, confirmationCode: Redacted.make("000000") }),
        "CodeMismatch"
      )
      yield* auth.confirmForgotPassword({ username, newPassword: third, confirmationCode: Redacted.make(local.code) })

      const stale = Option.getOrThrow(yield* Effect.flatMap(TokenStore.TokenStore, (store) => store.load))
      yield* auth.signOut()
      assert.isFalse(yield* auth.isSignedIn)
      yield* reuseAfterSignOut(stale)

      assert.strictEqual(
        (yield* auth.signIn({ username, password: third, flow: "USER_PASSWORD_AUTH" }))._tag,
        "SignedIn"
      )
      yield* auth.signOut()
    }).pipe(Effect.provide(NodeAuth.layer(config)))
  )

describe("Auth through NodeAuth against cognito-local", () => {
  const userPoolId = `us-east-1_${local.userPoolId.split("_")[1]}`
  const endpoints = { identityProvider: local.endpoint }
  passwordFlows("an app client without a secret", {
    region: "us-east-1",
    userPoolId,
    clientId: local.clientId,
    endpoints
  })
  passwordFlows("an app client with a secret", {
    region: "us-east-1",
    userPoolId,
    clientId: local.secretClientId,
    clientSecret: Redacted.make(local.secretClientSecret),
    endpoints
  })
})

describe("Auth through NodeAuth against moto", () => {
  const config = (clientId: string, clientSecret?: string): AuthConfig.Input => ({
    region: moto.region,
    userPoolId: moto.userPoolId,
    clientId,
    clientSecret: clientSecret === undefined ? undefined : Redacted.make(clientSecret),
    identityPoolId: moto.identityPoolId,
    endpoints: { identityProvider: moto.endpoint, identityPool: moto.endpoint }
  })

  const srpAndGlobalSignOut = (name: string, input: AuthConfig.Input) =>
    it.scoped(`${name}: SRP sign-in, identity pool credentials, global sign-out`, () =>
      Effect.gen(function* () {
        const auth = yield* Auth.Auth
        const result = yield* auth.signIn({ username: moto.username, password: Redacted.make(moto.password) })
        assert.strictEqual(result._tag, "SignedIn")
        assert.deepStrictEqual(yield* auth.username, Option.some(moto.username))
        const tokens = yield* auth.getTokens()

        const pool = yield* IdentityPool.IdentityPool
        const logins = { [`cognito-idp.${moto.region}.amazonaws.com/${moto.userPoolId}`]: tokens.idToken }
        const { identityId } = yield* pool.getId({ logins })
        assert.match(identityId, new RegExp(`^${moto.region}:`))
        const { credentials } = yield* pool.getCredentialsForIdentity({ identityId, logins })
        assert.isNotEmpty(credentials.accessKeyId)
        assert.isNotEmpty(Redacted.value(credentials.secretAccessKey))
        assert.instanceOf(credentials.expiration, Date)

        const stale = Option.getOrThrow(yield* Effect.flatMap(TokenStore.TokenStore, (store) => store.load))
        yield* auth.signOut({ global: true })
        assert.isFalse(yield* auth.isSignedIn)
        // GlobalSignOut really ran: the old refresh token is dead.
        yield* reuseAfterSignOut(stale)
      }).pipe(Effect.provide(NodeAuth.layer(input)))
    )

  srpAndGlobalSignOut("an app client without a secret", config(moto.clientId))
  srpAndGlobalSignOut("an app client with a secret", config(moto.secretClientId, moto.secretClientSecret))

  it.scoped("a wrong user fails with a typed error, not a defect", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      yield* expectReason(auth.signIn({ username: "nobody-here", password: Redacted.make("x") }), "UserNotFound")
    }).pipe(Effect.provide(NodeAuth.layer(config(moto.clientId))))
  )
})
