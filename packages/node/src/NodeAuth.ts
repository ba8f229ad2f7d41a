/**
 * The one bundle for Node: `Auth` over Cognito's HTTP API with undici, a token store
 * (memory by default, a secure file, or Redis shared by every instance of a service),
 * Web Crypto randomness, OpenSSL's SRP arithmetic (`NodeSrpMath`), and the identity pool
 * client when an identity pool is configured.
 *
 * With `store: { _tag: "Redis" }` the session lives in Redis (`RedisTokenStore`) and the
 * instances refresh it once between them and follow each other's sign-ins and sign-outs
 * (`RedisSessionSync`); node-redis (`redis`, an optional peer) is loaded only then.
 *
 * @example
 * ```ts
 * import { NodeAuth } from "@effect-cognito/node"
 * import * as Redacted from "effect/Redacted"
 *
 * const config = { region: "eu-west-1", userPoolId: "eu-west-1_AbCdEf123", clientId: "1example23456789" }
 * const AuthLive = NodeAuth.layer(config)
 *
 * // Every instance of a service on one Redis, records encrypted (a 32-byte key, base64):
 * const SharedLive = NodeAuth.layer(config, {
 *   store: {
 *     _tag: "Redis",
 *     url: Redacted.make("redis://127.0.0.1:6379"),
 *     encryptionKeys: [{ id: "k1", key: Redacted.make("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=") }]
 *   }
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as AuthError from "@effect-cognito/core/AuthError"
import * as CognitoIdentityPool from "@effect-cognito/core/CognitoIdentityPool"
import * as CognitoIdentityProvider from "@effect-cognito/core/CognitoIdentityProvider"
import type * as IdentityPool from "@effect-cognito/core/IdentityPool"
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as OAuth from "@effect-cognito/core/OAuth"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import * as KeyValueStore from "effect/persistence/KeyValueStore"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as NodeRedis from "@effect/platform-node/NodeRedis"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redis from "effect/persistence/Redis"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as os from "node:os"
import * as ClientCredentials from "@effect-cognito/core/ClientCredentials"
import * as NodeSrpMath from "./NodeSrpMath.js"
import * as NodeTokenStore from "./NodeTokenStore.js"
import * as RedisSessionSync from "./RedisSessionSync.js"
import * as RedisTokenStore from "./RedisTokenStore.js"

/** node-redis' client options, as `@effect/platform-node/NodeRedis` takes them. */
export type RedisClientOptions = NonNullable<Parameters<typeof NodeRedis.layer>[0]>

/**
 * The session in Redis, shared by every instance of a service: the store's options
 * (prefix, encryption keys, expiry), the lock's, and the connection.
 */
export interface RedisStore
  extends RedisTokenStore.BackingOptions,
    Pick<RedisSessionSync.Options, "lockTimeToLive" | "lockTimeout" | "unlockedWhenUnreachable"> {
  readonly _tag: "Redis"
  /**
   * The server, `redis://[[user]:password@]host[:port][/db]` (`rediss://` for TLS). With
   * {@link layerConfig}, `REDIS_URL` when unset. Default node-redis' (127.0.0.1:6379).
   * Ignored by {@link makeSession}, which uses the connection in context.
   */
  readonly url?: string | Redacted.Redacted<string> | undefined
  /**
   * More node-redis client options (TLS, credentials, socket). Commands fail at once while
   * the client is disconnected (`disableOfflineQueue: true`) unless this says otherwise:
   * a command queued through an outage could write a session after a sign-out.
   */
  readonly client?: RedisClientOptions | undefined
}

/** A store of this process alone: memory, or files. */
export type LocalStore =
  | { readonly _tag: "Memory" }
  | { readonly _tag: "FileSystem"; readonly directory?: string | undefined }

