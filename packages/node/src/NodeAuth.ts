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
import type * as SrpMath from "@effect-cognito/core/SrpMath"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Layer from "effect/Layer"
import * as NodeSrpMath from "./NodeSrpMath.js"
import * as NodeTokenStore from "./NodeTokenStore.js"

export interface Options {
  /** Where the session lives: in memory (default) or in a directory (mode 0700, files 0600). */
  readonly store?: { readonly _tag: "Memory" } | { readonly _tag: "FileSystem"; readonly directory: string } | undefined
  /** Retry schedule and other options of the HTTP clients. */
  readonly http?: CognitoIdentityProvider.Options | undefined
}

/** Everything an application needs: `Auth` and the services behind it. */
export const layer = (
  config: AuthConfig.Input,
  options: Options = {}
): Layer.Layer<
  | Auth.Auth
  | AuthConfig.AuthConfig
  | IdentityProvider.IdentityProvider
  | IdentityPool.IdentityPool
  | TokenStore.TokenStore
  | SecureRandom.SecureRandom
  | SrpMath.SrpMath,
  AuthError.AuthError
> => {
  const store =
    options.store?._tag === "FileSystem"
      ? NodeTokenStore.layerFileSystem(options.store.directory)
      : TokenStore.layerMemory
  const services = Layer.mergeAll(
    CognitoIdentityProvider.layerWith(options.http ?? {}),
    CognitoIdentityPool.layer,
    store,
    SecureRandom.layer,
    NodeSrpMath.layer
  ).pipe(Layer.provideMerge(AuthConfig.layer(config)), Layer.provide(NodeHttpClient.layerUndici))
  return Layer.provideMerge(Auth.layer, services)
}
