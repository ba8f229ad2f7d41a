/**
 * Instances of a service in separate Node processes sharing one Redis, against the local
 * Cognito (in this process) with refresh-token rotation on: its `GetTokensFromRefreshToken`
 * issues a new refresh token and revokes the old one at once (no grace period), so a
 * second refresh with the old token would end the session. Each process is
 * `NodeAuth.layerConfig` with a Redis store, holding a session per session key as a
 * server does (`fixtures/redisWorker.ts`); four of them serve the whole file, each test
 * on a user and a key prefix of its own.
 *
 * Real time is used only as an upper bound on waiting for an event; no duration is asserted.
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import * as NodeAuth from "@effect-cognito/node/NodeAuth"
import * as RedisTokenStore from "@effect-cognito/node/RedisTokenStore"
import type * as TestCognito from "@effect-cognito/test-kit/TestCognito"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redis from "effect/persistence/Redis"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as CognitoHold from "./cognitoHold.js"
import * as ForFile from "./redisForFile.js"
import * as Workers from "./redisWorkers.js"

const server = ForFile.server()
const workerFile = ForFile.workerBundle()

const password = Redacted.make("Abc@123!x")
/** The records are encrypted: the processes read the key from EFFECT_COGNITO_ENCRYPTION_KEYS, this one from options. */
const keyBase64 = Buffer.from(Array.from({ length: 32 }, (_, i) => 255 - i)).toString("base64")
const encryptionKeys = [{ id: "k1", key: Redacted.make(keyBase64) }]

interface Shared {
  readonly local: LocalCognito.LocalCognito.Service
  readonly pool: TestCognito.TestCognito.Service
  readonly hold: CognitoHold.Hold
  readonly workers: ReadonlyArray<Workers.Worker>
}

/** The local Cognito (one action held when a test asks) and four worker processes, for the file. */
const setup = Effect.gen(function* () {
  const hold = CognitoHold.make()
  const local = yield* Effect.orDie(LocalCognito.make({ serveAction: hold.serveAction }))
  // Runs before the server stops, which waits for the requests it holds.
  yield* Effect.addFinalizer(() => hold.releaseAll)
  const pool = yield* Effect.orDie(local.pool(local.defaultPool.userPoolId))
  const env = {
    COGNITO_USER_POOL_ID: local.defaultPool.userPoolId,
    COGNITO_CLIENT_ID: local.defaultPool.clientId,
    COGNITO_REGION: local.defaultPool.region,
    COGNITO_ENDPOINT: local.endpoint,
    REDIS_URL: server().url,
    EFFECT_COGNITO_ENCRYPTION_KEYS: `k1:${keyBase64}`
  }
  const workers = yield* Effect.forEach([0, 1, 2, 3], () => Workers.start(workerFile(), env), {
    concurrency: "unbounded"
  }).pipe(Effect.orDie)
  return { local, pool, hold, workers } satisfies Shared
})

const scope = Scope.makeUnsafe()
let shared: Shared | undefined
beforeAll(async () => {
  shared = await Effect.runPromise(Scope.provide(setup, scope))
}, 60_000)
afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)), 30_000)
const env = Effect.sync(() => {
  if (shared === undefined) throw new Error("not set up")
  return shared
})

let prefixes = 0
const freshPrefix = () => `p${++prefixes}-${Date.now()}:`

/** A confirmed user, signed in here (this process is one more instance) with its session stored under `prefix`; with `expired`, rewritten as if the clock were two hours behind Cognito's, so every instance that restores it finds its tokens expired. */
const signedIn = (username: string, prefix: string, options: { readonly expired: boolean }) =>
  Effect.gen(function* () {
    const { local, pool } = yield* env
    yield* pool.adminCreateUser({ username, messageAction: "SUPPRESS" })
    yield* pool.adminSetUserPassword(username, password, { permanent: true })
    const store: NodeAuth.RedisStore = { _tag: "Redis", url: server().url, prefix, encryptionKeys }
    const context = yield* Layer.build(
      NodeAuth.layer(
        { ...local.config, identityPoolId: undefined, refreshTokenRotation: true },
        { store, sessionKey: username }
      )
    )
    const auth = Context.get(context, Auth.Auth)
    yield* auth.signIn({ username, password })
    if (options.expired) {
      const tokens = yield* RedisTokenStore.make({ prefix, sessionKey: username, encryptionKeys }).pipe(
        Effect.provideService(Redis.Redis, Context.get(context, Redis.Redis)),
        Effect.provideService(AuthConfig.AuthConfig, Context.get(context, AuthConfig.AuthConfig))
      )
      const session = Option.getOrThrow(yield* tokens.load)
      yield* tokens.save(new TokenStore.Session({ ...session, clockSkewMillis: 2 * 60 * 60 * 1000 }))
    }
    return auth
  }).pipe(Effect.orDie)

/** Whether `auth` reaches `state` within `millis` (an upper bound on the wait, never asserted as a duration). */
const reaches = (auth: Auth.Auth.Service, state: Auth.UserState, millis: number) =>
  auth.userState.pipe(
    Effect.repeat({ until: (now) => now === state, schedule: Schedule.spaced("10 millis") }),
    Effect.timeoutOption(millis),
    Effect.map(Option.isSome)
  )

const refreshes = Effect.flatMap(env, ({ pool }) => pool.requestCount("GetTokensFromRefreshToken"))

/** The Redis key of a session's record or lock. */
const redisKey = (prefix: string, username: string, suffix: "session" | "lock") =>
  Effect.map(
    env,
    ({ local }) =>
      `${prefix}effect-cognito.${local.defaultPool.userPoolId}.${local.defaultPool.clientId}.${username}.${suffix}`
  )

