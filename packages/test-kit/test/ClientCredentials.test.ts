/**
 * `ClientCredentials` against TestCognito's domain in memory: a service client with a
 * secret and a resource server's custom scope gets a Cognito access token a verifier
 * accepts; a thousand concurrent callers cause one token request; the token is renewed
 * once when it nears expiry by `Clock`; the bearer transform renews once on a 401; and the
 * domain's refusals (wrong secret, a scope not allowed, the flow not allowed) are typed
 * errors that never show the secret.
 */
import * as ClientCredentials from "@effect-cognito/core/ClientCredentials"
import * as CognitoJwtVerifier from "@effect-cognito/core/CognitoJwtVerifier"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { atStart, expectReason } from "./fixtures.js"

const serviceClientId = "ordersservice1234567890"
const secret = Redacted.make("the-orders-service-secret")

/** A pool with a domain, the `orders` resource server, and a service client allowed `orders/read`. */
const setUp = Effect.gen(function* () {
  yield* atStart
  const pool = yield* TestCognito.TestCognito
  yield* pool.createUserPoolDomain("m2m-test")
  yield* pool.createResourceServer({
    identifier: "orders",
    name: "Orders",
    scopes: [
      { scopeName: "read", scopeDescription: "Read orders" },
      { scopeName: "write", scopeDescription: "Write orders" }
    ]
  })
  const service = yield* pool.withClient({ clientId: serviceClientId, clientSecret: secret })
  yield* service.updateClientOAuth(serviceClientId, {
    allowedOAuthFlowsUserPoolClient: true,
    allowedOAuthFlows: ["client_credentials"],
    allowedOAuthScopes: ["orders/read"]
  })
  const domain = (yield* pool.userPoolDomain)!.url
  /** The domain, counting token requests. */
  const counted = { tokenRequests: 0 }
  const client = HttpClient.tapRequest(pool.domainHttpClient, (request) =>
    Effect.sync(() => {
      if (request.url.endsWith("/oauth2/token")) counted.tokenRequests++
    })
  )
  const make = (options: Partial<ClientCredentials.Options> = {}) =>
    ClientCredentials.make({
      domain,
      clientId: serviceClientId,
      clientSecret: secret,
      scopes: ["orders/read"],
      ...options
    }).pipe(Effect.provideService(HttpClient.HttpClient, client))
  return { pool, domain, counted, make }
})

const layer = TestCognito.layer({ autoConfirm: true })

describe("ClientCredentials over TestCognito's domain", () => {
  it.effect("gets an access token with the custom scope that the pool's verifier accepts", () =>
    Effect.gen(function* () {
      const { make, pool } = yield* setUp
      const m2m = yield* make()
      const token = yield* m2m.token()
      assert.deepStrictEqual(token.scopes, ["orders/read"])
      const verifier = yield* CognitoJwtVerifier.make({
        userPools: { userPoolId: pool.config.userPoolId, clientId: serviceClientId },
        tokenUse: "access",
        scopes: ["orders/read"]
      }).pipe(Effect.provideService(HttpClient.HttpClient, pool.jwksHttpClient))
      const verified = yield* verifier.verify(token.accessToken)
      assert.strictEqual(verified.clientId, serviceClientId)
      assert.strictEqual(verified.sub, serviceClientId)
      assert.strictEqual(token.expiresAt.getTime() - (yield* Clock.currentTimeMillis), 3600 * 1000)
    }).pipe(Effect.scoped, Effect.provide(layer))
  )

  it.effect("makes one token request for 1000 concurrent callers", () =>
    Effect.gen(function* () {
      const { counted, make } = yield* setUp
      const m2m = yield* make()
      const tokens = yield* Effect.all(
        Array.from({ length: 1000 }, () => m2m.token()),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(counted.tokenRequests, 1)
      assert.strictEqual(new Set(tokens.map((t) => Redacted.value(t.accessToken))).size, 1)
    }).pipe(Effect.scoped, Effect.provide(layer))
  )

  it.effect("renews the token once when it nears expiry (by Clock)", () =>
    Effect.gen(function* () {
      const { counted, make } = yield* setUp
      const m2m = yield* make()
      const first = yield* m2m.token()
      yield* TestClock.adjust("58 minutes")
      yield* m2m.token()
      assert.strictEqual(counted.tokenRequests, 1)
      yield* TestClock.adjust("2 minutes")
      const renewed = yield* Effect.all(
        Array.from({ length: 100 }, () => m2m.token()),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(counted.tokenRequests, 2)
      assert.notStrictEqual(Redacted.value(renewed[0]!.accessToken), Redacted.value(first.accessToken))
    }).pipe(Effect.scoped, Effect.provide(layer))
  )

  it.effect("bearer renews once and retries once when the API answers 401", () =>
    Effect.gen(function* () {
      const { counted, make } = yield* setUp
      const m2m = yield* make()
      const seen: Array<string> = []
      // An API that refuses the first token it sees (as after a key rotation), then accepts.
      const api = HttpClient.make((request) =>
        Effect.sync(() => {
          const token = request.headers.authorization ?? ""
          seen.push(token)
          return HttpClientResponse.fromWeb(request, new Response("ok", { status: seen.length === 1 ? 401 : 200 }))
        })
      )
      const response = yield* m2m.bearer(api).execute(HttpClientRequest.get("https://orders.example.com/v1/orders"))
      assert.strictEqual(response.status, 200)
      assert.strictEqual(counted.tokenRequests, 2)
      assert.lengthOf(seen, 2)
      assert.isTrue(seen.every((h) => h.startsWith("Bearer ey")))
      assert.notStrictEqual(seen[0], seen[1])
    }).pipe(Effect.scoped, Effect.provide(layer))
  )

  it.effect("types the domain's refusals and never shows the secret", () =>
    Effect.gen(function* () {
      const { make } = yield* setUp
      const wrong = yield* make({ clientSecret: Redacted.make("not-the-secret") })
      const invalidClient = yield* expectReason(wrong.token(), "InvalidClient")
      const scoped = yield* make({ scopes: ["orders/write"] })
      const invalidScope = yield* expectReason(scoped.token(), "InvalidScope")
      for (const error of [invalidClient, invalidScope]) {
        const shown = `${String(error)} ${JSON.stringify(error)}`
        assert.notInclude(shown, Redacted.value(secret))
        assert.notInclude(shown, "not-the-secret")
      }
    }).pipe(Effect.scoped, Effect.provide(layer))
  )

  it.effect("fails with UnauthorizedClient when the app client may not use client_credentials", () =>
    Effect.gen(function* () {
      const { make, pool } = yield* setUp
      const other = "nocredentials1234567890"
      yield* pool.withClient({ clientId: other, clientSecret: secret })
      const m2m = yield* make({ clientId: other, scopes: [] })
      yield* expectReason(m2m.token(), "UnauthorizedClient")
    }).pipe(Effect.scoped, Effect.provide(layer))
  )
})
