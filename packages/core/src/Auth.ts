/**
 * The service applications use: sign-up, sign-in with every Cognito challenge,
 * sign-out (local and global), password reset, the cached session and its tokens.
 *
 * Every method returns an `Effect` with no requirements and fails only with
 * {@link AuthError.AuthError}. Challenges (MFA, new password, custom) are results, not
 * errors: `signIn` and `confirmSignIn` return a {@link SignInResult} that says what to do
 * next. Passwords, codes and challenge answers are `Redacted` from the moment they enter.
 *
 * On a user pool that tracks devices, a sign-in that brings `NewDeviceMetadata` confirms the
 * device (`ConfirmDevice`, named by {@link DeviceName}) and keeps it in the `TokenStore`
 * beside the session, where it outlives sign-out until it is forgotten. Every later sign-in
 * and refresh names it (`DEVICE_KEY`), and a remembered device answers `DEVICE_SRP_AUTH`
 * itself, so it skips MFA with no step the app sees. A failed `ConfirmDevice` is logged and
 * does not fail the sign-in: the next sign-in goes as a new device and tries again. A device
 * the pool no longer knows is dropped and the sign-in goes on as a new device.
 *
 * Choice-based sign-in (`flow: "USER_AUTH"`) starts with a preferred first factor or
 * returns `SelectChallenge`; email and SMS codes are steps like MFA codes, a chosen password
 * factor asks for the password (`PasswordRequired`), and a passkey (`WEB_AUTHN`) is answered
 * by the optional `WebAuthn` service with no step (without it: `WebAuthnUnavailable`). After
 * a `confirmSignUp` that answers `nextStep: "AutoSignIn"`, `autoSignIn()` signs the user in
 * with Cognito's session, kept in memory only (redacted), once and within minutes.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import type * as Context from "effect/Context"
import type * as Data from "effect/Data"
import * as Layer from "effect/Layer"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as AuthConfig from "./AuthConfig.js"
import type { AuthError } from "./AuthError.js"
import * as AwsCredentials from "./AwsCredentials.js"
import type * as IdentityProvider from "./IdentityProvider.js"
import type * as OAuth from "./OAuth.js"
import type { CodeDeliveryDetails } from "./IdentityProvider.js"
import * as internal from "./internal/auth.js"
import * as challenge from "./internal/challenge.js"
import * as tags from "./internal/tags.js"
import type { PendingSignIn } from "./PendingSignIn.js"
import type { SecureRandom } from "./SecureRandom.js"
import type { TokenStore } from "./TokenStore.js"

export type {
  /** Where Cognito sent a code: the medium, the masked destination and the attribute. */
  CodeDeliveryDetails
} from "./IdentityProvider.js"

type Secret = Redacted.Redacted<string>

/** The answer of `signUp`. */
export interface SignUpResult {
  readonly confirmationState: "Confirmed" | "Unconfirmed"
  /** Where the confirmation code went, when one was sent. */
  readonly codeDeliveryDetails?: CodeDeliveryDetails | undefined
  readonly userSub: string
}

/** The answer of `confirmSignUp`. */
export interface ConfirmSignUpResult {
  readonly confirmationState: "Confirmed"
  /**
   * `AutoSignIn` when Cognito gave a session to sign in with: `autoSignIn()` signs the user in
   * with no second code (within minutes, once); else `Done`.
   */
  readonly nextStep: "AutoSignIn" | "Done"
}

/** A first factor of choice-based sign-in (`USER_AUTH`). */
export type FirstFactor = IdentityProvider.FirstFactor

/** The answer of `forgotPassword`. */
export interface ForgotPasswordResult {
  readonly state: "ConfirmationCodeSent"
  readonly codeDeliveryDetails?: CodeDeliveryDetails | undefined
}

/** The MFA methods Cognito offers. */
export type MfaType = IdentityProvider.MfaType

