import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as SecureRandom from "../src/SecureRandom.js"
import * as Srp from "../src/Srp.js"
import * as SrpMath from "../src/SrpMath.js"

/** The pure math, counting its calls. */
const counting = () => {
  const calls = { modPow: 0, gPow: 0 }
  const service: SrpMath.SrpMath.Service = {
    modPow: (base, exponent) => {
      calls.modPow++
      return SrpMath.pure.modPow(base, exponent)
    },
    gPow: (exponent) => {
      calls.gPow++
      return SrpMath.pure.gPow(exponent)
    }
  }
  return { calls, service }
}

const challenge = {
  poolName: "AbCdEf123",
  userIdForSrp: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
  password: Redacted.make("correct horse battery staple"),
  salt: "f0a1b2c3d4e5f60718293a4b5c6d7e8f",
  srpB: Srp.gPow(0x1234567890abcdefn).toString(16),
  secretBlock: "c2VjcmV0IGJsb2Nr",
  timestamp: "Tue Nov 3 07:05:09 UTC 2026"
}

describe("SrpMath", () => {
  it.effect("is the pure BigInt arithmetic when no layer provides one", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* SrpMath.SrpMath, SrpMath.pure)
      assert.strictEqual(yield* Effect.provide(SrpMath.SrpMath, SrpMath.layerPure), SrpMath.pure)
    })
  )

  it("pure computes base^exponent mod N and g^exponent mod N", () => {
    const base = Srp.N - 12345n
    assert.strictEqual(SrpMath.pure.modPow(base, 65537n), Srp.modPow(base, 65537n, Srp.N))
    assert.strictEqual(SrpMath.pure.modPow(-3n, 5n), Srp.N - 243n)
    assert.strictEqual(SrpMath.pure.gPow(10n), 1024n)
    assert.throws(() => SrpMath.pure.modPow(2n, -1n), RangeError)
  })

  it.effect("Srp takes A from the provided SrpMath and S from it too", () =>
    Effect.gen(function* () {
      const { calls, service } = counting()
      const ephemeral = yield* Srp.generateEphemeral.pipe(
        Effect.provide(SecureRandom.layerSeeded(5)),
        Effect.provideService(SrpMath.SrpMath, service)
      )
      assert.deepStrictEqual(calls, { modPow: 0, gPow: 1 })
      const viaService = yield* Srp.passwordClaim({ ...challenge, ephemeral }).pipe(
        Effect.provideService(SrpMath.SrpMath, service)
      )
      assert.deepStrictEqual(calls, { modPow: 1, gPow: 2 })
      assert.strictEqual(viaService.signature, (yield* Srp.passwordClaim({ ...challenge, ephemeral })).signature)
    })
  )

  it.effect("a different S from the provided SrpMath gives a different signature", () =>
    Effect.gen(function* () {
      const ephemeral = Srp.ephemeralFromSecret(0xabcdefn)
      const wrong: SrpMath.SrpMath.Service = {
        ...SrpMath.pure,
        modPow: (base, exponent) => (SrpMath.pure.modPow(base, exponent) + 1n) % Srp.N
      }
      const right = yield* Srp.passwordClaim({ ...challenge, ephemeral })
      const skewed = yield* Srp.passwordClaim({ ...challenge, ephemeral }).pipe(
        Effect.provideService(SrpMath.SrpMath, wrong)
      )
      assert.notStrictEqual(skewed.signature, right.signature)
    })
  )
})
