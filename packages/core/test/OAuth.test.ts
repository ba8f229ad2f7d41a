/**
 * `OAuth` over a scripted domain (`FakeHttpClient`) and `TestClock`: the authorize URL
 * (PKCE S256 checked with node:crypto, state, nonce, scopes, provider, custom state), the
 * callback's checks (state, error, code, age), the code exchange (form, Basic auth), the
 * id token's checks (signature by the JWKS, iss, aud, expiry, nonce), the token
 * endpoint's errors and garbage answers, and no secret in any message or JSON.
 */
import { assert, describe, it } from "@effect/vitest"
import { createHash } from "node:crypto"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as TestClock from "effect/testing/TestClock"
import * as AuthConfig from "../src/AuthConfig.js"
import * as AuthError from "../src/AuthError.js"
import * as Rules from "../src/internal/oauthRules.js"
import * as Token from "../src/internal/oauthToken.js"
import * as OAuth from "../src/OAuth.js"
import * as SecureRandom from "../src/SecureRandom.js"
import * as Fake from "./FakeHttpClient.js"
import { clientId, idClaims, issuer, jwksReply, makeKey, now, region, sign, userPoolId } from "./jwtFixtures.js"

const key = makeKey("domain-key")
const other = makeKey("other-key")
const domain = "https://auth.example.com"
const redirect = "https://app.example.com/callback"
const secret = "s3cr3t-client-secret-value"
const code = "c0de-0f-the-callback"

const configWith = (input: Partial<AuthConfig.Input> = {}) =>
  AuthConfig.make({
    region,
    userPoolId,
    clientId,
    oauth: {
      domain: `${domain}/`,
      redirectSignIn: redirect,
      redirectSignOut: "https://app.example.com/",
      scopes: ["email"]
    },
    ...input
  })

const tokenReply = (body: unknown): Fake.Reply => ({
  _tag: "Respond",
  status: 200,
  text: JSON.stringify(body),
  headers: { "content-type": "application/json" }
})

const oauthErrorReply = (status: number, error: string, description?: string): Fake.Reply => ({
  _tag: "Respond",
  status,
  text: JSON.stringify({ error, ...(description === undefined ? {} : { error_description: description }) }),
  headers: { "content-type": "application/json" }
})

/** A domain whose token endpoint answers `token(nonce)` and whose pool serves `key`'s JWKS. */
const domainOf = (token: (form: URLSearchParams) => Fake.Reply) =>
  Fake.make((request) => {
    if (request.url === `${issuer}/.well-known/jwks.json`) return jwksReply([key.jwk])
    if (request.url === `${domain}/oauth2/token`) return token(new URLSearchParams(request.text))
    if (request.url === `${domain}/oauth2/revoke`) return Fake.text(200, "", "application/json")
    return Fake.text(404, "not found")
  })

/** Cognito's answer to a code exchange: tokens whose id token carries the nonce sent. */
const goodTokens =
  (overrides: Record<string, unknown> = {}, signer = key) =>
  (nonce: string): Fake.Reply =>
    tokenReply({
      access_token: "access-token-value",
      id_token: sign(signer, idClaims({ nonce, ...overrides })),
      refresh_token: "refresh-token-value",
      token_type: "Bearer",
      expires_in: 3600
    })

/** A service over `domainOf(answer)`, the clock at `now`, the nonce from the pending value read back. */
const setup = (answer: (nonce: string, form: URLSearchParams) => Fake.Reply, input: Partial<AuthConfig.Input> = {}) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(now * 1000)
    const config = yield* configWith(input)
    let nonce = ""
    const fake = domainOf((form) => answer(nonce, form))
    const service = yield* OAuth.make(config).pipe(
      Effect.provideService(HttpClient.HttpClient, fake.client),
      Effect.provide(SecureRandom.layerSeeded(7))
    )
    const start = (options?: OAuth.AuthorizeOptions) =>
      Effect.tap(service.authorizationUrl(options), ({ pending }) =>
        Effect.sync(() => {
          nonce = pending.nonce
        })
      )
    return { config, service, start, requests: fake.requests }
  })

const callback = (pending: OAuth.PendingAuthorization, params: Record<string, string> = { code }) =>
  `${pending.redirectUri}?${new URLSearchParams({ ...params, state: params.state ?? pending.state }).toString()}`

