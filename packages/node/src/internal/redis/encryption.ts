/**
 * Records encrypted at rest: AES-256-GCM (`effect/crypto`'s `Aead` on Web Crypto) under a
 * keyring whose first key encrypts and whose every key decrypts, so keys can rotate.
 *
 * A sealed record is one line, `ec1.<key id>.<nonce>.<ciphertext and tag>` (base64url, a
 * random 12-byte nonce per write). Its additional data is `ec1.<key id>.<Redis key>`: a
 * record copied under another session's key, or relabelled with another key id, does not
 * decrypt. What cannot be opened is reported as a problem that names its kind (and the
 * key id, which is no secret), never the record.
 *
 * @internal
 */
import * as AuthError from "@effect-cognito/core/AuthError"
import type * as Context from "effect/Context"
import * as Aead from "effect/crypto/Aead"
import * as SecureRandom from "effect/crypto/SecureRandom"
import * as Effect from "effect/Effect"
import * as Base64 from "effect/encoding/Base64"
import * as Base64Url from "effect/encoding/Base64Url"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"

/** An encryption key: its id (kept in each record it seals) and its 32 bytes, raw or base64. */
export interface EncryptionKey {
  /** 1 to 64 letters, digits, `_` or `-`. */
  readonly id: string
  /** 32 bytes (AES-256), as bytes or as base64 / base64url text. */
  readonly key: Redacted.Redacted<Uint8Array> | Redacted.Redacted<string>
}

/** Seals and opens records. */
export interface Keyring {
  /** The id of the key that seals. */
  readonly current: string
  readonly seal: (redisKey: string, plaintext: string) => Effect.Effect<string, AuthError.AuthError>
  /** The plaintext, or what is wrong (no content). */
  readonly open: (redisKey: string, stored: string) => Effect.Effect<Result.Result<string, string>>
}

/** The prefix of a sealed record. */
export const marker = "ec1."

const keyIdPattern = /^[A-Za-z0-9_-]{1,64}$/
const nonceLength = 12

/** The services, built once on first use: plain objects over `crypto.subtle`, nothing to release. */
let built: Context.Context<Aead.Aead | SecureRandom.SecureRandom> | undefined
const services = Effect.suspend(() =>
  built !== undefined
    ? Effect.succeed(built)
    : Effect.map(
        Effect.scoped(Layer.build(Aead.layerWebCrypto.pipe(Layer.provideMerge(SecureRandom.layerWebCrypto)))),
        (context) => {
          built = context
          return context
        }
      )
)

const bytesOf = (key: EncryptionKey["key"]): Uint8Array | undefined => {
  const value: unknown = Redacted.value(key as Redacted.Redacted<unknown>)
  if (value instanceof Uint8Array) return value
  if (typeof value !== "string") return undefined
  const text = value.trim()
  const decoded = Base64.decode(text)
  if (Result.isSuccess(decoded)) return decoded.success
  const url = Base64Url.decode(text)
  return Result.isSuccess(url) ? url.success : undefined
}

const utf8 = new TextEncoder()
const text = new TextDecoder("utf-8", { fatal: true })
const additionalData = (keyId: string, redisKey: string) => utf8.encode(`${marker}${keyId}.${redisKey}`)

/**
 * The keyring of `keys` (at least one), checked now: key ids well formed and distinct,
 * keys 32 bytes. A problem fails with `InvalidConfig`, never showing a key.
 */
export const make = (method: string, keys: ReadonlyArray<EncryptionKey>): Effect.Effect<Keyring, AuthError.AuthError> =>
  Effect.gen(function* () {
    const invalid = (description: string) => Effect.fail(AuthError.make("InvalidConfig", method, description))
    if (keys.length === 0) return yield* invalid("encryptionKeys: expected at least one key")
    const context = yield* services
    const byId = new Map<string, Aead.Key>()
    for (const [index, entry] of keys.entries()) {
      if (typeof entry?.id !== "string" || !keyIdPattern.test(entry.id))
        return yield* invalid(`encryptionKeys[${index}].id: expected 1 to 64 letters, digits, _ or -`)
      if (byId.has(entry.id)) return yield* invalid(`encryptionKeys[${index}].id: "${entry.id}" is used twice`)
      const bytes = Redacted.isRedacted(entry.key) ? bytesOf(entry.key) : undefined
      if (bytes === undefined || bytes.length !== 32)
        return yield* invalid(
          `encryptionKeys[${index}].key: expected a Redacted key of 32 bytes (AES-256), as bytes or base64 (not shown)`
        )
      byId.set(entry.id, yield* Effect.orDie(Aead.key(Aead.aes256Gcm, bytes)))
    }
    const current = keys[0]!.id
    const sealingKey = byId.get(current)!

    const seal: Keyring["seal"] = (redisKey, plaintext) =>
      Effect.gen(function* () {
        const aead = yield* Aead.Aead
        const nonce = yield* (yield* SecureRandom.SecureRandom).randomBytes(nonceLength)
        const sealed = yield* aead.encrypt(sealingKey, utf8.encode(plaintext), {
          nonce,
          aad: additionalData(current, redisKey)
        })
        return `${marker}${current}.${Base64Url.encode(nonce)}.${Base64Url.encode(sealed)}`
      }).pipe(
        Effect.provideContext(context),
        Effect.mapError((cause) =>
          AuthError.make("Storage", "TokenStore.encrypt", "the record could not be encrypted", { cause })
        )
      )

    const open: Keyring["open"] = (redisKey, stored) =>
      Effect.suspend((): Effect.Effect<Result.Result<string, string>> => {
        if (!stored.startsWith(marker)) return Effect.succeed(Result.fail("it is not encrypted"))
        const parts = stored.slice(marker.length).split(".")
        const [keyId, nonceText, sealedText] = parts
        if (parts.length !== 3 || keyId === undefined || nonceText === undefined || sealedText === undefined)
          return Effect.succeed(Result.fail("it is not a well-formed encrypted record"))
        const key = byId.get(keyId)
        if (key === undefined)
          return Effect.succeed(
            Result.fail(
              keyIdPattern.test(keyId)
                ? `it is encrypted under key id "${keyId}", which is not configured`
                : "it names a malformed key id"
            )
          )
        const nonce = Base64Url.decode(nonceText)
        const sealed = Base64Url.decode(sealedText)
        if (Result.isFailure(nonce) || Result.isFailure(sealed) || nonce.success.length !== nonceLength)
          return Effect.succeed(Result.fail("it is not a well-formed encrypted record"))
        return Effect.gen(function* () {
          const aead = yield* Aead.Aead
          return yield* aead.decrypt(key, sealed.success, {
            nonce: nonce.success,
            aad: additionalData(keyId, redisKey)
          })
        }).pipe(
          Effect.provideContext(context),
          Effect.map((plain): Result.Result<string, string> => {
            try {
              return Result.succeed(text.decode(plain))
            } catch {
              return Result.fail("it does not decrypt to text")
            }
          }),
          Effect.orElseSucceed(
            (): Result.Result<string, string> =>
              Result.fail(`it does not decrypt under key id "${keyId}" (another key, or altered)`)
          )
        )
      })

    return { current, seal, open }
  })
