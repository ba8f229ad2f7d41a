/**
 * The app client's credentials, added to requests in one place. An app client with a
 * secret needs `SECRET_HASH` (Base64(HMAC-SHA256(secret, username + clientId))) on every
 * request that names a user, and the secret itself on `RevokeToken` and
 * `GetTokensFromRefreshToken`. {@link make} wraps an `IdentityProvider` into a
 * {@link Client} whose request types have no secret-hash field at all: the flows cannot
 * forget it, because they never write it.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as AuthConfig from "../AuthConfig.js"
import type * as AuthError from "../AuthError.js"
import type * as IdentityProvider from "../IdentityProvider.js"
import * as Srp from "../Srp.js"

type Secret = Redacted.Redacted<string>
type Service = IdentityProvider.IdentityProvider.Service
type Metadata = Readonly<Record<string, string>> | undefined
/** A request as the flows write it: the client adds the secret hash. */
type Unsigned<R> = R extends unknown ? Omit<R, "secretHash"> : never
type RequestOf<K extends keyof Service> = Parameters<Service[K]>[0]
type ResultOf<K extends keyof Service> = ReturnType<Service[K]>

/** The flows' view of `InitiateAuth`: a refresh names its user too, for the secret hash. */
export type InitiateAuthRequest =
  | Unsigned<Exclude<IdentityProvider.InitiateAuthRequest, { readonly authFlow: "REFRESH_TOKEN_AUTH" }>>
  | {
      readonly authFlow: "REFRESH_TOKEN_AUTH"
      /** The user the refresh token belongs to: the secret hash is computed over it. */
      readonly username: string
      readonly refreshToken: Secret
      /** The device the refresh token is bound to (`DEVICE_KEY`). */
      readonly deviceKey?: string | undefined
    }

/** The flows' view of `RespondToAuthChallenge`: `USERNAME` and `SECRET_HASH` are added from `username`. */
export interface RespondToAuthChallengeRequest {
  readonly challengeName: IdentityProvider.ChallengeName
  readonly username: string
  readonly session: Secret | undefined
  readonly challengeResponses: Readonly<Record<string, Secret>>
  readonly clientMetadata: Metadata
}

/** The user-pool operations the flows call, with the app client's credentials filled in. */
export interface Client {
  readonly signUp: (request: Unsigned<RequestOf<"signUp">>) => ResultOf<"signUp">
  readonly confirmSignUp: (request: Unsigned<RequestOf<"confirmSignUp">>) => ResultOf<"confirmSignUp">
  readonly resendConfirmationCode: (
    request: Unsigned<RequestOf<"resendConfirmationCode">>
  ) => ResultOf<"resendConfirmationCode">
  readonly forgotPassword: (request: Unsigned<RequestOf<"forgotPassword">>) => ResultOf<"forgotPassword">
  readonly confirmForgotPassword: (
    request: Unsigned<RequestOf<"confirmForgotPassword">>
  ) => ResultOf<"confirmForgotPassword">
  readonly initiateAuth: (
    request: InitiateAuthRequest
  ) => Effect.Effect<IdentityProvider.AuthResponse, AuthError.AuthError>
  readonly respondToAuthChallenge: (
    request: RespondToAuthChallengeRequest
  ) => Effect.Effect<IdentityProvider.AuthResponse, AuthError.AuthError>
  /** Refresh with rotation (`GetTokensFromRefreshToken`), the client secret added. */
  readonly getTokensFromRefreshToken: (request: {
    readonly refreshToken: Secret
    readonly deviceKey?: string | undefined
  }) => Effect.Effect<IdentityProvider.AuthenticationResult, AuthError.AuthError>
  /** `RevokeToken`, the client secret added. */
  readonly revokeToken: (request: { readonly token: Secret }) => Effect.Effect<void, AuthError.AuthError>
  readonly globalSignOut: Service["globalSignOut"]
  readonly changePassword: Service["changePassword"]
  readonly getUser: Service["getUser"]
  readonly updateUserAttributes: Service["updateUserAttributes"]
  readonly getUserAttributeVerificationCode: Service["getUserAttributeVerificationCode"]
  readonly verifyUserAttribute: Service["verifyUserAttribute"]
  readonly deleteUser: Service["deleteUser"]
  readonly associateSoftwareToken: Service["associateSoftwareToken"]
  readonly verifySoftwareToken: Service["verifySoftwareToken"]
  readonly confirmDevice: Service["confirmDevice"]
  readonly listDevices: Service["listDevices"]
  readonly getDevice: Service["getDevice"]
  readonly updateDeviceStatus: Service["updateDeviceStatus"]
  readonly forgetDevice: Service["forgetDevice"]
  readonly setUserMfaPreference: Service["setUserMfaPreference"]
  readonly deleteUserAttributes: Service["deleteUserAttributes"]
  readonly startWebAuthnRegistration: Service["startWebAuthnRegistration"]
  readonly completeWebAuthnRegistration: Service["completeWebAuthnRegistration"]
  readonly listWebAuthnCredentials: Service["listWebAuthnCredentials"]
  readonly deleteWebAuthnCredential: Service["deleteWebAuthnCredential"]
}

