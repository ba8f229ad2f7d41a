/**
 * Faults at the edges of the flows: input Cognito would refuse (checked once, by the
 * client, before any request, and refused by TestCognito the same way), and a token store
 * that cannot write, which must never lock a user in or out.
 */
import * as Auth from "@effect-cognito/core/Auth"
import type * as AuthError from "@effect-cognito/core/AuthError"
import * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { alice, atStart, confirmedUser, expectReason, password } from "./fixtures.js"

const megabyte = "a".repeat(1024 * 1024)
const badUsernames: ReadonlyArray<readonly [string, string]> = [
  ["empty", ""],
  ["129 characters", "a".repeat(129)],
  ["1 MB", megabyte],
  ["a NUL", "alice\u0000"],
  ["a space", "al ice"],
  ["a line break", "alice\n"]
]
const code = Redacted.make("123456")

describe("one input check for every flow", () => {
  for (const [name, username] of badUsernames)
    it.effect(`a username with ${name} is refused by every flow with InvalidInput, before any request`, () =>
      Effect.gen(function* () {
        const auth = yield* Auth.Auth
        const cognito = yield* TestCognito.TestCognito
        const flows: ReadonlyArray<Effect.Effect<unknown, AuthError.AuthError>> = [
          auth.signUp({ username, password }),
          auth.confirmSignUp({ username, confirmationCode: code }),
          auth.resendSignUpCode({ username }),
          auth.signIn({ username, password }),
          auth.signIn({ username, password, flow: "USER_PASSWORD_AUTH" }),
          auth.signIn({ username, flow: "CUSTOM_AUTH" }),
          auth.forgotPassword({ username }),
          auth.confirmForgotPassword({ username, newPassword: password, confirmationCode: code })
        ]
        for (const flow of flows) {
          const error = yield* expectReason(flow, "InvalidInput")
          assert.include(error.message, "username")
          assert.isBelow(error.message.length, 300, "the value is never echoed")
        }
        assert.strictEqual(yield* cognito.requestCount(), 0)
      }).pipe(Effect.provide(TestCognito.layer()))
    )

  it.effect("passwords, codes, attributes and metadata past Cognito's limits are refused too", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      yield* expectReason(auth.signUp({ username: "bob", password: Redacted.make("p".repeat(257)) }), "InvalidInput")
      yield* expectReason(auth.signUp({ username: "bob", password: Redacted.make("") }), "InvalidInput")
      yield* expectReason(
        auth.signUp({ username: "bob", password, userAttributes: { email: "a\u0000@example.com" } }),
        "InvalidInput"
      )
      yield* expectReason(
        auth.confirmSignUp({ username: "bob", confirmationCode: Redacted.make("12 34") }),
        "InvalidInput"
      )
      const metadata = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]))
      yield* expectReason(auth.forgotPassword({ username: "bob", clientMetadata: metadata }), "InvalidInput")
      yield* expectReason(
        auth.changePassword({ currentPassword: password, proposedPassword: Redacted.make("") }),
        "InvalidInput"
      )
      assert.strictEqual(yield* cognito.requestCount(), 0)
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("an MFA answer that is not 6 to 8 digits is refused before it is sent", () =>
    Effect.gen(function* () {
      yield* atStart
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      yield* confirmedUser()
      yield* cognito.adminEnableTotp("alice")
      yield* cognito.adminSetUserMfa("alice", { totp: true, preferred: "TOTP" })
      const step = yield* auth.signIn({ username: "alice", password })
      assert.strictEqual(step._tag, "SoftwareTokenMfa")
      const before = yield* cognito.requestCount()
      yield* expectReason(auth.confirmSignIn({ challengeResponse: Redacted.make("12345") }), "InvalidInput")
      yield* expectReason(auth.confirmSignIn({ challengeResponse: Redacted.make("12345a") }), "InvalidInput")
      assert.strictEqual(yield* cognito.requestCount(), before)
    }).pipe(Effect.provide(TestCognito.layer({ mfa: "OPTIONAL" })))
  )
})

describe("TestCognito refuses what Cognito refuses", () => {
  for (const [name, username] of badUsernames)
    it.effect(`a username with ${name}: InvalidParameterException on SignUp, InitiateAuth and ForgotPassword`, () =>
      Effect.gen(function* () {
        const provider = yield* IdentityProvider.IdentityProvider
        const calls: ReadonlyArray<Effect.Effect<unknown, AuthError.AuthError>> = [
          provider.signUp({ username, password, userAttributes: {} }),
          provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username, password }),
          provider.forgotPassword({ username })
        ]
        for (const call of calls) {
          const error = yield* expectReason(call, "InvalidParameter")
          assert.strictEqual(error.exception, "InvalidParameterException")
          assert.notInclude(error.message, megabyte.slice(0, 200))
        }
      }).pipe(Effect.provide(TestCognito.layerCognito()))
    )

  it.effect("a password longer than 256 characters: InvalidParameterException", () =>
    Effect.gen(function* () {
      const provider = yield* IdentityProvider.IdentityProvider
      const error = yield* expectReason(
        provider.signUp({ username: "bob", password: Redacted.make("Aa1!".repeat(65)), userAttributes: {} }),
        "InvalidParameter"
      )
      assert.strictEqual(error.exception, "InvalidParameterException")
    }).pipe(Effect.provide(TestCognito.layerCognito()))
  )
})

