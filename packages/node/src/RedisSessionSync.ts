/**
 * The instances of a service as one client of each session: `SessionSync` over Redis, the
 * seam the browser's tabs use with Web Locks. With the session in `RedisTokenStore`, N
 * instances whose tokens expire at once send one refresh request, and a sign-out in one
 * signs the user out in all.
 *
 * - **One refresh.** `Auth` runs each refresh and each store write under a lock named for
 *   the session, `<prefix>effect-cognito.<userPoolId>.<clientId>[.<sessionKey>].lock`:
 *   `SET NX PX` with a random token, renewed every third of `lockTimeToLive` while held
 *   (a refresh may be slow), released by a script that deletes it only while it holds the
 *   token. A holder that dies stops renewing; the lock expires after `lockTimeToLive` and
 *   the next instance refreshes. Once an instance holds the lock it re-reads the store and
 *   adopts tokens another instance stored meanwhile.
 * - **Everyone follows.** After each write `Auth` publishes what happened (signed in,
 *   refreshed, signed out, expired: never a token) on the app client's channel,
 *   `<prefix>effect-cognito.<userPoolId>.<clientId>.events`, naming the session; the other
 *   instances holding that session re-read the store and move their `userState`. One
 *   subscription per process serves all its sessions.
 * - **Faults.** Waiting for the lock is bounded by `lockTimeout`, each command by
 *   `timeout`; past them, or when Redis refuses a command, the operation fails with
 *   `Storage`. Still-valid tokens are still served (they need no lock); a sign-out still
 *   signs the user out in its own instance. A refresh never runs without the lock unless
 *   the app opts in with `unlockedWhenUnreachable` (then, with Redis down, instances may
 *   refresh at once, and with refresh-token rotation all but one of them lose the session).
 *
 * @example
 * ```ts
 * import * as RedisSessionSync from "@effect-cognito/node/RedisSessionSync"
 * import * as RedisTokenStore from "@effect-cognito/node/RedisTokenStore"
 * import * as NodeRedis from "@effect/platform-node/NodeRedis"
 * import * as Layer from "effect/Layer"
 *
 * const sessionKey = "user-42"
 * const Shared = Layer.mergeAll(RedisTokenStore.layer({ sessionKey }), RedisSessionSync.layer({ sessionKey })).pipe(
 *   Layer.provide(NodeRedis.layer({ url: "redis://127.0.0.1:6379", disableOfflineQueue: true }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import type * as AuthError from "@effect-cognito/core/AuthError"
import * as SessionSync from "@effect-cognito/core/SessionSync"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redis from "effect/persistence/Redis"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Channel from "./internal/redis/channel.js"
import * as Commands from "./internal/redis/commands.js"
import * as Lock from "./internal/redis/lock.js"

/** The lock's and the channel's settings. */
export interface Options {
  /** The session key, as given to the store: one lock per session. Default the app client's one session. */
  readonly sessionKey?: string | undefined
  /** Put before the lock's key and the channel, as before the store's keys. Default none. */
  readonly prefix?: string | undefined
  /** How long the lock lives unless its holder renews it: how long a dead holder blocks the others. Default 5 s. */
  readonly lockTimeToLive?: Duration.Input | undefined
  /** How long an instance waits for the lock before failing with `Storage`. Default 10 s. */
  readonly lockTimeout?: Duration.Input | undefined
  /** How long one command may take before it fails with `Storage`. Default 2 s. */
  readonly timeout?: Duration.Input | undefined
  /**
   * When Redis cannot be reached, refresh and write without the lock instead of failing
   * with `Storage` (never when another instance holds the lock). Default false: with
   * refresh-token rotation, two instances refreshing at once sign the user out.
   */
  readonly unlockedWhenUnreachable?: boolean | undefined
}

/** The default time to live of the lock. */
export const defaultLockTimeToLiveMillis = 5_000
/** The default bound of a wait for the lock. */
export const defaultLockTimeoutMillis = 10_000

const method = "RedisSessionSync"

/** A session's name, which its lock and its messages carry: `effect-cognito.<userPoolId>.<clientId>[.<sessionKey>]`. */
export const nameFor = (config: AuthConfig.Validated, sessionKey?: string): string =>
  sessionKey === undefined
    ? `effect-cognito.${config.userPoolId}.${config.clientId}`
    : `effect-cognito.${config.userPoolId}.${config.clientId}.${sessionKey}`

/** The app client's channel (before the prefix). */
export const channelFor = (config: AuthConfig.Validated): string =>
  `effect-cognito.${config.userPoolId}.${config.clientId}.events`

/**
 * The sync of one session over the `Redis` in context; its subscription lives in the
 * scope and is in place when this returns. Options are checked now (`InvalidConfig`).
 */
export const make = (
  options: Options = {}
): Effect.Effect<
  SessionSync.SessionSync.Service,
  AuthError.AuthError,
  AuthConfig.AuthConfig | Redis.Redis | Scope.Scope
> =>
  Effect.gen(function* () {
    const config = yield* AuthConfig.AuthConfig
    const redis = yield* Redis.Redis
    const sessionKey =
      options.sessionKey === undefined ? undefined : yield* TokenStore.validateSessionKey(options.sessionKey)
    const prefix = yield* Commands.validPrefix(method, options.prefix)
    const ttlMillis = yield* Commands.positiveMillis(
      method,
      "lockTimeToLive",
      options.lockTimeToLive,
      defaultLockTimeToLiveMillis
    )
    const waitMillis = yield* Commands.positiveMillis(
      method,
      "lockTimeout",
      options.lockTimeout,
      defaultLockTimeoutMillis
    )
    const timeoutMillis = yield* Commands.positiveMillis(method, "timeout", options.timeout, 2_000)
    const name = nameFor(config, sessionKey)
    const channel = prefix + channelFor(config)
    const origin = globalThis.crypto.randomUUID()

    const lock = Lock.make(redis, {
      key: `${prefix}${name}.lock`,
      ttlMillis,
      waitMillis,
      timeoutMillis,
      unlockedWhenUnreachable: options.unlockedWhenUnreachable === true
    })

    const events = yield* Queue.unbounded<SessionSync.Event>()
    yield* Channel.listen(redis, channel, timeoutMillis, (message) => {
      if (message.session === name && message.origin !== origin) Queue.offerUnsafe(events, message.event)
    })

    const publish = (event: SessionSync.Event) =>
      Commands.run(
        `${method}.publish`,
        "publish",
        timeoutMillis,
        redis.send("PUBLISH", channel, Channel.encode({ session: name, origin, event }))
      ).pipe(
        Effect.catch((error) =>
          Effect.logWarning("effect-cognito: could not tell the other instances of a session change").pipe(
            Effect.annotateLogs({ session: name, event: event._tag, problem: error.message })
          )
        )
      )

    return { withLock: lock.withLock, publish, events: Stream.fromQueue(events) }
  })

/** The sync for the `AuthConfig` in context, over the `Redis` in context (a reference: the layer provides no identifier). */
export const layer = (
  options: Options = {}
): Layer.Layer<never, AuthError.AuthError, AuthConfig.AuthConfig | Redis.Redis> =>
  Layer.effect(SessionSync.SessionSync, make(options))
