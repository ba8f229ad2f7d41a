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
import * as Result from "effect/Result"
import type * as AuthConfig from "../AuthConfig.js"
import * as AuthError from "../AuthError.js"

export const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d+$/
export const userPoolIdPattern = /^([a-z]{2}(?:-[a-z]+)+-\d+)_([0-9A-Za-z]+)$/
/** A user pool id as cognito-local makes them, `local_<id>`: it names no region (the config's `region` is the pool's). */
export const localUserPoolIdPattern = /^local_([0-9A-Za-z]+)$/
export const identityPoolIdPattern =
  /^([a-z]{2}(?:-[a-z]+)+-\d+):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
export const clientIdPattern = /^[\w+]{1,128}$/

/** A problem with a field, as `make` reports it (every problem of an input in one message). */
const invalid = (field: string, expected: string, found: string): Result.Result<never, string> =>
  Result.fail(`${field}: expected ${expected}, found ${found}`)

/** A value for a message: short strings quoted, anything else by its kind only. */
export const show = (value: unknown): string => {
  if (typeof value === "string") {
    if (value === "") return "an empty string"
    return value.length <= 200 ? JSON.stringify(value) : `a string of ${value.length} characters`
  }
  if (typeof value === "number") return String(value)
  if (value === undefined) return "nothing"
  if (value === null) return "null"
  if (Array.isArray(value)) return "an array"
  return typeof value === "object" ? "an object" : `a ${typeof value}`
}

/** A required string field, checked against a pattern. */
const matching = (field: string, value: unknown, pattern: RegExp, expected: string) =>
  typeof value === "string" && pattern.test(value) ? Result.succeed(value) : invalid(field, expected, show(value))

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
  if (value === undefined) return Result.succeed(fallback)
  const problem = endpointProblem(value)
  return problem === undefined
    ? Result.succeed(new URL(value as string).href)
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

export const duration = (
  field: string,
  value: unknown,
  fallback: Duration.Duration,
  options: { readonly positive: boolean }
) => {
  if (value === undefined) return Result.succeed(fallback)
  const expected = options.positive ? "a finite duration above zero" : "a finite duration, zero or more"
  if (negativeOrNaN(value)) return invalid(field, expected, show(value))
  const decoded = mayBeDurationInput(value) ? Duration.fromInput(value) : Option.none()
  if (decoded._tag === "None" || !Duration.isFinite(decoded.value) || Duration.isNegative(decoded.value))
    return invalid(field, expected, show(value))
  if (options.positive && Duration.isZero(decoded.value)) return invalid(field, expected, show(value))
  return Result.succeed(decoded.value)
}

export const byteCount = (field: string, value: unknown, fallback: number) => {
  if (value === undefined) return Result.succeed(fallback)
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0
    ? Result.succeed(value)
    : invalid(field, "a whole number of bytes above zero", show(value))
}

const optionalBoolean = (field: string, value: unknown) =>
  value === undefined || typeof value === "boolean"
    ? Result.succeed(value ?? false)
    : invalid(field, "true or false", show(value))

/** A scope as OAuth allows it (RFC 6749 §3.3): printable ASCII without spaces, `"` or `\`; the one rule of the package. */
export const scopePattern = /^[\x21\x23-\x5b\x5d-\x7e]+$/

/** A redirect or logout URI: absolute (any scheme, an app's own too), no fragment, no credentials. */
const redirectUri = (field: string, value: unknown): Result.Result<string | undefined, string> => {
  if (value === undefined) return Result.succeed(undefined)
  const expected = "an absolute URL without a fragment or credentials"
  if (typeof value !== "string") return invalid(field, expected, show(value))
  const shown = value.includes("@") ? "a URL with an @ (not shown)" : show(value)
  try {
    const url = new URL(value)
    if (url.hash !== "" || url.username !== "" || url.password !== "") return invalid(field, expected, shown)
  } catch {
    return invalid(field, expected, shown)
  }
  return Result.succeed(value)
}

