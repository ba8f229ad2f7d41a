/**
 * Test page: the flows of `Auth` with the browser stores, in the page.
 *
 * Until the local Cognito HTTP server exists, the user pool is `TestCognito`, bundled into
 * this page, with the real client side around it: `Auth`, the browser token store, Web
 * Crypto randomness and the pure BigInt SRP. A reload starts a fresh, empty TestCognito:
 * only what the browser kept (the stored session) survives, which is what a reload test
 * must show. `wire` runs `BrowserAuth.layer` itself (fetch, the Cognito wire client) against
 * a scripted endpoint on the page's own loopback origin.
 */
import * as BrowserAuth from "@effect-cognito/browser/BrowserAuth"
import * as Auth from "@effect-cognito/core/Auth"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as TestCognito from "@effect-cognito/test-kit/TestCognito"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { FlowStore, FlowsPage } from "./api.js"

const pool = { region: "us-east-1", userPoolId: "us-east-1_Browser1", clientId: "browserclient" }
const password = Redacted.make("Abc@123!x")

/** `Auth` over the browser store, a fresh in-page TestCognito and Web Crypto randomness. */
const layer = (store: FlowStore) =>
  Layer.provideMerge(
    Auth.layer,
    Layer.mergeAll(BrowserAuth.layerStore({ _tag: store }), SecureRandom.layer).pipe(
      Layer.provideMerge(TestCognito.layerCognito(pool))
    )
  )

const storedKeys = (store: FlowStore) => {
  const storage = store === "LocalStorage" ? localStorage : sessionStorage
  return Array.from({ length: storage.length }, (_, i) => storage.key(i) ?? "")
}

const page: FlowsPage = {
  signUpAndSignIn: (store) =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const steps: Array<string> = []
      const signedUp = yield* auth.signUp({
        username: "alice",
        password,
        userAttributes: { email: "alice@example.com", phone_number: "+15555550100" }
      })
      steps.push(`signUp:${signedUp.confirmationState}`)
      const confirmed = yield* auth.confirmSignUp({
        username: "alice",
        confirmationCode: yield* cognito.lastCodeFor("alice")
      })
      steps.push(`confirmSignUp:${confirmed.confirmationState}`)
      yield* cognito.adminSetUserMfa("alice", { sms: true })
      const first = yield* auth.signIn({ username: "alice", password })
      steps.push(`signIn:${first._tag}`)
      const second = yield* auth.confirmSignIn({ challengeResponse: yield* cognito.lastCodeFor("alice") })
      steps.push(`confirmSignIn:${second._tag}`)
      const srp = (yield* cognito.requests).filter(
        (r) => r.action === "InitiateAuth" || r.action === "RespondToAuthChallenge"
      )
      steps.push(`requests:${srp.map((r) => r.action).join(",")}`)
      const tokens = yield* auth.getTokens()
      return {
        steps,
        username: Option.getOrNull(yield* auth.username),
        accessToken: Redacted.value(tokens.accessToken),
        storedKeys: storedKeys(store)
      }
    }).pipe(Effect.provide(layer(store)), Effect.runPromise),
  restore: (store) =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const isSignedIn = yield* auth.isSignedIn
      const accessToken = isSignedIn ? Redacted.value((yield* auth.getTokens()).accessToken) : null
      return {
        isSignedIn,
        username: Option.getOrNull(yield* auth.username),
        accessToken,
        requests: yield* cognito.requestCount()
      }
    }).pipe(Effect.provide(layer(store)), Effect.runPromise),
  wire: () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      const signedUp = yield* auth.signUp({
        username: "bob",
        password,
        userAttributes: { email: "bob@example.com" }
      })
      const refused = yield* Effect.flip(
        auth.signUp({ username: "bob", password, userAttributes: { email: "bob@example.com" } })
      )
      return {
        userSub: signedUp.userSub,
        state: signedUp.confirmationState,
        refused: { tag: refused._tag, reason: refused.reason, cause: refused.message }
      }
    }).pipe(
      Effect.provide(
        BrowserAuth.layer(
          { ...pool, endpoints: { identityProvider: `${location.origin}/cognito-idp/` } },
          { store: { _tag: "Memory" } }
        )
      ),
      Effect.runPromise
    )
}

Object.assign(window, { flowsPage: page })
