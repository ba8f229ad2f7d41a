/**
 * An in-memory, deterministic Cognito user pool that behaves like the real one, so
 * flows are tested against Cognito's rules rather than a script: password policy,
 * confirmation codes delivered to an outbox, codes that expire by `Clock`, server-side
 * SRP with real math, MFA (SMS, TOTP, email), admin-created users, refresh tokens that
 * RevokeToken and GlobalSignOut really invalidate, RS256 JWTs with Cognito's claims,
 * Cognito's exception names, a request log and injected faults.
 *
 * @example
 * ```ts
 * program.pipe(Effect.provide(TestCognito.layer({ mfa: "OPTIONAL" })))
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
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/testCognito/make.js"

/** The password rules of the pool. Cognito's default: 8 characters with all four classes. */
export interface PasswordPolicy {
  readonly minimumLength: number
  readonly requireUppercase: boolean
  readonly requireLowercase: boolean
  readonly requireNumbers: boolean
  readonly requireSymbols: boolean
}

export type MfaType = IdentityProvider.MfaType

/** An action TestCognito serves: the user pool's and the identity pool's (`GetId`, `GetCredentialsForIdentity`). */
export type Action = IdentityProvider.Action | (typeof IdentityPool.actions)[keyof typeof IdentityPool.actions]

/** The identity pool beside the user pool. */
export interface IdentityPoolOptions {
  /** `<region>:<uuid>`; default a fixed id in the pool's region. */
  readonly identityPoolId?: string | undefined
  /** Guest (unauthenticated) identities. Default true. */
  readonly allowUnauthenticated?: boolean | undefined
  /** How long issued credentials last. Default 1 hour. */
  readonly credentialsValidity?: Duration.DurationInput | undefined
  /** App clients of the user pool whose id tokens the identity pool accepts. Default the pool's client. */
  readonly clientIds?: ReadonlyArray<string> | undefined
  /**
   * External providers the pool trusts, by name (`accounts.google.com`, an OIDC issuer,
   * a developer provider…): each checks a token and returns the user's id at the
   * provider, or `undefined` when it rejects the token.
   */
  readonly federatedProviders?: Readonly<Record<string, (token: string) => string | undefined>> | undefined
}

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

export interface Options {
  readonly region?: string | undefined
  readonly userPoolId?: string | undefined
  readonly clientId?: string | undefined
  /** Gives the app client a secret: SECRET_HASH is then required and checked. */
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  /** Confirm users at sign-up (a pre-sign-up Lambda that auto-confirms). Default false. */
  readonly autoConfirm?: boolean | undefined
  readonly passwordPolicy?: Partial<PasswordPolicy> | undefined
  /** The pool's MFA configuration. Default `"OPTIONAL"`. */
  readonly mfa?: "OFF" | "OPTIONAL" | "ON" | undefined
  /** MFA methods the pool allows. Default all three. */
  readonly mfaTypes?: ReadonlyArray<MfaType> | undefined
  /** Attributes the pool's schema requires at sign-up. Default none. */
  readonly requiredAttributes?: ReadonlyArray<string> | undefined
  readonly tokenValidity?:
    | {
        readonly accessToken?: Duration.DurationInput | undefined
        readonly idToken?: Duration.DurationInput | undefined
        readonly refreshToken?: Duration.DurationInput | undefined
      }
    | undefined
  readonly codeValidity?:
    | {
        /** Default 24 hours. */
        readonly signUp?: Duration.DurationInput | undefined
        /** Default 1 hour. */
        readonly forgotPassword?: Duration.DurationInput | undefined
        /** SMS and email MFA codes. Default 3 minutes. */
        readonly mfa?: Duration.DurationInput | undefined
      }
    | undefined
  /** How long a challenge session lives. Default 3 minutes. */
  readonly sessionValidity?: Duration.DurationInput | undefined
  /** Wrong passwords or codes in a row before Cognito refuses. Default 5. */
  readonly attemptLimit?: number | undefined
  /** Answer UserNotFound as NotAuthorized, as pools with "prevent user existence errors" do. Default false. */
  readonly preventUserExistenceErrors?: boolean | undefined
  /** The custom-auth Lambdas: one challenge, answered right or the sign-in fails. */
  readonly customAuth?:
    | {
        readonly challenge: (username: string) => {
          readonly parameters: Readonly<Record<string, string>>
          readonly answer: string
        }
      }
    | undefined
  /** Seed of the server's randomness (codes, salts, ids) and of the client's SRP randomness. Default 1. */
  readonly seed?: number | undefined
  /** The identity pool (on by default, guests allowed); `false`: none, and no `identityPoolId` in the config. */
  readonly identityPool?: IdentityPoolOptions | false | undefined
  /** Client configuration beyond the pool: refresh window, rotation, timeouts. */
  readonly config?: Partial<AuthConfig.Input> | undefined
  /**
   * The `iss` of the pool's tokens. Default Cognito's, `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`;
   * a server that publishes the pool's JWKS puts its own URL here, so verifiers find the keys under it.
   */
  readonly issuer?: string | undefined
}

/** Another app client of the same pool. */
export interface Client {
  readonly clientId: string
  /** Gives the app client a secret: SECRET_HASH is then required and checked. */
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  /** Lifetimes of the tokens issued to this client. Default the pool's `tokenValidity`. */
  readonly tokenValidity?: Options["tokenValidity"]
}

/** A user as the admin API lists it. */
export interface UserView {
  readonly username: string
  readonly status: UserStatus
  readonly enabled: boolean
  readonly attributes: Readonly<Record<string, string>>
}

