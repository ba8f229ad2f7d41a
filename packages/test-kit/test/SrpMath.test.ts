import * as Auth from "@effect-cognito/core/Auth"
import * as Srp from "@effect-cognito/core/Srp"
import * as SrpMath from "@effect-cognito/core/SrpMath"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { confirmedUser, expectReason, password } from "./fixtures.js"

describe("Auth with a provided SrpMath", () => {
  it.effect("signs in by SRP with the SrpMath given to its layer", () => {
    const calls = { modPow: 0, gPow: 0 }
    const counting: SrpMath.SrpMath.Service = {
      modPow: (base, exponent) => {
        calls.modPow++
        return SrpMath.pure.modPow(base, exponent)
      },
      gPow: (exponent) => {
        calls.gPow++
        return SrpMath.pure.gPow(exponent)
      }
    }
    return Effect.gen(function* () {
      yield* confirmedUser()
      const auth = yield* Auth.Auth
      const result = yield* auth.signIn({ username: "alice", password })
      assert.strictEqual(result._tag, "SignedIn")
      assert.deepStrictEqual(calls, { modPow: 1, gPow: 2 })
    }).pipe(Effect.provide(TestCognito.layer().pipe(Layer.provide(Layer.succeed(SrpMath.SrpMath, counting)))))
  })

  it.effect("fails with NotAuthorized when that SrpMath computes a wrong S", () => {
    const wrong: SrpMath.SrpMath.Service = {
      ...SrpMath.pure,
      modPow: (base, exponent) => (SrpMath.pure.modPow(base, exponent) + 1n) % Srp.N
    }
    return Effect.gen(function* () {
      yield* confirmedUser()
      const auth = yield* Auth.Auth
      yield* expectReason(auth.signIn({ username: "alice", password }), "NotAuthorized")
    }).pipe(Effect.provide(TestCognito.layer().pipe(Layer.provide(Layer.succeed(SrpMath.SrpMath, wrong)))))
  })
})
