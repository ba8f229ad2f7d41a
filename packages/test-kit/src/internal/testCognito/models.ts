/**
 * The records a TestCognito pool reports and takes in tests: its users, the codes it
 * "delivered", the requests it served, its identities and issued credentials, the faults
 * it can inject. `TestCognito.ts` re-exports them.
 *
 * @internal
 */
import type * as IdentityPool from "@effect-cognito/core/IdentityPool"
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import type * as Duration from "effect/Duration"
import type * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"

/** An MFA method: `SMS`, `TOTP` (an authenticator app) or `EMAIL`. */
export type MfaType = IdentityProvider.MfaType

/** An action TestCognito serves: the user pool's and the identity pool's (`GetId`, `GetCredentialsForIdentity`). */
export type Action = IdentityProvider.Action | (typeof IdentityPool.actions)[keyof typeof IdentityPool.actions]

/** Credentials the identity pool issued. */
export interface IssuedCredentials {
  readonly identityId: string
  readonly accessKeyId: string
  /** The `CustomRoleArn` asked for, if any. */
  readonly roleArn: string | undefined
  readonly expiration: Date
  /** When they were issued, by the server's clock (ms). */
  readonly at: number
}

/** An identity of the identity pool. */
export interface IdentityView {
  readonly identityId: string
  /** The providers whose logins are linked; empty for a guest. */
  readonly providers: ReadonlyArray<string>
}

/** A user as the admin API lists it. */
export interface UserView {
  readonly username: string
  readonly status: UserStatus
  readonly enabled: boolean
  readonly attributes: Readonly<Record<string, string>>
  /** When the user was created, by the server's clock (ms since the epoch): Cognito's `UserCreateDate`. */
  readonly created: number
  /** When the user last changed (attributes, password, status, enabled): `UserLastModifiedDate`. */
  readonly lastModified: number
}

/** A code Cognito "delivered": what the user would find in their mail or SMS. */
export interface Message {
  readonly username: string
  readonly medium: "EMAIL" | "SMS"
  readonly destination: string
  /**
   * `Invitation`: AdminCreateUser's welcome message, whose `code` is the temporary password.
   * `VerifyAttribute`: a code for a changed (or unverified) email or phone number.
   * `Mfa`: an MFA code, or the email or SMS code of a `USER_AUTH` first factor.
   */
  readonly purpose: "SignUp" | "ForgotPassword" | "Mfa" | "Invitation" | "VerifyAttribute"
  /** The code, or the temporary password of an invitation. */
  readonly code: Redacted.Redacted<string>
  readonly at: number
}

/** A request TestCognito served (or failed). */
export interface Request {
  readonly action: Action
  readonly at: number
  /** The `ChallengeName` a `RespondToAuthChallenge` answered (`DEVICE_SRP_AUTH`, `SOFTWARE_TOKEN_MFA`, …). */
  readonly challengeName?: IdentityProvider.ChallengeName | undefined
  /**
   * The `DEVICE_KEY` the request named: InitiateAuth's `AuthParameters` (sign-in or refresh),
   * a challenge answer's `ChallengeResponses`, or GetTokensFromRefreshToken's `DeviceKey`.
   */
  readonly deviceKey?: string | undefined
}

/**
 * A pool's `DeviceConfiguration`: a pool that has one tracks devices. A sign-in from a device
 * the pool does not know returns `NewDeviceMetadata`, the client confirms the device
 * (`ConfirmDevice`), and a remembered device answers `DEVICE_SRP_AUTH` instead of MFA.
 */
export interface DeviceConfiguration {
  /** Kept and described as Cognito's; a remembered device skips MFA either way. Default false. */
  readonly challengeRequiredOnNewDevice?: boolean | undefined
  /** A confirmed device is remembered only after `UpdateDeviceStatus` (remembered). Default false: at once. */
  readonly deviceOnlyRememberedOnUserPrompt?: boolean | undefined
}

