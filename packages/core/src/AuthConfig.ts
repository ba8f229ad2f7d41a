/**
 * The configuration of an app client: region, user pool, app client (with its secret,
 * if it has one), optional identity pool and endpoint overrides.
 *
 * It is validated once, when a layer is built: a malformed pool id or a region that
 * does not match fails there with `AuthError` reason `InvalidConfig`, naming the field.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as AuthError from "./AuthError.js"
import * as tags from "./internal/tags.js"

/** What a user writes. */
export interface Input {
  /** AWS region, e.g. `"eu-west-1"`. */
  readonly region: string
  /** `<region>_<id>`, e.g. `"eu-west-1_AbCdEf123"`. */
  readonly userPoolId: string
  /** The app client id. */
  readonly clientId: string
  /** The app client secret, for app clients that have one (server-side apps). */
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  /** `<region>:<uuid>`; required for AWS credentials. */
  readonly identityPoolId?: string | undefined
  /** Endpoint overrides, e.g. a local emulator: `http://127.0.0.1:9229/`. */
  readonly endpoints?:
    | {
        readonly identityProvider?: string | undefined
        readonly identityPool?: string | undefined
      }
    | undefined
  /** Tokens are refreshed when they expire within this window. Default 5 minutes. */
  readonly refreshWindow?: Duration.DurationInput | undefined
  /** Use `GetTokensFromRefreshToken` (refresh-token rotation) instead of `REFRESH_TOKEN_AUTH`. */
  readonly refreshTokenRotation?: boolean | undefined
  /** Per-request timeout of the HTTP clients. Default 10 seconds. */
  readonly requestTimeout?: Duration.DurationInput | undefined
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
  readonly requestTimeout: Duration.Duration
}

/** The validated configuration as a service. */
/** The service's identifier in the context. */
export interface AuthConfig {
  readonly _: unique symbol
}

export const AuthConfig: Context.Tag<AuthConfig, Validated> = tags.authConfig

const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d+$/
const userPoolIdPattern = /^([a-z]{2}(?:-[a-z]+)+-\d+)_([0-9A-Za-z]+)$/
const identityPoolIdPattern =
  /^([a-z]{2}(?:-[a-z]+)+-\d+):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const clientIdPattern = /^[\w+]{1,128}$/

const invalid = (field: string, expected: string, found: string) =>
  Effect.fail(AuthError.make("InvalidConfig", "AuthConfig", `${field}: expected ${expected}, found ${found}`))

const show = (value: string) => (value === "" ? "an empty string" : JSON.stringify(value))

const endpoint = (field: string, value: string | undefined, fallback: string) => {
  if (value === undefined) return Effect.succeed(fallback)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return invalid(field, "an absolute http(s) URL", show(value))
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return invalid(field, "an http(s) URL", show(value))
  return Effect.succeed(url.href)
}

const duration = (field: string, value: Duration.DurationInput | undefined, fallback: Duration.Duration) => {
  if (value === undefined) return Effect.succeed(fallback)
  const decoded = Duration.decodeUnknown(value)
  if (decoded._tag === "None" || !Duration.isFinite(decoded.value))
    return invalid(field, "a finite duration", show(String(value)))
  return Effect.succeed(decoded.value)
}

