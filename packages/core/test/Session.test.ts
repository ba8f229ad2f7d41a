/**
 * The session module alone, over a memory store and a scripted refresh: the pure
 * decisions, restore, the hot path, single-flight refresh and what ends a session.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Base64Url from "effect/encoding/Base64Url"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as References from "effect/References"
import * as TestClock from "effect/testing/TestClock"
import * as AuthError from "../src/AuthError.js"
import type * as IdentityProvider from "../src/IdentityProvider.js"
import * as Session from "../src/internal/session.js"
import * as TokenStore from "../src/TokenStore.js"

/** An unsigned JWT with these claims (the client never verifies signatures). */
const jwt = (claims: Record<string, unknown>) =>
  `${Base64Url.encode('{"alg":"none"}')}.${Base64Url.encode(JSON.stringify(claims))}.c2ln`

/** Tokens issued at `iat` (seconds) for `lifetime` seconds (an hour), numbered so a test can tell them apart. */
const tokens = (n: number, iat = 0, lifetime = 3600): IdentityProvider.AuthenticationResult => ({
  accessToken: Redacted.make(jwt({ sub: "sub-1", username: "alice", iat, exp: iat + lifetime, n })),
  idToken: Redacted.make(jwt({ sub: "sub-1", "cognito:username": "alice", iat, exp: iat + lifetime, n })),
  refreshToken: Redacted.make(`refresh-${n}`),
  expiresIn: 3600,
  tokenType: "Bearer"
})

/** Which operations of a {@link faultyStore} fail, as a read-only or missing disk would. */
interface Broken {
  get: boolean
  set: boolean
  remove: boolean
}

/** A memory store whose operations fail with `Storage` while `broken` says so. */
const faultyStore = (broken: Broken) =>
  Effect.map(Ref.make(new Map<string, string>()), (cells) => {
    const guard = (operation: keyof Broken) =>
      Effect.suspend(() =>
        broken[operation]
          ? Effect.fail(TokenStore.storageError(operation, new Error("EROFS: read-only file system")))
          : Effect.void
      )
    return TokenStore.make(
      {
        get: (key) =>
          Effect.andThen(
            guard("get"),
            Effect.map(Ref.get(cells), (m) => Option.fromNullishOr(m.get(key)))
          ),
        set: (key, value) =>
          Effect.andThen(
            guard("set"),
            Ref.update(cells, (m) => new Map(m).set(key, value))
          ),
        remove: (key) =>
          Effect.andThen(
            guard("remove"),
            Ref.update(cells, (m) => {
              const next = new Map(m)
              next.delete(key)
              return next
            })
          )
      },
      "test.session"
    )
  })

/** A session whose refreshes answer with `answer` (counted). */
const setup = (
  answer: (call: number) => Effect.Effect<IdentityProvider.AuthenticationResult, AuthError.AuthError>,
  broken: Broken = { get: false, set: false, remove: false }
) =>
  Effect.gen(function* () {
    const store = yield* faultyStore(broken)
    const calls = yield* Ref.make(0)
    const session = yield* Session.make({
      store,
      refresh: () =>
        Effect.flatMap(
          Ref.updateAndGet(calls, (n) => n + 1),
          answer
        ),
      refreshWindow: Duration.minutes(5)
    })
    return { store, calls, session }
  })

/** The `n` claim of the access token: which answer the tokens came from. */
const accessNumber = (t: { readonly accessToken: Redacted.Redacted<string> }): unknown => {
  const payload = Redacted.value(t.accessToken).split(".")[1] ?? ""
  const json = Base64Url.decodeString(payload)
  return json._tag === "Success" ? (JSON.parse(json.success) as { readonly n?: unknown }).n : undefined
}

