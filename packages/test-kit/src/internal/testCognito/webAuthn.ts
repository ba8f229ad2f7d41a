/**
 * Passkeys on the server side: the registration ceremony (StartWebAuthnRegistration,
 * CompleteWebAuthnRegistration), the user's credentials (ListWebAuthnCredentials,
 * DeleteWebAuthnCredential) and the `WEB_AUTHN` sign-in challenge and its answer.
 * Registration and assertion checks (challenge, origin, relying party id hash, signature,
 * user verification as configured, sign count) are `@simplewebauthn/server`'s; this module
 * decides which of Cognito's exceptions a refusal is: at registration the `WebAuthn…`
 * ones, at sign-in `NotAuthorizedException`.
 *
 * The relying party is the pool's `WebAuthnConfiguration`. Allowed origins are
 * `https://<rpId>`, and any `http(s)://localhost:<port>` when the id is `localhost`.
 *
 * @internal
 */
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as WebAuthn from "@effect-cognito/core/WebAuthn"
import {
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse
} from "@simplewebauthn/server"
import { cose, decodeCredentialPublicKey } from "@simplewebauthn/server/helpers"
import * as BoundedJson from "@effect-cognito/core/BoundedJson"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { State, User, WebAuthnCredential } from "./state.js"
import type { Tokens } from "./tokens.js"

/** How long a ceremony's challenge is good for, as the `timeout` of its options says. */
const ceremonyTimeout = 180_000

/** Cognito's page size of ListWebAuthnCredentials: 1 to 20, default 20. */
const maxPage = 20

/** ES256 and RS256, the algorithms Cognito asks for. */
const algorithms = [-7, -257]

/** Is `origin` one the relying party allows? */
export const allowedOrigin = (rpId: string, origin: string): boolean => {
  if (origin === `https://${rpId}`) return true
  if (rpId !== "localhost") return false
  try {
    const url = new URL(origin)
    return (
      (url.protocol === "http:" || url.protocol === "https:") && url.hostname === "localhost" && url.origin === origin
    )
  } catch {
    return false
  }
}

/** The client data of a response, read without trusting it: its type, challenge and origin. */
const clientData = (clientDataJson: string) => {
  const bytes = WebAuthn.fromBase64Url(clientDataJson)
  if (bytes === undefined) return undefined
  const parsed = BoundedJson.decode(new TextDecoder().decode(bytes))
  if (Result.isFailure(parsed) || typeof parsed.success !== "object" || parsed.success === null) return undefined
  const { challenge, origin, type } = parsed.success as Record<string, unknown>
  return typeof challenge === "string" && typeof origin === "string" && typeof type === "string"
    ? { challenge, origin, type }
    : undefined
}

/** The attachment as the library types it (a value it does not know is left out). */
const attachmentOf = (value: string | undefined): { authenticatorAttachment?: "platform" | "cross-platform" } =>
  value === "platform" || value === "cross-platform" ? { authenticatorAttachment: value } : {}

/** The library's view of a registration response: the same JSON, with mutable arrays and the attachments it knows. */
const registrationJson = (credential: WebAuthn.RegistrationResponseJson): RegistrationResponseJSON => {
  const { transports, publicKeyAlgorithm, publicKey, authenticatorData } = credential.response
  return {
    id: credential.id,
    rawId: credential.rawId,
    type: credential.type,
    response: {
      clientDataJSON: credential.response.clientDataJSON,
      attestationObject: credential.response.attestationObject,
      ...(transports === undefined ? {} : { transports: [...transports] }),
      ...(publicKeyAlgorithm === undefined ? {} : { publicKeyAlgorithm }),
      ...(publicKey === undefined ? {} : { publicKey }),
      ...(authenticatorData === undefined ? {} : { authenticatorData })
    },
    ...attachmentOf(credential.authenticatorAttachment),
    clientExtensionResults: {}
  }
}

