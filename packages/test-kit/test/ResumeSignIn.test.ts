/**
 * A pending sign-in saved from one `Auth` and answered in another (a fresh process, as the
 * CLI's `confirm-sign-in` is): what is saved, what it asks when resumed, its expiry by
 * `Clock`, and what it must never hold.
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as PendingSignIn from "@effect-cognito/core/PendingSignIn"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { alice, atStart, confirmedUser, expectReason, password } from "./fixtures.js"

const confirm = (auth: Auth.Auth.Service, answer: string | Redacted.Redacted<string>) =>
  auth.confirmSignIn({ challengeResponse: typeof answer === "string" ? Redacted.make(answer) : answer })

/**
 * Another `Auth` over the same pool, with its own (empty) memory store and no pending challenge.
 * `Layer.fresh`: layers are memoized across builds, and the test's own `Auth` was built from the same layers.
 */
const freshAuth = Effect.flatMap(Layer.build(Layer.fresh(TestCognito.layerAuth({ seed: 7 }))), (context) =>
  Effect.provide(Auth.Auth, context)
)

/** The pending sign-in of the `Auth` in context, as the JSON a caller saves. */
const saved = Effect.gen(function* () {
  const auth = yield* Auth.Auth
  const pending = yield* auth.pendingSignIn
  assert.isTrue(Option.isSome(pending), "nothing is pending")
  return yield* PendingSignIn.toJson(Option.getOrThrow(pending))
})

/** Alice with SMS MFA, signed in up to the SMS challenge at the test's start. */
const smsChallenge = Effect.gen(function* () {
  yield* atStart
  yield* confirmedUser()
  const cognito = yield* TestCognito.TestCognito
  yield* cognito.adminSetUserMfa("alice", { sms: true })
  const auth = yield* Auth.Auth
  assert.strictEqual((yield* auth.signIn({ username: "alice", password }))._tag, "SmsMfa")
  return yield* saved
})