describe("session decisions", () => {
  const claims = { access: { sub: "s", iat: 100, exp: 3700 }, id: { sub: "s", iat: 100, exp: 3000 } }

  it("the session of new tokens: Cognito's username, the skew from iat, the earlier expiry", () => {
    const current = Session.sessionOf(
      tokens(1, 100),
      { username: "alias", refreshToken: Redacted.make("old"), identityId: "eu:1" },
      { ...claims, access: { ...claims.access, username: "alice" } },
      90_000
    )
    assert.strictEqual(current.session.username, "alice")
    assert.strictEqual(current.session.clockSkewMillis, 10_000)
    assert.strictEqual(current.session.identityId, "eu:1")
    assert.strictEqual(current.expiresAtMillis, 3_000_000)
    assert.strictEqual(Redacted.value(current.session.refreshToken), "refresh-1")
  })

  it("keeps the previous refresh token and username when the answer has neither", () => {
    const { refreshToken: _, ...withoutRefresh } = tokens(1)
    const current = Session.sessionOf(
      withoutRefresh,
      { username: "alice", refreshToken: Redacted.make("old") },
      claims,
      0
    )
    assert.strictEqual(Redacted.value(current.session.refreshToken), "old")
    assert.strictEqual(current.session.username, "alice")
  })

  it("needs a refresh from the refresh window before expiry, by the server's clock", () => {
    const current = Session.sessionOf(tokens(1), { username: "a", refreshToken: Redacted.make("r") }, claims, 0)
    // Expires at 3,000,000 ms; the server is 100,000 ms ahead of the device; window 60,000 ms.
    const window = 60_000
    const skew = current.session.clockSkewMillis
    assert.strictEqual(skew, 100_000)
    assert.isFalse(Session.needsRefresh(current, 3_000_000 - window - skew - 1, window))
    assert.isTrue(Session.needsRefresh(current, 3_000_000 - window - skew, window))
  })

  it("only a rejected refresh token ends the session", () => {
    for (const reason of ["NotAuthorized", "UserNotFound", "PasswordResetRequired", "RefreshTokenReuse"] as const)
      assert.isTrue(Session.endsSession(AuthError.make(reason, "InitiateAuth", "x")), reason)
    for (const reason of ["Transport", "TooManyRequests", "InternalError", "InvalidResponse"] as const)
      assert.isFalse(Session.endsSession(AuthError.make(reason, "InitiateAuth", "x")), reason)
  })
})

