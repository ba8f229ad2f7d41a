/**
 * AWS Signature Version 4 through aws4fetch's `AwsV4Signer`: this module decides what
 * goes into the signature (which headers, the payload hash, the session token, the
 * signing time from `Clock`) and keeps only the headers signing adds.
 *
 * @internal
 */
import { AwsV4Signer } from "aws4fetch"
import type * as Headers from "effect/http/Headers"
import * as Redacted from "effect/Redacted"
import type * as AwsSigning from "../AwsSigning.js"
import { bytesToHex, utf8 } from "./encoding.js"

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

/** Where and when a request is signed; `cache` keeps aws4fetch's derived signing keys between requests. */
export interface SignOptions {
  readonly service: string
  readonly region: string
  readonly datetime: string
  readonly sessionToken: "signed" | "unsigned"
  readonly cache: Map<string, ArrayBuffer>
}

/** Hex SHA-256 of a body (none hashes as empty). */
const payloadHash = async (body: SignableBody): Promise<string> =>
  bytesToHex(
    new Uint8Array(
      await crypto.subtle.digest(
        "SHA-256",
        typeof body === "string" || body === undefined ? utf8(body ?? "") : new Uint8Array(body)
      )
    )
  )

/**
 * Signs a request: every header but {@link unsignedHeaders} is signed, with `host`,
 * `x-amz-date`, the session token (signed unless `sessionToken` is `"unsigned"`, then only
 * added) and, for S3, `x-amz-content-sha256` as the payload's hash (aws4fetch would send
 * `UNSIGNED-PAYLOAD`; the AWS SDK signs the payload). Returns the headers to add.
 */
export const sign = async (
  input: SignInput,
  credentials: AwsSigning.SigningCredentials,
  options: SignOptions
): Promise<SignedHeaders> => {
  const token = credentials.sessionToken === undefined ? undefined : Redacted.value(credentials.sessionToken)
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(input.headers)) {
    if (!unsignedHeaders.has(name)) headers[name] = value
  }
  if (options.service === "s3") headers["x-amz-content-sha256"] ??= await payloadHash(input.body)
  const signer = new AwsV4Signer({
    method: input.method.toUpperCase(),
    url: input.url.href,
    headers,
    ...(input.body === undefined
      ? {}
      : { body: typeof input.body === "string" ? input.body : new Uint8Array(input.body) }),
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: Redacted.value(credentials.secretAccessKey),
    ...(token !== undefined && options.sessionToken === "signed" ? { sessionToken: token } : {}),
    service: options.service,
    region: options.region,
    datetime: options.datetime,
    cache: options.cache,
    // Which headers are signed is decided above, not by aws4fetch's own list (it leaves content-type out).
    allHeaders: true
  })
  const signed = (await signer.sign()).headers
  const contentSha256 = signed.get("x-amz-content-sha256") ?? undefined
  return {
    authorization: signed.get("authorization") ?? "",
    "x-amz-date": options.datetime,
    ...(token === undefined ? {} : { "x-amz-security-token": token }),
    ...(contentSha256 === undefined ? {} : { "x-amz-content-sha256": contentSha256 })
  }
}