/** The library's view of an assertion: the same JSON. */
const authenticationJson = (credential: WebAuthn.AuthenticationResponseJson): AuthenticationResponseJSON => ({
  id: credential.id,
  rawId: credential.rawId,
  type: credential.type,
  response: {
    clientDataJSON: credential.response.clientDataJSON,
    authenticatorData: credential.response.authenticatorData,
    signature: credential.response.signature,
    ...(credential.response.userHandle === undefined ? {} : { userHandle: credential.response.userHandle })
  },
  ...attachmentOf(credential.authenticatorAttachment),
  clientExtensionResults: {}
})

const decodeAssertion = Schema.decodeUnknownOption(WebAuthn.AuthenticationResponseJson)

const describe = (credential: WebAuthnCredential): IdentityProvider.WebAuthnCredential => ({
  credentialId: credential.credentialId,
  friendlyCredentialName: credential.friendlyName,
  relyingPartyId: credential.relyingPartyId,
  ...(credential.attachment === undefined ? {} : { authenticatorAttachment: credential.attachment }),
  authenticatorTransports: [...credential.transports],
  createdAt: new Date(credential.created)
})

/** The user handle (`user.id`) of a user's passkeys: the bytes of the `sub`, base64url. */
const userHandleOf = (user: User) => WebAuthn.toBase64Url(new TextEncoder().encode(user.sub))

const message = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

/**
 * The check that refused an assertion, named from the library's message: a word of a fixed
 * vocabulary, so a refusal says which check failed and echoes none of the values it compared.
 */
const assertionChecks: ReadonlyArray<readonly [RegExp, string]> = [
  [/RP ID/i, "relying party"],
  [/challenge/i, "challenge"],
  [/counter/i, "sign count"],
  [/user verification|could not be verified/i, "user verification"],
  [/not present/i, "user presence"],
  [/origin/i, "origin not allowed"]
]

const refusedCheck = (why: string) => assertionChecks.find(([pattern]) => pattern.test(why))?.[1] ?? "invalid assertion"

/**
 * A stored public key as COSE bytes with a numeric algorithm, or `undefined` when it is
 * not one (a state file edited by hand, say): such a credential signs no one in.
 */
const storedPublicKey = (text: string): Uint8Array<ArrayBuffer> | undefined => {
  const bytes = WebAuthn.fromBase64Url(text)
  if (bytes === undefined) return undefined
  try {
    return typeof decodeCredentialPublicKey(bytes).get(cose.COSEKEYS.alg) === "number" ? bytes : undefined
  } catch {
    return undefined
  }
}

