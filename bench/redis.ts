/**
 * Benchmark: sessions in Redis (`NodeAuth` with `store: { _tag: "Redis" }`) against the
 * memory and file stores, and one refresh across processes.
 *
 *   npx tsx bench/redis.ts            (BENCH_SCALE=0.001 for a quick run)
 *
 * A `redis-server` (Debian's package, on PATH) is started on a free loopback port and the
 * local Cognito (`@effect-cognito/node/LocalCognito`) in this process; nothing else is
 * touched.
 *
 * - `getTokens` on a valid session, calls per second inside one `Effect`, best of
 *   {@link rounds} rounds after a warm-up, per store: the hot path reads memory only, so the
 *   store should not show.
 * - The store's read of a session (what a restore and each refresh under the lock cost),
 *   sequential reads per second, per store (Redis in clear and encrypted).
 * - Four processes (`packages/node/test/fixtures/redisWorker.ts`) on one Redis, 250
 *   concurrent `getTokens` each on an expired session with refresh-token rotation on: the
 *   time until all 1000 calls returned, the refresh requests Cognito received (1 is right)
 *   and the distinct tokens the callers got (1 is right).
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Auth from "@effect-cognito/core/Auth"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import * as NodeAuth from "@effect-cognito/node/NodeAuth"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as RedisServer from "../packages/node/test/redisServer.js"
import * as Workers from "../packages/node/test/redisWorkers.js"
import { table } from "./tokens.js"

/** Scales every call count (`BENCH_SCALE`, default 1). */
const scale = Number(process.env.BENCH_SCALE ?? 1)
const scaled = (count: number) => Math.max(10, Math.round(count * scale))
/** Rounds of each throughput measurement; the best is reported. */
const rounds = 3
const processes = 4
const callsPerProcess = 250

const password = Redacted.make("Abc@123!x")
const encryptionKey = Redacted.make(Uint8Array.from({ length: 32 }, (_, i) => i))

const rate = (n: number) => Math.round(n).toLocaleString("en-US")

/** Calls per second of `calls` runs of `effect` in one `Effect`, best of {@link rounds} after a warm-up. */
const throughput = <A, E>(effect: Effect.Effect<A, E>, calls: number) =>
  Effect.gen(function* () {
    for (let i = 0; i < Math.min(calls, 1000); i++) yield* effect
    let best = 0
    for (let round = 0; round < rounds; round++) {
      const start = performance.now()
      for (let i = 0; i < calls; i++) yield* effect
      best = Math.max(best, calls / ((performance.now() - start) / 1000))
    }
    return best
  })

/** A user signed in through a store, its `Auth` and its store, for the scope. */
const signedIn = (
  local: LocalCognito.LocalCognito.Service,
  username: string,
  store: NodeAuth.Options["store"]
): Effect.Effect<
  { readonly auth: Auth.Auth.Service; readonly store: TokenStore.TokenStore.Service },
  unknown,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const pool = yield* local.pool(local.defaultPool.userPoolId)
    yield* pool.adminCreateUser({ username, messageAction: "SUPPRESS" })
    yield* pool.adminSetUserPassword(username, password, { permanent: true })
    const config = { ...local.config, identityPoolId: undefined, refreshTokenRotation: true }
    const context = yield* Layer.build(NodeAuth.layer(config, { store, sessionKey: username }))
    const auth = Context.get(context, Auth.Auth)
    yield* auth.signIn({ username, password })
    return { auth, store: Context.get(context, TokenStore.TokenStore) }
  })

