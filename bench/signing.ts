/**
 * Benchmark: SigV4 signing throughput, requests signed per second, for the same POST
 * (JSON body, a query, five headers, a session token): ours through `AwsSigning.signed`
 * (the public transform, Effect and a counting in-memory client included), aws4fetch's
 * `AwsV4Signer` (what browser apps commonly sign with) and `@smithy/signature-v4` (the
 * AWS SDK's signer). All run on Web Crypto or node:crypto in this process; nothing touches
 * the network. Best of three rounds after a warm-up.
 *
 *   npx tsx bench/signing.ts            (BENCH_SCALE=0.01 for a quick run)
 */
import { createHash, createHmac } from "node:crypto"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as AwsSigning from "@effect-cognito/core/AwsSigning"
import { SignatureV4 } from "@smithy/signature-v4"
import { AwsV4Signer } from "aws4fetch"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

const requests = Math.max(10, Math.round(5000 * Number(process.env.BENCH_SCALE ?? 1)))
const url = "https://abc123.execute-api.eu-west-1.amazonaws.com/prod/items?limit=10&start=a%20b"
const body = JSON.stringify({ name: "widget", tags: ["a", "b"], count: 3 })
const headers = {
  "content-type": "application/json",
  accept: "application/json",
  "x-api-client": "bench",
  "x-request-id": "0f8e2d1c",
  "x-custom": "one  two"
}
const accessKeyId = "ASIAEXAMPLE000000001"
const secretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
const sessionToken = "IQoJb3JpZ2luX2VjEXAMPLE".repeat(20)

const toBytes = (data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof data === "string"
    ? data
    : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)

class NodeSha256 {
  private readonly hash
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBytes(secret))
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data))
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()))
  }
}

const ours = (): (() => Promise<string>) => {
  let last = ""
  const fake = HttpClient.make((request) =>
    Effect.sync(() => {
      last = request.headers.authorization ?? ""
      return HttpClientResponse.fromWeb(request, new Response("ok"))
    })
  )
  const client = AwsSigning.signed(fake, {
    credentials: Effect.succeed({
      accessKeyId,
      secretAccessKey: Redacted.make(secretAccessKey),
      sessionToken: Redacted.make(sessionToken)
    }),
    renew: Effect.die("not renewed"),
    service: "execute-api",
    region: "eu-west-1"
  })
  const request = HttpClientRequest.post(url).pipe(
    HttpClientRequest.setHeaders(headers),
    HttpClientRequest.bodyText(body, "application/json")
  )
  return () => Effect.runPromise(Effect.as(client.execute(request), last))
}

const aws4fetch = (): (() => Promise<string>) => async () => {
  const signed = await new AwsV4Signer({
    method: "POST",
    url,
    headers,
    body,
    accessKeyId,
    secretAccessKey,
    sessionToken,
    service: "execute-api",
    region: "eu-west-1",
    allHeaders: true
  }).sign()
  return signed.headers.get("authorization") ?? ""
}

const smithy = (): (() => Promise<string>) => {
  const signer = new SignatureV4({
    service: "execute-api",
    region: "eu-west-1",
    credentials: { accessKeyId, secretAccessKey, sessionToken },
    sha256: NodeSha256
  })
  const parsed = new URL(url)
  return async () => {
    const signed = await signer.sign({
      method: "POST",
      protocol: "https:",
      hostname: parsed.hostname,
      path: parsed.pathname,
      query: Object.fromEntries(parsed.searchParams),
      headers: { ...headers, host: parsed.host },
      body
    })
    return String(signed.headers.authorization)
  }
}

const measure = async (sign: () => Promise<string>): Promise<number> => {
  for (let i = 0; i < Math.min(500, requests); i++) await sign()
  let best = 0
  for (let round = 0; round < 3; round++) {
    const start = performance.now()
    for (let i = 0; i < requests; i++) await sign()
    best = Math.max(best, requests / ((performance.now() - start) / 1000))
  }
  return best
}

/** Runs the benchmark and prints a table with ratios against ours. */
export const runSigningBench = async (): Promise<void> => {
  console.log(`SigV4 signing: ${requests} sequential POSTs per round (body, query, 5 headers, session token)\n`)
  const rows: Array<[string, number]> = [
    ["effect-cognito AwsSigning.signed (client pipeline)", await measure(ours())],
    ["aws4fetch AwsV4Signer", await measure(aws4fetch())],
    ["@smithy/signature-v4 (AWS SDK)", await measure(smithy())]
  ]
  const [, oursRate] = rows[0]!
  for (const [name, rate] of rows)
    console.log(`${name.padEnd(52)} ${rate.toFixed(0).padStart(8)} req/s  ${(oursRate / rate).toFixed(2)}x ours/them`)
}

if (import.meta.url === `file://${process.argv[1]}`) await runSigningBench()
