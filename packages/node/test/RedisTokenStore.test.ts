/**
 * `RedisTokenStore` against a real `redis-server` on a loopback port: the conformance
 * suite (in clear and encrypted), where records live and when they expire, what
 * `redis-cli` shows of them with an encryption key set, key rotation, records that cannot
 * be opened, options checked when the store is built, and a Redis that does not answer.
 */
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as AuthError from "@effect-cognito/core/AuthError"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import * as RedisTokenStore from "@effect-cognito/node/RedisTokenStore"
import * as TokenStoreSuite from "@effect-cognito/test-kit/TokenStoreSuite"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redis from "effect/persistence/Redis"
import * as Redacted from "effect/Redacted"
import * as ForFile from "./redisForFile.js"
import * as RedisServer from "./redisServer.js"

const server = ForFile.server()

const config: AuthConfig.Input = { region: "us-east-1", userPoolId: "us-east-1_Redis1", clientId: "redisclient" }

/** 32 bytes, distinct per seed. */
const keyBytes = (seed: number) => Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + seed) & 0xff)
const keyOf = (id: string, seed: number): RedisTokenStore.EncryptionKey => ({ id, key: Redacted.make(keyBytes(seed)) })

/** A prefix no other test uses, so each starts with an empty store. */
let prefixes = 0
const freshPrefix = () => `t${++prefixes}-${Date.now()}:`

const connect = Effect.suspend(() => RedisServer.connect(server())).pipe(Effect.orDie)

/** A store and its primitives over `redis` (a new connection by default). */
const storeWith = (options: RedisTokenStore.Options, redis?: Redis.Redis["Service"]) =>
  Effect.gen(function* () {
    const client = redis ?? (yield* connect)
    const validated = yield* Effect.provide(
      Effect.gen(function* () {
        return yield* AuthConfig.AuthConfig
      }),
      AuthConfig.layer(config)
    )
    const backing = yield* Effect.provideService(RedisTokenStore.makeBacking(options), Redis.Redis, client)
    const key = TokenStore.keyFor(validated, options.sessionKey)
    return { store: TokenStore.make(backing, key), backing, key, redis: client }
  })

/** Runs `effect` with a logger that keeps the lines; returns its result and the lines. */
const logged = <A, E, R>(effect: Effect.Effect<A, E, R>) => {
  const lines: Array<string> = []
  const logger = Logger.map(Logger.formatLogFmt, (line) => {
    lines.push(line)
  })
  return Effect.map(Effect.provide(effect, Logger.layer([logger])), (result) => ({ result, lines }))
}

const get = (redis: Redis.Redis["Service"], key: string) => Effect.orDie(redis.send<string | null>("GET", key))

TokenStoreSuite.run(
  "RedisTokenStore (in clear)",
  Effect.map(storeWith({ prefix: freshPrefix() }), ({ store, backing }) => ({
    store,
    raw: { get: backing.get, set: backing.set }
  }))
)

TokenStoreSuite.run(
  "RedisTokenStore (encrypted)",
  Effect.map(storeWith({ prefix: freshPrefix(), encryptionKeys: [keyOf("k1", 1)] }), ({ store, backing }) => ({
    store,
    raw: { get: backing.get, set: backing.set }
  }))
)

/** A session whose every secret is a distinctive string, to search raw values for. */
const secretSession = new TokenStore.Session({
  username: "alice",
  idToken: Redacted.make("SECRET-ID-TOKEN-4f1c"),
  accessToken: Redacted.make("SECRET-ACCESS-TOKEN-9b2e"),
  refreshToken: Redacted.make("SECRET-REFRESH-TOKEN-7d3a"),
  clockSkewMillis: 0
})
const federation = new TokenStore.Federation({
  provider: "accounts.google.com",
  token: Redacted.make("SECRET-FEDERATED-TOKEN-2c8b"),
  identityId: "us-east-1:00000000-0000-4000-8000-0000000000cc"
})
/** A record of a kind the store does not know (a remembered device, say): the primitives keep it like any other. */
const deviceRecord = JSON.stringify({ version: 1, device: { key: "dev-1", password: "SECRET-DEVICE-PASSWORD-5e6f" } })
const secrets = [
  "SECRET-ID-TOKEN-4f1c",
  "SECRET-ACCESS-TOKEN-9b2e",
  "SECRET-REFRESH-TOKEN-7d3a",
  "SECRET-FEDERATED-TOKEN-2c8b",
  "SECRET-DEVICE-PASSWORD-5e6f"
]