/** What `signIn` and `confirmSignIn` lead to. Every case but `SignedIn` waits for `confirmSignIn`. */
export type SignInResult = Data.TaggedEnum<{
  /** Done: the session is stored. */
  SignedIn: {}
  /** Answer with the code sent by SMS. */
  SmsMfa: { readonly codeDeliveryDetails: CodeDeliveryDetails }
  /** Answer with the code of the user's authenticator app. */
  SoftwareTokenMfa: {}
  /** Answer with the code sent by email. */
  EmailOtp: { readonly codeDeliveryDetails: CodeDeliveryDetails }
  /** Answer with one of `allowedMfaTypes` (`"SMS"`, `"TOTP"` or `"EMAIL"`). */
  SelectMfaType: { readonly allowedMfaTypes: ReadonlyArray<MfaType> }
  /**
   * MFA is required and the user has none: add `totpSharedSecret` to an authenticator app
   * (see {@link totpSetupUri}) and answer with its current code.
   */
  MfaSetup: { readonly allowedMfaTypes: ReadonlyArray<MfaType>; readonly totpSharedSecret: Secret }
  /** Answer with a new password, and `userAttributes` for each of `requiredAttributes`. */
  NewPasswordRequired: {
    readonly requiredAttributes: ReadonlyArray<string>
    readonly userAttributes: Readonly<Record<string, string>>
  }
  /** Answer the custom challenge (the auth Lambda's public parameters are in `parameters`). */
  CustomChallenge: { readonly parameters: Readonly<Record<string, string>> }
  /** `USER_AUTH`: answer with one of `availableChallenges` (a {@link FirstFactor}). */
  SelectChallenge: { readonly availableChallenges: ReadonlyArray<FirstFactor> }
  /** `USER_AUTH`: answer with the code sent by SMS (the first factor `SMS_OTP`). */
  SmsOtp: { readonly codeDeliveryDetails: CodeDeliveryDetails }
  /** `USER_AUTH`: the password factor was chosen; answer with the password. */
  PasswordRequired: {}
}>

/** Constructors and matchers of {@link SignInResult}. */
export const SignInResult: Data.TaggedEnum.Constructor<SignInResult> = challenge.SignInResult

/** The `otpauth://` URI of a TOTP secret, for a QR code. */
export const totpSetupUri = (secret: Secret, options: { readonly issuer: string; readonly accountName: string }) =>
  internal.totpSetupUri(secret, options)

/**
 * The `DeviceName` a new device is confirmed with: a `Context.Reference`, `"effect-cognito"`
 * unless a layer provides another (`NodeAuth`: `<hostname> (Node <version>)`, `BrowserAuth`:
 * the browser's user agent). Control characters are dropped and the name is cut at 1024
 * characters, Cognito's limit.
 *
 * @example
 * ```ts
 * import * as Auth from "@effect-cognito/core/Auth"
 * import * as Layer from "effect/Layer"
 *
 * const KioskAuth = Auth.layer.pipe(Layer.provide(Layer.succeed(Auth.DeviceName, "Kiosk 4, front desk")))
 * ```
 */
export const DeviceName: Context.Reference<string> = tags.deviceName

/**
 * How many sessions of one app client keep their tokens in memory (a `Context.Reference`,
 * unbounded by default). A server that holds a session per end user (`NodeAuth.makeSession`)
 * can hold more users than fit: beyond this many, the least recently used idle session lets
 * go of its tokens (its store keeps them) and reads them again on its next use; a session that
 * is refreshing, or holds tokens its store could not take, keeps them. Read when the sessions'
 * shared part is built.
 *
 * @example
 * ```ts
 * import * as Auth from "@effect-cognito/core/Auth"
 * import * as Layer from "effect/Layer"
 *
 * const Bounded = Layer.succeed(Auth.MaxInMemorySessions, 10_000)
 * ```
 *
 * @since 0.1.0
 */
export const MaxInMemorySessions: Context.Reference<number> = internal.maxInMemorySessions

/** Whether a confirmed device skips MFA (`remembered`) or not. */
export type DeviceRememberedStatus = IdentityProvider.DeviceRememberedStatus

