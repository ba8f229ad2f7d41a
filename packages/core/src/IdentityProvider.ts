/**
 * The Cognito User Pool operations, typed: the seam between the `Auth` flows and
 * whatever answers them (`CognitoIdentityProvider` over HTTP, `TestCognito` in memory).
 *
 * The shapes follow Cognito's API in camelCase. Every secret (password, code, token,
 * session, secret hash) is `Redacted`. The app client id is captured by the
 * implementation; the flows compute `SECRET_HASH` so that every implementation sees
 * exactly what Cognito would.
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type { AuthError } from "./AuthError.js"
import * as tags from "./internal/tags.js"
import type * as WebAuthn from "./WebAuthn.js"

type Secret = Redacted.Redacted<string>
type Metadata = Readonly<Record<string, string>>

/** Where Cognito sent a code. */
export interface CodeDeliveryDetails {
  readonly deliveryMedium: "EMAIL" | "SMS"
  /** Masked destination, e.g. `a***@e***.com`. */
  readonly destination: string
  readonly attributeName: string
}

/** Tokens Cognito issued. */
export interface AuthenticationResult {
  readonly accessToken: Secret
  readonly idToken: Secret
  /** Absent on a refresh (unless rotation issues a new one). */
  readonly refreshToken?: Secret | undefined
  /** Lifetime of the access token, in seconds. */
  readonly expiresIn: number
  readonly tokenType: string
  readonly newDeviceMetadata?: { readonly deviceKey: string; readonly deviceGroupKey: string } | undefined
}

/**
 * Every challenge name Cognito's API defines (`ChallengeNameType`). The flows switch over
 * it exhaustively: a name added here is a compile error until each switch handles it.
 */
export const challengeNames = [
  "SMS_MFA",
  "EMAIL_OTP",
  "SOFTWARE_TOKEN_MFA",
  "SELECT_MFA_TYPE",
  "MFA_SETUP",
  "PASSWORD_VERIFIER",
  "CUSTOM_CHALLENGE",
  "SELECT_CHALLENGE",
  "DEVICE_SRP_AUTH",
  "DEVICE_PASSWORD_VERIFIER",
  "ADMIN_NO_SRP_AUTH",
  "NEW_PASSWORD_REQUIRED",
  "SMS_OTP",
  "PASSWORD",
  "WEB_AUTHN",
  "PASSWORD_SRP"
] as const

/** A Cognito challenge name. */
export type ChallengeName = (typeof challengeNames)[number]

/**
 * The first factors of choice-based sign-in (`USER_AUTH`): `PREFERRED_CHALLENGE`, the
 * `AvailableChallenges` of `SELECT_CHALLENGE` and its `ANSWER`.
 */
export const firstFactors = ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"] as const

/** A first factor of choice-based sign-in. */
export type FirstFactor = (typeof firstFactors)[number]

/** The MFA methods Cognito offers. */
export type MfaType = "SMS" | "TOTP" | "EMAIL"

/** The answer of `InitiateAuth` and `RespondToAuthChallenge`: tokens or the next challenge. */
export type AuthResponse =
  | { readonly _tag: "Authenticated"; readonly tokens: AuthenticationResult }
  | {
      readonly _tag: "Challenge"
      readonly challengeName: ChallengeName
      readonly session?: Secret | undefined
      readonly parameters: Readonly<Record<string, string>>
      /** `SELECT_CHALLENGE`'s top-level `AvailableChallenges` (names Cognito may add are kept as they come). */
      readonly availableChallenges?: ReadonlyArray<string> | undefined
    }

