/**
 * `ClientCredentials` over a scripted token endpoint (`FakeHttpClient`) and `TestClock`:
 * one request for a thousand concurrent callers, a token renewed once when it comes near
 * expiry by `Clock`, the bearer transform's one forced renewal and one retry on a 401,
 * typed token endpoint errors that are not cached, the options and variables checked,
 * and the secret and the token never in a message or JSON.
 */
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import type * as AuthError from "../src/AuthError.js"
import * as ClientCredentials from "../src/ClientCredentials.js"
import * as Fake from "./FakeHttpClient.js"

const domain = "https://m2m.auth.eu-west-1.amazoncognito.com"
const clientId = "m2mclient123"
const secret = "the-m2m-client-secret"
const options: ClientCredentials.Options = {
  domain,
  clientId,
  clientSecret: Redacted.make(secret),
  scopes: ["orders/read", "orders/write"]
}

const tokenReply = (n: number, expiresIn = 3600, scope?: string): Fake.Reply => ({
  _tag: "Respond",
  status: 200,
  text: JSON.stringify({
    access_token: `m2m-token-${n}`,
    token_type: "Bearer",
    expires_in: expiresIn,
    ...(scope === undefined ? {} : { scope })
  }),
  headers: { "content-type": "application/json" }
})

/** A token endpoint answering the n-th request with `answer(n)`, and an API that accepts `accepted(token)`. */
const setup = (
  answer: (n: number) => Fake.Reply | Effect.Effect<Fake.Reply>,
  accepted: (token: string | undefined) => boolean = () => true,
  given: ClientCredentials.Options = options
) =>
  Effect.gen(function* () {
    let tokens = 0
    const fake = Fake.makeEffect((request) => {
      if (request.url === `${domain}/oauth2/token`) {
        const reply = answer(++tokens)
        return Effect.isEffect(reply) ? reply : Effect.succeed(reply)
      }
      const token = request.headers.authorization?.replace(/^Bearer /, "")
      return Effect.succeed(
        accepted(token) ? Fake.text(200, "ok", "text/plain") : Fake.text(401, "expired", "text/plain")
      )
    })
    const service = yield* ClientCredentials.make(given).pipe(Effect.provideService(HttpClient.HttpClient, fake.client))
    const tokenRequests = () => fake.requests.filter((r) => r.url === `${domain}/oauth2/token`)
    const apiRequests = () => fake.requests.filter((r) => r.url.startsWith("https://api.example.com"))
    return { service, client: fake.client, tokenRequests, apiRequests }
  })

const assertNoSecret = (error: AuthError.AuthError) => {
  const shown = `${String(error)} ${JSON.stringify(error)}`
  assert.notInclude(shown, secret)
  assert.notInclude(shown, "m2m-token-")
}

