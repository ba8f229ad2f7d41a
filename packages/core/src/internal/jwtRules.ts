/**
 * The decisions of `CognitoJwtVerifier` as pure functions, each testable alone (as
 * aws-jwt-verify's `decomposeUnverifiedJwt`, `validateJwtFields` and
 * `validateCognitoJwtFields`): reading a compact JWT without trusting it, the key's fitness
 * for the token, and the claims of a verified token against what the caller requires.
 * They run in aws-jwt-verify's order and follow its rules where it has one, so both name
 * the same check for the same token; where this module is stricter (a token without `exp`
 * or `sub` is refused), it says so.
 *
 * Every failure is a `check` and a description; no description holds the token.
 *
 * @internal
 */
import * as Predicate from "effect/Predicate"
import * as Result from "effect/Result"
import type * as JwtVerificationError from "../JwtVerificationError.js"
import { show } from "./authConfigCheck.js"
import { decodeJson, fromBase64, maxJsonDepth } from "./encoding.js"
import { isTime } from "./jwt.js"

/** A refused token: the check that refused it and why. */
export interface Failure {
  readonly check: JwtVerificationError.Check
  readonly description: string
}

const fail = (check: JwtVerificationError.Check, description: string): Result.Result<never, Failure> =>
  Result.fail({ check, description })

type Claims = Readonly<Record<string, unknown>>

/** A JWT read but not verified: its header and payload as JSON objects, and the token as sent. */
export interface Decomposed {
  readonly token: string
  readonly header: Claims
  readonly payload: Claims
  /** The header's `alg` and `kid`, when they are strings. */
  readonly alg: string | undefined
  readonly kid: string | undefined
}

/**
 * Three base64url segments, each optionally padded (as aws-jwt-verify reads them): a padded
 * segment decodes here, and then fails the signature, which covers the unpadded text only.
 */
const compact = /^[A-Za-z0-9_-]+={0,2}\.[A-Za-z0-9_-]+={0,2}\.[A-Za-z0-9_-]+={0,2}$/

/**
 * Bytes that are not UTF-8 become U+FFFD, as aws-jwt-verify reads them: such a segment is
 * then refused by its JSON or by the signature, which covers the bytes as sent.
 */
const utf8 = new TextDecoder()

/** A segment's JSON object, or why it is not one. */
const segmentObject = (segment: string, which: string): Result.Result<Claims, Failure> => {
  // Padding is read past whatever its length, as aws-jwt-verify reads it; the signature refuses it.
  const bytes = fromBase64(segment.replace(/=+$/, ""))
  if (bytes === undefined) return fail("format", `the ${which} is not base64url`)
  const text = utf8.decode(bytes)
  const value = decodeJson(text)
  if (Result.isFailure(value))
    return fail(
      "format",
      value.failure === "TooDeep"
        ? `the ${which} is nested deeper than ${maxJsonDepth} levels`
        : `the ${which} is not JSON`
    )
  return Predicate.isObject(value.success) && !Array.isArray(value.success)
    ? Result.succeed(value.success as Claims)
    : fail("format", `the ${which} is not a JSON object`)
}

const numberClaims = ["exp", "nbf", "iat"] as const
const stringClaims = ["iss", "sub", "scope", "jti"] as const

/**
 * Reads a compact JWT without trusting anything in it: three segments, a header and a
 * payload that are JSON objects, `alg` and `kid` strings when present, no `crit` header
 * (nothing here understands one), and the standard claims of their JSON types. Anything
 * else fails the `format` check.
 */