/** A code Cognito "delivered": what the user would find in their mail or SMS. */
export interface Message {
  readonly username: string
  readonly medium: "EMAIL" | "SMS"
  readonly destination: string
  /** `Invitation`: AdminCreateUser's welcome message, whose `code` is the temporary password. */
  readonly purpose: "SignUp" | "ForgotPassword" | "Mfa" | "Invitation"
  /** The code, or the temporary password of an invitation. */
  readonly code: Redacted.Redacted<string>
  readonly at: number
}

/** A request TestCognito served (or failed). */
export interface Request {
  readonly action: Action
  readonly at: number
}

/** A failure to inject into the next call of an action. */
export type Fault =
  | "TooManyRequests"
  | "InternalError"
  | "Transport"
  | { readonly exception: string; readonly message?: string | undefined }

export type UserStatus = "UNCONFIRMED" | "CONFIRMED" | "FORCE_CHANGE_PASSWORD" | "RESET_REQUIRED"

export declare namespace TestCognito {
  export interface Service {
    /** The `IdentityProvider` this pool answers as. */
    readonly provider: IdentityProvider.IdentityProvider.Service
    readonly config: AuthConfig.Validated
    /** The last code sent to a user. */
    readonly lastCodeFor: (username: string) => Effect.Effect<Redacted.Redacted<string>, Cause.NoSuchElementException>
    readonly outbox: Effect.Effect<ReadonlyArray<Message>>
    /** Every request served, in order. */
    readonly requests: Effect.Effect<ReadonlyArray<Request>>
    /** How many requests of an action (or of all actions) were served. */
    readonly requestCount: (action?: Action) => Effect.Effect<number>
    /** Makes the next `times` calls of `action` fail with `fault`. */
    readonly failNext: (action: Action, fault: Fault, times?: number) => Effect.Effect<void>
    /**
     * Another identity pool over this user pool: a service over the same users, sessions
     * and tokens whose `identityPool` has its own id, identities and credentials, and
     * accepts the id tokens of `clientIds` (default this service's client). A server that
     * hosts several identity pools (the local Cognito) makes one per `CreateIdentityPool`.
     */
    readonly withIdentityPool: (
      options: IdentityPoolOptions & { readonly identityPoolId: string }
    ) => Effect.Effect<TestCognito.Service, AuthError.AuthError>
    /** The `IdentityPool` this pool answers as (GetId, GetCredentialsForIdentity). */
    readonly identityPool: IdentityPool.IdentityPool.Service
    /** The identity pool's identities. */
    readonly identities: Effect.Effect<ReadonlyArray<IdentityView>>
    /** Every set of credentials the identity pool issued, in order. */
    readonly issuedCredentials: Effect.Effect<ReadonlyArray<IssuedCredentials>>
    /** The secret key and session token of issued credentials, to verify a signature made with them. */
    readonly credentialsOf: (
      accessKeyId: string
    ) => Effect.Effect<
      { readonly secretAccessKey: Redacted.Redacted<string>; readonly sessionToken: Redacted.Redacted<string> },
      Cause.NoSuchElementException
    >
    /** Moves the server's clock relative to `Clock` (positive: the server is ahead of the device). */
    readonly setClockOffset: (offset: Duration.DurationInput) => Effect.Effect<void>
    /**
     * AdminCreateUser: the user must set a new password at first sign-in. Without a
     * `temporaryPassword` the pool generates one that meets its policy. As Cognito does,
     * the pool sends an invitation holding the temporary password (an outbox message with
     * purpose `Invitation`) to each of `desiredDeliveryMediums` (default SMS) the user has
     * an address for, unless `messageAction` is `SUPPRESS`.
     */
    readonly adminCreateUser: (input: {
      readonly username: string
      readonly temporaryPassword?: Redacted.Redacted<string> | undefined
      readonly userAttributes?: Readonly<Record<string, string>> | undefined
      readonly messageAction?: "SUPPRESS" | undefined
      readonly desiredDeliveryMediums?: ReadonlyArray<"EMAIL" | "SMS"> | undefined
    }) => Effect.Effect<void, AuthError.AuthError>
    /** Enables MFA methods for a user (TOTP needs `adminEnableTotp` first). */
    readonly adminSetUserMfa: (
      username: string,
      settings: {
        readonly sms?: boolean | undefined
        readonly totp?: boolean | undefined
        readonly email?: boolean | undefined
        readonly preferred?: MfaType | undefined
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
        readonly status: UserStatus
        readonly enabled: boolean
        readonly attributes: Readonly<Record<string, string>>
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
    readonly listUsers: Effect.Effect<ReadonlyArray<UserView>>
    /**
     * Another app client of this pool: a service over the same users, sessions, tokens,
     * outbox and request log that answers as that client (its id, secret and token
     * lifetimes). Refresh tokens work only with the client they were issued to.
     */
    readonly withClient: (client: Client) => Effect.Effect<TestCognito.Service, AuthError.AuthError>
    /** The pool's public keys, as Cognito publishes them (for verifying tokens). */
    readonly jwks: Effect.Effect<{ readonly keys: ReadonlyArray<JsonWebKey> }>
    /** The issuer (`iss`) of this pool's tokens. */
    readonly issuer: string
  }
}

/** The pool's identifier in the context. */
export interface TestCognito {
  readonly _: unique symbol
}

/** The in-memory pool, for tests to drive and inspect. */
export const TestCognito: Context.Tag<TestCognito, TestCognito.Service> = internal.tag

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