describe("session", () => {
  it.effect("restores a stored session without a refresh, and signs out when the store holds unreadable tokens", () =>
    Effect.gen(function* () {
      const { store, session, calls } = yield* setup(() => Effect.succeed(tokens(2)))
      assert.strictEqual(yield* session.userState, "SignedOut")
      yield* session.establish(tokens(1), "alice", "signIn")
      const again = yield* Session.make({
        store,
        refresh: () => Effect.die("no refresh"),
        refreshWindow: Duration.minutes(5)
      })
      assert.strictEqual(yield* again.userState, "SignedIn")
      assert.strictEqual(accessNumber(yield* again.getTokens()), 1)

      yield* store.save(
        new TokenStore.Session({
          username: "alice",
          idToken: Redacted.make("not-a-jwt"),
          accessToken: Redacted.make("not-a-jwt"),
          refreshToken: Redacted.make("r"),
          clockSkewMillis: 0
        })
      )
      const broken = yield* Session.make({
        store,
        refresh: () => Effect.die("no refresh"),
        refreshWindow: Duration.minutes(5)
      })
      assert.isTrue(Option.isNone(yield* broken.current))
      assert.isTrue(Option.isNone(yield* store.load))
      assert.strictEqual(yield* Ref.get(calls), 0)
    })
  )

  it.effect("inside the refresh window, valid tokens come at once while one background refresh runs", () =>
    Effect.gen(function* () {
      const { store, session, calls } = yield* setup(() => Effect.succeed(tokens(2, 3400)))
      yield* session.establish(tokens(1), "alice", "signIn")
      assert.strictEqual(accessNumber(yield* session.getTokens()), 1)
      yield* TestClock.adjust(Duration.seconds(3600 - 5 * 60))
      const results = yield* Effect.all(
        Array.from({ length: 20 }, () => session.getTokens()),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(new Set(results.map(accessNumber)), new Set([1]), "the still-valid tokens")
      yield* TestClock.adjust(Duration.millis(1))
      assert.strictEqual(yield* Ref.get(calls), 1)
      assert.strictEqual(accessNumber(yield* session.getTokens()), 2)
      const stored = yield* store.load
      assert.isTrue(Option.isSome(stored) && Redacted.value(stored.value.refreshToken) === "refresh-2")
    })
  )

  it.effect("expired tokens: concurrent callers wait for one shared refresh", () =>
    Effect.gen(function* () {
      const { session, calls } = yield* setup(() => Effect.succeed(tokens(2, 3600)))
      yield* session.establish(tokens(1), "alice", "signIn")
      yield* TestClock.adjust(Duration.seconds(3600))
      const results = yield* Effect.all(
        Array.from({ length: 20 }, () => session.getTokens()),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(yield* Ref.get(calls), 1)
      assert.deepStrictEqual(new Set(results.map(accessNumber)), new Set([2]))
    })
  )

  it.effect("a rejected refresh token ends the session: SessionExpired (then and after), store cleared", () =>
    Effect.gen(function* () {
      const { store, session } = yield* setup(() =>
        Effect.fail(AuthError.make("NotAuthorized", "InitiateAuth", "Refresh Token has been revoked"))
      )
      yield* session.establish(tokens(1), "alice", "signIn")
      const error = yield* Effect.flip(session.getTokens({ forceRefresh: true }))
      assert.strictEqual(error.reason, "SessionExpired")
      assert.strictEqual(yield* session.userState, "SignedOutUserPoolsTokensInvalid")
      assert.isTrue(Option.isNone(yield* store.load))
      assert.strictEqual((yield* Effect.flip(session.getTokens())).reason, "SessionExpired")
    })
  )

  it.effect("a transient failure while the tokens are still valid keeps them; once expired it fails", () =>
    Effect.gen(function* () {
      const { session } = yield* setup(() => Effect.fail(AuthError.make("Transport", "InitiateAuth", "reset")))
      yield* session.establish(tokens(1), "alice", "signIn")
      yield* TestClock.adjust(Duration.seconds(3600 - 60))
      assert.strictEqual(accessNumber(yield* session.getTokens()), 1)
      yield* TestClock.adjust(Duration.seconds(60))
      assert.strictEqual((yield* Effect.flip(session.getTokens())).reason, "Transport")
      assert.strictEqual(yield* session.userState, "SignedIn")
    })
  )

  it.effect("a refresh that finishes after a sign-out writes nothing and fails with NotSignedIn", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const { store, session, calls } = yield* setup(() => Effect.as(Deferred.await(gate), tokens(2)))
      yield* session.establish(tokens(1), "alice", "signIn")
      const refreshing = yield* Effect.forkChild(session.getTokens({ forceRefresh: true }))
      yield* TestClock.adjust(Duration.millis(1))
      assert.strictEqual(yield* Ref.get(calls), 1, "the refresh is under way")
      yield* session.forget("SignedOut")
      yield* Deferred.succeed(gate, undefined)
      const error = yield* Effect.flip(Fiber.join(refreshing))
      assert.strictEqual(error.reason, "NotSignedIn")
      assert.isTrue(Option.isNone(yield* store.load))
      assert.isTrue(Option.isNone(yield* session.current))
      assert.strictEqual(yield* session.userState, "SignedOut")
    })
  )
})

/** Runs `effect` with a logger that keeps every line (message and annotations) as text. */
const withLogs = <A, E, R>(effect: (logs: ReadonlyArray<string>) => Effect.Effect<A, E, R>) => {
  const logs: Array<string> = []
  const logger = Logger.make(({ fiber, logLevel, message }) => {
    const annotations = fiber.getRef(References.CurrentLogAnnotations)
    logs.push(`${logLevel.toUpperCase()} ${JSON.stringify(message)} ${JSON.stringify(Object.entries(annotations))}`)
  })
  return effect(logs).pipe(Effect.provide(Logger.layer([logger])))
}