export const decompose = (token: string, maxLength: number): Result.Result<Decomposed, Failure> => {
  if (token.length === 0) return fail("format", "the token is empty")
  if (token.length > maxLength) return fail("format", `the token is longer than ${maxLength} characters`)
  if (!compact.test(token)) return fail("format", "the token is not three base64url segments (a compact JWS)")
  const [headerSegment, payloadSegment] = token.split(".") as [string, string, string]
  const header = segmentObject(headerSegment, "header")
  if (Result.isFailure(header)) return Result.fail(header.failure)
  const { alg, kid } = header.success
  if (alg !== undefined && typeof alg !== "string") return fail("format", "the header's alg is not a string")
  if (kid !== undefined && typeof kid !== "string") return fail("format", "the header's kid is not a string")
  if (Object.hasOwn(header.success, "crit")) return fail("format", "the header has crit parameters")
  const payload = segmentObject(payloadSegment, "payload")
  if (Result.isFailure(payload)) return Result.fail(payload.failure)
  const claims = payload.success
  for (const name of numberClaims)
    if (claims[name] !== undefined && !Number.isFinite(claims[name])) return fail("format", `${name} is not a number`)
  for (const name of stringClaims)
    if (claims[name] !== undefined && typeof claims[name] !== "string") return fail("format", `${name} is not a string`)
  const aud = claims.aud
  if (aud !== undefined && typeof aud !== "string" && !(Array.isArray(aud) && aud.every(Predicate.isString)))
    return fail("format", "aud is not a string or an array of strings")
  return Result.succeed({ token, header: header.success, payload: claims, alg, kid })
}

// ---------------------------------------------------------------------------
// The key
// ---------------------------------------------------------------------------

/** The only algorithm Cognito signs with, and the only one accepted. */
export const algorithm = "RS256"

/** The members of a JWK the checks read. */
export interface KeyMembers {
  readonly kty: string
  readonly use?: string | undefined
  readonly alg?: string | undefined
}

/**
 * Whether the key the `kid` selected can verify the token, in aws-jwt-verify's order: a
 * signing key of a JOSE family (`kty` RSA, EC or OKP; `use` absent or `sig`), whose `alg`,
 * when it has one, is the token's; the token's `alg` RS256 (so `none`, HS256 with the
 * public key as its secret, and every other algorithm are refused before any signature is
 * computed); and, RS256 being RSA, an RSA key.
 */
export const checkKey = (alg: string | undefined, jwk: KeyMembers): Result.Result<void, Failure> => {
  if (jwk.kty !== "RSA" && jwk.kty !== "EC" && jwk.kty !== "OKP")
    return fail("jwk", `the key for this kid is not a signing key type (kty ${show(jwk.kty)})`)
  if (jwk.use !== undefined && jwk.use !== "sig")
    return fail("jwk", `the key for this kid is not a signing key (use ${show(jwk.use)})`)
  if (jwk.alg !== undefined && jwk.alg !== alg)
    return fail("alg", `alg is ${alg === undefined ? "missing" : show(alg)}, the key's is ${show(jwk.alg)}`)
  if (alg !== algorithm) return fail("alg", `alg is ${alg === undefined ? "missing" : show(alg)}, expected RS256`)
  if (jwk.kty !== "RSA") return fail("jwk", `the key for this kid is not an RSA key (kty ${show(jwk.kty)})`)
  return Result.succeed(undefined)
}

// ---------------------------------------------------------------------------
// The claims
// ---------------------------------------------------------------------------

/** What a verification requires of the claims. `null` skips a check by name. */
export interface Requirements {
  /** Now, in seconds (fractional), by `Clock`. */
  readonly now: number
  /** Seconds of tolerance on `exp` and `nbf`. */
  readonly leeway: number
  readonly tokenUse: "id" | "access" | null
  readonly clientIds: ReadonlyArray<string> | null
  /** At least one of them in `scope`; `undefined`: none required. */
  readonly scopes: ReadonlyArray<string> | undefined
  /** At least one of them in `cognito:groups`; `undefined`: none required. */
  readonly groups: ReadonlyArray<string> | undefined
}

/** The claims of a token that passed every check, as the verifier hands them out. */
export interface Checked {
  readonly tokenUse: "id" | "access"
  readonly sub: string
  readonly exp: number
}

/** A time for a message: ISO 8601 when it is one, the number of seconds otherwise. */
const time = (seconds: number): string =>
  isTime(seconds) ? new Date(seconds * 1000).toISOString() : `${seconds} (seconds since 1970)`

/** The expectation part of a message: one value, or "one of" several. */
const expectation = (expected: ReadonlyArray<string>): string =>
  expected.length === 1 ? `expected ${show(expected[0])}` : `expected one of ${expected.map(show).join(", ")}`

