import * as Auth from "@effect-cognito/core/Auth"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { alice, atStart, confirmedUser, expectReason, otherPassword, password } from "./fixtures.js"

const signIn = (input: Partial<Auth.SignInInput> = {}) =>
  Effect.flatMap(Auth.Auth, (auth) => auth.signIn({ username: "alice", password, ...input }))

/** alice, with SMS MFA on, signed in up to the SMS challenge at the start time; the code sent. */
const smsCodeAsked = Effect.gen(function* () {
  yield* atStart
  yield* confirmedUser()
  const cognito = yield* TestCognito.TestCognito
  yield* cognito.adminSetUserMfa("alice", { sms: true })
  yield* signIn()
  return yield* cognito.lastCodeFor("alice")
})

const confirm = (answer: string | Redacted.Redacted<string>, userAttributes?: Record<string, string>) =>
  Effect.flatMap(Auth.Auth, (auth) =>
    auth.confirmSignIn({
      challengeResponse: typeof answer === "string" ? Redacted.make(answer) : answer,
      ...(userAttributes === undefined ? {} : { userAttributes })
    })
  )

describe("signIn", () => {
  it.effect("signs in with SRP: the password is never sent", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const cognito = yield* TestCognito.TestCognito
      const result = yield* signIn()
      assert.strictEqual(result._tag, "SignedIn")
      const auth = yield* Auth.Auth
      const tokens = yield* auth.getTokens()
      assert.strictEqual(tokens.username, "alice")
      assert.strictEqual(yield* auth.userState, "SignedIn")
      assert.deepStrictEqual(
        (yield* cognito.requests).slice(-2).map((r) => r.action),
        ["InitiateAuth", "RespondToAuthChallenge"]
      )
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("fails with NotAuthorized for a wrong password, checked by real SRP math", () =>
    Effect.gen(function* () {
      yield* confirmedUser()
      const error = yield* expectReason(signIn({ password: otherPassword }), "NotAuthorized")
      assert.strictEqual(error.method, "RespondToAuthChallenge")
      const auth = yield* Auth.Auth
      assert.isFalse(yield* auth.isSignedIn)
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("locks out after too many wrong passwords", () =>
    Effect.gen(function* () {
      yield* confirmedUser()
      for (let i = 0; i < 5; i++) yield* expectReason(signIn({ password: otherPassword }), "NotAuthorized")
      const error = yield* expectReason(signIn({ password: otherPassword }), "NotAuthorized")
      assert.match(error.message, /attempts exceeded/)
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("fails with UserNotFound for an unknown user, or NotAuthorized when the pool hides it", () =>
    Effect.gen(function* () {
      yield* expectReason(signIn({ username: "nobody" }), "UserNotFound")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("hides unknown users when the pool prevents user existence errors", () =>
    Effect.gen(function* () {
      yield* expectReason(signIn({ username: "nobody" }), "NotAuthorized")
    }).pipe(Effect.provide(TestCognito.layer({ preventUserExistenceErrors: true })))
  )

  it.effect("fails with UserNotConfirmed for a user who did not confirm", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      yield* auth.signUp(alice)
      yield* expectReason(signIn(), "UserNotConfirmed")
      yield* expectReason(signIn({ flow: "USER_PASSWORD_AUTH" }), "UserNotConfirmed")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("signs in with USER_PASSWORD_AUTH, and fails with NotAuthorized on a wrong password", () =>
    Effect.gen(function* () {
      yield* confirmedUser()
      yield* expectReason(signIn({ flow: "USER_PASSWORD_AUTH", password: otherPassword }), "NotAuthorized")
      const result = yield* signIn({ flow: "USER_PASSWORD_AUTH" })
      assert.strictEqual(result._tag, "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("fails with AlreadySignedIn on a second signIn", () =>
    Effect.gen(function* () {
      yield* confirmedUser()
      yield* signIn()
      const cognito = yield* TestCognito.TestCognito
      const before = yield* cognito.requestCount()
      yield* expectReason(signIn(), "AlreadySignedIn")
      assert.strictEqual(yield* cognito.requestCount(), before)
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("fails with NoPendingChallenge when nothing waits for an answer", () =>
    Effect.gen(function* () {
      yield* expectReason(confirm("123456"), "NoPendingChallenge")
      yield* confirmedUser()
      yield* signIn()
      yield* expectReason(confirm("123456"), "NoPendingChallenge")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("surfaces throttling and server errors as typed errors", () =>
    Effect.gen(function* () {
      yield* confirmedUser()
      const cognito = yield* TestCognito.TestCognito
      yield* cognito.failNext("InitiateAuth", "TooManyRequests")
      yield* expectReason(signIn(), "TooManyRequests")
      yield* cognito.failNext("RespondToAuthChallenge", "InternalError")
      yield* expectReason(signIn(), "InternalError")
      yield* cognito.failNext("InitiateAuth", { exception: "LimitExceededException" })
      yield* expectReason(signIn(), "LimitExceeded")
      assert.strictEqual((yield* signIn())._tag, "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("needs a password for SRP and USER_PASSWORD_AUTH", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      yield* expectReason(auth.signIn({ username: "alice" }), "InvalidInput")
      yield* expectReason(auth.signIn({ username: "alice", flow: "USER_PASSWORD_AUTH" }), "InvalidInput")
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})

describe("MFA", () => {
  it.effect("SMS: answers the code sent by SMS; a wrong code can be retried", () =>
    Effect.gen(function* () {
      yield* confirmedUser()
      const cognito = yield* TestCognito.TestCognito
      yield* cognito.adminSetUserMfa("alice", { sms: true })
      const result = yield* signIn()
      assert.strictEqual(result._tag, "SmsMfa")
      if (result._tag !== "SmsMfa") return
      assert.deepStrictEqual(result.codeDeliveryDetails, {
        deliveryMedium: "SMS",
        destination: "+*******0100",
        attributeName: "phone_number"
      })
      const outbox = yield* cognito.outbox
      assert.strictEqual(outbox.at(-1)?.medium, "SMS")
      assert.strictEqual(outbox.at(-1)?.purpose, "Mfa")
      yield* expectReason(confirm("000000"), "CodeMismatch")
      const code = yield* cognito.lastCodeFor("alice")
      assert.strictEqual((yield* confirm(code))._tag, "SignedIn")
      assert.isTrue(yield* Effect.flatMap(Auth.Auth, (a) => a.isSignedIn))
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("TOTP: answers the authenticator code", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const cognito = yield* TestCognito.TestCognito
      const secret = yield* cognito.adminEnableTotp("alice")
      const result = yield* signIn()
      assert.strictEqual(result._tag, "SoftwareTokenMfa")
      yield* expectReason(confirm("000000"), "CodeMismatch")
      assert.strictEqual((yield* confirm(yield* cognito.totpCode(secret)))._tag, "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("email OTP: answers the code sent by email", () =>
    Effect.gen(function* () {
      yield* confirmedUser()
      const cognito = yield* TestCognito.TestCognito
      yield* cognito.adminSetUserMfa("alice", { email: true })
      const result = yield* signIn()
      assert.strictEqual(result._tag, "EmailOtp")
      if (result._tag === "EmailOtp") assert.strictEqual(result.codeDeliveryDetails.deliveryMedium, "EMAIL")
      assert.strictEqual((yield* confirm(yield* cognito.lastCodeFor("alice")))._tag, "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("uses the preferred MFA method when several are enabled", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const cognito = yield* TestCognito.TestCognito
      const secret = yield* cognito.adminEnableTotp("alice")
      yield* cognito.adminSetUserMfa("alice", { sms: true })
      // Registering an authenticator makes TOTP the preferred method, as Cognito does.
      const preferred = yield* signIn()
      assert.strictEqual(preferred._tag, "SoftwareTokenMfa")
      yield* confirm(yield* cognito.totpCode(secret))
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("asks which MFA type to use, then that type's code", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const cognito = yield* TestCognito.TestCognito
      yield* cognito.adminSetUserMfa("alice", { sms: true, email: true })
      const choose = yield* signIn()
      assert.strictEqual(choose._tag, "SelectMfaType")
      if (choose._tag === "SelectMfaType") assert.deepStrictEqual(choose.allowedMfaTypes, ["SMS", "EMAIL"])
      yield* expectReason(confirm("CARRIER_PIGEON"), "InvalidInput")
      const email = yield* confirm("EMAIL")
      assert.strictEqual(email._tag, "EmailOtp")
      assert.strictEqual((yield* confirm(yield* cognito.lastCodeFor("alice")))._tag, "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("sets up TOTP when the pool requires MFA and the user has none, then asks for it next time", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser({ username: "carol", password, userAttributes: { email: "carol@example.com" } })
      const cognito = yield* TestCognito.TestCognito
      const auth = yield* Auth.Auth
      const setup = yield* signIn({ username: "carol" })
      assert.strictEqual(setup._tag, "MfaSetup")
      if (setup._tag !== "MfaSetup") return
      assert.include(setup.allowedMfaTypes, "TOTP")
      assert.match(
        Auth.totpSetupUri(setup.totpSharedSecret, { issuer: "Example", accountName: "carol" }),
        /^otpauth:\/\/totp\/Example:carol\?secret=[A-Z2-7]+&issuer=Example$/
      )
      yield* expectReason(confirm("000000"), "EnableSoftwareTokenMfa")
      assert.strictEqual((yield* confirm(yield* cognito.totpCode(setup.totpSharedSecret)))._tag, "SignedIn")
      yield* auth.signOut()
      yield* TestClock.adjust("1 minute")
      const again = yield* signIn({ username: "carol" })
      assert.strictEqual(again._tag, "SoftwareTokenMfa")
      assert.strictEqual((yield* confirm(yield* cognito.totpCode(setup.totpSharedSecret)))._tag, "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer({ mfa: "ON", mfaTypes: ["TOTP"] })))
  )

  it.effect(
    "an MFA challenge expires after 3 minutes: SessionExpired with no request, and nothing is pending any more",
    () =>
      Effect.gen(function* () {
        const code = yield* smsCodeAsked
        const cognito = yield* TestCognito.TestCognito
        yield* TestClock.adjust("3 minutes")
        const before = yield* cognito.requestCount()
        const error = yield* expectReason(confirm(code), "SessionExpired")
        assert.match(error.message, /SMS_MFA challenge expired at 2026-11-26T09:33:00\.000Z .*; sign in again$/)
        assert.strictEqual(yield* cognito.requestCount(), before)
        yield* expectReason(confirm(code), "NoPendingChallenge")
      }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a session Cognito expires before the configured validity: NotAuthorized, and nothing is pending", () =>
    Effect.gen(function* () {
      const code = yield* smsCodeAsked
      yield* TestClock.adjust("3 minutes")
      yield* expectReason(confirm(code), "NotAuthorized")
      yield* expectReason(confirm(code), "NoPendingChallenge")
    }).pipe(Effect.provide(TestCognito.layer({ config: { authSessionValidity: "15 minutes" } })))
  )

  it.effect("signs in without MFA when the pool has MFA off, whatever the user set", () =>
    Effect.gen(function* () {
      yield* confirmedUser()
      const cognito = yield* TestCognito.TestCognito
      yield* cognito.adminSetUserMfa("alice", { sms: true })
      assert.strictEqual((yield* signIn())._tag, "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer({ mfa: "OFF" })))
  )
})

describe("new password required", () => {
  const admin = TestCognito.TestCognito.pipe(
    Effect.flatMap((cognito) =>
      cognito.adminCreateUser({
        username: "dave",
        temporaryPassword: Redacted.make("Temp@1234"),
        userAttributes: { phone_number: "+15555550199" }
      })
    )
  )

  it.effect("asks for a new password and the required attributes; a weak one is refused and can be retried", () =>
    Effect.gen(function* () {
      yield* admin
      const result = yield* signIn({ username: "dave", password: Redacted.make("Temp@1234") })
      assert.strictEqual(result._tag, "NewPasswordRequired")
      if (result._tag !== "NewPasswordRequired") return
      assert.deepStrictEqual(result.requiredAttributes, ["email"])
      assert.strictEqual(result.userAttributes.phone_number, "+15555550199")
      yield* expectReason(confirm("weak", { email: "dave@example.com" }), "InvalidPassword")
      yield* expectReason(confirm("Strong@1234"), "InvalidParameter")
      const done = yield* confirm("Strong@1234", { email: "dave@example.com" })
      assert.strictEqual(done._tag, "SignedIn")
      const auth = yield* Auth.Auth
      assert.deepStrictEqual(yield* auth.username, Option.some("dave"))
      yield* auth.signOut()
      assert.strictEqual((yield* signIn({ username: "dave", password: Redacted.make("Strong@1234") }))._tag, "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer({ requiredAttributes: ["email"] })))
  )

  it.effect("the temporary password no longer works once changed", () =>
    Effect.gen(function* () {
      yield* admin
      yield* signIn({ username: "dave", password: Redacted.make("Temp@1234") })
      yield* confirm("Strong@1234")
      yield* Effect.flatMap(Auth.Auth, (auth) => auth.signOut())
      yield* expectReason(signIn({ username: "dave", password: Redacted.make("Temp@1234") }), "NotAuthorized")
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})

describe("custom auth", () => {
  const layer = TestCognito.layer({
    customAuth: {
      challenge: (username) => ({ parameters: { question: `Favourite colour of ${username}?` }, answer: "blue" })
    }
  })

  it.effect("answers the custom challenge without a password", () =>
    Effect.gen(function* () {
      yield* confirmedUser()
      const auth = yield* Auth.Auth
      const result = yield* auth.signIn({ username: "alice", flow: "CUSTOM_AUTH" })
      assert.strictEqual(result._tag, "CustomChallenge")
      if (result._tag === "CustomChallenge")
        assert.strictEqual(result.parameters.question, "Favourite colour of alice?")
      assert.strictEqual((yield* confirm("blue"))._tag, "SignedIn")
    }).pipe(Effect.provide(layer))
  )

  it.effect("proves the password with SRP first when one is given", () =>
    Effect.gen(function* () {
      yield* confirmedUser()
      yield* expectReason(signIn({ flow: "CUSTOM_AUTH", password: otherPassword }), "NotAuthorized")
      const result = yield* signIn({ flow: "CUSTOM_AUTH" })
      assert.strictEqual(result._tag, "CustomChallenge")
      assert.strictEqual((yield* confirm("blue"))._tag, "SignedIn")
    }).pipe(Effect.provide(layer))
  )

  it.effect("fails with NotAuthorized for a wrong answer", () =>
    Effect.gen(function* () {
      yield* confirmedUser()
      yield* signIn({ flow: "CUSTOM_AUTH", password: undefined })
      yield* expectReason(confirm("red"), "NotAuthorized")
      yield* expectReason(confirm("blue"), "NoPendingChallenge")
    }).pipe(Effect.provide(layer))
  )
})

describe("app clients with a secret", () => {
  it.effect("sends SECRET_HASH on every flow, which TestCognito checks", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const cognito = yield* TestCognito.TestCognito
      yield* cognito.adminSetUserMfa("alice", { sms: true })
      assert.strictEqual((yield* signIn())._tag, "SmsMfa")
      assert.strictEqual((yield* confirm(yield* cognito.lastCodeFor("alice")))._tag, "SignedIn")
      const auth = yield* Auth.Auth
      yield* auth.getTokens({ forceRefresh: true })
      yield* auth.signOut()
      assert.strictEqual((yield* signIn({ flow: "USER_PASSWORD_AUTH" }))._tag, "SmsMfa")
    }).pipe(Effect.provide(TestCognito.layer({ clientSecret: Redacted.make("s3cr3t-of-the-app-client") })))
  )

  /** `Auth` configured with `clientSecret` (or none) over a pool whose app client has the secret "s3cr3t". */
  const misconfigured = (clientSecret: Redacted.Redacted<string> | undefined) =>
    Layer.provide(
      TestCognito.layerAuth(),
      Layer.merge(
        Layer.flatMap(TestCognito.layerCognito({ clientSecret: Redacted.make("s3cr3t") }), (context) =>
          Layer.succeed(IdentityProvider.IdentityProvider, Context.get(context, IdentityProvider.IdentityProvider))
        ),
        AuthConfig.layer({
          region: "us-east-1",
          userPoolId: "us-east-1_TestPool1",
          clientId: "testclient1234567890",
          clientSecret
        })
      )
    )

  for (const [name, clientSecret, message] of [
    ["configured without its secret", undefined, /configured with secret but SECRET_HASH was not received/],
    ["configured with a wrong secret", Redacted.make("not-the-secret"), /Unable to verify secret hash/]
  ] as const)
    it.effect(`fails with NotAuthorized when the client is ${name}`, () =>
      Effect.gen(function* () {
        const auth = yield* Auth.Auth
        const error = yield* expectReason(auth.signUp(alice), "NotAuthorized")
        assert.match(error.message, message)
      }).pipe(Effect.provide(misconfigured(clientSecret)))
    )
})
