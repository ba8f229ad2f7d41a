/**
 * Idle sessions let go of their tokens under a bound (`Residency`, what
 * `Auth.MaxInMemorySessions` sets) and read them again from the store on their next use:
 * an evicted session still refreshes once for any number of callers; a session that is
 * refreshing, or holds tokens its store could not take, keeps them. Time moves only
 * through `TestClock`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Base64Url from "effect/encoding/Base64Url"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import type * as AuthError from "../src/AuthError.js"
import type * as IdentityProvider from "../src/IdentityProvider.js"
import * as Session from "../src/internal/session.js"
import * as TokenStore from "../src/TokenStore.js"

const jwt = (claims: Record<string, unknown>) =>
  `${Base64Url.encode('{"alg":"none"}')}.${Base64Url.encode(JSON.stringify(claims))}.c2ln`

/** Tokens of `user` issued at `iat` (seconds) for an hour, numbered so a test can tell them apart. */
const tokens = (user: string, n: number, iat = 0): IdentityProvider.AuthenticationResult => ({
  accessToken: Redacted.make(jwt({ sub: `sub-${user}`, username: user, iat, exp: iat + 3600, n })),
  idToken: Redacted.make(jwt({ sub: `sub-${user}`, "cognito:username": user, iat, exp: iat + 3600, n })),
  refreshToken: Redacted.make(`refresh-${user}-${n}`),
  expiresIn: 3600,
  tokenType: "Bearer"
})

/** The `n` claim of the access token: which answer the tokens came from. */
const accessNumber = (t: { readonly accessToken: Redacted.Redacted<string> }): unknown => {
  const json = Base64Url.decodeString(Redacted.value(t.accessToken).split(".")[1] ?? "")
  return json._tag === "Success" ? (JSON.parse(json.success) as { readonly n?: unknown }).n : undefined
}

/** A user's session over its own memory store, signed in; refreshes counted in `requests`. */
const signedIn = (
  user: string,
  residency: Session.Residency,
  requests: Array<string>,
  answer: (n: number) => Effect.Effect<IdentityProvider.AuthenticationResult, AuthError.AuthError> = (n) =>
    Effect.succeed(tokens(user, n, 3600))
) =>
  Effect.gen(function* () {
    const store = TokenStore.makeMemory(`test.${user}.session`)
    const session = yield* Session.make({
      store,
      refresh: () =>
        Effect.suspend(() => {
          requests.push(user)
          return answer(requests.length + 1)
        }),
      refreshWindow: Duration.minutes(5),
      residency
    })
    yield* session.establish(tokens(user, 1), user, "signIn")
    return { store, session }
  })

describe("idle sessions under a bound", () => {
  it.effect(
    "beyond the bound the least recently used idle session lets go of its tokens, and reads them back on use",
    () =>
      Effect.gen(function* () {
        const residency = new Session.Residency(2)
        const requests: Array<string> = []
        const alice = yield* signedIn("alice", residency, requests)
        const bob = yield* signedIn("bob", residency, requests)
        assert.isDefined(alice.session.held)
        const carol = yield* signedIn("carol", residency, requests)
        // Alice was used least recently: her tokens are only in her store now.
        assert.isUndefined(alice.session.held)
        assert.isDefined(bob.session.held)
        assert.isDefined(carol.session.held)
        assert.strictEqual(residency.resident.size, 2)

        const again = yield* alice.session.getTokens()
        assert.strictEqual(again.username, "alice")
        assert.strictEqual(accessNumber(again), 1)
        assert.isDefined(alice.session.held)
        // Reading Alice back made Bob the least recently used one.
        assert.isUndefined(bob.session.held)
        assert.strictEqual(yield* bob.session.userState, "SignedIn")
        assert.deepStrictEqual(
          Option.map(yield* bob.session.current, (at) => at.session.username),
          Option.some("bob")
        )
        assert.deepStrictEqual(requests, [])
      })
  )

  it.effect("an evicted session whose tokens expired refreshes once for every concurrent caller", () =>
    Effect.gen(function* () {
      const residency = new Session.Residency(1)
      const requests: Array<string> = []
      const alice = yield* signedIn("alice", residency, requests)
      const bob = yield* signedIn("bob", residency, requests)
      assert.isUndefined(alice.session.held)
      yield* TestClock.adjust("2 hours")

      const got = yield* Effect.all(
        Array.from({ length: 5 }, () => alice.session.getTokens()),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(requests, ["alice"])
      for (const t of got) assert.strictEqual(accessNumber(t), 2)
      // The refreshed session is what the store holds now.
      const stored = yield* alice.store.load
      assert.isTrue(Option.isSome(stored))
      if (Option.isSome(stored)) assert.strictEqual(accessNumber(stored.value), 2)

      // Bob, evicted by Alice's use, refreshes once too.
      assert.isUndefined(bob.session.held)
      yield* Effect.all([bob.session.getTokens(), bob.session.getTokens()], { concurrency: "unbounded" })
      assert.deepStrictEqual(requests, ["alice", "bob"])
    })
  )

  it.effect("a session holding tokens its store could not take keeps them in memory", () =>
    Effect.gen(function* () {
      const residency = new Session.Residency(1)
      const requests: Array<string> = []
      const store = TokenStore.makeMemory("test.dave.session")
      let broken = false
      const failing: TokenStore.TokenStore.Service = Object.assign(
        Object.create(store) as TokenStore.TokenStore.Service,
        {
          save: (value: TokenStore.Session) =>
            broken ? Effect.fail(TokenStore.storageError("write", new Error("disk full"))) : store.save(value)
        }
      )
      const dave = yield* Session.make({
        store: failing,
        refresh: () =>
          Effect.sync(() => {
            requests.push("dave")
            return tokens("dave", 2, 3600)
          }),
        refreshWindow: Duration.minutes(5),
        residency
      })
      yield* dave.establish(tokens("dave", 1), "dave", "signIn")
      yield* TestClock.adjust("2 hours")
      broken = true
      assert.strictEqual(accessNumber(yield* dave.getTokens()), 2)
      // Another user's session comes in: Dave's newer tokens are not in his store, so they stay.
      yield* signedIn("erin", residency, requests)
      assert.isDefined(dave.held)
      assert.strictEqual(accessNumber(yield* dave.getTokens()), 2)
      assert.deepStrictEqual(requests, ["dave"])
    })
  )

  it.effect("a signed-out session holds nothing and leaves the bound's count", () =>
    Effect.gen(function* () {
      const residency = new Session.Residency(5)
      const requests: Array<string> = []
      const alice = yield* signedIn("alice", residency, requests)
      assert.strictEqual(residency.resident.size, 1)
      yield* alice.session.forget("SignedOut")
      assert.strictEqual(residency.resident.size, 0)
      const failure = yield* Effect.flip(alice.session.getTokens())
      assert.strictEqual(failure.reason, "NotSignedIn")
    })
  )
})
