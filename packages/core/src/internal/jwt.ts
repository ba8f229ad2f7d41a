/**
 * Reads the claims of a JWT without verifying its signature. The client trusts tokens
 * because it received them from Cognito over TLS; verifying signatures is the job of the
 * API that receives them (aws-jwt-verify). What is read here drives refresh timing and
 * `username`, and is checked against the pool the tokens came from:
 *
 * - every time (`exp`, `iat`, `auth_time`) is a number of seconds between 1970 and the
 *   end of 9999, so it always makes a valid `Date`;
 * - the id and the access token name one user (the same `sub`, and the same username
 *   when both carry one);
 * - with a {@link Pool}, `token_use` is `id` / `access`, the id token's `aud` and the
 *   access token's `client_id` are the app client, and `iss` is the user pool's issuer
 *   (see {@link poolOf} for the issuers accepted with an endpoint override).
 *
 * Anything else is `InvalidResponse`, naming the token and the claim, never a token.
 * The payload is decoded by `encoding.decodeJwtPayload`, the one JWT decoder of the package.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as AuthConfig from "../AuthConfig.js"
import * as AuthError from "../AuthError.js"
import { decodeJwtPayload, jwtPayload, maxJsonDepth } from "./encoding.js"
import * as SchemaIssues from "./schemaIssues.js"

/** The claims the client relies on. */
export const Claims = Schema.Struct({
  sub: Schema.String,
  exp: Schema.Number,
  iat: Schema.Number,
  auth_time: Schema.optional(Schema.Number),
  token_use: Schema.optional(Schema.String),
  username: Schema.optional(Schema.String),
  "cognito:username": Schema.optional(Schema.String),
  iss: Schema.optional(Schema.String),
  aud: Schema.optional(Schema.Union([Schema.String, Schema.Array(Schema.String)])),
  client_id: Schema.optional(Schema.String)
})
export type Claims = typeof Claims.Type

const decodeClaims = Schema.decodeUnknownExit(Claims)

/** The latest time a token may name: 9999-12-31T23:59:59Z, in seconds. */
export const maxTimeSeconds = 253_402_300_799

/** Is this a time (seconds) a `Date` can hold and an ISO string can show: 1970 to the end of 9999? */
export const isTime = (seconds: number): boolean =>
  Number.isFinite(seconds) && seconds >= 0 && seconds <= maxTimeSeconds

/** Seconds between `iat` and `exp` of a JWT, when it has both and they are times. */
export const lifetime = (token: string): Option.Option<number> => {
  const raw = jwtPayload(token)
  return raw !== undefined &&
    typeof raw.exp === "number" &&
    typeof raw.iat === "number" &&
    isTime(raw.exp) &&
    isTime(raw.iat)
    ? Option.some(raw.exp - raw.iat)
    : Option.none()
}

const invalid = (method: string, description: string) =>
  Effect.fail(AuthError.make("InvalidResponse", method, description))

/** Decodes the claims of a token, failing with `InvalidResponse` (naming which token and claim) when it is not one. */
export const claims = (
  token: Redacted.Redacted<string>,
  which: string,
  method: string
): Effect.Effect<Claims, AuthError.AuthError> => {
  const payload = decodeJwtPayload(Redacted.value(token))
  if (Result.isFailure(payload))
    return invalid(
      method,
      payload.failure === "TooDeep"
        ? `the ${which}'s payload is nested deeper than ${maxJsonDepth} levels`
        : `the ${which} is not a JWT`
    )
  const decoded = decodeClaims(payload.success)
  if (Exit.isFailure(decoded))
    return invalid(
      method,
      `the ${which}'s claims are not as expected (${Option.match(Exit.findErrorOption(decoded), {
        onNone: () => "the value is not as expected",
        onSome: SchemaIssues.describe
      })})`
    )
  const value = decoded.value
  for (const [name, time] of [
    ["exp", value.exp],
    ["iat", value.iat],
    ["auth_time", value.auth_time]
  ] as const) {
    if (time !== undefined && !isTime(time))
      return invalid(method, `the ${which}'s ${name} is not a time between 1970 and 9999`)
  }
  return Effect.succeed(value)
}

// ---------------------------------------------------------------------------
// The pool the tokens must come from
// ---------------------------------------------------------------------------

/** What tokens must name: the app client and the user pool's issuer. */
export interface Pool {
  readonly userPoolId: string
  readonly clientId: string
  /** Is this `iss` the user pool's? */
  readonly isIssuer: (iss: string) => boolean
  /** The issuer a message names as expected. */
  readonly issuer: string
}

/** Hosts that all mean this machine: an emulator may name any of them in its issuer. */
const isLoopback = (hostname: string): boolean =>
  hostname === "localhost" ||
  hostname === "[::1]" ||
  hostname === "0.0.0.0" ||
  hostname === "[::]" ||
  /^127(\.\d{1,3}){3}$/.test(hostname)

const parseUrl = (text: string): URL | undefined => {
  try {
    return new URL(text)
  } catch {
    return undefined
  }
}

