/**
 * `IdentityProvider` over HTTP: the Cognito User Pool API (AWS JSON 1.1,
 * `POST /` with `X-Amz-Target: AWSCognitoIdentityProviderService.<Action>`) through
 * `effect/http`'s abstract `HttpClient`, so the same client runs on Node, in a
 * browser and against a local emulator (`AuthConfig`'s `endpoints.identityProvider`).
 *
 * The app client id comes from `AuthConfig`; `SECRET_HASH` and the client secret come
 * in each request (the flows compute them) and are only put on the wire: `SecretHash`
 * for SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword and
 * ConfirmForgotPassword, `SECRET_HASH` in `AuthParameters`, `ClientSecret` for
 * RevokeToken and GetTokensFromRefreshToken.
 *
 * Every failure is an `AuthError` whose `method` is the action name. Cognito's
 * exceptions map through `AuthError.reasonFromException`; an unknown exception or a body
 * that is not what the action returns (an HTML page from a proxy, truncated JSON, a
 * missing field) is `InvalidResponse`, and so is a body larger than
 * `AuthConfig.maxResponseBytes` (default 1 MiB), which is never read past the cap; a
 * connection failure or a request that takes longer than `AuthConfig.requestTimeout`
 * (body included) is `Transport`.
 *
 * Retries (exponential backoff with jitter, bounded in count and time; see
 * {@link defaultRetrySchedule}) happen only for transient failures
 * (`AuthError.isTransient`: throttling, limits, 5xx, transport) of actions that are safe
 * to repeat:
 *
 * | action | retried |
 * |---|---|
 * | InitiateAuth with `REFRESH_TOKEN_AUTH` | yes |
 * | InitiateAuth with `USER_SRP_AUTH`, `USER_PASSWORD_AUTH`, `CUSTOM_AUTH` | no: a repeat starts a second sign-in and may count as a failed attempt |
 * | GetTokensFromRefreshToken | yes |
 * | GetUser | yes |
 * | GlobalSignOut | yes |
 * | RevokeToken | yes |
 * | SignUp, ConfirmSignUp, ResendConfirmationCode | no: a repeat may create, confirm or send twice |
 * | RespondToAuthChallenge | no: a session answers once |
 * | ForgotPassword, ConfirmForgotPassword, ChangePassword | no: a repeat sends another code or changes state twice |
 * | UpdateUserAttributes, GetUserAttributeVerificationCode | no: a repeat sends another code |
 * | VerifyUserAttribute | no: a code answers once |
 * | DeleteUser | no: a repeat after it succeeded fails (the user is gone) |
 * | AssociateSoftwareToken, VerifySoftwareToken | no: each call issues a new secret or consumes a session |
 * | ConfirmDevice | yes: a repeat sets the same verifier again |
 * | ListDevices, GetDevice | yes |
 * | UpdateDeviceStatus, SetUserMFAPreference, DeleteUserAttributes | yes: a repeat sets the same state |
 * | ForgetDevice | no: a repeat after it succeeded fails (the device is gone) |
 * | InitiateAuth with `USER_AUTH` | no: a repeat sends another code or spends ConfirmSignUp's session |
 * | StartWebAuthnRegistration, CompleteWebAuthnRegistration | no: each starts or ends one ceremony |
 * | ListWebAuthnCredentials | yes |
 * | DeleteWebAuthnCredential | no: a repeat after it succeeded fails (the passkey is gone) |
 *
 * Leniency, for emulators: `AuthenticationResult.TokenType` defaults to `"Bearer"` and a
 * missing `ExpiresIn` is read from the access token's `exp - iat` (cognito-local sends
 * neither); challenge parameters that are not strings are passed on as JSON text.
 * Device dates are epoch seconds on the wire (AWS JSON 1.1 timestamps); one that is not a
 * time from 1970 to 9999 is `InvalidResponse`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaGetter from "effect/SchemaGetter"
import * as AuthConfig from "./AuthConfig.js"
import * as IdentityProvider from "./IdentityProvider.js"
import * as AwsJson from "./internal/awsJson.js"
import * as Jwt from "./internal/jwt.js"
import * as WebAuthn from "./WebAuthn.js"

/** Options of the layer. */
export interface Options {
  /**
   * Retries of transient failures, for the actions that are safe to repeat (see the
   * module documentation). Default {@link defaultRetrySchedule}; `Schedule.stop` turns
   * retries off.
   */
  readonly retrySchedule?: RetrySchedule | undefined
}

