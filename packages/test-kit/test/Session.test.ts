import * as Auth from "@effect-cognito/core/Auth"
import * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import { TestCognito } from "@effect-cognito/test-kit"
import * as KeyValueStore from "effect/persistence/KeyValueStore"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/testing/TestClock"
import { atStart, confirmedUser, expectReason, password, signedIn } from "./fixtures.js"

const refreshCount = Effect.flatMap(TestCognito.TestCognito, (cognito) =>
  Effect.map(cognito.requests, (requests) => requests.filter((r) => r.action === "InitiateAuth").length)
)

const value = (secret: Redacted.Redacted<string>) => Redacted.value(secret)

/**
 * Waits for the background refresh that a call inside the window started: `forceRefresh`
 * joins the refresh in flight (single flight) instead of starting another.
 */
const joinRefresh = Effect.flatMap(Auth.Auth, (auth) => auth.getTokens({ forceRefresh: true }))

/** Collects the next `n` user-state changes in the background. */
const collectChanges = (n: number) =>
  Effect.gen(function* () {
    const auth = yield* Auth.Auth
    const fiber = yield* auth.userStateChanges.pipe(Stream.take(n), Stream.runCollect, Effect.forkChild)
    yield* Effect.repeat(Effect.yieldNow, { times: 20 })
    return Fiber.join(fiber)
  })

