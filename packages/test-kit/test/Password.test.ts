import * as Auth from "@effect-cognito/core/Auth"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { atStart, confirmedUser, expectReason, otherPassword, password } from "./fixtures.js"

describe("forgotPassword", () => {
  it.effect("sends a code to the verified email; the new password works and the old one does not", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const result = yield* auth.forgotPassword({ username: "alice" })
      assert.deepStrictEqual(result, {
        state: "ConfirmationCodeSent",
        codeDeliveryDetails: { deliveryMedium: "EMAIL", destination: "a***@e***", attributeName: "email" }
      })
      const code = yield* cognito.lastCodeFor("alice")
      yield* auth.confirmForgotPassword({ username: "alice", newPassword: otherPassword, confirmationCode: code })
      yield* expectReason(auth.signIn({ username: "alice", password }), "NotAuthorized")
      assert.strictEqual((yield* auth.signIn({ username: "alice", password: otherPassword }))._tag, "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("fails with CodeMismatch, InvalidPassword and ExpiredCode as Cognito does", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      yield* auth.forgotPassword({ username: "alice" })
      const code = yield* cognito.lastCodeFor("alice")
      yield* expectReason(
        auth.confirmForgotPassword({
          username: "alice",
          newPassword: otherPassword,
          confirmationCode: Redacted.make("999999")
        }),
        "CodeMismatch"
      )
      yield* expectReason(
        auth.confirmForgotPassword({ username: "alice", newPassword: Redacted.make("weak"), confirmationCode: code }),
        "InvalidPassword"
      )
      yield* TestClock.adjust("1 hour")
      yield* expectReason(
        auth.confirmForgotPassword({ username: "alice", newPassword: otherPassword, confirmationCode: code }),
        "ExpiredCode"
      )
      // The old password still works: nothing changed.
      assert.strictEqual((yield* auth.signIn({ username: "alice", password }))._tag, "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("fails with UserNotFound for an unknown user and InvalidParameter without a verified address", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      yield* expectReason(auth.forgotPassword({ username: "nobody" }), "UserNotFound")
      yield* auth.signUp({ username: "erin", password, userAttributes: { email: "erin@example.com" } })
      yield* expectReason(auth.forgotPassword({ username: "erin" }), "InvalidParameter")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a reset required by an admin is done through forgotPassword", () =>
    Effect.gen(function* () {
      yield* confirmedUser()
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      yield* cognito.adminResetUserPassword("alice")
      yield* expectReason(auth.signIn({ username: "alice", password }), "PasswordResetRequired")
      yield* auth.forgotPassword({ username: "alice" })
      yield* auth.confirmForgotPassword({
        username: "alice",
        newPassword: otherPassword,
        confirmationCode: yield* cognito.lastCodeFor("alice")
      })
      assert.strictEqual((yield* auth.signIn({ username: "alice", password: otherPassword }))._tag, "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})

describe("changePassword", () => {
  it.effect("changes the password of the signed-in user", () =>
    Effect.gen(function* () {
      yield* confirmedUser()
      const auth = yield* Auth.Auth
      yield* auth.signIn({ username: "alice", password })
      yield* expectReason(
        auth.changePassword({ currentPassword: otherPassword, proposedPassword: otherPassword }),
        "NotAuthorized"
      )
      yield* expectReason(
        auth.changePassword({ currentPassword: password, proposedPassword: Redacted.make("weak") }),
        "InvalidPassword"
      )
      yield* auth.changePassword({ currentPassword: password, proposedPassword: otherPassword })
      yield* auth.signOut()
      yield* expectReason(auth.signIn({ username: "alice", password }), "NotAuthorized")
      assert.strictEqual((yield* auth.signIn({ username: "alice", password: otherPassword }))._tag, "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("fails with NotSignedIn when nobody is signed in", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      yield* expectReason(
        auth.changePassword({ currentPassword: password, proposedPassword: otherPassword }),
        "NotSignedIn"
      )
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})