/** `SECRET_HASH` of a user for the configured app client; `undefined` when the client has no secret. */
export const secretHash =
  (config: AuthConfig.Validated) =>
  (username: string): Effect.Effect<Secret | undefined> =>
    config.clientSecret === undefined
      ? Effect.succeed(undefined)
      : Srp.secretHash(username, config.clientId, config.clientSecret)

/** The provider with the app client's secret hash and secret added to each request that needs them. */
export const make = (provider: Service, config: AuthConfig.Validated): Client => {
  const hash = secretHash(config)
  const clientSecret = config.clientSecret
  return {
    signUp: (request) =>
      Effect.flatMap(hash(request.username), (secretHash) => provider.signUp({ ...request, secretHash })),
    confirmSignUp: (request) =>
      Effect.flatMap(hash(request.username), (secretHash) => provider.confirmSignUp({ ...request, secretHash })),
    resendConfirmationCode: (request) =>
      Effect.flatMap(hash(request.username), (secretHash) =>
        provider.resendConfirmationCode({ ...request, secretHash })
      ),
    forgotPassword: (request) =>
      Effect.flatMap(hash(request.username), (secretHash) => provider.forgotPassword({ ...request, secretHash })),
    confirmForgotPassword: (request) =>
      Effect.flatMap(hash(request.username), (secretHash) =>
        provider.confirmForgotPassword({ ...request, secretHash })
      ),
    initiateAuth: (request) =>
      Effect.flatMap(hash(request.username), (secretHash) => {
        if (request.authFlow !== "REFRESH_TOKEN_AUTH") return provider.initiateAuth({ ...request, secretHash })
        return provider.initiateAuth({
          authFlow: request.authFlow,
          refreshToken: request.refreshToken,
          secretHash,
          deviceKey: request.deviceKey
        })
      }),
    respondToAuthChallenge: (request) =>
      Effect.flatMap(hash(request.username), (secretHash) =>
        provider.respondToAuthChallenge({
          challengeName: request.challengeName,
          session: request.session,
          challengeResponses: {
            USERNAME: Redacted.make(request.username),
            ...request.challengeResponses,
            ...(secretHash === undefined ? {} : { SECRET_HASH: secretHash })
          },
          clientMetadata: request.clientMetadata
        })
      ),
    getTokensFromRefreshToken: (request) =>
      provider.getTokensFromRefreshToken({
        refreshToken: request.refreshToken,
        clientSecret,
        deviceKey: request.deviceKey
      }),
    revokeToken: (request) => provider.revokeToken({ token: request.token, clientSecret }),
    globalSignOut: provider.globalSignOut,
    changePassword: provider.changePassword,
    getUser: provider.getUser,
    updateUserAttributes: provider.updateUserAttributes,
    getUserAttributeVerificationCode: provider.getUserAttributeVerificationCode,
    verifyUserAttribute: provider.verifyUserAttribute,
    deleteUser: provider.deleteUser,
    associateSoftwareToken: provider.associateSoftwareToken,
    verifySoftwareToken: provider.verifySoftwareToken,
    confirmDevice: provider.confirmDevice,
    listDevices: provider.listDevices,
    getDevice: provider.getDevice,
    updateDeviceStatus: provider.updateDeviceStatus,
    forgetDevice: provider.forgetDevice,
    setUserMfaPreference: provider.setUserMfaPreference,
    deleteUserAttributes: provider.deleteUserAttributes,
    startWebAuthnRegistration: provider.startWebAuthnRegistration,
    completeWebAuthnRegistration: provider.completeWebAuthnRegistration,
    listWebAuthnCredentials: provider.listWebAuthnCredentials,
    deleteWebAuthnCredential: provider.deleteWebAuthnCredential
  }
}
