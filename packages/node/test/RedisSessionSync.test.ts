/**
 * `RedisSessionSync` against a real `redis-server` on a loopback port, in one process:
 * each instance has its own connection, as separate processes have. The lock (one holder,
 * renewed while held, expiring when its holder is gone, never released by another, a
 * bounded wait), the events (to the other instances of the same session only, no token
 * in them, one subscription per process), and `Auth` instances over one Redis refreshing
 * once between them.
 */
import type * as Auth from "@effect-cognito/core/Auth"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import type * as SessionSync from "@effect-cognito/core/SessionSync"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import { NodeAuth, NodeSrpMath } from "@effect-cognito/node"
import * as RedisSessionSync from "@effect-cognito/node/RedisSessionSync"
import * as RedisTokenStore from "@effect-cognito/node/RedisTokenStore"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redis from "effect/persistence/Redis"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as ForFile from "./redisForFile.js"
import * as RedisServer from "./redisServer.js"

const server = ForFile.server()

const config: AuthConfig.Input = { region: "us-east-1", userPoolId: "us-east-1_Sync1", clientId: "syncclient" }
const password = Redacted.make("Abc@123!x")

let prefixes = 0
const freshPrefix = () => `s${++prefixes}-${Date.now()}:`

const connect = Effect.suspend(() => RedisServer.connect(server())).pipe(Effect.orDie)

/** A sync over `redis` (a new connection by default) for the test pool's app client. */
const syncWith = (options: RedisSessionSync.Options, redis?: Redis.Redis["Service"]) =>
  Effect.gen(function* () {
    const client = redis ?? (yield* connect)
    return yield* RedisSessionSync.make(options).pipe(
      Effect.provideService(Redis.Redis, client),
      Effect.provide(AuthConfig.layer(config))
    )
  })

const lockKey = (prefix: string, sessionKey?: string) =>
  `${prefix}effect-cognito.us-east-1_Sync1.syncclient${sessionKey === undefined ? "" : `.${sessionKey}`}.lock`

/** Takes the next `count` events of a sync, waiting at most `millis` for them (an upper bound, never asserted). */
const nextEvents = (sync: SessionSync.SessionSync.Service, count: number, millis = 5_000) =>
  Stream.runCollect(Stream.take(sync.events, count)).pipe(
    Effect.map((events) => Array.from(events, (event) => event._tag)),
    Effect.timeoutOption(millis),
    Effect.map(Option.getOrUndefined)
  )

describe("RedisSessionSync: the lock", () => {
  it.live("lets one holder in at a time: another waits, and past lockTimeout fails with Storage without running", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const first = yield* syncWith({ prefix })
      const second = yield* syncWith({ prefix, lockTimeout: "300 millis" })
      const entered = yield* Deferred.make<void>()
      const leave = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(
        first.withLock(Effect.andThen(Deferred.succeed(entered, undefined), Deferred.await(leave)))
      )
      yield* Deferred.await(entered)
      let ran = false
      const error = yield* Effect.flip(second.withLock(Effect.sync(() => (ran = true))))
      assert.strictEqual(error.reason, "Storage")
      assert.include(error.message, "held the session lock for longer than 300 ms")
      assert.isFalse(ran)
      yield* Deferred.succeed(leave, undefined)
      yield* Fiber.join(holder)
      // Released: the next one gets it at once.
      assert.strictEqual(yield* second.withLock(Effect.succeed("in")), "in")
      assert.isNull(yield* Effect.orDie((yield* connect).send<string | null>("GET", lockKey(prefix))))
    })
  )

  it.live("is renewed while held: a holder slower than the lock's time to live keeps it", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const first = yield* syncWith({ prefix, lockTimeToLive: "150 millis" })
      // Waits four times the lock's life: without renewal it would get in.
      const second = yield* syncWith({ prefix, lockTimeToLive: "150 millis", lockTimeout: "600 millis" })
      const entered = yield* Deferred.make<void>()
      const leave = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(
        first.withLock(Effect.andThen(Deferred.succeed(entered, undefined), Deferred.await(leave)))
      )
      yield* Deferred.await(entered)
      const error = yield* Effect.flip(second.withLock(Effect.void))
      assert.strictEqual(error.reason, "Storage")
      yield* Deferred.succeed(leave, undefined)
      yield* Fiber.join(holder)
    })
  )

  it.live("expires by itself when its holder is gone: the next holder gets it after the time to live", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const redis = yield* connect
      // A holder that died: its lock stays until its time to live runs out.
      yield* Effect.orDie(redis.send("SET", lockKey(prefix), "a-dead-holder", "PX", "300"))
      const next = yield* syncWith({ prefix, lockTimeout: "5 seconds" }, redis)
      assert.strictEqual(yield* next.withLock(Effect.succeed("in")), "in")
    })
  )

  it.live("never releases a lock another holder took after its own expired", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const redis = yield* connect
      const sync = yield* syncWith({ prefix }, redis)
      // While it runs, its lock is lost and taken by someone else.
      yield* sync.withLock(Effect.orDie(redis.send("SET", lockKey(prefix), "someone-else", "PX", "5000")))
      assert.strictEqual(yield* Effect.orDie(redis.send<string | null>("GET", lockKey(prefix))), "someone-else")
    })
  )

  it.live("is one per session key: different end users never wait for each other", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const alice = yield* syncWith({ prefix, sessionKey: "alice" })
      const bob = yield* syncWith({ prefix, sessionKey: "bob", lockTimeout: "200 millis" })
      const result = yield* alice.withLock(bob.withLock(Effect.succeed("both")))
      assert.strictEqual(result, "both")
    })
  )
})