describe("refresh timing", () => {
  it("the effective window is the configured one, capped at half the tokens' lifetime", () => {
    const at = (lifetime: number) =>
      Session.sessionOf(
        tokens(1, 0, lifetime),
        { username: "a", refreshToken: Redacted.make("r") },
        {
          access: { sub: "s", iat: 0, exp: lifetime },
          id: { sub: "s", iat: 0, exp: lifetime }
        },
        0
      )
    assert.strictEqual(Session.effectiveWindow(at(3600), 300_000), 300_000)
    assert.strictEqual(Session.effectiveWindow(at(300), 300_000), 150_000)
    assert.strictEqual(Session.effectiveWindow(at(60), 300_000), 30_000)
    assert.isFalse(Session.needsRefresh(at(300), 149_999, 300_000))
    assert.isTrue(Session.needsRefresh(at(300), 150_000, 300_000))
  })

  it.effect("5-minute tokens with a 5-minute window: 60 calls over 60 s make at most two refreshes", () =>
    Effect.gen(function* () {
      const { session, calls } = yield* setup((n) =>
        Effect.map(Clock.currentTimeMillis, (now) => tokens(n + 1, Math.floor(now / 1000), 300))
      )
      yield* session.establish(tokens(1, 0, 300), "alice", "signIn")
      // From 100 s to 160 s after issue: across the capped window's start (150 s).
      yield* TestClock.adjust(Duration.seconds(100))
      for (let i = 0; i < 60; i++) {
        yield* session.getTokens()
        yield* TestClock.adjust(Duration.seconds(1))
      }
      const refreshes = yield* Ref.get(calls)
      assert.isAtLeast(refreshes, 1)
      assert.isAtMost(refreshes, 2)
      assert.strictEqual(accessNumber(yield* session.getTokens()), 2)
    })
  )

  it.effect("a hanging refresh never holds back valid tokens; only expired tokens wait for it", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const { session, calls } = yield* setup(() => Effect.as(Deferred.await(gate), tokens(2, 3600)))
      yield* session.establish(tokens(1), "alice", "signIn")
      yield* TestClock.adjust(Duration.seconds(3600 - 60))
      for (let i = 0; i < 50; i++) assert.strictEqual(accessNumber(yield* session.getTokens()), 1)
      yield* TestClock.adjust(Duration.millis(1))
      assert.strictEqual(yield* Ref.get(calls), 1, "one background refresh for 50 callers")
      yield* TestClock.adjust(Duration.seconds(60))
      const waiting = yield* Effect.forkChild(session.getTokens())
      yield* TestClock.adjust(Duration.millis(1))
      assert.isUndefined(waiting.pollUnsafe(), "an expired token waits for the refresh")
      assert.strictEqual(yield* Ref.get(calls), 1, "and joins the one in flight")
      yield* Deferred.succeed(gate, undefined)
      assert.strictEqual(accessNumber(yield* Fiber.join(waiting)), 2)
    })
  )

  it.effect("after a failed background refresh the next one waits 10 s: an outage costs no request per call", () =>
    Effect.gen(function* () {
      const { session, calls } = yield* setup(() => Effect.fail(AuthError.make("Transport", "InitiateAuth", "reset")))
      yield* session.establish(tokens(1), "alice", "signIn")
      yield* TestClock.adjust(Duration.seconds(3600 - 120))
      assert.strictEqual(accessNumber(yield* session.getTokens()), 1)
      yield* TestClock.adjust(Duration.millis(1))
      assert.strictEqual(yield* Ref.get(calls), 1)
      for (let i = 0; i < 9; i++) {
        assert.strictEqual(accessNumber(yield* session.getTokens()), 1)
        yield* TestClock.adjust(Duration.seconds(1))
      }
      assert.strictEqual(yield* Ref.get(calls), 1)
      yield* TestClock.adjust(Duration.seconds(1))
      yield* session.getTokens()
      yield* TestClock.adjust(Duration.millis(1))
      assert.strictEqual(yield* Ref.get(calls), 2)
    })
  )

  it.effect(
    "tokens from a server whose clock is hours behind are judged by its clock: neither expired nor refreshed",
    () =>
      Effect.gen(function* () {
        const { session, calls } = yield* setup(() => Effect.die("no refresh expected"))
        yield* TestClock.setTime(10 * 3600 * 1000)
        // Issued "two hours ago" by the device's clock, valid for an hour: expired by it, fresh by the server's.
        yield* session.establish(tokens(1, 8 * 3600), "alice", "signIn")
        const current = yield* session.current
        assert.isTrue(Option.isSome(current) && current.value.session.clockSkewMillis === -2 * 3600 * 1000)
        yield* TestClock.adjust(Duration.seconds(3600 - 5 * 60 - 1))
        assert.strictEqual(accessNumber(yield* session.getTokens()), 1)
        assert.strictEqual(yield* Ref.get(calls), 0)
      })
  )

  it.effect("tokens that expire no later than they were issued are refused with InvalidResponse", () =>
    Effect.gen(function* () {
      const { session } = yield* setup(() => Effect.die("no refresh expected"))
      const error = yield* Effect.flip(session.establish(tokens(1, 100, 0), "alice", "signIn"))
      assert.strictEqual(error.reason, "InvalidResponse")
      assert.isTrue(Option.isNone(yield* session.current))
      assert.strictEqual(yield* session.userState, "SignedOut")
    })
  )
})

