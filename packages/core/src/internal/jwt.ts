/**
 * Reads the claims of a JWT without verifying it. The client trusts tokens because it
 * received them from Cognito over TLS; verifying is the job of the API that receives
 * them (aws-jwt-verify). What is read here only drives refresh timing and `username`.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as AuthError from "../AuthError.js"

/** The claims the client relies on. Extra claims are kept in `raw`. */
export const Claims = Schema.Struct({
  sub: Schema.String,
  exp: Schema.Number,
  iat: Schema.Number,
  token_use: Schema.optional(Schema.String),
  username: Schema.optional(Schema.String),
  "cognito:username": Schema.optional(Schema.String)
})
export type Claims = typeof Claims.Type

const decodeClaims = Schema.decodeUnknownEither(Claims)

const base64UrlDecode = (segment: string): string | undefined => {
  try {
    const base64 = segment.replace(/-/g, "+").replace(/_/g, "/")
    const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4))
    const bytes = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/** The payload of a JWT as a record, or `undefined` when it is not a JWT. */
export const payload = (token: string): Record<string, unknown> | undefined => {
  const parts = token.split(".")
  if (parts.length !== 3 || parts[1] === undefined) return undefined
  const json = base64UrlDecode(parts[1])
  if (json === undefined) return undefined
  try {
    const value: unknown = JSON.parse(json)
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** Decodes the claims of a token, failing with `InvalidResponse` (naming which token) when it is not one. */
export const claims = (
  token: Redacted.Redacted<string>,
  which: string,
  method: string
): Effect.Effect<Claims, AuthError.AuthError> => {
  const raw = payload(Redacted.value(token))
  if (raw === undefined) return Effect.fail(AuthError.make("InvalidResponse", method, `the ${which} is not a JWT`))
  const decoded = decodeClaims(raw)
  return decoded._tag === "Right"
    ? Effect.succeed(decoded.right)
    : Effect.fail(AuthError.make("InvalidResponse", method, `the ${which} lacks sub, exp or iat`))
}
