/**
 * An independent AWS Signature Version 4 verifier for tests and demos: given a
 * request as a server received it and the credentials it should be signed with, it
 * says whether the `Authorization` header is right, and if not which part is wrong.
 *
 * Written from the published SigV4 specification with Web Crypto, sharing no code
 * with the signer in core, so agreeing with it is a real cross-check.
 * It checks header-signed requests (`Authorization: AWS4-HMAC-SHA256 …`), not
 * presigned URLs. Non-S3 rules: each path segment, as it came (already encoded once), is
 * encoded once more and repeated slashes collapse; for `s3` segments are decoded, encoded
 * once and kept.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

/**
 * A request as a server received it.
 *
 * @since 0.1.0
 */
export interface Request {
  readonly method: string
  /** Absolute URL (`http://127.0.0.1:1234/path?query`). */
  readonly url: string
  /** Header names in any case; repeated headers as arrays. */
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body?: Uint8Array | string | undefined
}

/**
 * The credentials and scope the request must be signed with.
 *
 * @since 0.1.0
 */
export interface Options {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  /** The session token the request must carry in `x-amz-security-token`; none: it must carry none. */
  readonly sessionToken?: Redacted.Redacted<string> | undefined
  /** Required region of the scope; any when omitted. */
  readonly region?: string | undefined
  /** Required service of the scope; any when omitted. */
  readonly service?: string | undefined
  /** The server's time: `x-amz-date` must be within `maxSkewSeconds` of it. Unchecked when omitted. */
  readonly now?: Date | undefined
  /** Default 300 (AWS's five minutes). */
  readonly maxSkewSeconds?: number | undefined
}

/**
 * The part of a signed request that can be wrong.
 *
 * @since 0.1.0
 */
export type Part =
  | "Authorization"
  | "Date"
  | "AccessKeyId"
  | "Scope"
  | "SignedHeaders"
  | "SecurityToken"
  | "PayloadHash"
  | "Signature"

/**
 * The verdict: valid, or the first part found wrong with what was expected and found.
 * Both carry the canonical request and string to sign the verifier computed (when it
 * got that far), to diff against a signer's.
 *
 * @since 0.1.0
 */
export type Verdict =
  | { readonly _tag: "Valid"; readonly canonicalRequest: string; readonly stringToSign: string }
  | {
      readonly _tag: "Invalid"
      readonly part: Part
      readonly expected: string
      readonly found: string
      readonly canonicalRequest?: string | undefined
      readonly stringToSign?: string | undefined
    }

const algorithm = "AWS4-HMAC-SHA256"
const encoder = new TextEncoder()

const invalid = (
  part: Part,
  expected: string,
  found: string,
  computed: { readonly canonicalRequest?: string; readonly stringToSign?: string } = {}
): Verdict => ({ _tag: "Invalid", part, expected, found, ...computed })