describe("a store that fails never locks the user in or out", () => {
  it.effect("sign-out with a store that cannot clear: signed out at once, Storage reported, sign-in works after", () =>
    Effect.gen(function* () {
      const broken = { get: false, set: false, remove: false }
      const { session } = yield* setup(() => Effect.succeed(tokens(2)), broken)
      yield* session.establish(tokens(1), "alice", "signIn")
      broken.remove = true
      const error = yield* Effect.flip(session.forget("SignedOut"))
      assert.strictEqual(error.reason, "Storage")
      assert.isTrue(Option.isNone(yield* session.current))
      assert.strictEqual(yield* session.userState, "SignedOut")
      assert.strictEqual((yield* Effect.flip(session.getTokens())).reason, "NotSignedIn")
      yield* session.establish(tokens(3), "alice", "signIn")
      assert.strictEqual(accessNumber(yield* session.getTokens()), 3)
    })
  )

  it.effect("a rejected refresh token is SessionExpired even when the store cannot clear", () =>
    Effect.gen(function* () {
      const broken = { get: false, set: false, remove: false }
      const { session } = yield* setup(
        () => Effect.fail(AuthError.make("NotAuthorized", "InitiateAuth", "Refresh Token has been revoked")),
        broken
      )
      yield* session.establish(tokens(1), "alice", "signIn")
      broken.remove = true
      broken.set = true
      const error = yield* Effect.flip(session.getTokens({ forceRefresh: true }))
      assert.strictEqual(error.reason, "SessionExpired")
      assert.isTrue(Option.isNone(yield* session.current))
      assert.strictEqual(yield* session.userState, "SignedOutUserPoolsTokensInvalid")
    })
  )

  it.effect("refreshed tokens that cannot be stored are used from memory", () =>
    Effect.gen(function* () {
      const broken = { get: false, set: false, remove: false }
      const { session } = yield* setup(() => Effect.succeed(tokens(2, 3600)), broken)
      yield* session.establish(tokens(1), "alice", "signIn")
      broken.set = true
      yield* TestClock.adjust(Duration.seconds(3600))
      assert.strictEqual(accessNumber(yield* session.getTokens()), 2)
      assert.strictEqual(yield* session.userState, "SignedIn")
    })
  )

  it.effect("a sign-in whose session cannot be stored is not established", () =>
    Effect.gen(function* () {
      const { session } = yield* setup(() => Effect.succeed(tokens(2)), { get: false, set: true, remove: false })
      const error = yield* Effect.flip(session.establish(tokens(1), "alice", "signIn"))
      assert.strictEqual(error.reason, "Storage")
      assert.isTrue(Option.isNone(yield* session.current))
      assert.strictEqual(yield* session.userState, "SignedOut")
    })
  )

  it.effect("a store that cannot be read starts signed out, with a warning that holds no contents", () =>
    withLogs((logs) =>
      Effect.gen(function* () {
        const broken = { get: false, set: false, remove: false }
        const { store, session } = yield* setup(() => Effect.succeed(tokens(2)), broken)
        yield* session.establish(tokens(1), "alice", "signIn")
        broken.get = true
        const restarted = yield* Session.make({
          store,
          refresh: () => Effect.die("no refresh"),
          refreshWindow: Duration.minutes(5)
        })
        assert.isTrue(Option.isNone(yield* restarted.current))
        assert.strictEqual(yield* restarted.userState, "SignedOut")
        const warnings = logs.filter((line) => line.startsWith("WARN"))
        assert.strictEqual(warnings.length, 1)
        assert.include(warnings[0], "Storage")
        for (const line of logs) {
          assert.notInclude(line, "refresh-1")
          assert.notInclude(line, Redacted.value(tokens(1).accessToken).split(".")[1] ?? "never")
        }
      })
    )
  )
})