/** Where the session lives, under which key, and the HTTP clients' options. */
export interface Options {
  /**
   * Where the session lives: in memory (default), in a directory as files (mode 0700,
   * files 0600), or in Redis for every instance of a service ({@link RedisStore}). A
   * `FileSystem` store without a directory uses the default one,
   * {@link NodeTokenStore.directory} (`EFFECT_COGNITO_HOME`, or `~/.config/effect-cognito`).
   */
  readonly store?: LocalStore | RedisStore | undefined
  /**
   * One of several sessions of the same app client, e.g. one per end user of a server:
   * 1 to 128 letters, digits, `_` or `-`. Each key has its own store entry.
   */
  readonly sessionKey?: string | undefined
  /** Retry schedule and other options of the HTTP clients. */
  readonly http?: CognitoIdentityProvider.Options | undefined
  /**
   * The name a new device is confirmed with on a user pool that tracks devices (Cognito's
   * `DeviceName`, shown by `fetchDevices`). Default {@link defaultDeviceName}.
   */
  readonly deviceName?: string | undefined
}

/** The default device name on Node: `<hostname> (Node <version>)`, e.g. `build-7 (Node 22.19.0)`. */
export const defaultDeviceName = (): string => `${os.hostname()} (Node ${process.versions.node})`

/** What {@link layer} and {@link layerConfig} provide: `Auth` and the services behind it. */
export type Services =
  | Auth.Auth
  | AuthConfig.AuthConfig
  | IdentityProvider.IdentityProvider
  | IdentityPool.IdentityPool
  | TokenStore.TokenStore
  | SecureRandom.SecureRandom
  | OAuth.OAuth

/** The token store an option asks for, over the `AuthConfig` in context (a local one: memory or files). */
export const layerStore = (
  options: { readonly store?: LocalStore | undefined; readonly sessionKey?: string | undefined } = {}
): Layer.Layer<TokenStore.TokenStore, AuthError.AuthError, AuthConfig.AuthConfig> => {
  const { sessionKey, store } = options
  if (store?._tag === "FileSystem")
    return store.directory === undefined
      ? NodeTokenStore.layerConfig({ sessionKey })
      : NodeTokenStore.layerFileSystem(store.directory, { sessionKey })
  return sessionKey === undefined
    ? TokenStore.layerMemory
    : Layer.effect(
        TokenStore.TokenStore,
        Effect.gen(function* () {
          const config = yield* AuthConfig.AuthConfig
          const key = TokenStore.keyFor(config, yield* TokenStore.validateSessionKey(sessionKey))
          return TokenStore.fromKeyValueStore(yield* KeyValueStore.KeyValueStore, key)
        })
      ).pipe(Layer.provide(KeyValueStore.layerMemory))
}

/** The Redis store and sync of one session, over the `Redis` and `AuthConfig` in context. */
export const layerRedisSession = (
  store: RedisStore,
  sessionKey?: string | undefined
): Layer.Layer<TokenStore.TokenStore, AuthError.AuthError, AuthConfig.AuthConfig | Redis.Redis> =>
  Layer.merge(
    RedisTokenStore.layer({
      sessionKey,
      prefix: store.prefix,
      encryptionKeys: store.encryptionKeys,
      timeToLive: store.timeToLive,
      timeout: store.timeout
    }),
    RedisSessionSync.layer({
      sessionKey,
      prefix: store.prefix,
      timeout: store.timeout,
      lockTimeToLive: store.lockTimeToLive,
      lockTimeout: store.lockTimeout,
      unlockedWhenUnreachable: store.unlockedWhenUnreachable
    })
  )

/**
 * A node-redis connection (`@effect/platform-node/NodeRedis`, loaded now, so only users of
 * Redis load node-redis) for the layer's lifetime. A server it cannot reach fails the layer
 * with `Storage`, without the URL (it may hold a password).
 */
