/**
 * The demo page's sign-in through the Cognito domain, clicked through in Chromium against
 * the local Cognito: the hosted login page and back, signed in (with a screenshot); the
 * "Continue with <provider>" button through the external provider's own page, signed in
 * as the federated user; and the callbacks that must not sign anyone in (a wrong `state`,
 * `error=access_denied`, a code used already), each a clear error and no session.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { chromiumArgs, executablePath } from "../../packages/browser/test/harness.js"
import { type Demo, start } from "./server.js"

const password = "Hosted-Pa55word!"

let demo: Demo
let browser: Browser
let shots: string

beforeAll(async () => {
  demo = await start()
  await demo.addUser("hana", password)
  await demo.addProviderUser("pat", "Provider-Pa55word!", { email: "pat@example.org" })
  browser = await chromium.launch({ executablePath, headless: true, args: chromiumArgs })
  shots = await mkdtemp(join(tmpdir(), "effect-cognito-hosted-"))
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await demo?.close()
  if (shots !== undefined) await rm(shots, { recursive: true, force: true })
})

/** A fresh profile (its own storage and cookies) with the demo page open and signed out. */
const fresh = async (): Promise<{ readonly context: BrowserContext; readonly page: Page }> => {
  const context = await browser.newContext({ viewport: { width: 900, height: 860 } })
  context.setDefaultTimeout(20_000)
  const page = await context.newPage()
  await page.goto(demo.url)
  await page.waitForSelector("body[data-state=SignedOut]")
  return { context, page }
}

/** The session the page's store holds (localStorage), or null. */
const storedSession = (page: Page) => page.evaluate((key) => localStorage.getItem(key), demo.sessionKey)

/** Signs in on the domain's login page (the tab is there). */
const loginPage = async (page: Page, username: string, secret: string) => {
  await page.waitForSelector("#signInFormUsername")
  assert.isTrue(page.url().startsWith(`${demo.domain}/`), page.url())
  await page.fill("#signInFormUsername", username)
  await page.fill("#signInFormPassword", secret)
  await page.click("button[name=signInSubmitButton]")
}

/** The page came back from the domain and failed with `reason`: said so, and nobody is signed in. */
const failedWith = async (page: Page, reason: string) => {
  await page.waitForSelector(`body[data-redirect="failed:${reason}"]`)
  await page.waitForSelector("body[data-state=SignedOut]")
  assert.include(await page.textContent("#message"), "sign-in through the domain failed")
  assert.include(await page.getAttribute("#message", "class"), "failed")
  assert.isNull(await storedSession(page))
  assert.strictEqual(await page.textContent("#user"), "—")
  // The callback's parameters are gone from the address bar.
  assert.strictEqual(new URL(page.url()).search, "")
}