/** A device Cognito tracks for the signed-in user. */
export interface Device {
  /** The device key, `<region>_<uuid>`. */
  readonly key: string
  /** `device_name`: the name it was confirmed with. */
  readonly name?: string | undefined
  /** `device_remembered_status`: a remembered device skips MFA. */
  readonly rememberedStatus?: DeviceRememberedStatus | undefined
  /** When the user last signed in with it. */
  readonly lastAuthenticatedAt?: Date | undefined
  readonly createdAt?: Date | undefined
  readonly lastModifiedAt?: Date | undefined
  /** Every attribute Cognito keeps: `device_name`, `device_status`, `device_remembered_status`, `last_ip`, … */
  readonly attributes: Readonly<Record<string, string>>
}

/** A page of the user's devices. */
export interface FetchDevicesResult {
  readonly devices: ReadonlyArray<Device>
  /** Pass as `paginationToken` for the next page; absent on the last. */
  readonly nextToken?: string | undefined
}

/** A TOTP secret for the signed-in user's authenticator app (`setUpTotp`). */
export interface TotpSetup {
  /** The shared secret (base32). */
  readonly secret: Secret
  /**
   * The `otpauth://` URI of the secret, for a QR code. It holds the secret in clear: show it,
   * never log it. The account name defaults to the username.
   */
  readonly uri: (options: { readonly issuer: string; readonly accountName?: string | undefined }) => string
}

/**
 * One MFA method's setting, as aws-amplify names them: `ENABLED`, `DISABLED`, `PREFERRED`
 * (enabled and preferred) and `NOT_PREFERRED` (enabled, and no longer preferred).
 */
export type MfaPreference = "ENABLED" | "DISABLED" | "PREFERRED" | "NOT_PREFERRED"

/** What `updateMfaPreference` changes; a method left out stays as it is. */
export interface UpdateMfaPreferenceInput {
  readonly sms?: MfaPreference | undefined
  readonly totp?: MfaPreference | undefined
  readonly email?: MfaPreference | undefined
}

/** The signed-in user's MFA settings (`fetchMfaPreference`). */
export interface MfaPreferenceResult {
  /** The methods turned on. */
  readonly enabled: ReadonlyArray<MfaType>
  /** The one Cognito asks first, when one is preferred. */
  readonly preferred?: MfaType | undefined
}

/** The state of the user, as AWSMobileClient has it. */
export type UserState =
  | "SignedIn"
  | "SignedOut"
  | "Guest"
  | "SignedOutUserPoolsTokensInvalid"
  | "SignedOutFederatedTokensInvalid"

/** The tokens of the session, with the claims the client reads from them. */
export interface Tokens {
  readonly idToken: Secret
  readonly accessToken: Secret
  readonly refreshToken: Secret
  readonly sub: string
  readonly username: string
  /** When the access token expires, by the server's clock. */
  readonly expiresAt: Date
  /** When the access token was issued, by the server's clock. */
  readonly issuedAt: Date
}

/** What `signUp` takes. */
export interface SignUpInput {
  readonly username: string
  /** Optional where the pool's first factors include a password-less one. */
  readonly password?: Secret | undefined
  /** Standard (`email`, `phone_number`, …) and custom (`custom:…`) attributes. */
  readonly userAttributes?: Readonly<Record<string, string>> | undefined
  readonly validationData?: Readonly<Record<string, string>> | undefined
  readonly clientMetadata?: Readonly<Record<string, string>> | undefined
}

/** The authentication flow of `signIn`. */
export type SignInFlow = "USER_SRP_AUTH" | "USER_PASSWORD_AUTH" | "CUSTOM_AUTH" | "USER_AUTH"

/** What `signIn` takes. */
export interface SignInInput {
  readonly username: string
  /**
   * Optional for `CUSTOM_AUTH` without SRP and for `USER_AUTH` (where it goes with a preferred
   * `PASSWORD` or `PASSWORD_SRP` factor).
   */
  readonly password?: Secret | undefined
  /** Default `USER_SRP_AUTH`: the password never leaves the process. */
  readonly flow?: SignInFlow | undefined
  /**
   * `USER_AUTH`: the first factor to try. Without one, or one the user cannot use, the
   * result is `SelectChallenge`. `WEB_AUTHN` runs the passkey ceremony (`WebAuthn` service).
   */
  readonly preferredChallenge?: FirstFactor | undefined
  readonly clientMetadata?: Readonly<Record<string, string>> | undefined
}