/** A retry schedule over the `AuthError`s of an action. */
export type RetrySchedule = AwsJson.RetrySchedule

/**
 * Exponential backoff from 200 ms, doubling, jittered; at most 3 retries (4 attempts)
 * and none once 10 seconds have passed.
 */
export const defaultRetrySchedule: RetrySchedule = AwsJson.defaultRetrySchedule

// -----------------------------------------------------------------------------
// Wire shapes of the responses
// -----------------------------------------------------------------------------

/** An optional member that may also be `null` (as some emulators send it): `null` reads as absent. */
const optional = <S extends Schema.Top>(schema: S) =>
  Schema.optional(Schema.NullOr(schema)).pipe(
    Schema.decodeTo(Schema.optional(Schema.toType(schema)), {
      decode: SchemaGetter.transformOptional(Option.filter(Predicate.isNotNull)),
      encode: SchemaGetter.passthrough()
    })
  )

const Secret = Schema.RedactedFromValue(Schema.String)

const CodeDeliveryDetailsWire = Schema.Struct({
  DeliveryMedium: Schema.Literals(["EMAIL", "SMS"]),
  Destination: Schema.String,
  AttributeName: Schema.String
})

const AuthenticationResultWire = Schema.Struct({
  AccessToken: Secret,
  IdToken: Secret,
  RefreshToken: optional(Secret),
  ExpiresIn: optional(Schema.Number),
  TokenType: optional(Schema.String),
  NewDeviceMetadata: optional(Schema.Struct({ DeviceKey: Schema.String, DeviceGroupKey: Schema.String }))
})

const AuthResponseWire = Schema.Struct({
  AuthenticationResult: optional(AuthenticationResultWire),
  ChallengeName: optional(Schema.Literals(IdentityProvider.challengeNames)),
  Session: optional(Secret),
  ChallengeParameters: optional(Schema.Record(Schema.String, Schema.Unknown)),
  AvailableChallenges: optional(Schema.Array(Schema.String))
})

const ConfirmSignUpWire = Schema.Struct({ Session: optional(Secret) })

const SignUpWire = Schema.Struct({
  UserConfirmed: Schema.Boolean,
  UserSub: Schema.String,
  CodeDeliveryDetails: optional(CodeDeliveryDetailsWire)
})

const CodeDeliveryWire = Schema.Struct({ CodeDeliveryDetails: optional(CodeDeliveryDetailsWire) })

const TokensWire = Schema.Struct({ AuthenticationResult: AuthenticationResultWire })

const AttributeWire = Schema.Struct({ Name: Schema.String, Value: optional(Schema.String) })

const GetUserWire = Schema.Struct({
  Username: Schema.String,
  UserAttributes: optional(Schema.Array(AttributeWire)),
  PreferredMfaSetting: optional(Schema.String),
  UserMFASettingList: optional(Schema.Array(Schema.String))
})

const UpdateUserAttributesWire = Schema.Struct({
  CodeDeliveryDetailsList: optional(Schema.Array(CodeDeliveryDetailsWire))
})

const AssociateSoftwareTokenWire = Schema.Struct({ SecretCode: Secret, Session: optional(Secret) })

const VerifySoftwareTokenWire = Schema.Struct({
  Status: Schema.Literals(["SUCCESS", "ERROR"]),
  Session: optional(Secret)
})

const ConfirmDeviceWire = Schema.Struct({ UserConfirmationNecessary: optional(Schema.Boolean) })

/** Cognito's `DeviceType`; dates are epoch seconds. */
const DeviceWire = Schema.Struct({
  DeviceKey: Schema.String,
  DeviceAttributes: optional(Schema.Array(AttributeWire)),
  DeviceCreateDate: optional(Schema.Number),
  DeviceLastModifiedDate: optional(Schema.Number),
  DeviceLastAuthenticatedDate: optional(Schema.Number)
})