export const layerRedis = (
  options: {
    readonly url?: string | Redacted.Redacted<string> | undefined
    readonly client?: RedisClientOptions | undefined
  } = {}
): Layer.Layer<Redis.Redis, AuthError.AuthError> =>
  Layer.effectContext(
    Effect.gen(function* () {
      const NodeRedisModule = yield* Effect.tryPromise({
        try: () => import("@effect/platform-node/NodeRedis"),
        catch: (cause) =>
          AuthError.make("InvalidConfig", "NodeAuth", "a Redis store needs node-redis: npm install redis", { cause })
      })
      const url =
        options.url === undefined
          ? undefined
          : Redacted.isRedacted(options.url)
            ? Redacted.value(options.url)
            : options.url
      const client: RedisClientOptions = {
        disableOfflineQueue: true,
        ...options.client,
        ...(url === undefined ? {} : { url })
      }
      return yield* Layer.build(NodeRedisModule.layer(client)).pipe(
        Effect.mapError((cause) =>
          AuthError.make("Storage", "NodeAuth", "could not connect to Redis", { cause: cause.cause })
        )
      )
    })
  )

/**
 * The Redis store's options with what `Config` supplies where they say nothing: `REDIS_URL`
 * (read as `Redacted`) and `EFFECT_COGNITO_ENCRYPTION_KEYS` (see `RedisTokenStore.encryptionKeysConfig`).
 */
const redisStoreFromConfig = (store: RedisStore): Effect.Effect<RedisStore, AuthError.AuthError> =>
  Effect.gen(function* () {
    const url = store.url ?? Option.getOrUndefined(yield* Config.option(Config.Redacted("REDIS_URL")))
    const keys =
      store.encryptionKeys ??
      (yield* Effect.flatMap(RedisTokenStore.encryptionKeysConfig, (text) =>
        Option.isNone(text) ? Effect.succeed(undefined) : RedisTokenStore.parseEncryptionKeys(text.value)
      ))
    return { ...store, url, encryptionKeys: keys }
  }).pipe(
    Effect.catchTag("ConfigError", (e) =>
      Effect.fail(AuthError.make("InvalidConfig", "NodeAuth", AuthConfig.describeConfigError(e)))
    )
  )

/** `Auth` and its services over a layer of `AuthConfig`. */
const layerWithConfig = (
  configLayer: Layer.Layer<AuthConfig.AuthConfig, AuthError.AuthError>,
  options: Options,
  redisFromConfig: boolean
): Layer.Layer<Services, AuthError.AuthError> => {
  const { sessionKey, store } = options
  const base = Layer.mergeAll(
    CognitoIdentityProvider.layerWith(options.http ?? {}),
    CognitoIdentityPool.layer,
    SecureRandom.layer,
    NodeSrpMath.layer,
    // Sign-in through the Cognito domain (its methods fail with InvalidConfig without `oauth`).
    OAuth.layer.pipe(Layer.provide(SecureRandom.layer))
  )
  const deviceName = Layer.succeed(Auth.DeviceName, options.deviceName ?? defaultDeviceName())
  const auth = Layer.provide(Auth.layer, deviceName)
  if (store?._tag !== "Redis") {
    const services = Layer.merge(base, layerStore({ store, sessionKey })).pipe(
      Layer.provideMerge(configLayer),
      Layer.provide(NodeHttpClient.layerUndici)
    )
    return Layer.provideMerge(auth, services)
  }
  return Layer.unwrap(
    Effect.map(redisFromConfig ? redisStoreFromConfig(store) : Effect.succeed(store), (resolved) => {
      const services = Layer.mergeAll(
        base,
        layerRedisSession(resolved, sessionKey),
        Layer.succeed(RedisDefaults, resolved)
      ).pipe(
        Layer.provideMerge(Layer.merge(configLayer, layerRedis(resolved))),
        Layer.provide(NodeHttpClient.layerUndici)
      )
      return Layer.provideMerge(auth, services)
    })
  )
}

/** Everything an application needs: `Auth` and the services behind it (and, with a Redis store, the connection). */
export function layer(
  config: AuthConfig.Input,
  options: Options & { readonly store: RedisStore }
): Layer.Layer<Services | Redis.Redis, AuthError.AuthError>
export function layer(config: AuthConfig.Input, options?: Options): Layer.Layer<Services, AuthError.AuthError>
export function layer(config: AuthConfig.Input, options: Options = {}): Layer.Layer<Services, AuthError.AuthError> {
  return layerWithConfig(AuthConfig.layer(config), options, false)
}