/** Validates an input. Fails with reason `InvalidConfig` and a message naming the field. */
export const make = (input: Input): Effect.Effect<Validated, AuthError.AuthError> =>
  Effect.gen(function* () {
    if (!regionPattern.test(input.region))
      return yield* invalid("region", "an AWS region like eu-west-1", show(input.region))
    const pool = userPoolIdPattern.exec(input.userPoolId)
    if (pool === null) return yield* invalid("userPoolId", "<region>_<id>", show(input.userPoolId))
    if (pool[1] !== input.region)
      return yield* invalid("userPoolId", `a pool in region ${input.region}`, `a pool in region ${pool[1]}`)
    if (!clientIdPattern.test(input.clientId))
      return yield* invalid("clientId", "1 to 128 letters, digits, _ or +", show(input.clientId))
    if (input.identityPoolId !== undefined) {
      const identity = identityPoolIdPattern.exec(input.identityPoolId)
      if (identity === null) return yield* invalid("identityPoolId", "<region>:<uuid>", show(input.identityPoolId))
      if (identity[1] !== input.region)
        return yield* invalid("identityPoolId", `a pool in region ${input.region}`, `a pool in region ${identity[1]}`)
    }
    const identityProviderEndpoint = yield* endpoint(
      "endpoints.identityProvider",
      input.endpoints?.identityProvider,
      `https://cognito-idp.${input.region}.amazonaws.com/`
    )
    const identityPoolEndpoint = yield* endpoint(
      "endpoints.identityPool",
      input.endpoints?.identityPool,
      `https://cognito-identity.${input.region}.amazonaws.com/`
    )
    const refreshWindow = yield* duration("refreshWindow", input.refreshWindow, Duration.minutes(5))
    const requestTimeout = yield* duration("requestTimeout", input.requestTimeout, Duration.seconds(10))
    return {
      region: input.region,
      userPoolId: input.userPoolId,
      poolName: pool[2]!,
      clientId: input.clientId,
      clientSecret: input.clientSecret,
      identityPoolId: input.identityPoolId,
      identityProviderEndpoint,
      identityPoolEndpoint,
      loginProvider: `cognito-idp.${input.region}.amazonaws.com/${input.userPoolId}`,
      refreshWindow,
      refreshTokenRotation: input.refreshTokenRotation ?? false,
      requestTimeout
    } satisfies Validated
  })

/** Validates the input when the layer is built. */
export const layer = (input: Input): Layer.Layer<AuthConfig, AuthError.AuthError> =>
  Layer.effect(AuthConfig, make(input))

/**
 * Reads the configuration from `Config` (by default the environment):
 * `COGNITO_REGION`, `COGNITO_USER_POOL_ID`, `COGNITO_CLIENT_ID`, optional
 * `COGNITO_CLIENT_SECRET`, `COGNITO_IDENTITY_POOL_ID`, `COGNITO_ENDPOINT`, `COGNITO_IDENTITY_ENDPOINT`.
 */
export const config: Config.Config<Input> = Config.all({
  region: Config.string("COGNITO_REGION"),
  userPoolId: Config.string("COGNITO_USER_POOL_ID"),
  clientId: Config.string("COGNITO_CLIENT_ID"),
  clientSecret: Config.option(Config.redacted("COGNITO_CLIENT_SECRET")),
  identityPoolId: Config.option(Config.string("COGNITO_IDENTITY_POOL_ID")),
  identityProvider: Config.option(Config.string("COGNITO_ENDPOINT")),
  identityPool: Config.option(Config.string("COGNITO_IDENTITY_ENDPOINT"))
}).pipe(
  Config.map(
    (c): Input => ({
      region: c.region,
      userPoolId: c.userPoolId,
      clientId: c.clientId,
      clientSecret: c.clientSecret._tag === "Some" ? c.clientSecret.value : undefined,
      identityPoolId: c.identityPoolId._tag === "Some" ? c.identityPoolId.value : undefined,
      endpoints: {
        identityProvider: c.identityProvider._tag === "Some" ? c.identityProvider.value : undefined,
        identityPool: c.identityPool._tag === "Some" ? c.identityPool.value : undefined
      }
    })
  )
)

/** `layer` over {@link config}; a missing variable fails with `InvalidConfig`. */
export const layerConfig = (source: Config.Config<Input> = config): Layer.Layer<AuthConfig, AuthError.AuthError> =>
  Layer.effect(
    AuthConfig,
    source.pipe(
      Effect.mapError((e) => AuthError.make("InvalidConfig", "AuthConfig", String(e))),
      Effect.flatMap(make)
    )
  )
