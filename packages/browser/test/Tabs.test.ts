/**
 * Many tabs as one client, in real Chromium against the local Cognito on loopback: one
 * `LocalCognito` in this process serves every tab (started with the pages' origin in its
 * `allowedOrigins`, so its CORS grants let them call it), so the server's request log
 * counts what all tabs sent.
 */
import type * as Auth from "@effect-cognito/core/Auth"
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import type * as TestCognito from "@effect-cognito/test-kit/TestCognito"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import type { Page } from "playwright-core"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { bundle, type Chromium, launch, pageEntry, type Server, serve } from "./harness.js"
import type { FlowStore, TabConfig } from "./pages/api.js"

let runtime: ManagedRuntime.ManagedRuntime<LocalCognito.LocalCognito, unknown>
let local: LocalCognito.LocalCognito.Service
let pool: TestCognito.TestCognito.Service
let config: TabConfig
let chromium: Chromium
let server: Server

const password = "Abc@123!x"
const twoHours = 2 * 60 * 60 * 1000

beforeAll(async () => {
  server = await serve(await bundle({ tabs: pageEntry("tabs") }))
  runtime = ManagedRuntime.make(LocalCognito.layer({ allowedOrigins: [server.origin] }))
  local = await runtime.runPromise(LocalCognito.LocalCognito)
  const { region, userPoolId, clientId } = local.defaultPool
  pool = await runtime.runPromise(local.pool(userPoolId))
  config = { region, userPoolId, clientId, endpoint: local.endpoint }
  chromium = await launch()
}, 60_000)

afterAll(async () => {
  await chromium?.close()
  await server?.close()
  await runtime?.dispose()
})

const run = <A>(effect: Effect.Effect<A, unknown>) => runtime.runPromise(effect)
const requests = (action?: Parameters<TestCognito.TestCognito.Service["requestCount"]>[0]) =>
  run(pool.requestCount(action))
const codeFor = (username: string) => run(Effect.map(pool.lastCodeFor(username), Redacted.value))

/** A browser feature a tab can be opened without, to exercise the fallbacks. */
type Feature = "BroadcastChannel" | "WebLocks"

/**
 * A tab of the page on a fresh `Auth` over `store`; the first tab of a test starts from empty
 * storage. `without` removes browser features before any script of the page runs.
 */
const openTab = async (
  store: FlowStore = "LocalStorage",
  options: { readonly clear?: boolean; readonly without?: ReadonlyArray<Feature> } = {}
) => {
  const page = await chromium.context.newPage()
  for (const feature of options.without ?? [])
    await page.addInitScript((f) => {
      if (f === "BroadcastChannel") Reflect.deleteProperty(globalThis, "BroadcastChannel")
      else Reflect.deleteProperty(Navigator.prototype, "locks")
    }, feature)
  await page.goto(`${server.origin}/tabs.html`)
  if (options.clear === true) await page.evaluate(() => localStorage.clear())
  await page.evaluate(([c, s]) => window.tabsPage.start(c, s), [config, store] as const)
  return page
}

const state = (page: Page) => page.evaluate(() => window.tabsPage.state())

/** Waits until the tab's user state is `expected` (polls the page; fails after `timeout`). */
const reach = (page: Page, expected: Auth.UserState, timeout = 15_000) =>
  page.waitForFunction((s) => window.tabsPage.state() === s, expected, { timeout, polling: 10 })

/** A confirmed user, signed up through the page. */
const signUp = async (page: Page, username: string, attributes: Record<string, string> = {}) => {
  const attrs = { email: `${username}@example.com`, ...attributes }
  assert.strictEqual(
    await page.evaluate(([u, p, a]) => window.tabsPage.signUp(u, p, a), [username, password, attrs] as const),
    "Unconfirmed"
  )
  const code = await codeFor(username)
  assert.strictEqual(
    await page.evaluate(([u, c]) => window.tabsPage.confirmSignUp(u, c), [username, code] as const),
    "Confirmed"
  )
}

const signIn = (page: Page, username: string) =>
  page.evaluate(([u, p]) => window.tabsPage.signIn(u, p), [username, password] as const)