describe("RedisSessionSync: the events", () => {
  it.live("reach the other instances of the same session, never the sender nor other sessions; no token in them", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const redis = yield* connect
      // Three syncs on one connection (one process): one subscription feeds them all.
      const alice1 = yield* syncWith({ prefix, sessionKey: "alice" }, redis)
      const alice2 = yield* syncWith({ prefix, sessionKey: "alice" }, redis)
      const bob = yield* syncWith({ prefix, sessionKey: "bob" }, redis)
      // And one in another process.
      const remote = yield* syncWith({ prefix, sessionKey: "alice" })
      const raw = yield* (yield* connect).subscribe(`${prefix}effect-cognito.us-east-1_Sync1.syncclient.events`)

      yield* alice1.publish({ _tag: "Refreshed" })
      assert.deepStrictEqual(yield* nextEvents(alice2, 1), ["Refreshed"])
      assert.deepStrictEqual(yield* nextEvents(remote, 1), ["Refreshed"])
      // The one subscription handed the message to every listener at once: the sender and bob got nothing.
      const message = yield* Queue.take(raw)
      assert.deepStrictEqual(JSON.parse(message.message), {
        v: 1,
        s: "effect-cognito.us-east-1_Sync1.syncclient.alice",
        o: (JSON.parse(message.message) as { o: string }).o,
        e: "Refreshed"
      })
      yield* remote.publish({ _tag: "SignedOut" })
      assert.deepStrictEqual(yield* nextEvents(alice1, 1), ["SignedOut"])
      assert.deepStrictEqual(yield* nextEvents(alice2, 1), ["SignedOut"])
      assert.isUndefined(yield* nextEvents(remote, 1, 300))
      assert.isUndefined(yield* nextEvents(bob, 1, 300))
    })
  )

  it.live("keep one subscription per process however many sessions listen, and ignore what is not an event", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const redis = yield* connect
      const channel = `${prefix}effect-cognito.us-east-1_Sync1.syncclient.events`
      const syncs = yield* Effect.forEach(
        Array.from({ length: 20 }, (_, i) => `user-${i}`),
        (sessionKey) => syncWith({ prefix, sessionKey }, redis)
      )
      const count = yield* Effect.orDie(redis.send<ReadonlyArray<string | number>>("PUBSUB", "NUMSUB", channel))
      assert.strictEqual(Number(count[1]), 1)
      const target = syncs[3]!
      for (const junk of [
        "not json",
        JSON.stringify({ v: 1, s: "effect-cognito.us-east-1_Sync1.syncclient.user-3", o: "x", e: "Stolen" }),
        JSON.stringify({ v: 2, s: "effect-cognito.us-east-1_Sync1.syncclient.user-3", o: "x", e: "SignedOut" }),
        "[".repeat(1000)
      ])
        yield* Effect.orDie(redis.send("PUBLISH", channel, junk))
      yield* Effect.orDie(
        redis.send(
          "PUBLISH",
          channel,
          JSON.stringify({ v: 1, s: "effect-cognito.us-east-1_Sync1.syncclient.user-3", o: "x", e: "Expired" })
        )
      )
      assert.deepStrictEqual(yield* nextEvents(target, 1), ["Expired"])
    })
  )
})

