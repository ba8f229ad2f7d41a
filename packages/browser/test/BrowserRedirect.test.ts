/**
 * `BrowserRedirect` over TestCognito's domain in memory, each page load a fresh `Auth` and
 * service on the same token store and `sessionStorage`, with a scripted `Navigation`: the
 * pending authorization kept in `sessionStorage` for the round trip, the load that comes
 * back completing the sign-in (the address bar cleaned, the custom state handed back), a
 * load that is no way back left alone, a wrong `state` refused with no session, and
 * `signOut` leaving for the domain's `/logout` only after the local sign-out.
 */
import * as BrowserRedirect from "@effect-cognito/browser/BrowserRedirect"
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as OAuth from "@effect-cognito/core/OAuth"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"

const page = "https://app.example.com/"
const password = Redacted.make("Abc@123!x")

/** The tab's `sessionStorage`: a Web Storage over a map. */
class MemoryStorage implements Storage {
  readonly items = new Map<string, string>()
  get length() {
    return this.items.size
  }
  clear() {
    this.items.clear()
  }
  getItem(key: string) {
    return this.items.get(key) ?? null
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null
  }
  removeItem(key: string) {
    this.items.delete(key)
  }
  setItem(key: string, value: string) {
    this.items.set(key, value)
  }
}

/** Where the tab is, and where it was sent. */
const tab = (at: string) => {
  const assigned: Array<string> = []
  const navigation: BrowserRedirect.Navigation & { at: string } = {
    at,
    current: () => navigation.at,
    assign: (url) => void assigned.push(url),
    replace: (url) => {
      navigation.at = url
    }
  }
  return { navigation, assigned }
}

/** A pool with a domain and alice; the app client may use the code flow back to the page. */
const setUp = Effect.gen(function* () {
  yield* TestClock.setTime(Date.parse("2026-12-01T09:00:00Z"))
  const storage = new MemoryStorage()
  Object.defineProperty(globalThis, "sessionStorage", { value: storage, configurable: true })
  const pool = yield* TestCognito.TestCognito
  yield* pool.adminCreateUser({ username: "alice", messageAction: "SUPPRESS", userAttributes: {} })
  yield* pool.adminSetUserPassword("alice", password, { permanent: true })
  yield* pool.createUserPoolDomain("browser-app")
  yield* pool.updateClientOAuth(pool.config.clientId, {
    allowedOAuthFlowsUserPoolClient: true,
    allowedOAuthFlows: ["code"],
    allowedOAuthScopes: ["openid", "aws.cognito.signin.user.admin"],
    callbackURLs: [page],
    logoutURLs: [page],
    supportedIdentityProviders: ["COGNITO"]
  })
  const domain = (yield* pool.userPoolDomain)!.url
  const withDomain = yield* AuthConfig.make({
    region: pool.config.region,
    userPoolId: pool.config.userPoolId,
    clientId: pool.config.clientId,
    oauth: { domain, redirectSignIn: page, redirectSignOut: page }
  })
  const config: AuthConfig.Validated = { ...pool.config, oauth: withDomain.oauth }
  const store = yield* Effect.provideService(
    Effect.provide(TokenStore.TokenStore, TokenStore.layerMemory),
    AuthConfig.AuthConfig,
    config
  )
  /** A page load at `navigation`: a fresh `Auth` on the store, and the service (completing a way back). */
  const load = (navigation: BrowserRedirect.Navigation, seed: number) =>
    Effect.gen(function* () {
      const oauth = yield* OAuth.make(config).pipe(
        Effect.provideService(HttpClient.HttpClient, pool.domainHttpClient),
        Effect.provide(SecureRandom.layerSeeded(seed))
      )
      const auth = yield* Auth.make.pipe(
        Effect.provideService(AuthConfig.AuthConfig, config),
        Effect.provideService(TokenStore.TokenStore, store),
        Effect.provideService(OAuth.OAuth, oauth),
        Effect.provide(SecureRandom.layerSeeded(seed + 1))
      )
      const redirect = yield* BrowserRedirect.make(navigation).pipe(
        Effect.provideService(Auth.Auth, auth),
        Effect.provideService(AuthConfig.AuthConfig, config)
      )
      return { auth, redirect }
    })
  return { pool, domain, config, storage, load }
})

/** The user on the domain's pages: the login form posted; the URL the domain sends the tab back to. */
const signInOnDomain = (pool: TestCognito.TestCognito.Service, authorizeUrl: string) =>
  Effect.gen(function* () {
    const cookies = new Map<string, string>()
    const send = (url: string, form?: Record<string, string>) =>
      Effect.gen(function* () {
        const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join("; ")
        let request = HttpClientRequest.make(form === undefined ? "GET" : "POST")(url).pipe(
          HttpClientRequest.setHeaders(cookie === "" ? {} : { cookie })
        )
        if (form !== undefined) request = HttpClientRequest.bodyUrlParams(request, form)
        const response = yield* Effect.orDie(pool.domainHttpClient.execute(request))
        const [pair = ""] = (response.headers["set-cookie"] ?? "").split(";")
        if (pair.includes("=")) cookies.set(pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1))
        return { location: response.headers.location, body: yield* Effect.orDie(response.text) }
      })
    const login = new URL((yield* send(authorizeUrl)).location ?? "", authorizeUrl).href
    const form = (yield* send(login)).body
    const action = (/<form method="post" action="([^"]*)"/.exec(form)?.[1] ?? "").replaceAll("&amp;", "&")
    const csrf = /name="_csrf" value="([^"]*)"/.exec(form)?.[1] ?? ""
    const back = yield* send(new URL(action, login).href, {
      _csrf: csrf,
      username: "alice",
      password: Redacted.value(password)
    })
    assert.isDefined(back.location, back.body)
    return back.location!
  })

