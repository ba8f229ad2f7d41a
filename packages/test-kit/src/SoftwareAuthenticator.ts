/**
 * A software WebAuthn authenticator (and the browser around it) for tests: passkeys made
 * with Web Crypto (ES256 keys, `none` attestation, CBOR encoded by hand), real signatures
 * over the authenticator data and the client data, a sign count per credential that goes
 * up by one per assertion, resident (discoverable) credentials, and the user-verification
 * flag. It takes Cognito's JSON options (`CredentialCreationOptions`, the
 * `CREDENTIAL_REQUEST_OPTIONS` of a `WEB_AUTHN` challenge) and answers the JSON Cognito
 * takes, so a Node test runs the whole passkey ceremony against TestCognito or the local
 * Cognito. Test hooks make it misbehave on purpose: a tampered signature, another origin
 * or relying party, a sign count set back, the last assertion replayed.
 *
 * @example
 * ```ts
 * import * as SoftwareAuthenticator from "@effect-cognito/test-kit/SoftwareAuthenticator"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function* () {
 *   const authenticator = yield* SoftwareAuthenticator.make({ origin: "https://example.com" })
 *   // `authenticator.create(options)` answers StartWebAuthnRegistration's options,
 *   // `authenticator.get(options)` a WEB_AUTHN challenge; `layer(authenticator)` gives `WebAuthn`.
 *   yield* authenticator.tamperNextSignature
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as AuthError from "@effect-cognito/core/AuthError"
import * as WebAuthn from "@effect-cognito/core/WebAuthn"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * How the authenticator is set up.
 *
 * @since 0.1.0
 */
export interface Options {
  /** The origin of the page the ceremonies run in, as a browser puts it in the client data (`https://example.com`). */
  readonly origin: string
  /**
   * Whether the authenticator verifies the user (PIN, biometrics): the UV flag. Default
   * true. Without it the authenticator still answers when the options require verification
   * (it does not refuse on its own), so a test sees the server's check.
   */
  readonly userVerification?: boolean | undefined
  /** `authenticatorAttachment` of the credentials it makes. Default `platform`. */
  readonly attachment?: "platform" | "cross-platform" | undefined
  /** The transports it reports. Default `["internal"]`. */
  readonly transports?: ReadonlyArray<string> | undefined
}

/**
 * A credential the authenticator holds.
 *
 * @since 0.1.0
 */
export interface Credential {
  /** base64url. */
  readonly credentialId: string
  readonly rpId: string
  /** The user handle (`user.id`, base64url) it was made for. */
  readonly userHandle: string
  readonly userName: string
  /** The sign count of its last assertion (0 after registration). */
  readonly signCount: number
}

/**
 * The authenticator, with the hooks tests use to make it misbehave.
 *
 * @since 0.1.0
 */
export interface SoftwareAuthenticator {
  /** `navigator.credentials.create`: a new ES256 credential for the options' relying party and user. */
  readonly create: (
    options: WebAuthn.CredentialCreationOptionsJson
  ) => Effect.Effect<WebAuthn.RegistrationResponseJson, AuthError.AuthError>
  /** `navigator.credentials.get`: an assertion by one of the allowed credentials (or a resident one). */
  readonly get: (
    options: WebAuthn.CredentialRequestOptionsJson
  ) => Effect.Effect<WebAuthn.AuthenticationResponseJson, AuthError.AuthError>
  /** The credentials it holds, in the order they were made. */
  readonly credentials: Effect.Effect<ReadonlyArray<Credential>>
  /** The next assertion's signature has one bit flipped (`none` attestation signs nothing at registration). */
  readonly tamperNextSignature: Effect.Effect<void>
  /** The client data of later ceremonies names this origin instead of the configured one. */
  readonly useOrigin: (origin: string) => Effect.Effect<void>
  /**
   * Later ceremonies hash this relying party id into the authenticator data, whatever the
   * options ask (and skip the browser's check that it fits the origin); `undefined` goes back.
   */
  readonly useRpId: (rpId: string | undefined) => Effect.Effect<void>
  /** Sets a credential's sign count: its next assertion counts from there (to make it go backwards). */
  readonly setSignCount: (credentialId: string, count: number) => Effect.Effect<void>
  /** The next `get` answers with the last assertion again, unchanged (a replay). */
  readonly replayNext: Effect.Effect<void>
  /** Turns user verification (the UV flag) on or off for later ceremonies. */
  readonly setUserVerification: (verified: boolean) => Effect.Effect<void>
}

interface Held {
  readonly id: Uint8Array<ArrayBuffer>
  readonly rpId: string
  readonly userHandle: string
  readonly userName: string
  readonly privateKey: CryptoKey
  signCount: number
}

const subtle = () => globalThis.crypto.subtle

const encodeUrl = WebAuthn.toBase64Url

const utf8 = (text: string) => new TextEncoder().encode(text)

const concat = (...parts: ReadonlyArray<Uint8Array>): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

const sha256 = (bytes: Uint8Array<ArrayBuffer>) =>
  Effect.promise(() => subtle().digest("SHA-256", bytes)).pipe(Effect.map((buffer) => new Uint8Array(buffer)))

