/**
 * An in-memory, deterministic Cognito user pool that behaves like the real one, so
 * flows are tested against Cognito's rules rather than a script: password policy,
 * confirmation codes delivered to an outbox, codes that expire by `Clock`, server-side
 * SRP with real math, MFA (SMS, TOTP, email; a TOTP code accepted once), admin-created
 * users, devices (`deviceConfiguration`: `NewDeviceMetadata`, ConfirmDevice, device SRP
 * with real math so a remembered device skips MFA, refresh tokens bound to their device),
 * the user's MFA preferences, choice-based sign-in (`USER_AUTH`: the pool's
 * `allowedFirstAuthFactors` and tier, SELECT_CHALLENGE, email and SMS codes, passwords,
 * passkeys; password-less sign-up and the sign-in with ConfirmSignUp's session), passkeys
 * checked by `@simplewebauthn/server` against the pool's relying party (`webAuthn`; see
 * `SoftwareAuthenticator` for the client side), refresh tokens that
 * RevokeToken and GlobalSignOut really invalidate, RS256 JWTs with Cognito's claims,
 * Cognito's exception names, a request log and injected faults. A pool's durable state
 * can be snapshotted and restored (`snapshot`, the `restore` option; see `TestCognitoSnapshot`).
 * The pool's Cognito domain (`createUserPoolDomain`) is served in memory by
 * `domainHttpClient`: the login page (then its MFA or new-password page), the authorization
 * code flow with PKCE, refresh, revoke, userInfo, logout, client_credentials with resource
 * servers' custom scopes, and "Continue with <provider>" through an OIDC identity provider
 * (`TestOidcProvider`) — with Cognito's checks of app clients' OAuth settings and its OAuth errors.
 *
 * @example
 * ```ts
 * import * as Auth from "@effect-cognito/core/Auth"
 * import { TestCognito } from "@effect-cognito/test-kit"
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 *
 * const program = Effect.gen(function* () {
 *   const auth = yield* Auth.Auth
 *   const cognito = yield* TestCognito.TestCognito
 *   const password = Redacted.make("Abc@123!x")
 *   yield* auth.signUp({ username: "alice", password, userAttributes: { email: "alice@example.com" } })
 *   yield* auth.confirmSignUp({ username: "alice", confirmationCode: yield* cognito.lastCodeFor("alice") })
 *   return yield* auth.signIn({ username: "alice", password }) // SignedIn
 * })
 *
 * const result = program.pipe(Effect.provide(TestCognito.layer({ mfa: "OPTIONAL" })), Effect.runPromise)
 * // A pool that tracks devices, remembering each confirmed device at once:
 * const tracking = program.pipe(Effect.provide(TestCognito.layer({ mfa: "OPTIONAL", deviceConfiguration: {} })))
 * ```
 *
 * @since 0.1.0
 */
import * as Auth from "@effect-cognito/core/Auth"
import type * as AuthConfig from "@effect-cognito/core/AuthConfig"
import type * as AuthError from "@effect-cognito/core/AuthError"
import type * as IdentityPool from "@effect-cognito/core/IdentityPool"
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import type * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as models from "./internal/testCognito/models.js"
import type {
  AllowedFirstAuthFactor,
  Client,
  IdentityPoolOptions,
  Options,
  PasswordPolicy,
  UserPoolTier,
  WebAuthnConfiguration
} from "./internal/testCognito/options.js"
import * as internal from "./internal/testCognito/make.js"
import type * as TestCognitoSnapshot from "./TestCognitoSnapshot.js"

