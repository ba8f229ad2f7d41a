/**
 * A consumer's plain Node ESM script (no TypeScript loader) over the installed tarballs:
 * sign up, confirm, sign in and read tokens on TestCognito, let TestClock carry the
 * session into the refresh window, and check what must not load. Prints one JSON line.
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as Core from "@effect-cognito/core"
import { NodeAuth, NodeTokenStore } from "@effect-cognito/node"
import { TestCognito } from "@effect-cognito/test-kit"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"

const program = Effect.gen(function* () {
  const auth = yield* Auth.Auth
  const cognito = yield* TestCognito.TestCognito
  const password = Redacted.make("Abc@123!x")
  const signUp = yield* auth.signUp({ username: "alice", password, userAttributes: { email: "alice@example.com" } })
  yield* auth.confirmSignUp({ username: "alice", confirmationCode: yield* cognito.lastCodeFor("alice") })
  const signIn = yield* auth.signIn({ username: "alice", password })
  const tokens = yield* auth.getTokens()
  yield* TestClock.adjust("56 minutes")
  // Inside the refresh window: the cached tokens at once and one background refresh,
  // which forceRefresh joins rather than starting another.
  yield* auth.getTokens()
  const refreshed = yield* auth.getTokens({ forceRefresh: true })
  return {
    confirmationState: signUp.confirmationState,
    signIn: signIn._tag,
    isSignedIn: yield* auth.isSignedIn,
    username: tokens.username,
    lifetimeSeconds: (tokens.expiresAt.getTime() - tokens.issuedAt.getTime()) / 1000,
    accessTokenParts: Redacted.value(tokens.accessToken).split(".").length,
    accessTokenJson: JSON.stringify(tokens.accessToken),
    refreshedAfterSeconds: (refreshed.issuedAt.getTime() - tokens.issuedAt.getTime()) / 1000
  }
})

/** How importing a specifier ends: "loaded", or the error code. */
const load = (specifier) =>
  import(specifier).then(
    () => "loaded",
    (error) => error.code ?? String(error)
  )

const flows = await program.pipe(
  Effect.provide(TestCognito.layer()),
  Effect.provide(TestClock.layer()),
  Effect.runPromise
)

console.log(
  JSON.stringify({
    ...flows,
    coreNamespaces: Object.keys(Core).sort(),
    nodeAuthLayer: typeof NodeAuth.layer,
    nodeTokenStoreLayer: typeof NodeTokenStore.layerFileSystem,
    internal: await load("@effect-cognito/core/internal/auth"),
    internalFile: await load("@effect-cognito/core/dist/internal/auth.js"),
    tokenStoreSuiteWithoutVitest: await load("@effect-cognito/test-kit/TokenStoreSuite")
  })
)