/** The `AuthFlow` and its `AuthParameters`, one case per flow. */
export type InitiateAuthRequest =
  | {
      readonly authFlow: "USER_SRP_AUTH"
      readonly username: string
      /** SRP_A, hex. */
      readonly srpA: string
      readonly secretHash?: Secret | undefined
      readonly deviceKey?: string | undefined
      readonly clientMetadata?: Metadata | undefined
    }
  | {
      readonly authFlow: "USER_PASSWORD_AUTH"
      readonly username: string
      readonly password: Secret
      readonly secretHash?: Secret | undefined
      readonly deviceKey?: string | undefined
      readonly clientMetadata?: Metadata | undefined
    }
  | {
      readonly authFlow: "REFRESH_TOKEN_AUTH"
      readonly refreshToken: Secret
      readonly secretHash?: Secret | undefined
      readonly deviceKey?: string | undefined
      readonly clientMetadata?: Metadata | undefined
    }
  | {
      /**
       * Choice-based sign-in. With `session` (ConfirmSignUp's), tokens come at once; else the
       * preferred factor's challenge, or `SELECT_CHALLENGE` when there is none or the user
       * cannot use it. `password` goes with `PASSWORD`, `srpA` with `PASSWORD_SRP`.
       */
      readonly authFlow: "USER_AUTH"
      readonly username: string
      readonly preferredChallenge?: FirstFactor | undefined
      readonly password?: Secret | undefined
      /** SRP_A, hex. */
      readonly srpA?: string | undefined
      /** The top-level `Session`: ConfirmSignUp's, to sign in right after sign-up. */
      readonly session?: Secret | undefined
      readonly secretHash?: Secret | undefined
      readonly deviceKey?: string | undefined
      readonly clientMetadata?: Metadata | undefined
    }
  | {
      readonly authFlow: "CUSTOM_AUTH"
      readonly username: string
      /** With SRP_A, Cognito starts with `CHALLENGE_NAME=SRP_A` (custom auth with SRP). */
      readonly srpA?: string | undefined
      readonly secretHash?: Secret | undefined
      readonly deviceKey?: string | undefined
      readonly clientMetadata?: Metadata | undefined
    }

/** What `RespondToAuthChallenge` sends. */
export interface RespondToAuthChallengeRequest {
  readonly challengeName: ChallengeName
  readonly session?: Secret | undefined
  /** `ChallengeResponses`; every value is redacted, including `USERNAME`. */
  readonly challengeResponses: Readonly<Record<string, Secret>>
  readonly clientMetadata?: Metadata | undefined
}

/** What `SignUp` sends. */
export interface SignUpRequest {
  readonly username: string
  /** Absent for a password-less user (a pool whose first factors include a password-less one). */
  readonly password?: Secret | undefined
  readonly userAttributes: Readonly<Record<string, string>>
  readonly validationData?: Readonly<Record<string, string>> | undefined
  readonly clientMetadata?: Metadata | undefined
  readonly secretHash?: Secret | undefined
}

/** What `SignUp` answers. */
export interface SignUpResponse {
  readonly userConfirmed: boolean
  readonly userSub: string
  readonly codeDeliveryDetails?: CodeDeliveryDetails | undefined
}

/** What `ConfirmSignUp` answers. */
export interface ConfirmSignUpResponse {
  /** A short-lived, single-use session that signs the user in (`InitiateAuth` `USER_AUTH`). */
  readonly session?: Secret | undefined
}

/** A passkey of the user (Cognito's `WebAuthnCredentialDescription`). */
export interface WebAuthnCredential {
  readonly credentialId: string
  readonly friendlyCredentialName?: string | undefined
  readonly relyingPartyId: string
  readonly authenticatorAttachment?: string | undefined
  readonly authenticatorTransports: ReadonlyArray<string>
  readonly createdAt: Date
}

/** What `GetUser` answers: the user's name, attributes and MFA settings. */
export interface UserResponse {
  readonly username: string
  readonly userAttributes: Readonly<Record<string, string>>
  readonly preferredMfaSetting?: string | undefined
  readonly userMfaSettingList: ReadonlyArray<string>
}

/**
 * What `ConfirmDevice` stores for a new device: the SRP verifier over the device group key,
 * the device key and a random device password, and its salt (both base64, as on the wire).
 */
