/**
 * `Auth` over TestCognito with choice-based sign-in (`USER_AUTH`): the preferred first
 * factor or the selection step, email and SMS codes, the password factors (then MFA as
 * before), sign-in right after a password-less sign-up (`autoSignIn`), pending steps saved
 * and resumed, and what stays secret.
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as PendingSignIn from "@effect-cognito/core/PendingSignIn"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Formatter from "effect/Formatter"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as TestClock from "effect/testing/TestClock"
import { atStart, expectReason, password } from "./fixtures.js"

const passwordless = {
  allowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"],
  identityPool: false
} as const satisfies TestCognito.Options

const secret = Redacted.make
const wrongCode = "00000000"

/** A confirmed user with a password, a verified email and a verified phone number. */
const confirmedWithPassword = (username = "alice") =>
  Effect.gen(function* () {
    const auth = yield* Auth.Auth
    const cognito = yield* TestCognito.TestCognito
    yield* auth.signUp({
      username,
      password,
      userAttributes: { email: `${username}@example.com`, phone_number: "+15555550100" }
    })
    yield* auth.confirmSignUp({ username, confirmationCode: yield* cognito.lastCodeFor(username) })
    // The confirmation left a session for autoSignIn; these tests sign in by a factor.
    return cognito
  })

/** carol: created by an admin with a verified phone number (so SMS_OTP is hers to use) and a password. */
const smsUser = Effect.gen(function* () {
  const cognito = yield* TestCognito.TestCognito
  yield* cognito.adminCreateUser({
    username: "carol",
    userAttributes: { phone_number: "+15555550111" },
    messageAction: "SUPPRESS"
  })
  yield* cognito.adminSetUserPassword("carol", password, { permanent: true })
})

const tagOf = (result: Auth.SignInResult) => result._tag

/** The code last sent to `username`, unless it is the wrong one the test tries first. */
const codeFor = (username: string) =>
  Effect.flatMap(TestCognito.TestCognito, (cognito) => cognito.lastCodeFor(username))

const signedInAs = (username: string) =>
  Effect.gen(function* () {
    const auth = yield* Auth.Auth
    assert.deepStrictEqual(yield* auth.username, Option.some(username))
    assert.strictEqual(yield* auth.userState, "SignedIn")
  })

