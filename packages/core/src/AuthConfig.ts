/**
 * The configuration of an app client: region, user pool, app client (with its secret,
 * if it has one), optional identity pool and endpoint overrides.
 *
 * It is validated once, when a layer is built: a malformed pool id or a region that
 * does not match fails there with `AuthError` reason `InvalidConfig`, naming the field.
 * Every field is checked, whatever a caller passes at run time: durations must be finite
 * and not negative (`requestTimeout` also above zero), endpoints must be http(s) URLs
 * without credentials (`user:pass@`, which would otherwise reach error messages; they
 * are never echoed), and `maxResponseBytes` a positive integer. Endpoints are derived
 * from the region and its partition: `amazonaws.com`, or `amazonaws.com.cn` for the
 * China regions (`cn-north-1`, `cn-northwest-1`).
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
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
  /**
   * Identity-pool credentials are renewed when they expire within this margin (by `Clock`,
   * corrected for the measured clock skew). Default 5 minutes.
   */
  readonly credentialsRefreshMargin?: Duration.DurationInput | undefined
  /** Per-request timeout of the HTTP clients, above zero. Default 10 seconds. */
  readonly requestTimeout?: Duration.DurationInput | undefined
  /**
   * The largest response body the HTTP clients read, in bytes; a larger one fails with
   * `InvalidResponse` without being read further. Default {@link defaultMaxResponseBytes} (1 MiB).
   */
  readonly maxResponseBytes?: number | undefined
}

/**
 * The default cap on a response body: 1 MiB. Cognito's largest answers (tokens with many
 * groups, a user with every attribute) are tens of kilobytes.
 */
export const defaultMaxResponseBytes = 1024 * 1024

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
  readonly maxResponseBytes: number
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

/** A value for a message: short strings quoted, anything else by its kind only. */
const show = (value: unknown): string => {
  if (typeof value === "string") {
    if (value === "") return "an empty string"
    return value.length <= 200 ? JSON.stringify(value) : `a string of ${value.length} characters`
  }
  if (typeof value === "number") return String(value)
  if (value === null) return "null"
  if (Array.isArray(value)) return "an array"
  return typeof value === "object" ? "an object" : `a ${typeof value}`
}

/** A required string field, checked against a pattern. */
const matching = (field: string, value: unknown, pattern: RegExp, expected: string) =>
  typeof value === "string" && pattern.test(value) ? Effect.succeed(value) : invalid(field, expected, show(value))

