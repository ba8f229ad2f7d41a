/**
 * The server half of Cognito's SRP-6a, for TestCognito: verifiers, the server
 * ephemeral B and the check of a PASSWORD_CLAIM_SIGNATURE. Device SRP (DEVICE_SRP_AUTH,
 * DEVICE_PASSWORD_VERIFIER) is the same math over another identity: the device group key
 * in place of the pool name, the device key in place of the user, the random device
 * password, and the verifier and salt the client sent in ConfirmDevice
 * ({@link deviceVerifier}, {@link verifyDeviceClaim}).
 *
 * It is written apart from core's client math on purpose, so that a round trip checks
 * one against the other: integers are encoded as Java's `BigInteger.toByteArray` does
 * (built byte by byte here, where the client goes through Cognito's hex `padHex`),
 * exponentiation is plain square-and-multiply, HKDF is two HMACs, base64 is
 * `atob`. Only the group (N, g) comes from core.
 *
 * @internal
 */
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import { g, N } from "@effect-cognito/core/Srp"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

const encoder = new TextEncoder()

/** Java's `BigInteger.toByteArray` for n >= 0: minimal big-endian two's complement. */
const javaBytes = (n: bigint): Uint8Array<ArrayBuffer> => {
  const bitLength = n === 0n ? 0 : n.toString(2).length
  const bytes = new Uint8Array((bitLength >> 3) + 1)
  let rest = n
  for (let i = bytes.length - 1; i >= 0; i--) {
    bytes[i] = Number(rest & 0xffn)
    rest >>= 8n
  }
  return bytes
}

/** Fixed-width big-endian bytes, for comparisons that do not leak the length. */
const fixedBytes = (n: bigint, length: number): Uint8Array => {
  const bytes = new Uint8Array(length)
  let rest = n
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = Number(rest & 0xffn)
    rest >>= 8n
  }
  return bytes
}

const concat = (...parts: ReadonlyArray<Uint8Array>): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(parts.reduce((length, part) => length + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")

const toInteger = (bytes: Uint8Array): bigint => bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n)

const fromBase64 = (s: string): Uint8Array<ArrayBuffer> | undefined => {
  try {
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0))
  } catch {
    return undefined
  }
}

/** Plain right-to-left square-and-multiply. */
const powMod = (base: bigint, exponent: bigint, modulus: bigint): bigint => {
  let result = 1n
  let b = ((base % modulus) + modulus) % modulus
  let e = exponent
  while (e > 0n) {
    if ((e & 1n) === 1n) result = (result * b) % modulus
    b = (b * b) % modulus
    e >>= 1n
  }
  return result
}

const sha256 = (data: Uint8Array<ArrayBuffer>): Effect.Effect<Uint8Array<ArrayBuffer>> =>
  Effect.promise(async () => new Uint8Array(await crypto.subtle.digest("SHA-256", data)))

const hmac = (key: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Effect.Effect<Uint8Array<ArrayBuffer>> =>
  Effect.promise(async () => {
    const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
    return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, data))
  })

/** HKDF-SHA256, one block: T(1) = HMAC(HMAC(salt, ikm), "Caldera Derived Key" | 0x01), first 16 bytes. */
const derivedKey = (ikm: Uint8Array<ArrayBuffer>, salt: Uint8Array<ArrayBuffer>) =>
  hmac(salt, ikm).pipe(
    Effect.flatMap((prk) => hmac(prk, concat(encoder.encode("Caldera Derived Key"), Uint8Array.of(1)))),
    Effect.map((t1) => t1.slice(0, 16))
  )

let multiplier: bigint | undefined

/** k = H(N | g) over Java's encoding. */
const k: Effect.Effect<bigint> = Effect.suspend(() =>
  multiplier !== undefined
    ? Effect.succeed(multiplier)
    : sha256(concat(javaBytes(N), javaBytes(g))).pipe(
        Effect.map(toInteger),
        Effect.tap((value) =>
          Effect.sync(() => {
            multiplier = value
          })
        )
      )
)

const constantTimeEqual = (left: Uint8Array, right: Uint8Array): boolean => {
  if (left.length !== right.length) return false
  let difference = 0
  for (let i = 0; i < left.length; i++) difference |= left[i]! ^ right[i]!
  return difference === 0
}

const hexPattern = /^[0-9a-fA-F]+$/

/** Who the verifier is for. */
export interface Identity {
  /** The user pool name (the part of the pool id after `_`). */
  readonly poolName: string
  /** The `USER_ID_FOR_SRP` the server will send. */
  readonly userIdForSrp: string
  readonly password: Redacted.Redacted<string>
}

/** x = H(salt | H(poolName | userIdForSrp | ":" | password)), the salt read as an integer. */
const privateKey = (identity: Identity, salt: string): Effect.Effect<bigint> =>
  sha256(encoder.encode(`${identity.poolName}${identity.userIdForSrp}:${Redacted.value(identity.password)}`)).pipe(
    Effect.flatMap((inner) => sha256(concat(javaBytes(BigInt(`0x${salt}`)), inner))),
    Effect.map(toInteger)
  )

/** The verifier v = g^x mod N for a given salt (hex). */
export const verifierFor = (identity: Identity & { readonly salt: string }): Effect.Effect<bigint> =>
  privateKey(identity, identity.salt).pipe(Effect.map((x) => powMod(g, x, N)))