/** A passkey of the signed-in user. */
export interface WebAuthnCredential {
  readonly credentialId: string
  readonly friendlyName?: string | undefined
  readonly relyingPartyId: string
  /** `platform` or `cross-platform`, when known. */
  readonly authenticatorAttachment?: string | undefined
  readonly transports: ReadonlyArray<string>
  readonly createdAt: Date
}

/** A page of the signed-in user's passkeys. */
export interface ListWebAuthnCredentialsResult {
  readonly credentials: ReadonlyArray<WebAuthnCredential>
  /** Pass as `nextToken` for the next page; absent on the last. */
  readonly nextToken?: string | undefined
}

/** What `confirmSignIn` takes: the answer to the pending challenge. */
export interface ConfirmSignInInput {
  /** The code, the new password, the chosen MFA type or first factor, the password, or the custom answer. */
  readonly challengeResponse: Secret
  /** For `NewPasswordRequired`: values of the required (or any writable) attributes. */
  readonly userAttributes?: Readonly<Record<string, string>> | undefined
  readonly clientMetadata?: Readonly<Record<string, string>> | undefined
}

/** What `federatedSignIn` takes. */
export interface FederatedSignInInput {
  /**
   * The provider's name as the identity pool knows it: `accounts.google.com`,
   * `graph.facebook.com`, `appleid.apple.com`, `www.amazon.com`, an OIDC provider's
   * issuer host, a SAML provider's ARN, or a developer provider's name.
   */
  readonly provider: string
  /** The provider's token (an OIDC id token, a SAML assertion, an access token, a developer OpenID token). */
  readonly token: Secret
  /** The role to assume, when the identity pool lets the provider choose among several. */
  readonly customRoleArn?: string | undefined
}

/** Options of `signedHttpClient`. */
export interface SignedHttpClientOptions {
  /** The signing name of the service, e.g. `"execute-api"`, `"appsync"`, `"s3"`. */
  readonly service: string
  /** The region of the endpoint. */
  readonly region: string
  /** Whether `x-amz-security-token` is signed (default) or added after signing. */
  readonly sessionToken?: "signed" | "unsigned" | undefined
}

/** A transform of an `HttpClient` that authorizes each request (see `AwsSigning`). */
export type HttpClientTransform = <E, R>(
  client: HttpClient.HttpClient.With<E, R>
) => HttpClient.HttpClient.With<E | HttpClientError.HttpClientError | AuthError, R>

/** What `completeRedirectSignIn` returns. */
export interface RedirectSignInResult {
  /** The `customState` given to `redirectSignInUrl`. */
  readonly customState?: string | undefined
}

