/**
 * The account's MFA settings and attribute deletion from a signed-in session, over
 * `CognitoIdentityProvider` and the scripted Cognito of `FakeCognito`: TOTP setup and
 * verification, Amplify's preference names to Cognito's settings and back, input checked
 * before any request, `NotSignedIn` when signed out, and the TOTP secret never shown.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import * as Auth from "../src/Auth.js"
import type * as AuthError from "../src/AuthError.js"
import * as MfaSettings from "../src/internal/mfaSettings.js"
import * as FakeCognito from "./FakeCognito.js"

const signedIn = Effect.gen(function* () {
  yield* TestClock.setTime(FakeCognito.startSeconds * 1000)
  const auth = yield* Auth.Auth
  yield* auth.signIn({ username: "alice", password: Redacted.make("Passw0rd!") })
  return auth
})

const failure = <A>(effect: Effect.Effect<A, AuthError.AuthError>, reason: AuthError.Reason) =>
  Effect.gen(function* () {
    const error = yield* Effect.flip(effect)
    assert.strictEqual(error.reason, reason, error.message)
    return error
  })

describe("Auth MFA settings", () => {
  it.effect("setUpTotp associates a secret with the access token: Redacted, with its otpauth URI", () => {
    const cognito = FakeCognito.make({ tracking: false })
    return Effect.gen(function* () {
      const auth = yield* signedIn
      const setup = yield* auth.setUpTotp()
      const request = cognito.log.at(-1)!
      assert.strictEqual(request.action, "AssociateSoftwareToken")
      assert.deepStrictEqual(Object.keys(request.body), ["AccessToken"])
      assert.strictEqual(Redacted.value(setup.secret), FakeCognito.totpSecret)
      assert.strictEqual(
        setup.uri({ issuer: "Acme Corp" }),
        `otpauth://totp/Acme%20Corp:alice?secret=${FakeCognito.totpSecret}&issuer=Acme%20Corp`
      )
      assert.strictEqual(
        setup.uri({ issuer: "Acme", accountName: "alice@example.com" }),
        `otpauth://totp/Acme:alice%40example.com?secret=${FakeCognito.totpSecret}&issuer=Acme`
      )
      for (const shown of [JSON.stringify(setup), String(setup.secret)])
        assert.notInclude(shown, FakeCognito.totpSecret)
    }).pipe(Effect.provide(cognito.layer()))
  })

  it.effect("verifyTotpSetup sends the code and the authenticator's name; a wrong code is CodeMismatch", () => {
    const cognito = FakeCognito.make({ tracking: false })
    return Effect.gen(function* () {
      const auth = yield* signedIn
      yield* auth.setUpTotp()
      yield* auth.verifyTotpSetup({ code: Redacted.make(FakeCognito.totpCode), friendlyDeviceName: "Alice's phone" })
      const request = cognito.log.at(-1)!
      assert.strictEqual(request.action, "VerifySoftwareToken")
      assert.strictEqual(request.body.UserCode, FakeCognito.totpCode)
      assert.strictEqual(request.body.FriendlyDeviceName, "Alice's phone")
      assert.isString(request.body.AccessToken)
      const wrong = yield* failure(auth.verifyTotpSetup({ code: Redacted.make("654321") }), "CodeMismatch")
      assert.strictEqual(wrong.method, "verifyTotpSetup")
      assert.notInclude(JSON.stringify(wrong), "654321")
    }).pipe(Effect.provide(cognito.layer()))
  })

  it.effect("verifyTotpSetup checks its input first: no request for a bad code or name", () => {
    const cognito = FakeCognito.make({ tracking: false })
    return Effect.gen(function* () {
      const auth = yield* signedIn
      const count = cognito.log.length
      const bad = yield* failure(auth.verifyTotpSetup({ code: Redacted.make("12ab56") }), "InvalidInput")
      assert.notInclude(bad.message, "12ab56")
      yield* failure(
        auth.verifyTotpSetup({ code: Redacted.make(FakeCognito.totpCode), friendlyDeviceName: "a\u0000b" }),
        "InvalidInput"
      )
      yield* failure(
        auth.verifyTotpSetup({ code: Redacted.make(FakeCognito.totpCode), friendlyDeviceName: "" }),
        "InvalidInput"
      )
      assert.strictEqual(cognito.log.length, count)
    }).pipe(Effect.provide(cognito.layer()))
  })

  it.effect(
    "updateMfaPreference sends Amplify's names as Cognito's settings; fetchMfaPreference reads them back",
    () => {
      const cognito = FakeCognito.make({ tracking: false })
      return Effect.gen(function* () {
        const auth = yield* signedIn
        yield* auth.updateMfaPreference({ totp: "PREFERRED", sms: "DISABLED", email: "ENABLED" })
        const request = cognito.log.at(-1)!
        assert.strictEqual(request.action, "SetUserMFAPreference")
        assert.deepStrictEqual(request.body, {
          AccessToken: request.body.AccessToken,
          SMSMfaSettings: { Enabled: false },
          SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
          EmailMfaSettings: { Enabled: true }
        })
        assert.deepStrictEqual(yield* auth.fetchMfaPreference(), { enabled: ["TOTP", "EMAIL"], preferred: "TOTP" })
        yield* auth.updateMfaPreference({ totp: "NOT_PREFERRED" })
        assert.deepStrictEqual(cognito.log.at(-1)?.body.SoftwareTokenMfaSettings, {
          Enabled: true,
          PreferredMfa: false
        })
        assert.isUndefined(cognito.log.at(-1)?.body.SMSMfaSettings)
        assert.deepStrictEqual(yield* auth.fetchMfaPreference(), { enabled: ["EMAIL", "TOTP"] })
      }).pipe(Effect.provide(cognito.layer()))
    }
  )

  it.effect("updateMfaPreference refuses no method or an unknown value, without a request", () => {
    const cognito = FakeCognito.make({ tracking: false })
    return Effect.gen(function* () {
      const auth = yield* signedIn
      const count = cognito.log.length
      yield* failure(auth.updateMfaPreference({}), "InvalidInput")
      const unknown = yield* failure(
        auth.updateMfaPreference(JSON.parse('{"sms":"ALWAYS"}') as Auth.UpdateMfaPreferenceInput),
        "InvalidInput"
      )
      assert.include(unknown.message, "sms: expected one of ENABLED, DISABLED, PREFERRED, NOT_PREFERRED")
      assert.strictEqual(cognito.log.length, count)
    }).pipe(Effect.provide(cognito.layer()))
  })

  it.effect("deleteUserAttributes sends the names; none, or a bad one, is InvalidInput without a request", () => {
    const cognito = FakeCognito.make({ tracking: false })
    return Effect.gen(function* () {
      const auth = yield* signedIn
      yield* auth.deleteUserAttributes({ attributeNames: ["nickname", "custom:team"] })
      assert.strictEqual(cognito.log.at(-1)?.action, "DeleteUserAttributes")
      assert.deepStrictEqual(cognito.deletedAttributes, ["nickname", "custom:team"])
      const count = cognito.log.length
      yield* failure(auth.deleteUserAttributes({ attributeNames: [] }), "InvalidInput")
      yield* failure(auth.deleteUserAttributes({ attributeNames: ["has space"] }), "InvalidInput")
      yield* failure(auth.deleteUserAttributes({ attributeNames: ["x".repeat(33)] }), "InvalidInput")
      assert.strictEqual(cognito.log.length, count)
    }).pipe(Effect.provide(cognito.layer()))
  })

  it.effect("each fails with NotSignedIn when signed out, without a request", () => {
    const cognito = FakeCognito.make({ tracking: false })
    return Effect.gen(function* () {
      const auth = yield* Auth.Auth
      yield* failure(auth.setUpTotp(), "NotSignedIn")
      yield* failure(auth.verifyTotpSetup({ code: Redacted.make(FakeCognito.totpCode) }), "NotSignedIn")
      yield* failure(auth.updateMfaPreference({ totp: "ENABLED" }), "NotSignedIn")
      yield* failure(auth.fetchMfaPreference(), "NotSignedIn")
      yield* failure(auth.deleteUserAttributes({ attributeNames: ["nickname"] }), "NotSignedIn")
      assert.strictEqual(cognito.log.length, 0)
    }).pipe(Effect.provide(cognito.layer()))
  })

  describe("rules", () => {
    it("maps each preference as aws-amplify does", () => {
      assert.deepStrictEqual(MfaSettings.settingsOf("ENABLED"), { enabled: true })
      assert.deepStrictEqual(MfaSettings.settingsOf("DISABLED"), { enabled: false })
      assert.deepStrictEqual(MfaSettings.settingsOf("PREFERRED"), { enabled: true, preferredMfa: true })
      assert.deepStrictEqual(MfaSettings.settingsOf("NOT_PREFERRED"), { enabled: true, preferredMfa: false })
    })

    it("reads GetUser's lists, skipping names that are no MFA method and repeats", () => {
      assert.deepStrictEqual(
        MfaSettings.preferenceOf({
          username: "alice",
          userAttributes: {},
          userMfaSettingList: ["SMS_MFA", "WEB_AUTHN", "SMS_MFA", "EMAIL_OTP"],
          preferredMfaSetting: "EMAIL_OTP"
        }),
        { enabled: ["SMS", "EMAIL"], preferred: "EMAIL" }
      )
      assert.deepStrictEqual(
        MfaSettings.preferenceOf({ username: "alice", userAttributes: {}, userMfaSettingList: [] }),
        { enabled: [] }
      )
    })
  })
})