describe("resumeSignIn", () => {
  it.effect("sign in → SMS MFA → save → a fresh Auth resumes → confirmSignIn → SignedIn", () =>
    Effect.gen(function* () {
      const json = yield* smsChallenge
      const cognito = yield* TestCognito.TestCognito
      yield* TestClock.adjust("1 minute")

      const fresh = yield* freshAuth
      assert.isTrue(Option.isNone(yield* fresh.pendingSignIn))
      const step = yield* fresh.resumeSignIn(yield* PendingSignIn.fromJson(json))
      assert.deepStrictEqual(
        step,
        Auth.SignInResult.SmsMfa({
          codeDeliveryDetails: { deliveryMedium: "SMS", destination: "+*******0100", attributeName: "phone_number" }
        })
      )
      assert.strictEqual((yield* confirm(fresh, yield* cognito.lastCodeFor("alice")))._tag, "SignedIn")
      assert.strictEqual((yield* fresh.getTokens()).username, "alice")
      assert.strictEqual(yield* fresh.userState, "SignedIn")
      assert.isTrue(Option.isNone(yield* fresh.pendingSignIn))
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a wrong code keeps the resumed challenge, so the right one still signs in", () =>
    Effect.gen(function* () {
      const json = yield* smsChallenge
      const cognito = yield* TestCognito.TestCognito
      const fresh = yield* freshAuth
      yield* fresh.resumeSignIn(yield* PendingSignIn.fromJson(json))
      yield* expectReason(confirm(fresh, "000000"), "CodeMismatch")
      // What a caller saves again after the failure is still the same challenge.
      const again = yield* fresh.pendingSignIn
      assert.strictEqual(yield* PendingSignIn.toJson(Option.getOrThrow(again)), json)
      const next = yield* freshAuth
      yield* next.resumeSignIn(Option.getOrThrow(again))
      assert.strictEqual((yield* confirm(next, yield* cognito.lastCodeFor("alice")))._tag, "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("an expired saved challenge fails with SessionExpired, sends nothing, and leaves nothing pending", () =>
    Effect.gen(function* () {
      const json = yield* smsChallenge
      const cognito = yield* TestCognito.TestCognito
      const pending = yield* PendingSignIn.fromJson(json)
      assert.strictEqual(pending.issuedAt.toISOString(), "2026-11-26T09:30:00.000Z")
      assert.strictEqual(pending.expiresAt.toISOString(), "2026-11-26T09:33:00.000Z")
      yield* TestClock.adjust("2 minutes")
      assert.isFalse(PendingSignIn.isExpired(pending, Date.parse("2026-11-26T09:32:59.999Z")))
      yield* TestClock.adjust("1 minute")
      const fresh = yield* freshAuth
      const before = yield* cognito.requestCount()
      const error = yield* expectReason(fresh.resumeSignIn(pending), "SessionExpired")
      assert.strictEqual(error.method, "resumeSignIn")
      assert.match(
        error.message,
        /expired at 2026-11-26T09:33:00\.000Z \(Cognito answers one for 3 minutes\); sign in again$/
      )
      assert.strictEqual(yield* cognito.requestCount(), before)
      yield* expectReason(confirm(fresh, yield* cognito.lastCodeFor("alice")), "NoPendingChallenge")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("the expiry follows the app client's AuthSessionValidity", () =>
    Effect.gen(function* () {
      const json = yield* smsChallenge
      const cognito = yield* TestCognito.TestCognito
      const pending = yield* PendingSignIn.fromJson(json)
      assert.strictEqual(pending.expiresAt.toISOString(), "2026-11-26T09:40:00.000Z")
      yield* TestClock.adjust("9 minutes")
      const fresh = yield* freshAuth
      yield* fresh.resumeSignIn(pending)
      assert.strictEqual((yield* confirm(fresh, yield* cognito.lastCodeFor("alice")))._tag, "SignedIn")
    }).pipe(
      Effect.provide(
        TestCognito.layer({
          sessionValidity: "10 minutes",
          codeValidity: { mfa: "10 minutes" },
          config: { authSessionValidity: "10 minutes" }
        })
      )
    )
  )

  it.effect("the JSON holds the session (it must) but no password, code or TOTP secret; the value hides it", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser({ username: "carol", password, userAttributes: { email: "carol@example.com" } })
      const cognito = yield* TestCognito.TestCognito
      const auth = yield* Auth.Auth
      const setup = yield* auth.signIn({ username: "carol", password })
      assert.strictEqual(setup._tag, "MfaSetup")
      if (setup._tag !== "MfaSetup") return
      const pending = Option.getOrThrow(yield* auth.pendingSignIn)
      const session = Redacted.value(pending.session!)
      const json = yield* PendingSignIn.toJson(pending)
      assert.include(json, session)
      assert.notInclude(json, Redacted.value(password))
      assert.notInclude(json, Redacted.value(setup.totpSharedSecret))
      for (const shown of [JSON.stringify(pending), String(pending), JSON.stringify(Option.some(pending))]) {
        assert.notInclude(shown, session)
        assert.notInclude(shown, Redacted.value(setup.totpSharedSecret))
      }
      assert.deepStrictEqual(Object.keys(JSON.parse(json)), ["version", "pendingSignIn"])

      // A TOTP setup resumes as "enter the authenticator's code"; the secret was shown once.
      const fresh = yield* freshAuth
      const step = yield* fresh.resumeSignIn(yield* PendingSignIn.fromJson(json))
      assert.strictEqual(step._tag, "SoftwareTokenMfa")
      yield* expectReason(confirm(fresh, "000000"), "EnableSoftwareTokenMfa")
      const code = yield* cognito.totpCode(setup.totpSharedSecret)
      assert.strictEqual((yield* confirm(fresh, code))._tag, "SignedIn")
      assert.strictEqual((yield* fresh.getTokens()).username, "carol")
    }).pipe(Effect.provide(TestCognito.layer({ mfa: "ON", mfaTypes: ["TOTP"] })))
  )

  it.effect("a choice of MFA type, then its code, each answered by another Auth", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const cognito = yield* TestCognito.TestCognito
      yield* cognito.adminSetUserMfa("alice", { sms: true, email: true })
      const auth = yield* Auth.Auth
      yield* auth.signIn({ username: "alice", password })
      const first = yield* freshAuth
      const choose = yield* first.resumeSignIn(yield* PendingSignIn.fromJson(yield* saved))
      assert.deepStrictEqual(choose, Auth.SignInResult.SelectMfaType({ allowedMfaTypes: ["SMS", "EMAIL"] }))
      const email = yield* confirm(first, "EMAIL")
      assert.strictEqual(email._tag, "EmailOtp")
      const next = Option.getOrThrow(yield* first.pendingSignIn)
      assert.strictEqual(next.challengeName, "EMAIL_OTP")
      const second = yield* freshAuth
      const step = yield* second.resumeSignIn(yield* PendingSignIn.fromJson(yield* PendingSignIn.toJson(next)))
      assert.deepStrictEqual(step, email)
      assert.strictEqual((yield* confirm(second, yield* cognito.lastCodeFor("alice")))._tag, "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a new password required resumes with the required attributes and the user's", () =>
    Effect.gen(function* () {
      const cognito = yield* TestCognito.TestCognito
      yield* cognito.adminCreateUser({
        username: "dave",
        temporaryPassword: Redacted.make("Temp@1234"),
        userAttributes: { phone_number: "+15555550199" }
      })
      const auth = yield* Auth.Auth
      const asked = yield* auth.signIn({ username: "dave", password: Redacted.make("Temp@1234") })
      const fresh = yield* freshAuth
      const step = yield* fresh.resumeSignIn(yield* PendingSignIn.fromJson(yield* saved))
      assert.deepStrictEqual(step, asked)
      assert.strictEqual(step._tag, "NewPasswordRequired")
      const done = yield* fresh.confirmSignIn({
        challengeResponse: Redacted.make("Strong@1234"),
        userAttributes: { email: "dave@example.com" }
      })
      assert.strictEqual(done._tag, "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer({ requiredAttributes: ["email"] })))
  )

  it.effect("refuses another app client's sign-in (InvalidInput) and resuming while signed in (AlreadySignedIn)", () =>
    Effect.gen(function* () {
      const json = yield* smsChallenge
      const pending = yield* PendingSignIn.fromJson(json)
      const fresh = yield* freshAuth
      const error = yield* expectReason(
        fresh.resumeSignIn(new PendingSignIn.PendingSignIn({ ...pending, clientId: "anotherclient123" })),
        "InvalidInput"
      )
      assert.include(error.message, "started with app client anotherclient123")
      const cognito = yield* TestCognito.TestCognito
      yield* fresh.resumeSignIn(pending)
      yield* confirm(fresh, yield* cognito.lastCodeFor("alice"))
      yield* expectReason(fresh.resumeSignIn(pending), "AlreadySignedIn")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("signOut drops a resumed challenge", () =>
    Effect.gen(function* () {
      const json = yield* smsChallenge
      const fresh = yield* freshAuth
      yield* fresh.resumeSignIn(yield* PendingSignIn.fromJson(json))
      yield* fresh.signOut()
      assert.isTrue(Option.isNone(yield* fresh.pendingSignIn))
      yield* expectReason(confirm(fresh, "123456"), "NoPendingChallenge")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("nothing is pending before a challenge nor after SignedIn", () =>
    Effect.gen(function* () {
      yield* confirmedUser()
      const auth = yield* Auth.Auth
      assert.isTrue(Option.isNone(yield* auth.pendingSignIn))
      yield* auth.signIn(alice)
      assert.isTrue(Option.isNone(yield* auth.pendingSignIn))
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})
