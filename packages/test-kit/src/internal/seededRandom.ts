/**
 * The server's seeded randomness: core's `SecureRandom.makeSeededFrom` (the stream of
 * `SecureRandom.makeSeeded`, with its state readable), and the check a restored state
 * must pass, so a pool restored from a snapshot continues the stream where it stopped
 * and never hands out an id, `sub` or code it handed out before.
 *
 * @internal
 */
import * as SecureRandom from "@effect-cognito/core/SecureRandom"

/** The generator's state: two 64-bit words, not both zero. */
export type RandomState = SecureRandom.SeededState

/** Randomness whose state can be read. */
export type SeededRandom = SecureRandom.Seeded

const mask = (1n << 64n) - 1n

/** The state `SecureRandom.makeSeeded(seed)` starts from. */
export const initialState: (seed: number) => RandomState = SecureRandom.seededState

/** Is this a state the generator can run from? */
export const isValidState = (state: RandomState): boolean =>
  state.s0 >= 0n && state.s0 <= mask && state.s1 >= 0n && state.s1 <= mask && (state.s0 !== 0n || state.s1 !== 0n)

/** The generator from a state (see {@link initialState}). */
export const fromState: (initial: RandomState) => SeededRandom = SecureRandom.makeSeededFrom
