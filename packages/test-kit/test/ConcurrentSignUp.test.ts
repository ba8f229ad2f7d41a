/**
 * A username is taken once: sign-ups (and admin creations) of one name that run at the
 * same time end with exactly one user, as Cognito's, and the others are refused with
 * `UsernameExistsException`; the user left is the winner's (its `sub` and password).
 */
import type * as AuthError from "@effect-cognito/core/AuthError"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import { atStart } from "./fixtures.js"

const attempts = 50

/** A distinct valid password per attempt, so the user left shows whose sign-up won. */
const passwordOf = (i: number) => Redacted.make(`Abc@123!x${i}`)

const exceptionOf = (result: Result.Result<unknown, AuthError.AuthError>) =>
  Result.isFailure(result) ? result.failure.exception : "succeeded"

describe("concurrent sign-ups of one username", () => {
  it.effect("concurrent SignUps of one name: exactly one succeeds, the others UsernameExistsException", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      const results = yield* Effect.forEach(
        Array.from({ length: attempts }, (_, i) => i),
        (i) =>
          Effect.result(
            cognito.provider.signUp({
              username: "alice",
              password: passwordOf(i),
              userAttributes: { email: `alice${i}@example.com` }
            })
          ),
        { concurrency: "unbounded" }
      )
      const winners = results.flatMap((result, i) => (Result.isSuccess(result) ? [{ i, ...result.success }] : []))
      assert.strictEqual(winners.length, 1, JSON.stringify(results.map(exceptionOf)))
      const losers = results.filter(Result.isFailure)
      assert.strictEqual(losers.length, attempts - 1)
      for (const loser of losers) {
        assert.strictEqual(loser.failure.exception, "UsernameExistsException")
        assert.strictEqual(loser.failure.reason, "UsernameExists")
      }
      const winner = winners[0]!
      const users = yield* cognito.listUsers
      assert.strictEqual(users.length, 1)
      assert.strictEqual(users[0]?.attributes.sub, winner.userSub)
      assert.strictEqual(users[0]?.attributes.email, `alice${winner.i}@example.com`)
      // Only the winner's password signs in.
      yield* cognito.adminConfirmSignUp("alice")
      const signIn = (i: number) =>
        Effect.result(
          cognito.provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username: "alice", password: passwordOf(i) })
        )
      assert.isTrue(Result.isSuccess(yield* signIn(winner.i)))
      assert.strictEqual(exceptionOf(yield* signIn((winner.i + 1) % attempts)), "NotAuthorizedException")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("concurrent AdminCreateUsers of one name: exactly one succeeds, the others UsernameExistsException", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      const results = yield* Effect.forEach(
        Array.from({ length: 20 }, (_, i) => i),
        (i) =>
          Effect.result(
            cognito.adminCreateUser({
              username: "bob",
              temporaryPassword: passwordOf(i),
              userAttributes: { email: `bob${i}@example.com` },
              messageAction: "SUPPRESS"
            })
          ),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(results.filter(Result.isSuccess).length, 1, JSON.stringify(results.map(exceptionOf)))
      for (const loser of results.filter(Result.isFailure))
        assert.strictEqual(loser.failure.exception, "UsernameExistsException")
      assert.strictEqual((yield* cognito.listUsers).length, 1)
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a sign-up refused after the name was reserved frees the name again", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      // Refused by the password policy: the name stays free.
      const weak = yield* Effect.flip(
        cognito.provider.signUp({ username: "carol", password: Redacted.make("weak"), userAttributes: {} })
      )
      assert.strictEqual(weak.exception, "InvalidPasswordException")
      yield* cognito.provider.signUp({ username: "carol", password: passwordOf(1), userAttributes: {} })
      assert.deepStrictEqual(
        (yield* cognito.listUsers).map((user) => user.username),
        ["carol"]
      )
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})
