/**
 * One validation of what users type, with Cognito's own limits, for every flow and for
 * `TestCognito`. Each check is a pure function returning `Result`: the value, or an
 * `AuthError` with reason `InvalidInput` naming the field and what was expected. A
 * message never shows the value: a username may be a megabyte of control characters,
 * and a password, code or answer is a secret. Lengths count characters (code points),
 * as Cognito does.
 *
 * | field | rule |
 * |---|---|
 * | username | 1 to 128 characters: letters, marks, numbers, punctuation, symbols (no spaces, no control or invisible characters) |
 * | password | 1 to 256 characters |
 * | confirmation code (sign-up, password reset, attribute) | 1 to 2048 characters, none of them whitespace or control |
 * | MFA code (SMS, TOTP, email) | 6 to 8 digits |
 * | challenge answer | 1 to 2048 characters |
 * | attribute name | 1 to 32 characters, as a username |
 * | attribute value | at most 2048 characters, no control characters other than tab and line breaks |
 * | client metadata | at most 50 pairs, each key and value at most 2048 characters |
 * | device key | 1 to 55 characters, Cognito's `<region>_<uuid>` (`[\w-]+_[0-9a-f-]+`) |
 * | device or authenticator name | 1 to 1024 characters, no control characters |
 * | page size (`limit`) | an integer from 0 to 60 |
 *
 * A `Result` is yieldable, so a flow can `yield*` a check directly.
 *
 * @internal
 */
import * as Result from "effect/Result"
import * as Redacted from "effect/Redacted"
import * as AuthError from "../AuthError.js"

/** A checked value, or an `InvalidInput` error. */
export type Checked<A> = Result.Result<A, AuthError.AuthError>

/** Cognito's pattern for usernames and attribute names. */
const visible = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u
const control = /\p{Cc}/u
const whitespaceOrControl = /[\s\p{Cc}]/u
const digits = /^[0-9]+$/

/** The number of characters (code points) of a string. */
const characters = (value: string): number => {
  let count = 0
  for (const _ of value) count++
  return count
}

const kind = (value: unknown): string =>
  value === undefined
    ? "nothing"
    : value === null
      ? "null"
      : Array.isArray(value)
        ? "an array"
        : typeof value === "object"
          ? "an object"
          : `a ${typeof value}`

const fail = (method: string, field: string, expected: string, found: string): Checked<never> =>
  Result.fail(AuthError.make("InvalidInput", method, `${field}: expected ${expected}, found ${found}`))

const lengthWithin = (method: string, field: string, value: string, min: number, max: number): Checked<string> => {
  // Counting a huge string's code points is itself a cost: its UTF-16 length bounds them.
  const length = value.length > max * 2 ? value.length : characters(value)
  if (length < min || length > max) {
    const expected =
      min === max ? `${min} characters` : min === 0 ? `at most ${max} characters` : `${min} to ${max} characters`
    return fail(method, field, expected, length === 0 ? "an empty string" : `${length} characters`)
  }
  return Result.succeed(value)
}

/** A plain string field. */
const text = (method: string, field: string, value: unknown, min: number, max: number): Checked<string> =>
  typeof value === "string"
    ? lengthWithin(method, field, value, min, max)
    : fail(method, field, "a string", kind(value))

/** A secret field: a `Redacted` string. */
const secret = (
  method: string,
  field: string,
  value: unknown,
  check: (plain: string) => Checked<string>
): Checked<Redacted.Redacted<string>> => {
  if (!Redacted.isRedacted(value)) return fail(method, field, "a Redacted string", `${kind(value)} (not shown)`)
  const plain: unknown = Redacted.value(value)
  if (typeof plain !== "string")
    return fail(method, field, "a Redacted string", `a Redacted ${kind(plain).replace(/^an? /, "")}`)
  return Result.map(check(plain), () => value as Redacted.Redacted<string>)
}

const visibleName = (method: string, field: string, value: unknown, max: number): Checked<string> =>
  Result.flatMap(text(method, field, value, 1, max), (name) =>
    visible.test(name)
      ? Result.succeed(name)
      : fail(
          method,
          field,
          "letters, marks, numbers, punctuation or symbols",
          "a space, a control or an invisible character"
        )
  )

/** A username (or alias: email, phone number) as Cognito accepts it. */
export const username = (method: string, value: unknown, field = "username"): Checked<string> =>
  visibleName(method, field, value, 128)

/** A password: 1 to 256 characters. The pool's own policy is Cognito's to check. */
export const password = (method: string, value: unknown, field = "password"): Checked<Redacted.Redacted<string>> =>
  secret(method, field, value, (plain) => lengthWithin(method, field, plain, 1, 256))

/** A confirmation code sent by email or SMS (sign-up, password reset, attribute verification). */
export const confirmationCode = (
  method: string,
  value: unknown,
  field = "confirmationCode"
): Checked<Redacted.Redacted<string>> =>
  secret(method, field, value, (plain) =>
    Result.flatMap(lengthWithin(method, field, plain, 1, 2048), (code) =>
      whitespaceOrControl.test(code)
        ? fail(method, field, "no whitespace or control characters", "some (not shown)")
        : Result.succeed(code)
    )
  )

