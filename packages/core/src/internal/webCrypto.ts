/**
 * SHA-256, HMAC-SHA256 and HKDF-SHA256 over Web Crypto (`crypto.subtle`, global in
 * browsers and in Node 20+), as promises for the signer and as Effects for SRP.
 *
 * @internal
 */
import * as Effect from "effect/Effect"

/** SHA-256 of the bytes. */
export const digest = async (data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", data))

/** An HMAC-SHA256 signing key (not extractable), for signing many messages with one key. */
export const hmacKey = (key: Uint8Array<ArrayBuffer>): Promise<CryptoKey> =>
  crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])

/** HMAC-SHA256 of `message` under `key` (bytes, or a key from {@link hmacKey}). */
export const hmac = async (
  key: Uint8Array<ArrayBuffer> | CryptoKey,
  message: Uint8Array<ArrayBuffer>
): Promise<Uint8Array<ArrayBuffer>> =>
  new Uint8Array(await crypto.subtle.sign("HMAC", key instanceof Uint8Array ? await hmacKey(key) : key, message))

/** SHA-256. */
export const sha256 = (data: Uint8Array<ArrayBuffer>): Effect.Effect<Uint8Array<ArrayBuffer>> =>
  Effect.promise(() => digest(data))

/** HMAC-SHA256. */
export const hmacSha256 = (
  key: Uint8Array<ArrayBuffer>,
  message: Uint8Array<ArrayBuffer>
): Effect.Effect<Uint8Array<ArrayBuffer>> => Effect.promise(() => hmac(key, message))

/** HKDF-SHA256 of `ikm` with `salt` and `info`, `bits` long. */
export const hkdf = (
  ikm: Uint8Array<ArrayBuffer>,
  salt: Uint8Array<ArrayBuffer>,
  info: Uint8Array<ArrayBuffer>,
  bits: number
): Effect.Effect<Uint8Array<ArrayBuffer>> =>
  Effect.promise(async () => {
    const key = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"])
    return new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, key, bits))
  })