const ListDevicesWire = Schema.Struct({
  Devices: optional(Schema.Array(DeviceWire)),
  PaginationToken: optional(Schema.String)
})

const GetDeviceWire = Schema.Struct({ Device: DeviceWire })

const StartWebAuthnRegistrationWire = Schema.Struct({
  CredentialCreationOptions: WebAuthn.CredentialCreationOptionsJson
})

/** Cognito's `WebAuthnCredentialDescription`; `CreatedAt` is epoch seconds. */
const WebAuthnCredentialWire = Schema.Struct({
  CredentialId: Schema.String,
  FriendlyCredentialName: optional(Schema.String),
  RelyingPartyId: Schema.String,
  AuthenticatorAttachment: optional(Schema.String),
  AuthenticatorTransports: optional(Schema.Array(Schema.String)),
  CreatedAt: Schema.Number
})

const ListWebAuthnCredentialsWire = Schema.Struct({
  Credentials: Schema.Array(WebAuthnCredentialWire),
  NextToken: optional(Schema.String)
})

/** The output of actions that return nothing: any JSON object. */
const EmptyWire = Schema.Struct({})

// -----------------------------------------------------------------------------
// Reading the responses
// -----------------------------------------------------------------------------

const ok = <A>(value: A): Result.Result<A, string> => Result.succeed(value)

const delivery = (wire: typeof CodeDeliveryDetailsWire.Type): IdentityProvider.CodeDeliveryDetails => ({
  deliveryMedium: wire.DeliveryMedium,
  destination: wire.Destination,
  attributeName: wire.AttributeName
})

const codeDeliveryDetails = (
  wire: typeof CodeDeliveryDetailsWire.Type | undefined
): IdentityProvider.CodeDeliveryDetails | undefined => (wire === undefined ? undefined : delivery(wire))

const authenticationResult = (
  wire: typeof AuthenticationResultWire.Type
): Result.Result<IdentityProvider.AuthenticationResult, string> => {
  const expiresIn =
    wire.ExpiresIn === undefined ? Jwt.lifetime(Redacted.value(wire.AccessToken)) : Option.some(wire.ExpiresIn)
  if (Option.isNone(expiresIn))
    return Result.fail(
      "AuthenticationResult.ExpiresIn is missing and the access token has no exp and iat (times from 1970 to 9999)"
    )
  return ok({
    accessToken: wire.AccessToken,
    idToken: wire.IdToken,
    ...(wire.RefreshToken === undefined ? {} : { refreshToken: wire.RefreshToken }),
    expiresIn: expiresIn.value,
    tokenType: wire.TokenType ?? "Bearer",
    ...(wire.NewDeviceMetadata === undefined
      ? {}
      : {
          newDeviceMetadata: {
            deviceKey: wire.NewDeviceMetadata.DeviceKey,
            deviceGroupKey: wire.NewDeviceMetadata.DeviceGroupKey
          }
        })
  })
}

const authResponse = (wire: typeof AuthResponseWire.Type): Result.Result<IdentityProvider.AuthResponse, string> => {
  if (wire.AuthenticationResult !== undefined)
    return Result.map(authenticationResult(wire.AuthenticationResult), (tokens) => ({
      _tag: "Authenticated" as const,
      tokens
    }))
  if (wire.ChallengeName === undefined) return Result.fail("neither AuthenticationResult nor ChallengeName")
  const parameters: Record<string, string> = {}
  for (const [key, value] of Object.entries(wire.ChallengeParameters ?? {})) {
    if (value !== undefined && value !== null)
      parameters[key] = typeof value === "string" ? value : JSON.stringify(value)
  }
  return ok({
    _tag: "Challenge",
    challengeName: wire.ChallengeName,
    ...(wire.Session === undefined ? {} : { session: wire.Session }),
    parameters,
    ...(wire.AvailableChallenges === undefined ? {} : { availableChallenges: wire.AvailableChallenges })
  })
}