describe("the browser demo, through the Cognito domain", { timeout: 60_000 }, () => {
  it("hosted sign-in: to the login page, back, signed in; the screenshot is a PNG; signing out of the domain too", async () => {
    const { context, page } = await fresh()
    await page.click("#hosted-sign-in")
    await loginPage(page, "hana", password)

    await page.waitForSelector("body[data-redirect=signed-in]")
    await page.waitForSelector("body[data-state=SignedIn]")
    assert.strictEqual(await page.textContent("#user"), "hana")
    assert.include(await page.textContent("#message"), "signed in through the domain (hosted sign-in)")
    assert.include(await page.textContent("#tokens"), "sub ")
    assert.strictEqual(page.url(), demo.url, "the code and state are cleaned from the address bar")
    assert.isNotNull(await storedSession(page))

    const path = join(shots, "hosted-signed-in.png")
    await page.screenshot({ path, fullPage: true })
    const png = await readFile(path)
    assert.deepStrictEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    assert.isAbove(png.length, 10_000)

    // Another tab of the profile follows, as after any sign-in.
    const other = await context.newPage()
    await other.goto(demo.url)
    await other.waitForSelector("body[data-state=SignedIn]")
    assert.strictEqual(await other.textContent("#user"), "hana")

    // Signing out of the domain too: back here signed out, and the next hosted sign-in asks again.
    await Promise.all([
      page.waitForRequest((request) => request.url().startsWith(`${demo.domain}/logout?`)),
      page.click("#hosted-sign-out")
    ])
    await page.waitForLoadState()
    await page.waitForSelector("body[data-state=SignedOut]")
    assert.strictEqual(page.url(), demo.url)
    await other.waitForSelector("body[data-state=SignedOut]")
    await page.click("#hosted-sign-in")
    await page.waitForSelector("#signInFormUsername")
    await context.close()
  })

  it("Continue with the provider: through its own page, signed in as the federated user", async () => {
    const { context, page } = await fresh()
    assert.strictEqual(await page.textContent("#provider-sign-in"), `Continue with ${demo.providerName}`)
    await page.click("#provider-sign-in")
    await page.waitForURL((url) => url.href.startsWith(demo.providerIssuer))
    await page.fill("#username", "pat")
    await page.fill("#password", "Provider-Pa55word!")
    await page.click("button[value=signIn]")

    await page.waitForSelector("body[data-redirect=signed-in]")
    await page.waitForSelector("body[data-state=SignedIn]")
    assert.include(await page.textContent("#message"), `continued with ${demo.providerName}`)
    const username = (await page.textContent("#user")) ?? ""
    assert.match(username, new RegExp(`^${demo.providerName}_`))
    const claims = await page.evaluate((key) => {
      const stored = JSON.parse(localStorage.getItem(key) ?? "{}") as { tokens?: { idToken?: string } }
      const idToken = JSON.stringify(stored).match(/eyJ[\w-]+\.([\w-]+)\.[\w-]+/g) ?? []
      return idToken.map((jwt) => JSON.parse(atob(jwt.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))))
    }, demo.sessionKey)
    const id = claims.find((c: { token_use?: string }) => c.token_use === "id") as
      | { identities?: ReadonlyArray<{ providerName?: string; userId?: string }>; email?: string }
      | undefined
    assert.isDefined(id)
    assert.strictEqual(id!.identities?.[0]?.providerName, demo.providerName)
    assert.strictEqual(id!.email, "pat@example.org")
    await context.close()
  })

  it("a callback with a wrong state fails with StateMismatch, no session", async () => {
    const { context, page } = await fresh()
    await page.click("#hosted-sign-in")
    await page.waitForSelector("#signInFormUsername")
    // Not the domain's answer to this tab's sign-in: a state it never sent.
    await page.goto(`${demo.url}?code=forged-code&state=not-the-state`)
    await failedWith(page, "StateMismatch")
    await context.close()
  })

  it("error=access_denied (the provider's Cancel) fails with AccessDenied, no session", async () => {
    const { context, page } = await fresh()
    await page.click("#provider-sign-in")
    await page.waitForURL((url) => url.href.startsWith(demo.providerIssuer))
    await page.click("button[value=cancel]")
    await failedWith(page, "AccessDenied")
    await context.close()
  })

  it("a code used already fails with InvalidGrant, no session", async () => {
    const { context, page } = await fresh()
    // Before the page's own script runs on the way back, keep a copy of the pending authorization.
    await context.addInitScript(() => {
      for (const key of Object.keys(sessionStorage))
        if (key.endsWith(".redirect")) localStorage.setItem("test.pending", `${key}\n${sessionStorage.getItem(key)}`)
    })
    let callback: string | undefined
    page.on("request", (request) => {
      if (request.isNavigationRequest() && request.url().includes("code=")) callback = request.url()
    })
    await page.click("#hosted-sign-in")
    await loginPage(page, "hana", password)
    await page.waitForSelector("body[data-state=SignedIn]")
    assert.isDefined(callback)

    await page.click("#sign-out")
    await page.waitForSelector("body[data-state=SignedOut]")
    // The same callback again, with its pending authorization back in place: the code is spent.
    await page.evaluate(() => {
      const [key, value] = (localStorage.getItem("test.pending") ?? "").split("\n")
      sessionStorage.setItem(key!, value!)
    })
    await page.goto(callback!)
    await failedWith(page, "InvalidGrant")
    await context.close()
  })
})
