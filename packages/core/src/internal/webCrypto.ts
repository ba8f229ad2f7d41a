/**
 * SHA-256, HMAC-SHA256 and HKDF-SHA256 for SRP, the secret hash and SigV4 payload
 * hashes, through `effect/crypto` (`Digest`, `Mac`, `Kdf`) on Web Crypto
 * (`crypto.subtle`, global in browsers and Node). The services are provided here, so
 * callers need nothing in their context; a failure of Web Crypto is a defect, as a
 * rejected `crypto.subtle` promise was before.
 *
 * @internal
 */
import type * as Context from "effect/Context"
import * as Digest from "effect/crypto/Digest"
import * as Kdf from "effect/crypto/Kdf"
import * as Mac from "effect/crypto/Mac"
import * as SecureRandom from "effect/crypto/SecureRandom"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const webCrypto = Layer.mergeAll(
  Digest.layerWebCrypto,
  Kdf.layerWebCrypto,
  Mac.layerWebCrypto.pipe(Layer.provide(SecureRandom.layerWebCrypto))
)

/**
 * The services, built once on first use and kept: they are plain objects over
 * `crypto.subtle` with nothing to release, and building the layer for every hash cost
 * about 0.2 ms each (five times the hash itself).
 */
let built: Context.Context<Digest.Digest | Kdf.Kdf | Mac.Mac> | undefined
const services = Effect.suspend(() =>
  built !== undefined
    ? Effect.succeed(built)
    : Effect.map(Effect.scoped(Layer.build(webCrypto)), (context) => {
        built = context
        return context
      })
)

const run = <A, E>(effect: Effect.Effect<A, E, Digest.Digest | Kdf.Kdf | Mac.Mac>): Effect.Effect<A> =>
  Effect.flatMap(services, (context) => Effect.orDie(Effect.provideContext(effect, context)))

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
