/**
 * The arithmetic behind `Srp`: the group, Cognito's `padHex`, modular exponentiation on
 * native BigInt and the client's side of the protocol. Hashing comes from
 * `./webCrypto.js`, byte and text conversions from `./encoding.js`.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as AuthError from "../AuthError.js"
import type { SrpMath } from "../SrpMath.js"
import { bytesToHex, concat, fromBase64, hexToBytes, isHex, toBase64, utf8 } from "./encoding.js"
import { hkdf, hmacSha256, sha256 } from "./webCrypto.js"

// ---------------------------------------------------------------------------
// The group: RFC 5054 (and RFC 3526) 3072-bit prime, g = 2
// ---------------------------------------------------------------------------

/** The 3072-bit prime of RFC 5054, upper-case hex as the RFC prints it. */
export const NHex =
  "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
  "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
  "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
  "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
  "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
  "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
  "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
  "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

export const N: bigint = BigInt(`0x${NHex}`)
export const g = 2n

/** N - 1, the order of the multiplicative group: exponents of g can be reduced modulo it. */
const NMinusOne = N - 1n

// ---------------------------------------------------------------------------
// Integers as Cognito hashes them
// ---------------------------------------------------------------------------

/** Cognito's `padHex`: hex, a leading `0` if odd, then `00` if the first nibble is 8-f. */
export const padHex = (n: bigint): string => {
  if (n < 0n) throw new RangeError("padHex: expected a non-negative integer")
  let hex = n.toString(16)
  if ((hex.length & 1) === 1) hex = `0${hex}`
  const first = hex.charCodeAt(0)
  // "8"-"9" or "a"-"f" (toString(16) is lower case)
  return (first >= 56 && first <= 57) || first >= 97 ? `00${hex}` : hex
}

/** Big-endian unsigned bytes to an integer (empty: 0). */
export const bytesToBigInt = (bytes: Uint8Array): bigint => (bytes.length === 0 ? 0n : BigInt(`0x${bytesToHex(bytes)}`))

/** The padded big-endian bytes of a non-negative integer, as Cognito hashes it. */
export const padBytes = (n: bigint): Uint8Array<ArrayBuffer> => hexToBytes(padHex(n))

// ---------------------------------------------------------------------------
// Modular exponentiation
// ---------------------------------------------------------------------------

/**
 * `base^exponent mod modulus` by left-to-right sliding windows over the exponent's
 * bits: about one squaring per bit and one multiplication per window.
 */
export const modPow = (base: bigint, exponent: bigint, modulus: bigint): bigint => {
  if (modulus <= 0n) throw new RangeError("modPow: the modulus must be positive")
  if (exponent < 0n) throw new RangeError("modPow: the exponent must be non-negative")
  if (modulus === 1n) return 0n
  base %= modulus
  if (base < 0n) base += modulus
  if (exponent === 0n) return 1n
  if (base <= 1n) return base
  const bits = exponent.toString(2)
  const length = bits.length
  const w = length < 18 ? 1 : length < 48 ? 3 : length < 144 ? 4 : length < 768 ? 5 : 6
  // Odd powers: odd[i] = base^(2i + 1)
  const odd: Array<bigint> = [base]
  if (w > 1) {
    const square = (base * base) % modulus
    for (let i = 1; i < 1 << (w - 1); i++) odd.push((odd[i - 1]! * square) % modulus)
  }
  let result = 1n
  let started = false
  let i = 0
  while (i < length) {
    if (bits.charCodeAt(i) === 48) {
      if (started) result = (result * result) % modulus
      i++
      continue
    }
    // The longest window of at most w bits starting here that ends with a 1.
    let j = Math.min(i + w, length) - 1
    while (bits.charCodeAt(j) === 48) j--
    const window = Number.parseInt(bits.slice(i, j + 1), 2)
    if (started) {
      for (let s = i; s <= j; s++) result = (result * result) % modulus
      result = (result * odd[window >>> 1]!) % modulus
    } else {
      result = odd[window >>> 1]!
      started = true
    }
    i = j + 1
  }
  return result
}

/** Bits per digit of the fixed-base method (radix 32, so `toString(32)` yields the digits). */
const gDigitBits = 5
/** gTable[i] = g^(32^i) mod N, extended on demand. */
const gTable: Array<bigint> = [g]

/**
 * `g^exponent mod N` with a fixed-base method (Brickell-Gordon-McCurley-Wilson): the
 * exponent in radix 32 against a cached table of g^(32^i), so no squarings at all once
 * the table is built. About a quarter of the multiplications of a general `modPow`.
 */
export const gPow = (exponent: bigint): bigint => {
  let e = exponent % NMinusOne
  if (e < 0n) e += NMinusOne
  if (e === 0n) return 1n
  const digits = e.toString(32)
  const count = digits.length
  while (gTable.length < count) {
    let t = gTable[gTable.length - 1]!
    for (let s = 0; s < gDigitBits; s++) t = (t * t) % N
    gTable.push(t)
  }
  // buckets[d] = product of gTable[i] over the digits i equal to d
  const buckets: Array<bigint | undefined> = new Array(32)
  for (let i = 0; i < count; i++) {
    const d = Number.parseInt(digits[count - 1 - i]!, 32)
    if (d === 0) continue
    const current = buckets[d]
    buckets[d] = current === undefined ? gTable[i]! : (current * gTable[i]!) % N
  }
  // result = prod buckets[d]^d, as a running product from the top digit down
  let running: bigint | undefined
  let result: bigint | undefined
  for (let d = 31; d >= 1; d--) {
    const bucket = buckets[d]
    if (bucket !== undefined) running = running === undefined ? bucket : (running * bucket) % N
    if (running !== undefined) result = result === undefined ? running : (result * running) % N
  }
  return result!
}

