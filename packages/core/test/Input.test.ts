import { assert, describe, it } from "@effect/vitest"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import type * as AuthError from "../src/AuthError.js"
import * as Input from "../src/internal/input.js"

const refused = <A>(checked: Input.Checked<A>, ...fragments: ReadonlyArray<string>): AuthError.AuthError => {
  assert.isTrue(Result.isFailure(checked), "expected a refusal")
  const error = (checked as Result.Failure<A, AuthError.AuthError>).failure
  assert.strictEqual(error.reason, "InvalidInput")
  assert.strictEqual(error.method, "signIn")
  for (const fragment of fragments) assert.include(error.message, fragment)
  return error
}

const accepted = <A>(checked: Input.Checked<A>): A => {
  assert.isTrue(Result.isSuccess(checked), Result.isFailure(checked) ? checked.failure.message : "")
  return (checked as Result.Success<A, AuthError.AuthError>).success
}

describe("Input", () => {
  it("usernames: 1 to 128 visible characters, counted as code points, never echoed", () => {
    assert.strictEqual(accepted(Input.username("signIn", "alice@example.com")), "alice@example.com")
    accepted(Input.username("signIn", "ålice-✓_+1"))
    accepted(Input.username("signIn", "😀".repeat(128)))
    refused(Input.username("signIn", ""), "username: expected 1 to 128 characters, found an empty string")
    refused(Input.username("signIn", "a".repeat(129)), "found 129 characters")
    const huge = refused(Input.username("signIn", "x".repeat(1024 * 1024)), "found 1048576 characters")
    assert.isBelow(huge.message.length, 200)
    for (const bad of ["al\u0000ice", "al ice", "alice\n", "al\u200bice", "\u007f"]) {
      const error = refused(Input.username("signIn", bad), "a space, a control or an invisible character")
      assert.notInclude(error.message, bad)
    }
    refused(Input.username("signIn", 42), "expected a string, found a number")
    refused(Input.username("signIn", undefined), "expected a string, found nothing")
  })

  it("passwords: Redacted, 1 to 256 characters, never shown", () => {
    const password = Redacted.make("correct horse battery staple")
    assert.strictEqual(accepted(Input.password("signIn", password)), password)
    accepted(Input.password("signIn", Redacted.make("é".repeat(256))))
    const long = refused(
      Input.password("signIn", Redacted.make(`secret-${"p".repeat(256)}`)),
      "expected 1 to 256 characters",
      "found 263 characters"
    )
    assert.notInclude(long.message, "secret-")
    refused(Input.password("signIn", Redacted.make("")), "found an empty string")
    const plain = refused(Input.password("signIn", "plain-secret"), "a Redacted string")
    assert.notInclude(plain.message, "plain-secret")
  })

  it("codes: confirmation codes without whitespace, MFA codes of 6 to 8 digits", () => {
    accepted(Input.confirmationCode("signIn", Redacted.make("123456")))
    accepted(Input.confirmationCode("signIn", Redacted.make("AbC-123")))
    refused(Input.confirmationCode("signIn", Redacted.make("123 456")), "no whitespace")
    refused(Input.confirmationCode("signIn", Redacted.make("1".repeat(2049))), "2049")
    accepted(Input.mfaCode("signIn", Redacted.make("123456")))
    accepted(Input.mfaCode("signIn", Redacted.make("12345678")))
    refused(Input.mfaCode("signIn", Redacted.make("12345")), "6 to 8 characters")
    const letters = refused(Input.mfaCode("signIn", Redacted.make("12345a")), "digits only")
    assert.notInclude(letters.message, "12345a")
    accepted(Input.challengeResponse("signIn", Redacted.make("SOFTWARE_TOKEN_MFA")))
    refused(Input.challengeResponse("signIn", Redacted.make("")), "challengeResponse")
  })

  it("attributes: names as Cognito allows (at most 32), values at most 2048 without control characters", () => {
    assert.deepStrictEqual(accepted(Input.attributes("signIn", { email: "a@b.c", "custom:team": "Ops\nDev" })), {
      email: "a@b.c",
      "custom:team": "Ops\nDev"
    })
    assert.strictEqual(accepted(Input.attributes("signIn", undefined)), undefined)
    refused(Input.attributes("signIn", { "": "x" }), "userAttributes name")
    refused(Input.attributes("signIn", { ["n".repeat(33)]: "x" }), "33 characters")
    refused(Input.attributes("signIn", { "has space": "x" }), "userAttributes name")
    refused(Input.attributes("signIn", { email: "x".repeat(2049) }), "userAttributes.email")
    refused(Input.attributes("signIn", { email: "a\u0000b" }), "no control characters")
    refused(Input.attributes("signIn", { email: 1 }), "expected a string")
    refused(Input.attributes("signIn", ["email"]), "an object of strings")
    const proto = accepted(Input.attributes("signIn", JSON.parse('{"__proto__":"x"}')))
    assert.deepStrictEqual(Object.keys(proto!), ["__proto__"])
  })

  it("client metadata: at most 50 string pairs", () => {
    accepted(Input.clientMetadata("signIn", { source: "web" }))
    refused(
      Input.clientMetadata("signIn", Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]))),
      "at most 50 pairs"
    )
    refused(Input.clientMetadata("signIn", { source: 1 }), "clientMetadata value")
  })
})
