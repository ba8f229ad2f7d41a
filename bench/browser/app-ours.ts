/**
 * Bench app: with effect-cognito in a browser, sign in, get the tokens, get the identity
 * pool's AWS credentials and make one SigV4-signed request.
 */
import * as BrowserAuth from "@effect-cognito/browser/BrowserAuth"
import * as Auth from "@effect-cognito/core/Auth"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

const program = Effect.gen(function* () {
  const auth = yield* Auth.Auth
  const result = yield* auth.signIn({ username: "alice", password: Redacted.make("Abc@123!x") })
  if (result._tag !== "SignedIn") return
  const tokens = yield* auth.getTokens()
  const credentials = yield* auth.getAWSCredentials()
  const client = auth.signedHttpClient({ service: "execute-api", region: "eu-west-1" })(yield* HttpClient.HttpClient)
  const response = yield* client.get("https://abc123.execute-api.eu-west-1.amazonaws.com/prod/items")
  document.body.textContent = `${tokens.username} ${credentials.accessKeyId} ${response.status}`
})

Effect.runFork(
  program.pipe(
    Effect.scoped,
    Effect.provide(
      BrowserAuth.layer({
        region: "eu-west-1",
        userPoolId: "eu-west-1_AbCdEf123",
        clientId: "client",
        identityPoolId: "eu-west-1:7c9e6679-7425-40de-944b-e07fc1f90ae7"
      })
    ),
    Effect.provide(FetchHttpClient.layer)
  )
)
