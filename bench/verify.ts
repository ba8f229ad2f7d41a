/**
 * Benchmark: Cognito token verification on the server, verifications per second, ours
 * (`CognitoJwtVerifier`: RS256 through `effect/jose` on Web Crypto) against aws-jwt-verify
 * (node:crypto) on the same access token and the same JWKS, both cached after the first
 * verification. Ours twice: all calls inside one `Effect.gen`, and each call through
 * `Effect.runPromise` (what a caller outside Effect pays). Then a burst of 1000 concurrent
 * verifications on cold verifiers: the JWKS requests each made. Nothing touches the
 * network: both fetch the JWKS from an in-process counting fake. Best of three rounds
 * after a warm-up.
 *
 *   npx tsx bench/verify.ts            (BENCH_SCALE=0.01 for a quick run)
 */
import { createSign, generateKeyPairSync } from "node:crypto"
import * as CognitoJwtVerifier from "@effect-cognito/core/CognitoJwtVerifier"
import { CognitoJwtVerifier as AwsVerifier } from "aws-jwt-verify"
import { SimpleJwksCache } from "aws-jwt-verify/jwk"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"

const calls = Math.max(10, Math.round(5000 * Number(process.env.BENCH_SCALE ?? 1)))
const burst = 1000
const userPoolId = "us-east-1_Bench1"
const clientId = "benchclient"
const issuer = `https://cognito-idp.us-east-1.amazonaws.com/${userPoolId}`

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
const exported = publicKey.export({ format: "jwk" })
const jwk = { kty: "RSA", n: String(exported.n), e: String(exported.e), kid: "bench-key", alg: "RS256", use: "sig" }
const jwksText = JSON.stringify({ keys: [jwk] })

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
const now = Math.floor(Date.now() / 1000)
const input = `${b64url({ kid: "bench-key", alg: "RS256" })}.${b64url({
  sub: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
  "cognito:groups": ["admins"],
  iss: issuer,
  client_id: clientId,
  origin_jti: "b0b1b2b3-0000-4000-8000-000000000001",
  event_id: "c0c1c2c3-0000-4000-8000-000000000002",
  token_use: "access",
  scope: "aws.cognito.signin.user.admin",
  auth_time: now,
  exp: now + 3600,
  iat: now,
  jti: "d0d1d2d3-0000-4000-8000-000000000003",
  username: "bench-user"
})}`
const token = `${input}.${createSign("RSA-SHA256").update(input).sign(privateKey).toString("base64url")}`

/** Our verifier over a JWKS endpoint that counts its requests. */
const ours = () => {
  const requests = { count: 0 }
  const client = HttpClient.make((request) =>
    Effect.sync(() => {
      requests.count++
      return HttpClientResponse.fromWeb(
        request,
        new Response(jwksText, { status: 200, headers: { "content-type": "application/json" } })
      )
    })
  )
  // The verifier lives as long as the benchmark: its JWKS fetches run in this runtime's scope.
  const runtime = ManagedRuntime.make(
    CognitoJwtVerifier.layer({ userPools: { userPoolId, clientId }, tokenUse: "access" }).pipe(
      Layer.provide(Layer.succeed(HttpClient.HttpClient, client))
    )
  )
  const verifier = runtime.runSync(
    Effect.gen(function* () {
      return yield* CognitoJwtVerifier.CognitoJwtVerifier
    })
  )
  return { verifier, requests }
}

/** aws-jwt-verify over a fetcher that counts its requests. */
const theirs = () => {
  const requests = { count: 0 }
  const bytes = new TextEncoder().encode(jwksText)
  const verifier = AwsVerifier.create(
    { userPoolId, clientId, tokenUse: "access" },
    {
      jwksCache: new SimpleJwksCache({
        fetcher: {
          fetch: async () => {
            requests.count++
            return bytes.buffer as ArrayBuffer
          }
        }
      })
    }
  )
  return { verifier, requests }
}

const rate = async (round: () => Promise<void>): Promise<number> => {
  await round()
  let best = 0
  for (let i = 0; i < 3; i++) {
    const start = performance.now()
    await round()
    best = Math.max(best, calls / ((performance.now() - start) / 1000))
  }
  return best
}

/** Runs the benchmark and prints verifications per second with ratios, then the burst. */
export const runVerifyBench = async (): Promise<void> => {
  console.log(`JWT verification: ${calls} sequential verifications of one Cognito access token per round (RS256)\n`)
  const { verifier } = ours()
  const aws = theirs().verifier
  const rows: Array<[string, number]> = [
    [
      "effect-cognito CognitoJwtVerifier (inside Effect)",
      await rate(() =>
        Effect.runPromise(
          Effect.gen(function* () {
            for (let i = 0; i < calls; i++) yield* verifier.verify(token)
          })
        )
      )
    ],
    [
      "effect-cognito CognitoJwtVerifier (runPromise per call)",
      await rate(async () => {
        for (let i = 0; i < calls; i++) await Effect.runPromise(verifier.verify(token))
      })
    ],
    [
      "aws-jwt-verify CognitoJwtVerifier.verify",
      await rate(async () => {
        for (let i = 0; i < calls; i++) await aws.verify(token)
      })
    ]
  ]
  const [, awsRate] = rows[2]!
  for (const [name, value] of rows)
    console.log(
      `${name.padEnd(56)} ${value.toFixed(0).padStart(8)} /s  ${(value / awsRate).toFixed(2)}x aws-jwt-verify`
    )

  const cold = ours()
  const coldAws = theirs()
  const oursOk = (
    await Effect.runPromise(
      Effect.all(
        Array.from({ length: burst }, () => Effect.result(cold.verifier.verify(token))),
        { concurrency: "unbounded" }
      )
    )
  ).filter((r) => r._tag === "Success").length
  const awsOk = (await Promise.allSettled(Array.from({ length: burst }, () => coldAws.verifier.verify(token)))).filter(
    (r) => r.status === "fulfilled"
  ).length
  console.log(`\nBurst: ${burst} concurrent verifications on a cold verifier (JWKS requests, verified)`)
  console.log(`${"effect-cognito CognitoJwtVerifier".padEnd(56)} ${String(cold.requests.count).padStart(4)} ${oursOk}`)
  console.log(
    `${"aws-jwt-verify CognitoJwtVerifier".padEnd(56)} ${String(coldAws.requests.count).padStart(4)} ${awsOk}`
  )
}

if (import.meta.url === `file://${process.argv[1]}`) await runVerifyBench()
