/**
 * Sign-in through the Cognito domain (the hosted UI / managed login, and the social or
 * OIDC providers federated through it): OAuth 2.0 authorization code with PKCE, as two
 * pure steps any platform calls.
 *
 * 1. {@link authorizationUrl} builds the URL of `<domain>/oauth2/authorize` (PKCE S256,
 *    `state`, `nonce`, the scopes, `identity_provider` for "Continue with <provider>") and
 *    a {@link PendingAuthorization} the app keeps for the round trip (session storage, an
 *    encrypted cookie, a server-side session).
 * 2. {@link completeAuthorization} takes the URL the domain redirected back to and that
 *    pending value: it checks `state`, exchanges the code at `<domain>/oauth2/token` (HTTP
 *    Basic for an app client with a secret), verifies the id token (signature by the
 *    pool's JWKS, `iss`, `aud`, `token_use`, `exp`, and the `nonce`), and returns the tokens
 *    with the `customState` the app passed in step 1.
 *
 * Failures are `AuthError`s: `AccessDenied` (the user or the provider refused,
 * `error=access_denied`), `StateMismatch` (a callback that is not the answer to this
 * pending value), `InvalidGrant` (a code already used, expired, or for another verifier),
 * `SessionExpired` (a pending value older than `pendingValidity`, by `Clock`),
 * `InvalidClient`, `UnauthorizedClient`, `InvalidScope`, `InvalidResponse` (a token answer
 * that is not one, an id token that fails a check). The OAuth `error` code is kept in the
 * error's `exception` field. Codes, verifiers and tokens are `Redacted` and never appear in
 * messages, logs or JSON.
 *
 * `Auth` builds on this module (`redirectSignInUrl`, `completeRedirectSignIn`,
 * `redirectSignOutUrl`), so a session from the domain is stored, shared and refreshed
 * like any other sign-in.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as AuthConfig from "./AuthConfig.js"
import type * as AuthError from "./AuthError.js"
import * as internal from "./internal/oauth.js"
import type { PendingAuthorization } from "./internal/oauthPending.js"
import type * as SecureRandom from "./SecureRandom.js"

type Secret = Redacted.Redacted<string>

export {
  /**
   * The round trip's secrets and parameters, kept by the app between {@link authorizationUrl}
   * and {@link completeAuthorization}: a Schema (see {@link toJson}) whose encoded form holds
   * the PKCE verifier in clear; keep it private and drop it once used.
   *
   * @since 0.1.0
   */
  PendingAuthorization
} from "./internal/oauthPending.js"

/**
 * What {@link authorizationUrl} takes.
 *
 * @since 0.1.0
 */
export interface AuthorizeOptions {
  /**
   * Send the user straight to this identity provider (`identity_provider`): its name in the
   * user pool (`"Google"`, `"SignInWithApple"`, `"Facebook"`, `"LoginWithAmazon"`, an OIDC
   * or SAML provider's name), or `"COGNITO"` for the pool's own login page. Default: the
   * login page, which lists every provider the app client supports.
   */
  readonly provider?: string | undefined
  /** The scopes asked for; default the configured `oauth.scopes`. `openid` is always added. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** Any text the app gets back from {@link completeAuthorization} (carried in `state`). */
  readonly customState?: string | undefined
  /** The `redirect_uri`; default the configured `oauth.redirectSignIn`. */
  readonly redirectUri?: string | undefined
  /** Extra parameters of the authorize request, e.g. `{ lang: "fr", login_hint: "alice" }`. */
  readonly extraParameters?: Readonly<Record<string, string>> | undefined
}

/**
 * The URL to send the user to and the value to keep until the callback.
 *
 * @since 0.1.0
 */
export interface Authorization {
  /** `<domain>/oauth2/authorize?…`. */
  readonly url: string
  readonly pending: PendingAuthorization
}

/**
 * What {@link completeAuthorization} takes: the URL the domain redirected to (the whole
 * URL, or its query string) and the value kept since {@link authorizationUrl}.
 *
 * @since 0.1.0
 */
export interface CompleteInput {
  readonly callbackUrl: string | URL
  readonly pending: PendingAuthorization
}

/**
 * The tokens of a completed authorization, the id token verified.
 *
 * @since 0.1.0
 */
export interface TokenSet {
  readonly accessToken: Secret
  readonly idToken: Secret
  /** Present when the app client issues refresh tokens (Cognito always does for the code grant). */
  readonly refreshToken?: Secret | undefined
  /** The access token's lifetime, in seconds. */
  readonly expiresIn: number
  readonly tokenType: string
}

