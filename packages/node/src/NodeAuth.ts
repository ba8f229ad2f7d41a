/**
 * The one bundle for Node: `Auth` over Cognito's HTTP API with undici, a token store
 * (memory by default, or a secure file), Web Crypto randomness, OpenSSL's SRP arithmetic
 * (`NodeSrpMath`), and the identity pool client when an identity pool is configured.
 *
 * @example
 * ```ts
 * const AuthLive = NodeAuth.layer({ region: "eu-west-1", userPoolId: "eu-west-1_AbC", clientId: "…" })
 * ```
 *
 * @since 0.1.0
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import type * as AuthError from "@effect-cognito/core/AuthError"
import * as CognitoIdentityPool from "@effect-cognito/core/CognitoIdentityPool"
import * as CognitoIdentityProvider from "@effect-cognito/core/CognitoIdentityProvider"
import type * as IdentityPool from "@effect-cognito/core/IdentityPool"
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import * as KeyValueStore from "effect/persistence/KeyValueStore"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as os from "node:os"
import * as NodeSrpMath from "./NodeSrpMath.js"
import * as NodeTokenStore from "./NodeTokenStore.js"

export interface Options {
  /**
   * Where the session lives: in memory (default), or in a directory as files (mode 0700,
   * files 0600). A `FileSystem` store without a directory uses the default one,
   * {@link NodeTokenStore.directory} (`EFFECT_COGNITO_HOME`, or `~/.config/effect-cognito`).
   */
  readonly store?:
    | { readonly _tag: "Memory" }
    | { readonly _tag: "FileSystem"; readonly directory?: string | undefined }
    | undefined
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

/** The token store an option asks for, over the `AuthConfig` in context. */
export const layerStore = (
  options: Pick<Options, "store" | "sessionKey"> = {}
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

/** `Auth` and its services over a layer of `AuthConfig`. */
const layerWithConfig = (
  configLayer: Layer.Layer<AuthConfig.AuthConfig, AuthError.AuthError>,
  options: Options
): Layer.Layer<Services, AuthError.AuthError> => {
  const services = Layer.mergeAll(
    CognitoIdentityProvider.layerWith(options.http ?? {}),
    CognitoIdentityPool.layer,
    layerStore(options),
    SecureRandom.layer,
    NodeSrpMath.layer
  ).pipe(Layer.provideMerge(configLayer), Layer.provide(NodeHttpClient.layerUndici))
  const deviceName = Layer.succeed(Auth.DeviceName, options.deviceName ?? defaultDeviceName())
  return Layer.provideMerge(Layer.provide(Auth.layer, deviceName), services)
}

/** Everything an application needs: `Auth` and the services behind it. */
export const layer = (config: AuthConfig.Input, options: Options = {}): Layer.Layer<Services, AuthError.AuthError> =>
  layerWithConfig(AuthConfig.layer(config), options)

/**
 * {@link layer} configured by `Config` (by default the environment): `COGNITO_USER_POOL_ID`,
 * `COGNITO_CLIENT_ID`, and optionally `COGNITO_REGION` (derived from the pool id when
 * unset), `COGNITO_CLIENT_SECRET` (read as `Redacted`), `COGNITO_IDENTITY_POOL_ID`,
 * `COGNITO_ENDPOINT` and `COGNITO_IDENTITY_ENDPOINT` (see `AuthConfig.config`). A missing
 * or malformed variable fails the layer with `InvalidConfig`, naming every such variable.
 *
 * @example
 * ```ts
 * // COGNITO_USER_POOL_ID=eu-west-1_AbC COGNITO_CLIENT_ID=… node server.js
 * const AuthLive = NodeAuth.layerConfig({ store: { _tag: "FileSystem" } })
 * ```
 */
export const layerConfig = (
  options: Options & {
    /** Another source, e.g. `AuthConfig.config.pipe(Config.nested("ADMIN"))`. Default `AuthConfig.config`. */
    readonly config?: Config.Config<AuthConfig.Input> | undefined
  } = {}
): Layer.Layer<Services, AuthError.AuthError> => layerWithConfig(AuthConfig.layerConfig(options.config), options)

/**
 * One more `Auth`, for one session key, over the services of a pool already in context (the
 * ones {@link layer} provides, or `TestCognito`'s): its own store entry, its own state and
 * refresh, nothing shared with the other sessions but the HTTP client. It lives until the
 * scope closes. A server that acts for many end users keeps one per user; one that acts
 * for several user pools builds each pool's services with `Layer.build` in its own scope.
 *
 * @example
 * ```ts
 * const forUser = (userId: string) =>
 *   NodeAuth.makeSession({ sessionKey: userId, store: { _tag: "FileSystem" } })
 * ```
 */
export const makeSession = (
  options: Pick<Options, "store"> & { readonly sessionKey: string }
): Effect.Effect<
  Auth.Auth.Service,
  AuthError.AuthError,
  AuthConfig.AuthConfig | IdentityProvider.IdentityProvider | SecureRandom.SecureRandom | Scope.Scope
> => Effect.flatMap(Layer.build(layerStore(options)), (context) => Effect.provide(Auth.make, context))
