/**
 * The one bundle for browsers: `Auth` over Cognito's HTTP API with `fetch`, a browser
 * token store (`localStorage` by default, or `sessionStorage`, IndexedDB, memory), Web
 * Crypto randomness with the pure `BigInt` SRP path, and the identity pool client for
 * AWS credentials. With `localStorage` (the default) or IndexedDB the tabs of the origin
 * act as one client (`BrowserSessionSync`): one refresh across tabs, and sign-in, refresh,
 * sign-out and expiry in one tab followed by the others. `sessionStorage` and memory keep
 * each tab on its own. Passkeys go through `navigator.credentials` (`BrowserWebAuthn`):
 * `associateWebAuthnCredential` and the `WEB_AUTHN` sign-in step work with nothing more.
 *
 * @example
 * ```ts
 * import * as BrowserAuth from "@effect-cognito/browser/BrowserAuth"
 *
 * const config = { region: "eu-west-1", userPoolId: "eu-west-1_AbCdEf123", clientId: "1example23456789" }
 * const AuthLive = BrowserAuth.layer(config) // localStorage, tabs in sync
 * const SessionOnly = BrowserAuth.layer(config, { store: { _tag: "SessionStorage" } })
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
import * as OAuth from "@effect-cognito/core/OAuth"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import type * as TokenStore from "@effect-cognito/core/TokenStore"
import type * as WebAuthn from "@effect-cognito/core/WebAuthn"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as BrowserRedirect from "./BrowserRedirect.js"
import * as BrowserSessionSync from "./BrowserSessionSync.js"
import * as BrowserTokenStore from "./BrowserTokenStore.js"
import * as BrowserWebAuthn from "./BrowserWebAuthn.js"

/** Where the session lives. */
export type Store =
  | { readonly _tag: "LocalStorage" }
  | { readonly _tag: "SessionStorage" }
  | { readonly _tag: "IndexedDB"; readonly options?: BrowserTokenStore.IndexedDbOptions | undefined }
  | { readonly _tag: "Memory" }

/** Where the session lives, whether the tabs share it, and the HTTP clients' options. */
export interface Options {
  /** Where the session lives: `localStorage` (default), `sessionStorage`, IndexedDB or memory. */
  readonly store?: Store | undefined
  /**
   * Whether the tabs share one session (Web Locks and `BroadcastChannel`); default true for
   * `localStorage` and IndexedDB. `sessionStorage` and memory never share.
   */
  readonly syncTabs?: boolean | undefined
  /** Retry schedule and other options of the HTTP clients. */
  readonly http?: CognitoIdentityProvider.Options | undefined
  /**
   * The name a new device is confirmed with on a user pool that tracks devices (Cognito's
   * `DeviceName`, shown by `fetchDevices`). Default {@link defaultDeviceName}.
   */
  readonly deviceName?: string | undefined
}

/** The default device name in a browser: its user agent (`"effect-cognito"` where there is none). */
export const defaultDeviceName = (): string =>
  typeof navigator !== "undefined" && typeof navigator.userAgent === "string" && navigator.userAgent !== ""
    ? navigator.userAgent
    : "effect-cognito"

/** The token store layer of a {@link Store}. */
export const layerStore = (
  store: Store = { _tag: "LocalStorage" }
): Layer.Layer<TokenStore.TokenStore, never, AuthConfig.AuthConfig> => {
  switch (store._tag) {
    case "LocalStorage":
      return BrowserTokenStore.layerLocalStorage
    case "SessionStorage":
      return BrowserTokenStore.layerSessionStorage
    case "IndexedDB":
      return BrowserTokenStore.layerIndexedDB(store.options)
    case "Memory":
      return BrowserTokenStore.layerMemory
  }
}

/** Whether a store is shared by the tabs of an origin (and so worth keeping in sync). */
export const sharedByTabs = (store: Store = { _tag: "LocalStorage" }): boolean =>
  store._tag === "LocalStorage" || store._tag === "IndexedDB"

/**
 * The Cognito domain's client when the configuration has `oauth` settings, nothing
 * otherwise (`Auth`'s redirect methods then fail with `InvalidConfig`).
 */
const layerOAuth: Layer.Layer<never, AuthError.AuthError, AuthConfig.AuthConfig | SecureRandom.SecureRandom> =
  Layer.unwrap(
    Effect.map(
      AuthConfig.AuthConfig,
      (config): Layer.Layer<never, AuthError.AuthError, AuthConfig.AuthConfig | SecureRandom.SecureRandom> =>
        config.oauth === undefined ? Layer.empty : Layer.provide(OAuth.layer, FetchHttpClient.layer)
    )
  )

/**
 * Everything an application needs: `Auth`, the services behind it, and `BrowserRedirect`
 * (sign-in through the Cognito domain when the configuration has `oauth`; a page load that
 * is the domain's way back completes the sign-in while the layer is built).
 */
export const layer = (
  config: AuthConfig.Input,
  options: Options = {}
): Layer.Layer<
  | Auth.Auth
  | BrowserRedirect.BrowserRedirect
  | AuthConfig.AuthConfig
  | IdentityProvider.IdentityProvider
  | IdentityPool.IdentityPool
  | TokenStore.TokenStore
  | SecureRandom.SecureRandom
  | WebAuthn.WebAuthn,
  AuthError.AuthError
> => {
  const services = Layer.mergeAll(
    CognitoIdentityProvider.layerWith(options.http ?? {}),
    CognitoIdentityPool.layer,
    layerStore(options.store),
    SecureRandom.layer,
    BrowserWebAuthn.layer
  ).pipe(Layer.provideMerge(AuthConfig.layer(config)), Layer.provide(FetchHttpClient.layer))
  const store = options.store ?? { _tag: "LocalStorage" }
  const synced =
    options.syncTabs !== false && sharedByTabs(store)
      ? Layer.provide(Auth.layer, BrowserSessionSync.layer({ storageKey: store._tag === "LocalStorage" }))
      : Auth.layer
  const auth = Layer.provide(
    synced,
    Layer.mergeAll(Layer.succeed(Auth.DeviceName, options.deviceName ?? defaultDeviceName()), layerOAuth)
  )
  return Layer.provideMerge(Layer.provideMerge(BrowserRedirect.layer, auth), services)
}
