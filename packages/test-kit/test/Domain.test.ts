/**
 * The pool's Cognito domain in memory (`domainHttpClient`): the authorization code flow
 * with PKCE through the login page, the token endpoint's checks (single-use codes bound to
 * client, redirect URI and verifier; refresh; revoke), userInfo, logout, the app client
 * settings Cognito refuses, and the domain kept by snapshots.
 */
import { TestCognito, TestCognitoSnapshot } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { browser, field, formAction, pkce } from "./DomainFixtures.js"
import { redirectAllowed } from "../src/internal/testCognito/oauth.js"
import { atStart, confirmedUser, expectReason, password } from "./fixtures.js"

const callback = "https://app.example.com/callback"
const secret = Redacted.make("s3cr3t-of-the-web-client")

const decodeJwt = (token: string) => JSON.parse(atob(token.split(".")[1]!.replaceAll("-", "+").replaceAll("_", "/")))

/** A pool with a domain, alice, and its client set up for the code flow. */
const setUp = Effect.gen(function* () {
  yield* atStart
  yield* confirmedUser()
  const pool = yield* TestCognito.TestCognito
  yield* pool.createUserPoolDomain("my-app")
  yield* pool.updateClientOAuth(pool.config.clientId, {
    allowedOAuthFlowsUserPoolClient: true,
    allowedOAuthFlows: ["code"],
    allowedOAuthScopes: ["openid", "email", "profile"],
    callbackURLs: [callback],
    logoutURLs: ["https://app.example.com/signed-out"],
    supportedIdentityProviders: ["COGNITO"]
  })
  const domain = (yield* pool.userPoolDomain)!
  return { pool, base: domain.url }
})

/** GET authorize, the login page, the form posted: the redirect to the app. */
const signInThroughLoginPage = (
  pool: TestCognito.TestCognito.Service,
  base: string,
  query: Record<string, string>,
  credentials = { username: "alice", password: Redacted.value(password) }
) =>
  Effect.gen(function* () {
    const b = browser(pool)
    const authorize = yield* b.send("GET", `${base}/oauth2/authorize?${new URLSearchParams(query)}`)
    assert.strictEqual(authorize.status, 302)
    assert.isTrue(authorize.location!.startsWith(`${base}/login?`))
    const page = yield* b.send("GET", authorize.location!)
    assert.strictEqual(page.status, 200)
    const posted = yield* b.send("POST", formAction(page.body), {
      form: { _csrf: field(page.body, "_csrf")!, ...credentials }
    })
    return { b, posted }
  })

const tokenRequest = (
  pool: TestCognito.TestCognito.Service,
  base: string,
  form: Record<string, string>,
  basic = true
) =>
  Effect.gen(function* () {
    let request = HttpClientRequest.post(`${base}/oauth2/token`).pipe(HttpClientRequest.bodyUrlParams(form))
    if (basic) request = HttpClientRequest.basicAuth(request, pool.config.clientId, "")
    const response = yield* Effect.orDie(pool.domainHttpClient.execute(request))
    return { status: response.status, body: (yield* Effect.orDie(response.json)) as Record<string, unknown> }
  })

