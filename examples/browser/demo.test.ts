/**
 * The demo page, clicked through in Chromium: sign-up, confirmation, sign-in with SMS MFA,
 * tokens, then a screenshot; and password-less: sign-up without a password, the sign-in
 * that follows confirmation, a passkey registered in a DevTools virtual authenticator
 * (CTAP2, internal, resident key, user verification), sign-out and sign-in with the passkey
 * and no password, the passkey listed then deleted (and refused after), an email code.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Page } from "playwright-core"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { addVirtualAuthenticator, type Chromium, launch } from "../../packages/browser/test/harness.js"
import { type Demo, start } from "./server.js"

const codes = new Map<string, string>()
/** The last code delivered to each user, whatever it was for. */
const lastCode = new Map<string, string>()
let demo: Demo
let chromium: Chromium
let shots: string

beforeAll(async () => {
  demo = await start({
    onCode: (username, purpose, code) => {
      codes.set(`${username}:${purpose}`, code)
      lastCode.set(username, code)
    }
  })
  chromium = await launch()
  shots = await mkdtemp(join(tmpdir(), "effect-cognito-demo-"))
}, 60_000)

afterAll(async () => {
  await chromium?.close()
  await demo?.close()
  if (shots !== undefined) await rm(shots, { recursive: true, force: true })
})

/** Waits until the page's message line says `text`, or says that the action failed (the test fails with it). */
const message = (page: Page) => async (text: string) => {
  const said = await page.waitForFunction((t) => {
    const line = document.getElementById("message")
    const shown = line?.textContent ?? ""
    return shown.includes(t) || line?.className === "failed" ? shown : false
  }, text)
  assert.include(String(await said.jsonValue()), text)
}

describe("the browser demo", () => {
  it("signs up, confirms, signs in with SMS MFA and shows the tokens; the screenshot is a PNG", async () => {
    const page = await chromium.context.newPage()
    await page.setViewportSize({ width: 900, height: 760 })
    await page.goto(demo.url)
    await page.waitForSelector("body[data-state=SignedOut]")
    const say = message(page)

    await page.click("#sign-up")
    await say("signed up: Unconfirmed")
    await page.fill("#code", codes.get("alice:SignUp") ?? "")
    await page.click("#confirm")
    await say("confirmed: Confirmed")
    await page.click("#sign-in")
    await say("next step: SmsMfa")
    await page.fill("#mfa", codes.get("alice:Mfa") ?? "")
    await page.click("#confirm-sign-in")
    await say("confirm sign-in: SignedIn")
    await page.waitForSelector("body[data-state=SignedIn]")
    assert.include(await page.textContent("#tokens"), "sub ")
    assert.strictEqual(await page.textContent("#user"), "alice")

    const path = join(shots, "demo-signed-in.png")
    await page.screenshot({ path, fullPage: true })
    const png = await readFile(path)
    assert.deepStrictEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    assert.isAbove(png.length, 10_000)
    await page.close()
  }, 60_000)

  it("signs up without a password, registers a passkey, signs out and back in with it and no password; a deleted passkey no longer signs in; an email code does", async () => {
    const page = await chromium.context.newPage()
    const { cdp, authenticatorId } = await addVirtualAuthenticator(chromium.context, page)
    const passkeysInAuthenticator = async () =>
      (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials
    assert.match(demo.url, /^http:\/\/localhost:\d+\/$/, "a relying party id cannot be an IP address")
    await page.goto(demo.url)
    const say = message(page)
    // The origin's session is shared with the other test's page: start signed out.
    await page.waitForSelector("body[data-state]")
    if ((await page.getAttribute("body", "data-state")) !== "SignedOut") {
      await page.click("#sign-out")
      await page.waitForSelector("body[data-state=SignedOut]")
    }

    await page.fill("#username", "dave")
    await page.fill("#password", "")
    await page.fill("#email", "dave@example.com")
    await page.fill("#phone", "")
    await page.click("#sign-up")
    await say("signed up: Unconfirmed")
    await page.fill("#code", codes.get("dave:SignUp") ?? "")
    await page.click("#confirm")
    await say("confirmed: Confirmed; sign in now, no second code")
    await page.click("#auto-sign-in")
    await say("auto sign-in: signed in")
    await page.waitForSelector("body[data-state=SignedIn]")

    await page.click("#register-passkey")
    await say("passkey registered; passkeys: 1")
    assert.strictEqual(await page.locator("#passkeys li").count(), 1)
    assert.include(await page.textContent("#passkeys li"), "localhost")
    const [registered] = await passkeysInAuthenticator()
    assert.strictEqual(registered?.rpId, "localhost")
    assert.isTrue(registered?.isResidentCredential)

    await page.click("#sign-out")
    await say("signed out")
    await page.waitForSelector("body[data-state=SignedOut]")
    assert.strictEqual(await page.inputValue("#password"), "", "no password anywhere on the page")
    await page.click("#sign-in-passkey")
    await say("passkey sign-in: signed in")
    await page.waitForSelector("body[data-state=SignedIn]")
    assert.strictEqual(await page.textContent("#user"), "dave")
    const [used] = await passkeysInAuthenticator()
    assert.isAbove(used?.signCount ?? 0, registered?.signCount ?? 0, "the authenticator signed the sign-in")

    await page.click("#list-passkeys")
    await say("passkeys: 1")
    await page.click("#passkeys li button")
    await say("passkey deleted; passkeys: 0")
    await page.click("#sign-out")
    await say("signed out")
    // The authenticator still holds the passkey, but Cognito no longer offers it.
    assert.strictEqual((await passkeysInAuthenticator()).length, 1)
    await page.click("#sign-in-passkey")
    const refused = await page.waitForFunction(() => {
      const text = document.getElementById("message")?.textContent ?? ""
      return text.startsWith("passkey sign-in") || document.getElementById("message")?.className === "failed"
        ? text
        : false
    })
    assert.strictEqual(String(await refused.jsonValue()), "passkey sign-in: next step: SelectChallenge (EMAIL_OTP)")
    // Chosen all the same, the passkey is refused: Cognito did not offer it.
    await page.fill("#mfa", "WEB_AUTHN")
    await page.click("#confirm-sign-in")
    const answered = await page.waitForFunction(() => {
      const line = document.getElementById("message")
      return line?.className === "failed" || line?.textContent?.startsWith("confirm sign-in") ? line.textContent : false
    })
    assert.include(String(await answered.jsonValue()), "(InvalidInput): WEB_AUTHN is not available")
    assert.strictEqual(await page.getAttribute("body", "data-state"), "SignedOut")

    await page.click("#sign-in-email")
    await say("next step: EmailOtp")
    await page.fill("#mfa", lastCode.get("dave") ?? "")
    await page.click("#confirm-sign-in")
    await say("confirm sign-in: SignedIn")
    await page.waitForSelector("body[data-state=SignedIn]")
    await page.close()
  }, 60_000)
})
