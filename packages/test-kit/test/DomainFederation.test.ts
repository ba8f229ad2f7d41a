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
import { browser, field, formAction } from "./DomainFixtures.js"
import { atStart } from "./fixtures.js"

const callback = "https://app.example.com/callback"
const providerSecret = Redacted.make("acme-client-secret-value")

const provider = TestOidcProvider.make({
  issuer: "https://idp.acme.example",
  clientSecret: providerSecret,
  users: [
    { username: "carol", password: Redacted.make("carol-at-acme"), claims: { email: "carol@acme.example" } },
    { username: "nobody", password: Redacted.make("nobody-at-acme"), claims: { sub: "" } }
  ]
})

const decodeJwt = (token: string) => JSON.parse(atob(token.split(".")[1]!.replaceAll("-", "+").replaceAll("_", "/")))

/** A browser at the provider: its CSRF cookie kept; the answer's status, location and page. */
const atProvider = () => {
  let cookie: string | undefined
  return (url: string, form?: Record<string, string>) =>
    Effect.gen(function* () {
      let request = HttpClientRequest.make(form === undefined ? "GET" : "POST")(url)
      if (cookie !== undefined) request = HttpClientRequest.setHeader(request, "cookie", cookie)
      if (form !== undefined) request = HttpClientRequest.bodyUrlParams(request, form)
      const response = yield* Effect.orDie(provider.httpClient.execute(request))
      cookie = response.headers["set-cookie"]?.split(";")[0] ?? cookie
      return { status: response.status, location: response.headers.location, body: yield* Effect.orDie(response.text) }
    })
}

/** A pool with a domain federating Acme; `federate` runs carol's sign-in there and returns the domain's answer. */
const setUpFederation = Effect.gen(function* () {
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
  yield* pool.updateClientOAuth(pool.config.clientId, {
    allowedOAuthFlowsUserPoolClient: true,
    allowedOAuthFlows: ["code"],
    allowedOAuthScopes: ["openid", "email"],
    callbackURLs: [callback],
    supportedIdentityProviders: ["Acme"]
  })
  const federate = Effect.fnUntraced(function* (username = "carol", password = "carol-at-acme") {
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
    const at = atProvider()
    const page = yield* at(toProvider.location!)
    const back = yield* at(formAction(page.body), {
      username,
      password,
      action: "signIn",
      _csrf: field(page.body, "_csrf") ?? ""
    })
    return yield* b.send("GET", back.location!)
  })
  return { pool, base, federate }
})

describe("TestCognito federated sign-in", () => {
  it.effect("signs carol in through the provider's page as Acme_carol, with her identities", () =>
    Effect.gen(function* () {
      const { base, federate, pool } = yield* setUpFederation
      assert.notInclude(JSON.stringify(yield* pool.identityProviders), Redacted.value(providerSecret))
      assert.notInclude(JSON.stringify(yield* pool.snapshot), Redacted.value(providerSecret))
      const app = yield* federate()
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

  it.effect("never takes over a native user named <Provider>_<sub>: the error page, the user untouched", () =>
    Effect.gen(function* () {
      const { federate, pool } = yield* setUpFederation
      yield* pool.adminCreateUser({
        username: "Acme_carol",
        messageAction: "SUPPRESS",
        userAttributes: { email: "mallory@evil.example" }
      })
      const app = yield* federate()
      assert.strictEqual(app.status, 400)
      assert.isUndefined(app.location, "no code for the native user")
      const user = yield* pool.adminGetUser("Acme_carol")
      assert.notStrictEqual(user.status, "EXTERNAL_PROVIDER")
      assert.notProperty(user.attributes, "identities")
    }).pipe(Effect.provide(TestCognito.layer({ upstreamHttpClient: provider.httpClient })))
  )

  it.effect("refuses a provider's user with an empty sub", () =>
    Effect.gen(function* () {
      const { federate, pool } = yield* setUpFederation
      const app = yield* federate("nobody", "nobody-at-acme")
      assert.strictEqual(app.status, 400)
      assert.isUndefined(app.location)
      assert.isTrue((yield* Effect.result(pool.adminGetUser("Acme_")))._tag === "Failure")
    }).pipe(Effect.provide(TestCognito.layer({ upstreamHttpClient: provider.httpClient })))
  )

  it.effect("the provider redirects only to a registered redirect URI, and its login POST needs its CSRF token", () =>
    Effect.gen(function* () {
      const authorize = (redirectUri: string) =>
        `${provider.issuer}/authorize?${new URLSearchParams({
          response_type: "code",
          client_id: provider.clientId,
          redirect_uri: redirectUri,
          state: "s"
        })}`
      const registered = "https://fed.auth.us-east-1.amazoncognito.com/oauth2/idpresponse"
      for (const elsewhere of [
        "https://evil.example/oauth2/idpresponse",
        `${registered}?x=1`,
        "https://fed.auth.us-east-1.amazoncognito.com/other",
        "http://fed.auth.us-east-1.amazoncognito.com/oauth2/idpresponse"
      ]) {
        const at = atProvider()
        const page = yield* at(authorize(elsewhere))
        assert.strictEqual(page.status, 400, elsewhere)
        const cancel = yield* at(authorize(elsewhere), { action: "cancel" })
        assert.strictEqual(cancel.status, 400, elsewhere)
        assert.isUndefined(cancel.location, elsewhere)
      }
      const at = atProvider()
      const page = yield* at(authorize(registered))
      assert.strictEqual(page.status, 200)
      const form = { username: "carol", password: "carol-at-acme", action: "signIn" }
      const forged = yield* atProvider()(formAction(page.body), { ...form, _csrf: field(page.body, "_csrf") ?? "" })
      assert.strictEqual(forged.status, 403, "the token without its cookie")
      assert.isUndefined(forged.location)
      const none = yield* at(formAction(page.body), form)
      assert.strictEqual(none.status, 403, "no token")
      const fresh = yield* at(authorize(registered))
      const signedIn = yield* at(formAction(fresh.body), { ...form, _csrf: field(fresh.body, "_csrf") ?? "" })
      assert.isTrue(signedIn.location?.startsWith(`${registered}?code=`))
    })
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