const toVoid = (_: unknown): Result.Result<void, string> => ok(undefined)

/** The attributes of a `[{ Name, Value }]` list as a record; an attribute without a value is left out. */
const attributeRecord = (list: ReadonlyArray<typeof AttributeWire.Type> | undefined): Record<string, string> => {
  const out: Array<[string, string]> = []
  for (const { Name, Value } of list ?? []) if (Value !== undefined) out.push([Name, Value])
  // fromEntries defines own properties: a name like __proto__ stays a name.
  return Object.fromEntries(out)
}

/** The latest time a date may name: the end of year 9999, in seconds. */
const maxEpochSeconds = 253_402_300_799

/** An epoch-seconds timestamp as a `Date`; a failure names the field. */
const epochDate = (field: string, seconds: number | undefined): Result.Result<Date | undefined, string> =>
  seconds === undefined
    ? ok(undefined)
    : Number.isFinite(seconds) && seconds >= 0 && seconds <= maxEpochSeconds
      ? ok(new Date(Math.round(seconds * 1000)))
      : Result.fail(`${field} is not a time from 1970 to 9999`)

const device = (wire: typeof DeviceWire.Type): Result.Result<IdentityProvider.Device, string> =>
  Result.gen(function* () {
    const created = yield* epochDate("DeviceCreateDate", wire.DeviceCreateDate)
    const modified = yield* epochDate("DeviceLastModifiedDate", wire.DeviceLastModifiedDate)
    const authenticated = yield* epochDate("DeviceLastAuthenticatedDate", wire.DeviceLastAuthenticatedDate)
    return {
      deviceKey: wire.DeviceKey,
      deviceAttributes: attributeRecord(wire.DeviceAttributes),
      ...(created === undefined ? {} : { deviceCreateDate: created }),
      ...(modified === undefined ? {} : { deviceLastModifiedDate: modified }),
      ...(authenticated === undefined ? {} : { deviceLastAuthenticatedDate: authenticated })
    }
  })

const webAuthnCredential = (
  wire: typeof WebAuthnCredentialWire.Type
): Result.Result<IdentityProvider.WebAuthnCredential, string> =>
  Result.map(epochDate("CreatedAt", wire.CreatedAt), (createdAt) => ({
    credentialId: wire.CredentialId,
    ...(wire.FriendlyCredentialName === undefined ? {} : { friendlyCredentialName: wire.FriendlyCredentialName }),
    relyingPartyId: wire.RelyingPartyId,
    ...(wire.AuthenticatorAttachment === undefined ? {} : { authenticatorAttachment: wire.AuthenticatorAttachment }),
    authenticatorTransports: wire.AuthenticatorTransports ?? [],
    createdAt: createdAt ?? new Date(0)
  }))

/** A JSON value (a WebAuthn response built by a browser or an authenticator) as a request body. */
const jsonBody = (value: unknown): AwsJson.Body => {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value
  if (Array.isArray(value)) return value.map(jsonBody)
  if (Predicate.isObject(value)) {
    const out: Record<string, AwsJson.Body> = {}
    for (const [key, member] of Object.entries(value)) out[key] = jsonBody(member)
    return out
  }
  return undefined
}

/** `SMSMfaSettings` and its siblings: `undefined` (the method is left as it is) stays out of the body. */
const mfaSettings = (settings: IdentityProvider.MfaSettings | undefined) =>
  settings === undefined ? undefined : { Enabled: settings.enabled, PreferredMfa: settings.preferredMfa }

// -----------------------------------------------------------------------------
// Requests
// -----------------------------------------------------------------------------

const attributeList = (attributes: Readonly<Record<string, string>> | undefined) =>
  attributes === undefined ? undefined : Object.entries(attributes).map(([Name, Value]) => ({ Name, Value }))

