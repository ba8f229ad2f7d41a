/**
 * The saved form of a pending sign-in (`PendingSignIn`), and the cell behind
 * `confirmSignIn` / `resumeSignIn`: its expiry by `Clock` (TestClock here), what it keeps
 * of Cognito's parameters, what a resumed challenge asks.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import * as Auth from "../src/Auth.js"
import * as AuthConfig from "../src/AuthConfig.js"
import type * as AuthError from "../src/AuthError.js"
import * as PendingSignIn from "../src/PendingSignIn.js"
import * as PendingCell from "../src/internal/pendingSignIn.js"

const start = Date.parse("2026-11-26T09:30:00Z")
const session = "AYABeC0ffee-session-of-the-challenge"

const pending = new PendingSignIn.PendingSignIn({
  userPoolId: "eu-west-1_AbCdEf123",
  clientId: "1h2k3l4m5n6o7p8q9r0s1t2u3v",
  username: "alice",
  challengeName: "SMS_MFA",
  session: Redacted.make(session),
  challengeParameters: { CODE_DELIVERY_DELIVERY_MEDIUM: "SMS", CODE_DELIVERY_DESTINATION: "+*******0100" },
  issuedAt: new Date(start),
  expiresAt: new Date(start + 180_000)
})

const config = AuthConfig.make({ region: "eu-west-1", userPoolId: pending.userPoolId, clientId: pending.clientId })

const failure = <A>(effect: Effect.Effect<A, AuthError.AuthError>, reason: AuthError.Reason) =>
  Effect.gen(function* () {
    const error = yield* Effect.flip(effect)
    assert.strictEqual(error.reason, reason, error.message)
    return error
  })

describe("PendingSignIn JSON", () => {
  it.effect("round-trips: a version, the fields, dates as ISO strings, the session in clear", () =>
    Effect.gen(function* () {
      const json = yield* PendingSignIn.toJson(pending)
      const parsed = JSON.parse(json)
      assert.strictEqual(parsed.version, 1)
      assert.strictEqual(parsed.pendingSignIn.session, session)
      assert.strictEqual(parsed.pendingSignIn.issuedAt, "2026-11-26T09:30:00.000Z")
      const back = yield* PendingSignIn.fromJson(json)
      assert.deepStrictEqual(back, pending)
      assert.strictEqual(Redacted.value(back.session!), session)
    })
  )

  it("hides the session in memory: String and JSON.stringify", () => {
    for (const shown of [String(pending), JSON.stringify(pending), JSON.stringify({ pending })])
      assert.notInclude(shown, session)
  })

  it.effect("toJson refuses a value built by hand with an invalid date, with InvalidInput and no session", () =>
    Effect.gen(function* () {
      // The constructor validates; a caller can still skip that (the second argument), as a cast would.
      const broken = new PendingSignIn.PendingSignIn(
        { ...pending, expiresAt: new Date(Number.NaN) },
        { disableChecks: true }
      )
      const error = yield* failure(PendingSignIn.toJson(broken), "InvalidInput")
      assert.include(error.message, "PendingSignIn.toJson")
      assert.notInclude(error.message, session)
    })
  )

  it.effect("refuses what it did not write with InvalidInput, naming where, never echoing the content", () =>
    Effect.gen(function* () {
      const good = JSON.parse(yield* PendingSignIn.toJson(pending))
      const cases: ReadonlyArray<readonly [string, string]> = [
        [`{"version":1,"pendingSignIn":{"session":"${session}"`, "is not JSON"],
        [JSON.stringify({ ...good, version: 2 }), "version is not as expected"],
        [JSON.stringify({ version: 1 }), "pendingSignIn is missing"],
        [
          JSON.stringify({ version: 1, pendingSignIn: { ...good.pendingSignIn, expiresAt: "soon" } }),
          "pendingSignIn.expiresAt"
        ],
        [
          JSON.stringify({ version: 1, pendingSignIn: { ...good.pendingSignIn, challengeName: "SMS" } }),
          "pendingSignIn.challengeName"
        ],
        ["[]", "not a saved sign-in"]
      ]
      for (const [text, where] of cases) {
        const error = yield* failure(PendingSignIn.fromJson(text), "InvalidInput")
        assert.include(error.message, where)
        assert.include(error.message, "sign in again")
        assert.notInclude(error.message, session)
      }
    })
  )

  it("expires at expiresAt, not a millisecond before", () => {
    assert.isFalse(PendingSignIn.isExpired(pending, start + 179_999))
    assert.isTrue(PendingSignIn.isExpired(pending, start + 180_000))
  })
})

describe("the pending cell", () => {
  it("keeps Cognito's public parameters and drops SRP's", () => {
    assert.deepStrictEqual(
      PendingCell.publicParameters({ USERNAME: "alice", SRP_B: "b", SALT: "s", SECRET_BLOCK: "x", question: "q" }),
      { USERNAME: "alice", question: "q" }
    )
  })

  it("says what a resumed challenge asks: a TOTP setup asks for the authenticator's code", () => {
    assert.deepStrictEqual(
      PendingCell.stepOf(pending),
      Auth.SignInResult.SmsMfa({
        codeDeliveryDetails: { deliveryMedium: "SMS", destination: "+*******0100", attributeName: "phone_number" }
      })
    )
    const setup = new PendingSignIn.PendingSignIn({
      ...pending,
      challengeName: "MFA_SETUP",
      challengeParameters: { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' }
    })
    assert.deepStrictEqual(PendingCell.stepOf(setup), Auth.SignInResult.SoftwareTokenMfa())
    const verifier = new PendingSignIn.PendingSignIn({ ...pending, challengeName: "PASSWORD_VERIFIER" })
    assert.strictEqual(PendingCell.stepOf(verifier)._tag, "Refusal")
  })

  it.effect("remembers a challenge issued now, and refuses it once its validity has passed (TestClock)", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const cell = yield* PendingCell.make(yield* config)
      yield* failure(cell.take("confirmSignIn"), "NoPendingChallenge")
      yield* cell.remember({
        username: "alice",
        challengeName: "SMS_MFA",
        session: Redacted.make(session),
        parameters: { ...pending.challengeParameters, SRP_B: "b" }
      })
      const remembered = Option.getOrThrow(yield* cell.get)
      assert.deepStrictEqual(remembered, pending)
      yield* TestClock.adjust(Duration.millis(179_999))
      assert.deepStrictEqual(yield* cell.take("confirmSignIn"), pending)
      yield* TestClock.adjust(Duration.millis(1))
      const error = yield* failure(cell.take("confirmSignIn"), "SessionExpired")
      assert.strictEqual(
        error.message,
        "confirmSignIn failed (SessionExpired): the SMS_MFA challenge expired at 2026-11-26T09:33:00.000Z (Cognito answers one for 3 minutes); sign in again"
      )
      yield* failure(cell.take("confirmSignIn"), "NoPendingChallenge")
    })
  )

  it.effect("resumes a saved challenge that has not expired; an expired one is refused and not kept", () =>
    Effect.gen(function* () {
      const cell = yield* PendingCell.make(yield* config)
      yield* TestClock.setTime(start + 180_000)
      yield* failure(cell.resume(pending), "SessionExpired")
      assert.isTrue(Option.isNone(yield* cell.get))
      yield* TestClock.setTime(start + 60_000)
      assert.strictEqual((yield* cell.resume(pending))._tag, "SmsMfa")
      assert.deepStrictEqual(yield* cell.take("confirmSignIn"), pending)
    })
  )
})
