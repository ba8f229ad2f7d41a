/**
 * Passkeys (WebAuthn) as Cognito speaks them: the JSON forms of WebAuthn Level 3
 * (`PublicKeyCredentialCreationOptionsJSON`, `RegistrationResponseJSON`,
 * `PublicKeyCredentialRequestOptionsJSON`, `AuthenticationResponseJSON`; every binary value
 * base64url without padding), schemas that decode them from Cognito or a browser, and the
 * {@link WebAuthn} service that runs a ceremony: `create` registers a credential, `get`
 * signs a challenge with one.
 *
 * `Auth` reads the service when it is there: `associateWebAuthnCredential` and the
 * `WEB_AUTHN` sign-in step call it. Without it those fail with `WebAuthnUnavailable`, and
 * `Auth`'s methods need nothing more. Implementations: the browser's `navigator.credentials`
 * (`@effect-cognito/browser`) and the test-kit's software authenticator.
 *
 * The base64url conversions of every package go through {@link toBase64Url} and
 * {@link fromBase64Url}.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { AuthError } from "./AuthError.js"
import * as Encoding from "./internal/encoding.js"

// -----------------------------------------------------------------------------
// base64url
// -----------------------------------------------------------------------------

/**
 * Bytes as base64url without padding, as WebAuthn's JSON forms carry them.
 *
 * @since 0.1.0
 * @category base64url
 */
export const toBase64Url = (bytes: Uint8Array | ArrayBuffer): string =>
  Encoding.toBase64Url(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes))

const base64UrlText = /^[A-Za-z0-9_-]*={0,2}$/

/**
 * The bytes of base64url text (padding tolerated), or `undefined` for text that is not
 * base64url (standard base64's `+` and `/` included). Never throws.
 *
 * @since 0.1.0
 * @category base64url
 */
export const fromBase64Url = (text: string): Uint8Array<ArrayBuffer> | undefined =>
  base64UrlText.test(text) ? Encoding.fromBase64(text) : undefined

// -----------------------------------------------------------------------------
// Schemas and their types
// -----------------------------------------------------------------------------

/**
 * How the client talks to an authenticator: `usb`, `nfc`, `ble`, `internal`, `hybrid`, …
 * (a plain string: browsers add values).
 *
 * @since 0.1.0
 * @category models
 */
export type Transport = string

const Base64Url = Schema.String.check(
  Schema.makeFilter((s: string) => base64UrlText.test(s), { expected: "base64url text" })
)

const Extensions = Schema.Record(Schema.String, Schema.Unknown)

/**
 * Schema of a credential named in `excludeCredentials` or `allowCredentials`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CredentialDescriptorJson = Schema.Struct({
  type: Schema.String,
  id: Base64Url,
  transports: Schema.optional(Schema.Array(Schema.String))
})

type CredentialDescriptorJsonType = typeof CredentialDescriptorJson.Type

/**
 * A credential named in `excludeCredentials` or `allowCredentials`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CredentialDescriptorJson extends CredentialDescriptorJsonType {}

/**
 * Schema of `PublicKeyCredentialCreationOptionsJSON`: what `StartWebAuthnRegistration`
 * answers and {@link WebAuthn}'s `create` takes.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CredentialCreationOptionsJson = Schema.Struct({
  rp: Schema.Struct({ id: Schema.optional(Schema.String), name: Schema.String }),
  user: Schema.Struct({ id: Base64Url, name: Schema.String, displayName: Schema.String }),
  challenge: Base64Url,
  pubKeyCredParams: Schema.Array(Schema.Struct({ type: Schema.String, alg: Schema.Number })),
  timeout: Schema.optional(Schema.Number),
  excludeCredentials: Schema.optional(Schema.Array(CredentialDescriptorJson)),
  authenticatorSelection: Schema.optional(
    Schema.Struct({
      authenticatorAttachment: Schema.optional(Schema.String),
      residentKey: Schema.optional(Schema.String),
      requireResidentKey: Schema.optional(Schema.Boolean),
      userVerification: Schema.optional(Schema.String)
    })
  ),
  hints: Schema.optional(Schema.Array(Schema.String)),
  attestation: Schema.optional(Schema.String),
  extensions: Schema.optional(Extensions)
})

type CredentialCreationOptionsJsonType = typeof CredentialCreationOptionsJson.Type

/**
 * `PublicKeyCredentialCreationOptionsJSON`: how to create a credential.
 *
 * @since 0.1.0
 * @category models
 */
