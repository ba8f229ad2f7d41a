/**
 * Reads the claims of a JWT without verifying it. The client trusts tokens because it
 * received them from Cognito over TLS; verifying is the job of the API that receives
 * them (aws-jwt-verify). What is read here only drives refresh timing and `username`.
 * The payload is decoded by `encoding.jwtPayload`, the one JWT decoder of the package.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as AuthError from "../AuthError.js"
import { jwtPayload } from "./encoding.js"

/** The claims the client relies on. */
export const Claims = Schema.Struct({
  sub: Schema.String,
  exp: Schema.Number,
  iat: Schema.Number,
  token_use: Schema.optional(Schema.String),
  username: Schema.optional(Schema.String),
  "cognito:username": Schema.optional(Schema.String)
})
export type Claims = typeof Claims.Type

const decodeClaims = Schema.decodeUnknownExit(Claims)

/** Seconds between `iat` and `exp` of a JWT, when it has both. */
export const lifetime = (token: string): Option.Option<number> => {
  const raw = jwtPayload(token)
  return raw !== undefined && typeof raw.exp === "number" && typeof raw.iat === "number"
    ? Option.some(raw.exp - raw.iat)
    : Option.none()
}

/** Decodes the claims of a token, failing with `InvalidResponse` (naming which token) when it is not one. */
export const claims = (
  token: Redacted.Redacted<string>,
  which: string,
  method: string
): Effect.Effect<Claims, AuthError.AuthError> => {
  const raw = jwtPayload(Redacted.value(token))
  if (raw === undefined) return Effect.fail(AuthError.make("InvalidResponse", method, `the ${which} is not a JWT`))
  const decoded = decodeClaims(raw)
  return Exit.isSuccess(decoded)
    ? Effect.succeed(decoded.value)
    : Effect.fail(AuthError.make("InvalidResponse", method, `the ${which} lacks sub, exp or iat`))
}
