/**
 * SRP-6a exactly as Amazon Cognito does it (USER_SRP_AUTH), plus `SECRET_HASH`.
 *
 * The group is RFC 5054's 3072-bit prime with g = 2 and SHA-256. Every integer that is
 * hashed goes through Cognito's {@link padHex} (hex, even length, a `00` byte in front
 * when the top bit is set), including the salt, which is read as an integer first: a
 * salt with leading zero bytes is hashed without them, just as Cognito's own SDK does.
 *
 * - k = H(padHex(N) | padHex(g))
 * - x = H(padHex(salt) | H(poolName | userIdForSrp | ":" | password))
 * - u = H(padHex(A) | padHex(B)); B ≡ 0 (mod N) and u = 0 are refused
 * - S = (B - k·g^x)^(a + u·x) mod N
 * - key = HKDF-SHA256(ikm = padHex(S), salt = padHex(u), info = "Caldera Derived Key"), 16 bytes
 * - PASSWORD_CLAIM_SIGNATURE = Base64(HMAC-SHA256(key, poolName | userIdForSrp | SECRET_BLOCK | TIMESTAMP))
 *
 * Remembered devices use the same math over another identity (amazon-cognito-identity-js's
 * `generateHashDevice` and `getDeviceResponse`): the device group key in place of the pool
 * name, the device key in place of the user and a random device password in place of the
 * user's. {@link generateDeviceSecret} makes the password, salt and verifier that
 * `ConfirmDevice` stores; {@link deviceClaim} answers `DEVICE_PASSWORD_VERIFIER`.
 *
 * The two modular powers come from the `SrpMath` service: pure `BigInt` by default (no
 * layer needed), OpenSSL's on Node through `NodeSrpMath.layer` (part of `NodeAuth.layer`).
 * Hashing is Web Crypto: the module runs unchanged on Node, in browsers and in workers.
 *
 * @example
 * ```ts
 * import * as SecureRandom from "@effect-cognito/core/SecureRandom"
 * import * as Srp from "@effect-cognito/core/Srp"
 * import * as Clock from "effect/Clock"
 * import * as Effect from "effect/Effect"
 * import type * as Redacted from "effect/Redacted"
 *
 * // What `Auth` does for a USER_SRP_AUTH sign-in. First: send `ephemeral.srpA` as SRP_A.
 * const ephemeral = Srp.generateEphemeral.pipe(Effect.provide(SecureRandom.layer))
 *
 * // Then answer the PASSWORD_VERIFIER challenge with its parameters.
 * const answer = (
 *   challenge: Readonly<Record<"USER_ID_FOR_SRP" | "SALT" | "SRP_B" | "SECRET_BLOCK", string>>,
 *   password: Redacted.Redacted<string>,
 *   ephemeral: Srp.Ephemeral
 * ) =>
 *   Effect.gen(function* () {
 *     const timestamp = Srp.formatTimestamp(new Date(yield* Clock.currentTimeMillis))
 *     const { signature } = yield* Srp.passwordClaim({
 *       poolName: "AbCdEf123",
 *       userIdForSrp: challenge.USER_ID_FOR_SRP,
 *       password,
 *       ephemeral,
 *       salt: challenge.SALT,
 *       srpB: challenge.SRP_B,
 *       secretBlock: challenge.SECRET_BLOCK,
 *       timestamp
 *     })
 *     const secretBlock = challenge.SECRET_BLOCK
 *     return { PASSWORD_CLAIM_SIGNATURE: signature, PASSWORD_CLAIM_SECRET_BLOCK: secretBlock, TIMESTAMP: timestamp }
 *   })
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { AuthError } from "./AuthError.js"
import type { DeviceSecretVerifierConfig } from "./IdentityProvider.js"
import * as encoding from "./internal/encoding.js"
import * as internal from "./internal/srp.js"
import * as webCrypto from "./internal/webCrypto.js"
import { SecureRandom } from "./SecureRandom.js"
import * as SrpMath from "./SrpMath.js"

/** The RFC 5054 3072-bit prime N, as upper-case hex. */
export const NHex: string = internal.NHex

/** The RFC 5054 3072-bit prime N. */
export const N: bigint = internal.N

/** The generator, 2. */
export const g: bigint = internal.g

/** The multiplier k = H(padHex(N) | padHex(g)), computed on first use and cached. */
export const k: Effect.Effect<bigint> = internal.k

/**
 * Cognito's `padHex` (amazon-cognito-identity-js `AuthenticationHelper.padHex`) for a
 * non-negative integer: lower-case hex, a `0` in front when the length is odd, then
 * `00` in front when the first digit is 8-f. This is the minimal two's-complement
 * encoding (Java's `BigInteger.toByteArray`), in hex. Throws a `RangeError` for a
 * negative integer.
 *
 * @example
 * ```ts
 * import * as Srp from "@effect-cognito/core/Srp"
 *
 * Srp.padHex(0x14n) // "14"
 * Srp.padHex(0xecn) // "00ec"
 * Srp.padHex(0xabcn) // "0abc"
 * Srp.padHex(0x8abcn) // "008abc"
 * ```
 */
