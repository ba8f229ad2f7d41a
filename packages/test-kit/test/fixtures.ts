/** Shared helpers of the flow tests. */
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthError from "@effect-cognito/core/AuthError"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"

/** A realistic wall-clock start for tests (TestClock starts at the epoch). */
export const start = Date.parse("2026-11-26T09:30:00Z")
export const atStart = TestClock.setTime(start)

export const password = Redacted.make("Abc@123!x")
export const otherPassword = Redacted.make("Xyz#789!q")

export const alice = {
  username: "alice",
  password,
  userAttributes: { email: "alice@example.com", phone_number: "+15555550100", "custom:badge": "ABC123XYZ" }
}

/** Fails the test unless the effect fails with an `AuthError` of this reason; returns the error. */
export const expectReason = <A, E, R>(effect: Effect.Effect<A, E, R>, reason: AuthError.Reason) =>
  Effect.gen(function* () {
    const error = yield* Effect.flip(effect)
    assert.isTrue(AuthError.isAuthError(error), `expected an AuthError, got ${String(error)}`)
    assert.strictEqual((error as AuthError.AuthError).reason, reason, String(error))
    return error as AuthError.AuthError
  })

/** Signs up and confirms `alice` (or the given user) through the public flows. */
export const confirmedUser = (
  user: {
    readonly username: string
    readonly password: Redacted.Redacted<string>
    readonly userAttributes?: Readonly<Record<string, string>>
  } = alice
) =>
  Effect.gen(function* () {
    const auth = yield* Auth.Auth
    const cognito = yield* TestCognito.TestCognito
    const result = yield* auth.signUp(user)
    if (result.confirmationState === "Unconfirmed")
      yield* auth.confirmSignUp({
        username: user.username,
        confirmationCode: yield* cognito.lastCodeFor(user.username)
      })
    return result
  })

/** `alice` signed in (by SRP) at {@link start}; returns her tokens. */
export const signedIn = Effect.gen(function* () {
  yield* atStart
  yield* confirmedUser()
  const auth = yield* Auth.Auth
  yield* auth.signIn({ username: "alice", password })
  return yield* auth.getTokens()
})