/** The Cognito domain settings; every problem named, with the `oauth.` prefix. */
export const oauthSettings = (value: unknown): Result.Result<AuthConfig.OAuthSettings, ReadonlyArray<string>> => {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return Result.fail([`oauth: expected an object, found ${show(value)}`])
  const raw: { readonly [K in keyof AuthConfig.OAuthInput]?: unknown } = value
  const problems: Array<string> = []
  const take = <A>(result: Result.Result<A, string>): A | undefined => {
    if (result._tag === "Success") return result.success
    problems.push(result.failure)
    return undefined
  }
  let domain: string | undefined
  const domainProblem = endpointProblem(raw.domain)
  if (domainProblem !== undefined) take(invalid("oauth.domain", domainProblem.expected, domainProblem.found))
  else {
    const url = new URL(raw.domain as string)
    if (url.search !== "" || url.hash !== "")
      take(invalid("oauth.domain", "the domain's base URL without a query or fragment", show(raw.domain)))
    else domain = url.href.replace(/\/+$/, "")
  }
  const redirectSignIn = take(redirectUri("oauth.redirectSignIn", raw.redirectSignIn))
  const redirectSignOut = take(redirectUri("oauth.redirectSignOut", raw.redirectSignOut))
  const scopes = ["openid"]
  if (raw.scopes !== undefined) {
    if (!Array.isArray(raw.scopes)) take(invalid("oauth.scopes", "a list of scopes", show(raw.scopes)))
    else
      for (const scope of raw.scopes as ReadonlyArray<unknown>) {
        if (typeof scope !== "string" || !scopePattern.test(scope)) {
          take(invalid("oauth.scopes", "scopes of printable characters without spaces", show(scope)))
          break
        }
        if (!scopes.includes(scope)) scopes.push(scope)
      }
  }
  const pendingValidity = take(
    duration("oauth.pendingValidity", raw.pendingValidity, Duration.minutes(10), { positive: true })
  )
  if (problems.length > 0 || domain === undefined || pendingValidity === undefined) return Result.fail(problems)
  return Result.succeed({ domain, redirectSignIn, redirectSignOut, scopes, pendingValidity })
}

/** What Cognito allows for an app client's `AuthSessionValidity`. */
export const authSessionValidityRange = "a duration above zero, at most 15 minutes"

/** Why a challenge lifetime cannot be Cognito's, or `undefined`. */
export const authSessionValidityProblem = (value: Duration.Duration): string | undefined =>
  Duration.isFinite(value) && !Duration.isZero(value) && Duration.isLessThanOrEqualTo(value, Duration.minutes(15))
    ? undefined
    : authSessionValidityRange

