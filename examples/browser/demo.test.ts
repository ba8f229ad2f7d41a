/** The demo page, clicked through in Chromium: sign-up, confirmation, sign-in with SMS MFA, tokens; then a screenshot. */
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { type Chromium, launch } from "../../packages/browser/test/harness.js"
import { type Demo, start } from "./server.js"

const codes = new Map<string, string>()
let demo: Demo
let chromium: Chromium
let shots: string

beforeAll(async () => {
  demo = await start({ onCode: (username, purpose, code) => codes.set(`${username}:${purpose}`, code) })
  chromium = await launch()
  shots = await mkdtemp(join(tmpdir(), "effect-cognito-demo-"))
}, 60_000)

afterAll(async () => {
  await chromium?.close()
  await demo?.close()
  if (shots !== undefined) await rm(shots, { recursive: true, force: true })
})

describe("the browser demo", () => {
  it("signs up, confirms, signs in with SMS MFA and shows the tokens; the screenshot is a PNG", async () => {
    const page = await chromium.context.newPage()
    await page.setViewportSize({ width: 900, height: 760 })
    await page.goto(demo.url)
    await page.waitForSelector("body[data-state=SignedOut]")
    const message = (text: string) =>
      page.waitForFunction((t) => document.getElementById("message")?.textContent?.includes(t) === true, text)

    await page.click("#sign-up")
    await message("signed up: Unconfirmed")
    await page.fill("#code", codes.get("alice:SignUp") ?? "")
    await page.click("#confirm")
    await message("confirmed: Confirmed")
    await page.click("#sign-in")
    await message("next step: SmsMfa")
    await page.fill("#mfa", codes.get("alice:Mfa") ?? "")
    await page.click("#confirm-sign-in")
    await message("confirm sign-in: SignedIn")
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
})
