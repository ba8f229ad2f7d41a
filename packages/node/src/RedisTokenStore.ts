/**
 * A `TokenStore` in Redis (or Valkey, or ElastiCache), shared by every instance of a
 * service: each record the store keeps (the session, a guest's identity id, a federated
 * sign-in, and any record a later version adds) is one Redis string under the app
 * client's key and the session key, `<prefix>effect-cognito.<userPoolId>.<clientId>[.<sessionKey>].<record>`.
 *
 * - **Encrypted at rest, when a key is given.** With `encryptionKeys`, each record is
 *   sealed with AES-256-GCM (`effect/crypto`, Web Crypto) under the first key and opened
 *   with whichever key sealed it (its id is in the record), so keys rotate: add the new
 *   key second everywhere, then first, and drop the old one once its records are
 *   rewritten or expired. Without keys, records are stored as the core encodes them.
 * - **Abandoned sessions leave.** Each write sets the record's expiry to `timeToLive`
 *   (default 30 days, Cognito's default refresh-token lifetime): set it to the app
 *   client's refresh-token validity.
 * - **Bad records are dropped, never shown.** A record that cannot be opened (sealed under
 *   a key no longer configured, altered, not encrypted while encryption is on) is removed
 *   and logged by its key and the kind of problem; one that opens but does not decode is
 *   removed and logged by the core, as in every store.
 * - **Bounded.** Each command gives up after `timeout` (default 2 s) with a `Storage`
 *   error, as does each one Redis refuses or cannot take (node-redis fails commands at once
 *   while it is disconnected when its offline queue is off, as `NodeAuth` sets it).
 *
 * It needs `effect/persistence/Redis`'s `Redis` service in context, e.g. from
 * `@effect/platform-node/NodeRedis`; `NodeAuth.layer` with `store: { _tag: "Redis" }` builds
 * both, with `RedisSessionSync` for one refresh across processes.
 *
 * @example
 * ```ts
 * import * as RedisTokenStore from "@effect-cognito/node/RedisTokenStore"
 * import * as NodeRedis from "@effect/platform-node/NodeRedis"
 * import * as Layer from "effect/Layer"
 * import * as Redacted from "effect/Redacted"
 *
 * const keyBase64 = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes; keep yours in a secret store
 * const Store = RedisTokenStore.layer({ encryptionKeys: [{ id: "k1", key: Redacted.make(keyBase64) }] }).pipe(
 *   Layer.provide(NodeRedis.layer({ url: "redis://127.0.0.1:6379", disableOfflineQueue: true }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as AuthError from "@effect-cognito/core/AuthError"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import * as Config from "effect/Config"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redis from "effect/persistence/Redis"
import * as Redacted from "effect/Redacted"
import * as Commands from "./internal/redis/commands.js"
import * as Encryption from "./internal/redis/encryption.js"

/** An encryption key: an id kept in each record it seals, and 32 bytes (raw, or base64 text). */
export type EncryptionKey = Encryption.EncryptionKey

/** Options of the primitives. */
export interface BackingOptions {
  /** Put before every key, to share a Redis with other applications (e.g. `"myapp:"`). Default none. */
  readonly prefix?: string | undefined
  /**
   * Encrypts every record: the first key seals, every key opens. Default none (records in
   * clear). Ids are 1 to 64 letters, digits, `_` or `-`; keys 32 bytes.
   */
  readonly encryptionKeys?: ReadonlyArray<EncryptionKey> | undefined
  /** Each record's expiry, set at each write. Default 30 days. */
  readonly timeToLive?: Duration.Input | undefined
  /** How long one command may take before it fails with `Storage`. Default 2 seconds. */
  readonly timeout?: Duration.Input | undefined
}

/** Options of the store. */
export interface Options extends BackingOptions {
  /**
   * One of several sessions of the same app client (one per end user of a server): 1 to
   * 128 letters, digits, `_` or `-`. Default: the app client's one session.
   */
  readonly sessionKey?: string | undefined
}

/** The default expiry of a record: Cognito's default refresh-token lifetime. */
export const defaultTimeToLiveMillis = 30 * 24 * 60 * 60 * 1000

/** The default bound of one command. */
export const defaultTimeoutMillis = 2_000

const method = "RedisTokenStore"

/**
 * The string primitives over the `Redis` in context; exposed for tests and custom stores.
 * Options are checked now (`InvalidConfig`, never echoing a key).
 */