export type {
  /** A first factor a pool can allow: `PASSWORD`, `EMAIL_OTP`, `SMS_OTP`, `WEB_AUTHN`. */
  AllowedFirstAuthFactor,
  /** Another app client of the same pool. */
  Client,
  /** The identity pool beside the user pool. */
  IdentityPoolOptions,
  /** The pool's settings: ids, app client, password policy, MFA, attributes, lifetimes, identity pool, snapshot. */
  Options,
  /** The password rules of the pool. */
  PasswordPolicy,
  /** The pool's tier: `LITE`, `ESSENTIALS`, `PLUS`. */
  UserPoolTier,
  /** The pool's passkey relying party. */
  WebAuthnConfiguration
}
export type {
  /** An action TestCognito serves. */
  Action,
  /** A pool's device tracking: `ChallengeRequiredOnNewDevice`, `DeviceOnlyRememberedOnUserPrompt`. */
  DeviceConfiguration,
  /** A failure to inject into the next call of an action. */
  Fault,
  /** An identity of the identity pool. */
  IdentityView,
  /** Credentials the identity pool issued. */
  IssuedCredentials,
  /** A code Cognito "delivered": what the user would find in their mail or SMS. */
  Message,
  /** What `mintTokens` signs: the username, groups, scopes, lifetime and extra claims. */
  MintTokensInput,
  /** An MFA method: `SMS`, `TOTP` or `EMAIL`. */
  MfaType,
  /** A request TestCognito served (or failed). */
  Request,
  /** A user's status, as Cognito names it. */
  UserStatus,
  /** An OAuth flow of an app client: `code`, `implicit`, `client_credentials`. */
  OAuthFlow,
  /** An app client's OAuth settings. */
  OAuthSettings,
  /** An app client's OAuth settings as given. */
  OAuthSettingsInput,
  /** A resource server and its custom scopes. */
  ResourceServer,
  /** An identity provider of the pool (OIDC). */
  IdentityProviderConfig,
  /** A user as the admin API lists it. */
  UserView
} from "./internal/testCognito/models.js"