export interface DeviceSecretVerifierConfig {
  readonly passwordVerifier: string
  readonly salt: string
}

/** Whether a confirmed device skips MFA (`remembered`) or not. */
export type DeviceRememberedStatus = "remembered" | "not_remembered"

/** A device Cognito tracks for a user (`DeviceType`). */
export interface Device {
  readonly deviceKey: string
  /** `device_name`, `device_status`, `device_remembered_status`, `last_ip`, … */
  readonly deviceAttributes: Readonly<Record<string, string>>
  readonly deviceCreateDate?: Date | undefined
  readonly deviceLastModifiedDate?: Date | undefined
  readonly deviceLastAuthenticatedDate?: Date | undefined
}

/** One MFA method's setting in `SetUserMFAPreference`; an absent field is left as it is. */
export interface MfaSettings {
  readonly enabled?: boolean | undefined
  readonly preferredMfa?: boolean | undefined
}

/** Identifies a user during MFA setup: a signed-in user's access token or a sign-in challenge session. */
export type AccessOrSession =
  | { readonly accessToken: Secret; readonly session?: undefined }
  | { readonly session: Secret; readonly accessToken?: undefined }

/** The types of the `IdentityProvider` service. */
export declare namespace IdentityProvider {
  /** The user-pool operations. Each method is one Cognito action. */
  export interface Service {
    readonly signUp: (request: SignUpRequest) => Effect.Effect<SignUpResponse, AuthError>
    readonly confirmSignUp: (request: {
      readonly username: string
      readonly confirmationCode: Secret
      readonly forceAliasCreation?: boolean | undefined
      readonly clientMetadata?: Metadata | undefined
      readonly secretHash?: Secret | undefined
    }) => Effect.Effect<ConfirmSignUpResponse, AuthError>
    readonly resendConfirmationCode: (request: {
      readonly username: string
      readonly clientMetadata?: Metadata | undefined
      readonly secretHash?: Secret | undefined
    }) => Effect.Effect<{ readonly codeDeliveryDetails?: CodeDeliveryDetails | undefined }, AuthError>
    readonly initiateAuth: (request: InitiateAuthRequest) => Effect.Effect<AuthResponse, AuthError>
    readonly respondToAuthChallenge: (request: RespondToAuthChallengeRequest) => Effect.Effect<AuthResponse, AuthError>
    /** Refresh with rotation: the app client's secret itself is sent, not a hash. */
    readonly getTokensFromRefreshToken: (request: {
      readonly refreshToken: Secret
      readonly clientSecret?: Secret | undefined
      readonly deviceKey?: string | undefined
      readonly clientMetadata?: Metadata | undefined
    }) => Effect.Effect<AuthenticationResult, AuthError>
    readonly globalSignOut: (request: { readonly accessToken: Secret }) => Effect.Effect<void, AuthError>
    readonly revokeToken: (request: {
      readonly token: Secret
      readonly clientSecret?: Secret | undefined
    }) => Effect.Effect<void, AuthError>
    readonly forgotPassword: (request: {
      readonly username: string
      readonly clientMetadata?: Metadata | undefined
      readonly secretHash?: Secret | undefined
    }) => Effect.Effect<{ readonly codeDeliveryDetails?: CodeDeliveryDetails | undefined }, AuthError>
    readonly confirmForgotPassword: (request: {
      readonly username: string
      readonly confirmationCode: Secret
      readonly password: Secret
      readonly clientMetadata?: Metadata | undefined
      readonly secretHash?: Secret | undefined
    }) => Effect.Effect<void, AuthError>
    readonly changePassword: (request: {
      readonly accessToken: Secret
      readonly previousPassword: Secret
      readonly proposedPassword: Secret
    }) => Effect.Effect<void, AuthError>
    readonly getUser: (request: { readonly accessToken: Secret }) => Effect.Effect<UserResponse, AuthError>
    /**
     * Sets the signed-in user's attributes; a changed `email` or `phone_number` becomes
     * unverified and Cognito sends a code to the new value (one entry per code sent).
     */
    readonly updateUserAttributes: (request: {
      readonly accessToken: Secret
      readonly userAttributes: Readonly<Record<string, string>>
      readonly clientMetadata?: Metadata | undefined
    }) => Effect.Effect<{ readonly codeDeliveryDetailsList: ReadonlyArray<CodeDeliveryDetails> }, AuthError>
    /** Sends a code to verify one of the signed-in user's attributes (`email`, `phone_number`). */
    readonly getUserAttributeVerificationCode: (request: {
      readonly accessToken: Secret
      readonly attributeName: string
      readonly clientMetadata?: Metadata | undefined
    }) => Effect.Effect<{ readonly codeDeliveryDetails?: CodeDeliveryDetails | undefined }, AuthError>
    /** Deletes the signed-in user from the pool; Cognito ends the user's tokens with it. */
    readonly deleteUser: (request: { readonly accessToken: Secret }) => Effect.Effect<void, AuthError>
    /** Verifies an attribute with the code sent for it: `<attribute>_verified` becomes `true`. */
    readonly verifyUserAttribute: (request: {
      readonly accessToken: Secret
      readonly attributeName: string
      readonly code: Secret
    }) => Effect.Effect<void, AuthError>
    readonly associateSoftwareToken: (
      request: AccessOrSession
    ) => Effect.Effect<{ readonly secretCode: Secret; readonly session?: Secret | undefined }, AuthError>
    readonly verifySoftwareToken: (
      request: AccessOrSession & { readonly userCode: Secret; readonly friendlyDeviceName?: string | undefined }
    ) => Effect.Effect<{ readonly status: "SUCCESS" | "ERROR"; readonly session?: Secret | undefined }, AuthError>
    /** Confirms a new device (`NewDeviceMetadata`) with its SRP verifier. */
    readonly confirmDevice: (request: {
      readonly accessToken: Secret
      readonly deviceKey: string
      readonly deviceSecretVerifierConfig: DeviceSecretVerifierConfig
      readonly deviceName?: string | undefined
    }) => Effect.Effect<{ readonly userConfirmationNecessary: boolean }, AuthError>
    readonly listDevices: (request: {
      readonly accessToken: Secret
      readonly limit?: number | undefined
      readonly paginationToken?: string | undefined
    }) => Effect.Effect<
      { readonly devices: ReadonlyArray<Device>; readonly paginationToken?: string | undefined },
      AuthError
    >
    readonly getDevice: (request: {
      readonly accessToken: Secret
      readonly deviceKey: string
    }) => Effect.Effect<Device, AuthError>
    readonly updateDeviceStatus: (request: {
      readonly accessToken: Secret
      readonly deviceKey: string
      readonly deviceRememberedStatus: DeviceRememberedStatus
    }) => Effect.Effect<void, AuthError>
    readonly forgetDevice: (request: {
      readonly accessToken: Secret
      readonly deviceKey: string
    }) => Effect.Effect<void, AuthError>
    readonly setUserMfaPreference: (request: {
      readonly accessToken: Secret
      readonly smsMfaSettings?: MfaSettings | undefined
      readonly softwareTokenMfaSettings?: MfaSettings | undefined
      readonly emailMfaSettings?: MfaSettings | undefined
    }) => Effect.Effect<void, AuthError>
    readonly deleteUserAttributes: (request: {
      readonly accessToken: Secret
      readonly userAttributeNames: ReadonlyArray<string>
    }) => Effect.Effect<void, AuthError>
    /** The options of a new passkey's registration ceremony. */
    readonly startWebAuthnRegistration: (request: {
      readonly accessToken: Secret
    }) => Effect.Effect<{ readonly credentialCreationOptions: WebAuthn.CredentialCreationOptionsJson }, AuthError>
    /** Registers the passkey the ceremony created. */
    readonly completeWebAuthnRegistration: (request: {
      readonly accessToken: Secret
      readonly credential: WebAuthn.RegistrationResponseJson
    }) => Effect.Effect<void, AuthError>
    readonly listWebAuthnCredentials: (request: {
      readonly accessToken: Secret
      readonly maxResults?: number | undefined
      readonly nextToken?: string | undefined
    }) => Effect.Effect<
      {
        readonly credentials: ReadonlyArray<WebAuthnCredential>
        readonly nextToken?: string | undefined
      },
      AuthError
    >
    readonly deleteWebAuthnCredential: (request: {
      readonly accessToken: Secret
      readonly credentialId: string
    }) => Effect.Effect<void, AuthError>
  }
}