/** A failure to inject into the next call of an action. */
export type Fault =
  | "TooManyRequests"
  | "InternalError"
  | "Transport"
  | { readonly exception: string; readonly message?: string | undefined }

/** A user's status, as Cognito names it. */
export type UserStatus =
  | "UNCONFIRMED"
  | "CONFIRMED"
  | "FORCE_CHANGE_PASSWORD"
  | "RESET_REQUIRED"
  /** A federated user (`<Provider>_<sub>`), made by a sign-in through an identity provider; no password. */
  | "EXTERNAL_PROVIDER"

/** What `mintTokens` signs: the user the tokens name, and the claims the test chooses. */
export interface MintTokensInput {
  /**
   * The user the tokens name (`username`, `cognito:username`). The pool's user of that
   * name gives its `sub` and attributes; another name gets a `sub` of its own.
   */
  readonly username: string
  /** `cognito:groups`. Default none (the claim is left out, as Cognito leaves it out). */
  readonly groups?: ReadonlyArray<string> | undefined
  /** The access token's `scope`. Default `aws.cognito.signin.user.admin`, as for a sign-in. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** How long both tokens are valid from now, by the pool's clock. Default the app client's token validity. */
  readonly expiresIn?: Duration.Input | undefined
  /** Claims set on the access token last (a custom claim, or `exp: 0` for an expired token). */
  readonly accessClaims?: Readonly<Record<string, Schema.Json>> | undefined
  /** Claims set on the id token last. */
  readonly idClaims?: Readonly<Record<string, Schema.Json>> | undefined
}

/** An OAuth flow of an app client, as `AllowedOAuthFlows` names it. */
export type OAuthFlow = "code" | "implicit" | "client_credentials"

/** An app client's OAuth settings, as `UpdateUserPoolClient` sets them (camelCase). */
export interface OAuthSettings {
  readonly allowedOAuthFlows: ReadonlyArray<OAuthFlow>
  /** Whether the client may use the flows at all (Cognito's `AllowedOAuthFlowsUserPoolClient`). */
  readonly allowedOAuthFlowsUserPoolClient: boolean
  /** Standard scopes (`openid`, `email`, `phone`, `profile`, `aws.cognito.signin.user.admin`) and `<resource server>/<scope>`. */
  readonly allowedOAuthScopes: ReadonlyArray<string>
  /** The redirect URIs a sign-in may name, matched exactly (a loopback one without a port matches any port). */
  readonly callbackURLs: ReadonlyArray<string>
  /** The `logout_uri`s the domain's `/logout` may redirect to. */
  readonly logoutURLs: ReadonlyArray<string>
  /** `COGNITO` (the login page's form) and identity providers by name. */
  readonly supportedIdentityProviders: ReadonlyArray<string>
  readonly defaultRedirectURI?: string | undefined
}

/** An app client's OAuth settings as given: what is left out is empty (OAuth off). */
export type OAuthSettingsInput = { readonly [K in keyof OAuthSettings]?: OAuthSettings[K] | undefined }

/** A resource server and its custom scopes (`<identifier>/<scopeName>`). */
export interface ResourceServer {
  readonly identifier: string
  readonly name: string
  readonly scopes: ReadonlyArray<{ readonly scopeName: string; readonly scopeDescription: string }>
}

/**
 * An identity provider of the pool, type OIDC: `providerDetails` as Cognito takes them
 * (`client_id`, `oidc_issuer`, `authorize_scopes`, `attributes_request_method`; the
 * `client_secret` given there is kept `Redacted` in `clientSecret`), and the
 * `attributeMapping` from user-pool attribute to the provider's claim.
 */
export interface IdentityProviderConfig {
  readonly providerName: string
  readonly providerType: "OIDC"
  readonly providerDetails: Readonly<Record<string, string>>
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  readonly attributeMapping?: Readonly<Record<string, string>> | undefined
  readonly idpIdentifiers?: ReadonlyArray<string> | undefined
}