describe("TestCognito domain", () => {
  it.effect("signs alice in through the login page with PKCE: code, tokens with the nonce, userInfo", () =>
    Effect.gen(function* () {
      const { pool, base } = yield* setUp
      assert.strictEqual(base, `https://my-app.auth.us-east-1.amazoncognito.com`)
      const { challenge, verifier } = yield* pkce()
      const { posted } = yield* signInThroughLoginPage(pool, base, {
        response_type: "code",
        client_id: pool.config.clientId,
        redirect_uri: callback,
        state: "st4te",
        nonce: "n0nce",
        scope: "openid email",
        code_challenge: challenge,
        code_challenge_method: "S256"
      })
      assert.strictEqual(posted.status, 302)
      const back = new URL(posted.location!)
      assert.strictEqual(`${back.origin}${back.pathname}`, callback)
      assert.strictEqual(back.searchParams.get("state"), "st4te")
      const code = back.searchParams.get("code")!
      const exchange = {
        grant_type: "authorization_code",
        code,
        redirect_uri: callback,
        client_id: pool.config.clientId,
        code_verifier: verifier
      }
      const tokens = yield* tokenRequest(pool, base, exchange, false)
      assert.strictEqual(tokens.status, 200, JSON.stringify(tokens.body))
      assert.strictEqual(tokens.body.token_type, "Bearer")
      assert.strictEqual(tokens.body.expires_in, 3600)
      const id = decodeJwt(String(tokens.body.id_token))
      assert.strictEqual(id.nonce, "n0nce")
      assert.strictEqual(id.aud, pool.config.clientId)
      assert.strictEqual(id.iss, pool.issuer)
      assert.strictEqual(id["cognito:username"], "alice")
      const access = decodeJwt(String(tokens.body.access_token))
      assert.strictEqual(access.scope, "openid email")
      assert.strictEqual(access.version, 2)
      // A code is single use.
      const again = yield* tokenRequest(pool, base, exchange, false)
      assert.deepStrictEqual([again.status, again.body.error], [400, "invalid_grant"])
      const info = yield* Effect.orDie(
        pool.domainHttpClient.execute(
          HttpClientRequest.get(`${base}/oauth2/userInfo`).pipe(
            HttpClientRequest.bearerToken(String(tokens.body.access_token))
          )
        )
      )
      const claims = (yield* Effect.orDie(info.json)) as Record<string, unknown>
      assert.strictEqual(claims.email, "alice@example.com")
      assert.strictEqual(claims.username, "alice")
      assert.strictEqual(claims.sub, id.sub)
      // The refresh token keeps the scopes; after revoke it is refused, by the domain and by InitiateAuth.
      const refreshToken = String(tokens.body.refresh_token)
      const refreshed = yield* tokenRequest(
        pool,
        base,
        { grant_type: "refresh_token", refresh_token: refreshToken, client_id: pool.config.clientId },
        false
      )
      assert.strictEqual(decodeJwt(String(refreshed.body.access_token)).scope, "openid email")
      const revoke = yield* Effect.orDie(
        pool.domainHttpClient.execute(
          HttpClientRequest.post(`${base}/oauth2/revoke`).pipe(
            HttpClientRequest.bodyUrlParams({ token: refreshToken, client_id: pool.config.clientId })
          )
        )
      )
      assert.strictEqual(revoke.status, 200)
      const refused = yield* tokenRequest(
        pool,
        base,
        { grant_type: "refresh_token", refresh_token: refreshToken, client_id: pool.config.clientId },
        false
      )
      assert.deepStrictEqual([refused.status, refused.body.error], [400, "invalid_grant"])
      yield* expectReason(
        pool.provider.initiateAuth({ authFlow: "REFRESH_TOKEN_AUTH", refreshToken: Redacted.make(refreshToken) }),
        "NotAuthorized"
      )
    }).pipe(Effect.provide(TestCognito.layer({ autoConfirm: true })))
  )

  it.effect("refuses a wrong verifier, another redirect URI and an expired code with invalid_grant", () =>
    Effect.gen(function* () {
      const { pool, base } = yield* setUp
      const { challenge, verifier } = yield* pkce()
      const codeFor = Effect.map(
        signInThroughLoginPage(pool, base, {
          response_type: "code",
          client_id: pool.config.clientId,
          redirect_uri: callback,
          code_challenge: challenge,
          code_challenge_method: "S256"
        }),
        ({ posted }) => new URL(posted.location!).searchParams.get("code")!
      )
      const exchange = (code: string, changes: Record<string, string> = {}) =>
        tokenRequest(
          pool,
          base,
          {
            grant_type: "authorization_code",
            code,
            redirect_uri: callback,
            client_id: pool.config.clientId,
            code_verifier: verifier,
            ...changes
          },
          false
        )
      const wrongVerifier = yield* exchange(yield* codeFor, { code_verifier: "b".repeat(43) })
      assert.deepStrictEqual([wrongVerifier.status, wrongVerifier.body.error], [400, "invalid_grant"])
      const otherRedirect = yield* exchange(yield* codeFor, { redirect_uri: "https://app.example.com/other" })
      assert.strictEqual(otherRedirect.body.error, "invalid_grant")
      const late = yield* codeFor
      yield* TestClock.adjust("5 minutes")
      assert.strictEqual((yield* exchange(late)).body.error, "invalid_grant")
      const good = yield* codeFor
      assert.strictEqual((yield* exchange(good)).status, 200)
    }).pipe(Effect.provide(TestCognito.layer({ autoConfirm: true })))
  )

  it.effect("shows Cognito's message on a wrong password and never redirects a URI that is not a callback", () =>
    Effect.gen(function* () {
      const { pool, base } = yield* setUp
      const query = { response_type: "code", client_id: pool.config.clientId, redirect_uri: callback }
      const { posted } = yield* signInThroughLoginPage(pool, base, query, { username: "alice", password: "wrong" })
      assert.strictEqual(posted.status, 200)
      assert.include(posted.body, "Incorrect username or password.")
      // The username echoed after a wrong password is escaped: it cannot close the input and add markup.
      const hostile = '"><script>alert(1)</script>'
      const echoed = (yield* signInThroughLoginPage(pool, base, query, { username: hostile, password: "wrong" })).posted
      assert.strictEqual(echoed.status, 200)
      assert.notInclude(echoed.body, hostile)
      assert.notInclude(echoed.body, "<script>")
      assert.include(echoed.body, 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"')
      const b = browser(pool)
      const foreign = yield* b.send(
        "GET",
        `${base}/oauth2/authorize?${new URLSearchParams({ ...query, redirect_uri: "https://evil.example.com/cb" })}`
      )
      assert.strictEqual(foreign.status, 400)
      assert.isUndefined(foreign.location)
      const scope = yield* b.send(
        "GET",
        `${base}/oauth2/authorize?${new URLSearchParams({ ...query, scope: "phone", state: "s" })}`
      )
      const error = new URL(scope.location!)
      assert.deepStrictEqual([error.searchParams.get("error"), error.searchParams.get("state")], ["invalid_scope", "s"])
      // A POST without the CSRF cookie's token signs nobody in.
      const page = yield* b.send("GET", `${base}/login?${new URLSearchParams(query)}`)
      const forged = yield* browser(pool).send("POST", formAction(page.body), {
        form: { _csrf: field(page.body, "_csrf")!, username: "alice", password: Redacted.value(password) }
      })
      assert.strictEqual(forged.status, 403)
    }).pipe(Effect.provide(TestCognito.layer({ autoConfirm: true })))
  )

  it.effect("keeps the domain's session in its cookie until /logout", () =>
    Effect.gen(function* () {
      const { pool, base } = yield* setUp
      const query = new URLSearchParams({
        response_type: "code",
        client_id: pool.config.clientId,
        redirect_uri: callback
      })
      const { b } = yield* signInThroughLoginPage(pool, base, Object.fromEntries(query))
      const silent = yield* b.send("GET", `${base}/oauth2/authorize?${query}`)
      assert.isTrue(silent.location!.startsWith(`${callback}?code=`))
      const bad = yield* b.send(
        "GET",
        `${base}/logout?client_id=${pool.config.clientId}&logout_uri=https://evil.example.com`
      )
      assert.strictEqual(bad.status, 400)
      const out = yield* b.send(
        "GET",
        `${base}/logout?client_id=${pool.config.clientId}&logout_uri=${encodeURIComponent("https://app.example.com/signed-out")}`
      )
      assert.strictEqual(out.location, "https://app.example.com/signed-out")
      const after = yield* b.send("GET", `${base}/oauth2/authorize?${query}`)
      assert.isTrue(after.location!.startsWith(`${base}/login?`))
    }).pipe(Effect.provide(TestCognito.layer({ autoConfirm: true })))
  )

  it.effect("issues client_credentials tokens with custom scopes, and refuses what Cognito refuses", () =>
    Effect.gen(function* () {
      yield* atStart
      const pool = yield* TestCognito.TestCognito
      yield* pool.createUserPoolDomain("m2m")
      const base = (yield* pool.userPoolDomain)!.url
      yield* pool.createResourceServer({
        identifier: "orders",
        name: "Orders",
        scopes: [
          { scopeName: "read", scopeDescription: "Read orders" },
          { scopeName: "write", scopeDescription: "Write orders" }
        ]
      })
      const noSecret = yield* Effect.flip(
        pool.updateClientOAuth(pool.config.clientId, {
          allowedOAuthFlowsUserPoolClient: true,
          allowedOAuthFlows: ["client_credentials"],
          allowedOAuthScopes: ["orders/read"]
        })
      )
      assert.include(noSecret.description, "does not have a client secret")
      const service = yield* pool.withClient({ clientId: "serviceclient1234567890", clientSecret: secret })
      const unknown = yield* Effect.flip(
        pool.updateClientOAuth("serviceclient1234567890", {
          allowedOAuthFlowsUserPoolClient: true,
          allowedOAuthFlows: ["client_credentials"],
          allowedOAuthScopes: ["orders/delete"]
        })
      )
      assert.strictEqual(unknown.exception, "ScopeDoesNotExistException")
      const mixed = yield* Effect.flip(
        pool.updateClientOAuth("serviceclient1234567890", {
          allowedOAuthFlowsUserPoolClient: true,
          allowedOAuthFlows: ["client_credentials", "code"],
          allowedOAuthScopes: ["orders/read"],
          callbackURLs: [callback]
        })
      )
      assert.strictEqual(mixed.exception, "InvalidParameterException")
      yield* service.updateClientOAuth("serviceclient1234567890", {
        allowedOAuthFlowsUserPoolClient: true,
        allowedOAuthFlows: ["client_credentials"],
        allowedOAuthScopes: ["orders/read", "orders/write"]
      })
      const send = (form: Record<string, string>, password = Redacted.value(secret)) =>
        Effect.gen(function* () {
          const response = yield* Effect.orDie(
            pool.domainHttpClient.execute(
              HttpClientRequest.post(`${base}/oauth2/token`).pipe(
                HttpClientRequest.basicAuth("serviceclient1234567890", password),
                HttpClientRequest.bodyUrlParams(form)
              )
            )
          )
          return { status: response.status, body: (yield* Effect.orDie(response.json)) as Record<string, unknown> }
        })
      const token = yield* send({ grant_type: "client_credentials", scope: "orders/read" })
      assert.strictEqual(token.status, 200)
      const claims = decodeJwt(String(token.body.access_token))
      assert.deepStrictEqual(
        [claims.sub, claims.client_id, claims.scope, claims.token_use],
        ["serviceclient1234567890", "serviceclient1234567890", "orders/read", "access"]
      )
      assert.isUndefined(token.body.refresh_token)
      assert.strictEqual(
        (yield* send({ grant_type: "client_credentials", scope: "orders/delete" })).body.error,
        "invalid_scope"
      )
      assert.strictEqual((yield* send({ grant_type: "client_credentials" }, "wrong")).body.error, "invalid_client")
      assert.strictEqual((yield* send({ grant_type: "password" })).body.error, "unsupported_grant_type")
      // The pool's own client has no client_credentials flow.
      yield* pool.updateClientOAuth(pool.config.clientId, {
        allowedOAuthFlowsUserPoolClient: true,
        allowedOAuthFlows: ["code"],
        allowedOAuthScopes: ["openid"],
        callbackURLs: [callback]
      })
      const codeClient = yield* tokenRequest(pool, base, { grant_type: "client_credentials" })
      assert.strictEqual(codeClient.body.error, "unauthorized_client")
    }).pipe(Effect.provide(TestCognito.layer({ autoConfirm: true })))
  )

  it.effect("serves the discovery document under the issuer with the domain's endpoints", () =>
    Effect.gen(function* () {
      const { pool, base } = yield* setUp
      const response = yield* Effect.orDie(
        pool.domainHttpClient.execute(HttpClientRequest.get(`${pool.issuer}/.well-known/openid-configuration`))
      )
      const document = (yield* Effect.orDie(response.json)) as Record<string, unknown>
      assert.strictEqual(document.issuer, pool.issuer)
      assert.strictEqual(document.token_endpoint, `${base}/oauth2/token`)
      assert.strictEqual(document.authorization_endpoint, `${base}/oauth2/authorize`)
      assert.deepStrictEqual(document.code_challenge_methods_supported, ["S256"])
    }).pipe(Effect.provide(TestCognito.layer({ autoConfirm: true })))
  )

  it.effect("keeps the domain, the clients' settings and resource servers in a snapshot", () =>
    Effect.gen(function* () {
      const { pool } = yield* setUp
      yield* pool.createResourceServer({ identifier: "orders", name: "Orders", scopes: [] })
      const json = yield* Effect.flatMap(pool.snapshot, TestCognitoSnapshot.toJson)
      const restored = yield* Effect.provide(
        TestCognito.TestCognito,
        TestCognito.layerCognito({ restore: yield* TestCognitoSnapshot.fromJson(json) })
      )
      assert.deepStrictEqual(yield* restored.userPoolDomain, yield* pool.userPoolDomain)
      assert.deepStrictEqual(
        yield* restored.clientOAuth(pool.config.clientId),
        yield* pool.clientOAuth(pool.config.clientId)
      )
      assert.deepStrictEqual(yield* restored.resourceServers, yield* pool.resourceServers)
      // A snapshot written before the domain was kept still loads.
      const old = JSON.parse(json)
      delete old.oauth
      const before = yield* Effect.provide(
        TestCognito.TestCognito,
        TestCognito.layerCognito({ restore: yield* TestCognitoSnapshot.decode(old) })
      )
      assert.isUndefined(yield* before.userPoolDomain)
    }).pipe(Effect.provide(TestCognito.layer({ autoConfirm: true })))
  )
})

describe("the callback URL rule", () => {
  it("takes a loopback URI registered without a port on any port, and nothing else", () => {
    const registered = ["http://127.0.0.1/callback", "http://localhost:8080/callback", "https://app.example.com/cb"]
    assert.isTrue(redirectAllowed(registered, "http://127.0.0.1:53127/callback"))
    assert.isTrue(redirectAllowed(registered, "http://127.0.0.1/callback"))
    assert.isFalse(redirectAllowed(registered, "http://127.0.0.1:53127/other"), "another path")
    assert.isFalse(redirectAllowed(registered, "http://127.0.0.1:53127/callback/"), "another path")
    assert.isFalse(redirectAllowed(registered, "https://127.0.0.1:53127/callback"), "https is not the registered http")
    assert.isFalse(redirectAllowed(registered, "http://127.0.0.1:53127/callback?x=1"), "another query")
    assert.isFalse(redirectAllowed(registered, "http://localhost:53127/callback"), "another loopback host")
    // A registered port is matched exactly.
    assert.isTrue(redirectAllowed(registered, "http://localhost:8080/callback"))
    assert.isFalse(redirectAllowed(registered, "http://localhost:8081/callback"))
    assert.isFalse(redirectAllowed(registered, "http://localhost/callback"))
    // Not loopback: exact only.
    assert.isFalse(redirectAllowed(registered, "https://app.example.com:8443/cb"))
    assert.isFalse(redirectAllowed(registered, "http://app.example.com/cb"))
  })
})
