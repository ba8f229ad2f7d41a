/**
 * The configuration of an app client: region, user pool, app client (with its secret,
 * if it has one), optional identity pool and endpoint overrides.
 *
 * It is validated once, when a layer is built: a malformed pool id or a region that
 * does not match fails there with `AuthError` reason `InvalidConfig`, naming the field;
 * every problem of an input is named at once, in one message.
 * Every field is checked, whatever a caller passes at run time: durations must be finite
 * and not negative (`requestTimeout` also above zero), endpoints must be http(s) URLs
 * without credentials (`user:pass@`, which would otherwise reach error messages; they
 * are never echoed), and `maxResponseBytes` a positive integer. Endpoints are derived
 * from the region and its partition: `amazonaws.com`, or `amazonaws.com.cn` for the
 * China regions (`cn-north-1`, `cn-northwest-1`).
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as AuthError from "./AuthError.js"
import * as check from "./internal/authConfigCheck.js"
import * as variables from "./internal/authConfigVariables.js"
import * as tags from "./internal/tags.js"

/** What a user writes. */
export interface Input {
  /** AWS region, e.g. `"eu-west-1"`. */
  readonly region: string
  /**
   * `<region>_<id>`, e.g. `"eu-west-1_AbCdEf123"`, or an emulator's `local_<id>` (cognito-local's,
   * e.g. `"local_4DbQ4hXK"`): that one names no region, so `region` is the pool's, and an
   * endpoint is required.
   */
  readonly userPoolId: string
  /** The app client id. */
  readonly clientId: string
  /** The app client secret, for app clients that have one (server-side apps). */
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  /** `<region>:<uuid>`; required for AWS credentials. */
  readonly identityPoolId?: string | undefined
  /**
   * Endpoint overrides, e.g. a local emulator: `http://127.0.0.1:9229/`. One of the two given
   * is the endpoint of both pools (an emulator serves both on one), so no call leaves for AWS
   * because only one was named; name both to split them.
   */
  readonly endpoints?:
    | {
        readonly identityProvider?: string | undefined
        readonly identityPool?: string | undefined
      }
    | undefined
  /** Tokens are refreshed when they expire within this window. Default 5 minutes. */
  readonly refreshWindow?: Duration.Input | undefined
  /** Use `GetTokensFromRefreshToken` (refresh-token rotation) instead of `REFRESH_TOKEN_AUTH`. */
  readonly refreshTokenRotation?: boolean | undefined
  /**
   * Identity-pool credentials are renewed when they expire within this margin (by `Clock`,
   * corrected for the measured clock skew). Default 5 minutes.
   */
  readonly credentialsRefreshMargin?: Duration.Input | undefined
  /** Per-request timeout of the HTTP clients, above zero. Default 10 seconds. */
  readonly requestTimeout?: Duration.Input | undefined
  /**
   * How long Cognito answers a sign-in challenge: the app client's `AuthSessionValidity`
   * (3 to 15 minutes). A pending sign-in older than this fails with `SessionExpired`.
   * Default 3 minutes, Cognito's default; above zero and at most 15 minutes.
   */
  readonly authSessionValidity?: Duration.Input | undefined
  /**
   * The largest response body the HTTP clients read, in bytes; a larger one fails with
   * `InvalidResponse` without being read further. Default {@link defaultMaxResponseBytes} (1 MiB).
   */
  readonly maxResponseBytes?: number | undefined
  /**
   * The Cognito domain, for sign-in through it (the hosted UI / managed login, social
   * providers; see `OAuth`). Absent: the redirect methods of `Auth` fail with `InvalidConfig`.
   */
  readonly oauth?: OAuthInput | undefined
}

/** The Cognito domain settings of an app client, as a user writes them. */
export interface OAuthInput {
  /**
   * The domain's base URL: `https://<prefix>.auth.<region>.amazoncognito.com`, a custom
   * domain, or a local Cognito's. Taken as given, never built from a prefix.
   */
  readonly domain: string
  /** The default `redirect_uri` of a sign-in: one of the app client's callback URLs. */
  readonly redirectSignIn?: string | undefined
  /** The default `logout_uri` of the domain's logout: one of the app client's sign-out URLs. */
  readonly redirectSignOut?: string | undefined
  /**
   * The scopes asked for by default; `openid` is always added. Default `["openid"]`. Add
   * `aws.cognito.signin.user.admin` for tokens that may call the user pool's own API
   * (attributes, devices, password change).
   */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** How long a pending authorization can be completed, by `Clock`. Default 10 minutes. */
  readonly pendingValidity?: Duration.Input | undefined
}