/** The pool (refresh-token rotation on: GetTokensFromRefreshToken, the old refresh token revoked) and its services. */
const pool = Layer.build(
  Layer.mergeAll(SecureRandom.layerSeeded(5), NodeSrpMath.layer).pipe(
    Layer.provideMerge(
      TestCognito.layerCognito({ ...config, seed: 5, config: { refreshTokenRotation: true }, identityPool: false })
    )
  )
)

type PoolContext = Effect.Success<typeof pool>

/** An instance of the service: its own Redis connection, and an `Auth` for the session key over it. */
const instance = (context: PoolContext, store: NodeAuth.RedisStore, sessionKey = "user-1") =>
  Effect.gen(function* () {
    const redis = yield* connect
    return yield* NodeAuth.makeSession({ sessionKey, store }).pipe(
      Effect.provideService(Redis.Redis, redis),
      Effect.provide(context)
    )
  })

/** Waits (at most `millis`, an upper bound never asserted) for `auth` to reach `state`. */
const reaches = (auth: Auth.Auth.Service, state: Auth.UserState, millis = 5_000) =>
  Effect.flatMap(auth.userState, (now) =>
    now === state
      ? Effect.succeed(true)
      : Stream.runHead(Stream.filter(auth.userStateChanges, (s) => s === state)).pipe(
          Effect.timeoutOption(millis),
          Effect.map(Option.isSome)
        )
  )

/** Rewrites the stored session as if the device clock were two hours behind Cognito's: its tokens have expired. */
const expireStored = (context: PoolContext, store: NodeAuth.RedisStore, sessionKey = "user-1") =>
  Effect.gen(function* () {
    const redis = yield* connect
    const tokens = yield* RedisTokenStore.make({ ...store, sessionKey }).pipe(
      Effect.provideService(Redis.Redis, redis),
      Effect.provide(context)
    )
    const session = Option.getOrThrow(yield* tokens.load)
    yield* tokens.save(new TokenStore.Session({ ...session, clockSkewMillis: 2 * 60 * 60 * 1000 }))
  })

describe("RedisSessionSync: Auth instances over one Redis", () => {
  it.live(
    "four instances with expired tokens, 50 calls each, refresh once with rotation on and agree on the tokens",
    () =>
      Effect.gen(function* () {
        const context = yield* pool
        const cognito = Context.get(context, TestCognito.TestCognito)
        const store: NodeAuth.RedisStore = { _tag: "Redis", prefix: freshPrefix() }
        yield* cognito.adminCreateUser({ username: "alice", messageAction: "SUPPRESS" })
        yield* cognito.adminSetUserPassword("alice", password, { permanent: true })
        const signer = yield* instance(context, store)
        yield* signer.signIn({ username: "alice", password })
        yield* expireStored(context, store)
        const instances = yield* Effect.forEach([1, 2, 3, 4], () => instance(context, store))
        const before = yield* cognito.requestCount("GetTokensFromRefreshToken")
        const all = yield* Effect.forEach(
          instances.flatMap((auth) => Array.from({ length: 50 }, () => auth.getTokens())),
          (call) => call,
          { concurrency: "unbounded" }
        )
        assert.strictEqual((yield* cognito.requestCount("GetTokensFromRefreshToken")) - before, 1)
        assert.strictEqual(new Set(all.map((t) => Redacted.value(t.accessToken))).size, 1)
        // The instance that signed in follows the refresh too.
        const followed = yield* signer.getTokens()
        assert.strictEqual(Redacted.value(followed.accessToken), Redacted.value(all[0]!.accessToken))
      })
  )

  it.live("a sign-in in one instance signs the others in; a sign-out signs them out and their getTokens fail", () =>
    Effect.gen(function* () {
      const context = yield* pool
      const cognito = Context.get(context, TestCognito.TestCognito)
      const store: NodeAuth.RedisStore = { _tag: "Redis", prefix: freshPrefix() }
      yield* cognito.adminCreateUser({ username: "bob", messageAction: "SUPPRESS" })
      yield* cognito.adminSetUserPassword("bob", password, { permanent: true })
      const [first, second, third] = yield* Effect.forEach([1, 2, 3], () => instance(context, store, "bob"))
      yield* first!.signIn({ username: "bob", password })
      assert.isTrue(yield* reaches(second!, "SignedIn"))
      assert.isTrue(yield* reaches(third!, "SignedIn"))
      yield* second!.signOut()
      assert.isTrue(yield* reaches(first!, "SignedOut"))
      assert.isTrue(yield* reaches(third!, "SignedOut"))
      const error = yield* Effect.flip(first!.getTokens())
      assert.strictEqual(error.reason, "NotSignedIn")
    })
  )
})