/** The types of the `Auth` service. */
export declare namespace Auth {
  /** The flows: every method returns an Effect with no requirements. */
  export interface Service {
    readonly signUp: (input: SignUpInput) => Effect.Effect<SignUpResult, AuthError>
    readonly confirmSignUp: (input: {
      readonly username: string
      readonly confirmationCode: Secret
      readonly forceAliasCreation?: boolean | undefined
      readonly clientMetadata?: Readonly<Record<string, string>> | undefined
    }) => Effect.Effect<ConfirmSignUpResult, AuthError>
    /**
     * Signs in with the session of the last `confirmSignUp` that answered `AutoSignIn`, kept in
     * memory only. `AutoSignInUnavailable` when there is none (or it was used), `SessionExpired`
     * once it expired; `AlreadySignedIn` while a user is signed in.
     */
    readonly autoSignIn: (options?: {
      /** When given, the session must have been kept for this user (else `AutoSignInUnavailable`). */
      readonly username?: string | undefined
    }) => Effect.Effect<SignInResult, AuthError>
    readonly resendSignUpCode: (input: {
      readonly username: string
      readonly clientMetadata?: Readonly<Record<string, string>> | undefined
    }) => Effect.Effect<CodeDeliveryDetails | undefined, AuthError>
    /** Fails with `AlreadySignedIn` while a user is signed in. */
    readonly signIn: (input: SignInInput) => Effect.Effect<SignInResult, AuthError>
    /**
     * Answers the pending challenge; `NoPendingChallenge` when there is none, `SessionExpired`
     * (and nothing pending any more) once `authSessionValidity` has passed by `Clock`, without a
     * request; a session Cognito refuses anyway fails with its `NotAuthorized`.
     */
    readonly confirmSignIn: (input: ConfirmSignInInput) => Effect.Effect<SignInResult, AuthError>
    /** The challenge waiting for `confirmSignIn`, as a value to save (see `PendingSignIn`). */
    readonly pendingSignIn: Effect.Effect<Option.Option<PendingSignIn>>
    /**
     * Makes a saved challenge (of this user pool and app client) the pending one, so
     * `confirmSignIn` answers it, and returns what it asks (a TOTP setup resumes as
     * `SoftwareTokenMfa`: its secret is not saved). `SessionExpired` once expired (by `Clock`),
     * `AlreadySignedIn` while a user is signed in, `InvalidInput` for another app client's.
     */
    readonly resumeSignIn: (pending: PendingSignIn) => Effect.Effect<SignInResult, AuthError>
    /**
     * Local: revokes the refresh token (best effort) and forgets the session.
     * Global: `GlobalSignOut` first; if it fails, the session is kept and the error returned.
     * This client's device (on a pool that tracks devices) stays in the store either way, so
     * a remembered device still skips MFA at the next sign-in; `forgetDevice` removes it.
     * A store that cannot remove the session or the federated sign-in fails it with
     * `Storage`, with the user already signed out here.
     */
    readonly signOut: (options?: { readonly global?: boolean | undefined }) => Effect.Effect<void, AuthError>
    /**
     * Sign-in through the Cognito domain, step 1 (needs `oauth` in `AuthConfig` and the
     * `OAuth` service in context, as `NodeAuth` and `BrowserAuth` provide): the URL of the
     * hosted UI / managed login (or of a provider, with `provider`) and the pending value to
     * keep until the callback (see `OAuth.authorizationUrl`). Without them: `InvalidConfig`.
     */
    readonly redirectSignInUrl: (options?: OAuth.AuthorizeOptions) => Effect.Effect<OAuth.Authorization, AuthError>
    /**
     * Sign-in through the Cognito domain, step 2: checks the callback, exchanges the code,
     * verifies the id token and establishes the session like any sign-in (stored, shared,
     * refreshed); returns the `customState`. `AlreadySignedIn` while a user is signed in
     * (checked before the code is spent). Callback errors: see `OAuth`.
     */
    readonly completeRedirectSignIn: (input: OAuth.CompleteInput) => Effect.Effect<RedirectSignInResult, AuthError>
    /**
     * The domain's logout URL (`<domain>/logout?client_id&logout_uri`), to send the browser to
     * after `signOut` so the domain's own session ends too; `InvalidConfig` without `oauth`.
     */
    readonly redirectSignOutUrl: (options?: OAuth.LogoutOptions) => Effect.Effect<string, AuthError>
    readonly forgotPassword: (input: {
      readonly username: string
      readonly clientMetadata?: Readonly<Record<string, string>> | undefined
    }) => Effect.Effect<ForgotPasswordResult, AuthError>
    readonly confirmForgotPassword: (input: {
      readonly username: string
      readonly newPassword: Secret
      readonly confirmationCode: Secret
      readonly clientMetadata?: Readonly<Record<string, string>> | undefined
    }) => Effect.Effect<void, AuthError>
    /** Changes the signed-in user's password. */
    readonly changePassword: (input: {
      readonly currentPassword: Secret
      readonly proposedPassword: Secret
    }) => Effect.Effect<void, AuthError>
    /** The signed-in user's attributes (`GetUser`). */
    readonly getUserAttributes: Effect.Effect<Readonly<Record<string, string>>, AuthError>
    /**
     * Sets the signed-in user's attributes (`UpdateUserAttributes`; AWSMobileClient's
     * `updateUserAttributes`). A changed `email` or `phone_number` needs the code sent to
     * it, through {@link confirmUserAttribute}: by default the new value applies at once,
     * unverified; in a pool with `AttributesRequireVerificationBeforeUpdate` the old value
     * stays until the code confirms the new one. The result says where each code went
     * (empty when none was sent). `email_verified`, `phone_number_verified` and `sub` are
     * Cognito's to set (`InvalidParameter`). Names and values are checked first: bad ones
     * fail with `InvalidInput` without a request. The id token shows the new values after
     * its next refresh.
     */
    readonly updateUserAttributes: (input: {
      readonly userAttributes: Readonly<Record<string, string>>
      readonly clientMetadata?: Readonly<Record<string, string>> | undefined
    }) => Effect.Effect<ReadonlyArray<CodeDeliveryDetails>, AuthError>
    /**
     * Sends a new code to verify the signed-in user's `email` or `phone_number`
     * (`GetUserAttributeVerificationCode`; AWSMobileClient's `verifyUserAttribute`).
     */
    readonly sendUserAttributeVerificationCode: (input: {
      readonly attributeName: string
      readonly clientMetadata?: Readonly<Record<string, string>> | undefined
    }) => Effect.Effect<CodeDeliveryDetails | undefined, AuthError>
    /**
     * Verifies an attribute with the code sent for it (`VerifyUserAttribute`;
     * AWSMobileClient's `confirmUpdateUserAttributes`): `<attribute>_verified` becomes
     * `true`. A wrong code fails with `CodeMismatch`, an old one with `ExpiredCode`.
     */
    readonly confirmUserAttribute: (input: {
      readonly attributeName: string
      readonly confirmationCode: Secret
    }) => Effect.Effect<void, AuthError>
    /**
     * Deletes the signed-in user's account (`DeleteUser`; Amplify's `deleteUser`), then
     * signs out here as {@link signOut} does (Cognito has ended the tokens already). If
     * Cognito refuses, the session is kept and the error returned; signed out: `NotSignedIn`.
     */
    readonly deleteUser: Effect.Effect<void, AuthError>
    /**
     * Deletes attributes of the signed-in user (`DeleteUserAttributes`; Amplify's
     * `deleteUserAttributes`). Deleting `email` or `phone_number` drops its `_verified` too;
     * required attributes and `sub` cannot be deleted (`InvalidParameter`). Names are checked
     * first: none, or a bad one, fails with `InvalidInput` without a request.
     */
    readonly deleteUserAttributes: (input: {
      readonly attributeNames: ReadonlyArray<string>
    }) => Effect.Effect<void, AuthError>
    /**
     * Marks this device remembered (`UpdateDeviceStatus`; Amplify's `rememberDevice`), so the
     * next sign-in here skips MFA. Needed on pools with `DeviceOnlyRememberedOnUserPrompt`;
     * others remember a device when it is confirmed. Without a confirmed device here (the pool
     * tracks no devices, or confirming it failed): `ResourceNotFound`, without a request.
     */
    readonly rememberDevice: () => Effect.Effect<void, AuthError>
    /**
     * Forgets a device (`ForgetDevice`; Amplify's `forgetDevice`): this one by default, or
     * another of the user's by key. Forgetting this device also drops it from the store, so the
     * next sign-in goes as a new device (and MFA is asked again); this device already unknown
     * to the pool is dropped and the call succeeds. No device here and no key: `ResourceNotFound`.
     */
    readonly forgetDevice: (options?: { readonly deviceKey?: string | undefined }) => Effect.Effect<void, AuthError>
    /**
     * The user's devices, a page at a time (`ListDevices`; Amplify's `fetchDevices`): `limit`
     * from 0 to 60 (Cognito's default 10), `paginationToken` from the previous page's `nextToken`.
     */
    readonly fetchDevices: (options?: {
      readonly limit?: number | undefined
      readonly paginationToken?: string | undefined
    }) => Effect.Effect<FetchDevicesResult, AuthError>
    /** One device (`GetDevice`): this one by default, or another of the user's by key. */
    readonly getDevice: (options?: { readonly deviceKey?: string | undefined }) => Effect.Effect<Device, AuthError>
    /**
     * Starts TOTP for the signed-in user (`AssociateSoftwareToken`; Amplify's `setUpTOTP`): a new
     * secret to add to an authenticator app, then {@link verifyTotpSetup} with its code.
     */
    readonly setUpTotp: () => Effect.Effect<TotpSetup, AuthError>
    /**
     * Verifies the authenticator's code for the secret of {@link setUpTotp}
     * (`VerifySoftwareToken`; Amplify's `verifyTOTPSetup`). A wrong code fails with Cognito's
     * `EnableSoftwareTokenMfa` (`EnableSoftwareTokenMFAException`), or `CodeMismatch` when
     * Cognito answers `Status: ERROR`. TOTP can then be enabled with {@link updateMfaPreference}.
     */
    readonly verifyTotpSetup: (input: {
      readonly code: Secret
      readonly friendlyDeviceName?: string | undefined
    }) => Effect.Effect<void, AuthError>
    /**
     * Turns MFA methods on or off and picks the preferred one (`SetUserMFAPreference`; Amplify's
     * `updateMFAPreference`). TOTP can be enabled only after {@link verifyTotpSetup}
     * (`InvalidParameter` before). At least one method; a value other than the four
     * {@link MfaPreference}s fails with `InvalidInput` without a request.
     */
    readonly updateMfaPreference: (input: UpdateMfaPreferenceInput) => Effect.Effect<void, AuthError>
    /** The user's MFA methods, enabled and preferred (`GetUser`; Amplify's `fetchMFAPreference`). */
    readonly fetchMfaPreference: () => Effect.Effect<MfaPreferenceResult, AuthError>
    /** The signed-in user's username, from the cached session. */
    readonly username: Effect.Effect<Option.Option<string>, AuthError>
    /**
     * Whether someone is signed in: a user-pool user (a session is cached) or, as with
     * AWSMobileClient, an identity federated with {@link federatedSignIn} whose token the
     * pool accepted and has not rejected since.
     */
    readonly isSignedIn: Effect.Effect<boolean, AuthError>
    /**
     * The session's tokens, refreshed first when the access or id token expires within the
     * refresh window (by `Clock`, corrected for the measured clock skew). Concurrent callers
     * share one refresh. A rejected refresh token ends the session (`SessionExpired`); a
     * transient failure never does.
     */
    readonly getTokens: (options?: { readonly forceRefresh?: boolean | undefined }) => Effect.Effect<Tokens, AuthError>
    /**
     * Registers a passkey for the signed-in user: `StartWebAuthnRegistration`, the `WebAuthn`
     * service's ceremony, `CompleteWebAuthnRegistration`. `WebAuthnUnavailable` without the service.
     */
    readonly associateWebAuthnCredential: () => Effect.Effect<void, AuthError>
    /** A page of the signed-in user's passkeys (`limit` 1 to 20). */
    readonly listWebAuthnCredentials: (options?: {
      readonly limit?: number | undefined
      readonly nextToken?: string | undefined
    }) => Effect.Effect<ListWebAuthnCredentialsResult, AuthError>
    /** Deletes one of the signed-in user's passkeys. */
    readonly deleteWebAuthnCredential: (input: { readonly credentialId: string }) => Effect.Effect<void, AuthError>
    /** The current user state. */
    readonly userState: Effect.Effect<UserState>
    /** Each change of the user state. */
    readonly userStateChanges: Stream.Stream<UserState>
    /**
     * Identity-pool AWS credentials: the signed-in user's, else the federated identity's,
     * else a guest's (the user state becomes `Guest`; a pool that refuses guests gives
     * `NotSignedIn`). Cached until `credentialsRefreshMargin` before their expiration (by
     * `Clock`), dropped when the id token changes, the user changes or on sign-out;
     * concurrent callers share one GetId + GetCredentialsForIdentity. Without an
     * `IdentityPool` service or an `identityPoolId`: `InvalidConfig`.
     */
    readonly getAWSCredentials: (options?: {
      readonly forceRefresh?: boolean | undefined
    }) => Effect.Effect<AwsCredentials.AwsCredentials, AuthError>
    /**
     * The identity-pool identity id, once known; stored with the session (a guest's apart
     * from it, until a sign-in takes it over or a sign-out drops it), so it survives a restart.
     */
    readonly identityId: Effect.Effect<Option.Option<string>>
    /**
     * Signs in to the identity pool with an external provider's token and returns the
     * credentials; the user state becomes `SignedIn`. When the pool later rejects the token,
     * `getAWSCredentials` fails with `SessionExpired` and the state becomes
     * `SignedOutFederatedTokensInvalid`. `signOut` ends it. The accepted sign-in (provider,
     * token, identity id) is kept in the `TokenStore`, so the next start is `SignedIn` with
     * the same identity, as with AWSMobileClient; it is dropped when the pool rejects the
     * token, on sign-out, on a new `federatedSignIn` (also one the pool refuses) and when a
     * user-pool session takes over. Other tabs and contexts learn of a federated sign-in or
     * sign-out at their next start, not at once.
     */
    readonly federatedSignIn: (input: FederatedSignInInput) => Effect.Effect<AwsCredentials.AwsCredentials, AuthError>
    /**
     * Signs each request with SigV4 and `getAWSCredentials`; renews the credentials and
     * retries once when AWS says they expired (see `AwsSigning.signed`).
     */
    readonly signedHttpClient: (options: SignedHttpClientOptions) => HttpClientTransform
    /**
     * Adds `Authorization: Bearer` with the access or id token from `getTokens`; on a 401
     * forces one refresh and retries once (see `AwsSigning.bearer`). A request refused with a
     * token that another caller's refresh already replaced retries with the new one: any
     * number of refused requests cost one refresh.
     */
    readonly bearerHttpClient: (options: { readonly token: "access" | "id" }) => HttpClientTransform
  }
}

