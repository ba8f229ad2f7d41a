/**
 * The server's seeded randomness: the same xorshift128+ stream as
 * `SecureRandom.makeSeeded`, with its state readable and restorable, so a pool restored
 * from a snapshot continues the stream where it stopped and never hands out an id,
 * `sub` or code it handed out before.
 *
 * @internal
 */
import type * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as Effect from "effect/Effect"

/** The generator's state: two 64-bit words, not both zero. */
export interface RandomState {
  readonly s0: bigint
  readonly s1: bigint
}

/** Randomness whose state can be read. */
export interface SeededRandom extends SecureRandom.SecureRandom.Service {
  readonly state: () => RandomState
}

const mask = (1n << 64n) - 1n

/** The state `SecureRandom.makeSeeded(seed)` starts from. */
export const initialState = (seed: number): RandomState => ({
  s0: BigInt(seed >>> 0) | 1n,
  s1: BigInt((seed * 2654435761) >>> 0) | 2n
})

/** Is this a state the generator can run from? */
export const isValidState = (state: RandomState): boolean =>
  state.s0 >= 0n && state.s0 <= mask && state.s1 >= 0n && state.s1 <= mask && (state.s0 !== 0n || state.s1 !== 0n)

/** The generator from a state (see {@link initialState}). */
export const fromState = (initial: RandomState): SeededRandom => {
  let s0 = initial.s0
  let s1 = initial.s1
  const next = () => {
    let x = s0
    const y = s1
    s0 = y
    x = (x ^ (x << 23n)) & mask
    s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n)
    return (s1 + y) & mask
  }
  return {
    nextBytes: (size) =>
      Effect.sync(() => {
        const bytes = new Uint8Array(size)
        for (let i = 0; i < size; i++) bytes[i] = Number(next() & 0xffn)
        return bytes
      }),
    state: () => ({ s0, s1 })
  }
}
