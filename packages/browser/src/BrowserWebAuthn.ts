/**
 * Passkeys in the browser: core's `WebAuthn` service over `navigator.credentials`. Cognito
 * hands out its options as JSON (binary fields in base64url); the browser's
 * `navigator.credentials.create` and `get` take and give `ArrayBuffer`s. This module
 * converts one into the other (through core's one base64url codec) and back, so `Auth`
 * registers a passkey (`associateWebAuthnCredential`) and signs in with one (the
 * `WEB_AUTHN` first factor) without seeing the browser's types.
 *
 * A ceremony the user cancels or lets time out (`NotAllowedError`), one that is aborted
 * (`AbortError`), an authenticator that already holds a passkey of the user
 * (`InvalidStateError`), a relying party id the page's origin may not use (`SecurityError`)
 * and a browser with no credentials API each fail with an `AuthError` (`WebAuthnCancelled`,
 * `WebAuthnCredentialExists`, `WebAuthnRelyingPartyMismatch`, `WebAuthnUnavailable`), the
 * browser's exception as its cause.
 * Interrupting the effect aborts the ceremony (its `AbortSignal`).
 *
 * `BrowserAuth.layer` provides it; use `layer` alone with another `Auth` bundle.
 *
 * @since 0.1.0
 */
import * as AuthError from "@effect-cognito/core/AuthError"
import * as WebAuthn from "@effect-cognito/core/WebAuthn"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

type Bytes = Uint8Array<ArrayBuffer>

/** Where the credentials API lives: `navigator.credentials` by default; a test may pass its own. */
export interface Options {
  /** The credentials container; default `navigator.credentials`, looked up on each ceremony. */
  readonly credentials?: (() => CredentialsContainer | undefined) | undefined
}

const defaultContainer = (): CredentialsContainer | undefined =>
  typeof navigator !== "undefined" && typeof navigator.credentials === "object" && navigator.credentials !== null
    ? navigator.credentials
    : undefined

const hasPublicKeyCredential = (): boolean => typeof globalThis.PublicKeyCredential === "function"

/** The reason and description of a failed ceremony, from the browser's exception. */
export const describeFailure = (
  cause: unknown
): { readonly reason: AuthError.Reason; readonly description: string } => {
  const name = typeof cause === "object" && cause !== null && "name" in cause ? String(cause.name) : ""
  switch (name) {
    case "NotAllowedError":
      return {
        reason: "WebAuthnCancelled",
        description: "the passkey ceremony was cancelled, timed out or not allowed (NotAllowedError)"
      }
    case "AbortError":
      return { reason: "WebAuthnCancelled", description: "the passkey ceremony was aborted (AbortError)" }
    case "InvalidStateError":
      return {
        reason: "WebAuthnCredentialExists",
        description: "this authenticator already holds a passkey of the user (InvalidStateError)"
      }
    case "SecurityError":
      return {
        reason: "WebAuthnRelyingPartyMismatch",
        description: "the page's origin may not use this relying party id (SecurityError)"
      }
    case "TypeError":
      return { reason: "InvalidInput", description: "the browser refused the passkey options (TypeError)" }
    default:
      return {
        reason: "WebAuthnUnavailable",
        description: `no authenticator could answer${name === "" ? "" : ` (${name})`}`
      }
  }
}

const unavailable = (method: string) =>
  AuthError.make("WebAuthnUnavailable", method, "this browser has no WebAuthn API (navigator.credentials)")

const invalidResponse = (method: string, what: string) =>
  AuthError.make("InvalidResponse", method, `the browser returned ${what}`)

/** base64url text to bytes; a field Cognito sent that is not base64url fails the ceremony before it starts. */
const bytes = (method: string, field: string, text: string): Effect.Effect<Bytes, AuthError.AuthError> => {
  const decoded = WebAuthn.fromBase64Url(text)
  return decoded === undefined
    ? Effect.fail(AuthError.make("InvalidResponse", method, `${field} is not base64url`))
    : Effect.succeed(decoded)
}

const text = (buffer: ArrayBuffer): string => WebAuthn.toBase64Url(new Uint8Array(buffer))

