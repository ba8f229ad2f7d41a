/**
 * The configuration of a TestCognito pool: the pool's options, its identity pool's, and
 * another app client's. `TestCognito.ts` re-exports them.
 *
 * @internal
 */
import type * as AuthConfig from "@effect-cognito/core/AuthConfig"
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import type * as Duration from "effect/Duration"
import type * as HttpClient from "effect/http/HttpClient"
import type * as Redacted from "effect/Redacted"
import type * as TestCognito from "../../TestCognito.js"
import type * as TestCognitoSnapshot from "../../TestCognitoSnapshot.js"
import type { DeviceConfiguration, MfaType } from "./models.js"

/** The password rules of the pool. Cognito's default: 8 characters with all four classes. */
export interface PasswordPolicy {
  readonly minimumLength: number
  readonly requireUppercase: boolean
  readonly requireLowercase: boolean
  readonly requireNumbers: boolean
  readonly requireSymbols: boolean
}

/** The identity pool beside the user pool. */
export interface IdentityPoolOptions {
  /** `<region>:<uuid>`; default a fixed id in the pool's region. */
  readonly identityPoolId?: string | undefined
  /** Guest (unauthenticated) identities. Default true. */
  readonly allowUnauthenticated?: boolean | undefined
  /** How long issued credentials last. Default 1 hour. */
  readonly credentialsValidity?: Duration.Input | undefined
  /** App clients of the user pool whose id tokens the identity pool accepts. Default the pool's client. */
  readonly clientIds?: ReadonlyArray<string> | undefined
  /**
   * External providers the pool trusts, by name (`accounts.google.com`, an OIDC issuer,
   * a developer provider…): each checks a token and returns the user's id at the
   * provider, or `undefined` when it rejects the token.
   */
  readonly federatedProviders?: Readonly<Record<string, (token: string) => string | undefined>> | undefined
  /**
   * Other user pools whose id tokens the identity pool accepts (an identity pool with
   * several user-pool providers), each for the listed app clients. Their tokens are
   * checked against the pool's published JWKS and issuer; logins are keyed by the pool's
   * provider name, `cognito-idp.<region>.amazonaws.com/<userPoolId>`.
   */
  readonly userPools?:
    | ReadonlyArray<{ readonly pool: TestCognito.TestCognito.Service; readonly clientIds: ReadonlyArray<string> }>
    | undefined
}

/** A pool's tier: choice-based sign-in (`USER_AUTH` with a password-less factor) needs `ESSENTIALS` or `PLUS`. */
export type UserPoolTier = "LITE" | "ESSENTIALS" | "PLUS"

/** A first factor a pool can allow (`SignInPolicy.AllowedFirstAuthFactors`); `PASSWORD` covers `PASSWORD_SRP`. */
export type AllowedFirstAuthFactor = Exclude<IdentityProvider.FirstFactor, "PASSWORD_SRP">