/** An MFA code: SMS, authenticator app (TOTP) or email, 6 to 8 digits. */
export const mfaCode = (method: string, value: unknown, field = "code"): Checked<Redacted.Redacted<string>> =>
  secret(method, field, value, (plain) =>
    Result.flatMap(lengthWithin(method, field, plain, 6, 8), (code) =>
      digits.test(code) ? Result.succeed(code) : fail(method, field, "digits only", "other characters (not shown)")
    )
  )

/** The answer to a challenge (a code, a new password, an MFA type, a custom answer). */
export const challengeResponse = (
  method: string,
  value: unknown,
  field = "challengeResponse"
): Checked<Redacted.Redacted<string>> =>
  secret(method, field, value, (plain) => lengthWithin(method, field, plain, 1, 2048))

/** A user attribute's name, e.g. `email` or `custom:team`. */
export const attributeName = (method: string, value: unknown, field = "attribute name"): Checked<string> =>
  visibleName(method, field, value, 32)

/** A user attribute's value. */
export const attributeValue = (method: string, value: unknown, field = "attribute value"): Checked<string> =>
  Result.flatMap(text(method, field, value, 0, 2048), (plain) =>
    control.test(plain.replace(/[\t\n\r]/g, ""))
      ? fail(method, field, "no control characters", "some")
      : Result.succeed(plain)
  )

const record = (method: string, field: string, value: unknown): Checked<ReadonlyArray<readonly [string, unknown]>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? Result.succeed(Object.entries(value))
    : fail(method, field, "an object of strings", kind(value))

/** User attributes: names and values as above. `undefined` stays `undefined`. */
export const attributes = (
  method: string,
  value: unknown,
  field = "userAttributes"
): Checked<Readonly<Record<string, string>> | undefined> => {
  if (value === undefined) return Result.succeed(undefined)
  return Result.flatMap(record(method, field, value), (entries): Checked<Record<string, string>> => {
    const out: Array<[string, string]> = []
    for (const [name, attribute] of entries) {
      const checkedName = attributeName(method, name, `${field} name`)
      if (Result.isFailure(checkedName)) return Result.fail(checkedName.failure)
      const checkedValue = attributeValue(method, attribute, `${field}.${name}`)
      if (Result.isFailure(checkedValue)) return Result.fail(checkedValue.failure)
      out.push([name, checkedValue.success])
    }
    // fromEntries defines own properties: a key like __proto__ stays a key.
    return Result.succeed(Object.fromEntries(out))
  })
}

/** Client metadata passed to the pool's Lambda triggers. `undefined` stays `undefined`. */
export const clientMetadata = (
  method: string,
  value: unknown,
  field = "clientMetadata"
): Checked<Readonly<Record<string, string>> | undefined> => {
  if (value === undefined) return Result.succeed(undefined)
  return Result.flatMap(record(method, field, value), (entries): Checked<Record<string, string>> => {
    if (entries.length > 50) return fail(method, field, "at most 50 pairs", `${entries.length}`)
    const out: Array<[string, string]> = []
    for (const [key, item] of entries) {
      const checkedKey = text(method, `${field} key`, key, 1, 2048)
      if (Result.isFailure(checkedKey)) return Result.fail(checkedKey.failure)
      const checkedValue = text(method, `${field} value`, item, 0, 2048)
      if (Result.isFailure(checkedValue)) return Result.fail(checkedValue.failure)
      out.push([key, checkedValue.success])
    }
    // fromEntries defines own properties: a key like __proto__ stays a key.
    return Result.succeed(Object.fromEntries(out))
  })
}

const deviceKeyPattern = /^[\w-]+_[0-9a-f-]+$/

/** A device key, as Cognito makes them (`<region>_<uuid>`). */
export const deviceKey = (method: string, value: unknown, field = "deviceKey"): Checked<string> =>
  Result.flatMap(text(method, field, value, 1, 55), (key) =>
    deviceKeyPattern.test(key)
      ? Result.succeed(key)
      : fail(method, field, "a device key, <region>_<uuid>", "another string")
  )

/** The name of a device or of an authenticator app (`DeviceName`, `FriendlyDeviceName`). */
export const deviceName = (method: string, value: unknown, field = "deviceName"): Checked<string> =>
  Result.flatMap(text(method, field, value, 1, 1024), (name) =>
    control.test(name) ? fail(method, field, "no control characters", "some") : Result.succeed(name)
  )

/** A page size: an integer from 0 to `max`. `undefined` stays `undefined`. */
export const limit = (method: string, value: unknown, max: number, field = "limit"): Checked<number | undefined> => {
  if (value === undefined) return Result.succeed(undefined)
  if (typeof value !== "number") return fail(method, field, `an integer from 0 to ${max}`, kind(value))
  return Number.isInteger(value) && value >= 0 && value <= max
    ? Result.succeed(value)
    : fail(method, field, `an integer from 0 to ${max}`, String(value))
}
