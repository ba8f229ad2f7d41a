/**
 * The local Cognito's side of AWS JSON 1.1, responses: typed results encoded with the
 * response shapes `CognitoIdentityProvider` and `CognitoIdentityPool` read (their
 * `ResponseWire`, so the field names are written once), devices as Cognito's `DeviceType`
 * (dates in epoch seconds), and `AuthError`s encoded as Cognito's error bodies.
 *
 * @internal
 */
import * as AuthError from "@effect-cognito/core/AuthError"
import * as CognitoIdentityPool from "@effect-cognito/core/CognitoIdentityPool"
import * as CognitoIdentityProvider from "@effect-cognito/core/CognitoIdentityProvider"
import type * as IdentityPool from "@effect-cognito/core/IdentityPool"
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import type * as WebAuthn from "@effect-cognito/core/WebAuthn"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { attributeList } from "./wire.js"

type Secret = Redacted.Redacted<string>

const { ResponseWire } = CognitoIdentityProvider

type Wire<S extends Schema.Constraint> = S["Type"]

const encode =
  <S extends Schema.ConstraintEncoder<unknown>>(schema: S) =>
  (value: S["Type"]): Effect.Effect<S["Encoded"]> =>
    Effect.orDie(Schema.encodeEffect(schema)(value))

/** The response bodies of `GetId` and `GetCredentialsForIdentity`. */
export const IdentityResponses = {
  getId: (response: { readonly identityId: string }) =>
    encode(CognitoIdentityPool.ResponseWire.GetId)({ IdentityId: response.identityId }),
  credentials: (response: { readonly identityId: string; readonly credentials: IdentityPool.Credentials }) =>
    encode(CognitoIdentityPool.ResponseWire.Credentials)({
      IdentityId: response.identityId,
      Credentials: {
        AccessKeyId: response.credentials.accessKeyId,
        SecretKey: response.credentials.secretAccessKey,
        SessionToken: response.credentials.sessionToken,
        Expiration: response.credentials.expiration.getTime() / 1000
      }
    })
} as const

const codeDeliveryDetails = (
  details: IdentityProvider.CodeDeliveryDetails
): Wire<typeof ResponseWire.CodeDeliveryDetails> => ({
  DeliveryMedium: details.deliveryMedium,
  Destination: details.destination,
  AttributeName: details.attributeName
})

const authenticationResult = (
  tokens: IdentityProvider.AuthenticationResult
): Wire<typeof ResponseWire.AuthenticationResult> => ({
  AccessToken: tokens.accessToken,
  IdToken: tokens.idToken,
  ...(tokens.refreshToken === undefined ? {} : { RefreshToken: tokens.refreshToken }),
  ExpiresIn: tokens.expiresIn,
  TokenType: tokens.tokenType,
  ...(tokens.newDeviceMetadata === undefined
    ? {}
    : {
        NewDeviceMetadata: {
          DeviceKey: tokens.newDeviceMetadata.deviceKey,
          DeviceGroupKey: tokens.newDeviceMetadata.deviceGroupKey
        }
      })
})

/** A device as Cognito's `DeviceType`: attributes as `[{ Name, Value }]`, dates in seconds since the epoch. */
export const deviceType = (device: IdentityProvider.Device) => ({
  DeviceKey: device.deviceKey,
  DeviceAttributes: attributeList(device.deviceAttributes),
  ...(device.deviceCreateDate === undefined ? {} : { DeviceCreateDate: device.deviceCreateDate.getTime() / 1000 }),
  ...(device.deviceLastModifiedDate === undefined
    ? {}
    : { DeviceLastModifiedDate: device.deviceLastModifiedDate.getTime() / 1000 }),
  ...(device.deviceLastAuthenticatedDate === undefined
    ? {}
    : { DeviceLastAuthenticatedDate: device.deviceLastAuthenticatedDate.getTime() / 1000 })
})

/** ListDevices and AdminListDevices: a page of devices and the token of the next one. */
export const devicePage = (page: {
  readonly devices: ReadonlyArray<IdentityProvider.Device>
  readonly paginationToken?: string | undefined
}) => ({
  Devices: page.devices.map(deviceType),
  ...(page.paginationToken === undefined ? {} : { PaginationToken: page.paginationToken })
})

