/**
 * Several `Auth` instances over one store act as one client through `SessionSync`: here an
 * in-process implementation (one semaphore, one PubSub) stands for the tabs of a browser.
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthError from "@effect-cognito/core/AuthError"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as SessionSync from "@effect-cognito/core/SessionSync"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import { TestCognito } from "@effect-cognito/test-kit"
import * as KeyValueStore from "effect/persistence/KeyValueStore"
import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Redacted from "effect/Redacted"
import * as Semaphore from "effect/Semaphore"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/testing/TestClock"
import { atStart, confirmedUser, expectReason, password } from "./fixtures.js"

/**
 * `count` contexts sharing one memory store, one lock and one event bus; each hears the
 * others only, and the `deaf` ones hear nothing (an event not delivered yet).
 */
const contexts = (count: number, deaf: ReadonlyArray<number> = []) =>
  Effect.gen(function* () {
    const kv = yield* KeyValueStore.KeyValueStore
    const lock = yield* Semaphore.make(1)
    const bus = yield* PubSub.unbounded<{ readonly from: number; readonly event: SessionSync.Event }>()
    const pool = yield* Effect.context<IdentityProvider.IdentityProvider | AuthConfig.AuthConfig>()
    const auths: Array<Auth.Auth.Service> = []
    for (let id = 0; id < count; id++) {
      const sync: SessionSync.SessionSync.Service = {
        withLock: (effect) => lock.withPermits(1)(effect),
        publish: (event) => Effect.asVoid(PubSub.publish(bus, { from: id, event })),
        events: deaf.includes(id)
          ? Stream.empty
          : Stream.fromPubSub(bus).pipe(
              Stream.filter((message) => message.from !== id),
              Stream.map((message) => message.event)
            )
      }
      const layer = Auth.layer.pipe(
        Layer.provide(
          Layer.mergeAll(
            TokenStore.layerKeyValueStore,
            SecureRandom.layerSeeded(id + 7),
            SessionSync.layer(sync),
            Layer.succeed(KeyValueStore.KeyValueStore, kv)
          )
        ),
        Layer.provide(Layer.succeedContext(pool))
      )
      // Fresh: layers are memoized across builds, and the test's own `Auth` was built from `Auth.layer` too.
      auths.push(Context.get(yield* Layer.build(Layer.fresh(layer)), Auth.Auth))
    }
    // Let every context's event subscription start.
    yield* Effect.repeat(Effect.yieldNow, { times: 50 })
    return auths
  })

const refreshes = Effect.flatMap(TestCognito.TestCognito, (cognito) => cognito.requestCount("InitiateAuth"))

const settle = Effect.repeat(Effect.yieldNow, { times: 50 })

const environment = Layer.merge(TestCognito.layer(), KeyValueStore.layerMemory)

describe("SessionSync: contexts over one store", () => {
  it.effect("a sign-in in one context signs in the others; expired tokens in all refresh once, shared", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const [first, ...others] = yield* contexts(4)
      yield* first!.signIn({ username: "alice", password })
      yield* settle
      for (const auth of others) assert.strictEqual(yield* auth.userState, "SignedIn")

      yield* TestClock.adjust("58 minutes")
      const before = yield* refreshes
      const all = yield* Effect.all(
        [first!, ...others].map((auth) => auth.getTokens()),
        { concurrency: "unbounded" }
      )
      // Inside the window each caller gets the valid tokens at once; the one shared refresh runs in the
      // background, which Effect 4 schedules after the callers return: let it run.
      yield* settle
      assert.strictEqual((yield* refreshes) - before, 1)
      const tokens = new Set(all.map((t) => Redacted.value(t.accessToken)))
      assert.strictEqual(tokens.size, 1)
      // And the next call in each is the hot path: no further request.
      for (const auth of others) yield* auth.getTokens()
      assert.strictEqual((yield* refreshes) - before, 1)
    }).pipe(Effect.provide(environment))
  )

  it.effect("a sign-out in one context signs the others out; their getTokens fail with NotSignedIn", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const [first, second] = yield* contexts(2)
      yield* first!.signIn({ username: "alice", password })
      yield* settle
      assert.strictEqual(yield* second!.userState, "SignedIn")
      yield* second!.signOut()
      yield* settle
      assert.strictEqual(yield* first!.userState, "SignedOut")
      assert.isTrue(Option.isNone(yield* first!.username))
      yield* expectReason(first!.getTokens(), "NotSignedIn")
    }).pipe(Effect.provide(environment))
  )

  it.effect("a refresh token rejected in one context moves the others to SignedOutUserPoolsTokensInvalid", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const [first, second] = yield* contexts(2)
      yield* first!.signIn({ username: "alice", password })
      yield* settle
      const cognito = yield* TestCognito.TestCognito
      yield* cognito.failNext("InitiateAuth", {
        exception: "NotAuthorizedException",
        message: "Refresh Token has expired"
      })
      // Expired, so the caller waits for the refresh (inside the window it would get the valid tokens at once).
      yield* TestClock.adjust("61 minutes")
      yield* expectReason(first!.getTokens(), "SessionExpired")
      yield* settle
      assert.strictEqual(yield* second!.userState, "SignedOutUserPoolsTokensInvalid")
    }).pipe(Effect.provide(environment))
  )

  it.effect("a refresh adopts the tokens another context stored meanwhile instead of refreshing again", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const [signer] = yield* contexts(1)
      yield* signer!.signIn({ username: "alice", password })
      // Two contexts that restore the session; the second hears no events.
      const [first, second] = yield* contexts(2, [1])
      assert.strictEqual(yield* second!.userState, "SignedIn")
      yield* TestClock.adjust("58 minutes")
      const before = yield* refreshes
      // Inside the window: the valid tokens at once and a background refresh, which forceRefresh joins.
      yield* first!.getTokens()
      const refreshed = yield* first!.getTokens({ forceRefresh: true })
      // The second context holds the old tokens; under the lock its forced refresh finds newer ones stored.
      const adopted = yield* second!.getTokens({ forceRefresh: true })
      assert.strictEqual(Redacted.value(adopted.accessToken), Redacted.value(refreshed.accessToken))
      assert.strictEqual((yield* refreshes) - before, 1)
    }).pipe(Effect.provide(environment))
  )
})

