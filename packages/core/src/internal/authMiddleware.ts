/**
 * What the Bearer middleware decides, as pure functions shared by its `HttpRouter` and
 * `HttpApi` forms: the token of an `Authorization` header (RFC 6750 §2.1), the answer to a
 * refused token, and its `WWW-Authenticate` challenge (RFC 6750 §3):
 *
 * - no Bearer credentials: 401 with a challenge and no error code (§3.1);
 * - a token the verifier refused: 401 `error="invalid_token"`;
 * - a valid token without a required scope or group: 403 `error="insufficient_scope"`,
 *   with the required scopes in `scope`;
 * - a JWKS that could not be loaded: 503 (the token may well be valid; a 401 would make
 *   clients drop a good session).
 *
 * The `error_description` is a fixed sentence per check, never a claim's value or the
 * token: it tells a client what to do (refresh an expired token, sign in again) without
 * echoing what it sent.
 *
 * @internal
 */
import type * as JwtVerificationError from "../JwtVerificationError.js"

/** RFC 6750's token68: what a Bearer credential may hold. */
const bearer = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

/** The token of `Authorization: Bearer <token>`, or `undefined` when there is none. */
export const bearerToken = (authorization: string | undefined): string | undefined =>
  authorization === undefined ? undefined : (bearer.exec(authorization)?.[1] ?? undefined)

/** How a refusal is answered. */
export interface Refusal {
  readonly status: 401 | 403 | 503
  /** The RFC 6750 error code; `undefined` for a request without credentials, or a 503. */
  readonly error: "invalid_token" | "insufficient_scope" | undefined
  readonly description: string
  /** The `WWW-Authenticate` value; `undefined` for a 503. */
  readonly challenge: string | undefined
}

const descriptions: { readonly [C in JwtVerificationError.Check]: string } = {
  format: "The token is not a JWT",
  iss: "The token was not issued by a trusted user pool",
  kid: "The token was not signed by a key of its user pool",
  jwk: "The token was not signed by a key of its user pool",
  alg: "The token is not signed with RS256",
  signature: "The token signature is not valid",
  exp: "The token expired",
  nbf: "The token is not valid yet",
  scope: "The token lacks a required scope",
  groups: "The user is not in a required group",
  token_use: "The token is not of the required kind (id or access)",
  client_id: "The token was issued to another app client",
  sub: "The token names no user",
  jwks: "The signing keys of the user pool could not be loaded"
}

/** A challenge: `Bearer realm="…"`, then the error and its description, then the scopes. */
const challengeOf = (
  realm: string,
  error?: string | undefined,
  description?: string | undefined,
  scopes?: ReadonlyArray<string> | undefined
): string => {
  const parts = [`realm="${realm}"`]
  if (error !== undefined) parts.push(`error="${error}"`)
  if (description !== undefined) parts.push(`error_description="${description}"`)
  if (scopes !== undefined && scopes.length > 0) parts.push(`scope="${scopes.join(" ")}"`)
  return `Bearer ${parts.join(", ")}`
}

/** A realm as a challenge may quote it: printable ASCII without `"` or `\`. */
export const isRealm = (realm: string): boolean => /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,200}$/.test(realm)

/** The answer to a request without Bearer credentials. */
export const missing = (realm: string): Refusal => ({
  status: 401,
  error: undefined,
  description: "A Bearer token is required",
  challenge: challengeOf(realm)
})

/** The answer to a token refused by the verifier's check; `scopes` are the required ones, for a 403. */
export const refused = (
  realm: string,
  check: JwtVerificationError.Check,
  scopes: ReadonlyArray<string> | undefined
): Refusal => {
  const description = descriptions[check]
  if (check === "jwks") return { status: 503, error: undefined, description, challenge: undefined }
  if (check === "scope" || check === "groups")
    return {
      status: 403,
      error: "insufficient_scope",
      description,
      challenge: challengeOf(realm, "insufficient_scope", description, check === "scope" ? scopes : undefined)
    }
  return {
    status: 401,
    error: "invalid_token",
    description,
    challenge: challengeOf(realm, "invalid_token", description)
  }
}

/** The JSON body of a refusal: the RFC 6750 error and its description. */
export const body = (refusal: Refusal): { readonly error: string; readonly error_description: string } => ({
  error: refusal.error ?? (refusal.status === 503 ? "temporarily_unavailable" : "unauthorized"),
  error_description: refusal.description
})