/** The Cognito domain settings, validated. */
export interface OAuthSettings {
  /** The domain's base URL, without a trailing slash. */
  readonly domain: string
  readonly redirectSignIn: string | undefined
  readonly redirectSignOut: string | undefined
  /** Always holds `openid`. */
  readonly scopes: ReadonlyArray<string>
  readonly pendingValidity: Duration.Duration
}

/** A validated configuration. Everything the core derives from the input lives here. */
export interface Validated {
  readonly region: string
  readonly userPoolId: string
  /** The part of the pool id after `_`; SRP hashes it. */
  readonly poolName: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string> | undefined
  readonly identityPoolId: string | undefined
  readonly identityProviderEndpoint: string
  readonly identityPoolEndpoint: string
  /** The key of this user pool in an identity pool's `Logins` map. */
  readonly loginProvider: string
  readonly refreshWindow: Duration.Duration
  readonly refreshTokenRotation: boolean
  readonly credentialsRefreshMargin: Duration.Duration
  readonly requestTimeout: Duration.Duration
  readonly authSessionValidity: Duration.Duration
  readonly maxResponseBytes: number
  /** The Cognito domain settings, when configured. */
  readonly oauth?: OAuthSettings | undefined
}

/** The service's identifier in the context. */
export interface AuthConfig {
  readonly _: unique symbol
}

/** The validated configuration as a service. */
export const AuthConfig: Context.Service<AuthConfig, Validated> = tags.authConfig

/**
 * The default cap on a response body: 1 MiB. Cognito's largest answers (tokens with many
 * groups, a user with every attribute) are tens of kilobytes.
 */
export const defaultMaxResponseBytes = 1024 * 1024

/** Validates an input. Fails with reason `InvalidConfig` and one message naming every field that is wrong. */
export const make: (input: Input) => Effect.Effect<Validated, AuthError.AuthError> = check.make

/** Validates the input when the layer is built. */
export const layer = (input: Input): Layer.Layer<AuthConfig, AuthError.AuthError> =>
  Layer.effect(AuthConfig, make(input))

/** The region of a user pool id (`eu-west-1_AbC` → `eu-west-1`), if it is one (an emulator's `local_<id>` names none). */
export const regionOfUserPoolId = (userPoolId: string): string | undefined =>
  check.userPoolIdPattern.exec(userPoolId)?.[1]

/**
 * Reads the configuration from `Config` (by default the environment; any `ConfigProvider`
 * works, nested prefixes too):
 *
 * | variable | |
 * |---|---|
 * | `COGNITO_USER_POOL_ID` | required, `<region>_<id>`, or an emulator's `local_<id>` (then `COGNITO_REGION` and `COGNITO_ENDPOINT` are required) |
 * | `COGNITO_CLIENT_ID` | required |
 * | `COGNITO_REGION` | optional: the user pool id's region; when set, it must match it |
 * | `COGNITO_CLIENT_SECRET` | optional, read as `Redacted`, never shown |
 * | `COGNITO_IDENTITY_POOL_ID` | optional, `<region>:<uuid>` in the same region |
 * | `COGNITO_ENDPOINT`, `COGNITO_IDENTITY_ENDPOINT` | optional http(s) URLs (a local emulator) |
 * | `COGNITO_AUTH_SESSION_VALIDITY` | optional, the app client's challenge lifetime, e.g. `15 minutes` (at most 15) |
 * | `COGNITO_DOMAIN` | optional: the Cognito domain's base URL (sign-in through the domain) |
 * | `COGNITO_REDIRECT_URI`, `COGNITO_LOGOUT_URI` | optional, with `COGNITO_DOMAIN`: its default redirect and logout URIs |
 * | `COGNITO_SCOPES` | optional, with `COGNITO_DOMAIN`: scopes separated by spaces or commas |
 *
 * Every variable is checked as it is read: a missing or malformed one fails with a
 * `ConfigError` at its name, saying what was expected (a secret, or a URL with an `@`,
 * is never echoed), and every problem is reported at once.
 */
export const config: Config.Config<Input> = variables.config

/**
 * One line naming each variable that is missing or malformed, e.g.
 * `COGNITO_CLIENT_ID is missing; COGNITO_USER_POOL_ID: expected <region>_<id>, …, found "x"`.
 * The messages of {@link config} already name their variable; other `Config`s get the path.
 */
export const describeConfigError: (error: Config.ConfigError) => string = variables.describeConfigError

/** `layer` over {@link config}; a missing or malformed variable fails with `InvalidConfig` naming it. */
export const layerConfig = (source: Config.Config<Input> = config): Layer.Layer<AuthConfig, AuthError.AuthError> =>
  Layer.effect(
    AuthConfig,
    source.pipe(
      Effect.mapError((e) => AuthError.make("InvalidConfig", "AuthConfig", describeConfigError(e))),
      Effect.flatMap(make)
    )
  )