const tokenRequests = (requests: ReadonlyArray<Fake.Recorded>) =>
  requests.filter((request) => request.url === `${domain}/oauth2/token`)

/** Neither the code, the verifier, the client secret nor a token shows in the error. */
const assertNoSecret = (error: AuthError.AuthError, pending?: OAuth.PendingAuthorization) => {
  const shown = `${String(error)} ${JSON.stringify(error)} ${error.message}`
  for (const value of [code, secret, "access-token-value", "refresh-token-value"]) assert.notInclude(shown, value)
  if (pending !== undefined) assert.notInclude(shown, Redacted.value(pending.codeVerifier))
}

describe("OAuth", () => {
  it("is the service @effect-cognito/core/OAuth", () => {
    assert.strictEqual(OAuth.OAuth.key, "@effect-cognito/core/OAuth")
  })

  describe("authorizationUrl", () => {
    it.effect("asks the domain for a code with PKCE S256, state, nonce, the scopes and the redirect URI", () =>
      Effect.gen(function* () {
        const { start } = yield* setup(goodTokens())
        const { pending, url } = yield* start()
        const parsed = new URL(url)
        assert.strictEqual(`${parsed.origin}${parsed.pathname}`, `${domain}/oauth2/authorize`)
        const q = parsed.searchParams
        assert.strictEqual(q.get("response_type"), "code")
        assert.strictEqual(q.get("client_id"), clientId)
        assert.strictEqual(q.get("redirect_uri"), redirect)
        assert.strictEqual(q.get("scope"), "openid email")
        assert.strictEqual(q.get("state"), pending.state)
        assert.strictEqual(q.get("nonce"), pending.nonce)
        assert.strictEqual(q.get("code_challenge_method"), "S256")
        const verifier = Redacted.value(pending.codeVerifier)
        assert.match(verifier, /^[A-Za-z0-9_-]{43}$/)
        assert.strictEqual(q.get("code_challenge"), createHash("sha256").update(verifier).digest("base64url"))
        assert.isNull(q.get("identity_provider"))
        assert.notInclude(url, verifier)
        assert.strictEqual(pending.createdAt, now * 1000)
        assert.strictEqual(pending.redirectUri, redirect)
      })
    )

    it.effect("sends the provider as identity_provider, the scopes given, and carries the custom state in state", () =>
      Effect.gen(function* () {
        const { start } = yield* setup(goodTokens())
        const { pending, url } = yield* start({
          provider: "Google",
          scopes: ["profile", "openid", "orders/read"],
          customState: "/orders?page=2",
          redirectUri: "http://127.0.0.1:4321/callback",
          extraParameters: { lang: "fr" }
        })
        const q = new URL(url).searchParams
        assert.strictEqual(q.get("identity_provider"), "Google")
        assert.strictEqual(q.get("scope"), "openid profile orders/read")
        assert.strictEqual(q.get("redirect_uri"), "http://127.0.0.1:4321/callback")
        assert.strictEqual(q.get("lang"), "fr")
        assert.strictEqual(pending.customState, "/orders?page=2")
        const [, carried] = pending.state.split(".")
        assert.strictEqual(Buffer.from(carried!, "base64url").toString(), "/orders?page=2")
      })
    )

    it.effect("draws a new state, nonce and verifier for each authorization", () =>
      Effect.gen(function* () {
        const { start } = yield* setup(goodTokens())
        const a = (yield* start()).pending
        const b = (yield* start()).pending
        assert.notStrictEqual(a.state, b.state)
        assert.notStrictEqual(a.nonce, b.nonce)
        assert.notStrictEqual(Redacted.value(a.codeVerifier), Redacted.value(b.codeVerifier))
      })
    )

    it.effect("fails with InvalidInput without a redirect URI, and with extra parameters that replace the flow's", () =>
      Effect.gen(function* () {
        const { start } = yield* setup(goodTokens(), {
          oauth: { domain }
        })
        const none = yield* Effect.flip(start())
        assert.strictEqual(none.reason, "InvalidInput")
        assert.include(none.message, "redirectUri")
        const replaced = yield* Effect.flip(start({ redirectUri: redirect, extraParameters: { state: "mine" } }))
        assert.strictEqual(replaced.reason, "InvalidInput")
        const fragment = yield* Effect.flip(start({ redirectUri: `${redirect}#x` }))
        assert.strictEqual(fragment.reason, "InvalidInput")
      })
    )

    it.effect("fails with InvalidConfig when no domain is configured", () =>
      Effect.gen(function* () {
        const config = yield* AuthConfig.make({ region, userPoolId, clientId })
        const error = yield* Effect.flip(
          OAuth.authorizationUrl(config, { redirectUri: redirect }).pipe(Effect.provide(SecureRandom.layer))
        )
        assert.strictEqual(error.reason, "InvalidConfig")
        assert.include(error.message, "COGNITO_DOMAIN")
      })
    )
  })

  describe("completeAuthorization", () => {
    it.effect("exchanges the code with the verifier and returns the verified tokens and the custom state", () =>
      Effect.gen(function* () {
        const { requests, service, start } = yield* setup(goodTokens())
        const { pending } = yield* start({ customState: "back-to=/home" })
        const result = yield* service.completeAuthorization({ callbackUrl: callback(pending), pending })
        assert.strictEqual(result.customState, "back-to=/home")
        assert.strictEqual(Redacted.value(result.tokens.accessToken), "access-token-value")
        assert.strictEqual(Redacted.value(result.tokens.refreshToken!), "refresh-token-value")
        assert.strictEqual(result.tokens.expiresIn, 3600)
        assert.strictEqual(result.idTokenClaims["cognito:username"], "alice")
        const [exchange] = tokenRequests(requests)
        assert.strictEqual(exchange!.contentType, "application/x-www-form-urlencoded")
        const form = new URLSearchParams(exchange!.text)
        assert.strictEqual(form.get("grant_type"), "authorization_code")
        assert.strictEqual(form.get("code"), code)
        assert.strictEqual(form.get("redirect_uri"), redirect)
        assert.strictEqual(form.get("client_id"), clientId)
        assert.strictEqual(form.get("code_verifier"), Redacted.value(pending.codeVerifier))
        assert.isUndefined(exchange!.headers.authorization)
      })
    )

    it.effect("authenticates a confidential client with HTTP Basic and keeps the secret out of the body", () =>
      Effect.gen(function* () {
        const { requests, service, start } = yield* setup(goodTokens(), {
          clientSecret: Redacted.make(secret)
        })
        const { pending } = yield* start()
        yield* service.completeAuthorization({ callbackUrl: callback(pending), pending })
        const [exchange] = tokenRequests(requests)
        assert.strictEqual(
          exchange!.headers.authorization,
          `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`
        )
        assert.notInclude(exchange!.text, secret)
      })
    )

    it.effect("fails with AccessDenied for error=access_denied, without a token request", () =>
      Effect.gen(function* () {
        const { requests, service, start } = yield* setup(goodTokens())
        const { pending } = yield* start()
        const error = yield* Effect.flip(
          service.completeAuthorization({
            callbackUrl: callback(pending, { error: "access_denied", error_description: "User cancelled" }),
            pending
          })
        )
        assert.strictEqual(error.reason, "AccessDenied")
        assert.strictEqual(error.exception, "access_denied")
        assert.include(error.message, "User cancelled")
        assert.lengthOf(tokenRequests(requests), 0)
      })
    )

    it.effect("fails with StateMismatch for another state, or none, without a token request", () =>
      Effect.gen(function* () {
        const { requests, service, start } = yield* setup(goodTokens())
        const { pending } = yield* start()
        const wrong = yield* Effect.flip(
          service.completeAuthorization({ callbackUrl: callback(pending, { code, state: "forged" }), pending })
        )
        assert.strictEqual(wrong.reason, "StateMismatch")
        const none = yield* Effect.flip(
          service.completeAuthorization({ callbackUrl: `${redirect}?code=${code}`, pending })
        )
        assert.strictEqual(none.reason, "StateMismatch")
        const other = (yield* start()).pending
        const crossed = yield* Effect.flip(service.completeAuthorization({ callbackUrl: callback(other), pending }))
        assert.strictEqual(crossed.reason, "StateMismatch")
        assert.lengthOf(tokenRequests(requests), 0)
        assertNoSecret(wrong, pending)
      })
    )

    it.effect("fails with InvalidInput for a callback with neither code nor error", () =>
      Effect.gen(function* () {
        const { service, start } = yield* setup(goodTokens())
        const { pending } = yield* start()
        const error = yield* Effect.flip(service.completeAuthorization({ callbackUrl: callback(pending, {}), pending }))
        assert.strictEqual(error.reason, "InvalidInput")
      })
    )

    it.effect("fails with SessionExpired once the pending value is older than pendingValidity (by Clock)", () =>
      Effect.gen(function* () {
        const { requests, service, start } = yield* setup(goodTokens())
        const { pending } = yield* start()
        yield* TestClock.adjust("10 minutes")
        const error = yield* Effect.flip(service.completeAuthorization({ callbackUrl: callback(pending), pending }))
        assert.strictEqual(error.reason, "SessionExpired")
        assert.lengthOf(tokenRequests(requests), 0)
      })
    )

    it.effect("accepts the callback as a URL or as its query string", () =>
      Effect.gen(function* () {
        const { service, start } = yield* setup(goodTokens())
        const a = (yield* start()).pending
        yield* service.completeAuthorization({ callbackUrl: new URL(callback(a)), pending: a })
        const b = (yield* start()).pending
        yield* service.completeAuthorization({ callbackUrl: `?${new URL(callback(b)).search.slice(1)}`, pending: b })
      })
    )

    it.effect("fails with InvalidGrant for a code used already, the OAuth code in exception", () =>
      Effect.gen(function* () {
        let used = false
        const { service, start } = yield* setup((nonce) => {
          if (used) return oauthErrorReply(400, "invalid_grant")
          used = true
          return goodTokens()(nonce)
        })
        const { pending } = yield* start()
        yield* service.completeAuthorization({ callbackUrl: callback(pending), pending })
        const error = yield* Effect.flip(service.completeAuthorization({ callbackUrl: callback(pending), pending }))
        assert.strictEqual(error.reason, "InvalidGrant")
        assert.strictEqual(error.exception, "invalid_grant")
        assert.strictEqual(error.status, 400)
        assertNoSecret(error, pending)
      })
    )

    it.effect("maps the token endpoint's OAuth errors to their reasons", () =>
      Effect.gen(function* () {
        const cases: ReadonlyArray<readonly [number, string, AuthError.Reason]> = [
          [401, "invalid_client", "InvalidClient"],
          [400, "unauthorized_client", "UnauthorizedClient"],
          [400, "invalid_scope", "InvalidScope"],
          [400, "invalid_request", "InvalidParameter"],
          [400, "unsupported_grant_type", "UnsupportedOperation"],
          [400, "something_new", "InvalidResponse"]
        ]
        for (const [status, error, reason] of cases) {
          const { service, start } = yield* setup(() => oauthErrorReply(status, error))
          const { pending } = yield* start()
          const failure = yield* Effect.flip(service.completeAuthorization({ callbackUrl: callback(pending), pending }))
          assert.strictEqual(failure.reason, reason, error)
          assert.strictEqual(failure.exception, error)
        }
      })
    )

    it.effect("fails with InvalidResponse for garbage token answers, naming what is wrong and no token", () =>
      Effect.gen(function* () {
        const garbage: ReadonlyArray<readonly [Fake.Reply, string]> = [
          [Fake.text(200, "<html>hello</html>"), "not a JSON object"],
          [tokenReply({ token_type: "Bearer", expires_in: 3600 }), "no access_token"],
          [tokenReply({ access_token: "access-token-value", token_type: "mac", expires_in: 3600 }), "Bearer"],
          [tokenReply({ access_token: "access-token-value", token_type: "Bearer", expires_in: -5 }), "expires_in"],
          [tokenReply({ access_token: "access-token-value", token_type: "Bearer", expires_in: 3600 }), "id token"],
          [Fake.text(400, "<html>bad</html>"), "without an OAuth error"]
        ]
        for (const [reply, expected] of garbage) {
          const { service, start } = yield* setup(() => reply)
          const { pending } = yield* start()
          const error = yield* Effect.flip(service.completeAuthorization({ callbackUrl: callback(pending), pending }))
          assert.strictEqual(error.reason, "InvalidResponse", expected)
          assert.include(error.message, expected)
          assertNoSecret(error, pending)
        }
        const { service, start } = yield* setup(() => Fake.text(503, "busy"))
        const { pending } = yield* start()
        const busy = yield* Effect.flip(service.completeAuthorization({ callbackUrl: callback(pending), pending }))
        assert.strictEqual(busy.reason, "InternalError")
        assert.isTrue(AuthError.isTransient(busy))
      })
    )

    it.effect("fails with Transport when the domain cannot be reached", () =>
      Effect.gen(function* () {
        const { service, start } = yield* setup(() => Fake.transportFailure("connect ECONNREFUSED"))
        const { pending } = yield* start()
        const error = yield* Effect.flip(service.completeAuthorization({ callbackUrl: callback(pending), pending }))
        assert.strictEqual(error.reason, "Transport")
        assertNoSecret(error, pending)
      })
    )

    it.effect("refuses an id token with another nonce, another audience, issuer or key, or expired", () =>
      Effect.gen(function* () {
        const refusals: ReadonlyArray<readonly [(nonce: string) => Fake.Reply, string]> = [
          [(nonce) => goodTokens({ nonce: `${nonce}x` })(nonce), "nonce"],
          [(nonce) => goodTokens({ nonce: undefined })(nonce), "no nonce"],
          [goodTokens({ aud: "anotherclient" }), "aud"],
          [goodTokens({ iss: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other1" }), "iss"],
          [goodTokens({}, other), "kid"],
          [goodTokens({ exp: now - 10 }), "expired"],
          [goodTokens({ token_use: "access" }), "token_use"]
        ]
        for (const [answer, expected] of refusals) {
          const { service, start } = yield* setup(answer)
          const { pending } = yield* start()
          const error = yield* Effect.flip(service.completeAuthorization({ callbackUrl: callback(pending), pending }))
          assert.strictEqual(error.reason, "InvalidResponse", expected)
          assert.include(error.message, expected)
          assertNoSecret(error, pending)
        }
      })
    )

    it.effect("runs without a service too, fetching the JWKS for the call", () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(now * 1000)
        const config = yield* configWith()
        const { pending } = yield* OAuth.authorizationUrl(config).pipe(Effect.provide(SecureRandom.layerSeeded(3)))
        const fake = domainOf(() => goodTokens()(pending.nonce))
        const result = yield* OAuth.completeAuthorization(config, { callbackUrl: callback(pending), pending }).pipe(
          Effect.provideService(HttpClient.HttpClient, fake.client)
        )
        assert.strictEqual(result.idTokenClaims.nonce, pending.nonce)
      })
    )
  })

  describe("logoutUrl and revoke", () => {
    it.effect("builds <domain>/logout with client_id and logout_uri", () =>
      Effect.gen(function* () {
        const { service } = yield* setup(goodTokens())
        assert.strictEqual(
          yield* service.logoutUrl(),
          `${domain}/logout?client_id=${clientId}&logout_uri=${encodeURIComponent("https://app.example.com/")}`
        )
        const given = new URL(yield* service.logoutUrl({ logoutUri: "myapp://signed-out" }))
        assert.strictEqual(given.searchParams.get("logout_uri"), "myapp://signed-out")
      })
    )

    it.effect("revokes a refresh token at /oauth2/revoke", () =>
      Effect.gen(function* () {
        const { requests, service } = yield* setup(goodTokens(), { clientSecret: Redacted.make(secret) })
        yield* service.revoke(Redacted.make("refresh-token-value"))
        const revoke = requests.find((r) => r.url === `${domain}/oauth2/revoke`)!
        assert.strictEqual(new URLSearchParams(revoke.text).get("token"), "refresh-token-value")
        assert.include(revoke.headers.authorization!, "Basic ")
      })
    )
  })

  describe("PendingAuthorization", () => {
    it.effect("round-trips through JSON, the verifier hidden in memory", () =>
      Effect.gen(function* () {
        const { start } = yield* setup(goodTokens())
        const { pending } = yield* start({ customState: "x" })
        const verifier = Redacted.value(pending.codeVerifier)
        assert.notInclude(JSON.stringify(pending), verifier)
        assert.notInclude(String(pending), verifier)
        const text = yield* OAuth.toJson(pending)
        const back = yield* OAuth.fromJson(text)
        assert.strictEqual(Redacted.value(back.codeVerifier), verifier)
        assert.strictEqual(back.state, pending.state)
        assert.strictEqual(back.customState, "x")
        const bad = yield* Effect.flip(OAuth.fromJson(`{"version":1,"pendingAuthorization":{"state":"${verifier}"}}`))
        assert.strictEqual(bad.reason, "InvalidInput")
        assert.notInclude(bad.message, verifier)
      })
    )
  })

  describe("AuthConfig oauth", () => {
    it.effect("checks the domain settings and names every problem", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          configWith({
            oauth: { domain: "ftp://x", redirectSignIn: "not a url", scopes: ["a b"], pendingValidity: -1 }
          })
        )
        assert.strictEqual(error.reason, "InvalidConfig")
        for (const field of ["oauth.domain", "oauth.redirectSignIn", "oauth.scopes", "oauth.pendingValidity"])
          assert.include(error.message, field)
        const ok = yield* configWith()
        assert.deepStrictEqual(ok.oauth?.scopes, ["openid", "email"])
        assert.strictEqual(ok.oauth?.domain, domain)
      })
    )

    it.effect("reads COGNITO_DOMAIN, COGNITO_REDIRECT_URI, COGNITO_LOGOUT_URI and COGNITO_SCOPES", () =>
      Effect.gen(function* () {
        const input = yield* AuthConfig.config.pipe(
          Effect.provideService(
            ConfigProvider.ConfigProvider,
            ConfigProvider.fromEnvRecord({
              COGNITO_USER_POOL_ID: userPoolId,
              COGNITO_CLIENT_ID: clientId,
              COGNITO_DOMAIN: domain,
              COGNITO_REDIRECT_URI: redirect,
              COGNITO_LOGOUT_URI: "https://app.example.com/",
              COGNITO_SCOPES: "email, profile orders/read"
            })
          )
        )
        const config = yield* AuthConfig.make(input)
        assert.deepStrictEqual(config.oauth?.scopes, ["openid", "email", "profile", "orders/read"])
        assert.strictEqual(config.oauth?.redirectSignIn, redirect)
        assert.strictEqual(config.oauth?.redirectSignOut, "https://app.example.com/")
      })
    )
  })

  describe("rules", () => {
    it("maps OAuth error codes through one table", () => {
      assert.strictEqual(Token.reasonOfOAuthError("access_denied"), "AccessDenied")
      assert.strictEqual(Token.reasonOfOAuthError("server_error"), "InternalError")
      assert.strictEqual(Token.reasonOfOAuthError("nope"), "InvalidResponse")
    })

    it("reads a token answer, refusing what is not one", () => {
      assert.isTrue(
        Result.isSuccess(Token.readTokenAnswer('{"access_token":"a","token_type":"bearer","expires_in":"60"}'))
      )
      assert.isTrue(Result.isFailure(Token.readTokenAnswer('{"access_token":"a","token_type":"Bearer"}')))
      assert.isTrue(Result.isFailure(Token.readTokenAnswer("[]")))
    })

    it("checks the state before the error, so a forged error is not believed", () => {
      const pending = new OAuth.PendingAuthorization({
        clientId,
        state: "s",
        codeVerifier: Redacted.make("v"),
        nonce: "n",
        redirectUri: redirect,
        createdAt: 0
      })
      const read = Rules.readCallback("m", {
        callbackUrl: `${redirect}?error=access_denied&state=t`,
        pending,
        clientId,
        nowMillis: 0,
        validityMillis: 1000
      })
      assert.isTrue(Result.isFailure(read) && read.failure.reason === "StateMismatch")
    })

    it("reads a relative callback URL (a Node server's req.url) as a URL", () => {
      const pending = new OAuth.PendingAuthorization({
        clientId,
        state: "s",
        codeVerifier: Redacted.make("v"),
        nonce: "n",
        redirectUri: redirect,
        createdAt: 0
      })
      const read = (callbackUrl: string) =>
        Rules.readCallback("m", { callbackUrl, pending, clientId, nowMillis: 0, validityMillis: 1000 })
      assert.deepStrictEqual(read("/callback?code=the-code&state=s"), Result.succeed("the-code"))
      assert.deepStrictEqual(read("code=the-code&state=s"), Result.succeed("the-code"))
    })
  })
})
