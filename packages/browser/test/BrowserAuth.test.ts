import type { Page } from "playwright-core"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { bundle, type Chromium, type Handler, launch, pageEntry, type Server, serve } from "./harness.js"

interface WireRequest {
  readonly target: string | undefined
  readonly contentType: string | undefined
  readonly username: unknown
}

const wireRequests: Array<WireRequest> = []

/** A scripted user-pool endpoint on the page's own origin: the first SignUp succeeds, the next is refused. */
const cognitoEndpoint: Handler = (request, body, response) => {
  if (request.method !== "POST" || request.url !== "/cognito-idp/") return false
  const target = request.headers["x-amz-target"]
  const parsed = JSON.parse(body) as { Username?: unknown }
  wireRequests.push({
    target: Array.isArray(target) ? target.join(",") : target,
    contentType: request.headers["content-type"],
    username: parsed.Username
  })
  const json = { "content-type": "application/x-amz-json-1.1" }
  if (wireRequests.length === 1)
    response.writeHead(200, json).end(
      JSON.stringify({
        UserConfirmed: false,
        UserSub: "5f3a1c2e-0000-4000-8000-00000000b0b0",
        CodeDeliveryDetails: { DeliveryMedium: "EMAIL", Destination: "b***@e***", AttributeName: "email" }
      })
    )
  else
    response
      .writeHead(400, json)
      .end(JSON.stringify({ __type: "UsernameExistsException", message: "User already exists" }))
  return true
}

let chromium: Chromium
let server: Server

const open = async (): Promise<Page> => {
  const page = await chromium.context.newPage()
  await page.goto(`${server.origin}/flows.html`)
  return page
}

beforeAll(async () => {
  server = await serve(await bundle({ flows: pageEntry("flows") }), cognitoEndpoint)
  chromium = await launch()
}, 30_000)

afterAll(async () => {
  await chromium?.close()
  await server?.close()
})

describe("BrowserAuth in Chromium", () => {
  it("signs up, confirms, signs in by SRP with SMS MFA and gets tokens; a reload keeps the localStorage session", async () => {
    const page = await open()
    const signedIn = await page.evaluate(() => window.flowsPage.signUpAndSignIn("LocalStorage"))
    assert.deepStrictEqual(signedIn.steps, [
      "signUp:Unconfirmed",
      "confirmSignUp:Confirmed",
      "signIn:SmsMfa",
      "confirmSignIn:SignedIn",
      "requests:InitiateAuth,RespondToAuthChallenge,RespondToAuthChallenge"
    ])
    assert.strictEqual(signedIn.username, "alice")
    assert.deepStrictEqual(signedIn.storedKeys, ["effect-cognito.us-east-1_Browser1.browserclient.session"])

    await page.reload()
    // A fresh Auth over a fresh, empty in-page pool: only the browser's storage carried the session.
    const restored = await page.evaluate(() => window.flowsPage.restore("LocalStorage"))
    assert.deepStrictEqual(restored, {
      isSignedIn: true,
      username: "alice",
      accessToken: signedIn.accessToken,
      requests: 0
    })

    // Another tab of the origin shares localStorage.
    const other = await open()
    assert.isTrue((await other.evaluate(() => window.flowsPage.restore("LocalStorage"))).isSignedIn)
    await other.close()
    await page.close()
  })

  it("sessionStorage: the tab keeps its session across a reload, other tabs do not share it", async () => {
    const page = await open()
    const signedIn = await page.evaluate(() => window.flowsPage.signUpAndSignIn("SessionStorage"))
    assert.strictEqual(signedIn.steps.at(-2), "confirmSignIn:SignedIn")

    const other = await open()
    const elsewhere = await other.evaluate(() => window.flowsPage.restore("SessionStorage"))
    assert.deepStrictEqual(elsewhere, { isSignedIn: false, username: null, accessToken: null, requests: 0 })

    await page.reload()
    const restored = await page.evaluate(() => window.flowsPage.restore("SessionStorage"))
    assert.strictEqual(restored.isSignedIn, true)
    assert.strictEqual(restored.accessToken, signedIn.accessToken)
    await other.close()
    await page.close()
  })

  it("BrowserAuth.layer speaks Cognito's wire protocol over fetch and maps its errors", async () => {
    const page = await open()
    const outcome = await page.evaluate(() => window.flowsPage.wire())
    assert.strictEqual(outcome.userSub, "5f3a1c2e-0000-4000-8000-00000000b0b0")
    assert.strictEqual(outcome.state, "Unconfirmed")
    assert.deepStrictEqual([outcome.refused.tag, outcome.refused.reason], ["AuthError", "UsernameExists"])
    assert.deepStrictEqual(
      wireRequests.map((r) => [r.target, r.contentType, r.username]),
      [
        ["AWSCognitoIdentityProviderService.SignUp", "application/x-amz-json-1.1", "bob"],
        ["AWSCognitoIdentityProviderService.SignUp", "application/x-amz-json-1.1", "bob"]
      ]
    )
    await page.close()
  })
})