/** Four processes on an expired session, 250 concurrent getTokens each: time, refreshes, distinct tokens. */
const burst = (local: LocalCognito.LocalCognito.Service, redisUrl: string) =>
  Effect.gen(function* () {
    const bundled = yield* Effect.promise(() => Workers.bundle())
    yield* Effect.addFinalizer(() => Effect.promise(() => rm(bundled.directory, { recursive: true, force: true })))
    const prefix = "burst:"
    const { store } = yield* signedIn(local, "burst", { _tag: "Redis", url: redisUrl, prefix })
    // Stored as if this machine's clock were two hours behind Cognito's: expired for every process that reads it.
    const session = Option.getOrThrow(yield* store.load)
    yield* store.save(new TokenStore.Session({ ...session, clockSkewMillis: 2 * 60 * 60 * 1000 }))

    const workers = yield* Effect.forEach(
      Array.from({ length: processes }, (_, i) => i),
      () =>
        Workers.start(bundled.file, {
          COGNITO_USER_POOL_ID: local.defaultPool.userPoolId,
          COGNITO_CLIENT_ID: local.defaultPool.clientId,
          COGNITO_REGION: local.defaultPool.region,
          COGNITO_ENDPOINT: local.endpoint,
          REDIS_URL: redisUrl
        }),
      { concurrency: "unbounded" }
    )
    for (const worker of workers) yield* worker.request({ op: "open", session: "burst", prefix })
    const pool = yield* local.pool(local.defaultPool.userPoolId)
    const before = yield* pool.requestCount("GetTokensFromRefreshToken")
    const start = performance.now()
    const pending = yield* Effect.forEach(workers, (worker) =>
      worker.send({ op: "burst", n: callsPerProcess, session: "burst", prefix })
    )
    const replies = yield* Effect.all(pending, { concurrency: "unbounded" })
    const millis = performance.now() - start
    const digests = new Set(replies.flatMap((reply) => (reply.digests as ReadonlyArray<string> | undefined) ?? []))
    const failed = replies.reduce(
      (n, reply) => n + ((reply.reasons as ReadonlyArray<string> | undefined)?.length ?? callsPerProcess),
      0
    )
    return {
      millis,
      refreshes: (yield* pool.requestCount("GetTokensFromRefreshToken")) - before,
      distinct: digests.size,
      failed
    }
  })

/** Runs the benchmark and prints the tables. */
export const runRedisBench = async () => {
  console.log("Sessions in Redis: getTokens and the store's reads, against the memory and file stores")
  console.log(
    `redis-server on loopback, the local Cognito in process; throughput is the best of ${rounds} rounds after a warm-up\n`
  )
  const program = Effect.gen(function* () {
    const server = yield* RedisServer.start()
    const local = yield* LocalCognito.make()
    const directory = yield* Effect.acquireRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "effect-cognito-bench-"))),
      (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
    )
    const stores: ReadonlyArray<readonly [string, NodeAuth.Options["store"]]> = [
      ["memory", { _tag: "Memory" }],
      ["file", { _tag: "FileSystem", directory }],
      ["Redis", { _tag: "Redis", url: server.url, prefix: "plain:" }],
      [
        "Redis, encrypted",
        { _tag: "Redis", url: server.url, prefix: "sealed:", encryptionKeys: [{ id: "k1", key: encryptionKey }] }
      ]
    ]
    const rows: Array<ReadonlyArray<string>> = []
    for (const [index, [name, store]] of stores.entries()) {
      const { auth, store: tokens } = yield* signedIn(local, `user${index}`, store)
      const hot = yield* throughput(auth.getTokens(), scaled(200_000))
      const reads = yield* throughput(tokens.load, scaled(5_000))
      rows.push([name, rate(hot), rate(reads)])
    }
    table(["store", "getTokens calls/s (valid tokens)", "session reads/s (store.load)"], rows)

    const result = yield* burst(local, server.url)
    console.log(
      `\nRedis burst: ${processes} processes x ${callsPerProcess} concurrent getTokens on an expired session, refresh-token rotation on\n`
    )
    table(
      ["processes x calls", "time", "refresh requests", "distinct tokens", "failed"],
      [
        [
          `${processes} x ${callsPerProcess}`,
          `${result.millis.toFixed(0)} ms`,
          String(result.refreshes),
          String(result.distinct),
          String(result.failed)
        ]
      ]
    )
    const met = result.refreshes === 1 && result.distinct === 1 && result.failed === 0
    console.log(
      `\n  exactly 1 refresh across ${processes} processes: refreshes ${result.refreshes}, distinct tokens ${result.distinct}, failed ${result.failed} (${met ? "met" : "NOT MET"})`
    )
    return met
  })
  return Effect.runPromise(Effect.scoped(program))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runRedisBench().catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
}
