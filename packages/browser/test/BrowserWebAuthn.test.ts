/**
 * `BrowserWebAuthn` in Chromium with a DevTools virtual authenticator (CTAP2, internal
 * transport, resident keys, user verification): the options Cognito would send, made here
 * by `@simplewebauthn/server`, go through the browser's `navigator.credentials`, and what
 * comes back verifies with that library (an independent reader of the JSON forms). The
 * browser's refusals come back as `AuthError` reasons.
 */
import * as BrowserWebAuthn from "@effect-cognito/browser/BrowserWebAuthn"
import * as WebAuthn from "@effect-cognito/core/WebAuthn"
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse
} from "@simplewebauthn/server"
import { assert, it as effectIt } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { CDPSession, Page } from "playwright-core"
import { afterAll, beforeAll, describe, it } from "vitest"
import { addVirtualAuthenticator, bundle, type Chromium, launch, pageEntry, type Server, serve } from "./harness.js"
import type { Outcome } from "./pages/webAuthn.js"

let chromium: Chromium
let server: Server
/** The page's origin as `localhost` (a relying party id cannot be an IP address). */
let origin: string

beforeAll(async () => {
  server = await serve(await bundle({ webAuthn: pageEntry("webAuthn") }))
  origin = server.origin.replace("127.0.0.1", "localhost")
  chromium = await launch()
}, 30_000)

afterAll(async () => {
  await chromium?.close()
  await server?.close()
})

interface Authenticated {
  readonly page: Page
  readonly cdp: CDPSession
  readonly authenticatorId: string
}

/** A fresh page with a virtual authenticator of its own. */
const withAuthenticator = async (): Promise<Authenticated> => {
  const page = await chromium.context.newPage()
  await page.goto(`${origin}/webAuthn.html`)
  const { cdp, authenticatorId } = await addVirtualAuthenticator(chromium.context, page)
  return { page, cdp, authenticatorId }
}

/** Registration options as Cognito's (`credProps` asked for), made by `@simplewebauthn/server`. */
const creationOptions = async (excludeCredentials: Array<{ id: string }> = []) =>
  Schema.decodeUnknownSync(WebAuthn.CredentialCreationOptionsJson)(
    await generateRegistrationOptions({
      rpName: "effect-cognito",
      rpID: "localhost",
      userName: "alice",
      userID: new TextEncoder().encode("a1b2c3d4-user-handle"),
      attestationType: "none",
      // Cognito's algorithms: ES256 and RS256.
      supportedAlgorithmIDs: [-7, -257],
      excludeCredentials,
      authenticatorSelection: { residentKey: "required", userVerification: "required" }
    })
  )

const create = (page: Page, options: WebAuthn.CredentialCreationOptionsJson) =>
  page.evaluate((o) => window.webAuthnPage.create(o), options)

const get = (page: Page, options: WebAuthn.CredentialRequestOptionsJson) =>
  page.evaluate((o) => window.webAuthnPage.get(o), options)

const ok = <A>(outcome: Outcome<A>): A => {
  if (outcome._tag === "Failed") assert.fail(`${outcome.reason}: ${outcome.description} (${outcome.cause})`)
  return outcome.value
}

/** A passkey registered in the page's authenticator, verified by the server library. */
const register = async (page: Page) => {
  const options = await creationOptions()
  const response = ok(await create(page, options))
  const verified = await verifyRegistrationResponse({
    response: {
      ...response,
      response: { ...response.response, transports: [...(response.response.transports ?? [])] }
    } as Parameters<typeof verifyRegistrationResponse>[0]["response"],
    expectedChallenge: options.challenge,
    expectedOrigin: origin,
    expectedRPID: "localhost",
    requireUserVerification: true
  })
  return { options, response, verified }
}

