/**
 * AWS Signature Version 4 over Web Crypto, as AWS documents it: the canonical request
 * (method, normalized and re-encoded path, sorted query, canonical headers, payload
 * hash), the string to sign over the credential scope, the derived signing key (cached
 * per key, day, region and service) and the `Authorization` header.
 *
 * @internal
 */
import type * as Headers from "@effect/platform/Headers"
import * as Redacted from "effect/Redacted"
import type * as AwsSigning from "../AwsSigning.js"
import { bytesToHex, utf8 } from "./encoding.js"
import { digest, hmac, hmacKey } from "./webCrypto.js"

/** `YYYYMMDD'T'HHMMSS'Z'` of an epoch-milliseconds instant. */
export const amzDate = (millis: number): string => new Date(millis).toISOString().replace(/[:-]|\.\d{3}/g, "")

/**
 * Headers never signed: set or changed by transports, proxies and tracers after
 * signing. `content-type` is signed (as the AWS SDK does); `content-length` is not.
 */
const unsignedHeaders: ReadonlySet<string> = new Set([
  "authorization",
  "content-length",
  "user-agent",
  "expect",
  "connection",
  "x-amzn-trace-id",
  "traceparent",
  "tracestate",
  "b3",
  "presigned-expires",
  "range"
])

/** The body bytes (or text) to hash, or `undefined` for no body. */
export type SignableBody = Uint8Array | string | undefined

/** What the signer needs of a request. */
export interface SignInput {
  readonly method: string
  readonly url: URL
  readonly headers: Headers.Headers
  readonly body: SignableBody
}

/** The headers signing adds to the request. */
export interface SignedHeaders {
  readonly authorization: string
  readonly "x-amz-date": string
  readonly "x-amz-security-token"?: string
  readonly "x-amz-content-sha256"?: string
}

/** Where and when a request is signed; `cache` keeps derived signing keys (not extractable) between requests. */
export interface SignOptions {
  readonly service: string
  readonly region: string
  readonly datetime: string
  readonly sessionToken: "signed" | "unsigned"
  readonly cache: Map<string, CryptoKey>
}

/** Percent-encoding as RFC 3986 wants it: everything but `A-Z a-z 0-9 - . _ ~`. */
export const encodeRfc3986 = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/**
 * The canonical URI of a (WHATWG-encoded) path. S3: each segment decoded, then encoded once, nothing
 * normalized. Every other service: empty, `.` and `..` segments resolved, and each
 * segment of the path as sent encoded once more.
 */
export const canonicalUri = (pathname: string, service: string): string => {
  if (service === "s3") {
    const path = pathname
      .split("/")
      .map((segment) => encodeRfc3986(decodeSegment(segment)))
      .join("/")
    return path.startsWith("/") ? path : `/${path}`
  }
  const segments: Array<string> = []
  for (const segment of pathname.split("/")) {
    if (segment === "" || segment === ".") continue
    if (segment === "..") segments.pop()
    else segments.push(encodeRfc3986(segment))
  }
  return `/${segments.join("/")}${segments.length > 0 && pathname.endsWith("/") ? "/" : ""}`
}

/** The canonical query: each name and value RFC 3986-encoded, sorted by name, then value. */
export const canonicalQuery = (params: URLSearchParams): string =>
  [...params]
    .map(([name, value]) => [encodeRfc3986(name), encodeRfc3986(value)] as const)
    .sort(([nameA, valueA], [nameB, valueB]) =>
      nameA < nameB ? -1 : nameA > nameB ? 1 : valueA < valueB ? -1 : valueA > valueB ? 1 : 0
    )
    .map(([name, value]) => `${name}=${value}`)
    .join("&")

/** Hex SHA-256 of a body (none hashes as empty). */
const payloadHash = async (body: SignableBody): Promise<string> =>
  bytesToHex(await digest(typeof body === "string" || body === undefined ? utf8(body ?? "") : new Uint8Array(body)))

const signingKey = async (secret: string, date: string, options: SignOptions): Promise<CryptoKey> => {
  const id = `${secret}/${date}/${options.region}/${options.service}`
  const known = options.cache.get(id)
  if (known !== undefined) return known
  let key = await hmac(utf8(`AWS4${secret}`), utf8(date))
  for (const part of [options.region, options.service, "aws4_request"]) key = await hmac(key, utf8(part))
  const signing = await hmacKey(key)
  options.cache.set(id, signing)
  return signing
}

/**
 * Signs a request: every header but {@link unsignedHeaders} is signed, with `host`
 * (from the URL unless set), `x-amz-date`, the session token (unless it goes unsigned)
 * and, for S3, `x-amz-content-sha256`. Returns the headers to add.
 */
export const sign = async (
  input: SignInput,
  credentials: AwsSigning.SigningCredentials,
  options: SignOptions
): Promise<SignedHeaders> => {
  const token = credentials.sessionToken === undefined ? undefined : Redacted.value(credentials.sessionToken)
  const headers: Record<string, string> = { host: input.url.host }
  for (const [name, value] of Object.entries(input.headers)) {
    if (!unsignedHeaders.has(name)) headers[name] = value.trim().replace(/\s+/g, " ")
  }
  headers["x-amz-date"] = options.datetime
  if (token !== undefined && options.sessionToken === "signed") headers["x-amz-security-token"] = token
  if (options.service === "s3") headers["x-amz-content-sha256"] ??= await payloadHash(input.body)
  const names = Object.keys(headers).sort()
  const signedHeaders = names.join(";")
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalUri(input.url.pathname, options.service),
    canonicalQuery(input.url.searchParams),
    names.map((name) => `${name}:${headers[name]}\n`).join(""),
    signedHeaders,
    headers["x-amz-content-sha256"] ?? (await payloadHash(input.body))
  ].join("\n")
  const date = options.datetime.slice(0, 8)
  const scope = `${date}/${options.region}/${options.service}/aws4_request`
  const stringToSign = `AWS4-HMAC-SHA256\n${options.datetime}\n${scope}\n${bytesToHex(await digest(utf8(canonicalRequest)))}`
  const key = await signingKey(Redacted.value(credentials.secretAccessKey), date, options)
  const signature = bytesToHex(await hmac(key, utf8(stringToSign)))
  const contentSha256 = headers["x-amz-content-sha256"]
  return {
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    "x-amz-date": options.datetime,
    ...(token === undefined ? {} : { "x-amz-security-token": token }),
    ...(contentSha256 === undefined ? {} : { "x-amz-content-sha256": contentSha256 })
  }
}