/** The auth service's identifier in the context. */
export interface Auth {
  readonly _: unique symbol
}

/** The auth service. */
export const Auth: Context.Service<Auth, Auth.Service> = internal.tag

/**
 * An AWS SDK v3 credentials provider (`AwsCredentialIdentityProvider` shape) over the
 * `Auth` of `context`, so `new S3Client({ credentials: Auth.sdkCredentialsProvider(context) })`
 * signs with the user's identity-pool credentials.
 *
 * @example
 * ```ts
 * import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts"
 * import * as Auth from "@effect-cognito/core/Auth"
 * import * as Effect from "effect/Effect"
 *
 * // The AWS SDK v3, signing with the user's identity-pool credentials.
 * const callerIdentity = Effect.gen(function* () {
 *   const context = yield* Effect.context<Auth.Auth>()
 *   const sts = new STSClient({ region: "eu-west-1", credentials: Auth.sdkCredentialsProvider(context) })
 *   return yield* Effect.promise(() => sts.send(new GetCallerIdentityCommand({})))
 * })
 * ```
 */
export const sdkCredentialsProvider = (context: Context.Context<Auth>): AwsCredentials.SdkCredentialsProvider =>
  AwsCredentials.toSdkProvider(
    context,
    Effect.flatMap(internal.tag, (auth) => auth.getAWSCredentials())
  )

/**
 * Builds the service; the session in the store is restored without any request. The
 * `IdentityPool` service is optional: without it, `getAWSCredentials` fails with `InvalidConfig`.
 */
export const make: Effect.Effect<
  Auth.Service,
  AuthError,
  AuthConfig.AuthConfig | IdentityProvider.IdentityProvider | TokenStore | SecureRandom | Scope.Scope
> = internal.make

/**
 * The auth service over the services in context. Built anew wherever it is provided:
 * Effect 4 shares layers built by nested `Effect.provide` calls, and an `Auth` provided
 * inside another's (a second pool, a second device) must be its own client.
 */
export const layer: Layer.Layer<
  Auth,
  AuthError,
  AuthConfig.AuthConfig | IdentityProvider.IdentityProvider | TokenStore | SecureRandom
> = Layer.fresh(Layer.effect(Auth, make))
