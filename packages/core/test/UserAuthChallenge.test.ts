/**
 * Choice-based sign-in's pure rules: what SELECT_CHALLENGE, SMS_OTP, WEB_AUTHN and the
 * chosen password factors mean (`interpret`) and how they are answered (`answer`), what a
 * saved one resumes as, that a value saved before USER_AUTH existed still loads, and
 * `WebAuthn`'s base64url and schemas.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Auth from "../src/Auth.js"
import * as PendingSignIn from "../src/PendingSignIn.js"
import * as Challenge from "../src/internal/challenge.js"
import * as PendingCell from "../src/internal/pendingSignIn.js"
import * as UserAuth from "../src/internal/userAuth.js"
import * as WebAuthnCeremony from "../src/internal/webAuthn.js"
import * as WebAuthn from "../src/WebAuthn.js"

const secret = Redacted.make
const reveal = (responses: Readonly<Record<string, Redacted.Redacted<string>>>) =>
  Object.fromEntries(Object.entries(responses).map(([k, v]) => [k, Redacted.value(v)]))

const offered = UserAuth.parametersOf({ parameters: {}, availableChallenges: ["PASSWORD_SRP", "EMAIL_OTP", "FACE_ID"] })

describe("USER_AUTH challenges", () => {
  it("SELECT_CHALLENGE lists the factors Cognito offered (names it does not know are skipped)", () => {
    assert.deepStrictEqual(Challenge.interpret("SELECT_CHALLENGE", offered), {
      _tag: "Wait",
      result: Auth.SignInResult.SelectChallenge({ availableChallenges: ["PASSWORD_SRP", "EMAIL_OTP"] })
    })
  })

  it("SMS_OTP is an SmsOtp step; a chosen password factor is PasswordRequired; WEB_AUTHN hands its options on", () => {
    const sms = Challenge.interpret("SMS_OTP", {
      CODE_DELIVERY_DELIVERY_MEDIUM: "SMS",
      CODE_DELIVERY_DESTINATION: "+*0199"
    })
    assert.deepStrictEqual(sms, {
      _tag: "Wait",
      result: Auth.SignInResult.SmsOtp({
        codeDeliveryDetails: { deliveryMedium: "SMS", destination: "+*0199", attributeName: "phone_number" }
      })
    })
    for (const name of ["PASSWORD", "PASSWORD_SRP"] as const)
      assert.deepStrictEqual(Challenge.interpret(name, {}), {
        _tag: "Wait",
        result: Auth.SignInResult.PasswordRequired()
      })
    assert.deepStrictEqual(Challenge.interpret("WEB_AUTHN", { CREDENTIAL_REQUEST_OPTIONS: "{}" }), {
      _tag: "WebAuthn",
      requestOptions: "{}"
    })
    assert.strictEqual(Challenge.interpret("WEB_AUTHN", {})._tag, "Refusal")
  })

  it("answers SELECT_CHALLENGE with an offered factor; a password factor first asks for the password", () => {
    const email = Challenge.answer("SELECT_CHALLENGE", { challengeResponse: secret("EMAIL_OTP") }, offered)
    assert.strictEqual(email._tag, "Respond")
    if (email._tag === "Respond") assert.deepStrictEqual(reveal(email.challengeResponses), { ANSWER: "EMAIL_OTP" })
    assert.deepStrictEqual(
      Challenge.answer("SELECT_CHALLENGE", { challengeResponse: secret("PASSWORD_SRP") }, offered),
      {
        _tag: "AskPassword",
        factor: "PASSWORD_SRP"
      }
    )
    for (const refused of ["SMS_OTP", "TOTP", "email_otp", ""]) {
      const answer = Challenge.answer("SELECT_CHALLENGE", { challengeResponse: secret(refused) }, offered)
      assert.strictEqual(answer._tag, "Refusal", refused)
      if (answer._tag === "Refusal") assert.strictEqual(answer.reason, "InvalidInput")
    }
  })

  it("answers the password with SELECT_CHALLENGE (ANSWER PASSWORD), SMS_OTP with SMS_OTP_CODE", () => {
    const password = Challenge.answer("PASSWORD", { challengeResponse: secret("Abc@123!x") })
    assert.strictEqual(password._tag, "Respond")
    if (password._tag === "Respond") {
      assert.strictEqual(password.challengeName, "SELECT_CHALLENGE")
      assert.deepStrictEqual(reveal(password.challengeResponses), { ANSWER: "PASSWORD", PASSWORD: "Abc@123!x" })
    }
    assert.deepStrictEqual(Challenge.answer("PASSWORD_SRP", { challengeResponse: secret("x") }), {
      _tag: "PasswordSrp"
    })
    const sms = Challenge.answer("SMS_OTP", { challengeResponse: secret("12345678") })
    assert.strictEqual(sms._tag, "Respond")
    if (sms._tag === "Respond") assert.deepStrictEqual(reveal(sms.challengeResponses), { SMS_OTP_CODE: "12345678" })
  })

  it("a preferred factor: the caller's, else PASSWORD_SRP with a password; refusals as InvalidInput", () => {
    const none = UserAuth.preferredOf("signIn", {})
    assert.isTrue(none._tag === "Success" && none.success === undefined)
    const srp = UserAuth.preferredOf("signIn", { password: secret("x") })
    assert.isTrue(srp._tag === "Success" && srp.success === "PASSWORD_SRP")
    const withCode = UserAuth.preferredOf("signIn", { password: secret("x"), preferredChallenge: "EMAIL_OTP" })
    assert.isTrue(withCode._tag === "Failure" && withCode.failure.reason === "InvalidInput")
    const unknown = UserAuth.preferredOf("signIn", { preferredChallenge: "toString" })
    assert.isTrue(unknown._tag === "Failure" && unknown.failure.reason === "InvalidInput")
  })
})

describe("saved USER_AUTH steps", () => {
  const base = {
    userPoolId: "eu-west-1_AbCdEf123",
    clientId: "client123",
    username: "alice",
    session: secret("session-of-the-selection"),
    issuedAt: new Date(0),
    expiresAt: new Date(180_000)
  }

  it.effect("a selection and a password step round-trip through JSON and resume as they were", () =>
    Effect.gen(function* () {
      for (const [challengeName, expected] of [
        ["SELECT_CHALLENGE", Auth.SignInResult.SelectChallenge({ availableChallenges: ["PASSWORD_SRP", "EMAIL_OTP"] })],
        ["PASSWORD_SRP", Auth.SignInResult.PasswordRequired()],
        [
          "SMS_OTP",
          Auth.SignInResult.SmsOtp({
            codeDeliveryDetails: { deliveryMedium: "SMS", destination: "", attributeName: "phone_number" }
          })
        ]
      ] as const) {
        const saved = new PendingSignIn.PendingSignIn({ ...base, challengeName, challengeParameters: offered })
        const text = yield* PendingSignIn.toJson(saved)
        assert.include(text, '"version":1')
        const loaded = yield* PendingSignIn.fromJson(text)
        assert.deepStrictEqual(PendingCell.stepOf(loaded), expected)
        assert.notInclude(JSON.stringify(loaded), "session-of-the-selection")
      }
      const passkey = new PendingSignIn.PendingSignIn({ ...base, challengeName: "WEB_AUTHN", challengeParameters: {} })
      assert.strictEqual(PendingCell.stepOf(passkey)._tag, "Refusal")
    })
  )

  it.effect("a value saved before USER_AUTH existed still loads", () =>
    Effect.gen(function* () {
      const old =
        '{"version":1,"pendingSignIn":{"userPoolId":"eu-west-1_AbCdEf123","clientId":"client123","username":"alice","challengeName":"SMS_MFA","session":"s","challengeParameters":{"CODE_DELIVERY_DESTINATION":"+*0100"},"issuedAt":"2026-11-26T09:30:00.000Z","expiresAt":"2026-11-26T09:33:00.000Z"}}'
      const loaded = yield* PendingSignIn.fromJson(old)
      assert.strictEqual(PendingCell.stepOf(loaded)._tag, "SmsMfa")
    })
  )
})

describe("WebAuthn", () => {
  it("converts base64url without padding both ways, and refuses what is not base64url", () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xbf, 0x00, 0x01])
    const text = WebAuthn.toBase64Url(bytes)
    assert.strictEqual(text, "-_-_AAE")
    assert.deepStrictEqual(WebAuthn.fromBase64Url(text), bytes)
    assert.deepStrictEqual(WebAuthn.toBase64Url(bytes.buffer), text)
    for (const bad of ["+/+/AAE", "a b", "abcde", "ab\n"]) assert.isUndefined(WebAuthn.fromBase64Url(bad), bad)
  })

  it("decodes request options and refuses garbage, saying where without quoting it", () => {
    const ok = WebAuthnCeremony.requestOptions(
      JSON.stringify({ challenge: "Y2g", rpId: "localhost", allowCredentials: [{ type: "public-key", id: "aWQ" }] })
    )
    assert.isTrue(ok._tag === "Success" && ok.success.rpId === "localhost")
    for (const bad of ["not json", "[]", JSON.stringify({ challenge: "no+pe" }), "[".repeat(100)]) {
      const result = WebAuthnCeremony.requestOptions(bad)
      assert.strictEqual(result._tag, "Failure", bad)
      if (result._tag === "Failure") assert.notInclude(result.failure, "no+pe")
    }
  })

  it("decodes a browser's responses with their optional members", () => {
    const decode = Schema.decodeUnknownSync(WebAuthn.AuthenticationResponseJson)
    const response = decode({
      id: "aWQ",
      rawId: "aWQ",
      type: "public-key",
      response: { clientDataJSON: "e30", authenticatorData: "AA", signature: "AQ" },
      clientExtensionResults: {}
    })
    assert.strictEqual(response.id, "aWQ")
    assert.throws(() => decode({ ...response, type: "password" }))
  })

  it.effect("without the service, a passkey step fails with WebAuthnUnavailable", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(WebAuthnCeremony.assert(Option.none(), '{"challenge":"Y2g"}', "signIn"))
      assert.strictEqual(error.reason, "WebAuthnUnavailable")
    })
  )
})