/**
 * What {@link completeAuthorization} returns.
 *
 * @since 0.1.0
 */
export interface AuthorizationResult {
  readonly tokens: TokenSet
  /** The verified id token's claims (`sub`, `cognito:username`, `email`, `identities`, …). */
  readonly idTokenClaims: Readonly<Record<string, unknown>>
  /** The `customState` given to {@link authorizationUrl}. */
  readonly customState?: string | undefined
}

/**
 * What {@link logoutUrl} takes.
 *
 * @since 0.1.0
 */
export interface LogoutOptions {
  /** Where the domain sends the user after its logout; default the configured `oauth.redirectSignOut`. */
  readonly logoutUri?: string | undefined
}

/** The types of the `OAuth` service. */
export declare namespace OAuth {
  /**
   * The domain client of one app client, over the `HttpClient` and the pool's JWKS it
   * captured (the keys are fetched once and cached).
   *
   * @since 0.1.0
   */
  export interface Service {
    readonly authorizationUrl: (options?: AuthorizeOptions) => Effect.Effect<Authorization, AuthError.AuthError>
    readonly completeAuthorization: (input: CompleteInput) => Effect.Effect<AuthorizationResult, AuthError.AuthError>
    /** `<domain>/logout?client_id&logout_uri`: ends the domain's own session (its cookie). */
    readonly logoutUrl: (options?: LogoutOptions) => Effect.Effect<string, AuthError.AuthError>
    /** Revokes a refresh token at `<domain>/oauth2/revoke` (HTTP Basic with a secret). */
    readonly revoke: (refreshToken: Secret) => Effect.Effect<void, AuthError.AuthError>
  }
}

/**
 * The domain client as a service (optional for `Auth`: its redirect methods need it).
 *
 * @since 0.1.0
 */
export class OAuth extends Context.Service<OAuth, OAuth.Service>()("@effect-cognito/core/OAuth") {}

/**
 * Builds the domain client of the configuration's app client. Fails with `InvalidConfig`
 * when the configuration has no `oauth` settings.
 *
 * @since 0.1.0
 */
export const make: (
  config: AuthConfig.Validated
) => Effect.Effect<
  OAuth.Service,
  AuthError.AuthError,
  HttpClient.HttpClient | SecureRandom.SecureRandom | Scope.Scope
> = internal.make

/**
 * The domain client over the `AuthConfig`, `HttpClient` and `SecureRandom` in context. A
 * configuration without `oauth` builds too (so a platform bundle can always provide it):
 * then every method fails with `InvalidConfig`.
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<
  OAuth,
  AuthError.AuthError,
  AuthConfig.AuthConfig | HttpClient.HttpClient | SecureRandom.SecureRandom
> = Layer.effect(OAuth, internal.makeFromContext)

/**
 * Step 1 without a service: the authorization URL and the pending value.
 *
 * @since 0.1.0
 */
export const authorizationUrl: (
  config: AuthConfig.Validated,
  options?: AuthorizeOptions
) => Effect.Effect<Authorization, AuthError.AuthError, SecureRandom.SecureRandom> = internal.authorizationUrl

/**
 * Step 2 without a service: checks the callback, exchanges the code and verifies the id
 * token (the JWKS is fetched for this call).
 *
 * @since 0.1.0
 */
export const completeAuthorization: (
  config: AuthConfig.Validated,
  input: CompleteInput
) => Effect.Effect<AuthorizationResult, AuthError.AuthError, HttpClient.HttpClient> = internal.completeAuthorization

/**
 * The domain's logout URL, `<domain>/logout?client_id=…&logout_uri=…`.
 *
 * @since 0.1.0
 */
export const logoutUrl: (
  config: AuthConfig.Validated,
  options?: LogoutOptions
) => Effect.Effect<string, AuthError.AuthError> = internal.logoutUrl

/**
 * The JSON of a pending authorization, to keep between the two steps. It holds the PKCE
 * verifier in clear (see {@link PendingAuthorization}).
 *
 * @since 0.1.0
 */
export const toJson: (pending: PendingAuthorization) => Effect.Effect<string, AuthError.AuthError> = internal.toJson

/**
 * Reads what {@link toJson} wrote; anything else fails with `InvalidInput`, never echoing it.
 *
 * @since 0.1.0
 */
export const fromJson: (text: string) => Effect.Effect<PendingAuthorization, AuthError.AuthError> = internal.fromJson