describe("SessionSync: the identity id stored with the session", () => {
  it.effect("is stored with the tokens another context refreshed meanwhile, not over them", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const [signer] = yield* contexts(1)
      yield* signer!.signIn({ username: "alice", password })
      // The first context hears nothing: it still holds the tokens of the sign-in.
      const [first, second] = yield* contexts(2, [0])
      yield* TestClock.adjust("10 minutes")
      const refreshed = yield* second!.getTokens({ forceRefresh: true })
      const credentials = yield* first!.getAWSCredentials()
      const config = yield* AuthConfig.AuthConfig
      const store = TokenStore.fromKeyValueStore(yield* KeyValueStore.KeyValueStore, TokenStore.keyFor(config))
      const stored = Option.getOrThrow(yield* store.load)
      assert.strictEqual(Redacted.value(stored.accessToken), Redacted.value(refreshed.accessToken))
      assert.strictEqual(stored.identityId, credentials.identityId)
    }).pipe(Effect.provide(environment))
  )
})

describe("SessionSync: a shared lock that cannot be taken (the shared store unreachable)", () => {
  /** One context whose lock fails with `Storage` while `broken.value` is set, as a Redis lock does when Redis is down. */
  const brokenLockContext = (broken: { value: boolean }) =>
    Effect.gen(function* () {
      const lock = yield* Semaphore.make(1)
      const sync: SessionSync.SessionSync.Service = {
        withLock: (effect) =>
          broken.value
            ? Effect.fail(AuthError.make("Storage", "SessionSync.lock", "the shared lock is unreachable"))
            : lock.withPermits(1)(effect),
        publish: () => Effect.void,
        events: Stream.empty
      }
      const layer = Auth.layer.pipe(
        Layer.provide(
          Layer.mergeAll(TokenStore.layerKeyValueStore, SecureRandom.layerSeeded(3), SessionSync.layer(sync))
        )
      )
      return Context.get(yield* Layer.build(Layer.fresh(layer)), Auth.Auth)
    })

  it.effect("a sign-out signs the user out here and fails with Storage; the session stays stored", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const broken = { value: false }
      const auth = yield* brokenLockContext(broken)
      yield* auth.signIn({ username: "alice", password })
      broken.value = true
      yield* expectReason(auth.signOut(), "Storage")
      assert.strictEqual(yield* auth.userState, "SignedOut")
      yield* expectReason(auth.getTokens(), "NotSignedIn")
    }).pipe(Effect.provide(environment))
  )

  it.effect("still-valid tokens are served; a refresh that needs the lock fails with Storage, a sign-in too", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const broken = { value: false }
      const auth = yield* brokenLockContext(broken)
      yield* auth.signIn({ username: "alice", password })
      const before = yield* refreshes
      broken.value = true
      // Inside the refresh window: the valid tokens at once; the background refresh cannot take the lock.
      yield* TestClock.adjust("58 minutes")
      yield* auth.getTokens()
      yield* settle
      assert.strictEqual((yield* refreshes) - before, 0)
      yield* expectReason(auth.getTokens({ forceRefresh: true }), "Storage")
      yield* TestClock.adjust("3 minutes")
      yield* expectReason(auth.getTokens(), "Storage")
      assert.strictEqual((yield* refreshes) - before, 0)
      assert.strictEqual(yield* auth.userState, "SignedIn")
      // Once the lock works again, the next call refreshes.
      broken.value = false
      yield* auth.getTokens()
      assert.strictEqual((yield* refreshes) - before, 1)
    }).pipe(Effect.provide(environment))
  )
})