/** The passkey actions and the WEB_AUTHN challenge of one pool. */
export const make = (state: State, tokens: Tokens) => {
  const { signIn, random, now, serve, reject } = state
  const { validAccessToken } = tokens
  const challengeBytes = Effect.map(random.nextBytes(32), WebAuthn.toBase64Url)

  /** The relying party, or the exception of a pool without one (or without WEB_AUTHN allowed). */
  const relyingParty = (action: string) => {
    const configuration = signIn.webAuthn
    if (configuration === undefined)
      return reject(action, "WebAuthnConfigurationMissingException", "WebAuthn configuration is missing.")
    if (!signIn.allowedFirstAuthFactors.includes("WEB_AUTHN"))
      return reject(action, "WebAuthnNotEnabledException", "WebAuthn is not enabled for this user pool.")
    return Effect.succeed(configuration)
  }

  const descriptors = (user: User) =>
    user.webAuthnCredentials.map((c) => ({
      type: "public-key",
      id: c.credentialId,
      ...(c.transports.length === 0 ? {} : { transports: [...c.transports] })
    }))

  /** The `WEB_AUTHN` challenge's options and the challenge they carry, for a user with passkeys. */
  const requestOptions = (action: string, user: User) =>
    Effect.gen(function* () {
      const configuration = yield* relyingParty(action)
      const challenge = yield* challengeBytes
      const options: WebAuthn.CredentialRequestOptionsJson = {
        challenge,
        timeout: ceremonyTimeout,
        rpId: configuration.relyingPartyId,
        allowCredentials: descriptors(user),
        userVerification: configuration.userVerification
      }
      return { challenge, options: JSON.stringify(options) }
    })

  /**
   * Checks a `WEB_AUTHN` answer (`CREDENTIAL`, JSON text) against the challenge issued; a
   * good one moves the credential's sign count on. Any failure is `NotAuthorizedException`,
   * its message naming the check that refused: `Incorrect passkey: signature` (or `origin not
   * allowed`, `relying party`, `challenge`, `sign count`, `user verification`, …).
   */
  const checkAssertion = (action: string, user: User, challenge: string | undefined, credentialJson: string) =>
    Effect.gen(function* () {
      const refused = (why: string) => reject(action, "NotAuthorizedException", `Incorrect passkey: ${why}`)
      const configuration = signIn.webAuthn
      if (configuration === undefined || challenge === undefined) return yield* refused("no passkey challenge")
      const parsed = BoundedJson.decode(credentialJson)
      if (Result.isFailure(parsed)) return yield* refused("CREDENTIAL is not JSON")
      const decoded = Option.getOrUndefined(decodeAssertion(parsed.success))
      if (decoded === undefined) return yield* refused("CREDENTIAL is not an AuthenticationResponseJSON")
      const credential = user.webAuthnCredentials.find((c) => c.credentialId === decoded.id)
      if (credential === undefined) return yield* refused("unknown credential")
      const userHandle = decoded.response.userHandle
      if (userHandle !== undefined && userHandle !== userHandleOf(user)) return yield* refused("another user's handle")
      const data = clientData(decoded.response.clientDataJSON)
      if (data === undefined) return yield* refused("clientDataJSON is not client data")
      if (!allowedOrigin(configuration.relyingPartyId, data.origin)) return yield* refused("origin not allowed")
      const publicKey = storedPublicKey(credential.publicKey)
      if (publicKey === undefined) return yield* refused("unusable credential")
      const verified = yield* Effect.tryPromise({
        try: () =>
          verifyAuthenticationResponse({
            response: authenticationJson(decoded),
            expectedChallenge: challenge,
            expectedOrigin: data.origin,
            expectedRPID: configuration.relyingPartyId,
            credential: { id: credential.credentialId, publicKey, counter: credential.signCount },
            requireUserVerification: configuration.userVerification === "required"
          }),
        catch: (cause) => refusedCheck(message(cause))
      }).pipe(Effect.catch(refused))
      if (!verified.verified) return yield* refused("signature")
      credential.signCount = verified.authenticationInfo.newCounter
    })

  const registrationExceptions: ReadonlyArray<readonly [RegExp, string]> = [
    [/RP ID/i, "WebAuthnRelyingPartyMismatchException"],
    [/origin/i, "WebAuthnOriginNotAllowedException"],
    [/challenge/i, "WebAuthnChallengeNotFoundException"],
    [/alg|Attestation Format|attestation statement/i, "WebAuthnCredentialNotSupportedException"]
  ]

  const actions: Pick<
    IdentityProvider.IdentityProvider.Service,
    | "startWebAuthnRegistration"
    | "completeWebAuthnRegistration"
    | "listWebAuthnCredentials"
    | "deleteWebAuthnCredential"
  > = {
    startWebAuthnRegistration: (request) =>
      serve("StartWebAuthnRegistration")(
        Effect.gen(function* () {
          const action = "StartWebAuthnRegistration"
          const user = yield* validAccessToken(action, request.accessToken)
          const configuration = yield* relyingParty(action)
          const challenge = yield* challengeBytes
          user.webAuthnRegistration = { challenge, expiresAt: (yield* now) + ceremonyTimeout }
          const options: WebAuthn.CredentialCreationOptionsJson = {
            rp: { id: configuration.relyingPartyId, name: configuration.relyingPartyId },
            user: {
              id: userHandleOf(user),
              name: user.username,
              displayName: user.attributes.email ?? user.username
            },
            challenge,
            pubKeyCredParams: algorithms.map((alg) => ({ type: "public-key", alg })),
            timeout: ceremonyTimeout,
            excludeCredentials: descriptors(user),
            authenticatorSelection: {
              residentKey: "required",
              requireResidentKey: true,
              userVerification: configuration.userVerification
            },
            attestation: "none",
            extensions: { credProps: true }
          }
          return { credentialCreationOptions: options }
        })
      ),
    completeWebAuthnRegistration: (request) =>
      serve("CompleteWebAuthnRegistration")(
        Effect.gen(function* () {
          const action = "CompleteWebAuthnRegistration"
          const user = yield* validAccessToken(action, request.accessToken)
          const configuration = yield* relyingParty(action)
          const pending = user.webAuthnRegistration
          // The challenge is single use: whatever the outcome, a second answer finds none.
          user.webAuthnRegistration = undefined
          const at = yield* now
          if (pending === undefined || at >= pending.expiresAt)
            return yield* reject(action, "WebAuthnChallengeNotFoundException", "The WebAuthn challenge was not found.")
          const credential = request.credential
          const data = clientData(credential.response.clientDataJSON)
          if (data === undefined)
            return yield* reject(action, "InvalidParameterException", "clientDataJSON is not valid client data.")
          if (data.challenge !== pending.challenge)
            return yield* reject(action, "WebAuthnChallengeNotFoundException", "The WebAuthn challenge was not found.")
          if (!allowedOrigin(configuration.relyingPartyId, data.origin))
            return yield* reject(
              action,
              "WebAuthnOriginNotAllowedException",
              `The origin ${data.origin} is not allowed for relying party ${configuration.relyingPartyId}.`
            )
          const verified = yield* Effect.tryPromise({
            try: () =>
              verifyRegistrationResponse({
                response: registrationJson(credential),
                expectedChallenge: pending.challenge,
                expectedOrigin: data.origin,
                expectedRPID: configuration.relyingPartyId,
                requireUserVerification: configuration.userVerification === "required",
                supportedAlgorithmIDs: algorithms
              }),
            catch: message
          }).pipe(
            Effect.catch((why) => {
              const exception = registrationExceptions.find(([pattern]) => pattern.test(why))?.[1]
              return reject(action, exception ?? "NotAuthorizedException", `The passkey was refused: ${why}`)
            })
          )
          if (!verified.verified) return yield* reject(action, "NotAuthorizedException", "The passkey was refused.")
          const info = verified.registrationInfo
          if (user.webAuthnCredentials.some((c) => c.credentialId === info.credential.id))
            return yield* reject(action, "InvalidParameterException", "The credential is already registered.")
          user.webAuthnCredentials.push({
            credentialId: info.credential.id,
            publicKey: WebAuthn.toBase64Url(info.credential.publicKey),
            signCount: info.credential.counter,
            relyingPartyId: configuration.relyingPartyId,
            friendlyName: credential.authenticatorAttachment === "cross-platform" ? "Security key" : "Passkey",
            attachment: credential.authenticatorAttachment,
            transports: credential.response.transports ?? [],
            created: at
          })
        })
      ),
    listWebAuthnCredentials: (request) =>
      serve("ListWebAuthnCredentials")(
        Effect.gen(function* () {
          const action = "ListWebAuthnCredentials"
          const user = yield* validAccessToken(action, request.accessToken)
          const size = request.maxResults ?? maxPage
          if (!Number.isInteger(size) || size < 1 || size > maxPage)
            return yield* reject(
              action,
              "InvalidParameterException",
              `1 validation error detected: Value '${size}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and ${maxPage}`
            )
          const start = request.nextToken === undefined ? 0 : Number(request.nextToken)
          if (!Number.isInteger(start) || start < 0 || start > user.webAuthnCredentials.length)
            return yield* reject(action, "InvalidParameterException", "Invalid NextToken.")
          const page = user.webAuthnCredentials.slice(start, start + size).map(describe)
          return start + size < user.webAuthnCredentials.length
            ? { credentials: page, nextToken: String(start + size) }
            : { credentials: page }
        })
      ),
    deleteWebAuthnCredential: (request) =>
      serve("DeleteWebAuthnCredential")(
        Effect.gen(function* () {
          const action = "DeleteWebAuthnCredential"
          const user = yield* validAccessToken(action, request.accessToken)
          const index = user.webAuthnCredentials.findIndex((c) => c.credentialId === request.credentialId)
          if (index < 0) return yield* reject(action, "ResourceNotFoundException", "The credential does not exist.")
          user.webAuthnCredentials.splice(index, 1)
        })
      )
  }

  return { actions, requestOptions, checkAssertion }
}

/** The passkey side of a pool. */
export type WebAuthnServer = ReturnType<typeof make>