/** The types of the `TestCognito` service. */
export declare namespace TestCognito {
  /** The pool, for a test to drive and inspect: codes, requests, admin actions, faults, clock offset. */
  export interface Service {
    /** The `IdentityProvider` this pool answers as. */
    readonly provider: IdentityProvider.IdentityProvider.Service
    readonly config: AuthConfig.Validated
    /** The last code sent to a user. */
    readonly lastCodeFor: (username: string) => Effect.Effect<Redacted.Redacted<string>, Cause.NoSuchElementError>
    readonly outbox: Effect.Effect<ReadonlyArray<models.Message>>
    /** Every request served, in order (with the challenge a `RespondToAuthChallenge` answered). */
    readonly requests: Effect.Effect<ReadonlyArray<models.Request>>
    /** How many requests of an action (or of all actions) were served. */
    readonly requestCount: (action?: models.Action) => Effect.Effect<number>
    /**
     * How many challenge sessions the pool holds: SRP starts waiting for their
     * PASSWORD_VERIFIER answer, MFA, new-password, custom, MFA-setup and `USER_AUTH`
     * challenges, and ConfirmSignUp's sessions not yet used.
     * A session lives as long as Cognito's (3 minutes, or `sessionValidity`); the pool
     * prunes expired ones when it serves its next request, so abandoned sign-ins do not
     * keep memory.
     */
    readonly pendingSessions: Effect.Effect<number>
    /** Makes the next `times` calls of `action` fail with `fault`. */
    readonly failNext: (action: models.Action, fault: models.Fault, times?: number) => Effect.Effect<void>
    /**
     * Another identity pool over this user pool: a service over the same users, sessions
     * and tokens whose `identityPool` has its own id, identities and credentials, and
     * accepts the id tokens of `clientIds` (default this service's client) and of the
     * `userPools` it names. A server that hosts several identity pools (the local Cognito)
     * makes one per `CreateIdentityPool`. The identities are kept by id: the same id again
     * (or in a pool restored from a snapshot) finds the same identities.
     */
    readonly withIdentityPool: (
      options: IdentityPoolOptions & { readonly identityPoolId: string }
    ) => Effect.Effect<TestCognito.Service, AuthError.AuthError>
    /** The `IdentityPool` this pool answers as (GetId, GetCredentialsForIdentity). */
    readonly identityPool: IdentityPool.IdentityPool.Service
    /** The identity pool's identities. */
    readonly identities: Effect.Effect<ReadonlyArray<models.IdentityView>>
    /** Every set of credentials the identity pool issued, in order. */
    readonly issuedCredentials: Effect.Effect<ReadonlyArray<models.IssuedCredentials>>
    /** The secret key and session token of issued credentials, to verify a signature made with them. */
    readonly credentialsOf: (
      accessKeyId: string
    ) => Effect.Effect<
      { readonly secretAccessKey: Redacted.Redacted<string>; readonly sessionToken: Redacted.Redacted<string> },
      Cause.NoSuchElementError
    >
    /** Moves the server's clock relative to `Clock` (positive: the server is ahead of the device). */
    readonly setClockOffset: (offset: Duration.Input) => Effect.Effect<void>
    /**
     * AdminCreateUser: the user must set a new password at first sign-in. Without a
     * `temporaryPassword` the pool generates one that meets its policy. As Cognito does,
     * the pool sends an invitation holding the temporary password (an outbox message with
     * purpose `Invitation`) to each of `desiredDeliveryMediums` (default SMS) the user has
     * an address for, unless `messageAction` is `SUPPRESS`. `RESEND`, for an existing user
     * who has not yet set a password, sets a new temporary password (the one given, or a
     * generated one), restarts its validity and sends the invitation again; for a user who
     * does not exist it fails with `UserNotFoundException`, for one who set a password
     * with `UnsupportedUserStateException`.
     */
    readonly adminCreateUser: (input: {
      readonly username: string
      readonly temporaryPassword?: Redacted.Redacted<string> | undefined
      readonly userAttributes?: Readonly<Record<string, string>> | undefined
      readonly messageAction?: "SUPPRESS" | "RESEND" | undefined
      readonly desiredDeliveryMediums?: ReadonlyArray<"EMAIL" | "SMS"> | undefined
    }) => Effect.Effect<void, AuthError.AuthError>
    /** Enables MFA methods for a user (TOTP needs `adminEnableTotp` first). */
    readonly adminSetUserMfa: (
      username: string,
      settings: {
        readonly sms?: boolean | undefined
        readonly totp?: boolean | undefined
        readonly email?: boolean | undefined
        readonly preferred?: models.MfaType | undefined
      }
    ) => Effect.Effect<void, AuthError.AuthError>
    /** Registers an authenticator app for a user; returns its secret (base32). */
    readonly adminEnableTotp: (username: string) => Effect.Effect<Redacted.Redacted<string>, AuthError.AuthError>
    /** The authenticator code of a secret now, by the server's clock. */
    readonly totpCode: (secret: Redacted.Redacted<string>) => Effect.Effect<Redacted.Redacted<string>>
    readonly adminDisableUser: (username: string) => Effect.Effect<void, AuthError.AuthError>
    readonly adminDeleteUser: (username: string) => Effect.Effect<void, AuthError.AuthError>
    /** The user must reset the password (ForgotPassword) before signing in again. */
    readonly adminResetUserPassword: (username: string) => Effect.Effect<void, AuthError.AuthError>
    readonly adminGetUser: (username: string) => Effect.Effect<
      {
        readonly status: models.UserStatus
        readonly enabled: boolean
        readonly attributes: Readonly<Record<string, string>>
        /** When the user was created, by the server's clock (ms): Cognito's `UserCreateDate`. */
        readonly created: number
        /** When the user last changed (attributes, password, status, enabled): `UserLastModifiedDate`. */
        readonly lastModified: number
      },
      AuthError.AuthError
    >
    /** AdminConfirmSignUp: confirms an unconfirmed user without a code. */
    readonly adminConfirmSignUp: (username: string) => Effect.Effect<void, AuthError.AuthError>
    /**
     * AdminSetUserPassword: checked against the policy; a permanent password confirms the
     * user, a temporary one must be changed at the next sign-in (NEW_PASSWORD_REQUIRED).
     */
    readonly adminSetUserPassword: (
      username: string,
      password: Redacted.Redacted<string>,
      options: { readonly permanent: boolean }
    ) => Effect.Effect<void, AuthError.AuthError>
    /** AdminUserGlobalSignOut: revokes the user's refresh tokens and the access tokens issued with them. */
    readonly adminUserGlobalSignOut: (username: string) => Effect.Effect<void, AuthError.AuthError>
    /** Every user of the pool, in the order they were created. */
    readonly listUsers: Effect.Effect<ReadonlyArray<models.UserView>>
    /**
     * AdminListDevices: a page of a user's confirmed devices, oldest first (`limit` 0 to 60,
     * default 10; 0 is the default), and the token of the next page if there is one.
     */
    readonly adminListDevices: (
      username: string,
      options?: { readonly limit?: number | undefined; readonly paginationToken?: string | undefined }
    ) => Effect.Effect<
      {
        readonly devices: ReadonlyArray<IdentityProvider.Device>
        readonly paginationToken?: string | undefined
      },
      AuthError.AuthError
    >
    /** AdminGetDevice: a confirmed device of the user, or `ResourceNotFoundException`. */
    readonly adminGetDevice: (
      username: string,
      deviceKey: string
    ) => Effect.Effect<IdentityProvider.Device, AuthError.AuthError>
    /** AdminUpdateDeviceStatus: remembers a confirmed device of the user, or stops remembering it. */
    readonly adminUpdateDeviceStatus: (
      username: string,
      deviceKey: string,
      status: IdentityProvider.DeviceRememberedStatus
    ) => Effect.Effect<void, AuthError.AuthError>
    /**
     * AdminForgetDevice: the device is gone; its key is `ResourceNotFoundException` from then
     * on, and refresh tokens issued to it refresh without a `DEVICE_KEY`.
     */
    readonly adminForgetDevice: (username: string, deviceKey: string) => Effect.Effect<void, AuthError.AuthError>
    /**
     * Another app client of this pool: a service over the same users, sessions, tokens,
     * outbox and request log that answers as that client (its id, secret and token
     * lifetimes). Refresh tokens work only with the client they were issued to.
     */
    readonly withClient: (client: Client) => Effect.Effect<TestCognito.Service, AuthError.AuthError>
    /** The pool's public keys, as Cognito publishes them (for verifying tokens). */
    readonly jwks: Effect.Effect<{ readonly keys: ReadonlyArray<JsonWebKey> }>
    /**
     * An id and an access token signed with the pool's key, without a sign-in: Cognito's
     * claims for `username` (the pool's user of that name, or a made-up one), the groups,
     * scopes and lifetime chosen, then `accessClaims` / `idClaims` on top. For testing a
     * server's handlers: a `CognitoJwtVerifier` over {@link jwksHttpClient} accepts them
     * as it accepts Cognito's, and the pool itself accepts the access token (GetUser…)
     * when the user exists.
     */
    readonly mintTokens: (input: models.MintTokensInput) => Effect.Effect<{
      readonly accessToken: Redacted.Redacted<string>
      readonly idToken: Redacted.Redacted<string>
    }>
    /**
     * An `HttpClient` that serves the pool's JWKS at `<issuer>/.well-known/jwks.json`
     * (and 404 elsewhere), where a `CognitoJwtVerifier` of this pool fetches it: give it
     * to the verifier's layer in a handler's tests.
     */
    readonly jwksHttpClient: HttpClient.HttpClient
    /** The issuer (`iss`) of this pool's tokens. */
    readonly issuer: string
    /**
     * CreateUserPoolDomain: the pool's Cognito domain by its prefix (lower-case letters,
     * digits and hyphens; not `aws`, `amazon` or `cognito`; one per pool). Its base URL is
     * `https://<prefix>.auth.<region>.amazoncognito.com`, or what the `domainUrl` option makes of it.
     */
    readonly createUserPoolDomain: (domain: string) => Effect.Effect<void, AuthError.AuthError>
    /** DeleteUserPoolDomain: the domain is gone, and the sessions of its cookie with it. */
    readonly deleteUserPoolDomain: (domain: string) => Effect.Effect<void, AuthError.AuthError>
    /** The pool's domain and its base URL (`D`), if it has one. */
    readonly userPoolDomain: Effect.Effect<{ readonly domain: string; readonly url: string } | undefined>
    /**
     * An app client's OAuth settings, as Create/UpdateUserPoolClient set them (what is left
     * out is empty), checked as Cognito checks them: flows and scopes required when
     * `allowedOAuthFlowsUserPoolClient`, client_credentials only alone, only with a client
     * secret and only with custom scopes, callback and sign-out URLs https (http on
     * loopback), known scopes (`ScopeDoesNotExistException`), known identity providers.
     */
    readonly updateClientOAuth: (
      clientId: string,
      settings: models.OAuthSettingsInput
    ) => Effect.Effect<models.OAuthSettings, AuthError.AuthError>
    /** An app client's OAuth settings (all empty until set). */
    readonly clientOAuth: (clientId: string) => Effect.Effect<models.OAuthSettings>
    /** CreateResourceServer: custom scopes `<identifier>/<scopeName>` for the app clients to allow. */
    readonly createResourceServer: (
      server: models.ResourceServer
    ) => Effect.Effect<models.ResourceServer, AuthError.AuthError>
    readonly resourceServers: Effect.Effect<ReadonlyArray<models.ResourceServer>>
    /**
     * CreateIdentityProvider (type OIDC): "Continue with <providerName>" on the login page of
     * the clients that support it; a sign-in through it makes the user `<providerName>_<sub>`
     * with its `identities`. The domain reaches the provider through the `upstreamHttpClient` option.
     */
    readonly createIdentityProvider: (
      provider: models.IdentityProviderConfig
    ) => Effect.Effect<models.IdentityProviderConfig, AuthError.AuthError>
    readonly identityProviders: Effect.Effect<ReadonlyArray<models.IdentityProviderConfig>>
    /**
     * An `HttpClient` that serves the pool's domain in memory, as Cognito serves it: the
     * authorize, login, token, userInfo, revoke and logout endpoints under the domain's URL,
     * and the discovery document and JWKS under the issuer (404 elsewhere). It does not
     * follow redirects: a test reads the `location` of each 302.
     */
    readonly domainHttpClient: HttpClient.HttpClient
    /** The pool's durable state now, to restore later with the `restore` option. */
    readonly snapshot: Effect.Effect<TestCognitoSnapshot.Snapshot>
    /** The pool's choice-based sign-in settings: `AllowedFirstAuthFactors` and the tier. */
    readonly signInPolicy: Effect.Effect<{
      readonly allowedFirstAuthFactors: ReadonlyArray<AllowedFirstAuthFactor>
      readonly userPoolTier: UserPoolTier
    }>
    /**
     * UpdateUserPool's `Policies.SignInPolicy.AllowedFirstAuthFactors` and `UserPoolTier`
     * (what is left out stays). `PASSWORD` must stay allowed, and a password-less factor on
     * a `LITE` pool is `FeatureUnavailableInTierException`, as Cognito has them.
     */
    readonly setSignInPolicy: (policy: {
      readonly allowedFirstAuthFactors?: ReadonlyArray<AllowedFirstAuthFactor> | undefined
      readonly userPoolTier?: UserPoolTier | undefined
    }) => Effect.Effect<void, AuthError.AuthError>
    /** GetUserPoolMfaConfig's `WebAuthnConfiguration`, with its default filled in; `undefined` when none is set. */
    readonly webAuthnConfiguration: Effect.Effect<Required<WebAuthnConfiguration> | undefined>
    /** SetUserPoolMfaConfig's `WebAuthnConfiguration`; `undefined` removes it. */
    readonly setWebAuthnConfiguration: (
      configuration: WebAuthnConfiguration | undefined
    ) => Effect.Effect<void, AuthError.AuthError>
  }
}