/** RFC 3986 percent-encoding of every byte but the unreserved characters, upper-case hex. */
export const uriEncode = (value: string): string => {
  let out = ""
  for (const byte of encoder.encode(value)) {
    const c = String.fromCharCode(byte)
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`
  }
  return out
}

const decode = (value: string): string => {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/** The canonical URI of a (percent-encoded) path. */
export const canonicalUri = (path: string, service: string): string => {
  if (path === "") return "/"
  if (service === "s3")
    return path
      .split("/")
      .map((segment) => uriEncode(decode(segment)))
      .join("/")
  const segments = path.split("/")
  const kept = segments.filter((segment, i) => segment !== "" || i === 0 || i === segments.length - 1)
  // The segment as it came (percent-encoded once by the client, reserved characters such as ":" perhaps left
  // as they are) is encoded once more: decoding first would encode such characters twice.
  const out = kept.map((segment) => uriEncode(segment)).join("/")
  return out === "" ? "/" : out
}

/** The canonical query string of a raw query (without `?`). */
export const canonicalQuery = (query: string): string =>
  query
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => {
      const eq = pair.indexOf("=")
      const name = eq === -1 ? pair : pair.slice(0, eq)
      const value = eq === -1 ? "" : pair.slice(eq + 1)
      return [uriEncode(decode(name)), uriEncode(decode(value))] as const
    })
    .sort(([k1, v1], [k2, v2]) => (k1 < k2 ? -1 : k1 > k2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&")

const lowerHeaders = (headers: Request["headers"]): Map<string, string> => {
  const out = new Map<string, string>()
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    const values = typeof value === "string" ? [value] : value
    out.set(name.toLowerCase(), values.map((v) => v.trim().replace(/\s+/g, " ")).join(","))
  }
  return out
}

const hex = (bytes: ArrayBuffer): string => {
  let out = ""
  for (const byte of new Uint8Array(bytes)) out += byte.toString(16).padStart(2, "0")
  return out
}

const bytesOf = (data: Uint8Array | string): Uint8Array<ArrayBuffer> =>
  typeof data === "string" ? encoder.encode(data) : new Uint8Array(data)

const sha256Hex = async (data: Uint8Array | string): Promise<string> =>
  hex(await crypto.subtle.digest("SHA-256", bytesOf(data)))

const hmac = async (key: Uint8Array<ArrayBuffer>, data: string): Promise<Uint8Array<ArrayBuffer>> => {
  const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(data)))
}

const equalInConstantTime = (a: string, b: string): boolean => {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

const authorizationPattern =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9\-;]+),\s*Signature=([0-9a-f]{64})$/

const amzDatePattern = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

const verifyAsync = async (request: Request, options: Options): Promise<Verdict> => {
  const headers = lowerHeaders(request.headers)
  const authorization = headers.get("authorization")
  const shape = `${algorithm} Credential=<key>/<yyyymmdd>/<region>/<service>/aws4_request, SignedHeaders=<names>, Signature=<64 hex>`
  if (authorization === undefined) return invalid("Authorization", shape, "no Authorization header")
  const match = authorizationPattern.exec(authorization)
  if (match === null) return invalid("Authorization", shape, authorization)
  const [, keyId = "", scopeDate = "", scopeRegion = "", scopeService = "", signedHeaderList = "", signature = ""] =
    match

  const amzDate = headers.get("x-amz-date")
  const date = amzDate === undefined ? null : amzDatePattern.exec(amzDate)
  if (amzDate === undefined || date === null)
    return invalid("Date", "x-amz-date: YYYYMMDD'T'HHMMSS'Z'", amzDate ?? "none")
  if (options.now !== undefined) {
    const [, y, mo, d, h, mi, s] = date.map(Number)
    const signedAt = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 0, h ?? 0, mi ?? 0, s ?? 0)
    const skew = Math.abs(signedAt - options.now.getTime()) / 1000
    const max = options.maxSkewSeconds ?? 300
    if (skew > max) return invalid("Date", `within ${max} s of ${options.now.toISOString()}`, amzDate)
  }

  if (keyId !== options.accessKeyId) return invalid("AccessKeyId", options.accessKeyId, keyId)
  const expectedScope = `${amzDate.slice(0, 8)}/${options.region ?? scopeRegion}/${options.service ?? scopeService}`
  const foundScope = `${scopeDate}/${scopeRegion}/${scopeService}`
  if (expectedScope !== foundScope) return invalid("Scope", expectedScope, foundScope)

  const signedHeaders = signedHeaderList.split(";")
  const sorted = [...signedHeaders].sort()
  const missing = signedHeaders.filter((name) => !headers.has(name))
  const unsignedAmz = [...headers.keys()].filter(
    (name) => name.startsWith("x-amz-") && name !== "x-amz-security-token" && !signedHeaders.includes(name)
  )
  const problems = [
    ...(signedHeaders.includes("host") ? [] : ["host not signed"]),
    ...(signedHeaders.includes("x-amz-date") ? [] : ["x-amz-date not signed"]),
    ...(sorted.join(";") === signedHeaderList && new Set(signedHeaders).size === signedHeaders.length
      ? []
      : ["not sorted and unique"]),
    ...missing.map((name) => `${name} signed but absent`),
    ...unsignedAmz.map((name) => `${name} present but unsigned`)
  ]
  if (problems.length > 0) {
    return invalid("SignedHeaders", "host, x-amz-date and every x-amz-* header, sorted", problems.join("; "))
  }

  const token = headers.get("x-amz-security-token")
  const expectedToken = options.sessionToken === undefined ? undefined : Redacted.value(options.sessionToken)
  if (token !== expectedToken) {
    // Tokens are secrets: the verdict says which, never what.
    return invalid(
      "SecurityToken",
      expectedToken === undefined ? "none" : "the session token",
      token === undefined ? "none" : expectedToken === undefined ? "a token" : "another token"
    )
  }

  const bodyHash = await sha256Hex(request.body ?? "")
  const declared = headers.get("x-amz-content-sha256")
  const unsignedPayload = declared === "UNSIGNED-PAYLOAD" || declared?.startsWith("STREAMING-") === true
  if (declared !== undefined && !unsignedPayload && declared !== bodyHash) {
    return invalid("PayloadHash", bodyHash, declared)
  }
  const payloadHash = declared !== undefined && unsignedPayload ? declared : bodyHash

  const url = new URL(request.url)
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalUri(url.pathname, scopeService),
    canonicalQuery(url.search.slice(1)),
    `${signedHeaders.map((name) => `${name}:${headers.get(name) ?? ""}`).join("\n")}\n`,
    signedHeaderList,
    payloadHash
  ].join("\n")
  const scope = `${foundScope}/aws4_request`
  const stringToSign = [algorithm, amzDate, scope, await sha256Hex(canonicalRequest)].join("\n")
  let key = encoder.encode(`AWS4${Redacted.value(options.secretAccessKey)}`)
  for (const part of [scopeDate, scopeRegion, scopeService, "aws4_request"]) key = await hmac(key, part)
  const expected = hex((await hmac(key, stringToSign)).buffer)
  if (!equalInConstantTime(expected, signature)) {
    return invalid("Signature", expected, signature, { canonicalRequest, stringToSign })
  }
  return { _tag: "Valid", canonicalRequest, stringToSign }
}

/**
 * Verifies the SigV4 `Authorization` header of `request` against `options`.
 *
 * @example
 * ```ts
 * import * as SigV4Verifier from "@effect-cognito/test-kit/SigV4Verifier"
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 *
 * const check = (request: SigV4Verifier.Request) =>
 *   Effect.gen(function* () {
 *     const verdict = yield* SigV4Verifier.verify(request, {
 *       accessKeyId: "ASIAEXAMPLE",
 *       secretAccessKey: Redacted.make("the secret key"),
 *       region: "eu-west-1"
 *     })
 *     if (verdict._tag === "Valid") return "signed"
 *     return `${verdict.part}: expected ${verdict.expected}, found ${verdict.found}`
 *   })
 * ```
 *
 * @since 0.1.0
 */
export const verify = (request: Request, options: Options): Effect.Effect<Verdict> =>
  Effect.promise(() => verifyAsync(request, options))
