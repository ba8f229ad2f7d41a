/**
 * Challenge sessions (SRP starts waiting for PASSWORD_VERIFIER, MFA and other challenges)
 * live as long as Cognito's: 3 minutes, or the pool's `sessionValidity`. Once expired they
 * are pruned on the pool's next request, so abandoned sign-ins do not keep memory for good.
 */
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { atStart, expectReason, password } from "./fixtures.js"

/** An SRP_A (hex) for starts that are never finished: the pool does not check it until the claim. */
const srpA = "ab".repeat(384)

const srpStarts = (cognito: TestCognito.TestCognito.Service, count: number) =>
  Effect.forEach(
    Array.from({ length: count }, (_, i) => i),
    () => cognito.provider.initiateAuth({ authFlow: "USER_SRP_AUTH", username: "alice", srpA }),
    { discard: true }
  )

/** A request of any kind: the pool prunes expired sessions when it serves one. */
const anyRequest = (cognito: TestCognito.TestCognito.Service) =>
  Effect.ignore(cognito.provider.getUser({ accessToken: Redacted.make("not-a-token") }))

const withAlice = Effect.gen(function* () {
  yield* atStart
  const cognito = yield* TestCognito.TestCognito
  yield* cognito.provider.signUp({
    username: "alice",
    password,
    userAttributes: { email: "alice@example.com", phone_number: "+15555550100" }
  })
  yield* cognito.adminConfirmSignUp("alice")
  yield* cognito.adminSetUserMfa("alice", { sms: true, preferred: "SMS" })
  return cognito
})

describe("challenge sessions", () => {
  it.effect("abandoned SRP starts and MFA challenges are pruned once their 3 minutes are over", () =>
    Effect.gen(function* () {
      const cognito = yield* withAlice
      assert.strictEqual(yield* cognito.pendingSessions, 0)
      yield* srpStarts(cognito, 30)
      const mfa = yield* cognito.provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username: "alice", password })
      assert.strictEqual(mfa._tag === "Challenge" ? mfa.challengeName : mfa._tag, "SMS_MFA")
      yield* cognito.provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username: "alice", password })
      assert.strictEqual(yield* cognito.pendingSessions, 32)

      // Two minutes later, two more starts: they expire two minutes after the others.
      yield* TestClock.adjust("2 minutes")
      yield* srpStarts(cognito, 2)
      assert.strictEqual(yield* cognito.pendingSessions, 34)

      // Still alive just before the 3 minutes are over.
      yield* TestClock.adjust("59 seconds")
      yield* anyRequest(cognito)
      assert.strictEqual(yield* cognito.pendingSessions, 34)

      // Past 3 minutes: the first 32 go on the next request, the later two stay.
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* cognito.pendingSessions, 34, "pruned by a request, not by the clock alone")
      yield* anyRequest(cognito)
      assert.strictEqual(yield* cognito.pendingSessions, 2)
      // The pruned MFA session is refused as Cognito refuses an expired one.
      if (mfa._tag !== "Challenge") return assert.fail("expected a challenge")
      const expired = yield* expectReason(
        cognito.provider.respondToAuthChallenge({
          challengeName: "SMS_MFA",
          session: mfa.session,
          challengeResponses: { USERNAME: Redacted.make("alice"), SMS_MFA_CODE: yield* cognito.lastCodeFor("alice") }
        }),
        "NotAuthorized"
      )
      assert.include(expired.message, "session is expired")

      yield* TestClock.adjust("2 minutes")
      yield* anyRequest(cognito)
      assert.strictEqual(yield* cognito.pendingSessions, 0)
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("sessions live as long as the pool's sessionValidity, then are pruned", () =>
    Effect.gen(function* () {
      const cognito = yield* withAlice
      yield* srpStarts(cognito, 5)
      yield* cognito.provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username: "alice", password })
      yield* TestClock.adjust("3 minutes")
      yield* anyRequest(cognito)
      assert.strictEqual(yield* cognito.pendingSessions, 6)
      yield* TestClock.adjust("7 minutes")
      yield* anyRequest(cognito)
      assert.strictEqual(yield* cognito.pendingSessions, 0)
    }).pipe(Effect.provide(TestCognito.layer({ sessionValidity: "10 minutes" })))
  )

  it.effect("a finished sign-in leaves no session behind", () =>
    Effect.gen(function* () {
      const cognito = yield* withAlice
      const mfa = yield* cognito.provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username: "alice", password })
      if (mfa._tag !== "Challenge") return assert.fail("expected a challenge")
      yield* cognito.provider.respondToAuthChallenge({
        challengeName: "SMS_MFA",
        session: mfa.session,
        challengeResponses: { USERNAME: Redacted.make("alice"), SMS_MFA_CODE: yield* cognito.lastCodeFor("alice") }
      })
      assert.strictEqual(yield* cognito.pendingSessions, 0)
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})