describe("BrowserWebAuthn in Chromium with a virtual authenticator", () => {
  it("registers a passkey and signs a challenge with it; both answers verify with @simplewebauthn/server", async () => {
    const { page } = await withAuthenticator()
    const { response, verified } = await register(page)
    assert.isTrue(verified.verified)
    assert.strictEqual(response.type, "public-key")
    assert.strictEqual(response.id, response.rawId)
    assert.strictEqual(verified.registrationInfo?.credential.id, response.id)
    assert.include(response.response.transports ?? [], "internal")
    assert.strictEqual(response.response.publicKeyAlgorithm, -7)
    // Cognito asks whether the passkey is discoverable (credProps): a resident key is.
    assert.deepStrictEqual(response.clientExtensionResults, { credProps: { rk: true } })
    // What Cognito's CompleteWebAuthnRegistration receives decodes with core's schema.
    Schema.decodeUnknownSync(WebAuthn.RegistrationResponseJson)(response)

    const credential = verified.registrationInfo!.credential
    const request = Schema.decodeUnknownSync(WebAuthn.CredentialRequestOptionsJson)(
      await generateAuthenticationOptions({ rpID: "localhost", userVerification: "required" })
    )
    const assertion = ok(await get(page, request))
    Schema.decodeUnknownSync(WebAuthn.AuthenticationResponseJson)(assertion)
    assert.strictEqual(assertion.id, response.id)
    // The resident key gives back the user handle it was created with.
    assert.strictEqual(
      assertion.response.userHandle,
      WebAuthn.toBase64Url(new TextEncoder().encode("a1b2c3d4-user-handle"))
    )
    const authenticated = await verifyAuthenticationResponse({
      response: assertion as Parameters<typeof verifyAuthenticationResponse>[0]["response"],
      expectedChallenge: request.challenge,
      expectedOrigin: origin,
      expectedRPID: "localhost",
      credential,
      requireUserVerification: true
    })
    assert.isTrue(authenticated.verified)
    assert.isAbove(authenticated.authenticationInfo.newCounter, credential.counter)
    await page.close()
  }, 30_000)

  it("fails with WebAuthnCredentialExists when excludeCredentials names a passkey the authenticator holds", async () => {
    const { page } = await withAuthenticator()
    const { response } = await register(page)
    const again = await create(page, await creationOptions([{ id: response.id }]))
    assert.deepInclude(again, { _tag: "Failed", reason: "WebAuthnCredentialExists", cause: "InvalidStateError" })
    await page.close()
  }, 30_000)

  it("fails with WebAuthnRelyingPartyMismatch for a relying party id the page's origin cannot claim", async () => {
    const { page } = await withAuthenticator()
    const options = await creationOptions()
    const refused = await create(page, { ...options, rp: { ...options.rp, id: "example.com" } })
    assert.deepInclude(refused, { _tag: "Failed", reason: "WebAuthnRelyingPartyMismatch", cause: "SecurityError" })
    const request = Schema.decodeUnknownSync(WebAuthn.CredentialRequestOptionsJson)(
      await generateAuthenticationOptions({ rpID: "example.com" })
    )
    assert.deepInclude(await get(page, request), {
      _tag: "Failed",
      reason: "WebAuthnRelyingPartyMismatch",
      cause: "SecurityError"
    })
    await page.close()
  }, 30_000)

  it("fails with WebAuthnCancelled when the user is not verified and verification is required (NotAllowedError)", async () => {
    const { page, cdp, authenticatorId } = await withAuthenticator()
    await register(page)
    await cdp.send("WebAuthn.setUserVerified", { authenticatorId, isUserVerified: false })
    const request = Schema.decodeUnknownSync(WebAuthn.CredentialRequestOptionsJson)(
      await generateAuthenticationOptions({ rpID: "localhost", userVerification: "required" })
    )
    const refused = await get(page, request)
    assert.deepInclude(refused, { _tag: "Failed", reason: "WebAuthnCancelled", cause: "NotAllowedError" })
    await page.close()
  }, 30_000)

  it("interrupting a ceremony aborts the browser's (its AbortSignal)", async () => {
    const page = await chromium.context.newPage()
    await page.goto(`${origin}/webAuthn.html`)
    const cdp = await chromium.context.newCDPSession(page)
    // No authenticator: the ceremony waits for one until it is aborted.
    await cdp.send("WebAuthn.enable")
    const request = Schema.decodeUnknownSync(WebAuthn.CredentialRequestOptionsJson)(
      await generateAuthenticationOptions({ rpID: "localhost" })
    )
    await page.evaluate((o) => window.webAuthnPage.startGet(o), request)
    assert.strictEqual(
      await page.evaluate(() => window.webAuthnPage.interruptGet()),
      "interrupted; signal aborted: true"
    )
    await page.close()
  }, 30_000)

  it("fails with InvalidResponse, before any ceremony, for a challenge that is not base64url", async () => {
    const { page } = await withAuthenticator()
    const options = await creationOptions()
    const refused = await create(page, { ...options, challenge: "not base64url!" })
    assert.deepInclude(refused, {
      _tag: "Failed",
      reason: "InvalidResponse",
      description: "challenge is not base64url"
    })
    await page.close()
  }, 30_000)
})

describe("BrowserWebAuthn without a browser", () => {
  effectIt.effect("fails with WebAuthnUnavailable where there is no credentials API", () =>
    Effect.gen(function* () {
      const service = BrowserWebAuthn.make({ credentials: () => undefined })
      const options = yield* Effect.promise(() => creationOptions())
      const error = yield* Effect.flip(service.create(options))
      assert.strictEqual(error.reason, "WebAuthnUnavailable")
      assert.strictEqual(error.method, "WebAuthn.create")
    })
  )
})