const authParameters = (request: IdentityProvider.InitiateAuthRequest) => {
  switch (request.authFlow) {
    case "USER_SRP_AUTH":
      return {
        USERNAME: request.username,
        SRP_A: request.srpA,
        SECRET_HASH: request.secretHash,
        DEVICE_KEY: request.deviceKey
      }
    case "USER_PASSWORD_AUTH":
      return {
        USERNAME: request.username,
        PASSWORD: request.password,
        SECRET_HASH: request.secretHash,
        DEVICE_KEY: request.deviceKey
      }
    case "REFRESH_TOKEN_AUTH":
      return { REFRESH_TOKEN: request.refreshToken, SECRET_HASH: request.secretHash, DEVICE_KEY: request.deviceKey }
    case "USER_AUTH":
      return {
        USERNAME: request.username,
        PREFERRED_CHALLENGE: request.preferredChallenge,
        PASSWORD: request.password,
        SRP_A: request.srpA,
        SECRET_HASH: request.secretHash,
        DEVICE_KEY: request.deviceKey
      }
    case "CUSTOM_AUTH":
      return request.srpA === undefined
        ? { USERNAME: request.username, SECRET_HASH: request.secretHash, DEVICE_KEY: request.deviceKey }
        : {
            USERNAME: request.username,
            SRP_A: request.srpA,
            CHALLENGE_NAME: "SRP_A",
            SECRET_HASH: request.secretHash,
            DEVICE_KEY: request.deviceKey
          }
  }
}

/**
 * Builds the service from the `AuthConfig` and `HttpClient` in context, with options.
 *
 * @example
 * ```ts
 * import * as CognitoIdentityProvider from "@effect-cognito/core/CognitoIdentityProvider"
 * import * as Schedule from "effect/Schedule"
 *
 * const provider = CognitoIdentityProvider.makeWith({ retrySchedule: Schedule.recurs(2) })
 * ```
 */
