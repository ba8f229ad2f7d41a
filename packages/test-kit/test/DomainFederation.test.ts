/**
 * "Continue with <provider>" in memory: a `TestOidcProvider` reached through the pool's
 * `upstreamHttpClient`, an identity provider of type OIDC pointing at it, the provider's
 * login page, and the federated user `<Provider>_<sub>` with its `identities`; the
 * provider's client secret stays `Redacted`.
 */
import { TestCognito, TestOidcProvider } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Redacted from "effect/Redacted"
import { browser, formAction } from "./DomainFixtures.js"
import { atStart } from "./fixtures.js"

const callback = "https://app.example.com/callback"
const providerSecret = Redacted.make("acme-client-secret-value")

const provider = TestOidcProvider.make({
  issuer: "https://idp.acme.example",
  clientSecret: providerSecret,
  users: [{ username: "carol", password: Redacted.make("carol-at-acme"), claims: { email: "carol@acme.example" } }]
})

const decodeJwt = (token: string) => JSON.parse(atob(token.split(".")[1]!.replaceAll("-", "+").replaceAll("_", "/")))

describe("TestCognito federated sign-in", () => {
  it.effect("signs carol in through the provider's page as Acme_carol, with her identities", () =>
    Effect.gen(function* () {
      yield* atStart
      const pool = yield* TestCognito.TestCognito
      yield* pool.createUserPoolDomain("fed")
      const base = (yield* pool.userPoolDomain)!.url
      yield* pool.createIdentityProvider({
        providerName: "Acme",
        providerType: "OIDC",
        providerDetails: {
          client_id: provider.clientId,
          client_secret: Redacted.value(providerSecret),
          oidc_issuer: provider.issuer,
          authorize_scopes: "openid email"
        },
        attributeMapping: { email: "email" }
      })
      assert.notInclude(JSON.stringify(yield* pool.identityProviders), Redacted.value(providerSecret))
      assert.notInclude(JSON.stringify(yield* pool.snapshot), Redacted.value(providerSecret))
      yield* pool.updateClientOAuth(pool.config.clientId, {
        allowedOAuthFlowsUserPoolClient: true,
        allowedOAuthFlows: ["code"],
        allowedOAuthScopes: ["openid", "email"],
        callbackURLs: [callback],
        supportedIdentityProviders: ["Acme"]
      })
      const b = browser(pool)
      const query = new URLSearchParams({
        response_type: "code",
        client_id: pool.config.clientId,
        redirect_uri: callback,
        identity_provider: "Acme",
        state: "st",
        nonce: "app-nonce"
      })
      const toProvider = yield* b.send("GET", `${base}/oauth2/authorize?${query}`)
      assert.isTrue(toProvider.location!.startsWith(`${provider.issuer}/authorize?`))
      const at = (url: string, form?: Record<string, string>) =>
        Effect.gen(function* () {
          let request = HttpClientRequest.make(form === undefined ? "GET" : "POST")(url)
          if (form !== undefined) request = HttpClientRequest.bodyUrlParams(request, form)
          const response = yield* Effect.orDie(provider.httpClient.execute(request))
          return { location: response.headers.location, body: yield* Effect.orDie(response.text) }
        })
      const page = yield* at(toProvider.location!)
      const back = yield* at(formAction(page.body), { username: "carol", password: "carol-at-acme", action: "signIn" })
      const app = yield* b.send("GET", back.location!)
      const code = new URL(app.location!).searchParams.get("code")!
      const response = yield* Effect.orDie(
        pool.domainHttpClient.execute(
          HttpClientRequest.post(`${base}/oauth2/token`).pipe(
            HttpClientRequest.bodyUrlParams({
              grant_type: "authorization_code",
              code,
              redirect_uri: callback,
              client_id: pool.config.clientId
            })
          )
        )
      )
      const tokens = (yield* Effect.orDie(response.json)) as Record<string, string>
      const id = decodeJwt(tokens.id_token!)
      assert.strictEqual(id["cognito:username"], "Acme_carol")
      assert.strictEqual(id.nonce, "app-nonce")
      assert.strictEqual(id.email, "carol@acme.example")
      assert.deepInclude(id.identities[0], { userId: "carol", providerName: "Acme", providerType: "OIDC" })
      assert.strictEqual((yield* pool.adminGetUser("Acme_carol")).status, "EXTERNAL_PROVIDER")
    }).pipe(Effect.provide(TestCognito.layer({ upstreamHttpClient: provider.httpClient })))
  )

  it.effect("ends on the error page when the provider cannot be reached", () =>
    Effect.gen(function* () {
      yield* atStart
      const pool = yield* TestCognito.TestCognito
      yield* pool.createUserPoolDomain("fed")
      const base = (yield* pool.userPoolDomain)!.url
      yield* pool.createIdentityProvider({
        providerName: "Acme",
        providerType: "OIDC",
        providerDetails: { client_id: "x", oidc_issuer: provider.issuer, authorize_scopes: "openid" }
      })
      yield* pool.updateClientOAuth(pool.config.clientId, {
        allowedOAuthFlowsUserPoolClient: true,
        allowedOAuthFlows: ["code"],
        allowedOAuthScopes: ["openid"],
        callbackURLs: [callback],
        supportedIdentityProviders: ["Acme"]
      })
      const query = new URLSearchParams({
        response_type: "code",
        client_id: pool.config.clientId,
        redirect_uri: callback,
        identity_provider: "Acme"
      })
      const answer = yield* browser(pool).send("GET", `${base}/oauth2/authorize?${query}`)
      assert.strictEqual(answer.status, 502)
      assert.isUndefined(answer.location)
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})
