/**
 * The one place bytes become text and text becomes bytes or values: hex, base64
 * (standard and URL-safe), UTF-8, JSON that never throws and is refused past
 * {@link maxJsonDepth} levels of nesting before it is parsed, and the payload of a JWT.
 * Base64 goes through `effect/encoding`; hex keeps a table-driven codec because SRP
 * converts 3072-bit integers through it on every sign-in.
 *
 * Every decoder here returns `undefined` (or `Option.none`, or a `Result` failure saying
 * why) for input it cannot read; none throws on untrusted input.
 *
 * @internal
 */
import * as Base64 from "effect/encoding/Base64"
import * as Base64Url from "effect/encoding/Base64Url"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Result from "effect/Result"
import * as BoundedJson from "../BoundedJson.js"

// ---------------------------------------------------------------------------
// Hex
// ---------------------------------------------------------------------------

const hexPattern = /^[0-9a-fA-F]+$/

/** Is this a non-empty string of hex digits? */
export const isHex = (s: string): boolean => hexPattern.test(s)

const nibble = (code: number): number => {
  if (code >= 48 && code <= 57) return code - 48
  if (code >= 97 && code <= 102) return code - 87
  if (code >= 65 && code <= 70) return code - 55
  return -1
}

/** Even-length hex to bytes. Throws on anything else: callers validate untrusted input first. */
export const hexToBytes = (hex: string): Uint8Array<ArrayBuffer> => {
  if ((hex.length & 1) === 1) throw new RangeError("hexToBytes: odd length")
  const bytes = new Uint8Array(hex.length >>> 1)
  for (let i = 0, j = 0; i < bytes.length; i++, j += 2) {
    const hi = nibble(hex.charCodeAt(j))
    const lo = nibble(hex.charCodeAt(j + 1))
    if (hi < 0 || lo < 0) throw new RangeError("hexToBytes: not a hex digit")
    bytes[i] = (hi << 4) | lo
  }
  return bytes
}

const byteHex: ReadonlyArray<string> = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))

/** Bytes to lower-case hex. */
export const bytesToHex = (bytes: Uint8Array): string => {
  let hex = ""
  for (let i = 0; i < bytes.length; i++) hex += byteHex[bytes[i]!]
  return hex
}

// ---------------------------------------------------------------------------
// UTF-8 and byte arrays
// ---------------------------------------------------------------------------

const encoder = new TextEncoder()
const strictDecoder = new TextDecoder("utf-8", { fatal: true })

/** UTF-8 bytes of a string (lone surrogates become U+FFFD, as Node's `Buffer` does). */
export const utf8 = (s: string): Uint8Array<ArrayBuffer> => encoder.encode(s)

/** The text of UTF-8 bytes, or `undefined` when they are not valid UTF-8. */
export const fromUtf8 = (bytes: Uint8Array): string | undefined => {
  try {
    return strictDecoder.decode(bytes)
  } catch {
    return undefined
  }
}

/** Concatenates byte arrays. */
export const concat = (...parts: ReadonlyArray<Uint8Array>): Uint8Array<ArrayBuffer> => {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

// ---------------------------------------------------------------------------
// Base64
// ---------------------------------------------------------------------------

/** Standard base64 with padding. */
export const toBase64 = (bytes: Uint8Array): string => Base64.encode(bytes)

/** URL-safe base64 without padding, as in a JWT. */
export const toBase64Url = (bytes: Uint8Array): string => Base64Url.encode(bytes)

const urlSafe = /[-_]/g
const lineBreak = /[\r\n]/

/**
 * Decodes base64 (standard or URL-safe alphabet, padding optional).
 * Returns `undefined` for anything that is not base64.
 */
export const fromBase64 = (s: string): Uint8Array<ArrayBuffer> | undefined => {
  if (lineBreak.test(s)) return undefined
  const standard = s.replace(urlSafe, (c) => (c === "-" ? "+" : "/"))
  const padded = standard.endsWith("=")
    ? standard
    : standard.length % 4 === 1
      ? undefined
      : standard + "=".repeat((4 - (standard.length % 4)) % 4)
  if (padded === undefined) return undefined
  const decoded = Base64.decode(padded)
  return Result.isSuccess(decoded) ? new Uint8Array(decoded.success) : undefined
}

// ---------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------

/** How deep arrays and objects may nest in JSON that comes from outside (`BoundedJson.maxDepth`). */
export const maxJsonDepth = BoundedJson.maxDepth

/** Whether `text` nests arrays and objects no deeper than `max` (`BoundedJson.within`). */
export const jsonDepthWithin = BoundedJson.within

/** Why text is not a JSON value: not JSON at all, or nested deeper than {@link maxJsonDepth}. */
export type JsonProblem = BoundedJson.Problem

/** What {@link JsonProblem} says, as the end of a sentence ("the value ..."). */
export const describeJsonProblem = (problem: JsonProblem): string =>
  problem === "TooDeep" ? `is nested deeper than ${maxJsonDepth} levels` : "is not JSON"

/** The one JSON decoder of text from outside (`BoundedJson.decode`): never throws, nesting bounded. */
export const decodeJson = BoundedJson.decode

/** {@link decodeJson} as an option: `None` for text that is not JSON or nests too deeply. */
export const parseJson = (text: string): Option.Option<unknown> => Result.getSuccess(decodeJson(text))

/** A JSON object (not an array, not `null`), or `undefined`. */
export const parseJsonObject = (text: string): Readonly<Record<string, unknown>> | undefined => {
  const value = parseJson(text)
  return Option.isSome(value) && Predicate.isObject(value.value) ? value.value : undefined
}

/** The strings of a JSON array of strings (other members skipped); `[]` for anything else. */
export const parseStringList = (text: string | undefined): ReadonlyArray<string> => {
  if (text === undefined || text === "") return []
  const value = Option.getOrUndefined(parseJson(text))
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []
}

/** The string members of a JSON object (others skipped); `{}` for anything else. */
export const parseStringRecord = (text: string | undefined): Readonly<Record<string, string>> => {
  if (text === undefined || text === "") return {}
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(parseJsonObject(text) ?? {})) if (typeof v === "string") out[k] = v
  return out
}

// ---------------------------------------------------------------------------
// JWT
// ---------------------------------------------------------------------------

/** Why a token's payload cannot be read: not a JWT, or a payload nested deeper than {@link maxJsonDepth}. */
export type JwtProblem = "NotJwt" | "TooDeep"

/** The payload of a JWT as a record (three segments, a JSON object payload), or why there is none. */
export const decodeJwtPayload = (token: string): Result.Result<Readonly<Record<string, unknown>>, JwtProblem> => {
  const parts = token.split(".")
  if (parts.length !== 3 || parts[1] === undefined) return Result.fail("NotJwt")
  const bytes = fromBase64(parts[1])
  const json = bytes === undefined ? undefined : fromUtf8(bytes)
  if (json === undefined) return Result.fail("NotJwt")
  const value = decodeJson(json)
  if (Result.isFailure(value)) return Result.fail(value.failure === "TooDeep" ? "TooDeep" : "NotJwt")
  return Predicate.isObject(value.success) ? Result.succeed(value.success) : Result.fail("NotJwt")
}

/** The payload of a JWT as a record, or `undefined` when it is not a JWT (three segments, JSON object payload). */
export const jwtPayload = (token: string): Readonly<Record<string, unknown>> | undefined =>
  Result.getOrUndefined(decodeJwtPayload(token))
