/**
 * RS256 JWTs signed with a key generated in memory, as Cognito signs its tokens, over
 * `effect/jose`: one key pair per pool, generated on the pool's first use. The key can be
 * exported and imported (a private JWK), so a pool restored from a snapshot keeps
 * verifying the tokens it issued before; tokens of another pool are verified by that
 * pool's published JWKS.
 */
import * as SecureRandom from "effect/crypto/SecureRandom"
import * as Signature from "effect/crypto/Signature"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as JoseError from "effect/jose/JoseError"
import * as Jwk from "effect/jose/Jwk"
import * as Jwks from "effect/jose/Jwks"
import * as Jws from "effect/jose/Jws"
import * as Jwt from "effect/jose/Jwt"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

const algorithm = "RS256"

/** A token's claims. */
export type Claims = Readonly<Record<string, Schema.Json>>

/** A public key as the JWKS publishes it, with the members Cognito's carry. */
export interface PublicJwk {
  readonly kty: "RSA"
  readonly n: string
  readonly e: string
  readonly kid: string
  readonly alg: typeof algorithm
  readonly use: "sig"
}

/** A JSON Web Key Set, as Cognito publishes it at `/.well-known/jwks.json`. */
export interface KeySet {
  readonly keys: ReadonlyArray<PublicJwk>
}

/** A private RSA key as a JWK (its key members only). */
export interface PrivateJwk {
  readonly kty: "RSA"
  readonly n: string
  readonly e: string
  readonly d: string
  readonly p: string
  readonly q: string
  readonly dp: string
  readonly dq: string
  readonly qi: string
}

/** The halves of an RS256 key. */
export interface KeyPair {
  readonly privateKey: Jwk.PrivateKey
  readonly publicKey: Jwk.PublicKey
}

export interface Signer {
  readonly kid: string
  /** A compact JWT of `claims`, with the header `{ alg: "RS256", kid }`. */
  readonly sign: (claims: Claims) => Effect.Effect<Redacted.Redacted<string>>
  /** The claims of a token this signer's key signed; `undefined` for anything else. */
  readonly verify: (token: string) => Effect.Effect<Record<string, unknown> | undefined>
  /** The public key as a JWKS, as Cognito publishes it at `/.well-known/jwks.json`. */
  readonly jwks: Effect.Effect<KeySet>
  /** The private key as a JWK, to carry the signer across a restart ({@link importKeyPair}). */
  readonly privateKey: Effect.Effect<PrivateJwk>
}

/**
 * The Web Crypto `Signature` service, built once: it caches each key's `CryptoKey`, so a
 * key is imported into Web Crypto on its first use only.
 */
const signatureService = Effect.runSync(
  Effect.cached(
    Effect.scoped(
      Effect.map(
        Layer.build(Signature.layerWebCrypto.pipe(Layer.provide(SecureRandom.layerWebCrypto))),
        Context.get(Signature.Signature)
      )
    )
  )
)

const withSignature = <A, E>(effect: Effect.Effect<A, E, Signature.Signature>): Effect.Effect<A, E> =>
  Effect.provideServiceEffect(effect, Signature.Signature, signatureService)

/** The key pair of a private JWK; fails when it is not one. */
const importPair = (jwk: Jwk.PrivateJwk) =>
  Effect.gen(function* () {
    if (jwk.kty !== "RSA")
      return yield* Effect.fail(
        new JoseError.JoseError({ reason: new JoseError.InvalidKey({ description: "Expected an RSA key" }) })
      )
    const privateKey = yield* Jwk.importPrivate(Redacted.make(jwk), algorithm)
    const publicKey = yield* Jwk.importPublic({ kty: "RSA", n: jwk.n, e: jwk.e }, algorithm)
    return { privateKey, publicKey }
  })

/**
 * A new RS256 key pair (2048 bits, as Cognito's). One costs 50 to 300 ms of CPU, so a
 * pool generates its own on first use only.
 */
const generateKeyPair: Effect.Effect<KeyPair> = withSignature(
  Effect.flatMap(Jwk.generateKeyPair({ algorithm, modulusLength: 2048 }), (pair) =>
    importPair(Redacted.value(pair.privateKey))
  )
).pipe(Effect.orDie)

/**
 * A key pair of its own, generated on first use (signing a token, publishing the JWKS or
 * exporting the key for a snapshot) and the same on every use after: one per pool, so a
 * token of one pool never verifies with another's key, and a pool that signs nothing
 * costs no key generation.
 */
export const lazyKeyPair = (): Effect.Effect<KeyPair> => Effect.runSync(Effect.cached(generateKeyPair))

const decodeClaims = Schema.decodeUnknownOption(Schema.fromJsonString(Schema.JsonObject))
const utf8 = new TextDecoder("utf-8", { fatal: true })

