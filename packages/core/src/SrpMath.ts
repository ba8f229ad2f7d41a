/**
 * The modular exponentiation behind `Srp`, as a service: the two powers a sign-in
 * takes modulo Cognito's prime N (A = g^a, and S = (B - k·g^x)^(a + u·x)).
 *
 * The default, {@link pure}, runs on native `BigInt` everywhere (a fixed-base table for
 * powers of g, sliding windows for any other base); it needs no layer, because the tag
 * is a `Context.Reference` whose default is {@link pure}. A platform can provide a faster
 * one: `@effect-cognito/node` provides OpenSSL's through `NodeSrpMath.layer`, which
 * `NodeAuth.layer` includes.
 *
 * @example
 * ```ts
 * import * as SrpMath from "@effect-cognito/core/SrpMath"
 * import * as Effect from "effect/Effect"
 *
 * const A = Effect.gen(function* () {
 *   const math = yield* SrpMath.SrpMath // SrpMath.pure unless a layer provides another
 *   return math.gPow(0x1234n)
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import * as internal from "./internal/srp.js"

/** The types of the `SrpMath` service. */
export declare namespace SrpMath {
  /** The two modular powers of an SRP sign-in, modulo Cognito's N. */
  export interface Service {
    /**
     * `base^exponent mod N`, in [0, N). The base may be any integer (it is reduced
     * modulo N); the exponent must be non-negative (a `RangeError` otherwise).
     */
    readonly modPow: (base: bigint, exponent: bigint) => bigint
    /** `g^exponent mod N` for g = 2 (any integer exponent: it is reduced modulo N - 1). */
    readonly gPow: (exponent: bigint) => bigint
  }
}

/** Pure `BigInt` arithmetic: fixed-base powers of g, sliding-window powers of anything else. */
export const pure: SrpMath.Service = {
  modPow: (base, exponent) => internal.modPow(base, exponent, internal.N),
  gPow: internal.gPow
}

/**
 * The arithmetic `Srp` uses; {@link pure} unless a layer provides another. A
 * `Context.Reference` has no identifier type: reading it never adds a requirement, and a
 * layer that provides it is a `Layer.Layer<never>`.
 */
export const SrpMath: Context.Reference<SrpMath.Service> = Context.Reference<SrpMath.Service>(
  "@effect-cognito/core/SrpMath",
  { defaultValue: (): SrpMath.Service => pure }
)

/** Provides {@link pure} explicitly (it is the default already). */
export const layerPure: Layer.Layer<never> = Layer.succeed(SrpMath, pure)