describe("tabs in Chromium against the local Cognito", () => {
  it("ten tabs whose tokens expired call getTokens at the same moment: one refresh reaches the server, all end with its tokens", async () => {
    const tabs = [await openTab("LocalStorage", { clear: true })]
    for (let i = 1; i < 10; i++) tabs.push(await openTab())
    for (const tab of tabs) assert.strictEqual(await state(tab), "SignedOut")

    await signUp(tabs[0]!, "ten")
    assert.strictEqual(await signIn(tabs[0]!, "ten"), "SignedIn")
    // The sign-in reaches every other tab.
    for (const tab of tabs) await reach(tab, "SignedIn")
    const before = await tabs[0]!.evaluate(() => window.tabsPage.getTokens())
    assert.isTrue(before.ok)

    for (const tab of tabs) await tab.evaluate((ms) => window.tabsPage.setClockOffset(ms), twoHours)
    const [all, refreshes] = [await requests(), await requests("InitiateAuth")]
    for (const tab of tabs.slice(1)) await tab.evaluate(() => window.tabsPage.arm())
    await tabs[0]!.evaluate(() => window.tabsPage.fire())
    const outcomes = await Promise.all(tabs.map((tab) => tab.evaluate(() => window.tabsPage.armed())))

    assert.strictEqual((await requests("InitiateAuth")) - refreshes, 1, "refresh requests")
    assert.strictEqual((await requests()) - all, 1, "requests of any kind")
    const tokens = outcomes.map((o) => (o.ok ? o.accessToken : o.reason))
    assert.strictEqual(new Set(tokens).size, 1, "every tab has the same tokens")
    assert.isTrue(outcomes[0]!.ok)
    assert.notStrictEqual(tokens[0], before.ok ? before.accessToken : "")
    await Promise.all(tabs.map((tab) => tab.close()))
  }, 60_000)

  it("sign-out in one tab signs every other tab out within a second; a refresh in flight elsewhere does not bring the session back", async () => {
    const [a, b, c, d] = [
      await openTab("LocalStorage", { clear: true }),
      await openTab(),
      await openTab(),
      await openTab()
    ]
    await signUp(a, "outs")
    assert.strictEqual(await signIn(a, "outs"), "SignedIn")
    for (const tab of [b, c, d]) await reach(tab, "SignedIn")

    // B's tokens expire; its refresh request reaches the server and the answer is held in B.
    await b.evaluate((ms) => {
      window.tabsPage.setClockOffset(ms)
      window.tabsPage.holdRefreshResponses()
      window.tabsPage.startGetTokens()
    }, twoHours)
    await b.waitForFunction(() => window.tabsPage.heldRefreshResponses() === 1, null, { polling: 10 })

    // A signs out (its revocation reaches the server) while B's refresh is in flight.
    const revocations = await requests("RevokeToken")
    const signingOut = a.evaluate(() => window.tabsPage.signOut())
    await expectEventually(async () => (await requests("RevokeToken")) === revocations + 1)
    await b.evaluate(() => window.tabsPage.releaseRefreshResponses())
    await signingOut
    assert.strictEqual(await state(a), "SignedOut")
    for (const tab of [b, c, d]) await reach(tab, "SignedOut", 1_000)
    await b.evaluate(() => window.tabsPage.pendingGetTokens())

    // Nothing brings the session back: not in memory, not in the store, not after a reload.
    for (const tab of [a, b, c, d]) {
      assert.strictEqual(await state(tab), "SignedOut")
      assert.deepStrictEqual(await tab.evaluate(() => window.tabsPage.storedKeys()), [])
      assert.deepStrictEqual(await tab.evaluate(() => window.tabsPage.getTokens()), {
        ok: false,
        reason: "NotSignedIn"
      })
    }
    await d.reload()
    assert.strictEqual(
      await d.evaluate(([cfg]) => window.tabsPage.start(cfg, "LocalStorage"), [config] as const),
      "SignedOut"
    )
    await Promise.all([a, b, c, d].map((tab) => tab.close()))
  }, 60_000)

  it("a reload keeps a localStorage session, with no request", async () => {
    const page = await openTab("LocalStorage", { clear: true })
    await signUp(page, "reloads")
    assert.strictEqual(await signIn(page, "reloads"), "SignedIn")
    const before = await page.evaluate(() => window.tabsPage.getTokens())
    const count = await requests()
    await page.reload()
    assert.strictEqual(
      await page.evaluate(([cfg]) => window.tabsPage.start(cfg, "LocalStorage"), [config] as const),
      "SignedIn"
    )
    assert.deepStrictEqual(await page.evaluate(() => window.tabsPage.getTokens()), before)
    assert.strictEqual(await requests(), count)
    await page.close()
  }, 60_000)

  it("sessionStorage tabs do not share: a sign-in and a sign-out stay in their tab", async () => {
    const first = await openTab("SessionStorage", { clear: true })
    const second = await openTab("SessionStorage")
    await signUp(first, "apart")
    assert.strictEqual(await signIn(first, "apart"), "SignedIn")
    assert.strictEqual(await signIn(second, "apart"), "SignedIn")
    const [one, two] = [
      await first.evaluate(() => window.tabsPage.getTokens()),
      await second.evaluate(() => window.tabsPage.getTokens())
    ]
    assert.notDeepEqual(one, two)
    await first.evaluate(() => window.tabsPage.signOut())
    assert.strictEqual(await state(first), "SignedOut")
    // The other tab's session is its own (the sign-out revoked only the first tab's refresh token).
    assert.deepStrictEqual(await second.evaluate(() => window.tabsPage.getTokens()), two)
    assert.strictEqual(await state(second), "SignedIn")
    const third = await openTab("SessionStorage")
    assert.strictEqual(await state(third), "SignedOut")
    await Promise.all([first, second, third].map((tab) => tab.close()))
  }, 60_000)

  it("without BroadcastChannel, storage events carry sign-in, refresh and sign-out to the other tabs", async () => {
    const without = ["BroadcastChannel"] as const
    const [a, b] = [await openTab("LocalStorage", { clear: true, without }), await openTab("LocalStorage", { without })]
    for (const tab of [a, b])
      assert.deepStrictEqual(await tab.evaluate(() => window.tabsPage.features()), {
        broadcastChannel: false,
        webLocks: true
      })
    await signUp(a, "storage")
    assert.strictEqual(await signIn(a, "storage"), "SignedIn")
    await reach(b, "SignedIn")
    const first = await a.evaluate(() => window.tabsPage.getTokens())
    assert.deepStrictEqual(await b.evaluate(() => window.tabsPage.getTokens()), first)

    // A refreshes; B (whose tokens have not expired) adopts A's tokens from the store, with no request.
    await a.evaluate((ms) => window.tabsPage.setClockOffset(ms), twoHours)
    const refreshes = await requests("InitiateAuth")
    const refreshed = await a.evaluate(() => window.tabsPage.getTokens())
    assert.isTrue(refreshed.ok)
    assert.notDeepEqual(refreshed, first)
    assert.strictEqual(await requests("InitiateAuth"), refreshes + 1)
    await b.waitForFunction(
      async (expected) => JSON.stringify(await window.tabsPage.getTokens()) === expected,
      JSON.stringify(refreshed),
      { timeout: 5_000, polling: 10 }
    )
    assert.strictEqual(await requests("InitiateAuth"), refreshes + 1)

    await a.evaluate(() => window.tabsPage.signOut())
    await reach(b, "SignedOut")
    assert.deepStrictEqual(await b.evaluate(() => window.tabsPage.getTokens()), { ok: false, reason: "NotSignedIn" })
    await Promise.all([a, b].map((tab) => tab.close()))
  }, 60_000)

  it("without Web Locks, a tab refreshes once for all its concurrent callers and the other tabs follow", async () => {
    const without = ["WebLocks"] as const
    const [a, b] = [await openTab("LocalStorage", { clear: true, without }), await openTab("LocalStorage", { without })]
    for (const tab of [a, b])
      assert.deepStrictEqual(await tab.evaluate(() => window.tabsPage.features()), {
        broadcastChannel: true,
        webLocks: false
      })
    await signUp(a, "nolocks")
    assert.strictEqual(await signIn(a, "nolocks"), "SignedIn")
    await reach(b, "SignedIn")
    const before = await a.evaluate(() => window.tabsPage.getTokens())

    await a.evaluate((ms) => window.tabsPage.setClockOffset(ms), twoHours)
    const [all, refreshes] = [await requests(), await requests("InitiateAuth")]
    const outcomes = await a.evaluate(() => window.tabsPage.getTokensConcurrently(10))
    assert.strictEqual(outcomes.length, 10)
    assert.strictEqual((await requests("InitiateAuth")) - refreshes, 1, "refresh requests")
    assert.strictEqual((await requests()) - all, 1, "requests of any kind")
    assert.strictEqual(new Set(outcomes.map((o) => JSON.stringify(o))).size, 1, "every caller has the same tokens")
    assert.isTrue(outcomes[0]!.ok)
    assert.notDeepEqual(outcomes[0], before)

    // The other tab follows the refresh (BroadcastChannel is still there) with no request of its own.
    await b.waitForFunction(
      async (expected) => JSON.stringify(await window.tabsPage.getTokens()) === expected,
      JSON.stringify(outcomes[0]),
      { timeout: 5_000, polling: 10 }
    )
    assert.strictEqual((await requests()) - all, 1)
    await Promise.all([a, b].map((tab) => tab.close()))
  }, 60_000)

  it("signs up, confirms and signs in by SRP with SMS MFA in the page, over HTTP", async () => {
    const page = await openTab("LocalStorage", { clear: true })
    await signUp(page, "mfa", { phone_number: "+15555550123" })
    await run(pool.adminSetUserMfa("mfa", { sms: true }))
    const count = { initiate: await requests("InitiateAuth"), respond: await requests("RespondToAuthChallenge") }
    assert.strictEqual(await signIn(page, "mfa"), "SmsMfa")
    const code = await codeFor("mfa")
    assert.strictEqual(await page.evaluate((c) => window.tabsPage.confirmSignIn(c), code), "SignedIn")
    assert.strictEqual(await requests("InitiateAuth"), count.initiate + 1)
    assert.strictEqual(await requests("RespondToAuthChallenge"), count.respond + 2)
    assert.strictEqual(await state(page), "SignedIn")
    const tokens = await page.evaluate(() => window.tabsPage.getTokens())
    assert.isTrue(tokens.ok)
    await page.close()
  }, 60_000)
})

/** Polls a condition on this side (the server's request log) until it holds. */
/** Polls `condition` until it holds; fails after `timeoutMs` (a bound for a loaded machine, not a speed check). */
const expectEventually = async (condition: () => Promise<boolean>, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await condition()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  assert.fail(`the condition did not hold within ${timeoutMs} ms`)
}
