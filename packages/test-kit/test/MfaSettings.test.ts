/**
 * The account's MFA settings and attribute deletion through `Auth` on TestCognito: a
 * signed-in user sets up an authenticator (`setUpTotp`, `verifyTotpSetup`), turns TOTP on
 * and prefers it (`updateMfaPreference`), reads it back (`fetchMfaPreference`), and is asked
 * for the code at the next sign-in; Cognito's refusals come back with their reasons, and the
 * TOTP secret shows in no result's JSON.
 */
import * as Auth from "@effect-cognito/core/Auth"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { alice, atStart, confirmedUser, expectReason, password } from "./fixtures.js"

const pool = () => TestCognito.layer({ mfa: "OPTIONAL", requiredAttributes: ["email"], identityPool: false })

const signedIn = Effect.gen(function* () {
  yield* atStart
  yield* confirmedUser()
  const auth = yield* Auth.Auth
  assert.strictEqual((yield* auth.signIn({ username: "alice", password }))._tag, "SignedIn")
  return auth
})

/** The authenticator's code in the next 30-second step (Cognito takes a code once). */
const totpCode = (secret: Redacted.Redacted<string>) =>
  Effect.andThen(
    TestClock.adjust("30 seconds"),
    Effect.flatMap(TestCognito.TestCognito, (c) => c.totpCode(secret))
  )

describe("Auth MFA settings on TestCognito", () => {
  it.effect("sets up TOTP, prefers it, and is asked for its code at the next sign-in", () =>
    Effect.gen(function* () {
      const auth = yield* signedIn
      assert.deepStrictEqual(yield* auth.fetchMfaPreference(), { enabled: [] })
      const setup = yield* auth.setUpTotp()
      const secret = Redacted.value(setup.secret)
      assert.match(
        setup.uri({ issuer: "Acme" }),
        new RegExp(`^otpauth://totp/Acme:alice\\?secret=${secret}&issuer=Acme$`)
      )
      assert.notInclude(JSON.stringify(setup), secret)
      yield* auth.verifyTotpSetup({ code: yield* totpCode(setup.secret), friendlyDeviceName: "Alice's phone" })
      yield* auth.updateMfaPreference({ totp: "PREFERRED" })
      assert.deepStrictEqual(yield* auth.fetchMfaPreference(), { enabled: ["TOTP"], preferred: "TOTP" })
      yield* auth.signOut()
      const asked = yield* auth.signIn({ username: "alice", password })
      assert.strictEqual(asked._tag, "SoftwareTokenMfa")
      const done = yield* auth.confirmSignIn({ challengeResponse: yield* totpCode(setup.secret) })
      assert.strictEqual(done._tag, "SignedIn")
    }).pipe(Effect.provide(pool()))
  )

  it.effect("TOTP cannot be enabled before its setup is verified: InvalidParameter", () =>
    Effect.gen(function* () {
      const auth = yield* signedIn
      yield* auth.setUpTotp()
      const error = yield* expectReason(auth.updateMfaPreference({ totp: "ENABLED" }), "InvalidParameter")
      assert.strictEqual(error.exception, "InvalidParameterException")
      assert.deepStrictEqual(yield* auth.fetchMfaPreference(), { enabled: [] })
    }).pipe(Effect.provide(pool()))
  )

  it.effect("a wrong or reused authenticator code is refused", () =>
    Effect.gen(function* () {
      const auth = yield* signedIn
      const setup = yield* auth.setUpTotp()
      const code = yield* totpCode(setup.secret)
      const wrong = Redacted.make(Redacted.value(code) === "000000" ? "111111" : "000000")
      // Cognito's answer to a wrong code here: EnableSoftwareTokenMFAException.
      const refused = yield* expectReason(auth.verifyTotpSetup({ code: wrong }), "EnableSoftwareTokenMfa")
      assert.strictEqual(refused.exception, "EnableSoftwareTokenMFAException")
      yield* auth.verifyTotpSetup({ code })
      yield* auth.updateMfaPreference({ totp: "PREFERRED" })
      yield* auth.signOut()
      yield* auth.signIn({ username: "alice", password })
      // The code that verified the setup, within its step: Cognito takes a code once.
      yield* expectReason(auth.confirmSignIn({ challengeResponse: code }), "CodeMismatch")
    }).pipe(Effect.provide(pool()))
  )

  it.effect("several methods: enabled, preferred, no longer preferred, disabled", () =>
    Effect.gen(function* () {
      const auth = yield* signedIn
      yield* auth.updateMfaPreference({ sms: "ENABLED", email: "PREFERRED" })
      assert.deepStrictEqual(yield* auth.fetchMfaPreference(), { enabled: ["SMS", "EMAIL"], preferred: "EMAIL" })
      yield* auth.updateMfaPreference({ email: "NOT_PREFERRED", sms: "PREFERRED" })
      assert.deepStrictEqual(yield* auth.fetchMfaPreference(), { enabled: ["SMS", "EMAIL"], preferred: "SMS" })
      yield* auth.updateMfaPreference({ sms: "DISABLED", email: "DISABLED" })
      assert.deepStrictEqual(yield* auth.fetchMfaPreference(), { enabled: [] })
    }).pipe(Effect.provide(pool()))
  )

  it.effect(
    "deleteUserAttributes deletes an attribute; the email takes email_verified with it only if not required",
    () =>
      Effect.gen(function* () {
        const auth = yield* signedIn
        yield* auth.updateUserAttributes({ userAttributes: { nickname: "Al" } })
        assert.strictEqual((yield* auth.getUserAttributes).nickname, "Al")
        yield* auth.deleteUserAttributes({ attributeNames: ["nickname"] })
        assert.notProperty(yield* auth.getUserAttributes, "nickname")
        const required = yield* expectReason(
          auth.deleteUserAttributes({ attributeNames: ["email"] }),
          "InvalidParameter"
        )
        assert.strictEqual(required.exception, "InvalidParameterException")
        yield* expectReason(auth.deleteUserAttributes({ attributeNames: ["sub"] }), "InvalidParameter")
        assert.strictEqual((yield* auth.getUserAttributes).email, alice.userAttributes.email)
      }).pipe(Effect.provide(pool()))
  )

  it.effect("deleting the email of a pool that does not require it drops email_verified too", () =>
    Effect.gen(function* () {
      const auth = yield* signedIn
      assert.strictEqual((yield* auth.getUserAttributes).email_verified, "true")
      yield* auth.deleteUserAttributes({ attributeNames: ["email"] })
      const attributes = yield* auth.getUserAttributes
      assert.notProperty(attributes, "email")
      assert.notProperty(attributes, "email_verified")
    }).pipe(Effect.provide(TestCognito.layer({ mfa: "OPTIONAL", identityPool: false })))
  )

  it.effect("each needs a signed-in user: NotSignedIn", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      yield* expectReason(auth.setUpTotp(), "NotSignedIn")
      yield* expectReason(auth.fetchMfaPreference(), "NotSignedIn")
      yield* expectReason(auth.updateMfaPreference({ sms: "ENABLED" }), "NotSignedIn")
      yield* expectReason(auth.deleteUserAttributes({ attributeNames: ["nickname"] }), "NotSignedIn")
    }).pipe(Effect.provide(pool()))
  )
})