const derivedKeyInfo = utf8("Caldera Derived Key")

/**
 * HKDF-SHA256 with info "Caldera Derived Key", 16 bytes: that is HMAC(HMAC(salt, ikm),
 * info | 0x01) truncated, exactly what amazon-cognito-identity-js computes by hand.
 */
const derivedKey = (ikm: Uint8Array, salt: Uint8Array): Effect.Effect<Uint8Array> =>
  hkdf(ikm, salt, derivedKeyInfo, 128)

let kCache: bigint | undefined

/** k = H(padHex(N) | padHex(g)), computed once. */
export const k: Effect.Effect<bigint> = Effect.suspend(() =>
  kCache !== undefined
    ? Effect.succeed(kCache)
    : sha256(concat(padBytes(N), padBytes(g))).pipe(
        Effect.map((digest) => {
          kCache = bytesToBigInt(digest)
          return kCache
        })
      )
)

// ---------------------------------------------------------------------------
// The client's computation
// ---------------------------------------------------------------------------

const invalidResponse = (description: string) => Effect.fail(AuthError.make("InvalidResponse", "signIn", description))

/** Fails unless B mod N is non-zero (a zero B would let the server fix the session key). */
export const checkB = (B: bigint): Effect.Effect<bigint, AuthError.AuthError> =>
  B % N === 0n ? invalidResponse("SRP_B is zero modulo N: the server's public ephemeral is invalid") : Effect.succeed(B)

/** Fails when u = H(A | B) is zero (the password would not enter the session key). */
export const checkU = (u: bigint): Effect.Effect<bigint, AuthError.AuthError> =>
  u === 0n ? invalidResponse("the SRP scrambling parameter u = H(A | B) is zero") : Effect.succeed(u)

const parseHex = (value: string, name: string): Effect.Effect<bigint, AuthError.AuthError> =>
  isHex(value) ? Effect.succeed(BigInt(`0x${value}`)) : invalidResponse(`${name} is not a hexadecimal string`)

/** u = H(padHex(A) | padHex(B)). */
export const computeU = (A: bigint, B: bigint): Effect.Effect<bigint> =>
  sha256(hexToBytes(padHex(A) + padHex(B))).pipe(Effect.map(bytesToBigInt))

/** x = H(padHex(salt) | H(poolName | userIdForSrp | ":" | password)). */
export const computeX = (
  poolName: string,
  userIdForSrp: string,
  password: Redacted.Redacted<string>,
  salt: bigint
): Effect.Effect<bigint> =>
  sha256(utf8(`${poolName}${userIdForSrp}:${Redacted.value(password)}`)).pipe(
    Effect.flatMap((inner) => sha256(concat(padBytes(salt), inner))),
    Effect.map(bytesToBigInt)
  )

/** What the client knows when it answers PASSWORD_VERIFIER. */
export interface KeyInput {
  readonly poolName: string
  readonly userIdForSrp: string
  readonly password: Redacted.Redacted<string>
  readonly a: bigint
  readonly A: bigint
  /** SALT, hex. */
  readonly salt: string
  /** SRP_B, hex. */
  readonly srpB: string
}

/** The 16-byte password authentication key, as `AuthenticationHelper.getPasswordAuthenticationKey`. */
export const passwordAuthenticationKey = (
  input: KeyInput,
  math: SrpMath.Service
): Effect.Effect<Uint8Array, AuthError.AuthError> =>
  Effect.gen(function* () {
    const B = yield* checkB(yield* parseHex(input.srpB, "SRP_B"))
    const salt = yield* parseHex(input.salt, "SALT")
    const u = yield* checkU(yield* computeU(input.A, B))
    const x = yield* computeX(input.poolName, input.userIdForSrp, input.password, salt)
    const multiplier = yield* k
    const S = math.modPow(B - ((multiplier * math.gPow(x)) % N), input.a + u * x)
    return yield* derivedKey(padBytes(S), padBytes(u))
  })

/** The PASSWORD_CLAIM_SIGNATURE: Base64(HMAC(key, poolName | userIdForSrp | secretBlock | timestamp)). */
export const claimSignature = (
  input: KeyInput & { readonly secretBlock: string; readonly timestamp: string },
  math: SrpMath.Service
): Effect.Effect<string, AuthError.AuthError> =>
  Effect.gen(function* () {
    const secretBlock = fromBase64(input.secretBlock)
    if (secretBlock === undefined) return yield* invalidResponse("SECRET_BLOCK is not base64")
    const key = yield* passwordAuthenticationKey(input, math)
    const signature = yield* hmacSha256(
      key,
      concat(utf8(input.poolName), utf8(input.userIdForSrp), secretBlock, utf8(input.timestamp))
    )
    return toBase64(signature)
  })

// ---------------------------------------------------------------------------
// Timestamp
// ---------------------------------------------------------------------------

const weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const
const two = (n: number) => (n < 10 ? `0${n}` : `${n}`)

/** "Tue Nov 3 07:05:09 UTC 2026": UTC, English names, day not padded, time zero-padded. */
export const formatTimestamp = (date: Date): string =>
  `${weekdays[date.getUTCDay()]} ${months[date.getUTCMonth()]} ${date.getUTCDate()} ${two(date.getUTCHours())}:${two(
    date.getUTCMinutes()
  )}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`