describe("RedisTokenStore", () => {
  it.live("keeps each record under the prefix, the app client and the session key, expiring after timeToLive", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const { store, redis } = yield* storeWith({ prefix, sessionKey: "user-42", timeToLive: "1 hour" })
      yield* store.save(TokenStoreSuite.sampleSession(1))
      yield* store.saveGuestIdentityId("us-east-1:00000000-0000-4000-8000-0000000000aa")
      const keys = (yield* server().cli("--scan", "--pattern", `${prefix}*`)).trim().split("\n").sort()
      const base = `${prefix}effect-cognito.us-east-1_Redis1.redisclient.user-42`
      assert.deepStrictEqual(keys, [`${base}.session`, `${base}.session.guest`])
      for (const key of keys) {
        const ttl = yield* Effect.orDie(redis.send<number>("PTTL", key))
        assert.isTrue(ttl > 59 * 60 * 1000 && ttl <= 60 * 60 * 1000, `PTTL of ${key}: ${ttl}`)
      }
      // By default, Cognito's default refresh-token lifetime: 30 days.
      const otherPrefix = freshPrefix()
      const defaults = yield* storeWith({ prefix: otherPrefix }, redis)
      yield* defaults.store.save(TokenStoreSuite.sampleSession(2))
      const ttl = yield* Effect.orDie(redis.send<number>("PTTL", otherPrefix + defaults.key))
      assert.isTrue(ttl > 29.9 * 24 * 3600 * 1000 && ttl <= 30 * 24 * 3600 * 1000, `default PTTL: ${ttl}`)
    })
  )

  it.live("with an encryption key, redis-cli --scan and GET show no token, code or device password in clear", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const { store, backing, key } = yield* storeWith({
        prefix,
        sessionKey: "user-7",
        encryptionKeys: [keyOf("k1", 1)]
      })
      yield* store.save(secretSession)
      yield* store.saveFederation(federation)
      yield* backing.set(`${key}.device`, deviceRecord)
      const cli = server().cli
      const keys = (yield* cli("--scan", "--pattern", `${prefix}*`)).trim().split("\n").sort()
      assert.lengthOf(keys, 3)
      for (const secret of secrets) assert.notInclude(keys.join("\n"), secret)
      for (const stored of keys) {
        const raw = yield* cli("GET", stored)
        assert.match(raw, /^ec1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\n$/, stored)
        for (const secret of secrets) assert.notInclude(raw, secret, `${stored} holds a secret in clear`)
        // Not even base64-encoded.
        for (const secret of secrets) assert.notInclude(raw, Buffer.from(secret).toString("base64url").slice(0, 12))
      }
      // And the store reads every record back.
      const loaded = yield* store.load
      assert.isTrue(Option.isSome(loaded))
      assert.strictEqual(Redacted.value(Option.getOrThrow(loaded).refreshToken), "SECRET-REFRESH-TOKEN-7d3a")
      assert.strictEqual(Option.getOrThrow(yield* backing.get(`${key}.device`)), deviceRecord)
    })
  )

  it.live("reads a record sealed under a retired key while that key is configured; writes under the first key", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const redis = yield* connect
      const before = yield* storeWith({ prefix, encryptionKeys: [keyOf("old", 1)] }, redis)
      yield* before.store.save(secretSession)
      assert.match(Option.getOrThrow(Option.fromNullishOr(yield* get(redis, prefix + before.key))), /^ec1\.old\./)

      const rotated = yield* storeWith({ prefix, encryptionKeys: [keyOf("new", 2), keyOf("old", 1)] }, redis)
      const loaded = yield* rotated.store.load
      assert.strictEqual(Redacted.value(Option.getOrThrow(loaded).accessToken), "SECRET-ACCESS-TOKEN-9b2e")
      yield* rotated.store.save(secretSession)
      assert.match(Option.getOrThrow(Option.fromNullishOr(yield* get(redis, prefix + rotated.key))), /^ec1\.new\./)

      const retired = yield* storeWith({ prefix, encryptionKeys: [keyOf("new", 2)] }, redis)
      assert.isTrue(Option.isSome(yield* retired.store.load))
    })
  )

  it.live("drops a record sealed under a key no longer configured, and logs it without its content", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const redis = yield* connect
      const old = yield* storeWith({ prefix, encryptionKeys: [keyOf("old", 1)] }, redis)
      yield* old.store.save(secretSession)
      const current = yield* storeWith({ prefix, encryptionKeys: [keyOf("new", 2)] }, redis)
      const { result, lines } = yield* logged(current.store.load)
      assert.isTrue(Option.isNone(result))
      assert.isNull(yield* get(redis, prefix + current.key), "the record is not removed")
      const log = lines.join("\n")
      assert.include(log, "cannot be opened")
      assert.include(log, 'key id \\"old\\", which is not configured')
      for (const secret of secrets) assert.notInclude(log, secret)
      assert.notInclude(log, "ec1.old.")
    })
  )

  it.live("drops a record moved under another session's key, or altered, and logs why", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const redis = yield* connect
      const keys = [keyOf("k1", 1)]
      const alice = yield* storeWith({ prefix, sessionKey: "alice", encryptionKeys: keys }, redis)
      const mallory = yield* storeWith({ prefix, sessionKey: "mallory", encryptionKeys: keys }, redis)
      yield* alice.store.save(secretSession)
      const sealed = Option.getOrThrow(Option.fromNullishOr(yield* get(redis, prefix + alice.key)))
      // Copied under another user's key, it does not open: a user cannot be given another's session.
      yield* Effect.orDie(redis.send("SET", prefix + mallory.key, sealed))
      const moved = yield* logged(mallory.store.load)
      assert.isTrue(Option.isNone(moved.result))
      assert.include(moved.lines.join("\n"), "does not decrypt")
      assert.isNull(yield* get(redis, prefix + mallory.key))
      // One character of the ciphertext changed: the second to last, since the last one of
      // unpadded base64url may carry only padding bits, which decode to the same bytes.
      const changed = sealed.at(-2) === "A" ? "B" : "A"
      yield* Effect.orDie(redis.send("SET", prefix + alice.key, `${sealed.slice(0, -2)}${changed}${sealed.at(-1)}`))
      const altered = yield* logged(alice.store.load)
      assert.isTrue(Option.isNone(altered.result))
      assert.include(altered.lines.join("\n"), "does not decrypt")
      assert.isNull(yield* get(redis, prefix + alice.key))
    })
  )

  it.live("with encryption on, drops a record in clear; without a key, drops an encrypted one", () =>
    Effect.gen(function* () {
      const prefix = freshPrefix()
      const redis = yield* connect
      const clear = yield* storeWith({ prefix }, redis)
      yield* clear.store.save(secretSession)
      const encrypted = yield* storeWith({ prefix, encryptionKeys: [keyOf("k1", 1)] }, redis)
      const planted = yield* logged(encrypted.store.load)
      assert.isTrue(Option.isNone(planted.result))
      assert.include(planted.lines.join("\n"), "it is not encrypted")
      assert.isNull(yield* get(redis, prefix + encrypted.key))

      yield* encrypted.store.save(secretSession)
      const keyless = yield* logged(clear.store.load)
      assert.isTrue(Option.isNone(keyless.result))
      assert.include(keyless.lines.join("\n"), "no encryption key is configured")
      assert.isNull(yield* get(redis, prefix + clear.key))
    })
  )

  it.live("checks its options when built: InvalidConfig naming the option, never showing a key", () =>
    Effect.gen(function* () {
      const redis = yield* connect
      const shortKey = "c2hvcnQta2V5LXNob3duLW5ldmVy"
      const cases: ReadonlyArray<readonly [RedisTokenStore.Options, string]> = [
        [{ encryptionKeys: [{ id: "k1", key: Redacted.make(shortKey) }] }, "encryptionKeys[0].key"],
        [{ encryptionKeys: [keyOf("k1", 1), keyOf("k1", 2)] }, "encryptionKeys[1].id"],
        [{ encryptionKeys: [keyOf("k.1", 1)] }, "encryptionKeys[0].id"],
        [{ timeToLive: 0 }, "timeToLive"],
        [{ timeout: "-1 second" }, "timeout"],
        [{ prefix: "has space:" }, "prefix"],
        [{ sessionKey: "alice@example.com" }, "sessionKey"]
      ]
      for (const [options, field] of cases) {
        const error = yield* Effect.flip(
          RedisTokenStore.make(options).pipe(
            Effect.provideService(Redis.Redis, redis),
            Effect.provide(AuthConfig.layer(config))
          )
        )
        assert.strictEqual(error.reason, "InvalidConfig", String(error))
        assert.include(error.message, field)
        assert.notInclude(String(error), shortKey)
        assert.notInclude(JSON.stringify(error), shortKey)
      }
    })
  )

  it.effect(
    "parses keys written as <id>:<base64>, the first sealing; a malformed entry names its place, not its key",
    () =>
      Effect.gen(function* () {
        const k2 = Buffer.from(keyBytes(2)).toString("base64")
        const k1 = Buffer.from(keyBytes(1)).toString("base64url")
        const keys = yield* RedisTokenStore.parseEncryptionKeys(Redacted.make(` k2:${k2} , k1:${k1}`))
        assert.deepStrictEqual(
          keys.map((k) => k.id),
          ["k2", "k1"]
        )
        assert.strictEqual(String(keys[0]?.key), "<redacted>")
        const secret = "bm90LWEta2V5LWF0LWFsbA"
        for (const text of [`k1${secret}`, `k1:${secret}`]) {
          const error = yield* Effect.flip(RedisTokenStore.parseEncryptionKeys(Redacted.make(text)))
          assert.strictEqual(error.reason, "InvalidConfig")
          assert.notInclude(String(error), secret)
        }
      })
  )

  it.live("a Redis that does not answer fails each operation with Storage once the timeout passes", () =>
    Effect.gen(function* () {
      const { store } = yield* storeWith({ prefix: freshPrefix(), timeout: "200 millis" })
      yield* store.save(secretSession)
      // Redis holds every client's commands for a second.
      yield* server().cli("CLIENT", "PAUSE", "1000", "ALL")
      for (const effect of [store.load, store.save(secretSession), store.clear]) {
        const error = yield* Effect.flip(effect)
        assert.isTrue(AuthError.isAuthError(error))
        assert.strictEqual(error.reason, "Storage")
        assert.include(error.message, "did not answer within 200 ms")
      }
    })
  )
})