describe("ClientCredentials", () => {
  it("is the service @effect-cognito/core/ClientCredentials", () => {
    assert.strictEqual(ClientCredentials.ClientCredentials.key, "@effect-cognito/core/ClientCredentials")
  })

  it.effect("asks the token endpoint with client_credentials, the scopes and HTTP Basic", () =>
    Effect.gen(function* () {
      const { service, tokenRequests } = yield* setup((n) => tokenReply(n, 3600, "orders/read"))
      const token = yield* service.token()
      assert.strictEqual(Redacted.value(token.accessToken), "m2m-token-1")
      assert.deepStrictEqual(token.scopes, ["orders/read"])
      assert.strictEqual(token.expiresAt.getTime(), 3600 * 1000)
      const [request] = tokenRequests()
      const form = new URLSearchParams(request!.text)
      assert.strictEqual(form.get("grant_type"), "client_credentials")
      assert.strictEqual(form.get("scope"), "orders/read orders/write")
      assert.strictEqual(form.get("client_id"), clientId)
      assert.strictEqual(
        request!.headers.authorization,
        `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`
      )
      assert.notInclude(request!.text, secret)
    })
  )

  it.effect("makes one token request for 1000 concurrent callers", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const { service, tokenRequests } = yield* setup((n) => Effect.as(Deferred.await(gate), tokenReply(n)))
      const fiber = yield* Effect.forkChild(
        Effect.all(
          Array.from({ length: 1000 }, () => service.token()),
          { concurrency: "unbounded" }
        )
      )
      yield* Effect.yieldNow
      yield* Deferred.succeed(gate, undefined)
      const tokens = yield* Fiber.join(fiber)
      assert.lengthOf(tokenRequests(), 1)
      assert.isTrue(tokens.every((t) => Redacted.value(t.accessToken) === "m2m-token-1"))
      yield* service.token()
      assert.lengthOf(tokenRequests(), 1)
    })
  )

  it.effect("renews an expiring token once (by Clock), however many callers then ask", () =>
    Effect.gen(function* () {
      const { service, tokenRequests } = yield* setup((n) => tokenReply(n))
      yield* service.token()
      yield* TestClock.adjust("58 minutes")
      assert.strictEqual(Redacted.value((yield* service.token()).accessToken), "m2m-token-1")
      yield* TestClock.adjust("1 minute")
      const renewed = yield* Effect.all(
        Array.from({ length: 50 }, () => service.token()),
        {
          concurrency: "unbounded"
        }
      )
      assert.isTrue(renewed.every((t) => Redacted.value(t.accessToken) === "m2m-token-2"))
      assert.lengthOf(tokenRequests(), 2)
    })
  )

  it.effect("caps the renewal margin at half a short token's lifetime", () =>
    Effect.gen(function* () {
      const { service, tokenRequests } = yield* setup((n) => tokenReply(n, 60))
      yield* service.token()
      yield* TestClock.adjust("29 seconds")
      yield* service.token()
      assert.lengthOf(tokenRequests(), 1)
      yield* TestClock.adjust("1 second")
      yield* service.token()
      assert.lengthOf(tokenRequests(), 2)
    })
  )

  it.effect("bearer adds the token; on a 401 it renews once and retries once", () =>
    Effect.gen(function* () {
      const { apiRequests, client, service, tokenRequests } = yield* setup(
        (n) => tokenReply(n),
        (token) => token === "m2m-token-2"
      )
      const api = service.bearer(client)
      const response = yield* api.execute(HttpClientRequest.get("https://api.example.com/orders"))
      assert.strictEqual(response.status, 200)
      assert.lengthOf(tokenRequests(), 2)
      assert.deepStrictEqual(
        apiRequests().map((r) => r.headers.authorization),
        ["Bearer m2m-token-1", "Bearer m2m-token-2"]
      )
    })
  )

  it.effect("bearer: 100 concurrent callers refused once with the same token cost one renewal", () =>
    Effect.gen(function* () {
      // The first refusal comes at once; the other 99 only once the renewed token has been
      // used (the renewal is over): they must not renew again.
      const renewedUsed = yield* Deferred.make<void>()
      let refusals = 0
      const fake = Fake.makeEffect((request) => {
        if (request.url === `${domain}/oauth2/token`)
          return Effect.succeed(tokenReply(fake.requests.filter((r) => r.url === request.url).length))
        if (request.headers.authorization !== "Bearer m2m-token-1")
          return Effect.as(Deferred.succeed(renewedUsed, undefined), Fake.text(200, "ok", "text/plain"))
        const refused = Fake.text(401, "expired", "text/plain")
        return ++refusals === 1 ? Effect.succeed(refused) : Effect.as(Deferred.await(renewedUsed), refused)
      })
      const service = yield* ClientCredentials.make(options).pipe(
        Effect.provideService(HttpClient.HttpClient, fake.client)
      )
      yield* service.token()
      const api = service.bearer(fake.client)
      const responses = yield* Effect.all(
        Array.from({ length: 100 }, () => api.execute(HttpClientRequest.get("https://api.example.com/orders"))),
        { concurrency: "unbounded" }
      )
      assert.isTrue(responses.every((r) => r.status === 200))
      assert.strictEqual(refusals, 100, "all refused once")
      const tokenRequests = fake.requests.filter((r) => r.url === `${domain}/oauth2/token`)
      assert.lengthOf(tokenRequests, 2, "the first token, and one renewal")
    })
  )

  it.effect("bearer gives up with NotAuthorized when the API refuses the renewed token too", () =>
    Effect.gen(function* () {
      const { apiRequests, client, service, tokenRequests } = yield* setup(
        (n) => tokenReply(n),
        () => false
      )
      const error = yield* Effect.flip(
        service.bearer(client).execute(HttpClientRequest.get("https://api.example.com/orders"))
      )
      assert.strictEqual(error._tag, "AuthError")
      if (error._tag === "AuthError") {
        assert.strictEqual(error.reason, "NotAuthorized")
        assertNoSecret(error)
      }
      assert.lengthOf(tokenRequests(), 2)
      assert.lengthOf(apiRequests(), 2)
    })
  )

  it.effect("types the token endpoint's errors, does not cache them, and never shows the secret", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [Fake.Reply, AuthError.Reason]> = [
        [Fake.json(401, { error: "invalid_client" }), "InvalidClient"],
        [Fake.json(400, { error: "unauthorized_client" }), "UnauthorizedClient"],
        [Fake.json(400, { error: "invalid_scope" }), "InvalidScope"],
        [Fake.text(200, "not json"), "InvalidResponse"],
        [Fake.json(200, { access_token: "m2m-token-x", token_type: "Bearer" }), "InvalidResponse"],
        [Fake.transportFailure("connect ECONNREFUSED"), "Transport"]
      ]
      for (const [reply, reason] of cases) {
        const { service, tokenRequests } = yield* setup((n) => (n === 1 ? reply : tokenReply(n)))
        const error = yield* Effect.flip(service.token())
        assert.strictEqual(error.reason, reason)
        assertNoSecret(error)
        assert.strictEqual(Redacted.value((yield* service.token()).accessToken), "m2m-token-2")
        assert.lengthOf(tokenRequests(), 2)
      }
    })
  )

  it.effect("never shows the secret or the token in JSON or String", () =>
    Effect.gen(function* () {
      const { service } = yield* setup((n) => tokenReply(n))
      const token = yield* service.token()
      assert.notInclude(JSON.stringify(token), "m2m-token-1")
      assert.notInclude(String(token.accessToken), "m2m-token-1")
      assert.notInclude(JSON.stringify(options), secret)
    })
  )

  it.effect("checks the options when built, naming every problem and never the secret", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        ClientCredentials.make({
          domain: "not a url",
          clientId: "bad id!",
          clientSecret: Redacted.make(""),
          scopes: ["a b"],
          renewBefore: -1
        }).pipe(Effect.provideService(HttpClient.HttpClient, Fake.make(() => Fake.never).client), Effect.scoped)
      )
      assert.strictEqual(error.reason, "InvalidConfig")
      for (const field of ["domain", "clientId", "clientSecret", "scopes", "renewBefore"])
        assert.include(error.message, field)
    })
  )

  it.effect("reads COGNITO_DOMAIN, COGNITO_CLIENT_ID, COGNITO_CLIENT_SECRET and COGNITO_SCOPES", () =>
    Effect.gen(function* () {
      const fake = Fake.make((request) =>
        request.url === `${domain}/oauth2/token` ? tokenReply(1) : Fake.text(404, "no")
      )
      const env = (record: Record<string, string>) =>
        ClientCredentials.layerConfig().pipe(
          Layer.provide(Layer.succeed(HttpClient.HttpClient, fake.client)),
          Layer.provide(Layer.succeed(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(record)))
        )
      const token = yield* Effect.flatMap(ClientCredentials.ClientCredentials, (m2m) => m2m.token()).pipe(
        Effect.provide(
          env({
            COGNITO_DOMAIN: domain,
            COGNITO_CLIENT_ID: clientId,
            COGNITO_CLIENT_SECRET: secret,
            COGNITO_SCOPES: "orders/read,orders/write"
          })
        )
      )
      assert.deepStrictEqual(token.scopes, ["orders/read", "orders/write"])
      assert.strictEqual(new URLSearchParams(fake.requests[0]!.text).get("scope"), "orders/read orders/write")
      const missing = yield* Effect.flip(
        Effect.flatMap(ClientCredentials.ClientCredentials, (m2m) => m2m.token()).pipe(
          Effect.provide(env({ COGNITO_DOMAIN: domain, COGNITO_CLIENT_ID: clientId }))
        )
      )
      assert.strictEqual(missing.reason, "InvalidConfig")
      assert.include(missing.message, "COGNITO_CLIENT_SECRET")
    })
  )
})