describe("BrowserRedirect", { timeout: 30_000 }, () => {
  it.effect(
    "keeps the pending sign-in in sessionStorage, leaves for the domain, and completes it on the way back",
    () =>
      Effect.gen(function* () {
        const { config, domain, load, pool, storage } = yield* setUp
        const first = tab(page)
        const before = yield* load(first.navigation, 1)
        assert.isTrue(Option.isNone(yield* before.redirect.result), "a plain load is no way back")
        yield* before.redirect.signInWithRedirect({ customState: "/orders" })

        const key = BrowserRedirect.pendingKey(config)
        assert.strictEqual(key, `effect-cognito.${config.userPoolId}.${config.clientId}.redirect`)
        const kept = yield* OAuth.fromJson(storage.getItem(key) ?? "")
        assert.strictEqual(kept.redirectUri, page)
        assert.strictEqual(kept.customState, "/orders")
        assert.lengthOf(first.assigned, 1)
        const authorize = new URL(first.assigned[0]!)
        assert.strictEqual(`${authorize.origin}${authorize.pathname}`, `${domain}/oauth2/authorize`)
        assert.strictEqual(authorize.searchParams.get("state"), kept.state)
        assert.strictEqual(authorize.searchParams.get("code_challenge_method"), "S256")

        const callback = yield* signInOnDomain(pool, first.assigned[0]!)
        const back = tab(callback)
        const after = yield* load(back.navigation, 3)
        const result = yield* after.redirect.result
        assert.deepStrictEqual(
          Option.map(result, (r) => r.customState),
          Option.some("/orders")
        )
        assert.strictEqual(back.navigation.at, page, "code and state removed from the address bar")
        assert.isNull(storage.getItem(key), "the pending sign-in is used once")
        assert.isTrue(yield* after.auth.isSignedIn)
        assert.deepStrictEqual(yield* after.auth.username, Option.some("alice"))

        // A reload of the cleaned page is no way back; the session stays.
        const reload = yield* load(tab(page).navigation, 5)
        assert.isTrue(Option.isNone(yield* reload.redirect.result))
        assert.isTrue(yield* reload.auth.isSignedIn)
      }).pipe(Effect.provide(TestCognito.layerCognito()))
  )

  it.effect("leaves a callback alone that the tab did not start: no sign-in, the URL as it was", () =>
    Effect.gen(function* () {
      const { load } = yield* setUp
      const forged = `${page}?code=forged&state=forged`
      const { navigation } = tab(forged)
      const { auth, redirect } = yield* load(navigation, 1)
      assert.isTrue(Option.isNone(yield* redirect.result))
      assert.strictEqual(navigation.at, forged)
      assert.isFalse(yield* auth.isSignedIn)
    }).pipe(Effect.provide(TestCognito.layerCognito()))
  )

  it.effect("fails with StateMismatch on a callback with another state: no session, the pending sign-in kept", () =>
    Effect.gen(function* () {
      const { config, load, pool, storage } = yield* setUp
      const first = tab(page)
      yield* (yield* load(first.navigation, 1)).redirect.signInWithRedirect()
      const back = tab(`${page}?code=some-code&state=not-the-state`)
      const { auth, redirect } = yield* load(back.navigation, 3)
      const error = yield* Effect.flip(redirect.result)
      assert.strictEqual(error.reason, "StateMismatch")
      assert.notInclude(error.message, "some-code")
      assert.isFalse(yield* auth.isSignedIn)
      assert.isNotNull(storage.getItem(BrowserRedirect.pendingKey(config)), "a forged callback does not end it")
      assert.strictEqual(back.navigation.at, page)
      // The real answer still completes the sign-in the tab started.
      const real = tab(yield* signInOnDomain(pool, first.assigned[0]!))
      const after = yield* load(real.navigation, 5)
      assert.isTrue(Option.isSome(yield* after.redirect.result))
      assert.isTrue(yield* after.auth.isSignedIn)
      assert.isNull(storage.getItem(BrowserRedirect.pendingKey(config)))
    }).pipe(Effect.provide(TestCognito.layerCognito()))
  )

  it.effect("signOut signs out here, then leaves for the domain's /logout (unless endDomainSession is false)", () =>
    Effect.gen(function* () {
      const { config, domain, load, pool } = yield* setUp
      const signedIn = (seed: number) =>
        Effect.gen(function* () {
          const first = tab(page)
          yield* (yield* load(first.navigation, seed)).redirect.signInWithRedirect()
          const back = tab(yield* signInOnDomain(pool, first.assigned[0]!))
          const loaded = yield* load(back.navigation, seed + 2)
          assert.isTrue(yield* loaded.auth.isSignedIn)
          return { ...loaded, assigned: back.assigned }
        })

      const quiet = yield* signedIn(1)
      yield* quiet.redirect.signOut({ endDomainSession: false })
      assert.isFalse(yield* quiet.auth.isSignedIn)
      assert.lengthOf(quiet.assigned, 0, "endDomainSession false: the tab stays")

      const { assigned, auth, redirect } = yield* signedIn(5)
      yield* redirect.signOut()
      assert.isFalse(yield* auth.isSignedIn)
      assert.lengthOf(assigned, 1)
      const logout = new URL(assigned[0]!)
      assert.strictEqual(`${logout.origin}${logout.pathname}`, `${domain}/logout`)
      assert.strictEqual(logout.searchParams.get("client_id"), config.clientId)
      assert.strictEqual(logout.searchParams.get("logout_uri"), page)
    }).pipe(Effect.provide(TestCognito.layerCognito()))
  )
})
