/**
 * A lock in Redis that one process at a time holds: `SET <key> <token> NX PX <ttl>` with a
 * random token, renewed while it is held (`PEXPIRE` only while the key still holds the
 * token), and released by a script that deletes it only while it still holds the token,
 * so a holder whose lock expired never releases the next holder's. A holder that dies
 * stops renewing, and the lock expires by itself after its time to live.
 *
 * Waiting is bounded: past `waitMillis` it fails with `Storage`, as does a Redis that
 * refuses or does not answer a command. Only when the app opts in
 * (`unlockedWhenUnreachable`) does an unreachable Redis let the effect run without it.
 *
 * @internal
 */
import * as AuthError from "@effect-cognito/core/AuthError"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redis from "effect/persistence/Redis"
import * as Commands from "./commands.js"

export interface Options {
  /** The lock's Redis key. */
  readonly key: string
  /** How long the lock lives without renewal; renewed every third of it. */
  readonly ttlMillis: number
  /** How long to wait for the lock before failing with `Storage`. */
  readonly waitMillis: number
  /** The bound of each command. */
  readonly timeoutMillis: number
  /** Run the effect without the lock when Redis cannot be reached (not when another process holds it). */
  readonly unlockedWhenUnreachable: boolean
}

const releaseScript = Redis.script((key: string, token: string) => [key, token], {
  lua: 'if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end',
  numberOfKeys: 1
}).withReturnType<number>()

const renewScript = Redis.script((key: string, token: string, ttlMillis: number) => [key, token, ttlMillis], {
  lua: 'if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end',
  numberOfKeys: 1
}).withReturnType<number>()

const method = "SessionSync.lock"

/** A token no other holder has: 128 random bits. */
const newToken = Effect.sync(() => {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")
})

/** How a wait for the lock ended without it. */
type Missed =
  | { readonly _tag: "Unreachable"; readonly error: AuthError.AuthError }
  | { readonly _tag: "TimedOut"; readonly error: AuthError.AuthError }

/** The lock's `withLock`. */
export const make = (redis: Redis.Redis["Service"], options: Options) => {
  const { key, ttlMillis, waitMillis, timeoutMillis } = options
  const run = <A>(operation: string, effect: Effect.Effect<A, Redis.RedisError>) =>
    Commands.run(method, operation, timeoutMillis, effect)

  const attempt = (token: string) =>
    Effect.map(
      run("take the session lock", redis.send<string | null>("SET", key, token, "NX", "PX", String(ttlMillis))),
      (reply) => reply === "OK"
    )

  /** Takes the lock, retrying every 10 to 200 ms (with jitter) until `waitMillis` has passed. */
  const acquire = (token: string): Effect.Effect<void, Missed> =>
    Effect.gen(function* () {
      const deadline = (yield* Clock.currentTimeMillis) + waitMillis
      let delay = 10
      while (true) {
        const taken = yield* Effect.mapError(
          Effect.uninterruptible(attempt(token)),
          (error): Missed => ({ _tag: "Unreachable", error })
        )
        if (taken) return
        const remaining = deadline - (yield* Clock.currentTimeMillis)
        if (remaining <= 0)
          return yield* Effect.fail<Missed>({
            _tag: "TimedOut",
            error: AuthError.make(
              "Storage",
              method,
              `another process held the session lock for longer than ${waitMillis} ms`
            )
          })
        yield* Effect.sleep(Math.min(remaining, delay + Math.floor(Math.random() * delay)))
        delay = Math.min(delay * 2, 200)
      }
    })

  /** Keeps the lock alive while it is held; stops when it is found lost (expired and maybe taken). */
  const renew = (token: string) =>
    Effect.gen(function* () {
      while (true) {
        yield* Effect.sleep(Math.max(1, Math.floor(ttlMillis / 3)))
        const renewed = yield* Effect.result(
          run("renew the session lock", redis.eval(renewScript)(key, token, ttlMillis))
        )
        if (renewed._tag === "Success" && renewed.success !== 1)
          return yield* Effect.logWarning(
            "effect-cognito: the session lock expired while held (the process stalled, or Redis lost it)"
          ).pipe(Effect.annotateLogs({ key }))
      }
    })

  /** Releases the lock if it is still this holder's; a failure only waits for its expiry. */
  const release = (token: string) =>
    run("release the session lock", redis.eval(releaseScript)(key, token)).pipe(
      Effect.catch((error) =>
        Effect.logWarning("effect-cognito: could not release the session lock; it expires by itself").pipe(
          Effect.annotateLogs({ key, problem: error.message })
        )
      )
    )

  const withLock = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | AuthError.AuthError, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.gen(function* () {
        const token = yield* newToken
        const missed = yield* Effect.flip(restore(acquire(token))).pipe(
          Effect.map((missed): Missed | undefined => missed),
          Effect.orElseSucceed(() => undefined)
        )
        if (missed !== undefined) {
          if (missed._tag === "Unreachable" && options.unlockedWhenUnreachable) {
            yield* Effect.logWarning("effect-cognito: Redis is unreachable; going on without the session lock").pipe(
              Effect.annotateLogs({ key })
            )
            return yield* restore(effect)
          }
          return yield* Effect.fail(missed.error)
        }
        const renewing = yield* Effect.forkChild(renew(token))
        const exit = yield* Effect.exit(restore(effect))
        yield* Fiber.interrupt(renewing)
        yield* release(token)
        return yield* exit
      })
    )

  return { withLock }
}