/** The pool's passkey relying party (`SetUserPoolMfaConfig`'s `WebAuthnConfiguration`). */
export interface WebAuthnConfiguration {
  /**
   * The relying party id: a domain (`example.com`, `localhost`). Allowed origins are
   * `https://<id>`, and `http(s)://localhost:<port>` when the id is `localhost`.
   */
  readonly relyingPartyId: string
  /** Whether an assertion must carry the UV flag. Default `preferred`. */
  readonly userVerification?: "required" | "preferred" | undefined
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
  /**
   * Device tracking (Cognito's `DeviceConfiguration`). Default none: the pool tracks no
   * device, returns no `NewDeviceMetadata` and ignores a `DEVICE_KEY`.
   */
  readonly deviceConfiguration?: DeviceConfiguration | undefined
  /**
   * `SignInPolicy.AllowedFirstAuthFactors`: the first factors of choice-based sign-in
   * (`USER_AUTH`). Default `["PASSWORD"]`, as Cognito's. A password-less factor lets
   * `SignUp` go without a password.
   */
  readonly allowedFirstAuthFactors?: ReadonlyArray<AllowedFirstAuthFactor> | undefined
  /** The pool's tier. Default `ESSENTIALS`, as Cognito's for a new pool. */
  readonly userPoolTier?: UserPoolTier | undefined
  /** The passkey relying party. Default none: passkeys cannot be registered (`WebAuthnConfigurationMissingException`). */
  readonly webAuthn?: WebAuthnConfiguration | undefined
  /**
   * The app client's `ExplicitAuthFlows`: with them, `USER_AUTH` needs `ALLOW_USER_AUTH`
   * (else `InvalidParameterException`). Default none: every flow is allowed.
   */
  readonly explicitAuthFlows?: ReadonlyArray<string> | undefined
  /** Attributes the pool's schema requires at sign-up. Default none. */
  readonly requiredAttributes?: ReadonlyArray<string> | undefined
  /**
   * The custom attributes of the pool's schema, with or without their `custom:` prefix
   * (`["badge"]` declares `custom:badge`), as CreateUserPool's `Schema` declares them: a
   * `custom:` attribute outside them is refused with `InvalidParameterException`, as
   * Cognito refuses what its schema does not declare. Default: no schema is checked, and
   * any `custom:` attribute is taken, up to 50 per user (Cognito's limit of custom
   * attributes in a schema).
   */
  readonly customAttributes?: ReadonlyArray<string> | undefined
  /**
   * Cognito's `AttributesRequireVerificationBeforeUpdate`: a user's change of these keeps
   * the old (verified) value until the code sent to the new one confirms it. Default none:
   * a change applies at once, unverified.
   */
  readonly attributesRequireVerificationBeforeUpdate?: ReadonlyArray<"email" | "phone_number"> | undefined
  readonly tokenValidity?:
    | {
        readonly accessToken?: Duration.Input | undefined
        readonly idToken?: Duration.Input | undefined
        readonly refreshToken?: Duration.Input | undefined
      }
    | undefined
  readonly codeValidity?:
    | {
        /** Default 24 hours. */
        readonly signUp?: Duration.Input | undefined
        /** Default 1 hour. */
        readonly forgotPassword?: Duration.Input | undefined
        /** SMS and email MFA codes. Default 3 minutes. */
        readonly mfa?: Duration.Input | undefined
      }
    | undefined
  /** How long an admin-created user's temporary password works. Default 7 days, as Cognito's. */
  readonly temporaryPasswordValidity?: Duration.Input | undefined
  /** How long a challenge session lives. Default 3 minutes. */
  readonly sessionValidity?: Duration.Input | undefined
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
  /**
   * The base URL of the pool's Cognito domain, from its prefix (`CreateUserPoolDomain`).
   * Default Cognito's, `https://<prefix>.auth.<region>.amazoncognito.com`; a server that
   * serves the domain itself (the local Cognito) puts its own URL here.
   */
  readonly domainUrl?: ((domain: string) => string) | undefined
  /**
   * How the domain reaches the identity providers' endpoints (discovery, token, keys,
   * userinfo) for "Continue with <provider>". Default none: a federated sign-in ends on
   * the domain's error page. `TestOidcProvider`'s `httpClient` serves one in memory.
   */
  readonly upstreamHttpClient?: HttpClient.HttpClient | undefined
  /**
   * Starts from a snapshot (`TestCognito.TestCognito.Service.snapshot`, or `TestCognitoSnapshot.fromJson`)
   * instead of an empty pool: the pool's settings, clients, users, tokens, identity pools,
   * signing key and randomness come from it and win over these options, which still supply
   * what a snapshot cannot hold (`customAuth`, `federatedProviders`, `issuer`, `config`).
   */
  readonly restore?: TestCognitoSnapshot.Snapshot | undefined
}

/** Another app client of the same pool. */
export interface Client {
  readonly clientId: string
  /** Gives the app client a secret: SECRET_HASH is then required and checked. */
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  /** Lifetimes of the tokens issued to this client. Default the pool's `tokenValidity`. */
  readonly tokenValidity?: Options["tokenValidity"]
  /** The client's `ExplicitAuthFlows` (see `Options.explicitAuthFlows`). Default none: every flow is allowed. */
  readonly explicitAuthFlows?: ReadonlyArray<string> | undefined
}