export const padHex: (n: bigint) => string = internal.padHex

/**
 * `base^exponent mod modulus` (sliding windows on native BigInt). The base may be
 * negative; the result is in [0, modulus). Throws a `RangeError` for a negative
 * exponent or a modulus below 1.
 */
export const modPow: (base: bigint, exponent: bigint, modulus: bigint) => bigint = internal.modPow

/**
 * `g^exponent mod N` by a fixed-base method over a table built on first use (about
 * 80 KB for 1024-bit exponents): several times faster than `modPow(g, exponent, N)`.
 */
export const gPow: (exponent: bigint) => bigint = internal.gPow

/** The client's ephemeral key pair. */
export interface Ephemeral {
  /** The secret a, in [1, N). */
  readonly a: Redacted.Redacted<bigint>
  /** A = g^a mod N. */
  readonly A: bigint
  /** A as hex, exactly as sent in `SRP_A` (no padding). */
  readonly srpA: string
}

/**
 * The ephemeral for a given secret a (reduced modulo N), with A computed by `math`
 * (default: `SrpMath.pure`). For tests and replays; sign-in uses {@link generateEphemeral}.
 * Throws a `RangeError` when a ≡ 0 (mod N).
 */
export const ephemeralFromSecret = (a: bigint, math: SrpMath.SrpMath.Service = SrpMath.pure): Ephemeral => {
  let reduced = a % N
  if (reduced < 0n) reduced += N
  if (reduced === 0n) throw new RangeError("ephemeralFromSecret: a must not be 0 modulo N")
  const A = math.gPow(reduced)
  return { a: Redacted.make(reduced), A, srpA: A.toString(16) }
}

/**
 * A fresh ephemeral: a = 128 bytes from `SecureRandom`, reduced modulo N, drawn again in
 * the (practically impossible) case that a or A is 0 modulo N. A = g^a comes from the
 * current `SrpMath`.
 */
export const generateEphemeral: Effect.Effect<Ephemeral, never, SecureRandom> = Effect.gen(function* () {
  const random = yield* SecureRandom
  const math = yield* SrpMath.SrpMath
  while (true) {
    const a = internal.bytesToBigInt(yield* random.nextBytes(128)) % N
    if (a === 0n) continue
    const ephemeral = ephemeralFromSecret(a, math)
    if (ephemeral.A % N !== 0n) return ephemeral
  }
})

/** What answering a `PASSWORD_VERIFIER` challenge takes. */
export interface PasswordVerifierInput {
  /** The user pool name: the part of the pool id after `_`. */
  readonly poolName: string
  /** `USER_ID_FOR_SRP` from the challenge parameters. */
  readonly userIdForSrp: string
  readonly password: Redacted.Redacted<string>
  readonly ephemeral: Ephemeral
  /** `SALT` from the challenge parameters, hex. */
  readonly salt: string
  /** `SRP_B` from the challenge parameters, hex. */
  readonly srpB: string
}

/** The internal input: the ephemeral's secret `a` revealed only here, on its way into the math. */
const revealEphemeral = (input: PasswordVerifierInput) => ({
  poolName: input.poolName,
  userIdForSrp: input.userIdForSrp,
  password: input.password,
  a: Redacted.value(input.ephemeral.a),
  A: input.ephemeral.A,
  salt: input.salt,
  srpB: input.srpB
})

/**
 * The 16-byte password authentication key (HKDF of S and u), the value
 * amazon-cognito-identity-js calls `getPasswordAuthenticationKey`; S comes from the
 * current `SrpMath`. Fails with
 * `InvalidResponse` when SRP_B or SALT is not hex, when B ≡ 0 (mod N) or when u = 0.
 */
export const passwordAuthenticationKey = (input: PasswordVerifierInput): Effect.Effect<Uint8Array, AuthError> =>
  Effect.flatMap(SrpMath.SrpMath, (math) => internal.passwordAuthenticationKey(revealEphemeral(input), math))

/**
 * The `PASSWORD_CLAIM_SIGNATURE` answering `PASSWORD_VERIFIER`: Base64(HMAC-SHA256(key,
 * poolName | userIdForSrp | base64-decoded SECRET_BLOCK | timestamp)). Send `timestamp`
 * (see {@link formatTimestamp}) as `TIMESTAMP` and the secret block unchanged as
 * `PASSWORD_CLAIM_SECRET_BLOCK`. Fails with `InvalidResponse` on a malformed challenge
 * (not hex, not base64, B ≡ 0 mod N, u = 0); the message never holds a secret.
 */
export const passwordClaim = (
  input: PasswordVerifierInput & {
    /** `SECRET_BLOCK` from the challenge parameters, base64. */
    readonly secretBlock: string
    /** The `TIMESTAMP` to send, in Cognito's format. */
    readonly timestamp: string
  }
): Effect.Effect<{ readonly signature: string }, AuthError> =>
  Effect.flatMap(SrpMath.SrpMath, (math) =>
    internal.claimSignature(
      { ...revealEphemeral(input), secretBlock: input.secretBlock, timestamp: input.timestamp },
      math
    )
  ).pipe(Effect.map((signature) => ({ signature })))

