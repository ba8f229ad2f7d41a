/**
 * SHA-256, HMAC-SHA256 and HKDF-SHA256 for SRP, the secret hash and SigV4 payload
 * hashes, through `effect/crypto` (`Digest`, `Mac`, `Kdf`) on Web Crypto
 * (`crypto.subtle`, global in browsers and Node). The services are provided here, so
 * callers need nothing in their context; a failure of Web Crypto is a defect, as a
 * rejected `crypto.subtle` promise was before.
 *
 * @internal
 */
import * as Digest from "effect/crypto/Digest"
import * as Kdf from "effect/crypto/Kdf"
import * as Mac from "effect/crypto/Mac"
import * as SecureRandom from "effect/crypto/SecureRandom"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** Built once per use site's fiber: each is a plain object over `crypto.subtle`. */
const webCrypto = Layer.mergeAll(
  Digest.layerWebCrypto,
  Kdf.layerWebCrypto,
  Mac.layerWebCrypto.pipe(Layer.provide(SecureRandom.layerWebCrypto))
)

const run = <A, E>(effect: Effect.Effect<A, E, Digest.Digest | Kdf.Kdf | Mac.Mac>): Effect.Effect<A> =>
  effect.pipe(Effect.orDie, Effect.provide(webCrypto))

/** SHA-256. */
export const sha256 = (data: Uint8Array): Effect.Effect<Uint8Array> =>
  run(
    Effect.gen(function* () {
      return yield* (yield* Digest.Digest).digest(Digest.sha256, data)
    })
  )

/** HMAC-SHA256. */
export const hmacSha256 = (key: Uint8Array, message: Uint8Array): Effect.Effect<Uint8Array> =>
  run(
    Effect.gen(function* () {
      return yield* (yield* Mac.Mac).sign(yield* Mac.key(Mac.hmacSha256, key), message)
    })
  )

/** HKDF-SHA256 of `ikm` with `salt` and `info`, `bits` long. */
export const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, bits: number): Effect.Effect<Uint8Array> =>
  run(
    Effect.gen(function* () {
      return yield* (yield* Kdf.Kdf).derive(Kdf.hkdfSha256, ikm, { salt, info, length: bits / 8 })
    })
  )