describe("Auth USER_AUTH", () => {
  it.effect(
    "without a preferred factor: SelectChallenge, then EMAIL_OTP; a wrong code is CodeMismatch, the right one signs in",
    () =>
      Effect.gen(function* () {
        yield* atStart
        yield* confirmedWithPassword()
        const auth = yield* Auth.Auth
        const select = yield* auth.signIn({ username: "alice", flow: "USER_AUTH" })
        assert.strictEqual(select._tag, "SelectChallenge")
        if (select._tag === "SelectChallenge")
          assert.includeMembers([...select.availableChallenges], ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"])
        const emailed = yield* auth.confirmSignIn({ challengeResponse: secret("EMAIL_OTP") })
        assert.strictEqual(emailed._tag, "EmailOtp")
        if (emailed._tag === "EmailOtp") assert.strictEqual(emailed.codeDeliveryDetails.deliveryMedium, "EMAIL")
        const wrong = yield* expectReason(auth.confirmSignIn({ challengeResponse: secret(wrongCode) }), "CodeMismatch")
        assert.notInclude(String(wrong), wrongCode)
        assert.notInclude(JSON.stringify(wrong), wrongCode)
        assert.strictEqual(tagOf(yield* auth.confirmSignIn({ challengeResponse: yield* codeFor("alice") })), "SignedIn")
        yield* signedInAs("alice")
      }).pipe(Effect.provide(TestCognito.layer(passwordless)))
  )

  it.effect("a preferred EMAIL_OTP sends the code at once", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedWithPassword()
      const auth = yield* Auth.Auth
      const step = yield* auth.signIn({ username: "alice", flow: "USER_AUTH", preferredChallenge: "EMAIL_OTP" })
      assert.strictEqual(step._tag, "EmailOtp")
      assert.strictEqual(tagOf(yield* auth.confirmSignIn({ challengeResponse: yield* codeFor("alice") })), "SignedIn")
      yield* signedInAs("alice")
    }).pipe(Effect.provide(TestCognito.layer(passwordless)))
  )

  it.effect("a preferred SMS_OTP is an SmsOtp step with its delivery details", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* smsUser
      const auth = yield* Auth.Auth
      const step = yield* auth.signIn({ username: "carol", flow: "USER_AUTH", preferredChallenge: "SMS_OTP" })
      assert.strictEqual(step._tag, "SmsOtp")
      if (step._tag === "SmsOtp") assert.strictEqual(step.codeDeliveryDetails.deliveryMedium, "SMS")
      yield* expectReason(auth.confirmSignIn({ challengeResponse: secret(wrongCode) }), "CodeMismatch")
      assert.strictEqual(tagOf(yield* auth.confirmSignIn({ challengeResponse: yield* codeFor("carol") })), "SignedIn")
      yield* signedInAs("carol")
    }).pipe(Effect.provide(TestCognito.layer(passwordless)))
  )

  it.effect("a preferred factor the user cannot use falls back to SelectChallenge", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedWithPassword()
      const auth = yield* Auth.Auth
      // alice has no passkey.
      const step = yield* auth.signIn({ username: "alice", flow: "USER_AUTH", preferredChallenge: "WEB_AUTHN" })
      assert.strictEqual(step._tag, "SelectChallenge")
      if (step._tag === "SelectChallenge") assert.notInclude([...step.availableChallenges], "WEB_AUTHN")
    }).pipe(Effect.provide(TestCognito.layer(passwordless)))
  )

  it.effect("the PASSWORD and PASSWORD_SRP factors sign in with the password given to signIn", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedWithPassword()
      const auth = yield* Auth.Auth
      for (const factor of ["PASSWORD", "PASSWORD_SRP"] as const) {
        const step = yield* auth.signIn({ username: "alice", password, flow: "USER_AUTH", preferredChallenge: factor })
        assert.strictEqual(step._tag, "SignedIn", factor)
        yield* signedInAs("alice")
        yield* auth.signOut()
      }
      // A password alone prefers PASSWORD_SRP.
      assert.strictEqual(tagOf(yield* auth.signIn({ username: "alice", password, flow: "USER_AUTH" })), "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer(passwordless)))
  )

  it.effect("choosing a password factor asks for the password (PasswordRequired), then signs in", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedWithPassword()
      const auth = yield* Auth.Auth
      for (const factor of ["PASSWORD", "PASSWORD_SRP"] as const) {
        assert.strictEqual(tagOf(yield* auth.signIn({ username: "alice", flow: "USER_AUTH" })), "SelectChallenge")
        assert.strictEqual(tagOf(yield* auth.confirmSignIn({ challengeResponse: secret(factor) })), "PasswordRequired")
        const pending = yield* auth.pendingSignIn
        assert.isTrue(Option.isSome(pending))
        yield* expectReason(auth.confirmSignIn({ challengeResponse: secret("Wrong@123!x") }), "NotAuthorized")
        assert.strictEqual(tagOf(yield* auth.signIn({ username: "alice", flow: "USER_AUTH" })), "SelectChallenge")
        yield* auth.confirmSignIn({ challengeResponse: secret(factor) })
        assert.strictEqual(tagOf(yield* auth.confirmSignIn({ challengeResponse: password })), "SignedIn", factor)
        yield* auth.signOut()
      }
    }).pipe(Effect.provide(TestCognito.layer(passwordless)))
  )

  it.effect("MFA after a password factor works as before", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* confirmedWithPassword()
      const totp = yield* cognito.adminEnableTotp("alice")
      const auth = yield* Auth.Auth
      const step = yield* auth.signIn({
        username: "alice",
        password,
        flow: "USER_AUTH",
        preferredChallenge: "PASSWORD_SRP"
      })
      assert.strictEqual(step._tag, "SoftwareTokenMfa")
      assert.strictEqual(
        tagOf(yield* auth.confirmSignIn({ challengeResponse: yield* cognito.totpCode(totp) })),
        "SignedIn"
      )
    }).pipe(Effect.provide(TestCognito.layer(passwordless)))
  )

  it.effect("refuses USER_AUTH on an app client without ALLOW_USER_AUTH (InvalidParameter)", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedWithPassword()
      const auth = yield* Auth.Auth
      const error = yield* expectReason(auth.signIn({ username: "alice", flow: "USER_AUTH" }), "InvalidParameter")
      assert.include(error.description ?? "", "USER_AUTH")
      // The other flows still work.
      assert.strictEqual(tagOf(yield* auth.signIn({ username: "alice", password })), "SignedIn")
    }).pipe(
      Effect.provide(
        TestCognito.layer({ ...passwordless, explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] })
      )
    )
  )

  it.effect("refuses input that does not fit USER_AUTH, without a request", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* confirmedWithPassword()
      const auth = yield* Auth.Auth
      const before = yield* cognito.requestCount("InitiateAuth")
      yield* expectReason(
        auth.signIn({
          username: "alice",
          flow: "USER_AUTH",
          preferredChallenge: "PUSH" as unknown as Auth.FirstFactor
        }),
        "InvalidInput"
      )
      yield* expectReason(
        auth.signIn({ username: "alice", password, flow: "USER_AUTH", preferredChallenge: "EMAIL_OTP" }),
        "InvalidInput"
      )
      yield* expectReason(
        auth.signIn({ username: "alice", flow: "USER_AUTH", preferredChallenge: "PASSWORD" }),
        "InvalidInput"
      )
      assert.strictEqual(yield* cognito.requestCount("InitiateAuth"), before)
      // A factor SELECT_CHALLENGE did not offer, or no factor at all.
      const select = yield* auth.signIn({ username: "alice", flow: "USER_AUTH" })
      assert.strictEqual(select._tag, "SelectChallenge")
      yield* expectReason(auth.confirmSignIn({ challengeResponse: secret("WEB_AUTHN") }), "InvalidInput")
      yield* expectReason(auth.confirmSignIn({ challengeResponse: secret("TOTP") }), "InvalidInput")
    }).pipe(Effect.provide(TestCognito.layer(passwordless)))
  )

  it.effect("a pending selection, a password step and an SMS code are saved and resumed by another Auth", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedWithPassword()
      const first = yield* Auth.Auth
      const saveAndResume = (expected: Auth.SignInResult["_tag"]) =>
        Effect.gen(function* () {
          const pending = yield* first.pendingSignIn
          assert.isTrue(Option.isSome(pending))
          if (Option.isNone(pending)) return yield* Effect.die("nothing pending")
          const text = yield* PendingSignIn.toJson(pending.value)
          const fresh = yield* Effect.provide(Auth.Auth, TestCognito.layerAuth(passwordless))
          const step = yield* fresh.resumeSignIn(yield* PendingSignIn.fromJson(text))
          assert.strictEqual(step._tag, expected)
          return { fresh, step }
        })
      yield* first.signIn({ username: "alice", flow: "USER_AUTH" })
      const selection = yield* saveAndResume("SelectChallenge")
      if (selection.step._tag === "SelectChallenge")
        assert.include([...selection.step.availableChallenges], "EMAIL_OTP")
      assert.strictEqual(
        tagOf(yield* selection.fresh.confirmSignIn({ challengeResponse: secret("PASSWORD") })),
        "PasswordRequired"
      )

      yield* first.confirmSignIn({ challengeResponse: secret("PASSWORD_SRP") })
      const passwordStep = yield* saveAndResume("PasswordRequired")
      assert.strictEqual(tagOf(yield* passwordStep.fresh.confirmSignIn({ challengeResponse: password })), "SignedIn")

      yield* smsUser
      yield* first.signIn({ username: "carol", flow: "USER_AUTH", preferredChallenge: "SMS_OTP" })
      const sms = yield* saveAndResume("SmsOtp")
      assert.strictEqual(
        tagOf(yield* sms.fresh.confirmSignIn({ challengeResponse: yield* codeFor("carol") })),
        "SignedIn"
      )
    }).pipe(Effect.provide(TestCognito.layer(passwordless)))
  )
})