/**
 * The `TIMESTAMP` of a password claim, in UTC: "Tue Nov 3 07:05:09 UTC 2026" (English
 * weekday and month, day of month not padded, time zero-padded).
 */
export const formatTimestamp: (date: Date) => string = internal.formatTimestamp

/**
 * `SECRET_HASH` for app clients with a secret: Base64(HMAC-SHA256(key = clientSecret,
 * message = username + clientId)).
 */
export const secretHash = (
  username: string,
  clientId: string,
  clientSecret: Redacted.Redacted<string>
): Effect.Effect<Redacted.Redacted<string>> =>
  webCrypto
    .hmacSha256(encoding.utf8(Redacted.value(clientSecret)), encoding.utf8(username + clientId))
    .pipe(Effect.map((mac) => Redacted.make(encoding.toBase64(mac))))

/** What a device's verifier is computed from. */
export interface DeviceVerifierInput {
  /** `NewDeviceMetadata.DeviceGroupKey`. */
  readonly deviceGroupKey: string
  /** `NewDeviceMetadata.DeviceKey`. */
  readonly deviceKey: string
  readonly devicePassword: Redacted.Redacted<string>
  /** The salt's bytes, read as a big-endian integer (leading zero bytes drop out, as in every Cognito salt). */
  readonly salt: Uint8Array
}

/**
 * The `DeviceSecretVerifierConfig` of `ConfirmDevice`: x = H(padHex(salt) | H(deviceGroupKey |
 * deviceKey | ":" | devicePassword)) and the verifier g^x mod N (from the current `SrpMath`),
 * each sent as base64 of its padded bytes, as amazon-cognito-identity-js sends them.
 */
export const deviceVerifier = (input: DeviceVerifierInput): Effect.Effect<DeviceSecretVerifierConfig> =>
  Effect.gen(function* () {
    const math = yield* SrpMath.SrpMath
    const salt = internal.bytesToBigInt(input.salt)
    const x = yield* internal.computeX(input.deviceGroupKey, input.deviceKey, input.devicePassword, salt)
    return {
      passwordVerifier: encoding.toBase64(internal.padBytes(math.gPow(x))),
      salt: encoding.toBase64(internal.padBytes(salt))
    }
  })

/** A new device's secret: the password only this client keeps, and what `ConfirmDevice` sends. */
export interface DeviceSecret {
  /** 40 random bytes, base64: the device's password in device SRP. */
  readonly devicePassword: Redacted.Redacted<string>
  readonly verifierConfig: DeviceSecretVerifierConfig
}

/**
 * A fresh secret for a new device: a password of 40 random bytes (base64) and a salt of
 * 16, both from `SecureRandom`, and their verifier ({@link deviceVerifier}).
 */
export const generateDeviceSecret = (device: {
  readonly deviceGroupKey: string
  readonly deviceKey: string
}): Effect.Effect<DeviceSecret, never, SecureRandom> =>
  Effect.gen(function* () {
    const random = yield* SecureRandom
    const devicePassword = Redacted.make(encoding.toBase64(yield* random.nextBytes(40)))
    const salt = yield* random.nextBytes(16)
    const verifierConfig = yield* deviceVerifier({ ...device, devicePassword, salt })
    return { devicePassword, verifierConfig }
  })

/** What answering a `DEVICE_PASSWORD_VERIFIER` challenge takes. */
export interface DeviceClaimInput {
  readonly deviceGroupKey: string
  readonly deviceKey: string
  readonly devicePassword: Redacted.Redacted<string>
  /** The ephemeral whose `srpA` went out with `DEVICE_SRP_AUTH`. */
  readonly ephemeral: Ephemeral
  /** `SALT` from the challenge parameters, hex. */
  readonly salt: string
  /** `SRP_B` from the challenge parameters, hex. */
  readonly srpB: string
  /** `SECRET_BLOCK` from the challenge parameters, base64. */
  readonly secretBlock: string
  /** The `TIMESTAMP` to send, in Cognito's format. */
  readonly timestamp: string
}

/**
 * The `PASSWORD_CLAIM_SIGNATURE` answering `DEVICE_PASSWORD_VERIFIER`: {@link passwordClaim}
 * with the device group key as the pool name, the device key as the user and the device
 * password, so the HMAC covers deviceGroupKey | deviceKey | SECRET_BLOCK | TIMESTAMP.
 */
export const deviceClaim = (input: DeviceClaimInput): Effect.Effect<{ readonly signature: string }, AuthError> =>
  passwordClaim({
    poolName: input.deviceGroupKey,
    userIdForSrp: input.deviceKey,
    password: input.devicePassword,
    ephemeral: input.ephemeral,
    salt: input.salt,
    srpB: input.srpB,
    secretBlock: input.secretBlock,
    timestamp: input.timestamp
  })