describe("getTokens", () => {
  it.effect("returns the cached tokens outside the refresh window, with no request", () =>
    Effect.gen(function* () {
      const first = yield* signedIn
      const auth = yield* Auth.Auth
      const before = yield* refreshCount
      yield* TestClock.adjust("54 minutes")
      const again = yield* auth.getTokens()
      assert.strictEqual(yield* refreshCount, before)
      assert.strictEqual(value(again.accessToken), value(first.accessToken))
      assert.strictEqual(again.username, "alice")
      assert.strictEqual(again.expiresAt.getTime() - again.issuedAt.getTime(), 3_600_000)
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect(
    "inside the window (default 5 minutes): the valid tokens at once, one background refresh, then the new",
    () =>
      Effect.gen(function* () {
        const first = yield* signedIn
        const auth = yield* Auth.Auth
        const before = yield* refreshCount
        yield* TestClock.adjust("55 minutes")
        const served = yield* auth.getTokens()
        assert.strictEqual(value(served.accessToken), value(first.accessToken))
        const refreshed = yield* joinRefresh
        assert.strictEqual(yield* refreshCount, before + 1)
        assert.notStrictEqual(value(refreshed.accessToken), value(first.accessToken))
        assert.strictEqual(value(refreshed.refreshToken), value(first.refreshToken))
        assert.isAbove(refreshed.expiresAt.getTime(), first.expiresAt.getTime())
        yield* auth.getTokens()
        assert.strictEqual(yield* refreshCount, before + 1)
        // The store holds the refreshed session.
        const stored = yield* Effect.flatMap(TokenStore.TokenStore, (store) => store.load)
        assert.strictEqual(
          Option.map(stored, (s) => value(s.accessToken)).pipe(Option.getOrUndefined),
          value(refreshed.accessToken)
        )
      }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("honours a configured refresh window", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      const before = yield* refreshCount
      yield* TestClock.adjust("49 minutes")
      yield* auth.getTokens()
      assert.strictEqual(yield* refreshCount, before)
      yield* TestClock.adjust("1 minute")
      yield* auth.getTokens()
      yield* joinRefresh
      assert.strictEqual(yield* refreshCount, before + 1)
    }).pipe(Effect.provide(TestCognito.layer({ config: { refreshWindow: "10 minutes" } })))
  )

  it.effect("refreshes when the id token expires before the access token", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      const before = yield* refreshCount
      yield* TestClock.adjust("26 minutes")
      yield* auth.getTokens()
      yield* joinRefresh
      assert.strictEqual(yield* refreshCount, before + 1)
    }).pipe(Effect.provide(TestCognito.layer({ tokenValidity: { idToken: "30 minutes" } })))
  )

  it.effect("forceRefresh refreshes at once", () =>
    Effect.gen(function* () {
      const first = yield* signedIn
      const auth = yield* Auth.Auth
      const before = yield* refreshCount
      yield* TestClock.adjust("1 second")
      const forced = yield* auth.getTokens({ forceRefresh: true })
      assert.strictEqual(yield* refreshCount, before + 1)
      assert.notStrictEqual(value(forced.accessToken), value(first.accessToken))
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("1000 concurrent callers with expired tokens share exactly one refresh and get the same tokens", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      const before = yield* refreshCount
      yield* TestClock.adjust("2 hours")
      const results = yield* Effect.all(
        Array.from({ length: 1000 }, () => auth.getTokens()),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(yield* refreshCount, before + 1)
      const tokens = new Set(results.map((t) => value(t.accessToken)))
      assert.strictEqual(tokens.size, 1)
      // A later burst inside the new validity makes no request at all.
      yield* Effect.all(
        Array.from({ length: 100 }, () => auth.getTokens()),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(yield* refreshCount, before + 1)
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("fails with NotSignedIn when nobody is signed in", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      yield* expectReason(auth.getTokens(), "NotSignedIn")
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})

describe("session end by cause", () => {
  const cases: ReadonlyArray<
    [string, (cognito: TestCognito.TestCognito.Service, tokens: Auth.Tokens) => Effect.Effect<void, unknown>]
  > = [
    ["revoked", (cognito, tokens) => cognito.provider.revokeToken({ token: tokens.refreshToken })],
    [
      "signed out globally elsewhere",
      (cognito, tokens) => cognito.provider.globalSignOut({ accessToken: tokens.accessToken })
    ],
    ["user disabled", (cognito) => cognito.adminDisableUser("alice")],
    ["user deleted", (cognito) => cognito.adminDeleteUser("alice")],
    ["password reset required", (cognito) => cognito.adminResetUserPassword("alice")]
  ]
  for (const [name, reject] of cases)
    it.effect(`${name}: SessionExpired, an empty store and one SignedOutUserPoolsTokensInvalid change`, () =>
      Effect.gen(function* () {
        const tokens = yield* signedIn
        const auth = yield* Auth.Auth
        const store = yield* TokenStore.TokenStore
        const cognito = yield* TestCognito.TestCognito
        const changes = yield* collectChanges(1)
        yield* Effect.orDie(reject(cognito, tokens))
        yield* TestClock.adjust("2 hours")
        yield* expectReason(auth.getTokens(), "SessionExpired")
        assert.isTrue(Option.isNone(yield* store.load))
        assert.isFalse(yield* auth.isSignedIn)
        assert.strictEqual(yield* auth.userState, "SignedOutUserPoolsTokensInvalid")
        assert.deepStrictEqual(yield* changes, ["SignedOutUserPoolsTokensInvalid"])
        // Still SessionExpired until someone signs in again: the caller learns why.
        yield* expectReason(auth.getTokens(), "SessionExpired")
      }).pipe(Effect.provide(TestCognito.layer()))
    )

  it.effect("rotation with a reused (already rotated) refresh token ends the session too", () =>
    Effect.gen(function* () {
      const tokens = yield* signedIn
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      // Another holder of the same refresh token rotates it first.
      yield* cognito.provider.getTokensFromRefreshToken({ refreshToken: tokens.refreshToken })
      yield* expectReason(auth.getTokens({ forceRefresh: true }), "SessionExpired")
    }).pipe(Effect.provide(TestCognito.layer({ config: { refreshTokenRotation: true } })))
  )
})

describe("transient failures never sign the user out", () => {
  for (const fault of ["Transport", "TooManyRequests", "InternalError"] as const)
    it.effect(`${fault} inside the window: the still-valid tokens are returned and nothing is cleared`, () =>
      Effect.gen(function* () {
        const first = yield* signedIn
        const auth = yield* Auth.Auth
        const cognito = yield* TestCognito.TestCognito
        const store = yield* TokenStore.TokenStore
        yield* TestClock.adjust("57 minutes")
        yield* cognito.failNext("InitiateAuth", fault)
        const served = yield* auth.getTokens()
        assert.strictEqual(value(served.accessToken), value(first.accessToken))
        const joined = yield* joinRefresh
        assert.strictEqual(value(joined.accessToken), value(first.accessToken), "the failed refresh kept them")
        assert.isTrue(Option.isSome(yield* store.load))
        assert.strictEqual(yield* auth.userState, "SignedIn")
        // Within 10 s of the failure no new request; after, the next background refresh succeeds.
        const before = yield* refreshCount
        yield* auth.getTokens()
        assert.strictEqual(yield* refreshCount, before)
        yield* TestClock.adjust("10 seconds")
        yield* auth.getTokens()
        const next = yield* joinRefresh
        assert.strictEqual(yield* refreshCount, before + 1)
        assert.notStrictEqual(value(next.accessToken), value(first.accessToken))
      }).pipe(Effect.provide(TestCognito.layer()))
    )

  for (const fault of ["Transport", "TooManyRequests", "InternalError"] as const)
    it.effect(`${fault} after expiry: fails with that reason, keeps the session, and the next call succeeds`, () =>
      Effect.gen(function* () {
        yield* signedIn
        const auth = yield* Auth.Auth
        const cognito = yield* TestCognito.TestCognito
        const store = yield* TokenStore.TokenStore
        const changes = yield* collectChanges(1)
        yield* TestClock.adjust("61 minutes")
        yield* cognito.failNext("InitiateAuth", fault)
        yield* expectReason(auth.getTokens(), fault)
        assert.isTrue(yield* auth.isSignedIn)
        assert.isTrue(Option.isSome(yield* store.load))
        assert.strictEqual(yield* auth.userState, "SignedIn")
        const tokens = yield* auth.getTokens()
        assert.isAbove(tokens.expiresAt.getTime(), Date.parse("2026-11-26T11:00:00Z"))
        // No state change happened at all: the collector is still waiting.
        yield* auth.signOut()
        assert.deepStrictEqual(yield* changes, ["SignedOut"])
      }).pipe(Effect.provide(TestCognito.layer()))
    )
})

describe("refresh-token rotation", () => {
  it.effect("GetTokensFromRefreshToken replaces the refresh token; the old one stops working", () =>
    Effect.gen(function* () {
      const first = yield* signedIn
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const rotated = yield* auth.getTokens({ forceRefresh: true })
      assert.strictEqual(yield* cognito.requestCount("GetTokensFromRefreshToken"), 1)
      assert.notStrictEqual(value(rotated.refreshToken), value(first.refreshToken))
      const stored = yield* Effect.flatMap(TokenStore.TokenStore, (store) => store.load)
      assert.strictEqual(Option.getOrThrow(stored).refreshToken.pipe(value), value(rotated.refreshToken))
      yield* expectReason(
        cognito.provider.getTokensFromRefreshToken({ refreshToken: first.refreshToken }),
        "NotAuthorized"
      )
      const again = yield* auth.getTokens({ forceRefresh: true })
      assert.notStrictEqual(value(again.refreshToken), value(rotated.refreshToken))
    }).pipe(Effect.provide(TestCognito.layer({ config: { refreshTokenRotation: true } })))
  )

  it.effect("keeps the old refresh token when none comes back", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const base = yield* IdentityProvider.IdentityProvider
      const withoutRotation: IdentityProvider.IdentityProvider.Service = {
        ...base,
        getTokensFromRefreshToken: (request) =>
          Effect.map(base.getTokensFromRefreshToken(request), ({ refreshToken: _, ...rest }) => rest)
      }
      const auth = yield* Auth.make.pipe(Effect.provideService(IdentityProvider.IdentityProvider, withoutRotation))
      yield* auth.signIn({ username: "alice", password })
      const first = yield* auth.getTokens()
      const refreshed = yield* auth.getTokens({ forceRefresh: true })
      assert.strictEqual(value(refreshed.refreshToken), value(first.refreshToken))
      assert.notStrictEqual(value(refreshed.accessToken), value(first.accessToken))
    }).pipe(Effect.provide(TestCognito.layer({ config: { refreshTokenRotation: true } })))
  )
})

describe("restart", () => {
  it.effect("a new Auth over the same store is signed in at once, with no request", () =>
    Effect.gen(function* () {
      const first = yield* signedIn
      const cognito = yield* TestCognito.TestCognito
      const before = yield* cognito.requestCount()
      const restarted = yield* Auth.make
      assert.isTrue(yield* restarted.isSignedIn)
      assert.deepStrictEqual(yield* restarted.username, Option.some("alice"))
      assert.strictEqual(yield* restarted.userState, "SignedIn")
      const tokens = yield* restarted.getTokens()
      assert.strictEqual(value(tokens.accessToken), value(first.accessToken))
      assert.strictEqual(yield* cognito.requestCount(), before)
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a corrupted stored session means signed out, a log line, and no defect", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const logger = Logger.map(Logger.formatLogFmt, (line) => {
        lines.push(line)
      })
      const kv = yield* KeyValueStore.KeyValueStore.pipe(Effect.provide(KeyValueStore.layerMemory, { local: true }))
      const config = (yield* TestCognito.TestCognito).config
      const key = TokenStore.keyFor(config)
      for (const corrupted of [
        "][",
        JSON.stringify({ version: 1, session: { username: "alice" } }),
        JSON.stringify({
          version: 1,
          session: { username: "a", idToken: "x", accessToken: "not-a-jwt", refreshToken: "r", clockSkewMillis: 0 }
        })
      ]) {
        yield* kv.set(key, corrupted)
        const auth = yield* Auth.make.pipe(
          Effect.provideService(TokenStore.TokenStore, TokenStore.fromKeyValueStore(kv, key)),
          Effect.provide(Logger.layer([logger]))
        )
        assert.isFalse(yield* auth.isSignedIn)
        assert.strictEqual(yield* auth.userState, "SignedOut")
        assert.isUndefined(yield* kv.get(key))
        // Signing in over the cleaned store works.
        yield* confirmedUser().pipe(Effect.provideService(Auth.Auth, auth), Effect.ignore)
        assert.strictEqual((yield* auth.signIn({ username: "alice", password }))._tag, "SignedIn")
        yield* auth.signOut()
      }
      assert.strictEqual(lines.filter((line) => line.includes("level=WARN")).length, 3, lines.join("\n"))
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})

describe("clock skew", () => {
  it.effect("a device 2 hours ahead of Cognito neither refreshes every call nor misses the window", () =>
    Effect.gen(function* () {
      const cognito = yield* TestCognito.TestCognito
      yield* cognito.setClockOffset("-2 hours")
      yield* signedIn
      const auth = yield* Auth.Auth
      const before = yield* refreshCount
      for (let i = 0; i < 10; i++) yield* auth.getTokens()
      yield* TestClock.adjust("50 minutes")
      yield* auth.getTokens()
      assert.strictEqual(yield* refreshCount, before)
      yield* TestClock.adjust("6 minutes")
      yield* auth.getTokens()
      yield* joinRefresh
      assert.strictEqual(yield* refreshCount, before + 1)
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a device 2 hours behind Cognito does not serve expired tokens", () =>
    Effect.gen(function* () {
      const cognito = yield* TestCognito.TestCognito
      yield* cognito.setClockOffset("2 hours")
      yield* signedIn
      const auth = yield* Auth.Auth
      const before = yield* refreshCount
      yield* auth.getTokens()
      assert.strictEqual(yield* refreshCount, before)
      yield* TestClock.adjust("56 minutes")
      yield* auth.getTokens()
      const tokens = yield* joinRefresh
      assert.strictEqual(yield* refreshCount, before + 1)
      // Cognito accepts them: they are not expired by its clock.
      yield* cognito.provider.getUser({ accessToken: tokens.accessToken })
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})

describe("user state", () => {
  it.effect("sign-in, sign-out (local and global) and expiry each emit exactly one change", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      assert.strictEqual(yield* auth.userState, "SignedOut")
      const changes = yield* collectChanges(6)
      yield* auth.signIn({ username: "alice", password })
      yield* auth.getTokens({ forceRefresh: true })
      yield* auth.signOut()
      yield* auth.signOut()
      yield* auth.signIn({ username: "alice", password })
      yield* auth.signOut({ global: true })
      const tokens = yield* Effect.andThen(auth.signIn({ username: "alice", password }), auth.getTokens())
      yield* cognito.provider.revokeToken({ token: tokens.refreshToken })
      yield* TestClock.adjust("2 hours")
      yield* Effect.ignore(auth.getTokens())
      yield* Effect.ignore(auth.getTokens())
      assert.deepStrictEqual(yield* changes, [
        "SignedIn",
        "SignedOut",
        "SignedIn",
        "SignedOut",
        "SignedIn",
        "SignedOutUserPoolsTokensInvalid"
      ])
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})

describe("sign-out during a refresh", () => {
  const gated = Effect.gen(function* () {
    const gate = yield* Deferred.make<void>()
    const started = yield* Deferred.make<void>()
    const base = yield* IdentityProvider.IdentityProvider
    const provider: IdentityProvider.IdentityProvider.Service = {
      ...base,
      initiateAuth: (request) =>
        request.authFlow === "REFRESH_TOKEN_AUTH"
          ? Effect.andThen(
              Deferred.succeed(started, undefined),
              Effect.andThen(Deferred.await(gate), base.initiateAuth(request))
            )
          : base.initiateAuth(request)
    }
    const auth = yield* Auth.make.pipe(Effect.provideService(IdentityProvider.IdentityProvider, provider))
    return { auth, gate, started }
  })

  it.effect("a refresh in flight cannot bring the session back after sign-out", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const cognito = yield* TestCognito.TestCognito
      const store = yield* TokenStore.TokenStore
      const { auth, gate, started } = yield* gated
      yield* auth.signIn({ username: "alice", password })
      const refresh = yield* Effect.forkChild(auth.getTokens({ forceRefresh: true }))
      yield* Deferred.await(started)
      // Revoking fails, so the refresh itself will succeed at Cognito.
      yield* cognito.failNext("RevokeToken", "Transport")
      yield* auth.signOut()
      yield* Deferred.succeed(gate, undefined)
      const error = yield* expectReason(Fiber.join(refresh), "NotSignedIn")
      assert.include(error.message, "signed out while the tokens refreshed")
      assert.isFalse(yield* auth.isSignedIn)
      assert.isTrue(Option.isNone(yield* store.load))
      assert.strictEqual(yield* auth.userState, "SignedOut")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a refresh rejected after sign-out leaves the state SignedOut, not expired", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const { auth, gate, started } = yield* gated
      yield* auth.signIn({ username: "alice", password })
      const refresh = yield* Effect.forkChild(auth.getTokens({ forceRefresh: true }))
      yield* Deferred.await(started)
      yield* auth.signOut()
      yield* Deferred.succeed(gate, undefined)
      yield* expectReason(Fiber.join(refresh), "SessionExpired")
      assert.strictEqual(yield* auth.userState, "SignedOut")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a caller that is interrupted does not cancel the refresh for the others", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const { auth, gate, started } = yield* gated
      yield* auth.signIn({ username: "alice", password })
      const first = yield* Effect.forkChild(auth.getTokens({ forceRefresh: true }))
      yield* Deferred.await(started)
      const second = yield* Effect.forkChild(auth.getTokens({ forceRefresh: true }))
      yield* Effect.repeat(Effect.yieldNow, { times: 5 })
      yield* Fiber.interrupt(first)
      yield* Deferred.succeed(gate, undefined)
      const tokens = yield* Fiber.join(second)
      assert.strictEqual(tokens.username, "alice")
      assert.isTrue(yield* auth.isSignedIn)
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})