export const makeWith = (
  options: Options = {}
): Effect.Effect<IdentityProvider.IdentityProvider.Service, never, AuthConfig.AuthConfig | HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const config = yield* AuthConfig.AuthConfig
    const call = yield* AwsJson.makeFromContext({
      target: "AWSCognitoIdentityProviderService",
      endpoint: config.identityProviderEndpoint,
      timeout: config.requestTimeout,
      maxResponseBytes: config.maxResponseBytes,
      retrySchedule: options.retrySchedule ?? defaultRetrySchedule
    })
    const ClientId = config.clientId
    const { actions } = IdentityProvider
    return IdentityProvider.make({
      signUp: (request) =>
        call({
          action: actions.signUp,
          idempotent: false,
          body: {
            ClientId,
            Username: request.username,
            Password: request.password,
            UserAttributes: attributeList(request.userAttributes),
            ValidationData: attributeList(request.validationData),
            ClientMetadata: request.clientMetadata,
            SecretHash: request.secretHash
          },
          response: SignUpWire,
          read: (wire) =>
            ok({
              userConfirmed: wire.UserConfirmed,
              userSub: wire.UserSub,
              ...(wire.CodeDeliveryDetails === undefined
                ? {}
                : { codeDeliveryDetails: codeDeliveryDetails(wire.CodeDeliveryDetails) })
            })
        }),
      confirmSignUp: (request) =>
        call({
          action: actions.confirmSignUp,
          idempotent: false,
          body: {
            ClientId,
            Username: request.username,
            ConfirmationCode: request.confirmationCode,
            ForceAliasCreation: request.forceAliasCreation,
            ClientMetadata: request.clientMetadata,
            SecretHash: request.secretHash
          },
          response: ConfirmSignUpWire,
          read: (wire) => ok(wire.Session === undefined ? {} : { session: wire.Session })
        }),
      resendConfirmationCode: (request) =>
        call({
          action: actions.resendConfirmationCode,
          idempotent: false,
          body: {
            ClientId,
            Username: request.username,
            ClientMetadata: request.clientMetadata,
            SecretHash: request.secretHash
          },
          response: CodeDeliveryWire,
          read: (wire) => ok(codeDelivery(wire))
        }),
      initiateAuth: (request) =>
        call({
          action: actions.initiateAuth,
          idempotent: request.authFlow === "REFRESH_TOKEN_AUTH",
          body: {
            ClientId,
            AuthFlow: request.authFlow,
            AuthParameters: authParameters(request),
            ClientMetadata: request.clientMetadata,
            Session: request.authFlow === "USER_AUTH" ? request.session : undefined
          },
          response: AuthResponseWire,
          read: authResponse
        }),
      respondToAuthChallenge: (request) =>
        call({
          action: actions.respondToAuthChallenge,
          idempotent: false,
          body: {
            ClientId,
            ChallengeName: request.challengeName,
            Session: request.session,
            ChallengeResponses: request.challengeResponses,
            ClientMetadata: request.clientMetadata
          },
          response: AuthResponseWire,
          read: authResponse
        }),
      getTokensFromRefreshToken: (request) =>
        call({
          action: actions.getTokensFromRefreshToken,
          idempotent: true,
          body: {
            ClientId,
            RefreshToken: request.refreshToken,
            ClientSecret: request.clientSecret,
            DeviceKey: request.deviceKey,
            ClientMetadata: request.clientMetadata
          },
          response: TokensWire,
          read: (wire) => authenticationResult(wire.AuthenticationResult)
        }),
      globalSignOut: (request) =>
        call({
          action: actions.globalSignOut,
          idempotent: true,
          body: { AccessToken: request.accessToken },
          response: EmptyWire,
          read: toVoid
        }),
      revokeToken: (request) =>
        call({
          action: actions.revokeToken,
          idempotent: true,
          body: { ClientId, Token: request.token, ClientSecret: request.clientSecret },
          response: EmptyWire,
          read: toVoid
        }),
      forgotPassword: (request) =>
        call({
          action: actions.forgotPassword,
          idempotent: false,
          body: {
            ClientId,
            Username: request.username,
            ClientMetadata: request.clientMetadata,
            SecretHash: request.secretHash
          },
          response: CodeDeliveryWire,
          read: (wire) => ok(codeDelivery(wire))
        }),
      confirmForgotPassword: (request) =>
        call({
          action: actions.confirmForgotPassword,
          idempotent: false,
          body: {
            ClientId,
            Username: request.username,
            ConfirmationCode: request.confirmationCode,
            Password: request.password,
            ClientMetadata: request.clientMetadata,
            SecretHash: request.secretHash
          },
          response: EmptyWire,
          read: toVoid
        }),
      changePassword: (request) =>
        call({
          action: actions.changePassword,
          idempotent: false,
          body: {
            AccessToken: request.accessToken,
            PreviousPassword: request.previousPassword,
            ProposedPassword: request.proposedPassword
          },
          response: EmptyWire,
          read: toVoid
        }),
      getUser: (request) =>
        call({
          action: actions.getUser,
          idempotent: true,
          body: { AccessToken: request.accessToken },
          response: GetUserWire,
          read: (wire) =>
            ok({
              username: wire.Username,
              userAttributes: attributeRecord(wire.UserAttributes),
              ...(wire.PreferredMfaSetting === undefined || wire.PreferredMfaSetting === ""
                ? {}
                : { preferredMfaSetting: wire.PreferredMfaSetting }),
              userMfaSettingList: wire.UserMFASettingList ?? []
            })
        }),
      updateUserAttributes: (request) =>
        call({
          action: actions.updateUserAttributes,
          idempotent: false,
          body: {
            AccessToken: request.accessToken,
            UserAttributes: attributeList(request.userAttributes),
            ClientMetadata: request.clientMetadata
          },
          response: UpdateUserAttributesWire,
          read: (wire) => ok({ codeDeliveryDetailsList: (wire.CodeDeliveryDetailsList ?? []).map(delivery) })
        }),
      getUserAttributeVerificationCode: (request) =>
        call({
          action: actions.getUserAttributeVerificationCode,
          idempotent: false,
          body: {
            AccessToken: request.accessToken,
            AttributeName: request.attributeName,
            ClientMetadata: request.clientMetadata
          },
          response: CodeDeliveryWire,
          read: (wire) => ok(codeDelivery(wire))
        }),
      verifyUserAttribute: (request) =>
        call({
          action: actions.verifyUserAttribute,
          idempotent: false,
          body: { AccessToken: request.accessToken, AttributeName: request.attributeName, Code: request.code },
          response: EmptyWire,
          read: toVoid
        }),
      deleteUser: (request) =>
        call({
          action: actions.deleteUser,
          idempotent: false,
          body: { AccessToken: request.accessToken },
          response: EmptyWire,
          read: toVoid
        }),
      associateSoftwareToken: (request) =>
        call({
          action: actions.associateSoftwareToken,
          idempotent: false,
          body: { AccessToken: request.accessToken, Session: request.session },
          response: AssociateSoftwareTokenWire,
          read: (wire) =>
            ok({ secretCode: wire.SecretCode, ...(wire.Session === undefined ? {} : { session: wire.Session }) })
        }),
      verifySoftwareToken: (request) =>
        call({
          action: actions.verifySoftwareToken,
          idempotent: false,
          body: {
            AccessToken: request.accessToken,
            Session: request.session,
            UserCode: request.userCode,
            FriendlyDeviceName: request.friendlyDeviceName
          },
          response: VerifySoftwareTokenWire,
          read: (wire) => ok({ status: wire.Status, ...(wire.Session === undefined ? {} : { session: wire.Session }) })
        }),
      confirmDevice: (request) =>
        call({
          action: actions.confirmDevice,
          idempotent: true,
          body: {
            AccessToken: request.accessToken,
            DeviceKey: request.deviceKey,
            DeviceSecretVerifierConfig: {
              PasswordVerifier: request.deviceSecretVerifierConfig.passwordVerifier,
              Salt: request.deviceSecretVerifierConfig.salt
            },
            DeviceName: request.deviceName
          },
          response: ConfirmDeviceWire,
          read: (wire) => ok({ userConfirmationNecessary: wire.UserConfirmationNecessary ?? false })
        }),
      listDevices: (request) =>
        call({
          action: actions.listDevices,
          idempotent: true,
          body: { AccessToken: request.accessToken, Limit: request.limit, PaginationToken: request.paginationToken },
          response: ListDevicesWire,
          read: (wire) =>
            Result.map(Result.all((wire.Devices ?? []).map(device)), (devices) => ({
              devices,
              ...(wire.PaginationToken === undefined || wire.PaginationToken === ""
                ? {}
                : { paginationToken: wire.PaginationToken })
            }))
        }),
      getDevice: (request) =>
        call({
          action: actions.getDevice,
          idempotent: true,
          body: { AccessToken: request.accessToken, DeviceKey: request.deviceKey },
          response: GetDeviceWire,
          read: (wire) => device(wire.Device)
        }),
      updateDeviceStatus: (request) =>
        call({
          action: actions.updateDeviceStatus,
          idempotent: true,
          body: {
            AccessToken: request.accessToken,
            DeviceKey: request.deviceKey,
            DeviceRememberedStatus: request.deviceRememberedStatus
          },
          response: EmptyWire,
          read: toVoid
        }),
      forgetDevice: (request) =>
        call({
          action: actions.forgetDevice,
          idempotent: false,
          body: { AccessToken: request.accessToken, DeviceKey: request.deviceKey },
          response: EmptyWire,
          read: toVoid
        }),
      setUserMfaPreference: (request) =>
        call({
          action: actions.setUserMfaPreference,
          idempotent: true,
          body: {
            AccessToken: request.accessToken,
            SMSMfaSettings: mfaSettings(request.smsMfaSettings),
            SoftwareTokenMfaSettings: mfaSettings(request.softwareTokenMfaSettings),
            EmailMfaSettings: mfaSettings(request.emailMfaSettings)
          },
          response: EmptyWire,
          read: toVoid
        }),
      deleteUserAttributes: (request) =>
        call({
          action: actions.deleteUserAttributes,
          idempotent: true,
          body: { AccessToken: request.accessToken, UserAttributeNames: [...request.userAttributeNames] },
          response: EmptyWire,
          read: toVoid
        }),
      startWebAuthnRegistration: (request) =>
        call({
          action: actions.startWebAuthnRegistration,
          idempotent: false,
          body: { AccessToken: request.accessToken },
          response: StartWebAuthnRegistrationWire,
          read: (wire) => ok({ credentialCreationOptions: wire.CredentialCreationOptions })
        }),
      completeWebAuthnRegistration: (request) =>
        call({
          action: actions.completeWebAuthnRegistration,
          idempotent: false,
          body: { AccessToken: request.accessToken, Credential: jsonBody(request.credential) },
          response: EmptyWire,
          read: toVoid
        }),
      listWebAuthnCredentials: (request) =>
        call({
          action: actions.listWebAuthnCredentials,
          idempotent: true,
          body: { AccessToken: request.accessToken, MaxResults: request.maxResults, NextToken: request.nextToken },
          response: ListWebAuthnCredentialsWire,
          read: (wire) =>
            Result.map(Result.all(wire.Credentials.map(webAuthnCredential)), (credentials) => ({
              credentials,
              ...(wire.NextToken === undefined || wire.NextToken === "" ? {} : { nextToken: wire.NextToken })
            }))
        }),
      deleteWebAuthnCredential: (request) =>
        call({
          action: actions.deleteWebAuthnCredential,
          idempotent: false,
          body: { AccessToken: request.accessToken, CredentialId: request.credentialId },
          response: EmptyWire,
          read: toVoid
        })
    })
  })