/** Which operations of the store fail, as a read-only directory would. */
interface Broken {
  get: boolean
  set: boolean
  remove: boolean
}

/** `Auth` over a TestCognito pool and a memory store whose operations fail while `broken` says so. */
const withBrokenStore = (broken: Broken) => {
  const cells = new Map<string, string>()
  const guard = (operation: keyof Broken) =>
    Effect.suspend(() =>
      broken[operation]
        ? Effect.fail(TokenStore.storageError(operation, new Error("EROFS: read-only file system")))
        : Effect.void
    )
  const store = Layer.succeed(
    TokenStore.TokenStore,
    TokenStore.make(
      {
        get: (key) =>
          Effect.andThen(
            guard("get"),
            Effect.sync(() => Option.fromNullishOr(cells.get(key)))
          ),
        set: (key, value) => Effect.map(guard("set"), () => void cells.set(key, value)),
        remove: (key) => Effect.map(guard("remove"), () => void cells.delete(key))
      },
      "faults.session"
    )
  )
  return Layer.provideMerge(
    Layer.provideMerge(Auth.layer, Layer.merge(store, SecureRandom.layerSeeded(2))),
    TestCognito.layerCognito()
  )
}

describe("a token store that cannot write never locks the user in or out", () => {
  it.effect(
    "sign-out: the refresh token is revoked, the user is signed out, Storage is reported; sign-in works after",
    () => {
      const broken = { get: false, set: false, remove: false }
      return Effect.gen(function* () {
        yield* atStart
        yield* confirmedUser()
        const auth = yield* Auth.Auth
        const cognito = yield* TestCognito.TestCognito
        yield* auth.signIn({ username: "alice", password })
        broken.set = true
        broken.remove = true
        const error = yield* expectReason(auth.signOut(), "Storage")
        assert.notInclude(error.message, "EROFS")
        assert.strictEqual(yield* cognito.requestCount("RevokeToken"), 1)
        assert.isFalse(yield* auth.isSignedIn)
        assert.strictEqual(yield* auth.userState, "SignedOut")
        yield* expectReason(auth.getTokens(), "NotSignedIn")
        // The store still cannot write: sign-in fails clearly and revokes what it got...
        yield* expectReason(auth.signIn({ username: "alice", password }), "Storage")
        assert.strictEqual(yield* cognito.requestCount("RevokeToken"), 2)
        assert.isFalse(yield* auth.isSignedIn)
        // ...and once it can, sign-in works.
        broken.set = false
        broken.remove = false
        const step = yield* auth.signIn({ username: "alice", password })
        assert.strictEqual(step._tag, "SignedIn")
        assert.isTrue(yield* auth.isSignedIn)
      }).pipe(Effect.provide(withBrokenStore(broken)))
    }
  )

  it.effect("a fresh sign-in that cannot be stored revokes the new refresh token and fails with Storage", () => {
    const broken = { get: false, set: true, remove: false }
    return Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const error = yield* expectReason(auth.signIn({ username: "alice", password }), "Storage")
      assert.include(error.message, "revoked")
      assert.strictEqual(yield* cognito.requestCount("RevokeToken"), 1)
      assert.strictEqual(yield* auth.userState, "SignedOut")
      yield* expectReason(auth.getTokens(), "NotSignedIn")
    }).pipe(Effect.provide(withBrokenStore(broken)))
  })

  it.effect("a refresh answered NotAuthorized is SessionExpired even when the store cannot write", () => {
    const broken = { get: false, set: false, remove: false }
    return Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      yield* auth.signIn({ username: "alice", password })
      const tokens = yield* auth.getTokens()
      yield* Effect.orDie(cognito.provider.revokeToken({ token: tokens.refreshToken }))
      broken.set = true
      broken.remove = true
      yield* TestClock.adjust("2 hours")
      yield* expectReason(auth.getTokens(), "SessionExpired")
      assert.strictEqual(yield* auth.userState, "SignedOutUserPoolsTokensInvalid")
      // Not locked in: a new sign-in is possible (and fails only because the store still cannot write).
      yield* expectReason(auth.signIn({ username: "alice", password }), "Storage")
    }).pipe(Effect.provide(withBrokenStore(broken)))
  })

  it.effect("a store that cannot be read at start: Auth builds, signed out; saving reports Storage", () => {
    const broken = { get: true, set: true, remove: true }
    return Effect.gen(function* () {
      yield* atStart
      const auth = yield* Auth.Auth
      assert.strictEqual(yield* auth.userState, "SignedOut")
      yield* confirmedUser(alice)
      yield* expectReason(auth.signIn({ username: "alice", password }), "Storage")
    }).pipe(Effect.provide(withBrokenStore(broken)))
  })
})
