/**
 * `Auth.redirectSignInUrl` / `completeRedirectSignIn` / `redirectSignOutUrl` over
 * TestCognito's domain in memory: the authorization URL followed through the real login
 * page, the callback completed into a session like any other (stored, restored by another
 * `Auth` on the store, refreshed by `REFRESH_TOKEN_AUTH`), the custom state handed back,
 * and the failures that leave no session: a wrong state, `error=access_denied`, a code used
 * already, a sign-in while signed in (which does not spend the code).
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as OAuth from "@effect-cognito/core/OAuth"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { browser, field, formAction } from "./DomainFixtures.js"
import { atStart, confirmedUser, expectReason, password } from "./fixtures.js"

const callback = "https://app.example.com/callback"
const signedOut = "https://app.example.com/signed-out"

/** A pool with a domain and alice; its app client allows the code flow back to the app. */
const setUp = Effect.gen(function* () {
  yield* atStart
  yield* confirmedUser()
  const pool = yield* TestCognito.TestCognito
  yield* pool.createUserPoolDomain("web-app")
  yield* pool.updateClientOAuth(pool.config.clientId, {
    allowedOAuthFlowsUserPoolClient: true,
    allowedOAuthFlows: ["code"],
    allowedOAuthScopes: ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
    callbackURLs: [callback],
    logoutURLs: [signedOut],
    supportedIdentityProviders: ["COGNITO"]
  })
  const base = (yield* pool.userPoolDomain)!.url
  const withDomain = yield* AuthConfig.make({
    region: pool.config.region,
    userPoolId: pool.config.userPoolId,
    clientId: pool.config.clientId,
    oauth: { domain: base, redirectSignIn: callback, redirectSignOut: signedOut, scopes: ["email"] }
  })
  const config: AuthConfig.Validated = { ...pool.config, oauth: withDomain.oauth }
  const store = yield* Effect.provideService(
    Effect.provide(TokenStore.TokenStore, TokenStore.layerMemory),
    AuthConfig.AuthConfig,
    config
  )
  // The web app's `Auth`: the pool's provider, the config with the domain, `OAuth` over the domain.
  const oauth = yield* OAuth.make(config).pipe(
    Effect.provideService(HttpClient.HttpClient, pool.domainHttpClient),
    Effect.provide(SecureRandom.layerSeeded(42))
  )
  const auth = yield* Auth.make.pipe(
    Effect.provideService(AuthConfig.AuthConfig, config),
    Effect.provideService(TokenStore.TokenStore, store),
    Effect.provideService(OAuth.OAuth, oauth),
    Effect.provide(SecureRandom.layerSeeded(43))
  )
  /** Another context on the same store (another tab, another instance of the service). */
  const another = Auth.make.pipe(
    Effect.provideService(AuthConfig.AuthConfig, config),
    Effect.provideService(TokenStore.TokenStore, store),
    Effect.provide(SecureRandom.layerSeeded(44))
  )
  return { pool, base, store, auth, another }
})

/** The user at the browser: the authorization URL, the login page, the form; the URL it is sent back to. */
const signInAtLoginPage = (pool: TestCognito.TestCognito.Service, url: string) =>
  Effect.gen(function* () {
    const b = browser(pool)
    const authorize = yield* b.send("GET", url)
    assert.strictEqual(authorize.status, 302, authorize.body)
    const page = yield* b.send("GET", authorize.location!)
    const posted = yield* b.send("POST", formAction(page.body), {
      form: { _csrf: field(page.body, "_csrf")!, username: "alice", password: Redacted.value(password) }
    })
    assert.strictEqual(posted.status, 302, posted.body)
    return { b, callbackUrl: posted.location! }
  })