/** The DNS suffix of a region's partition. */
const dnsSuffix = (region: string) => (region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com")

const endpoint = (field: string, value: unknown, fallback: string) => {
  if (value === undefined) return Effect.succeed(fallback)
  if (typeof value !== "string") return invalid(field, "an absolute http(s) URL", show(value))
  // Whatever it is, a value with an "@" may hold credentials: it is never echoed.
  const shown = value.includes("@") ? "a URL with an @ (not shown)" : show(value)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return invalid(field, "an absolute http(s) URL", shown)
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return invalid(field, "an http(s) URL", shown)
  if (url.username !== "" || url.password !== "")
    return invalid(field, "a URL without credentials", "a user name or password before @ (not shown)")
  return Effect.succeed(url.href)
}

/** Is any number in a duration input negative or NaN? `Duration` would silently make it zero. */
const negativeOrNaN = (value: unknown): boolean => {
  if (typeof value === "number") return Number.isNaN(value) || value < 0
  if (typeof value === "bigint") return value < BigInt(0)
  if (typeof value === "string") return value.trimStart().startsWith("-")
  if (Array.isArray(value)) return value.some(negativeOrNaN)
  return false
}

const duration = (
  field: string,
  value: unknown,
  fallback: Duration.Duration,
  options: { readonly positive: boolean }
) => {
  if (value === undefined) return Effect.succeed(fallback)
  const expected = options.positive ? "a finite duration above zero" : "a finite duration, zero or more"
  if (negativeOrNaN(value)) return invalid(field, expected, show(value))
  const decoded = Duration.decodeUnknown(value)
  if (decoded._tag === "None" || !Duration.isFinite(decoded.value)) return invalid(field, expected, show(value))
  if (options.positive && Duration.isZero(decoded.value)) return invalid(field, expected, show(value))
  return Effect.succeed(decoded.value)
}

const byteCount = (field: string, value: unknown, fallback: number) => {
  if (value === undefined) return Effect.succeed(fallback)
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0
    ? Effect.succeed(value)
    : invalid(field, "a whole number of bytes above zero", show(value))
}

const optionalBoolean = (field: string, value: unknown) =>
  value === undefined || typeof value === "boolean"
    ? Effect.succeed(value ?? false)
    : invalid(field, "true or false", show(value))

/** Validates an input. Fails with reason `InvalidConfig` and a message naming the field. */
export const make = (input: Input): Effect.Effect<Validated, AuthError.AuthError> =>
  Effect.gen(function* () {
    // The type says what a caller should pass; a caller in JavaScript, or reading JSON, may pass anything.
    const raw: { readonly [K in keyof Input]?: unknown } = typeof input === "object" && input !== null ? input : {}
    const region = yield* matching("region", raw.region, regionPattern, "an AWS region like eu-west-1")
    const userPoolId = yield* matching("userPoolId", raw.userPoolId, userPoolIdPattern, "<region>_<id>")
    const pool = userPoolIdPattern.exec(userPoolId)!
    if (pool[1] !== region)
      return yield* invalid("userPoolId", `a pool in region ${region}`, `a pool in region ${pool[1]}`)
    const clientId = yield* matching("clientId", raw.clientId, clientIdPattern, "1 to 128 letters, digits, _ or +")
    const clientSecret = input.clientSecret
    if (
      raw.clientSecret !== undefined &&
      !(Redacted.isRedacted(raw.clientSecret) && typeof Redacted.value(raw.clientSecret) === "string")
    )
      return yield* invalid("clientSecret", "a Redacted string", "a value that is not Redacted (not shown)")
    let identityPoolId: string | undefined
    if (raw.identityPoolId !== undefined) {
      identityPoolId = yield* matching("identityPoolId", raw.identityPoolId, identityPoolIdPattern, "<region>:<uuid>")
      const identityRegion = identityPoolIdPattern.exec(identityPoolId)![1]
      if (identityRegion !== region)
        return yield* invalid("identityPoolId", `a pool in region ${region}`, `a pool in region ${identityRegion}`)
    }
    const endpoints: { readonly identityProvider?: unknown; readonly identityPool?: unknown } =
      typeof raw.endpoints === "object" && raw.endpoints !== null ? raw.endpoints : {}
    if (raw.endpoints !== undefined && (typeof raw.endpoints !== "object" || raw.endpoints === null))
      return yield* invalid("endpoints", "an object", show(raw.endpoints))
    const suffix = dnsSuffix(region)
    const identityProviderEndpoint = yield* endpoint(
      "endpoints.identityProvider",
      endpoints.identityProvider,
      `https://cognito-idp.${region}.${suffix}/`
    )
    const identityPoolEndpoint = yield* endpoint(
      "endpoints.identityPool",
      endpoints.identityPool,
      `https://cognito-identity.${region}.${suffix}/`
    )
    const refreshWindow = yield* duration("refreshWindow", raw.refreshWindow, Duration.minutes(5), { positive: false })
    const credentialsRefreshMargin = yield* duration(
      "credentialsRefreshMargin",
      raw.credentialsRefreshMargin,
      Duration.minutes(5),
      { positive: false }
    )
    const requestTimeout = yield* duration("requestTimeout", raw.requestTimeout, Duration.seconds(10), {
      positive: true
    })
    const maxResponseBytes = yield* byteCount("maxResponseBytes", raw.maxResponseBytes, defaultMaxResponseBytes)
    const refreshTokenRotation = yield* optionalBoolean("refreshTokenRotation", raw.refreshTokenRotation)
    return {
      region,
      userPoolId,
      poolName: pool[2]!,
      clientId,
      clientSecret,
      identityPoolId,
      identityProviderEndpoint,
      identityPoolEndpoint,
      loginProvider: `cognito-idp.${region}.${suffix}/${userPoolId}`,
      refreshWindow,
      refreshTokenRotation,
      credentialsRefreshMargin,
      requestTimeout,
      maxResponseBytes
    } satisfies Validated
  })

/** Validates the input when the layer is built. */
export const layer = (input: Input): Layer.Layer<AuthConfig, AuthError.AuthError> =>
  Layer.effect(AuthConfig, make(input))

/**
 * Reads the configuration from `Config` (by default the environment):
 * `COGNITO_REGION`, `COGNITO_USER_POOL_ID`, `COGNITO_CLIENT_ID`, optional
 * `COGNITO_CLIENT_SECRET`, `COGNITO_IDENTITY_POOL_ID`, `COGNITO_ENDPOINT`, `COGNITO_IDENTITY_ENDPOINT`.
 * Built in a pure-annotated thunk so a bundle that never reads it leaves `effect/Config` out.
 */
export const config: Config.Config<Input> = /* @__PURE__ */ (() =>
  Config.all({
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
  ))()

/** `layer` over {@link config}; a missing variable fails with `InvalidConfig`. */
export const layerConfig = (source: Config.Config<Input> = config): Layer.Layer<AuthConfig, AuthError.AuthError> =>
  Layer.effect(
    AuthConfig,
    source.pipe(
      Effect.mapError((e) => AuthError.make("InvalidConfig", "AuthConfig", String(e))),
      Effect.flatMap(make)
    )
  )