/** A rule over one claim: the check it belongs to, the claim's name and value, the values it accepts. */
type ClaimRule = (
  check: JwtVerificationError.Check,
  name: string,
  actual: unknown,
  expected: ReadonlyArray<string>
) => Result.Result<void, Failure>

/** A claim that is absent, null or empty. */
const isMissing = (actual: unknown): actual is undefined | null | "" =>
  actual === undefined || actual === null || actual === ""

/**
 * A claim that must be one string among `expected` (aws-jwt-verify's
 * `assertStringArrayContainsString`): missing or empty, not a string, or another value fails.
 */
const oneOf: ClaimRule = (check, name, actual, expected) => {
  if (isMissing(actual)) return fail(check, `${name} is missing, ${expectation(expected)}`)
  if (typeof actual !== "string") return fail(check, `${name} is not a string`)
  return expected.includes(actual)
    ? Result.succeed(undefined)
    : fail(check, `${name} is ${show(actual)}, ${expectation(expected)}`)
}

/**
 * A claim that must hold at least one of `expected` (aws-jwt-verify's
 * `assertStringArraysOverlap`): a string counts as a list of one; missing, not a list of
 * strings, or no value in common fails.
 */
const overlaps: ClaimRule = (check, name, actual, expected) => {
  if (isMissing(actual)) return fail(check, `${name} is missing, ${expectation(expected)}`)
  if (!Array.isArray(actual) && typeof actual !== "string") return fail(check, `${name} is not a list`)
  const values: ReadonlyArray<unknown> = typeof actual === "string" ? [actual] : actual
  for (const value of values) {
    if (typeof value !== "string") return fail(check, `${name} holds a value that is not a string`)
    if (expected.includes(value)) return Result.succeed(undefined)
  }
  return fail(check, `${name} has none of them, ${expectation(expected)}`)
}

/**
 * The claims of a token whose signature verified, against the requirements, in
 * aws-jwt-verify's order: `exp`, `nbf`, `scope`, `cognito:groups`, `token_use` (one of
 * `id` and `access`, then the one required), the app client (`aud` of an id token,
 * `client_id` of an access token). Then, stricter than aws-jwt-verify: a token without
 * `exp` never expires and one without `sub` names no user, so both are refused (Cognito
 * puts both in every token).
 */
export const checkClaims = (claims: Claims, requirements: Requirements): Result.Result<Checked, Failure> => {
  const { clientIds, groups, leeway, now, scopes, tokenUse } = requirements
  const exp = claims.exp
  if (typeof exp !== "number") return fail("exp", "the token has no expiry (exp)")
  if (exp + leeway < now) return fail("exp", `the token expired at ${time(exp)}`)
  const nbf = claims.nbf
  if (typeof nbf === "number" && nbf - leeway > now) return fail("nbf", `the token is not valid before ${time(nbf)}`)
  if (scopes !== undefined) {
    const scope = claims.scope
    const checked = overlaps("scope", "scope", typeof scope === "string" ? scope.split(" ") : scope, scopes)
    if (Result.isFailure(checked)) return Result.fail(checked.failure)
  }
  if (groups !== undefined) {
    const checked = overlaps("groups", "cognito:groups", claims["cognito:groups"], groups)
    if (Result.isFailure(checked)) return Result.fail(checked.failure)
  }
  const use = oneOf("token_use", "token_use", claims.token_use, ["id", "access"])
  if (Result.isFailure(use)) return Result.fail(use.failure)
  if (tokenUse !== null) {
    const required = oneOf("token_use", "token_use", claims.token_use, [tokenUse])
    if (Result.isFailure(required)) return Result.fail(required.failure)
  }
  const actualUse = claims.token_use as "id" | "access"
  if (clientIds !== null) {
    const client =
      actualUse === "id"
        ? oneOf("client_id", "aud", claims.aud, clientIds)
        : oneOf("client_id", "client_id", claims.client_id, clientIds)
    if (Result.isFailure(client)) return Result.fail(client.failure)
  }
  const sub = claims.sub
  if (typeof sub !== "string" || sub === "") return fail("sub", "the token names no user (sub)")
  return Result.succeed({ tokenUse: actualUse, sub, exp })
}
