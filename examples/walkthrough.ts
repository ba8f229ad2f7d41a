/**
 * The main job: a walkthrough of every flow against the embedded, in-memory Cognito
 * (`TestCognito`), printing what a user of the app would see.
 *
 *   npm start
 */
import * as Auth from "@effect-cognito/core/Auth"
import { SigV4Verifier, TestCognito } from "@effect-cognito/test-kit"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

const step = (title: string) => Console.log(`\n== ${title}`)

export const program = Effect.gen(function* () {
  const auth = yield* Auth.Auth
  const cognito = yield* TestCognito.TestCognito
  const password = Redacted.make("Abc@123!x")

  yield* step("Sign up with attributes")
  const signUp = yield* auth.signUp({
    username: "alice",
    password,
    userAttributes: { email: "alice@example.com", phone_number: "+15555550100", "custom:badge": "ABC123XYZ" }
  })
  yield* Console.log(
    `confirmation: ${signUp.confirmationState}; code sent by ${signUp.codeDeliveryDetails?.deliveryMedium} to ${signUp.codeDeliveryDetails?.destination}`
  )

  yield* step("Re-send the code, then confirm with the one in the mailbox")
  yield* auth.resendSignUpCode({ username: "alice" })
  const wrong = yield* Effect.flip(auth.confirmSignUp({ username: "alice", confirmationCode: Redacted.make("000000") }))
  yield* Console.log(`a wrong code: ${wrong.message}`)
  yield* auth.confirmSignUp({ username: "alice", confirmationCode: yield* cognito.lastCodeFor("alice") })
  yield* Console.log("confirmed")

  yield* step("Sign in with SRP (the password never leaves the process)")
  const rejected = yield* Effect.flip(auth.signIn({ username: "alice", password: Redacted.make("Wrong@123!") }))
  yield* Console.log(`a wrong password: ${rejected.message}`)
  const signedIn = yield* auth.signIn({ username: "alice", password })
  yield* Console.log(
    `result: ${signedIn._tag}; isSignedIn: ${yield* auth.isSignedIn}; username: ${Option.getOrElse(yield* auth.username, () => "-")}`
  )
  const tokens = yield* auth.getTokens()
  yield* Console.log(`tokens for sub ${tokens.sub}, access token expires ${tokens.expiresAt.toISOString()}`)
  yield* Console.log(`as JSON the tokens stay secret: ${JSON.stringify(tokens.accessToken)}`)
  const attributes = yield* auth.getUserAttributes
  yield* Console.log(`attributes: email=${attributes.email} custom:badge=${attributes["custom:badge"]}`)

  yield* step("Refresh the tokens")
  const refreshed = yield* auth.getTokens({ forceRefresh: true })
  yield* Console.log(`refreshed: a new access token issued at ${refreshed.issuedAt.toISOString()}`)

  yield* step("AWS credentials from the identity pool, and a signed request")
  const credentials = yield* auth.getAWSCredentials()
  yield* Console.log(
    `identity ${credentials.identityId}; key ${credentials.accessKeyId}, expires ${credentials.expiration.toISOString()}`
  )
  yield* Console.log(`identityId: ${Option.getOrElse(yield* auth.identityId, () => "-")}`)
  // A stand-in for API Gateway: it checks the SigV4 signature with the credentials the pool issued.
  const apiGateway = HttpClient.make((request, url) =>
    Effect.gen(function* () {
      const accessKeyId = /Credential=([^/]+)\//.exec(request.headers.authorization ?? "")?.[1] ?? ""
      const issued = yield* Effect.orDie(cognito.credentialsOf(accessKeyId))
      const verdict = yield* SigV4Verifier.verify(
        { method: request.method, url: url.href, headers: { ...request.headers, host: url.host } },
        { accessKeyId, ...issued, service: "execute-api", region: "us-east-1" }
      )
      return HttpClientResponse.fromWeb(
        request,
        new Response(verdict._tag, { status: verdict._tag === "Valid" ? 200 : 403 })
      )
    })
  )
  const api = auth.signedHttpClient({ service: "execute-api", region: "us-east-1" })(apiGateway)
  const answer = yield* api.get("https://abc123.execute-api.us-east-1.amazonaws.com/prod/items")
  yield* Console.log(`signed GET: HTTP ${answer.status}, signature ${yield* answer.text}`)

  yield* step("Change the password, then sign out on this device")
  const newPassword = Redacted.make("Xyz#789!q")
  yield* auth.changePassword({ currentPassword: password, proposedPassword: newPassword })
  yield* auth.signOut()
  yield* Console.log(`signed out; isSignedIn: ${yield* auth.isSignedIn}`)

  yield* step("SMS MFA")
  yield* cognito.adminSetUserMfa("alice", { sms: true })
  const mfa = yield* auth.signIn({ username: "alice", password: newPassword })
  if (mfa._tag === "SmsMfa") yield* Console.log(`SMS code sent to ${mfa.codeDeliveryDetails.destination}`)
  const afterMfa = yield* auth.confirmSignIn({ challengeResponse: yield* cognito.lastCodeFor("alice") })
  yield* Console.log(`result: ${afterMfa._tag}`)

  yield* step("Global sign-out (every device)")
  yield* cognito.failNext("GlobalSignOut", "InternalError")
  const failed = yield* Effect.flip(auth.signOut({ global: true }))
  yield* Console.log(`GlobalSignOut failed (${failed.reason}); still signed in: ${yield* auth.isSignedIn}`)
  yield* auth.signOut({ global: true })
  yield* Console.log(`signed out everywhere; isSignedIn: ${yield* auth.isSignedIn}`)

  yield* step("TOTP MFA")
  yield* cognito.adminSetUserMfa("alice", { sms: false })
  const secret = yield* cognito.adminEnableTotp("alice")
  const totp = yield* auth.signIn({ username: "alice", password: newPassword })
  yield* Console.log(`challenge: ${totp._tag}`)
  yield* auth.confirmSignIn({ challengeResponse: yield* cognito.totpCode(secret) })
  yield* Console.log(`result: ${(yield* auth.isSignedIn) ? "SignedIn" : "?"}`)
  yield* auth.signOut()

  yield* step("An admin-created user sets a new password")
  yield* cognito.adminCreateUser({
    username: "bob",
    temporaryPassword: Redacted.make("Temp@1234"),
    userAttributes: { email: "bob@example.com" }
  })
  const temporary = yield* auth.signIn({ username: "bob", password: Redacted.make("Temp@1234") })
  yield* Console.log(`challenge: ${temporary._tag}`)
  const weak = yield* Effect.flip(auth.confirmSignIn({ challengeResponse: Redacted.make("weak") }))
  yield* Console.log(`a weak password: ${weak.message}`)
  const bob = yield* auth.confirmSignIn({ challengeResponse: Redacted.make("Strong@1234") })
  yield* Console.log(`result: ${bob._tag} as ${Option.getOrElse(yield* auth.username, () => "-")}`)
  yield* auth.signOut()

  yield* step("Forgot password")
  const forgot = yield* auth.forgotPassword({ username: "alice" })
  yield* Console.log(`reset code sent by ${forgot.codeDeliveryDetails?.deliveryMedium}`)
  const resetPassword = Redacted.make("Reset#2026!")
  yield* auth.confirmForgotPassword({
    username: "alice",
    newPassword: resetPassword,
    confirmationCode: yield* cognito.lastCodeFor("alice")
  })
  const again = yield* auth.signIn({ username: "alice", password: resetPassword, flow: "USER_PASSWORD_AUTH" })
  yield* Console.log(`the new password is accepted (USER_PASSWORD_AUTH); next: ${again._tag}`)
  const done = yield* auth.confirmSignIn({ challengeResponse: yield* cognito.totpCode(secret) })
  yield* Console.log(`result: ${done._tag}`)

  yield* step("What Cognito saw")
  const requests = yield* cognito.requests
  yield* Console.log(`${requests.length} requests: ${[...new Set(requests.map((r) => r.action))].join(", ")}`)
  return { requests: requests.length, signedIn: yield* auth.isSignedIn }
})

export const main = program.pipe(Effect.provide(TestCognito.layer({ mfa: "OPTIONAL" })))

if (import.meta.url === `file://${process.argv[1]}`) {
  Effect.runPromise(main).then(
    () => Console.log("\nwalkthrough complete").pipe(Effect.runSync),
    (error: unknown) => {
      console.error(String(error))
      process.exit(1)
    }
  )
}