/** The pool's identifier in the context. */
export interface TestCognito {
  readonly _: unique symbol
}

/** The in-memory pool, for tests to drive and inspect. */
export const TestCognito: Context.Service<TestCognito, TestCognito.Service> = internal.tag

/** The pool with its `IdentityProvider`, `IdentityPool` and `AuthConfig`, without `Auth`. */
export const layerCognito = (
  options: Options = {}
): Layer.Layer<
  TestCognito | IdentityProvider.IdentityProvider | IdentityPool.IdentityPool | AuthConfig.AuthConfig,
  AuthError.AuthError
> => Layer.effectContext(internal.make(options))

/** The client side over an existing pool: `Auth` with a memory store and seeded SRP randomness. */
export const layerAuth = (
  options: Options = {}
): Layer.Layer<
  Auth.Auth | TokenStore.TokenStore | SecureRandom.SecureRandom,
  AuthError.AuthError,
  IdentityProvider.IdentityProvider | AuthConfig.AuthConfig
> => {
  const random = SecureRandom.layerSeeded((options.seed ?? 1) + 1)
  return Layer.provideMerge(Auth.layer, Layer.merge(TokenStore.layerMemory, random))
}

/**
 * `Auth` over a fresh TestCognito pool: provides `Auth`, `TestCognito` and the services
 * behind them (`IdentityProvider`, `IdentityPool`, `AuthConfig`, `TokenStore`, `SecureRandom`).
 */
export const layer = (
  options: Options = {}
): Layer.Layer<
  | Auth.Auth
  | TestCognito
  | IdentityProvider.IdentityProvider
  | IdentityPool.IdentityPool
  | AuthConfig.AuthConfig
  | TokenStore.TokenStore
  | SecureRandom.SecureRandom,
  AuthError.AuthError
> => Layer.provideMerge(layerAuth(options), layerCognito(options))