/**
 * The pool of a configuration. Tokens from AWS name
 * `https://cognito-idp.<region>.amazonaws.com/<userPoolId>` (or the newer
 * `https://issuer-cognito-idp.<region>.amazonaws.com/<userPoolId>`; `amazonaws.com.cn` in
 * the China regions). With an `identityProvider` endpoint override (an emulator), an
 * issuer on that endpoint is accepted too: `<endpoint origin>/<pool id>` or
 * `<endpoint>/<pool id>` (the endpoint's path kept), where a loopback host (`localhost`,
 * `127.x.x.x`, `[::1]`, `0.0.0.0`) matches any other loopback host of the same scheme and
 * port, and the pool id is the configured one or `local_<pool name>` (cognito-local names
 * its pools so; the configuration then uses `<region>_<pool name>`). Moto and TestCognito
 * issue the AWS form; the local Cognito of `@effect-cognito/node` issues
 * `http://127.0.0.1:<port>/<userPoolId>`.
 */
export const poolOf = (config: AuthConfig.Validated): Pool => {
  const { clientId, poolName, region, userPoolId } = config
  const suffixes = region.startsWith("cn-") ? ["amazonaws.com", "amazonaws.com.cn"] : ["amazonaws.com"]
  const aws = new Set(
    suffixes.flatMap((suffix) => [
      `https://cognito-idp.${region}.${suffix}/${userPoolId}`,
      `https://issuer-cognito-idp.${region}.${suffix}/${userPoolId}`
    ])
  )
  const issuer = `https://${config.loginProvider}`
  const endpoint = parseUrl(config.identityProviderEndpoint)
  const overridden = endpoint !== undefined && !aws.has(`${endpoint.origin}/${userPoolId}`)
  if (!overridden) return { userPoolId, clientId, issuer, isIssuer: (iss) => aws.has(iss) }
  const poolIds = new Set([userPoolId, `local_${poolName}`])
  const endpointPath = endpoint.pathname.replace(/\/+$/, "")
  const sameHost = (hostname: string) =>
    hostname === endpoint.hostname || (isLoopback(hostname) && isLoopback(endpoint.hostname))
  const onEndpoint = (iss: string): boolean => {
    const url = parseUrl(iss)
    if (url === undefined || url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "")
      return false
    if (url.protocol !== endpoint.protocol || url.port !== endpoint.port || !sameHost(url.hostname)) return false
    const slash = url.pathname.lastIndexOf("/")
    const prefix = url.pathname.slice(0, slash)
    return poolIds.has(url.pathname.slice(slash + 1)) && (prefix === "" || prefix === endpointPath)
  }
  return {
    userPoolId,
    clientId,
    issuer: `${endpoint.origin}${endpointPath}/${userPoolId}`,
    isIssuer: (iss) => aws.has(iss) || onEndpoint(iss)
  }
}

/** A claim's value as a message shows it: JSON-quoted (control characters escaped), at most 200 characters. */
const shown = (value: string): string => JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value)

/** The two tokens of one answer, decoded. */
export interface Pair {
  readonly access: Claims
  readonly id: Claims
}

/**
 * Checks that both tokens name one user and, with a pool, that they are the pool's id and
 * access token for the app client. Fails with `InvalidResponse` naming the claim.
 */
export const checkPair = (
  pair: Pair,
  pool: Pool | undefined,
  method: string
): Effect.Effect<void, AuthError.AuthError> => {
  const { access, id } = pair
  if (pool !== undefined) {
    if (access.token_use !== "access")
      return invalid(method, "the access token is not an access token (token_use is not access)")
    if (id.token_use !== "id") return invalid(method, "the id token is not an id token (token_use is not id)")
    for (const [which, claims] of [
      ["access token", access],
      ["id token", id]
    ] as const) {
      if (claims.iss === undefined || !pool.isIssuer(claims.iss))
        return invalid(
          method,
          `the ${which} was not issued by user pool ${pool.userPoolId}: iss is ${
            claims.iss === undefined ? "missing" : shown(claims.iss)
          }, expected ${shown(pool.issuer)}`
        )
    }
    if (access.client_id !== pool.clientId)
      return invalid(method, `the access token is not for app client ${pool.clientId} (client_id)`)
    const audience = id.aud
    if (!(audience === pool.clientId || (Array.isArray(audience) && audience.includes(pool.clientId))))
      return invalid(method, `the id token is not for app client ${pool.clientId} (aud)`)
  }
  if (access.sub !== id.sub) return invalid(method, "the id token and the access token name different users (sub)")
  const idUsername = id["cognito:username"]
  if (access.username !== undefined && idUsername !== undefined && access.username !== idUsername)
    return invalid(method, "the id token and the access token name different users (username)")
  return Effect.void
}

/** The username the tokens name (Cognito's, not an alias), when they name one. */
export const usernameOf = (pair: Pair): string | undefined => pair.access.username ?? pair.id["cognito:username"]
