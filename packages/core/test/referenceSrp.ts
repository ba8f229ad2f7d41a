/**
 * What the SRP tests compare against and draw their cases from: amazon-cognito-identity-js,
 * the reference client, typed just enough (its .d.ts omits the SRP helper), and a seeded
 * generator (mulberry32), so every random case is reproducible.
 */
import { vi } from "@effect/vitest"
import * as Cognito from "amazon-cognito-identity-js"
import * as Effect from "effect/Effect"

/** The library's big integer (jsbn), as far as the tests use it. */
export interface LibBigInteger {
  toString(radix?: number): string
  modPow(
    exponent: LibBigInteger,
    modulus: LibBigInteger,
    callback: (error: unknown, result: LibBigInteger) => void
  ): void
}

/** The library's `AuthenticationHelper`: user SRP, and the device verifier of ConfirmDevice. */
export interface LibHelper {
  readonly N: LibBigInteger
  readonly k: LibBigInteger
  generateRandomSmallA(): LibBigInteger
  padHex(value: LibBigInteger): string
  getLargeAValue(callback: (error: unknown, A: LibBigInteger) => void): void
  getPasswordAuthenticationKey(
    username: string,
    password: string,
    serverB: LibBigInteger,
    salt: LibBigInteger,
    callback: (error: unknown, key: Uint8Array) => void
  ): void
  generateHashDevice(deviceGroupKey: string, username: string, callback: (error: unknown) => void): void
  getRandomPassword(): string
  getSaltDevices(): string
  getVerifierDevices(): string
}

export const library = Cognito as unknown as {
  readonly AuthenticationHelper: { new (poolName: string): LibHelper; readonly prototype: LibHelper }
  readonly DateHelper: new () => { getNowString(): string }
}
export const referenceHelper = new library.AuthenticationHelper("reference")
export const LibBigInteger = referenceHelper.N.constructor as unknown as new (
  value: string,
  radix: number
) => LibBigInteger
export const big = (n: bigint) => new LibBigInteger(n.toString(16), 16)

/** A request as the library sends it through its client. */
export interface LibraryRequest {
  readonly ChallengeName?: string
  readonly AuthParameters?: Readonly<Record<string, string>>
  readonly ChallengeResponses?: Readonly<Record<string, string>>
}

/** Runs `use` with the library's a fixed to the case's `a` and its clock to its `date`; both are restored after. */
export const withLibraryFixed = <A, E, R>(
  fixed: { readonly a: bigint; readonly date: Date },
  use: () => Effect.Effect<A, E, R>
) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      vi.spyOn(library.AuthenticationHelper.prototype, "generateRandomSmallA").mockReturnValue(big(fixed.a))
      vi.useFakeTimers({ toFake: ["Date"] })
      vi.setSystemTime(fixed.date)
    }),
    use,
    () =>
      Effect.sync(() => {
        vi.useRealTimers()
        vi.restoreAllMocks()
      })
  )

/**
 * The library's sign-in of `user` with `password`, which its scripted client ends by failing
 * with `stop` once it has what it captures: a success or any other failure fails `resume`.
 */
export const authenticateUntil = (
  user: Cognito.CognitoUser,
  password: string,
  stop: Error,
  resume: (effect: Effect.Effect<never, Error>) => void
) =>
  user.authenticateUser(new Cognito.AuthenticationDetails({ Username: user.getUsername(), Password: password }), {
    onSuccess: () => resume(Effect.fail(new Error("unexpected success"))),
    onFailure: (error: Error) => {
      if (error !== stop) resume(Effect.fail(error))
    }
  })

/** A seeded generator (mulberry32): the same seed gives the same values. */
export const generator = (seed: number) => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256))
  const pick = <A>(values: ReadonlyArray<A>): A => values[int(values.length)]!
  const text = (alphabet: ReadonlyArray<string>, min: number, max: number) =>
    Array.from({ length: min + int(max - min + 1) }, () => pick(alphabet)).join("")
  return { int, bytes, pick, text }
}