/** Validates an input. Fails with reason `InvalidConfig` and one message naming every field that is wrong. */
export const make = (input: AuthConfig.Input): Effect.Effect<AuthConfig.Validated, AuthError.AuthError> =>
  Effect.suspend(() => {
    const problems: Array<string> = []
    /** The value of a check, or `undefined` with its problem kept: every field is checked, every problem reported. */
    const take = <A>(result: Result.Result<A, string>): A | undefined => {
      if (result._tag === "Success") return result.success
      problems.push(result.failure)
      return undefined
    }
    // The type says what a caller should pass; a caller in JavaScript, or reading JSON, may pass anything.
    const raw: { readonly [K in keyof AuthConfig.Input]?: unknown } =
      typeof input === "object" && input !== null ? input : {}
    const local = typeof raw.userPoolId === "string" ? localUserPoolIdPattern.exec(raw.userPoolId) : null
    const region = take(
      local !== null && raw.region === undefined
        ? invalid("region", "an AWS region like eu-west-1 (a local_ user pool id names none)", "nothing")
        : matching("region", raw.region, regionPattern, "an AWS region like eu-west-1")
    )
    const userPoolId = take(
      local !== null
        ? Result.succeed(local[0])
        : matching("userPoolId", raw.userPoolId, userPoolIdPattern, "<region>_<id> (or an emulator's local_<id>)")
    )
    const pool = userPoolId === undefined ? null : (local ?? userPoolIdPattern.exec(userPoolId))
    // A local_ id names no region: the configured one is the pool's.
    const poolRegion = local !== null ? region : pool?.[1]
    if (region !== undefined && poolRegion !== undefined && poolRegion !== region)
      take(invalid("userPoolId", `a pool in region ${region}`, `a pool in region ${poolRegion}`))
    const clientId = take(matching("clientId", raw.clientId, clientIdPattern, "1 to 128 letters, digits, _ or +"))
    const clientSecret = typeof input === "object" && input !== null ? input.clientSecret : undefined
    if (
      raw.clientSecret !== undefined &&
      !(Redacted.isRedacted(raw.clientSecret) && typeof Redacted.value(raw.clientSecret) === "string")
    )
      take(invalid("clientSecret", "a Redacted string", "a value that is not Redacted (not shown)"))
    let identityPoolId: string | undefined
    if (raw.identityPoolId !== undefined) {
      identityPoolId = take(matching("identityPoolId", raw.identityPoolId, identityPoolIdPattern, "<region>:<uuid>"))
      const identityRegion = identityPoolId === undefined ? undefined : identityPoolIdPattern.exec(identityPoolId)![1]
      if (region !== undefined && identityRegion !== undefined && identityRegion !== region)
        take(invalid("identityPoolId", `a pool in region ${region}`, `a pool in region ${identityRegion}`))
    }
    const given: { readonly identityProvider?: unknown; readonly identityPool?: unknown } =
      typeof raw.endpoints === "object" && raw.endpoints !== null ? raw.endpoints : {}
    if (raw.endpoints !== undefined && (typeof raw.endpoints !== "object" || raw.endpoints === null))
      take(invalid("endpoints", "an object", show(raw.endpoints)))
    // One endpoint given serves both pools (an emulator serves both on one): a sibling call
    // must not leave for AWS because only one of the two was named.
    const endpoints = {
      identityProvider: given.identityProvider ?? given.identityPool,
      identityPool: given.identityPool ?? given.identityProvider
    }
    // An emulator's pool does not exist at AWS: its requests must not leave for AWS.
    if (local !== null && endpoints.identityProvider === undefined)
      take(invalid("endpoints.identityProvider", "the emulator's URL for a local_ user pool id", "nothing"))
    const suffix = dnsSuffix(region ?? "")
    const identityProviderEndpoint = take(
      endpoint("endpoints.identityProvider", endpoints.identityProvider, `https://cognito-idp.${region}.${suffix}/`)
    )
    const identityPoolEndpoint = take(
      endpoint("endpoints.identityPool", endpoints.identityPool, `https://cognito-identity.${region}.${suffix}/`)
    )
    const refreshWindow = take(duration("refreshWindow", raw.refreshWindow, Duration.minutes(5), { positive: false }))
    const credentialsRefreshMargin = take(
      duration("credentialsRefreshMargin", raw.credentialsRefreshMargin, Duration.minutes(5), { positive: false })
    )
    const requestTimeout = take(
      duration("requestTimeout", raw.requestTimeout, Duration.seconds(10), { positive: true })
    )
    const authSessionValidity = take(
      duration("authSessionValidity", raw.authSessionValidity, Duration.minutes(3), { positive: true })
    )
    if (authSessionValidity !== undefined && authSessionValidityProblem(authSessionValidity) !== undefined)
      take(invalid("authSessionValidity", authSessionValidityRange, Duration.format(authSessionValidity)))
    const maxResponseBytes = take(byteCount("maxResponseBytes", raw.maxResponseBytes, 1024 * 1024))
    const refreshTokenRotation = take(optionalBoolean("refreshTokenRotation", raw.refreshTokenRotation))
    const oauth = raw.oauth === undefined ? undefined : oauthSettings(raw.oauth)
    if (oauth !== undefined && oauth._tag === "Failure") problems.push(...oauth.failure)
    if (
      problems.length > 0 ||
      region === undefined ||
      userPoolId === undefined ||
      pool === null ||
      clientId === undefined ||
      identityProviderEndpoint === undefined ||
      identityPoolEndpoint === undefined ||
      refreshWindow === undefined ||
      credentialsRefreshMargin === undefined ||
      requestTimeout === undefined ||
      authSessionValidity === undefined ||
      maxResponseBytes === undefined ||
      refreshTokenRotation === undefined
    )
      return Effect.fail(AuthError.make("InvalidConfig", "AuthConfig", [...new Set(problems)].join("; ")))
    return Effect.succeed({
      region,
      userPoolId,
      poolName: (local !== null ? local[1] : pool[2])!,
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
      maxResponseBytes,
      ...(oauth === undefined || oauth._tag === "Failure" ? {} : { oauth: oauth.success })
    } satisfies AuthConfig.Validated)
  })
