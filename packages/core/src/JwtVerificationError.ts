/**
 * Why `CognitoJwtVerifier` refused a token: one error class whose `check` names the check
 * that failed, as aws-jwt-verify's error classes do, so a server can tell an expired token
 * (`exp`) from a forged one (`signature`) or a key set it could not load (`jwks`).
 *
 * The `description` says what was expected and what was found; it never holds the token
 * (a bearer token is a secret), only claims and header values a message needs, quoted and
 * cut at 200 characters.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/**
 * The checks of a verification, in the order they run:
 *
 * | check | refused when |
 * |---|---|
 * | `format` | not three base64url segments whose header and payload are JSON objects with well-typed standard claims (`exp`, `nbf`, `iat` numbers; `iss`, `sub`, `scope`, `jti` strings; `aud` a string or strings), a `crit` header, longer than `maxTokenLength` |
 * | `iss` | no `iss`, or the issuer of no configured user pool |
 * | `kid` | no `kid`, or no key of the pool's JWKS has it (after one refetch, at most one per `jwks.cooldown`) |
 * | `jwk` | the key is not an RSA signing key Web Crypto imports (`kty`, `use`, `key_ops`, at least 2048 bits) |
 * | `alg` | `alg` is not `RS256` (`none`, `HS256`, anything else), or not the key's `alg` |
 * | `signature` | the RS256 signature does not verify over the token as sent (a padded or non-canonical segment included) |
 * | `exp` | no `exp`, or expired (with the leeway) |
 * | `nbf` | not yet valid (with the leeway) |
 * | `scope` | none of the required scopes in `scope` |
 * | `groups` | none of the required groups in `cognito:groups` |
 * | `token_use` | not `id` or `access`, or not the one required |
 * | `client_id` | the access token's `client_id` (the id token's `aud`) is not an allowed app client |
 * | `sub` | no `sub` (a token that names no user) |
 * | `jwks` | the pool's JWKS could not be fetched or read (HTTP failure, timeout, not a key set) |
 *
 * @since 0.1.0
 */
export const Check = Schema.Literals([
  "format",
  "iss",
  "kid",
  "jwk",
  "alg",
  "signature",
  "exp",
  "nbf",
  "scope",
  "groups",
  "token_use",
  "client_id",
  "sub",
  "jwks"
])

/**
 * The name of a verification check, as a failure reports it.
 *
 * @since 0.1.0
 */
export type Check = typeof Check.Type

/**
 * A token refused by `CognitoJwtVerifier`, naming the check that refused it.
 *
 * @example
 * ```ts
 * import * as CognitoJwtVerifier from "@effect-cognito/core/CognitoJwtVerifier"
 * import * as Effect from "effect/Effect"
 *
 * // An expired token asks the client to refresh; any other failure is an invalid token.
 * const verdict = (token: string) =>
 *   Effect.flatMap(CognitoJwtVerifier.CognitoJwtVerifier, (verifier) => verifier.verify(token)).pipe(
 *     Effect.as("valid" as const),
 *     Effect.catchTag("JwtVerificationError", (e) => Effect.succeed(e.check === "exp" ? "refresh" : "invalid"))
 *   )
 * ```
 *
 * @since 0.1.0
 */
export class JwtVerificationError extends Schema.TaggedError<JwtVerificationError>(
  "@effect-cognito/core/JwtVerificationError"
)("JwtVerificationError", {
  check: Check,
  /** What was expected and what was found. Never holds the token. */
  description: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {
  static {
    // The error's `name` is its tag, as AuthError's is.
    Object.defineProperty(JwtVerificationError.prototype, "name", {
      value: "JwtVerificationError",
      writable: true,
      configurable: true
    })
  }

  override get message(): string {
    return `JWT verification failed (${this.check}): ${this.description}`
  }
}

/**
 * Builds a `JwtVerificationError`; `cause` is omitted when undefined.
 *
 * @since 0.1.0
 */
export const make = (check: Check, description: string, cause?: unknown): JwtVerificationError =>
  new JwtVerificationError({ check, description, ...(cause === undefined ? {} : { cause }) })

/**
 * Is this value a `JwtVerificationError`?
 *
 * @since 0.1.0
 */
export const isJwtVerificationError = (u: unknown): u is JwtVerificationError =>
  Predicate.isTagged(u, "JwtVerificationError") && u instanceof JwtVerificationError