const codeDelivery = (wire: typeof CodeDeliveryWire.Type) =>
  wire.CodeDeliveryDetails === undefined ? {} : { codeDeliveryDetails: codeDeliveryDetails(wire.CodeDeliveryDetails) }

/** Builds the service with the default options. */
export const make: Effect.Effect<
  IdentityProvider.IdentityProvider.Service,
  never,
  AuthConfig.AuthConfig | HttpClient.HttpClient
> = makeWith()

/** The HTTP `IdentityProvider`, with the default retry schedule; built anew for each `AuthConfig` it is provided with. */
export const layer: Layer.Layer<
  IdentityProvider.IdentityProvider,
  never,
  AuthConfig.AuthConfig | HttpClient.HttpClient
> = Layer.fresh(Layer.effect(IdentityProvider.IdentityProvider, make))

/**
 * The HTTP `IdentityProvider` with options, e.g. a zero-delay retry schedule in tests.
 *
 * @example
 * ```ts
 * import * as CognitoIdentityProvider from "@effect-cognito/core/CognitoIdentityProvider"
 * import * as Schedule from "effect/Schedule"
 *
 * const ProviderLive = CognitoIdentityProvider.layerWith({ retrySchedule: Schedule.recurs(3) })
 * ```
 */
export const layerWith = (
  options: Options
): Layer.Layer<IdentityProvider.IdentityProvider, never, AuthConfig.AuthConfig | HttpClient.HttpClient> =>
  Layer.effect(IdentityProvider.IdentityProvider, makeWith(options))

/**
 * The wire shapes of Cognito's responses, as this client reads them. Exported for code
 * that answers this client (the local Cognito of `@effect-cognito/node` encodes its
 * responses with them), so the field names are written once.
 */
export const ResponseWire = {
  CodeDeliveryDetails: CodeDeliveryDetailsWire,
  AuthenticationResult: AuthenticationResultWire,
  Auth: AuthResponseWire,
  SignUp: SignUpWire,
  CodeDelivery: CodeDeliveryWire,
  Tokens: TokensWire,
  GetUser: GetUserWire,
  UpdateUserAttributes: UpdateUserAttributesWire,
  AssociateSoftwareToken: AssociateSoftwareTokenWire,
  VerifySoftwareToken: VerifySoftwareTokenWire,
  ConfirmDevice: ConfirmDeviceWire,
  Device: DeviceWire,
  ListDevices: ListDevicesWire,
  GetDevice: GetDeviceWire,
  ConfirmSignUp: ConfirmSignUpWire,
  StartWebAuthnRegistration: StartWebAuthnRegistrationWire,
  WebAuthnCredential: WebAuthnCredentialWire,
  ListWebAuthnCredentials: ListWebAuthnCredentialsWire
} as const