/**
 * {@link layer} configured by `Config` (by default the environment): `COGNITO_USER_POOL_ID`,
 * `COGNITO_CLIENT_ID`, and optionally `COGNITO_REGION` (derived from the pool id when
 * unset), `COGNITO_CLIENT_SECRET` (read as `Redacted`), `COGNITO_IDENTITY_POOL_ID`,
 * `COGNITO_ENDPOINT` and `COGNITO_IDENTITY_ENDPOINT` (see `AuthConfig.config`). A missing
 * or malformed variable fails the layer with `InvalidConfig`, naming every such variable.
 * With a Redis store, `REDIS_URL` and `EFFECT_COGNITO_ENCRYPTION_KEYS` fill in what the
 * store's options leave out.
 *
 * @example
 * ```ts
 * import { NodeAuth } from "@effect-cognito/node"
 *
 * // COGNITO_USER_POOL_ID=eu-west-1_AbCdEf123 COGNITO_CLIENT_ID=1example23456789 node server.js
 * const AuthLive = NodeAuth.layerConfig({ store: { _tag: "FileSystem" } })
 * // … REDIS_URL=redis://cache:6379 EFFECT_COGNITO_ENCRYPTION_KEYS=k1:<base64> node server.js
 * const Shared = NodeAuth.layerConfig({ store: { _tag: "Redis" } })
 * ```
 */
export function layerConfig(
  options: ConfigOptions & { readonly store: RedisStore }
): Layer.Layer<Services | Redis.Redis, AuthError.AuthError>
export function layerConfig(options?: ConfigOptions): Layer.Layer<Services, AuthError.AuthError>
export function layerConfig(options: ConfigOptions = {}): Layer.Layer<Services, AuthError.AuthError> {
  return layerWithConfig(AuthConfig.layerConfig(options.config), options, true)
}

/** The options of {@link layerConfig}. */
export interface ConfigOptions extends Options {
  /** Another source, e.g. `AuthConfig.config.pipe(Config.nested("ADMIN"))`. Default `AuthConfig.config`. */
  readonly config?: Config.Config<AuthConfig.Input> | undefined
}

/**
 * Machine-to-machine tokens over Node's HTTP client: `ClientCredentials` configured by
 * `Config` (by default the environment: `COGNITO_DOMAIN`, `COGNITO_CLIENT_ID`,
 * `COGNITO_CLIENT_SECRET`, `COGNITO_SCOPES`; see `ClientCredentials.config`).
 *
 * @example
 * ```ts
 * import { NodeAuth } from "@effect-cognito/node"
 * import * as ClientCredentials from "@effect-cognito/core/ClientCredentials"
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 *
 * const token = Effect.flatMap(ClientCredentials.ClientCredentials, (m2m) => m2m.token()).pipe(
 *   Effect.map((t) => Redacted.value(t.accessToken)),
 *   Effect.provide(NodeAuth.layerClientCredentials())
 * )
 * ```
 */
export const layerClientCredentials = (
  source: Config.Config<ClientCredentials.Options> = ClientCredentials.config
): Layer.Layer<ClientCredentials.ClientCredentials, AuthError.AuthError> =>
  ClientCredentials.layerConfig(source).pipe(Layer.provide(NodeHttpClient.layerUndici))

/** What {@link makeSession} needs in context besides the `Redis` of a Redis store. */
export type SessionServices =
  | AuthConfig.AuthConfig
  | IdentityProvider.IdentityProvider
  | SecureRandom.SecureRandom
  | Scope.Scope