// ---------------------------------------------------------------------------
// CBOR, the few shapes WebAuthn needs (RFC 8949): integers, byte and text strings, maps
// ---------------------------------------------------------------------------

type Cbor = number | string | Uint8Array | ReadonlyArray<readonly [Cbor, Cbor]>

const cborHead = (major: number, value: number): Uint8Array => {
  if (value < 24) return Uint8Array.of((major << 5) | value)
  if (value < 0x100) return Uint8Array.of((major << 5) | 24, value)
  if (value < 0x10000) return Uint8Array.of((major << 5) | 25, value >> 8, value & 0xff)
  return Uint8Array.of((major << 5) | 26, value >>> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff)
}

/** Encodes a value; a map is its entries, in the (canonical) order given. */
const cbor = (value: Cbor): Uint8Array => {
  if (typeof value === "number") return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value)
  if (typeof value === "string") {
    const bytes = utf8(value)
    return concat(cborHead(3, bytes.length), bytes)
  }
  if (value instanceof Uint8Array) return concat(cborHead(2, value.length), value)
  return concat(cborHead(5, value.length), ...value.flatMap(([k, v]) => [cbor(k), cbor(v)]))
}

/** A raw `r‖s` ECDSA signature (Web Crypto's) as the ASN.1 DER sequence WebAuthn carries. */
const derSignature = (raw: Uint8Array): Uint8Array => {
  const integer = (half: Uint8Array) => {
    let start = 0
    while (start < half.length - 1 && half[start] === 0) start++
    const trimmed = half.slice(start)
    const body = trimmed[0]! & 0x80 ? concat(Uint8Array.of(0), trimmed) : trimmed
    return concat(Uint8Array.of(0x02, body.length), body)
  }
  const body = concat(integer(raw.slice(0, 32)), integer(raw.slice(32)))
  return concat(Uint8Array.of(0x30, body.length), body)
}

const flagUp = 0x01
const flagUv = 0x04
const flagAt = 0x40

/** The AAGUID of this authenticator: all zeros, as `none` attestation allows. */
const aaguid = new Uint8Array(16)

/**
 * A software authenticator for `origin`.
 *
 * @since 0.1.0
 */
