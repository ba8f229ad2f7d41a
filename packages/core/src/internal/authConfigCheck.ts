/**
 * The checks behind `AuthConfig.make`: the id patterns, the partition's endpoints,
 * durations, byte counts and flags, each failing with `InvalidConfig` and a message that
 * names the field and never echoes a secret or a URL's credentials.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as AuthConfig from "../AuthConfig.js"
import * as AuthError from "../AuthError.js"

export const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d+$/
export const userPoolIdPattern = /^([a-z]{2}(?:-[a-z]+)+-\d+)_([0-9A-Za-z]+)$/
export const identityPoolIdPattern =
  /^([a-z]{2}(?:-[a-z]+)+-\d+):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
export const clientIdPattern = /^[\w+]{1,128}$/

const invalid = (field: string, expected: string, found: string) =>
  Effect.fail(AuthError.make("InvalidConfig", "AuthConfig", `${field}: expected ${expected}, found ${found}`))

/** A value for a message: short strings quoted, anything else by its kind only. */
export const show = (value: unknown): string => {
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

/** What is wrong with an endpoint, or `undefined`: the value is never echoed when it has an `@`. */
export const endpointProblem = (value: unknown): { readonly expected: string; readonly found: string } | undefined => {
  if (typeof value !== "string") return { expected: "an absolute http(s) URL", found: show(value) }
  // Whatever it is, a value with an "@" may hold credentials: it is never echoed.
  const shown = value.includes("@") ? "a URL with an @ (not shown)" : show(value)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return { expected: "an absolute http(s) URL", found: shown }
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { expected: "an http(s) URL", found: shown }
  if (url.username !== "" || url.password !== "")
    return { expected: "a URL without credentials", found: "a user name or password before @ (not shown)" }
  return undefined
}

const endpoint = (field: string, value: unknown, fallback: string) => {
  if (value === undefined) return Effect.succeed(fallback)
  const problem = endpointProblem(value)
  return problem === undefined
    ? Effect.succeed(new URL(value as string).href)
    : invalid(field, problem.expected, problem.found)
}

/** Is any number in a duration input negative or NaN? `Duration` would silently make it zero. */
const negativeOrNaN = (value: unknown): boolean => {
  if (typeof value === "number") return Number.isNaN(value) || value < 0
  if (typeof value === "bigint") return value < BigInt(0)
  if (typeof value === "string") return value.trimStart().startsWith("-")
  if (Array.isArray(value)) return value.some(negativeOrNaN)
  return false
}

/**
 * Whether a value may be a `Duration.Input` at all; `Duration.fromInput` then reads it and
 * gives `None` for anything that is not a duration after all (it never throws).
 */
const mayBeDurationInput = (value: unknown): value is Duration.Input =>
  typeof value === "number" ||
  typeof value === "bigint" ||
  typeof value === "string" ||
  (typeof value === "object" && value !== null)

const duration = (
  field: string,
  value: unknown,
  fallback: Duration.Duration,
  options: { readonly positive: boolean }
) => {
  if (value === undefined) return Effect.succeed(fallback)
  const expected = options.positive ? "a finite duration above zero" : "a finite duration, zero or more"
  if (negativeOrNaN(value)) return invalid(field, expected, show(value))
  const decoded = mayBeDurationInput(value) ? Duration.fromInput(value) : Option.none()
  if (decoded._tag === "None" || !Duration.isFinite(decoded.value) || Duration.isNegative(decoded.value))
    return invalid(field, expected, show(value))
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

/** What Cognito allows for an app client's `AuthSessionValidity`. */
export const authSessionValidityRange = "a duration above zero, at most 15 minutes"

/** Why a challenge lifetime cannot be Cognito's, or `undefined`. */
export const authSessionValidityProblem = (value: Duration.Duration): string | undefined =>
  Duration.isFinite(value) && !Duration.isZero(value) && Duration.isLessThanOrEqualTo(value, Duration.minutes(15))
    ? undefined
    : authSessionValidityRange

/** Validates an input. Fails with reason `InvalidConfig` and a message naming the field. */
export const make = (input: AuthConfig.Input): Effect.Effect<AuthConfig.Validated, AuthError.AuthError> =>
  Effect.gen(function* () {
    // The type says what a caller should pass; a caller in JavaScript, or reading JSON, may pass anything.
    const raw: { readonly [K in keyof AuthConfig.Input]?: unknown } =
      typeof input === "object" && input !== null ? input : {}
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
    const authSessionValidity = yield* duration("authSessionValidity", raw.authSessionValidity, Duration.minutes(3), {
      positive: true
    })
    if (authSessionValidityProblem(authSessionValidity) !== undefined)
      return yield* invalid("authSessionValidity", authSessionValidityRange, Duration.format(authSessionValidity))
    const maxResponseBytes = yield* byteCount("maxResponseBytes", raw.maxResponseBytes, 1024 * 1024)
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
      authSessionValidity,
      maxResponseBytes
    } satisfies AuthConfig.Validated
  })