/** The claims of a JWS's verified payload; `undefined` when it is not a JSON object. */
const claimsOf = (payload: Uint8Array): Record<string, unknown> | undefined => {
  let text: string
  try {
    text = utf8.decode(payload)
  } catch {
    return undefined
  }
  return Option.getOrUndefined(decodeClaims(text))
}

/** `undefined` for a token that fails to verify (structure, encoding, header, key or signature). */
const orUndefined = <E, R>(
  verified: Effect.Effect<Jws.Verified, E, R>
): Effect.Effect<Record<string, unknown> | undefined, never, R> =>
  verified.pipe(
    Effect.map(({ payload }) => claimsOf(payload)),
    Effect.orElseSucceed(() => undefined)
  )

/** A signer with the key id `kid`, over `keys` (default a key pair of its own, generated on first use). */
export const makeSigner = (kid: string, keys: Effect.Effect<KeyPair> = lazyKeyPair()): Signer => {
  const jwks = Effect.runSync(
    Effect.cached(
      Effect.flatMap(keys, ({ publicKey }) => Jwk.exportPublic(publicKey)).pipe(
        Effect.flatMap((jwk) =>
          jwk.kty === "RSA"
            ? Effect.succeed<KeySet>({ keys: [{ kty: "RSA", n: jwk.n, e: jwk.e, kid, alg: algorithm, use: "sig" }] })
            : Effect.die(new Error("the signing key is not an RSA key"))
        ),
        Effect.orDie
      )
    )
  )
  const privateKey = Effect.runSync(
    Effect.cached(
      Effect.flatMap(keys, ({ privateKey }) => Jwk.exportPrivate(privateKey)).pipe(
        Effect.flatMap((exported) => {
          const jwk = Redacted.value(exported)
          return jwk.kty === "RSA"
            ? Effect.succeed<PrivateJwk>({
                kty: "RSA",
                n: jwk.n,
                e: jwk.e,
                d: jwk.d,
                p: jwk.p,
                q: jwk.q,
                dp: jwk.dp,
                dq: jwk.dq,
                qi: jwk.qi
              })
            : Effect.die(new Error("the signing key is not an RSA key"))
        }),
        Effect.orDie
      )
    )
  )
  return {
    kid,
    sign: (claims) =>
      withSignature(
        Effect.flatMap(keys, ({ privateKey }) => Jwt.sign(Schema.JsonObject, claims, privateKey, { kid }))
      ).pipe(Effect.orDie),
    verify: (token) =>
      withSignature(orUndefined(Effect.flatMap(keys, ({ publicKey }) => Jws.verify(token, publicKey)))),
    jwks,
    privateKey
  }
}

const probe = new TextEncoder().encode("effect-cognito key probe")

/**
 * The key pair of a private RSA JWK; `undefined` when it is not one, or its halves do not
 * belong together (a probe signed with the private half must verify with the public half).
 */
export const importKeyPair = (jwk: PrivateJwk): Effect.Effect<KeyPair | undefined> =>
  withSignature(
    Effect.gen(function* () {
      const pair = yield* importPair(jwk)
      const signed = yield* Jws.sign(probe, pair.privateKey)
      yield* Jws.verify(signed, pair.publicKey)
      return pair
    })
  ).pipe(Effect.orElseSucceed(() => undefined))

const decodeKeySet = Schema.decodeUnknownOption(Jwks.KeySet)

/** The `Jwks` service of each published key set, so its keys are imported once. */
const keySets = new WeakMap<object, Jwks.Jwks["Service"]>()

/** Resolves a key by the token's `kid` only: a token without one matches no key. */
const keySetService = (jwks: { readonly keys: ReadonlyArray<unknown> }): Effect.Effect<Jwks.Jwks["Service"]> =>
  Effect.suspend(() => {
    const cached = keySets.get(jwks)
    if (cached !== undefined) return Effect.succeed(cached)
    const keySet = Option.getOrElse(decodeKeySet(jwks), (): Jwks.KeySet => ({ keys: [] }))
    return Effect.map(Jwks.makeLocal(keySet), (local) => {
      const service = Jwks.Jwks.of({
        resolve: (selection) =>
          selection.kid === undefined
            ? Effect.fail(new JoseError.JoseError({ reason: new JoseError.KeyNotFound() }))
            : local.resolve(selection)
      })
      keySets.set(jwks, service)
      return service
    })
  })

/** The claims of a token signed by one of `jwks`'s keys (by `kid`); `undefined` for anything else. */
export const verifyWithJwks = (
  jwks: { readonly keys: ReadonlyArray<unknown> },
  token: string
): Effect.Effect<Record<string, unknown> | undefined> =>
  Effect.flatMap(keySetService(jwks), (service) =>
    withSignature(
      orUndefined(Effect.provideService(Jws.verifyWithKeySet(token, { algorithms: [algorithm] }), Jwks.Jwks, service))
    )
  )
