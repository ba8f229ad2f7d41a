/**
 * The main job as a user runs it: `npm start` (the README's first command) in a child
 * process, outside Vitest, against the local Cognito it starts over HTTP. It must exit 0,
 * print every step in order and show no secret.
 */
import { assert, describe, it } from "@effect/vitest"
import { explain, run } from "../test/userShell.js"

const steps = [
  "local Cognito at http://127.0.0.1:",
  "== 1. Sign up with standard and custom attributes",
  "SignUp: Unconfirmed",
  "code sent by EMAIL",
  "== 2. Re-send the code",
  "(SignUp #2;",
  "== 3. Confirm the sign-up",
  "the first code no longer works: CodeMismatch",
  "ConfirmSignUp with the latest code: Confirmed",
  "== 4. SRP sign-in, answered by SMS MFA",
  "a wrong password: NotAuthorized",
  "USER_SRP_AUTH + PASSWORD_VERIFIER: SmsMfa",
  "== 5. Confirm sign-in with the SMS code",
  "RespondToAuthChallenge SMS_MFA: SignedIn",
  "== 6. Tokens",
  "(5m)",
  "custom:badge ABC123XYZ",
  "== 7. A new email address, unverified until she confirms the code sent to it",
  "UpdateUserAttributes: email alice@example.org, given_name Alice; code sent by EMAIL to a***@e***",
  "(VerifyAttribute #1;",
  "until she confirms: email alice@example.org, email_verified false",
  "VerifyUserAttribute with the code: email_verified true",
  "== 8. 5m later: the access token expired, so the tokens are refreshed",
  "getTokens refreshed them (REFRESH_TOKEN_AUTH): new access token issued",
  "== 9. AWS credentials and the identity id, from the identity pool",
  "GetId + GetCredentialsForIdentity with her id token: identity us-east-1:",
  "identityId (kept with the session): us-east-1:",
  "== 10. A signed request to a loopback endpoint that verifies the SigV4 signature",
  "signed GET /prod/items: HTTP 200, signature Valid",
  "the same request unsigned: HTTP 403",
  "== 11. Her phone, remembered, signs in again with the password alone: no SMS code",
  'her first sign-in confirmed the phone as a device (NewDeviceMetadata, ConfirmDevice): "Alice\'s phone", not_remembered',
  "rememberDevice (UpdateDeviceStatus): remembered",
  "she signs out (isSignedIn false); the device stays on the phone",
  "signIn with her password: SignedIn, no SMS code asked",
  "the challenges the app answered on its own: PASSWORD_VERIFIER, DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER (device SRP)",
  "== 12. Forgot password, on her laptop",
  "ConfirmForgotPassword: the new password is set",
  "the old password is refused: NotAuthorized",
  "== 13. An admin-created user sets a new password, then deletes his account",
  "(Invitation #1;",
  "from his invitation: NewPasswordRequired",
  "a strong one: SignedIn as bob",
  "bob deletes his account (DeleteUser) and is signed out: isSignedIn false",
  "his password signs nobody in any more: UserNotFound",
  "== 14. Global sign-out, from her phone",
  "isSignedIn on the phone: false",
  "== 15. The old refresh token is refused",
  "REFRESH_TOKEN_AUTH with the phone's old refresh token: NotAuthorized",
  "the laptop's next refresh: SessionExpired",
  "== 16. An emailed code instead of her password (USER_AUTH)",
  "InitiateAuth USER_AUTH, preferred EMAIL_OTP: EmailOtp, no password asked",
  "RespondToAuthChallenge EMAIL_OTP: SignedIn",
  "== 17. Sign-in through the Cognito domain: the hosted login page, authorization code with PKCE",
  "redirectSignInUrl: /domain/walkthrough/oauth2/authorize with code_challenge_method S256, state, nonce",
  "the domain's login page (/domain/walkthrough/login): its form posted, back to the app's redirect URI with a code",
  "completeRedirectSignIn: signed in as carol, the id token verified (signature, issuer, audience, nonce); customState /orders",
  "her access token calls the user pool's API too (GetUser): email carol@example.com",
  "signed out, the same callback again: InvalidGrant (a code is used once)",
  "== 18. A machine-to-machine token (client_credentials) for a custom scope",
  "ClientCredentials.token from 10 callers at once: one token, scope orders/read",
  'its claims: token_use access, scope orders/read; as JSON it stays secret: "<redacted>"',
  "walkthrough complete: every step behaved as expected"
]

const secrets = ["Abc@123!x", "Wrong@123!", "Reset#2026!", "Strong@1234", "Carol#2026!"]

/** The issue and expiry times on a line like "issued 12:00:00, expires 12:05:00". */
const times = (line: string | undefined) => {
  const match = /issued (\d\d):(\d\d):(\d\d), expires (\d\d):(\d\d):(\d\d)/.exec(line ?? "")
  assert.isNotNull(match, `no issue time in ${line}`)
  const [, h1, m1, s1] = match!.map(Number)
  return h1! * 3600 + m1! * 60 + s1!
}

describe("npm start", () => {
  it("tells the whole story over HTTP against the local Cognito, in order, exits 0 and prints no secret", {
    timeout: 120_000
  }, async () => {
    // An empty COGNITO_USER_POOL_ID keeps the walkthrough local whatever the shell has set.
    const result = await run("npm", ["start"], { env: { COGNITO_USER_POOL_ID: "" } })
    assert.strictEqual(result.code, 0, explain("npm start", result))
    let from = 0
    for (const step of steps) {
      const at = result.stdout.indexOf(step, from)
      assert.isAtLeast(at, 0, `"${step}" is missing (or out of order) in:\n${result.stdout}`)
      from = at + step.length
    }
    assert.include(result.stdout, 'as JSON a token stays secret: "<redacted>"')
    assert.include(result.stdout, 'the secret key stays secret: "<redacted>"')
    // The refreshed token was issued five minutes (of the demo clock) after the first one.
    const lines = result.stdout.split("\n")
    const first = times(lines.find((l) => l.includes("access token issued")))
    const second = times(lines.find((l) => l.includes("new access token issued")))
    assert.isAtLeast((second - first + 86400) % 86400, 300)
    const requests = /the user pool served (\d+) requests over HTTP/.exec(result.stdout)
    assert.isAbove(Number(requests?.[1]), 20)
    assert.notInclude(result.stdout, "FAILED")
    for (const secret of secrets) {
      assert.notInclude(result.stdout, secret)
      assert.notInclude(result.stderr, secret)
    }
    // No six-digit code from the outbox is printed.
    assert.notMatch(
      result.stdout.replace(/\d{4}-\d\d-\d\d|\+\d+|\d\d:\d\d:\d\d|[0-9a-f-]{36}|\d+ ms/g, ""),
      /\b\d{6}\b/
    )
  })
})
