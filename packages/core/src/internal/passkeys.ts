/**
 * The signed-in user's passkeys: registration (`StartWebAuthnRegistration`, the `WebAuthn`
 * service's ceremony, `CompleteWebAuthnRegistration`), listing and deletion.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type * as Auth from "../Auth.js"
import * as AuthError from "../AuthError.js"
import type * as ClientAuth from "./clientAuth.js"
import * as Input from "./input.js"
import * as WebAuthnCeremony from "./webAuthn.js"

/** What the passkey methods need. */
export interface Options {
  readonly client: ClientAuth.Client
  readonly authenticator: WebAuthnCeremony.Authenticator
  /** The signed-in user's access token (refreshed when due), or `NotSignedIn`. */
  readonly accessToken: Effect.Effect<Redacted.Redacted<string>, AuthError.AuthError>
}

/** Cognito's `ListWebAuthnCredentials` takes 1 to 20 per page. */
const maxPage = 20

export const make = (options: Options) => {
  const { client, authenticator, accessToken } = options

  const associateWebAuthnCredential = () =>
    Effect.gen(function* () {
      const method = "associateWebAuthnCredential"
      const service = yield* WebAuthnCeremony.require(authenticator, method)
      const token = yield* accessToken
      const { credentialCreationOptions } = yield* client.startWebAuthnRegistration({ accessToken: token })
      const credential = yield* service.create(credentialCreationOptions)
      yield* client.completeWebAuthnRegistration({ accessToken: token, credential })
    }).pipe(Effect.withSpan("Auth.associateWebAuthnCredential"))

  const listWebAuthnCredentials = (input?: {
    readonly limit?: number | undefined
    readonly nextToken?: string | undefined
  }) =>
    Effect.gen(function* () {
      const method = "listWebAuthnCredentials"
      const maxResults = yield* Effect.fromResult(Input.limit(method, input?.limit, maxPage))
      const nextToken = input?.nextToken
      if (nextToken !== undefined && (typeof nextToken !== "string" || nextToken === ""))
        return yield* Effect.fail(
          AuthError.make("InvalidInput", method, "nextToken: expected the nextToken of the previous page")
        )
      const page = yield* client.listWebAuthnCredentials({ accessToken: yield* accessToken, maxResults, nextToken })
      return {
        credentials: page.credentials.map(
          (credential): Auth.WebAuthnCredential => ({
            credentialId: credential.credentialId,
            ...(credential.friendlyCredentialName === undefined
              ? {}
              : { friendlyName: credential.friendlyCredentialName }),
            relyingPartyId: credential.relyingPartyId,
            ...(credential.authenticatorAttachment === undefined
              ? {}
              : { authenticatorAttachment: credential.authenticatorAttachment }),
            transports: credential.authenticatorTransports,
            createdAt: credential.createdAt
          })
        ),
        ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken })
      } satisfies Auth.ListWebAuthnCredentialsResult
    }).pipe(Effect.withSpan("Auth.listWebAuthnCredentials"))

  const deleteWebAuthnCredential = (input: { readonly credentialId: string }) =>
    Effect.gen(function* () {
      const method = "deleteWebAuthnCredential"
      const credentialId: unknown = typeof input === "object" && input !== null ? input.credentialId : undefined
      if (typeof credentialId !== "string" || credentialId === "" || credentialId.length > 1024)
        return yield* Effect.fail(
          AuthError.make("InvalidInput", method, "credentialId: expected the id of one of the user's passkeys")
        )
      yield* client.deleteWebAuthnCredential({ accessToken: yield* accessToken, credentialId })
    }).pipe(Effect.withSpan("Auth.deleteWebAuthnCredential"))

  return { associateWebAuthnCredential, listWebAuthnCredentials, deleteWebAuthnCredential }
}