describe("Auth redirect sign-in over TestCognito's domain", () => {
  it.effect("signs alice in through the login page: session stored, custom state back, refreshed later", () =>
    Effect.gen(function* () {
      const { another, auth, base, pool, store } = yield* setUp
      const { pending, url } = yield* auth.redirectSignInUrl({ customState: "/orders/42" })
      assert.isTrue(url.startsWith(`${base}/oauth2/authorize?`))
      const { b, callbackUrl } = yield* signInAtLoginPage(pool, url)
      assert.isTrue(callbackUrl.startsWith(`${callback}?code=`))
      const result = yield* auth.completeRedirectSignIn({ callbackUrl, pending })
      assert.strictEqual(result.customState, "/orders/42")
      assert.isTrue(yield* auth.isSignedIn)
      assert.strictEqual(yield* auth.userState, "SignedIn")
      assert.deepStrictEqual(yield* auth.username, Option.some("alice"))
      const stored = yield* store.load
      assert.isTrue(Option.isSome(stored))
      // Another context on the store starts signed in as alice, without a request.
      assert.deepStrictEqual(yield* (yield* another).username, Option.some("alice"))
      const first = yield* auth.getTokens()
      assert.strictEqual(first.username, "alice")
      // The domain's tokens call the user pool's API like any others (the admin scope was asked).
      assert.strictEqual((yield* auth.getUserAttributes).email, "alice@example.com")
      // An hour on, the access token is refreshed by REFRESH_TOKEN_AUTH.
      yield* TestClock.adjust("61 minutes")
      const refreshed = yield* auth.getTokens()
      assert.notStrictEqual(Redacted.value(refreshed.accessToken), Redacted.value(first.accessToken))
      // Sign-out here, then the domain's own session through its logout URL.
      yield* auth.signOut()
      assert.isFalse(yield* auth.isSignedIn)
      const logout = yield* auth.redirectSignOutUrl()
      assert.isTrue(logout.startsWith(`${base}/logout?`))
      const out = yield* b.send("GET", logout)
      assert.strictEqual(out.status, 302)
      assert.strictEqual(out.location, signedOut)
    }).pipe(Effect.scoped, Effect.provide(TestCognito.layer({ autoConfirm: true })))
  )

  it.effect("fails with StateMismatch for a callback of another authorization, and stays signed out", () =>
    Effect.gen(function* () {
      const { auth, pool } = yield* setUp
      const first = yield* auth.redirectSignInUrl()
      const second = yield* auth.redirectSignInUrl()
      const { callbackUrl } = yield* signInAtLoginPage(pool, first.url)
      yield* expectReason(auth.completeRedirectSignIn({ callbackUrl, pending: second.pending }), "StateMismatch")
      assert.isFalse(yield* auth.isSignedIn)
      // The right pending value still completes it: the code was not spent.
      yield* auth.completeRedirectSignIn({ callbackUrl, pending: first.pending })
      assert.isTrue(yield* auth.isSignedIn)
    }).pipe(Effect.scoped, Effect.provide(TestCognito.layer({ autoConfirm: true })))
  )

  it.effect("fails with AccessDenied for error=access_denied, and stays signed out", () =>
    Effect.gen(function* () {
      const { auth } = yield* setUp
      const { pending } = yield* auth.redirectSignInUrl()
      const denied = `${callback}?${new URLSearchParams({
        error: "access_denied",
        error_description: "The user denied the request",
        state: pending.state
      })}`
      const error = yield* expectReason(auth.completeRedirectSignIn({ callbackUrl: denied, pending }), "AccessDenied")
      assert.strictEqual(error.exception, "access_denied")
      assert.isFalse(yield* auth.isSignedIn)
    }).pipe(Effect.scoped, Effect.provide(TestCognito.layer({ autoConfirm: true })))
  )

  it.effect("fails with InvalidGrant for a code used already, leaving no second session", () =>
    Effect.gen(function* () {
      const { auth, pool } = yield* setUp
      const { pending, url } = yield* auth.redirectSignInUrl()
      const { callbackUrl } = yield* signInAtLoginPage(pool, url)
      yield* auth.completeRedirectSignIn({ callbackUrl, pending })
      yield* auth.signOut()
      const error = yield* expectReason(auth.completeRedirectSignIn({ callbackUrl, pending }), "InvalidGrant")
      assert.strictEqual(error.exception, "invalid_grant")
      assert.isFalse(yield* auth.isSignedIn)
    }).pipe(Effect.scoped, Effect.provide(TestCognito.layer({ autoConfirm: true })))
  )

  it.effect("fails with AlreadySignedIn while signed in, before the code is spent", () =>
    Effect.gen(function* () {
      const { auth, pool } = yield* setUp
      const a = yield* auth.redirectSignInUrl()
      yield* auth.completeRedirectSignIn({
        callbackUrl: (yield* signInAtLoginPage(pool, a.url)).callbackUrl,
        pending: a.pending
      })
      const b = yield* auth.redirectSignInUrl()
      const { callbackUrl } = yield* signInAtLoginPage(pool, b.url)
      yield* expectReason(auth.completeRedirectSignIn({ callbackUrl, pending: b.pending }), "AlreadySignedIn")
      yield* auth.signOut()
      yield* auth.completeRedirectSignIn({ callbackUrl, pending: b.pending })
      assert.isTrue(yield* auth.isSignedIn)
    }).pipe(Effect.scoped, Effect.provide(TestCognito.layer({ autoConfirm: true })))
  )

  it.effect("fails with InvalidConfig without a domain, as Auth.layer alone provides no OAuth", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      yield* expectReason(auth.redirectSignInUrl({ redirectUri: callback }), "InvalidConfig")
      yield* expectReason(auth.redirectSignOutUrl({ logoutUri: signedOut }), "InvalidConfig")
    }).pipe(Effect.scoped, Effect.provide(TestCognito.layer({ autoConfirm: true })))
  )
})
