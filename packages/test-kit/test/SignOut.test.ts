import * as Auth from "@effect-cognito/core/Auth"
import * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { expectReason, password, signedIn } from "./fixtures.js"

/** Uses a refresh token directly against the pool, as another process holding it would. */
const refreshWith = (tokens: Auth.Tokens) =>
  Effect.flatMap(IdentityProvider.IdentityProvider, (provider) =>
    provider.initiateAuth({ authFlow: "REFRESH_TOKEN_AUTH", refreshToken: tokens.refreshToken })
  )

describe("signOut", () => {
  it.effect("local: revokes the refresh token, clears the store and emits one SignedOut", () =>
    Effect.gen(function* () {
      const tokens = yield* signedIn
      const auth = yield* Auth.Auth
      const store = yield* TokenStore.TokenStore
      const cognito = yield* TestCognito.TestCognito
      assert.isTrue(Option.isSome(yield* store.load))
      yield* auth.signOut()
      assert.strictEqual(yield* cognito.requestCount("RevokeToken"), 1)
      assert.isFalse(yield* auth.isSignedIn)
      assert.deepStrictEqual(yield* auth.username, Option.none())
      assert.strictEqual(yield* auth.userState, "SignedOut")
      assert.isTrue(Option.isNone(yield* store.load))
      yield* expectReason(refreshWith(tokens), "NotAuthorized")
      yield* expectReason(auth.getTokens(), "NotSignedIn")
      // The access tokens issued from it are revoked with it.
      const provider = yield* IdentityProvider.IdentityProvider
      yield* expectReason(provider.getUser({ accessToken: tokens.accessToken }), "NotAuthorized")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("local: signs out even when revoking fails", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      yield* cognito.failNext("RevokeToken", "Transport")
      yield* auth.signOut()
      assert.isFalse(yield* auth.isSignedIn)
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("local: signing out when signed out does nothing and fails nothing", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      yield* auth.signOut()
      assert.strictEqual(yield* cognito.requestCount(), 0)
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("global: calls GlobalSignOut, which ends the sessions of every device", () =>
    Effect.gen(function* () {
      const tokens = yield* signedIn
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      // A second device signed in as the same user.
      const other = yield* Effect.flatMap(IdentityProvider.IdentityProvider, (provider) =>
        provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username: "alice", password })
      )
      assert.strictEqual(other._tag, "Authenticated")
      yield* auth.signOut({ global: true })
      assert.strictEqual(yield* cognito.requestCount("GlobalSignOut"), 1)
      assert.isFalse(yield* auth.isSignedIn)
      yield* expectReason(refreshWith(tokens), "NotAuthorized")
      if (other._tag === "Authenticated" && other.tokens.refreshToken !== undefined) {
        const refreshToken = other.tokens.refreshToken
        yield* expectReason(
          Effect.flatMap(IdentityProvider.IdentityProvider, (provider) =>
            provider.initiateAuth({ authFlow: "REFRESH_TOKEN_AUTH", refreshToken })
          ),
          "NotAuthorized"
        )
      }
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("global: when GlobalSignOut fails the session is kept and the error returned, so it can be retried", () =>
    Effect.gen(function* () {
      const tokens = yield* signedIn
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const store = yield* TokenStore.TokenStore
      yield* cognito.failNext("GlobalSignOut", "InternalError")
      yield* expectReason(auth.signOut({ global: true }), "InternalError")
      assert.isTrue(yield* auth.isSignedIn)
      assert.isTrue(Option.isSome(yield* store.load))
      assert.strictEqual(yield* auth.userState, "SignedIn")
      // The refresh token still works: nothing was revoked.
      yield* refreshWith(tokens)
      yield* cognito.failNext("GlobalSignOut", "Transport")
      yield* expectReason(auth.signOut({ global: true }), "Transport")
      assert.isTrue(yield* auth.isSignedIn)
      yield* auth.signOut({ global: true })
      assert.isFalse(yield* auth.isSignedIn)
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("global: fails with NotSignedIn when nobody is signed in", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      yield* expectReason(auth.signOut({ global: true }), "NotSignedIn")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a new sign-in after sign-out works", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      yield* auth.signOut()
      assert.strictEqual((yield* auth.signIn({ username: "alice", password }))._tag, "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})

describe("deleteUser", () => {
  it.effect("deletes the account and signs out: the store is empty, the tokens and a new sign-in are refused", () =>
    Effect.gen(function* () {
      const tokens = yield* signedIn
      const auth = yield* Auth.Auth
      const store = yield* TokenStore.TokenStore
      const cognito = yield* TestCognito.TestCognito
      yield* auth.deleteUser
      assert.strictEqual(yield* cognito.requestCount("DeleteUser"), 1)
      assert.strictEqual(yield* auth.userState, "SignedOut")
      assert.isFalse(yield* auth.isSignedIn)
      assert.isTrue(Option.isNone(yield* store.load))
      yield* expectReason(cognito.adminGetUser("alice"), "UserNotFound")
      yield* expectReason(refreshWith(tokens), "NotAuthorized")
      yield* expectReason(auth.signIn({ username: "alice", password }), "UserNotFound")
      yield* expectReason(auth.deleteUser, "NotSignedIn")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a refused DeleteUser keeps the account and the session, and says why", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      yield* cognito.failNext("DeleteUser", "Transport")
      yield* expectReason(auth.deleteUser, "Transport")
      assert.isTrue(yield* auth.isSignedIn)
      assert.strictEqual((yield* cognito.adminGetUser("alice")).status, "CONFIRMED")
      yield* auth.deleteUser
      assert.isFalse(yield* auth.isSignedIn)
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})