/** The service's identifier in the context. */
export interface IdentityProvider {
  readonly _: unique symbol
}

/** The user-pool service. */
export const IdentityProvider: Context.Service<IdentityProvider, IdentityProvider.Service> = tags.identityProvider

/** The Cognito action name of each method, as in `X-Amz-Target`. */
export const actions = {
  signUp: "SignUp",
  confirmSignUp: "ConfirmSignUp",
  resendConfirmationCode: "ResendConfirmationCode",
  initiateAuth: "InitiateAuth",
  respondToAuthChallenge: "RespondToAuthChallenge",
  getTokensFromRefreshToken: "GetTokensFromRefreshToken",
  globalSignOut: "GlobalSignOut",
  revokeToken: "RevokeToken",
  forgotPassword: "ForgotPassword",
  confirmForgotPassword: "ConfirmForgotPassword",
  changePassword: "ChangePassword",
  getUser: "GetUser",
  updateUserAttributes: "UpdateUserAttributes",
  getUserAttributeVerificationCode: "GetUserAttributeVerificationCode",
  verifyUserAttribute: "VerifyUserAttribute",
  deleteUser: "DeleteUser",
  associateSoftwareToken: "AssociateSoftwareToken",
  verifySoftwareToken: "VerifySoftwareToken",
  confirmDevice: "ConfirmDevice",
  listDevices: "ListDevices",
  getDevice: "GetDevice",
  updateDeviceStatus: "UpdateDeviceStatus",
  forgetDevice: "ForgetDevice",
  setUserMfaPreference: "SetUserMFAPreference",
  deleteUserAttributes: "DeleteUserAttributes",
  startWebAuthnRegistration: "StartWebAuthnRegistration",
  completeWebAuthnRegistration: "CompleteWebAuthnRegistration",
  listWebAuthnCredentials: "ListWebAuthnCredentials",
  deleteWebAuthnCredential: "DeleteWebAuthnCredential"
} as const satisfies Record<keyof IdentityProvider.Service, string>

/** A Cognito user-pool action name. */
export type Action = (typeof actions)[keyof typeof actions]

/**
 * Builds the service from an implementation of each action. The core adds what every
 * implementation shares: a span per action named `IdentityProvider.<Action>` and a debug log line
 * per request and per failure (action, reason and Cognito's message; never a request's secrets).
 */
export const make = (implementation: IdentityProvider.Service): IdentityProvider.Service => {
  const wrapped: Record<string, unknown> = {}
  for (const key of Object.keys(actions) as Array<keyof IdentityProvider.Service>) {
    const method = implementation[key] as (request: never) => Effect.Effect<unknown, AuthError>
    const action = actions[key]
    wrapped[key] = (request: never) =>
      Effect.logDebug(`effect-cognito: ${action}`).pipe(
        Effect.andThen(method(request)),
        Effect.tapError((error) =>
          Effect.logDebug(`effect-cognito: ${action} failed`).pipe(
            Effect.annotateLogs({ reason: error.reason, description: error.description ?? "" })
          )
        ),
        Effect.withSpan(`IdentityProvider.${action}`, { kind: "client" })
      )
  }
  return wrapped as unknown as IdentityProvider.Service
}