export const makeBacking = (
  options: BackingOptions = {}
): Effect.Effect<TokenStore.TokenStore.Backing, AuthError.AuthError, Redis.Redis> =>
  Effect.gen(function* () {
    const redis = yield* Redis.Redis
    const prefix = yield* Commands.validPrefix(method, options.prefix)
    const ttl = yield* Commands.positiveMillis(method, "timeToLive", options.timeToLive, defaultTimeToLiveMillis)
    const timeout = yield* Commands.positiveMillis(method, "timeout", options.timeout, defaultTimeoutMillis)
    const keyring =
      options.encryptionKeys === undefined || options.encryptionKeys.length === 0
        ? undefined
        : yield* Encryption.make(method, options.encryptionKeys)

    const run = <A>(operation: string, effect: Effect.Effect<A, Redis.RedisError>) =>
      Commands.run(`TokenStore.${operation}`, operation, timeout, effect)

    const remove = (key: string) => Effect.asVoid(run("remove", redis.send("DEL", prefix + key)))

    /** Removes a record that cannot be opened, logging where it was and why (never what it holds). */
    const drop = (key: string, problem: string) =>
      Effect.logWarning("effect-cognito: a stored record cannot be opened; dropping it").pipe(
        Effect.annotateLogs({ key: prefix + key, problem }),
        Effect.andThen(remove(key)),
        Effect.as(Option.none<string>())
      )

    return {
      get: (key) =>
        Effect.flatMap(run("read", redis.send<string | null>("GET", prefix + key)), (stored) => {
          if (typeof stored !== "string") return Effect.succeed(Option.none())
          if (keyring === undefined)
            return stored.startsWith(Encryption.marker)
              ? drop(key, "it is encrypted, and no encryption key is configured")
              : Effect.succeed(Option.some(stored))
          return Effect.flatMap(keyring.open(prefix + key, stored), (opened) =>
            opened._tag === "Success" ? Effect.succeed(Option.some(opened.success)) : drop(key, opened.failure)
          )
        }),
      set: (key, value) =>
        Effect.flatMap(keyring === undefined ? Effect.succeed(value) : keyring.seal(prefix + key, value), (stored) =>
          Effect.asVoid(run("write", redis.send("SET", prefix + key, stored, "PX", String(ttl))))
        ),
      remove
    }
  })

/** The store for the `AuthConfig` in context (and `sessionKey`), over the `Redis` in context. */
export const make = (
  options: Options = {}
): Effect.Effect<TokenStore.TokenStore.Service, AuthError.AuthError, AuthConfig.AuthConfig | Redis.Redis> =>
  Effect.gen(function* () {
    const config = yield* AuthConfig.AuthConfig
    const sessionKey =
      options.sessionKey === undefined ? undefined : yield* TokenStore.validateSessionKey(options.sessionKey)
    const backing = yield* makeBacking(options)
    return TokenStore.make(backing, TokenStore.keyFor(config, sessionKey))
  })

/** The store as a layer; see {@link make}. */
export const layer = (
  options: Options = {}
): Layer.Layer<TokenStore.TokenStore, AuthError.AuthError, AuthConfig.AuthConfig | Redis.Redis> =>
  Layer.effect(TokenStore.TokenStore, make(options))

/**
 * Parses keys written as `<id>:<base64 key>[,<id>:<base64 key>…]`, the first one sealing;
 * a malformed entry fails with `InvalidConfig` that never shows a key.
 */
export const parseEncryptionKeys = (
  text: Redacted.Redacted<string>
): Effect.Effect<ReadonlyArray<EncryptionKey>, AuthError.AuthError> =>
  Effect.gen(function* () {
    const entries = Redacted.value(text)
      .split(",")
      .map((entry) => entry.trim())
      .filter((entry) => entry !== "")
    const keys: Array<EncryptionKey> = []
    for (const [index, entry] of entries.entries()) {
      const colon = entry.indexOf(":")
      if (colon <= 0)
        return yield* Effect.fail(
          AuthError.make("InvalidConfig", method, `encryption key ${index + 1}: expected <id>:<base64 key> (not shown)`)
        )
      keys.push({ id: entry.slice(0, colon), key: Redacted.make(entry.slice(colon + 1)) })
    }
    // Checked as options are: ids, duplicates, lengths.
    if (keys.length > 0) yield* Encryption.make(method, keys)
    return keys
  })

/**
 * The encryption keys from `Config` (by default the environment):
 * `EFFECT_COGNITO_ENCRYPTION_KEYS=<id>:<base64 key>[,<id>:<base64 key>…]`, read as
 * `Redacted`, the first one sealing; none when unset.
 */
export const encryptionKeysConfig: Config.Config<Option.Option<Redacted.Redacted<string>>> = Config.option(
  Config.Redacted("EFFECT_COGNITO_ENCRYPTION_KEYS")
)
