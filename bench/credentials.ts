/**
 * Benchmark: the credentials burst. 1000 concurrent cold callers ask for identity-pool
 * AWS credentials of one signed-in user (valid tokens, nothing cached): ours through
 * `Auth.getAWSCredentials`, aws-amplify v6 through `fetchAuthSession()`. Both talk to
 * the same in-process counting fake of Cognito Identity, which answers `GetId` and
 * `GetCredentialsForIdentity` after `BENCH_LATENCY_MS` (default 5). Reported: the
 * requests by action and the time until every caller has credentials, of the second of two
 * cold bursts per client (the first warms the JIT up).
 *
 *   npx tsx bench/credentials.ts
 */
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as CognitoIdentityPool from "@effect-cognito/core/CognitoIdentityPool"
import * as CognitoIdentityProvider from "@effect-cognito/core/CognitoIdentityProvider"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import { Amplify } from "aws-amplify"
import { fetchAuthSession } from "aws-amplify/auth"
import { cognitoCredentialsProvider, cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { randomBytes } from "node:crypto"
import { fileURLToPath } from "node:url"
import {
  burstSize,
  clientId,
  type Counter,
  counter,
  jsonResponse,
  latencyMillis,
  MemoryKeyValueStorage,
  region,
  seed,
  sleep,
  userPoolId,
  username,
  validTokens
} from "./tokens.js"

const identityPoolId = `${region}:6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f`
const identityId = `${region}:0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a`
const identityTarget = (action: string) => `AWSCognitoIdentityService.${action}`

/** What the fake Cognito Identity answers to an action, or `undefined` for one it does not serve. */
const answer = (action: string) => {
  if (action === identityTarget("GetId")) return { IdentityId: identityId }
  if (action === identityTarget("GetCredentialsForIdentity"))
    return {
      IdentityId: identityId,
      Credentials: {
        AccessKeyId: `ASIA${randomBytes(8).toString("hex").toUpperCase()}`,
        SecretKey: randomBytes(30).toString("base64"),
        SessionToken: randomBytes(300).toString("base64"),
        Expiration: Math.floor(Date.now() / 1000) + 3600
      }
    }
  return undefined
}

const reply = (action: string) => {
  const body = answer(action)
  return body === undefined
    ? jsonResponse(400, { __type: "InvalidParameterException", message: `the fake does not answer ${action}` })
    : jsonResponse(200, body)
}

/** What a burst caused. */
export interface CredentialsBurst {
  readonly getId: number
  readonly getCredentialsForIdentity: number
  readonly otherRequests: number
  /** Different access key ids among the callers' credentials. */
  readonly distinctAccessKeys: number
  readonly failures: number
  readonly millis: number
}

const measure = async (requests: Counter, run: () => Promise<ReadonlyArray<string | undefined>>) => {
  const start = performance.now()
  const keys = await run()
  const millis = performance.now() - start
  const getId = requests.byTarget.get(identityTarget("GetId")) ?? 0
  const getCredentialsForIdentity = requests.byTarget.get(identityTarget("GetCredentialsForIdentity")) ?? 0
  return {
    getId,
    getCredentialsForIdentity,
    otherRequests: requests.total() - getId - getCredentialsForIdentity,
    distinctAccessKeys: new Set(keys.filter((k) => k !== undefined)).size,
    failures: keys.filter((k) => k === undefined).length,
    millis
  } satisfies CredentialsBurst
}

const settle = async (callers: ReadonlyArray<Promise<string | undefined>>) =>
  (await Promise.allSettled(callers)).map((r) => (r.status === "fulfilled" ? r.value : undefined))

const runOurs = async () => {
  const requests = counter()
  const tokens = validTokens()
  const http = Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request: HttpClientRequest.HttpClientRequest) => {
      const action = request.headers["x-amz-target"] ?? ""
      requests.count(action)
      return Effect.as(Effect.sleep(latencyMillis), HttpClientResponse.fromWeb(request, reply(action)))
    })
  )
  const store = Layer.effect(
    TokenStore.TokenStore,
    Effect.tap(TokenStore.TokenStore, (s) =>
      s.save(
        new TokenStore.Session({
          username,
          idToken: Redacted.make(tokens.idToken),
          accessToken: Redacted.make(tokens.accessToken),
          refreshToken: Redacted.make(tokens.refreshToken),
          clockSkewMillis: 0
        })
      )
    )
  ).pipe(Layer.provide(TokenStore.layerMemory))
  const runtime = ManagedRuntime.make(
    Auth.layer.pipe(
      Layer.provide(
        Layer.mergeAll(store, CognitoIdentityProvider.layer, CognitoIdentityPool.layer, SecureRandom.layer).pipe(
          Layer.provide(http)
        )
      ),
      Layer.provide(AuthConfig.layer({ region, userPoolId, clientId, identityPoolId }))
    )
  )
  try {
    const auth = await runtime.runPromise(Auth.Auth)
    return await measure(requests, () =>
      settle(
        Array.from({ length: burstSize }, () => Effect.runPromise(auth.getAWSCredentials()).then((c) => c.accessKeyId))
      )
    )
  } finally {
    await runtime.dispose()
  }
}

const runAmplify = async () => {
  const requests = counter()
  const originalFetch = globalThis.fetch
  globalThis.fetch = (async (_input: string | URL | Request, init?: RequestInit) => {
    const action = new Headers(init?.headers).get("x-amz-target") ?? ""
    requests.count(action)
    await sleep(latencyMillis)
    return reply(action)
  }) as typeof fetch
  try {
    Amplify.configure({
      Auth: { Cognito: { userPoolId, userPoolClientId: clientId, identityPoolId, allowGuestAccess: true } }
    })
    const storage = new MemoryKeyValueStorage()
    seed(validTokens(), (key, value) => storage.items.set(key, value))
    cognitoUserPoolsTokenProvider.setKeyValueStorage(storage)
    await cognitoCredentialsProvider.clearCredentialsAndIdentityId()
    return await measure(requests, () =>
      settle(
        Array.from({ length: burstSize }, () => fetchAuthSession().then((session) => session.credentials?.accessKeyId))
      )
    )
  } finally {
    globalThis.fetch = originalFetch
  }
}

export interface CredentialsReport {
  readonly ours: CredentialsBurst
  readonly amplify: CredentialsBurst
}

export const runCredentialsBench = async (): Promise<CredentialsReport> => {
  console.log(
    `Credentials burst: ${burstSize} concurrent cold callers, one signed-in user, fake Cognito Identity at ${latencyMillis} ms per request\n`
  )
  // Each client runs a cold burst twice (fresh state each time); the second, warmed-up one is reported.
  await runOurs()
  const ours = await runOurs()
  await runAmplify()
  const amplify = await runAmplify()
  const rows = [
    ["effect-cognito getAWSCredentials", ours],
    ["aws-amplify fetchAuthSession", amplify]
  ] as const
  const header = ["client", "GetId", "GetCredentialsForIdentity", "other requests", "distinct keys", "failures", "ms"]
  const lines = [
    header,
    ...rows.map(([name, b]) => [
      name,
      String(b.getId),
      String(b.getCredentialsForIdentity),
      String(b.otherRequests),
      String(b.distinctAccessKeys),
      String(b.failures),
      b.millis.toFixed(1)
    ])
  ]
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)))
  for (const line of lines) console.log(line.map((cell, i) => cell.padEnd(widths[i]!)).join("  "))
  return { ours, amplify }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runCredentialsBench().catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
}
