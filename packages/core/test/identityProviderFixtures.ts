/**
 * What the tests of the HTTP `IdentityProvider` share: a provider over a scripted
 * `HttpClient`, results with their `Redacted` values revealed for structural comparison,
 * and the wire-shape check every action's case runs (one POST of AWS JSON 1.1 to the
 * endpoint, Cognito's target header and body, the decoded result).
 */
import * as HttpClient from "effect/http/HttpClient"
import { assert } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as AuthConfig from "../src/AuthConfig.js"
import type * as AuthError from "../src/AuthError.js"
import * as CognitoIdentityProvider from "../src/CognitoIdentityProvider.js"
import type * as IdentityProvider from "../src/IdentityProvider.js"
import * as FakeHttpClient from "./FakeHttpClient.js"

export const config: AuthConfig.Input = {
  region: "eu-west-1",
  userPoolId: "eu-west-1_AbCdEf123",
  clientId: "client123"
}
export const endpoint = "https://cognito-idp.eu-west-1.amazonaws.com/"

/** The provider over a scripted `HttpClient` (no retries unless `options` say so), and its requests. */
export const setup = (
  script: (request: FakeHttpClient.Recorded, index: number) => FakeHttpClient.Reply,
  options: CognitoIdentityProvider.Options = { retrySchedule: Schedule.recurs(0) },
  input: AuthConfig.Input = config
) =>
  Effect.gen(function* () {
    const fake = FakeHttpClient.make(script)
    const provider = yield* CognitoIdentityProvider.makeWith(options).pipe(
      Effect.provideService(HttpClient.HttpClient, fake.client),
      Effect.provide(AuthConfig.layer(input)),
      Effect.orDie
    )
    return { provider, requests: fake.requests }
  })

/** Redacted values made visible, so results can be compared structurally. */
export const reveal = (u: unknown): unknown => {
  if (Redacted.isRedacted(u)) return { redacted: Redacted.value(u) }
  if (u instanceof Date) return u
  if (Array.isArray(u)) return u.map(reveal)
  if (typeof u === "object" && u !== null) return Object.fromEntries(Object.entries(u).map(([k, v]) => [k, reveal(v)]))
  return u
}

/** One action on the wire: the call, the body it must send, a response and the result decoded from it. */
export interface WireCase {
  readonly name: string
  readonly action: IdentityProvider.Action
  readonly run: (provider: IdentityProvider.IdentityProvider.Service) => Effect.Effect<unknown, AuthError.AuthError>
  readonly body: unknown
  readonly response: unknown
  readonly result: unknown
}

/** Runs `c` against a provider answering `c.response` and checks the one request it sent and the result. */
export const checkWireCase = (c: WireCase) =>
  Effect.gen(function* () {
    const { provider, requests } = yield* setup(() => FakeHttpClient.json(200, c.response))
    const result = yield* c.run(provider)
    assert.strictEqual(requests.length, 1)
    const request = requests[0]!
    assert.strictEqual(request.method, "POST")
    assert.strictEqual(request.url, endpoint)
    assert.strictEqual(request.contentType, "application/x-amz-json-1.1")
    assert.strictEqual(request.headers["x-amz-target"], `AWSCognitoIdentityProviderService.${c.action}`)
    assert.deepStrictEqual(request.body, c.body)
    assert.deepStrictEqual(reveal(result), c.result)
  })
