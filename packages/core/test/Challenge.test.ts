/** The challenge protocol as pure functions: Cognito's challenge to a `SignInResult`, an answer to `ChallengeResponses`. */
import { assert, describe, it } from "@effect/vitest"
import * as Redacted from "effect/Redacted"
import * as Auth from "../src/Auth.js"
import * as IdentityProvider from "../src/IdentityProvider.js"
import * as Challenge from "../src/internal/challenge.js"

const secret = (value: string) => Redacted.make(value)
const reveal = (responses: Readonly<Record<string, Redacted.Redacted<string>>>) =>
  Object.fromEntries(Object.entries(responses).map(([k, v]) => [k, Redacted.value(v)]))

describe("challenge.interpret", () => {
  it("SMS_MFA waits for the code, with where Cognito sent it", () => {
    const result = Challenge.interpret("SMS_MFA", {
      CODE_DELIVERY_DELIVERY_MEDIUM: "SMS",
      CODE_DELIVERY_DESTINATION: "+*******1234"
    })
    assert.deepStrictEqual(result, {
      _tag: "Wait",
      result: Auth.SignInResult.SmsMfa({
        codeDeliveryDetails: { deliveryMedium: "SMS", destination: "+*******1234", attributeName: "phone_number" }
      })
    })
  })

  it("EMAIL_OTP without delivery parameters falls back to EMAIL and an empty destination", () => {
    const result = Challenge.interpret("EMAIL_OTP", {})
    assert.deepStrictEqual(result, {
      _tag: "Wait",
      result: Auth.SignInResult.EmailOtp({
        codeDeliveryDetails: { deliveryMedium: "EMAIL", destination: "", attributeName: "email" }
      })
    })
  })

  it("SELECT_MFA_TYPE lists the MFA types of MFAS_CAN_CHOOSE, skipping names that are not MFA types", () => {
    const result = Challenge.interpret("SELECT_MFA_TYPE", {
      MFAS_CAN_CHOOSE: JSON.stringify(["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP", "WEB_AUTHN", 7])
    })
    assert.deepStrictEqual(result, {
      _tag: "Wait",
      result: Auth.SignInResult.SelectMfaType({ allowedMfaTypes: ["SMS", "TOTP", "EMAIL"] })
    })
  })

  it("SELECT_MFA_TYPE with a list that is not JSON offers nothing rather than failing", () => {
    const result = Challenge.interpret("SELECT_MFA_TYPE", { MFAS_CAN_CHOOSE: "[SMS_MFA" })
    assert.deepStrictEqual(result, { _tag: "Wait", result: Auth.SignInResult.SelectMfaType({ allowedMfaTypes: [] }) })
  })

  it("MFA_SETUP asks for a TOTP association when TOTP may be set up", () => {
    const result = Challenge.interpret("MFA_SETUP", { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]' })
    assert.deepStrictEqual(result, { _tag: "SetUpTotp", allowedMfaTypes: ["TOTP", "EMAIL"] })
  })

  it("MFA_SETUP without TOTP is refused as UnsupportedOperation, naming what was offered", () => {
    const result = Challenge.interpret("MFA_SETUP", { MFAS_CAN_SETUP: '["EMAIL_OTP"]' })
    assert.strictEqual(result._tag, "Refusal")
    if (result._tag !== "Refusal") return
    assert.strictEqual(result.reason, "UnsupportedOperation")
    assert.include(result.description, "EMAIL")
  })

  it("NEW_PASSWORD_REQUIRED strips the userAttributes. prefix and keeps only string attributes", () => {
    const result = Challenge.interpret("NEW_PASSWORD_REQUIRED", {
      requiredAttributes: '["userAttributes.name","userAttributes.phone_number"]',
      userAttributes: '{"email":"a@example.com","email_verified":true}'
    })
    assert.deepStrictEqual(result, {
      _tag: "Wait",
      result: Auth.SignInResult.NewPasswordRequired({
        requiredAttributes: ["name", "phone_number"],
        userAttributes: { email: "a@example.com" }
      })
    })
  })

  it("CUSTOM_CHALLENGE passes the Lambda's public parameters on", () => {
    const result = Challenge.interpret("CUSTOM_CHALLENGE", { question: "2 + 2?" })
    assert.deepStrictEqual(result, {
      _tag: "Wait",
      result: Auth.SignInResult.CustomChallenge({ parameters: { question: "2 + 2?" } })
    })
  })

  it("refuses the challenges the client does not support, naming them", () => {
    for (const name of [
      "PASSWORD_VERIFIER",
      "DEVICE_SRP_AUTH",
      "DEVICE_PASSWORD_VERIFIER",
      "ADMIN_NO_SRP_AUTH"
    ] as const) {
      const result = Challenge.interpret(name, {})
      assert.deepStrictEqual(result, {
        _tag: "Refusal",
        reason: "UnsupportedOperation",
        description: `the challenge ${name} is not supported`
      })
    }
  })

  it("answers every challenge name Cognito defines (none falls through)", () => {
    for (const name of IdentityProvider.challengeNames) {
      assert.isDefined(Challenge.interpret(name, {}), name)
      assert.isDefined(Challenge.answer(name, { challengeResponse: secret("x") }), name)
    }
  })
})

describe("challenge.answer", () => {
  it("puts each code in the field its challenge names", () => {
    const code = secret("123456")
    const cases = [
      ["SMS_MFA", "SMS_MFA_CODE"],
      ["SOFTWARE_TOKEN_MFA", "SOFTWARE_TOKEN_MFA_CODE"],
      ["EMAIL_OTP", "EMAIL_OTP_CODE"],
      ["CUSTOM_CHALLENGE", "ANSWER"]
    ] as const
    for (const [name, field] of cases) {
      const answer = Challenge.answer(name, { challengeResponse: code })
      assert.deepStrictEqual(answer, { _tag: "Respond", challengeResponses: { [field]: code } }, name)
    }
  })

  it("SELECT_MFA_TYPE accepts an MFA type or a challenge name and sends the challenge name", () => {
    for (const [given, sent] of [
      ["TOTP", "SOFTWARE_TOKEN_MFA"],
      ["SMS", "SMS_MFA"],
      ["EMAIL", "EMAIL_OTP"],
      ["EMAIL_OTP", "EMAIL_OTP"]
    ] as const) {
      const answer = Challenge.answer("SELECT_MFA_TYPE", { challengeResponse: secret(given) })
      assert.strictEqual(answer._tag, "Respond")
      if (answer._tag === "Respond") assert.deepStrictEqual(reveal(answer.challengeResponses), { ANSWER: sent })
    }
  })

  it("SELECT_MFA_TYPE refuses anything else as InvalidInput", () => {
    for (const given of ["PUSH", "toString", ""]) {
      const answer = Challenge.answer("SELECT_MFA_TYPE", { challengeResponse: secret(given) })
      assert.strictEqual(answer._tag, "Refusal")
      if (answer._tag === "Refusal") assert.strictEqual(answer.reason, "InvalidInput")
    }
  })

  it("NEW_PASSWORD_REQUIRED sends the password and each attribute under userAttributes.", () => {
    const answer = Challenge.answer("NEW_PASSWORD_REQUIRED", {
      challengeResponse: secret("N3w-Passw0rd!"),
      userAttributes: { name: "Alice" }
    })
    assert.strictEqual(answer._tag, "Respond")
    if (answer._tag === "Respond")
      assert.deepStrictEqual(reveal(answer.challengeResponses), {
        NEW_PASSWORD: "N3w-Passw0rd!",
        "userAttributes.name": "Alice"
      })
  })

  it("MFA_SETUP verifies the authenticator code before responding", () => {
    assert.deepStrictEqual(Challenge.answer("MFA_SETUP", { challengeResponse: secret("123456") }), {
      _tag: "VerifySoftwareToken"
    })
  })

  it("refuses to answer a challenge the client never waits on", () => {
    assert.deepStrictEqual(Challenge.answer("PASSWORD_VERIFIER", { challengeResponse: secret("x") }), {
      _tag: "Refusal",
      reason: "UnsupportedOperation",
      description: "cannot answer PASSWORD_VERIFIER"
    })
  })
})

describe("challenge helpers", () => {
  it("the answer's USERNAME is Cognito's: USERNAME, then USER_ID_FOR_SRP, then what the user typed", () => {
    assert.strictEqual(Challenge.challengeUsername({ USERNAME: "u-1", USER_ID_FOR_SRP: "u-2" }, "alias"), "u-1")
    assert.strictEqual(Challenge.challengeUsername({ USER_ID_FOR_SRP: "u-2" }, "alias"), "u-2")
    assert.strictEqual(Challenge.challengeUsername({}, "alias"), "alias")
  })

  it("the MFA tables agree in both directions", () => {
    for (const type of ["SMS", "TOTP", "EMAIL"] as const)
      assert.strictEqual(Challenge.mfaTypeOf(Challenge.mfaChallengeNames[type]), type)
    assert.isUndefined(Challenge.mfaTypeOf("NEW_PASSWORD_REQUIRED"))
  })
})