/** The response bodies of the public user-pool actions. */
export const Responses = {
  signUp: (response: IdentityProvider.SignUpResponse) =>
    encode(ResponseWire.SignUp)({
      UserConfirmed: response.userConfirmed,
      UserSub: response.userSub,
      ...(response.codeDeliveryDetails === undefined
        ? {}
        : { CodeDeliveryDetails: codeDeliveryDetails(response.codeDeliveryDetails) })
    }),
  codeDelivery: (response: { readonly codeDeliveryDetails?: IdentityProvider.CodeDeliveryDetails | undefined }) =>
    encode(ResponseWire.CodeDelivery)(
      response.codeDeliveryDetails === undefined
        ? {}
        : { CodeDeliveryDetails: codeDeliveryDetails(response.codeDeliveryDetails) }
    ),
  auth: (response: IdentityProvider.AuthResponse) =>
    encode(ResponseWire.Auth)(
      response._tag === "Authenticated"
        ? { AuthenticationResult: authenticationResult(response.tokens), ChallengeParameters: {} }
        : {
            ChallengeName: response.challengeName,
            ...(response.session === undefined ? {} : { Session: response.session }),
            ChallengeParameters: response.parameters,
            ...(response.availableChallenges === undefined ? {} : { AvailableChallenges: response.availableChallenges })
          }
    ),
  confirmSignUp: (response: IdentityProvider.ConfirmSignUpResponse) =>
    encode(ResponseWire.ConfirmSignUp)(response.session === undefined ? {} : { Session: response.session }),
  startWebAuthnRegistration: (response: {
    readonly credentialCreationOptions: WebAuthn.CredentialCreationOptionsJson
  }) =>
    encode(ResponseWire.StartWebAuthnRegistration)({ CredentialCreationOptions: response.credentialCreationOptions }),
  listWebAuthnCredentials: (page: {
    readonly credentials: ReadonlyArray<IdentityProvider.WebAuthnCredential>
    readonly nextToken?: string | undefined
  }) =>
    encode(ResponseWire.ListWebAuthnCredentials)({
      Credentials: page.credentials.map((credential) => ({
        CredentialId: credential.credentialId,
        ...(credential.friendlyCredentialName === undefined
          ? {}
          : { FriendlyCredentialName: credential.friendlyCredentialName }),
        RelyingPartyId: credential.relyingPartyId,
        ...(credential.authenticatorAttachment === undefined
          ? {}
          : { AuthenticatorAttachment: credential.authenticatorAttachment }),
        AuthenticatorTransports: credential.authenticatorTransports,
        CreatedAt: credential.createdAt.getTime() / 1000
      })),
      ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken })
    }),
  tokens: (tokens: IdentityProvider.AuthenticationResult) =>
    encode(ResponseWire.Tokens)({ AuthenticationResult: authenticationResult(tokens) }),
  getUser: (user: IdentityProvider.UserResponse) =>
    encode(ResponseWire.GetUser)({
      Username: user.username,
      UserAttributes: attributeList(user.userAttributes),
      ...(user.preferredMfaSetting === undefined ? {} : { PreferredMfaSetting: user.preferredMfaSetting }),
      UserMFASettingList: user.userMfaSettingList
    }),
  updateUserAttributes: (response: {
    readonly codeDeliveryDetailsList: ReadonlyArray<IdentityProvider.CodeDeliveryDetails>
  }) =>
    encode(ResponseWire.UpdateUserAttributes)({
      CodeDeliveryDetailsList: response.codeDeliveryDetailsList.map(codeDeliveryDetails)
    }),
  associateSoftwareToken: (response: { readonly secretCode: Secret; readonly session?: Secret | undefined }) =>
    encode(ResponseWire.AssociateSoftwareToken)({
      SecretCode: response.secretCode,
      ...(response.session === undefined ? {} : { Session: response.session })
    }),
  verifySoftwareToken: (response: { readonly status: "SUCCESS" | "ERROR"; readonly session?: Secret | undefined }) =>
    encode(ResponseWire.VerifySoftwareToken)({
      Status: response.status,
      ...(response.session === undefined ? {} : { Session: response.session })
    }),
  confirmDevice: (response: { readonly userConfirmationNecessary: boolean }) => ({
    UserConfirmationNecessary: response.userConfirmationNecessary
  }),
  listDevices: devicePage,
  getDevice: (device: IdentityProvider.Device) => ({ Device: deviceType(device) })
} as const

/** The exception name, message and status of a failure, as Cognito reports it. */
export const errorBody = (
  error: AuthError.AuthError
): { readonly status: number; readonly exception: string; readonly message: string } => {
  const exception = error.exception ?? AuthError.exceptionForReason(error.reason) ?? "InternalErrorException"
  const status = error.status ?? (exception === "InternalErrorException" ? 500 : 400)
  return { status, exception, message: error.description ?? exception }
}