export const make = (options: Options): Effect.Effect<SoftwareAuthenticator> =>
  Effect.sync(() => {
    const held: Array<Held> = []
    const hooks = {
      tamper: false,
      origin: options.origin,
      rpId: undefined as string | undefined,
      replay: false,
      userVerification: options.userVerification ?? true,
      last: undefined as WebAuthn.AuthenticationResponseJson | undefined
    }
    const attachment = options.attachment ?? "platform"
    const transports = options.transports ?? ["internal"]

    const refuse = (reason: AuthError.Reason, method: string, message: string) =>
      Effect.fail(AuthError.make(reason, method, message))

    /** The browser's check: the relying party id is the origin's host or a parent domain of it. */
    const relyingParty = (method: string, asked: string | undefined) => {
      if (hooks.rpId !== undefined) return Effect.succeed(hooks.rpId)
      const host = new URL(hooks.origin).hostname
      const rpId = asked ?? host
      return host === rpId || host.endsWith(`.${rpId}`)
        ? Effect.succeed(rpId)
        : refuse(
            "WebAuthnRelyingPartyMismatch",
            method,
            `SecurityError: the relying party id ${rpId} does not fit the origin ${hooks.origin}`
          )
    }

    const clientData = (type: "webauthn.create" | "webauthn.get", challenge: string) =>
      utf8(JSON.stringify({ type, challenge, origin: hooks.origin, crossOrigin: false }))

    const flags = (extra: number) => flagUp | (hooks.userVerification ? flagUv : 0) | extra

    const sign = (
      key: CryptoKey,
      authenticatorData: Uint8Array<ArrayBuffer>,
      clientDataJson: Uint8Array<ArrayBuffer>
    ) =>
      Effect.gen(function* () {
        const hash = yield* sha256(clientDataJson)
        const raw = new Uint8Array(
          yield* Effect.promise(() =>
            subtle().sign({ name: "ECDSA", hash: "SHA-256" }, key, concat(authenticatorData, hash))
          )
        )
        if (hooks.tamper) {
          hooks.tamper = false
          raw[raw.length - 1] = raw[raw.length - 1]! ^ 0x01
        }
        return derSignature(raw)
      })

    const signCount = (count: number) =>
      Uint8Array.of(count >>> 24, (count >> 16) & 0xff, (count >> 8) & 0xff, count & 0xff)

    const create: SoftwareAuthenticator["create"] = (creation) =>
      Effect.gen(function* () {
        const method = "navigator.credentials.create"
        if (!creation.pubKeyCredParams.some((p) => p.type === "public-key" && p.alg === -7))
          return yield* refuse(
            "WebAuthnUnavailable",
            method,
            "NotSupportedError: ES256 (-7) is not among pubKeyCredParams"
          )
        const rpId = yield* relyingParty(method, creation.rp.id)
        for (const excluded of creation.excludeCredentials ?? [])
          if (held.some((h) => h.rpId === rpId && encodeUrl(h.id) === excluded.id))
            return yield* refuse(
              "WebAuthnCredentialExists",
              method,
              "InvalidStateError: the authenticator already holds an excluded credential"
            )
        const pair = yield* Effect.promise(() =>
          subtle().generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])
        )
        const point = new Uint8Array(yield* Effect.promise(() => subtle().exportKey("raw", pair.publicKey)))
        const spki = new Uint8Array(yield* Effect.promise(() => subtle().exportKey("spki", pair.publicKey)))
        const id = globalThis.crypto.getRandomValues(new Uint8Array(16))
        const coseKey = cbor([
          [1, 2],
          [3, -7],
          [-1, 1],
          [-2, point.slice(1, 33)],
          [-3, point.slice(33, 65)]
        ])
        const authenticatorData = concat(
          yield* sha256(utf8(rpId)),
          Uint8Array.of(flags(flagAt)),
          signCount(0),
          aaguid,
          Uint8Array.of(id.length >> 8, id.length & 0xff),
          id,
          coseKey
        )
        const attestationObject = cbor([
          ["fmt", "none"],
          ["attStmt", []],
          ["authData", authenticatorData]
        ])
        const clientDataJson = clientData("webauthn.create", creation.challenge)
        held.push({
          id,
          rpId,
          userHandle: creation.user.id,
          userName: creation.user.name,
          privateKey: pair.privateKey,
          signCount: 0
        })
        const credentialId = encodeUrl(id)
        return {
          id: credentialId,
          rawId: credentialId,
          type: "public-key",
          response: {
            clientDataJSON: encodeUrl(clientDataJson),
            attestationObject: encodeUrl(attestationObject),
            transports: [...transports],
            publicKeyAlgorithm: -7,
            publicKey: encodeUrl(spki),
            authenticatorData: encodeUrl(authenticatorData)
          },
          authenticatorAttachment: attachment,
          clientExtensionResults: {}
        } satisfies WebAuthn.RegistrationResponseJson
      })

    const get: SoftwareAuthenticator["get"] = (request) =>
      Effect.gen(function* () {
        const method = "navigator.credentials.get"
        if (hooks.replay) {
          hooks.replay = false
          if (hooks.last !== undefined) return hooks.last
        }
        const rpId = yield* relyingParty(method, request.rpId)
        const allowed = request.allowCredentials ?? []
        const credential = held.find(
          (h) =>
            (hooks.rpId !== undefined || h.rpId === rpId) &&
            (allowed.length === 0 || allowed.some((a) => a.id === encodeUrl(h.id)))
        )
        if (credential === undefined)
          return yield* refuse(
            "WebAuthnCancelled",
            method,
            "NotAllowedError: no credential of this authenticator is allowed"
          )
        credential.signCount++
        const authenticatorData = concat(
          yield* sha256(utf8(rpId)),
          Uint8Array.of(flags(0)),
          signCount(credential.signCount)
        )
        const clientDataJson = clientData("webauthn.get", request.challenge)
        const signature = yield* sign(credential.privateKey, authenticatorData, clientDataJson)
        const credentialId = encodeUrl(credential.id)
        const response: WebAuthn.AuthenticationResponseJson = {
          id: credentialId,
          rawId: credentialId,
          type: "public-key",
          response: {
            clientDataJSON: encodeUrl(clientDataJson),
            authenticatorData: encodeUrl(authenticatorData),
            signature: encodeUrl(signature),
            userHandle: credential.userHandle
          },
          authenticatorAttachment: attachment,
          clientExtensionResults: {}
        }
        hooks.last = response
        return response
      })

    return {
      create,
      get,
      credentials: Effect.sync(() =>
        held.map((h) => ({
          credentialId: encodeUrl(h.id),
          rpId: h.rpId,
          userHandle: h.userHandle,
          userName: h.userName,
          signCount: h.signCount
        }))
      ),
      tamperNextSignature: Effect.sync(() => {
        hooks.tamper = true
      }),
      useOrigin: (origin) =>
        Effect.sync(() => {
          hooks.origin = origin
        }),
      useRpId: (rpId) =>
        Effect.sync(() => {
          hooks.rpId = rpId
        }),
      setSignCount: (credentialId, count) =>
        Effect.sync(() => {
          const credential = held.find((h) => encodeUrl(h.id) === credentialId)
          if (credential !== undefined) credential.signCount = count
        }),
      replayNext: Effect.sync(() => {
        hooks.replay = true
      }),
      setUserVerification: (verified) =>
        Effect.sync(() => {
          hooks.userVerification = verified
        })
    }
  })

/**
 * Core's `WebAuthn` service answered by a software authenticator.
 *
 * @since 0.1.0
 */
export const layer = (authenticator: SoftwareAuthenticator): Layer.Layer<WebAuthn.WebAuthn> =>
  Layer.succeed(WebAuthn.WebAuthn, { create: authenticator.create, get: authenticator.get })