/** A new salt (16 random bytes, hex) and the verifier for this password. */
export const makeVerifier = (
  identity: Identity
): Effect.Effect<{ readonly salt: string; readonly verifier: bigint }, never, SecureRandom.SecureRandom> =>
  Effect.gen(function* () {
    const random = yield* SecureRandom.SecureRandom
    const salt = toHex(yield* random.nextBytes(16))
    const verifier = yield* verifierFor({ ...identity, salt })
    return { salt, verifier }
  })

/** Does this password match the stored verifier? (USER_PASSWORD_AUTH, ChangePassword.) */
export const checkPassword = (
  input: Identity & { readonly salt: string; readonly verifier: bigint }
): Effect.Effect<boolean> =>
  verifierFor(input).pipe(Effect.map((v) => constantTimeEqual(fixedBytes(v, 384), fixedBytes(input.verifier, 384))))

/**
 * The server ephemeral: b = 32 random bytes, B = (k·v + g^b) mod N, drawn again if b or
 * B is 0. `srpB` is B as hex, as sent in `SRP_B`.
 */
export const serverEphemeral = (
  verifier: bigint
): Effect.Effect<{ readonly b: bigint; readonly B: bigint; readonly srpB: string }, never, SecureRandom.SecureRandom> =>
  Effect.gen(function* () {
    const random = yield* SecureRandom.SecureRandom
    const kv = ((yield* k) * verifier) % N
    while (true) {
      const b = toInteger(yield* random.nextBytes(32))
      if (b === 0n) continue
      const B = (kv + powMod(g, b, N)) % N
      if (B !== 0n) return { b, B, srpB: B.toString(16) }
    }
  })

/** Is this a usable `SRP_A`: hex, and A mod N not 0? */
export const isValidSrpA = (srpA: string): boolean => hexPattern.test(srpA) && BigInt(`0x${srpA}`) % N !== 0n

/**
 * Checks a `PASSWORD_CLAIM_SIGNATURE`: S = (A·v^u)^b mod N, the same HKDF as the client,
 * then HMAC(key, poolName | userIdForSrp | SECRET_BLOCK | TIMESTAMP) compared in constant
 * time. False for a wrong password, a tampered block or timestamp, a malformed or
 * zero (mod N) A, u = 0, or a signature that is not base64.
 */
export const verifyClaim = (input: {
  readonly poolName: string
  readonly userIdForSrp: string
  readonly verifier: bigint
  /** Not needed by the math (the verifier binds it); accepted so callers pass the whole record. */
  readonly salt?: string | undefined
  readonly b: bigint
  readonly B: bigint
  /** `SRP_A` as the client sent it, hex. */
  readonly srpA: string
  /** `PASSWORD_CLAIM_SECRET_BLOCK`, base64. */
  readonly secretBlock: string
  readonly timestamp: string
  /** `PASSWORD_CLAIM_SIGNATURE`, base64. */
  readonly signature: string
}): Effect.Effect<boolean> =>
  Effect.gen(function* () {
    if (!isValidSrpA(input.srpA)) return false
    const secretBlock = fromBase64(input.secretBlock)
    const signature = fromBase64(input.signature)
    if (secretBlock === undefined || signature === undefined) return false
    const A = BigInt(`0x${input.srpA}`)
    const u = toInteger(yield* sha256(concat(javaBytes(A), javaBytes(input.B))))
    if (u === 0n) return false
    const S = powMod(A * powMod(input.verifier, u, N), input.b, N)
    const key = yield* derivedKey(javaBytes(S), javaBytes(u))
    const expected = yield* hmac(
      key,
      concat(
        encoder.encode(input.poolName),
        encoder.encode(input.userIdForSrp),
        secretBlock,
        encoder.encode(input.timestamp)
      )
    )
    return constantTimeEqual(expected, signature)
  })

/**
 * The salt (hex) and verifier of ConfirmDevice's `DeviceSecretVerifierConfig`: both base64
 * of big-endian bytes (amazon-cognito-identity-js sends its padded hex). `undefined` when
 * either is not base64, is empty, or the verifier is not in [1, N).
 */
export const deviceVerifier = (config: {
  readonly passwordVerifier: string
  readonly salt: string
}): { readonly salt: string; readonly verifier: bigint } | undefined => {
  const verifierBytes = fromBase64(config.passwordVerifier)
  const saltBytes = fromBase64(config.salt)
  if (verifierBytes === undefined || saltBytes === undefined || verifierBytes.length === 0 || saltBytes.length === 0)
    return undefined
  const verifier = toInteger(verifierBytes)
  if (verifier === 0n || verifier >= N) return undefined
  return { salt: toHex(saltBytes), verifier }
}

/**
 * Checks the `PASSWORD_CLAIM_SIGNATURE` of DEVICE_PASSWORD_VERIFIER: {@link verifyClaim}
 * with the device group key as the pool name and the device key as the user, so the HMAC
 * covers deviceGroupKey | deviceKey | SECRET_BLOCK | TIMESTAMP.
 */
export const verifyDeviceClaim = (input: {
  readonly deviceGroupKey: string
  readonly deviceKey: string
  readonly verifier: bigint
  readonly b: bigint
  readonly B: bigint
  readonly srpA: string
  readonly secretBlock: string
  readonly timestamp: string
  readonly signature: string
}): Effect.Effect<boolean> =>
  verifyClaim({
    poolName: input.deviceGroupKey,
    userIdForSrp: input.deviceKey,
    verifier: input.verifier,
    b: input.b,
    B: input.B,
    srpA: input.srpA,
    secretBlock: input.secretBlock,
    timestamp: input.timestamp,
    signature: input.signature
  })
