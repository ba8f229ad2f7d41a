import { TokenStoreCases } from "@effect-cognito/test-kit"
import type { Page } from "playwright-core"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { bundle, type Chromium, launch, pageEntry, type Server, serve } from "./harness.js"
import type { StoreKind } from "./pages/api.js"

let chromium: Chromium
let server: Server
let page: Page

beforeAll(async () => {
  server = await serve(await bundle({ stores: pageEntry("stores") }))
  chromium = await launch()
  page = await chromium.context.newPage()
  await page.goto(`${server.origin}/stores.html`)
}, 30_000)

afterAll(async () => {
  await chromium?.close()
  await server?.close()
})

describe("TokenStore conformance inside Chromium", () => {
  it("the page runs the very cases of the Vitest suite", async () => {
    const names = await page.evaluate(() => window.storesPage.caseNames)
    assert.deepStrictEqual(
      names,
      TokenStoreCases.cases.map((c) => c.name)
    )
    assert.isAtLeast(names.length, 9)
  })

  for (const kind of [
    "localStorage",
    "sessionStorage",
    "indexedDB",
    "memory"
  ] as const satisfies ReadonlyArray<StoreKind>)
    it(`${kind}: every case passes`, async () => {
      const outcomes = await page.evaluate((k) => window.storesPage.runCases(k), kind)
      assert.strictEqual(outcomes.length, TokenStoreCases.cases.length)
      const failed = outcomes.filter((o) => !o.ok)
      assert.deepStrictEqual(failed, [], failed.map((o) => `${o.name}: ${o.message}`).join("\n"))
    })
})

describe("browser store failures are Storage errors", () => {
  for (const kind of ["localStorage", "sessionStorage"] as const)
    it(`${kind}: a session over the quota fails with Storage (QuotaExceededError)`, async () => {
      const failure = await page.evaluate((k) => window.storesPage.overQuota(k), kind)
      assert.deepStrictEqual([failure.tag, failure.reason], ["AuthError", "Storage"])
      assert.include(failure.cause, "QuotaExceededError")
    })

  it("storage refused for an opaque origin fails with Storage (SecurityError), never a defect", async () => {
    const sandboxed = await chromium.context.newPage()
    try {
      await sandboxed.goto(`${server.origin}/sandboxed/stores.html`)
      for (const kind of ["localStorage", "sessionStorage", "indexedDB"] as const) {
        const failure = await sandboxed.evaluate((k) => window.storesPage.loadRefused(k), kind)
        assert.deepStrictEqual([failure.tag, failure.reason], ["AuthError", "Storage"], `${kind}: ${failure.cause}`)
        assert.include(failure.cause, "SecurityError", kind)
      }
    } finally {
      await sandboxed.close()
    }
  })

  it("IndexedDB: an open blocked by another connection fails with Storage", async () => {
    const failure = await page.evaluate(() => window.storesPage.indexedDbBlocked())
    assert.deepStrictEqual([failure.tag, failure.reason], ["AuthError", "Storage"])
    assert.include(failure.cause, "blocked")
  })

  it("IndexedDB: a database of a newer version fails with Storage (VersionError)", async () => {
    const failure = await page.evaluate(() => window.storesPage.indexedDbNewer())
    assert.deepStrictEqual([failure.tag, failure.reason], ["AuthError", "Storage"])
    assert.include(failure.cause, "VersionError")
  })

  it("IndexedDB: the store closes its connection when a newer version opens, so it never blocks it", async () => {
    const outcome = await page.evaluate(() => window.storesPage.indexedDbYields())
    assert.isTrue(outcome.upgraded)
    assert.include(outcome.loadedAfter, "Storage VersionError")
  })
})
