/**
 * The signed-in user's own attributes through `Auth` over TestCognito: updating them, a
 * changed email or phone number unverified until its code confirms it, new codes, and
 * input checked before any request.
 */
import * as Auth from "@effect-cognito/core/Auth"
import { TestCognito, TestCognitoSnapshot } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { expectReason, signedIn } from "./fixtures.js"

const lastMessage = Effect.flatMap(TestCognito.TestCognito, (cognito) =>
  Effect.map(cognito.outbox, (outbox) => outbox[outbox.length - 1])
)

describe("user attributes", () => {
  it.effect("a changed email is unverified until the code sent to it confirms it; other attributes just change", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      const sent = yield* auth.updateUserAttributes({
        userAttributes: { email: "alice@example.org", name: "Alice Liddell" }
      })
      assert.deepStrictEqual(sent, [{ deliveryMedium: "EMAIL", destination: "a***@e***", attributeName: "email" }])
      const message = yield* lastMessage
      assert.strictEqual(message?.purpose, "VerifyAttribute")
      assert.strictEqual(message?.destination, "alice@example.org")
      const pending = yield* auth.getUserAttributes
      assert.strictEqual(pending.email, "alice@example.org")
      assert.strictEqual(pending.email_verified, "false")
      assert.strictEqual(pending.name, "Alice Liddell")

      yield* expectReason(
        auth.confirmUserAttribute({ attributeName: "email", confirmationCode: Redacted.make("000000") }),
        "CodeMismatch"
      )
      yield* auth.confirmUserAttribute({ attributeName: "email", confirmationCode: message!.code })
      assert.strictEqual((yield* auth.getUserAttributes).email_verified, "true")
      // A code answers once.
      yield* expectReason(
        auth.confirmUserAttribute({ attributeName: "email", confirmationCode: message!.code }),
        "ExpiredCode"
      )
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a changed phone number gets its code by SMS; an unchanged value sends none", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      const sent = yield* auth.updateUserAttributes({
        userAttributes: { phone_number: "+15555550199", email: "alice@example.com" }
      })
      assert.deepStrictEqual(
        sent.map((details) => [details.attributeName, details.deliveryMedium]),
        [["phone_number", "SMS"]]
      )
      assert.deepStrictEqual(yield* auth.updateUserAttributes({ userAttributes: { nickname: "al" } }), [])
      const attributes = yield* auth.getUserAttributes
      assert.strictEqual(attributes.phone_number_verified, "false")
      assert.strictEqual(attributes.nickname, "al")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect(
    "with attributesRequireVerificationBeforeUpdate the verified email stays until the code confirms the new one",
    () =>
      Effect.gen(function* () {
        yield* signedIn
        const auth = yield* Auth.Auth
        const cognito = yield* TestCognito.TestCognito
        const sent = yield* auth.updateUserAttributes({
          userAttributes: { email: "alice@example.org", phone_number: "+15555550199" }
        })
        assert.deepStrictEqual(
          sent.map((details) => [details.attributeName, details.destination]),
          [
            ["email", "a***@e***"],
            ["phone_number", "+*******0199"]
          ]
        )
        assert.strictEqual((yield* lastMessage)?.destination, "+15555550199")
        const before = yield* auth.getUserAttributes
        // The email waits for its code; the phone number (not in the setting) changed at once.
        assert.strictEqual(before.email, "alice@example.com")
        assert.strictEqual(before.email_verified, "true")
        assert.strictEqual(before.phone_number, "+15555550199")
        assert.strictEqual(before.phone_number_verified, "false")
        // A new code goes to the waiting address, and it survives a snapshot of the pool.
        yield* auth.sendUserAttributeVerificationCode({ attributeName: "email" })
        const message = yield* lastMessage
        assert.strictEqual(message?.destination, "alice@example.org")
        const snapshot = yield* Effect.flatMap(
          Effect.flatMap(cognito.snapshot, TestCognitoSnapshot.toJson),
          TestCognitoSnapshot.fromJson
        )
        const restored = yield* TestCognito.TestCognito.pipe(
          Effect.provide(TestCognito.layerCognito({ restore: snapshot }))
        )
        const { accessToken } = yield* auth.getTokens()
        yield* restored.provider.verifyUserAttribute({ accessToken, attributeName: "email", code: message!.code })
        const after = (yield* restored.adminGetUser("alice")).attributes
        assert.strictEqual(after.email, "alice@example.org")
        assert.strictEqual(after.email_verified, "true")
        // In the original pool the same code applies it too.
        yield* auth.confirmUserAttribute({ attributeName: "email", confirmationCode: message!.code })
        assert.strictEqual((yield* auth.getUserAttributes).email, "alice@example.org")
      }).pipe(Effect.provide(TestCognito.layer({ attributesRequireVerificationBeforeUpdate: ["email"] })))
  )

  it.effect("sendUserAttributeVerificationCode sends a new code: the earlier one stops working", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      yield* auth.updateUserAttributes({ userAttributes: { email: "alice@example.org" } })
      const first = (yield* lastMessage)!.code
      const details = yield* auth.sendUserAttributeVerificationCode({ attributeName: "email" })
      assert.deepStrictEqual(details, { deliveryMedium: "EMAIL", destination: "a***@e***", attributeName: "email" })
      const second = (yield* lastMessage)!.code
      assert.notStrictEqual(Redacted.value(first), Redacted.value(second))
      yield* expectReason(
        auth.confirmUserAttribute({ attributeName: "email", confirmationCode: first }),
        "CodeMismatch"
      )
      yield* auth.confirmUserAttribute({ attributeName: "email", confirmationCode: second })
      assert.strictEqual((yield* auth.getUserAttributes).email_verified, "true")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a code expires after 24 hours (by the clock); a new one works", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      yield* auth.updateUserAttributes({ userAttributes: { email: "alice@example.org" } })
      const code = (yield* lastMessage)!.code
      yield* TestClock.adjust("25 hours")
      yield* expectReason(auth.confirmUserAttribute({ attributeName: "email", confirmationCode: code }), "ExpiredCode")
      yield* auth.sendUserAttributeVerificationCode({ attributeName: "email" })
      yield* auth.confirmUserAttribute({ attributeName: "email", confirmationCode: (yield* lastMessage)!.code })
      assert.strictEqual((yield* auth.getUserAttributes).email_verified, "true")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("the pool refuses attributes it cannot verify, does not know, or that only a code may set", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      yield* expectReason(auth.sendUserAttributeVerificationCode({ attributeName: "name" }), "InvalidParameter")
      // Verified only by a code: marking it verified is refused, and nothing of the request is kept.
      yield* auth.updateUserAttributes({ userAttributes: { email: "alice@example.org" } })
      for (const name of ["email_verified", "phone_number_verified", "sub"])
        yield* expectReason(
          auth.updateUserAttributes({ userAttributes: { [name]: "true", nickname: "sneaky" } }),
          "InvalidParameter"
        )
      const attributes = yield* auth.getUserAttributes
      assert.strictEqual(attributes.email_verified, "false")
      assert.isUndefined(attributes.nickname)
      yield* expectReason(
        auth.updateUserAttributes({ userAttributes: { favourite_colour: "green" } }),
        "InvalidParameter"
      )
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("bad input fails with InvalidInput before any request; signed out is NotSignedIn", () =>
    Effect.gen(function* () {
      yield* signedIn
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const before = yield* cognito.requests
      yield* expectReason(auth.updateUserAttributes({ userAttributes: {} }), "InvalidInput")
      yield* expectReason(auth.updateUserAttributes({ userAttributes: { "bad name": "x" } }), "InvalidInput")
      yield* expectReason(auth.updateUserAttributes({ userAttributes: { name: "a\u0000b" } }), "InvalidInput")
      yield* expectReason(auth.sendUserAttributeVerificationCode({ attributeName: "" }), "InvalidInput")
      const error = yield* expectReason(
        auth.confirmUserAttribute({ attributeName: "email", confirmationCode: "123456" as never }),
        "InvalidInput"
      )
      assert.notInclude(error.message, "123456")
      assert.strictEqual((yield* cognito.requests).length, before.length)

      yield* auth.signOut()
      yield* expectReason(auth.updateUserAttributes({ userAttributes: { name: "x" } }), "NotSignedIn")
      yield* expectReason(auth.sendUserAttributeVerificationCode({ attributeName: "email" }), "NotSignedIn")
      yield* expectReason(
        auth.confirmUserAttribute({ attributeName: "email", confirmationCode: Redacted.make("123456") }),
        "NotSignedIn"
      )
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})