describe("Redis: instances in separate processes", () => {
  it.live(
    "four processes, 250 concurrent getTokens each on an expired session: one refresh reaches Cognito, 1000 identical tokens",
    () =>
      Effect.gen(function* () {
        const { pool, workers } = yield* env
        const prefix = freshPrefix()
        yield* signedIn("burst", prefix, { expired: true })
        const session = { session: "burst", prefix }
        for (const worker of workers) {
          const opened = yield* worker.request({ op: "open", ...session })
          assert.strictEqual(opened.state, "SignedIn", JSON.stringify(opened))
        }
        const before = yield* refreshes
        const initiateBefore = yield* pool.requestCount("InitiateAuth")

        const pending = yield* Effect.forEach(workers, (worker) => worker.send({ op: "burst", n: 250, ...session }))
        const replies = yield* Effect.all(pending, { concurrency: "unbounded" })

        const digests = new Set<string>()
        for (const reply of replies) {
          assert.isTrue(reply.ok, JSON.stringify(reply))
          assert.deepStrictEqual(reply.reasons, [], JSON.stringify(reply))
          assert.strictEqual(reply.succeeded, 250)
          for (const digest of reply.digests as ReadonlyArray<string>) digests.add(digest)
        }
        assert.strictEqual(digests.size, 1, `distinct tokens: ${[...digests].join(", ")}`)
        assert.strictEqual((yield* refreshes) - before, 1)
        assert.strictEqual((yield* pool.requestCount("InitiateAuth")) - initiateBefore, 0)
        // The refreshed session, as the processes stored it: sealed under the key their environment gave.
        assert.match(yield* server().cli("GET", yield* redisKey(prefix, "burst", "session")), /^ec1\.k1\./)
      }),
    30_000
  )

  it.live(
    "a sign-out in one process puts the others in SignedOut within a second; a refresh in flight elsewhere does not bring the session back",
    () =>
      Effect.gen(function* () {
        const { hold, pool, workers } = yield* env
        const [a, b, c, d] = workers
        const prefix = freshPrefix()
        const here = yield* signedIn("leaver", prefix, { expired: false })
        const session = { session: "leaver", prefix }
        for (const worker of [a!, b!, c!]) yield* worker.request({ op: "open", ...session })

        // B refreshes (holding the lock); Cognito has rotated its refresh token, its answer is held.
        const held = yield* hold.next("GetTokensFromRefreshToken", "answer")
        const refreshing = yield* b!.send({ op: "getTokens", force: true, ...session })
        yield* held.arrived
        // A signs out: it revokes the refresh token, then waits for the lock to clear the store.
        const revokes = yield* pool.requestCount("RevokeToken")
        const signingOut = yield* a!.send({ op: "signOut", ...session })
        yield* pool
          .requestCount("RevokeToken")
          .pipe(Effect.repeat({ until: (n) => n > revokes, schedule: Schedule.spaced("10 millis") }))
        // B's refresh completes now, after the sign-out began.
        yield* held.release
        const signedOut = yield* signingOut
        assert.isTrue(signedOut.ok, JSON.stringify(signedOut))
        // Within a second of A's sign-out returning, the others are signed out.
        assert.isTrue(yield* b!.reaches("leaver", "SignedOut", 1_000), JSON.stringify(yield* b!.states("leaver")))
        assert.isTrue(yield* c!.reaches("leaver", "SignedOut", 1_000), JSON.stringify(yield* c!.states("leaver")))
        assert.isTrue(yield* reaches(here, "SignedOut", 1_000))
        const refreshed = yield* refreshing
        assert.isTrue(refreshed.ok, JSON.stringify(refreshed))

        // The refresh did not bring the session back: not in B or C, not in the store, not in another process.
        for (const worker of [b!, c!]) {
          const reply = yield* worker.request({ op: "getTokens", ...session })
          assert.strictEqual(reply.reason, "NotSignedIn", JSON.stringify(reply))
        }
        assert.strictEqual((yield* server().cli("GET", yield* redisKey(prefix, "leaver", "session"))).trim(), "")
        const fresh = yield* d!.request({ op: "open", ...session })
        assert.strictEqual(fresh.state, "SignedOut")
      }),
    30_000
  )

  it.live(
    "the lock holder SIGKILLed in the middle of a refresh: another process refreshes once the lock expires, the session kept",
    () =>
      Effect.gen(function* () {
        const { hold, workers } = yield* env
        const [a, b, c] = workers
        const prefix = freshPrefix()
        yield* signedIn("survivor", prefix, { expired: true })
        const session = { session: "survivor", prefix, lockTtlMs: 1000, lockTimeoutMs: 15_000 }
        for (const worker of [a!, b!]) yield* worker.request({ op: "open", ...session })
        const before = yield* refreshes

        // A takes the lock and sends its refresh, which is held before Cognito serves it.
        const held = yield* hold.next("GetTokensFromRefreshToken", "request")
        yield* a!.send({ op: "getTokens", ...session })
        yield* held.arrived
        assert.notStrictEqual((yield* server().cli("GET", yield* redisKey(prefix, "survivor", "lock"))).trim(), "")
        // B needs tokens too: it waits for the lock. A dies holding it.
        const waiting = yield* b!.send({ op: "getTokens", ...session })
        yield* a!.kill("SIGKILL")

        const reply = yield* waiting
        assert.isTrue(reply.ok, JSON.stringify(reply))
        assert.strictEqual((yield* refreshes) - before, 1)
        // The session is kept: another process gets B's tokens, with no refresh.
        yield* c!.request({ op: "open", ...session })
        const again = yield* c!.request({ op: "getTokens", ...session })
        assert.isTrue(again.ok, JSON.stringify(again))
        assert.strictEqual(again.digest, reply.digest)
        assert.strictEqual((yield* refreshes) - before, 1)
      }),
    30_000
  )
})
