import * as Auth from "@effect-cognito/core/Auth"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { alice, atStart, expectReason, password } from "./fixtures.js"

const signedUp = Effect.gen(function* () {
  const auth = yield* Auth.Auth
  return yield* auth.signUp(alice)
})

describe("signUp", () => {
  it.effect("signs up unconfirmed, confirms with the delivered code and signs in with SRP", () =>
    Effect.gen(function* () {
      yield* atStart
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const signUp = yield* auth.signUp({
        username: "alice",
        password: Redacted.make("Abc@123!x"),
        userAttributes: { email: "alice@example.com", phone_number: "+15555550100", "custom:badge": "ABC123XYZ" }
      })
      assert.strictEqual(signUp.confirmationState, "Unconfirmed")
      assert.deepStrictEqual(signUp.codeDeliveryDetails, {
        deliveryMedium: "EMAIL",
        destination: "a***@e***",
        attributeName: "email"
      })
      assert.match(signUp.userSub, /^[0-9a-f-]{36}$/)
      const code = yield* cognito.lastCodeFor("alice")
      const confirmed = yield* auth.confirmSignUp({ username: "alice", confirmationCode: code })
      assert.strictEqual(confirmed.confirmationState, "Confirmed")
      const result = yield* auth.signIn({ username: "alice", password: Redacted.make("Abc@123!x") })
      assert.strictEqual(result._tag, "SignedIn")
      assert.isTrue(yield* auth.isSignedIn)
      assert.deepStrictEqual(yield* auth.username, Option.some("alice"))
      assert.deepStrictEqual(
        (yield* cognito.requests).map((r) => r.action),
        ["SignUp", "ConfirmSignUp", "InitiateAuth", "RespondToAuthChallenge"]
      )
      const attributes = yield* auth.getUserAttributes
      assert.strictEqual(attributes["custom:badge"], "ABC123XYZ")
      assert.strictEqual(attributes.email_verified, "true")
      assert.strictEqual(attributes.sub, signUp.userSub)
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("is confirmed at once when the pool auto-confirms, and sends no code", () =>
    Effect.gen(function* () {
      const result = yield* signedUp
      assert.strictEqual(result.confirmationState, "Confirmed")
      assert.isUndefined(result.codeDeliveryDetails)
      const cognito = yield* TestCognito.TestCognito
      assert.strictEqual((yield* cognito.outbox).length, 0)
    }).pipe(Effect.provide(TestCognito.layer({ autoConfirm: true })))
  )

  it.effect("sends the code by SMS when the user has only a phone number", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      const result = yield* auth.signUp({ username: "bob", password, userAttributes: { phone_number: "+15555550123" } })
      assert.deepStrictEqual(result.codeDeliveryDetails, {
        deliveryMedium: "SMS",
        destination: "+*******0123",
        attributeName: "phone_number"
      })
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("fails with UsernameExists when the username is taken", () =>
    Effect.gen(function* () {
      yield* signedUp
      const error = yield* expectReason(signedUp, "UsernameExists")
      assert.strictEqual(error.exception, "UsernameExistsException")
      assert.strictEqual(error.method, "SignUp")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("fails with InvalidPassword when the password breaks the policy", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      const weak = ["Sh1!a", "alllowercase1!", "ALLUPPERCASE1!", "NoDigits!!", "NoSymbols123"]
      for (const [i, candidate] of weak.entries()) {
        const error = yield* expectReason(
          auth.signUp({ username: `user${i}`, password: Redacted.make(candidate) }),
          "InvalidPassword"
        )
        assert.match(error.message, /Password did not conform with policy/)
      }
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("fails with InvalidParameter for an attribute the schema lacks or a malformed phone number", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      yield* expectReason(
        auth.signUp({ username: "x", password, userAttributes: { shoe_size: "44" } }),
        "InvalidParameter"
      )
      yield* expectReason(
        auth.signUp({ username: "y", password, userAttributes: { phone_number: "555-0100" } }),
        "InvalidParameter"
      )
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("fails with InvalidParameter when a required attribute is missing", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      yield* expectReason(
        auth.signUp({ username: "x", password, userAttributes: { phone_number: "+15555550100" } }),
        "InvalidParameter"
      )
    }).pipe(Effect.provide(TestCognito.layer({ requiredAttributes: ["email"] })))
  )

  it.effect("fails with CodeMismatch for a wrong code, then LimitExceeded after too many", () =>
    Effect.gen(function* () {
      yield* signedUp
      const auth = yield* Auth.Auth
      const wrong = auth.confirmSignUp({ username: "alice", confirmationCode: Redacted.make("000000") })
      for (let i = 0; i < 5; i++) yield* expectReason(wrong, "CodeMismatch")
      yield* expectReason(wrong, "LimitExceeded")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("fails with ExpiredCode once the code's lifetime has passed", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* signedUp
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const code = yield* cognito.lastCodeFor("alice")
      yield* TestClock.adjust("24 hours")
      yield* expectReason(auth.confirmSignUp({ username: "alice", confirmationCode: code }), "ExpiredCode")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("accepts a code just before it expires", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* signedUp
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const code = yield* cognito.lastCodeFor("alice")
      yield* TestClock.adjust("23 hours")
      yield* auth.confirmSignUp({ username: "alice", confirmationCode: code })
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("resends a new code that replaces the old one", () =>
    Effect.gen(function* () {
      yield* signedUp
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const first = yield* cognito.lastCodeFor("alice")
      const details = yield* auth.resendSignUpCode({ username: "alice" })
      assert.strictEqual(details?.deliveryMedium, "EMAIL")
      const second = yield* cognito.lastCodeFor("alice")
      assert.notStrictEqual(Redacted.value(first), Redacted.value(second))
      yield* expectReason(auth.confirmSignUp({ username: "alice", confirmationCode: first }), "CodeMismatch")
      yield* auth.confirmSignUp({ username: "alice", confirmationCode: second })
      yield* expectReason(auth.resendSignUpCode({ username: "alice" }), "InvalidParameter")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("fails with UserNotFound when confirming or resending for an unknown user", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      yield* expectReason(
        auth.confirmSignUp({ username: "nobody", confirmationCode: Redacted.make("1") }),
        "UserNotFound"
      )
      yield* expectReason(auth.resendSignUpCode({ username: "nobody" }), "UserNotFound")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("fails with NotAuthorized when confirming a user twice", () =>
    Effect.gen(function* () {
      yield* signedUp
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const code = yield* cognito.lastCodeFor("alice")
      yield* auth.confirmSignUp({ username: "alice", confirmationCode: code })
      yield* expectReason(auth.confirmSignUp({ username: "alice", confirmationCode: code }), "NotAuthorized")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("surfaces throttling as TooManyRequests and works again afterwards", () =>
    Effect.gen(function* () {
      const cognito = yield* TestCognito.TestCognito
      yield* cognito.failNext("SignUp", "TooManyRequests")
      yield* expectReason(signedUp, "TooManyRequests")
      const result = yield* signedUp
      assert.strictEqual(result.confirmationState, "Unconfirmed")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("rejects an empty username before any request", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      yield* expectReason(auth.signUp({ username: " ", password }), "InvalidInput")
      assert.strictEqual(yield* cognito.requestCount(), 0)
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})