const descriptors = (
  method: string,
  field: string,
  list: ReadonlyArray<WebAuthn.CredentialDescriptorJson> | undefined
): Effect.Effect<Array<PublicKeyCredentialDescriptor> | undefined, AuthError.AuthError> =>
  list === undefined
    ? Effect.succeed(undefined)
    : Effect.forEach(list, (descriptor) =>
        Effect.map(bytes(method, field, descriptor.id), (id) => ({
          type: "public-key" as const,
          id,
          ...(descriptor.transports === undefined
            ? {}
            : {
                transports:
                  descriptor.transports as ReadonlyArray<AuthenticatorTransport> as Array<AuthenticatorTransport>
              })
        }))
      )

/** Cognito's creation options as the browser takes them. */
export const toCreationOptions = (
  options: WebAuthn.CredentialCreationOptionsJson
): Effect.Effect<PublicKeyCredentialCreationOptions, AuthError.AuthError> =>
  Effect.gen(function* () {
    const method = "WebAuthn.create"
    const challenge = yield* bytes(method, "challenge", options.challenge)
    const userId = yield* bytes(method, "user.id", options.user.id)
    const excludeCredentials = yield* descriptors(method, "excludeCredentials", options.excludeCredentials)
    const selection = options.authenticatorSelection
    return {
      rp: { name: options.rp.name, ...(options.rp.id === undefined ? {} : { id: options.rp.id }) },
      user: { id: userId, name: options.user.name, displayName: options.user.displayName },
      challenge,
      pubKeyCredParams: options.pubKeyCredParams.map((param) => ({ type: "public-key" as const, alg: param.alg })),
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      ...(excludeCredentials === undefined ? {} : { excludeCredentials }),
      ...(selection === undefined
        ? {}
        : {
            authenticatorSelection: {
              ...(selection.residentKey === undefined
                ? {}
                : { residentKey: selection.residentKey as ResidentKeyRequirement }),
              ...(selection.requireResidentKey === undefined
                ? {}
                : { requireResidentKey: selection.requireResidentKey }),
              ...(selection.userVerification === undefined
                ? {}
                : { userVerification: selection.userVerification as UserVerificationRequirement }),
              ...(selection.authenticatorAttachment === undefined
                ? {}
                : { authenticatorAttachment: selection.authenticatorAttachment as AuthenticatorAttachment })
            }
          }),
      ...(options.attestation === undefined
        ? {}
        : { attestation: options.attestation as AttestationConveyancePreference }),
      // The one extension Cognito asks for: whether the passkey is discoverable (resident).
      ...(options.extensions?.credProps === true ? { extensions: { credProps: true } } : {})
    }
  })

/** Cognito's request options as the browser takes them. */
export const toRequestOptions = (
  options: WebAuthn.CredentialRequestOptionsJson
): Effect.Effect<PublicKeyCredentialRequestOptions, AuthError.AuthError> =>
  Effect.gen(function* () {
    const method = "WebAuthn.get"
    const challenge = yield* bytes(method, "challenge", options.challenge)
    const allowCredentials = yield* descriptors(method, "allowCredentials", options.allowCredentials)
    return {
      challenge,
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      ...(options.rpId === undefined ? {} : { rpId: options.rpId }),
      ...(allowCredentials === undefined ? {} : { allowCredentials }),
      ...(options.userVerification === undefined
        ? {}
        : { userVerification: options.userVerification as UserVerificationRequirement })
    }
  })

const attachment = (credential: PublicKeyCredential) =>
  credential.authenticatorAttachment === "platform" || credential.authenticatorAttachment === "cross-platform"
    ? { authenticatorAttachment: credential.authenticatorAttachment }
    : {}

/** The JSON-safe extension results of a new credential: `credProps` only. */
const credPropsOf = (credential: PublicKeyCredential): Record<string, unknown> => {
  const results =
    typeof credential.getClientExtensionResults === "function" ? credential.getClientExtensionResults() : {}
  return typeof results.credProps?.rk === "boolean" ? { credProps: { rk: results.credProps.rk } } : {}
}

/**
 * The credential a ceremony returned, with its response of the kind the ceremony gives
 * (`kind`, named `what` in the error), or `InvalidResponse`.
 */
const received = <R extends AuthenticatorResponse>(
  method: string,
  credential: Credential | null,
  kind: { new (): R; readonly prototype: R },
  what: string
): Effect.Effect<{ readonly credential: PublicKeyCredential; readonly response: R }, AuthError.AuthError> => {
  if (credential === null || !(credential instanceof PublicKeyCredential))
    return Effect.fail(invalidResponse(method, "no public key credential"))
  const response = credential.response
  return response instanceof kind
    ? Effect.succeed({ credential, response })
    : Effect.fail(invalidResponse(method, `no ${what} response`))
}

