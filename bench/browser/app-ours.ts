/** Bench app: sign in with effect-cognito in a browser, then get the tokens. */
import * as BrowserAuth from "@effect-cognito/browser/BrowserAuth"
import * as Auth from "@effect-cognito/core/Auth"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

const program = Effect.gen(function* () {
  const auth = yield* Auth.Auth
  const result = yield* auth.signIn({ username: "alice", password: Redacted.make("Abc@123!x") })
  if (result._tag !== "SignedIn") return
  const tokens = yield* auth.getTokens()
  document.body.textContent = tokens.username
})

Effect.runFork(
  program.pipe(
    Effect.provide(BrowserAuth.layer({ region: "eu-west-1", userPoolId: "eu-west-1_AbCdEf123", clientId: "client" }))
  )
)
