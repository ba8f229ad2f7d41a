/**
 * Cryptographic randomness behind a small service, so SRP and TestCognito can be made
 * deterministic in tests. The default draws from Web Crypto's `getRandomValues`.
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as tags from "./internal/tags.js"

/** The types of the `SecureRandom` service. */
export declare namespace SecureRandom {
  /** A source of cryptographically secure random bytes. */
  export interface Service {
    /** `size` random bytes. */
    readonly nextBytes: (size: number) => Effect.Effect<Uint8Array>
  }
}

/** The service's identifier in the context. */
export interface SecureRandom {
  readonly _: unique symbol
}

/** The randomness of SRP ephemerals and challenge secrets, as a service (seedable in tests). */
export const SecureRandom: Context.Service<SecureRandom, SecureRandom.Service> = tags.secureRandom

/** Web Crypto randomness. */
export const webCrypto: SecureRandom.Service = {
  nextBytes: (size) =>
    Effect.sync(() => {
      const bytes = new Uint8Array(size)
      for (let offset = 0; offset < size; offset += 65536)
        crypto.getRandomValues(bytes.subarray(offset, Math.min(size, offset + 65536)))
      return bytes
    })
}

/** Web Crypto randomness (the default). */
export const layer: Layer.Layer<SecureRandom> = Layer.succeed(SecureRandom, webCrypto)

/** The state of the seeded generator (xorshift128+): two 64-bit words, not both zero. */
export interface SeededState {
  readonly s0: bigint
  readonly s1: bigint
}

/** Seeded randomness whose state can be read, so a test server can snapshot and resume it. */
export interface Seeded extends SecureRandom.Service {
  readonly state: () => SeededState
}

const mask = (1n << 64n) - 1n

/** The state {@link makeSeeded} starts from for `seed`. */
export const seededState = (seed: number): SeededState => ({
  s0: BigInt(seed >>> 0) | 1n,
  s1: BigInt((seed * 2654435761) >>> 0) | 2n
})

/**
 * Deterministic bytes from a generator state (xorshift128+), continuing exactly where a
 * generator in that state would. For tests only: never use it for real keys.
 */
export const makeSeededFrom = (initial: SeededState): Seeded => {
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

/**
 * Deterministic bytes from a seed (xorshift128+). For tests only: never use it for real keys.
 */
export const makeSeeded = (seed: number): SecureRandom.Service => makeSeededFrom(seededState(seed))

/** Deterministic randomness for tests. */
export const layerSeeded = (seed: number): Layer.Layer<SecureRandom> => Layer.succeed(SecureRandom, makeSeeded(seed))
