/**
 * The one validation of what users type, with Cognito's own limits: every `Auth` flow
 * checks its input with these before any request, and `TestCognito` refuses what they
 * refuse (as `InvalidParameterException`), so a test pool and the client agree with
 * Cognito.
 *
 * Each check is a pure function returning `Result`: the value, or an `AuthError` with
 * reason `InvalidInput` naming the field and what was expected. A message never shows the
 * value. Lengths count characters (code points), as Cognito does.
 *
 * | field | rule |
 * |---|---|
 * | username | 1 to 128 characters: letters, marks, numbers, punctuation, symbols (no spaces, no control or invisible characters) |
 * | password | 1 to 256 characters |
 * | confirmation code | 1 to 2048 characters, none of them whitespace or control |
 * | MFA code (SMS, TOTP, email) | 6 to 8 digits |
 * | challenge answer | 1 to 2048 characters |
 * | attribute name | 1 to 32 characters, as a username |
 * | attribute value | at most 2048 characters, no control characters other than tab and line breaks |
 * | client metadata | at most 50 pairs, each key and value at most 2048 characters |
 *
 * @since 0.1.0
 */
import type * as Result from "effect/Result"
import type * as Redacted from "effect/Redacted"
import type * as AuthError from "./AuthError.js"
import * as internal from "./internal/input.js"

/** A checked value, or an `InvalidInput` error. */
export type Checked<A> = Result.Result<A, AuthError.AuthError>

/** A username (or alias: email, phone number) as Cognito accepts it. */
export const username: (method: string, value: unknown, field?: string) => Checked<string> = internal.username

/** A password: 1 to 256 characters. The pool's own policy is Cognito's to check. */
export const password: (method: string, value: unknown, field?: string) => Checked<Redacted.Redacted<string>> =
  internal.password

/** A confirmation code sent by email or SMS (sign-up, password reset, attribute verification). */
export const confirmationCode: (method: string, value: unknown, field?: string) => Checked<Redacted.Redacted<string>> =
  internal.confirmationCode

/** An MFA code: SMS, authenticator app (TOTP) or email, 6 to 8 digits. */
export const mfaCode: (method: string, value: unknown, field?: string) => Checked<Redacted.Redacted<string>> =
  internal.mfaCode

/** The answer to a challenge (a code, a new password, an MFA type, a custom answer). */
export const challengeResponse: (method: string, value: unknown, field?: string) => Checked<Redacted.Redacted<string>> =
  internal.challengeResponse

/** A user attribute's name, e.g. `email` or `custom:team`. */
export const attributeName: (method: string, value: unknown, field?: string) => Checked<string> = internal.attributeName

/** A user attribute's value. */
export const attributeValue: (method: string, value: unknown, field?: string) => Checked<string> =
  internal.attributeValue

/** User attributes: names and values as above. `undefined` stays `undefined`. */
export const attributes: (
  method: string,
  value: unknown,
  field?: string
) => Checked<Readonly<Record<string, string>> | undefined> = internal.attributes

/** Client metadata passed to the pool's Lambda triggers. `undefined` stays `undefined`. */
export const clientMetadata: (
  method: string,
  value: unknown,
  field?: string
) => Checked<Readonly<Record<string, string>> | undefined> = internal.clientMetadata