/**
 * One more `Auth`, for one session key, over the services of a pool already in context (the
 * ones {@link layer} provides, or `TestCognito`'s): its own store entry, its own state and
 * refresh. What is the same for every user of the pool (configuration, the wire client,
 * randomness, SRP arithmetic, the flows) is built by the first session and shared by the
 * others made over the same services (and, with a Redis store, the Redis connection in
 * context, which {@link layer} with a Redis store provides). In memory (the default store) a
 * session costs its tokens and a few objects, about 4 KB; `Auth.MaxInMemorySessions` bounds
 * how many keep their tokens in memory. It lives until the scope closes. A server that acts for many end users keeps one per
 * user; one that acts for several user pools builds each pool's services with
 * `Layer.build` in its own scope.
 *
 * Sign-in through the Cognito domain (a backend for frontend) is two calls on such an
 * `Auth`: `redirectSignInUrl()` (send the browser to `url`, keep `pending` in an encrypted,
 * HTTP-only cookie, e.g. with `OAuth.toJson`) and, at the callback,
 * `completeRedirectSignIn({ callbackUrl, pending })`, which stores the session under the
 * user's key. It uses the `OAuth` service that {@link layer} provides (with `oauth` in the config).
 *
 * @example
 * ```ts
 * import { NodeAuth } from "@effect-cognito/node"
 * import * as Effect from "effect/Effect"
 *
 * // One `Auth` per end user of a server, over the pool's services (NodeAuth.layer) in context.
 * const accessTokenOf = (userId: string) =>
 *   Effect.scoped(
 *     Effect.gen(function* () {
 *       const auth = yield* NodeAuth.makeSession({ sessionKey: userId, store: { _tag: "FileSystem" } })
 *       return (yield* auth.getTokens()).accessToken
 *     })
 *   )
 * ```
 */
export function makeSession(options: {
  readonly store?: LocalStore | undefined
  readonly sessionKey: string
}): Effect.Effect<Auth.Auth.Service, AuthError.AuthError, SessionServices>
export function makeSession(options: {
  readonly store?: LocalStore | RedisStore | undefined
  readonly sessionKey: string
}): Effect.Effect<Auth.Auth.Service, AuthError.AuthError, SessionServices | Redis.Redis>
export function makeSession(options: {
  readonly store?: LocalStore | RedisStore | undefined
  readonly sessionKey: string
}): Effect.Effect<Auth.Auth.Service, AuthError.AuthError, SessionServices | Redis.Redis> {
  const { sessionKey, store } = options
  // In memory: no layer to build, a store of a few fields that keeps the session decoded (no
  // second copy of its tokens), over the pool's shared part (see `Auth.MaxInMemorySessions`).
  if (store === undefined || store._tag === "Memory")
    return Effect.gen(function* () {
      const config = yield* AuthConfig.AuthConfig
      const key = TokenStore.keyFor(config, yield* TokenStore.validateSessionKey(sessionKey))
      return yield* Effect.provideService(Auth.make, TokenStore.TokenStore, TokenStore.makeMemory(key))
    })
  const stores =
    store?._tag === "Redis"
      ? Layer.unwrap(
          Effect.map(Effect.service(RedisDefaults), (defaults) =>
            layerRedisSession(withDefaults(store, defaults), sessionKey)
          )
        )
      : layerStore({ store, sessionKey })
  return Effect.flatMap(Layer.build(stores), (context) => Effect.provide(Auth.make, context))
}

/**
 * The Redis store's options of the {@link layer} (or {@link layerConfig}) in context, the
 * ones `Config` supplied included: what {@link makeSession} uses where its own Redis store's
 * options say nothing, so every end user's session has the layer's prefix, encryption keys,
 * expiry and lock. `{ _tag: "Redis" }` (every default) without such a layer.
 */
export const RedisDefaults: Context.Reference<RedisStore> = Context.Reference<RedisStore>(
  "@effect-cognito/node/NodeAuth/RedisDefaults",
  { defaultValue: (): RedisStore => ({ _tag: "Redis" }) }
)

/** `store`'s options, and `defaults`' where `store` leaves one out (or `undefined`). */
const withDefaults = (store: RedisStore, defaults: RedisStore): RedisStore => {
  const given = Object.fromEntries(Object.entries(store).filter(([, value]) => value !== undefined))
  return { ...defaults, ...given, _tag: "Redis" }
}
