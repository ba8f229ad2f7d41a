/**
 * The tags of core's services, created here and re-exported by their public modules
 * with explicit types (as `effect/http` does with its internal tags). This module
 * imports the public modules for types only, so no runtime import cycle can form
 * through a tag.
 *
 * @internal
 */
import * as Context from "effect/Context"
import type * as AuthConfig from "../AuthConfig.js"
import type * as IdentityPool from "../IdentityPool.js"
import type * as IdentityProvider from "../IdentityProvider.js"
import type * as SecureRandom from "../SecureRandom.js"
import type * as SessionSync from "../SessionSync.js"
import type * as TokenStore from "../TokenStore.js"
import { inProcess } from "./sessionSync.js"

export const authConfig = Context.Service<AuthConfig.AuthConfig, AuthConfig.Validated>(
  "@effect-cognito/core/AuthConfig"
)

export const identityPool = Context.Service<IdentityPool.IdentityPool, IdentityPool.IdentityPool.Service>(
  "@effect-cognito/core/IdentityPool"
)

export const identityProvider = Context.Service<
  IdentityProvider.IdentityProvider,
  IdentityProvider.IdentityProvider.Service
>("@effect-cognito/core/IdentityProvider")

export const secureRandom = Context.Service<SecureRandom.SecureRandom, SecureRandom.SecureRandom.Service>(
  "@effect-cognito/core/SecureRandom"
)

export const tokenStore = Context.Service<TokenStore.TokenStore, TokenStore.TokenStore.Service>(
  "@effect-cognito/core/TokenStore"
)

/** A reference, not a plain tag: without a layer it is the in-process no-op, so no existing layer must provide it. */
export const sessionSync = Context.Reference<SessionSync.SessionSync.Service>("@effect-cognito/core/SessionSync", {
  defaultValue: (): SessionSync.SessionSync.Service => inProcess
})

/**
 * The `DeviceName` a new device is confirmed with; a reference whose default is
 * `"effect-cognito"`, so no layer must provide it (`NodeAuth` and `BrowserAuth` provide the
 * platform's).
 */
export const deviceName = Context.Reference<string>("@effect-cognito/core/DeviceName", {
  defaultValue: () => "effect-cognito"
})
