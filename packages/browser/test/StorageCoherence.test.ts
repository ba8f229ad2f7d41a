/**
 * `BrowserSessionSync`'s coherence step in Chromium: after a lock holder changed the stored
 * session, the next holder waits until this tab's `localStorage` shows that change (the
 * cause of a second refresh across tabs when it did not).
 */
import type { Page } from "playwright-core"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { bundle, type Chromium, launch, pageEntry, type Server, serve } from "./harness.js"

let chromium: Chromium
let server: Server
let page: Page

beforeAll(async () => {
  server = await serve(await bundle({ coherence: pageEntry("coherence") }))
  chromium = await launch()
  page = await chromium.context.newPage()
  await page.goto(`${server.origin}/coherence.html`)
}, 30_000)

afterAll(async () => {
  await chromium?.close()
  await server?.close()
})

describe("localStorage coherence under the Web Lock", () => {
  it("the next holder runs only once this tab's copy shows the last holder's write", async () => {
    const outcome = (await page.evaluate(() =>
      (Reflect.get(window, "coherencePage") as { waitsForTheLastWrite: () => Promise<unknown> }).waitsForTheLastWrite()
    )) as { beforeTheWrite: ReadonlyArray<string | null>; afterTheWrite: ReadonlyArray<string | null> }
    assert.deepStrictEqual(outcome.beforeTheWrite, [], "it ran on the stale copy")
    assert.deepStrictEqual(outcome.afterTheWrite, ["new"])
  })
})