/** What every credential's JSON starts with. */
const identity = (credential: PublicKeyCredential) => ({
  id: credential.id,
  rawId: text(credential.rawId),
  type: "public-key" as const
})

/** A new credential as Cognito's `CompleteWebAuthnRegistration` takes it (RegistrationResponseJSON). */
export const fromRegistration = (
  credential: Credential | null
): Effect.Effect<WebAuthn.RegistrationResponseJson, AuthError.AuthError> =>
  Effect.map(
    Effect.suspend(() => received("WebAuthn.create", credential, AuthenticatorAttestationResponse, "attestation")),
    ({ credential, response }) => {
      const transports = typeof response.getTransports === "function" ? response.getTransports() : []
      const algorithm =
        typeof response.getPublicKeyAlgorithm === "function" ? response.getPublicKeyAlgorithm() : undefined
      const publicKey = typeof response.getPublicKey === "function" ? response.getPublicKey() : null
      const authenticatorData =
        typeof response.getAuthenticatorData === "function" ? response.getAuthenticatorData() : undefined
      return {
        ...identity(credential),
        response: {
          clientDataJSON: text(response.clientDataJSON),
          attestationObject: text(response.attestationObject),
          transports,
          ...(algorithm === undefined ? {} : { publicKeyAlgorithm: algorithm }),
          ...(publicKey === null ? {} : { publicKey: text(publicKey) }),
          ...(authenticatorData === undefined ? {} : { authenticatorData: text(authenticatorData) })
        },
        ...attachment(credential),
        clientExtensionResults: credPropsOf(credential)
      }
    }
  )

/** An assertion as Cognito's `WEB_AUTHN` challenge takes it (AuthenticationResponseJSON). */
export const fromAssertion = (
  credential: Credential | null
): Effect.Effect<WebAuthn.AuthenticationResponseJson, AuthError.AuthError> =>
  Effect.map(
    Effect.suspend(() => received("WebAuthn.get", credential, AuthenticatorAssertionResponse, "assertion")),
    ({ credential, response }) => ({
      ...identity(credential),
      response: {
        clientDataJSON: text(response.clientDataJSON),
        authenticatorData: text(response.authenticatorData),
        signature: text(response.signature),
        ...(response.userHandle === null ? {} : { userHandle: text(response.userHandle) })
      },
      ...attachment(credential),
      clientExtensionResults: {}
    })
  )

/**
 * The service over a credentials container (default `navigator.credentials`). Each
 * ceremony looks the container up when it starts, so a page without the API fails that
 * ceremony with `WebAuthnUnavailable`, not the layer.
 */
export const make = (options: Options = {}): WebAuthn.WebAuthn.Service => {
  const container = options.credentials ?? defaultContainer
  const ceremony = <A>(
    method: string,
    run: (credentials: CredentialsContainer, signal: AbortSignal) => Promise<Credential | null>,
    convert: (credential: Credential | null) => Effect.Effect<A, AuthError.AuthError>
  ): Effect.Effect<A, AuthError.AuthError> =>
    Effect.suspend(() => {
      const credentials = container()
      if (credentials === undefined || !hasPublicKeyCredential()) return Effect.fail(unavailable(method))
      return Effect.tryPromise({
        try: (signal) => run(credentials, signal),
        catch: (cause) => {
          const { reason, description } = describeFailure(cause)
          return AuthError.make(reason, method, description, { cause })
        }
      }).pipe(Effect.flatMap(convert))
    })
  return WebAuthn.WebAuthn.of({
    create: (options) =>
      Effect.flatMap(toCreationOptions(options), (publicKey) =>
        ceremony(
          "WebAuthn.create",
          (credentials, signal) => credentials.create({ publicKey, signal }),
          fromRegistration
        )
      ),
    get: (options) =>
      Effect.flatMap(toRequestOptions(options), (publicKey) =>
        ceremony("WebAuthn.get", (credentials, signal) => credentials.get({ publicKey, signal }), fromAssertion)
      )
  })
}

/** Core's `WebAuthn` over `navigator.credentials`. */
export const layer: Layer.Layer<WebAuthn.WebAuthn> = Layer.sync(WebAuthn.WebAuthn, () => make())

/** Core's `WebAuthn` over a given credentials container (for tests and embedded frames). */
export const layerWith = (options: Options): Layer.Layer<WebAuthn.WebAuthn> =>
  Layer.sync(WebAuthn.WebAuthn, () => make(options))