export interface CredentialCreationOptionsJson extends CredentialCreationOptionsJsonType {}

/**
 * Schema of `RegistrationResponseJSON`: what {@link WebAuthn}'s `create` gives and
 * `CompleteWebAuthnRegistration` takes.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegistrationResponseJson = Schema.Struct({
  id: Base64Url,
  rawId: Base64Url,
  type: Schema.Literal("public-key"),
  response: Schema.Struct({
    clientDataJSON: Base64Url,
    attestationObject: Base64Url,
    transports: Schema.optional(Schema.Array(Schema.String)),
    publicKeyAlgorithm: Schema.optional(Schema.Number),
    publicKey: Schema.optional(Base64Url),
    authenticatorData: Schema.optional(Base64Url)
  }),
  authenticatorAttachment: Schema.optional(Schema.String),
  clientExtensionResults: Extensions
})

type RegistrationResponseJsonType = typeof RegistrationResponseJson.Type

/**
 * `RegistrationResponseJSON`: a new credential and its attestation.
 *
 * @since 0.1.0
 * @category models
 */
export interface RegistrationResponseJson extends RegistrationResponseJsonType {}

/**
 * Schema of `PublicKeyCredentialRequestOptionsJSON`: what the `WEB_AUTHN` challenge carries
 * (`CREDENTIAL_REQUEST_OPTIONS`, as JSON text) and {@link WebAuthn}'s `get` takes.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CredentialRequestOptionsJson = Schema.Struct({
  challenge: Base64Url,
  timeout: Schema.optional(Schema.Number),
  rpId: Schema.optional(Schema.String),
  allowCredentials: Schema.optional(Schema.Array(CredentialDescriptorJson)),
  userVerification: Schema.optional(Schema.String),
  hints: Schema.optional(Schema.Array(Schema.String)),
  extensions: Schema.optional(Extensions)
})

type CredentialRequestOptionsJsonType = typeof CredentialRequestOptionsJson.Type

/**
 * `PublicKeyCredentialRequestOptionsJSON`: what to sign, with which credentials.
 *
 * @since 0.1.0
 * @category models
 */
export interface CredentialRequestOptionsJson extends CredentialRequestOptionsJsonType {}

/**
 * Schema of `AuthenticationResponseJSON`: what {@link WebAuthn}'s `get` gives and the
 * `WEB_AUTHN` answer carries (`CREDENTIAL`, as JSON text).
 *
 * @since 0.1.0
 * @category schemas
 */
export const AuthenticationResponseJson = Schema.Struct({
  id: Base64Url,
  rawId: Base64Url,
  type: Schema.Literal("public-key"),
  response: Schema.Struct({
    clientDataJSON: Base64Url,
    authenticatorData: Base64Url,
    signature: Base64Url,
    userHandle: Schema.optional(Base64Url)
  }),
  authenticatorAttachment: Schema.optional(Schema.String),
  clientExtensionResults: Extensions
})

type AuthenticationResponseJsonType = typeof AuthenticationResponseJson.Type

/**
 * `AuthenticationResponseJSON`: an assertion, signed by the credential.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthenticationResponseJson extends AuthenticationResponseJsonType {}

// -----------------------------------------------------------------------------
// The service
// -----------------------------------------------------------------------------

/**
 * The types of the {@link WebAuthn} service.
 *
 * @since 0.1.0
 * @category models
 */
export declare namespace WebAuthn {
  /**
   * A ceremony each: `create` makes a credential (registration), `get` signs a challenge
   * with one (authentication). Failures are `AuthError`s: `WebAuthnCancelled` when the user
   * or a timeout ends it, `WebAuthnCredentialExists` for a credential of `excludeCredentials`,
   * `WebAuthnRelyingPartyMismatch` for a relying party the origin cannot claim,
   * `WebAuthnUnavailable` when no authenticator can answer.
   *
   * @since 0.1.0
   */
  export interface Service {
    readonly create: (options: CredentialCreationOptionsJson) => Effect.Effect<RegistrationResponseJson, AuthError>
    readonly get: (options: CredentialRequestOptionsJson) => Effect.Effect<AuthenticationResponseJson, AuthError>
  }
}

/**
 * The authenticator, as a service. Optional for `Auth`: without it a passkey step fails
 * with `WebAuthnUnavailable`.
 *
 * @since 0.1.0
 * @category services
 */
export class WebAuthn extends Context.Service<WebAuthn, WebAuthn.Service>()("@effect-cognito/core/WebAuthn") {}