describe("Auth autoSignIn", () => {
  /** bob signs up without a password and confirms; returns confirmSignUp's result. */
  const passwordlessSignUp = (username = "bob") =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      const signedUp = yield* auth.signUp({ username, userAttributes: { email: `${username}@example.com` } })
      assert.strictEqual(signedUp.confirmationState, "Unconfirmed")
      return yield* auth.confirmSignUp({ username, confirmationCode: yield* codeFor(username) })
    })

  it.effect("signs a password-less user in right after confirmSignUp, with no second code", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      const confirmed = yield* passwordlessSignUp()
      assert.deepStrictEqual(confirmed, { confirmationState: "Confirmed", nextStep: "AutoSignIn" })
      const codesBefore = yield* cognito.requestCount("RespondToAuthChallenge")
      assert.strictEqual(tagOf(yield* (yield* Auth.Auth).autoSignIn()), "SignedIn")
      assert.strictEqual(yield* cognito.requestCount("RespondToAuthChallenge"), codesBefore)
      yield* signedInAs("bob")
    }).pipe(Effect.provide(TestCognito.layer(passwordless)))
  )

  it.effect("fails with AutoSignInUnavailable when no sign-up was confirmed, once used, or for another user", () =>
    Effect.gen(function* () {
      yield* atStart
      const auth = yield* Auth.Auth
      yield* expectReason(auth.autoSignIn(), "AutoSignInUnavailable")
      yield* passwordlessSignUp()
      yield* expectReason(auth.autoSignIn({ username: "carol" }), "AutoSignInUnavailable")
      assert.strictEqual(tagOf(yield* auth.autoSignIn({ username: "bob" })), "SignedIn")
      yield* auth.signOut()
      yield* expectReason(auth.autoSignIn(), "AutoSignInUnavailable")
    }).pipe(Effect.provide(TestCognito.layer(passwordless)))
  )

  it.effect("fails with SessionExpired once the session's minutes have passed", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* passwordlessSignUp()
      yield* TestClock.adjust("4 minutes")
      yield* expectReason((yield* Auth.Auth).autoSignIn(), "SessionExpired")
    }).pipe(Effect.provide(TestCognito.layer(passwordless)))
  )

  it.effect("fails with AlreadySignedIn while a user is signed in, and keeps the session for later", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedWithPassword("alice")
      const auth = yield* Auth.Auth
      yield* auth.signIn({ username: "alice", password })
      yield* passwordlessSignUp()
      yield* expectReason(auth.autoSignIn(), "AlreadySignedIn")
      yield* auth.signOut()
      assert.strictEqual(tagOf(yield* auth.autoSignIn()), "SignedIn")
      yield* signedInAs("bob")
    }).pipe(Effect.provide(TestCognito.layer(passwordless)))
  )

  it.effect("confirmSignUp's result carries no session, and nothing is pending", () =>
    Effect.gen(function* () {
      yield* atStart
      const confirmed = yield* passwordlessSignUp()
      assert.deepStrictEqual(Object.keys(confirmed).sort(), ["confirmationState", "nextStep"])
      const auth = yield* Auth.Auth
      assert.isTrue(Option.isNone(yield* auth.pendingSignIn))
      const other = yield* expectReason(auth.autoSignIn({ username: "carol" }), "AutoSignInUnavailable")
      assert.notInclude(JSON.stringify(other), 'session":')
    }).pipe(Effect.provide(TestCognito.layer(passwordless)))
  )

  it.effect("a sign-up on a password-only pool answers Done, and a password sign-up still works", () =>
    Effect.gen(function* () {
      yield* atStart
      const auth = yield* Auth.Auth
      yield* auth.signUp({ username: "dan", password, userAttributes: { email: "dan@example.com" } })
      const confirmed = yield* auth.confirmSignUp({ username: "dan", confirmationCode: yield* codeFor("dan") })
      assert.strictEqual(confirmed.confirmationState, "Confirmed")
      assert.include(["AutoSignIn", "Done"], confirmed.nextStep)
      assert.strictEqual(tagOf(yield* auth.signIn({ username: "dan", password })), "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer({ identityPool: false })))
  )
})

describe("Auth USER_AUTH secrets", () => {
  it.effect("no code, password or session appears in errors, logs, steps or pending values", () => {
    const lines: Array<string> = []
    const capture = Logger.map(Logger.formatLogFmt, (line) => {
      lines.push(line)
    })
    return Effect.gen(function* () {
      yield* atStart
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const seen: Array<string> = []
      const record = (value: unknown) => {
        seen.push(JSON.stringify(value) ?? "", String(value), Formatter.formatJson(value, { space: 2 }))
      }
      const failing = <A>(effect: Effect.Effect<A, unknown>, reason: Parameters<typeof expectReason>[1]) =>
        Effect.tap(expectReason(effect, reason), (error) =>
          Effect.sync(() => {
            record(error)
            seen.push(error.message, error.stack ?? "")
          })
        )
      const sessions: Array<string> = []
      const recordPending = Effect.flatMap(auth.pendingSignIn, (pending) =>
        Effect.sync(() => {
          record(pending)
          if (Option.isSome(pending) && pending.value.session !== undefined)
            sessions.push(Redacted.value(pending.value.session))
        })
      )

      record(yield* auth.signUp({ username: "bob", userAttributes: { email: "bob@example.com" } }))
      record(yield* auth.confirmSignUp({ username: "bob", confirmationCode: yield* codeFor("bob") }))
      record(yield* auth.autoSignIn())
      yield* auth.signOut()

      record(yield* auth.signIn({ username: "bob", flow: "USER_AUTH" }))
      yield* recordPending
      record(yield* auth.confirmSignIn({ challengeResponse: secret("EMAIL_OTP") }))
      yield* recordPending
      yield* failing(auth.confirmSignIn({ challengeResponse: secret("13572468") }), "CodeMismatch")
      record(yield* auth.confirmSignIn({ challengeResponse: yield* codeFor("bob") }))
      yield* auth.signOut()

      yield* confirmedWithPassword("alice")
      record(yield* auth.signIn({ username: "alice", flow: "USER_AUTH" }))
      record(yield* auth.confirmSignIn({ challengeResponse: secret("PASSWORD") }))
      yield* recordPending
      yield* failing(auth.confirmSignIn({ challengeResponse: secret("Wr0ng!password-9") }), "NotAuthorized")
      yield* auth.signIn({ username: "alice", flow: "USER_AUTH" })
      yield* auth.confirmSignIn({ challengeResponse: secret("PASSWORD") })
      record(yield* auth.confirmSignIn({ challengeResponse: password }))

      assert.strictEqual(sessions.length, 3, "the pending sessions were seen")
      const secrets = ["13572468", "Wr0ng!password-9", Redacted.value(password), ...sessions]
      for (const message of yield* cognito.outbox) secrets.push(Redacted.value(message.code))
      assert.isAbove(secrets.length, 5, "codes were sent")
      assert.isAbove(lines.length, 5, "the debug log was captured")
      const haystack = [...seen, ...lines].join("\n")
      for (const value of secrets) assert.notInclude(haystack, value)
      assert.include(haystack, "<redacted>")
    }).pipe(
      Effect.provide(TestCognito.layer(passwordless)),
      Effect.provide(Logger.layer([capture])),
      Effect.provideService(References.MinimumLogLevel, "All")
    )
  })
})
