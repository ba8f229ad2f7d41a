/**
 * The one error type of effect-cognito.
 *
 * Every failure is an `AuthError` with a closed `reason`, the `method` that failed
 * (an `Auth` flow or a Cognito action) and, where there is one, a `description`
 * (Cognito's own message or ours). Cognito's exception names map to reasons through
 * one table, {@link reasonFromException}. No password, code or token ever goes into
 * an `AuthError`: inputs are `Redacted` and only descriptions we write or Cognito's
 * messages are kept.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/** Reasons that Cognito (user pools or identity pools) reports. */
export const CognitoReasons = [
  "UsernameExists",
  "UserNotFound",
  "NotAuthorized",
  "UserNotConfirmed",
  "PasswordResetRequired",
  "CodeMismatch",
  "ExpiredCode",
  "InvalidPassword",
  "InvalidParameter",
  "LimitExceeded",
  "TooManyRequests",
  "TooManyFailedAttempts",
  "CodeDeliveryFailure",
  "AliasExists",
  "InvalidUserPoolConfiguration",
  "ResourceNotFound",
  "MfaMethodNotFound",
  "SoftwareTokenMfaNotFound",
  "EnableSoftwareTokenMfa",
  "UnsupportedOperation",
  "UnsupportedTokenType",
  "RefreshTokenReuse",
  "UserLambda",
  "Forbidden",
  "ResourceConflict",
  "ExternalService",
  "InternalError",
  "WebAuthnNotEnabled",
  "WebAuthnChallengeNotFound",
  "WebAuthnRelyingPartyMismatch",
  "WebAuthnOriginNotAllowed",
  "WebAuthnClientMismatch",
  "WebAuthnCredentialNotSupported",
  "WebAuthnConfigurationMissing"
] as const

/** Reasons that come from this client, not from Cognito. */
export const ClientReasons = [
  "NotSignedIn",
  "AlreadySignedIn",
  "NoPendingChallenge",
  "SessionExpired",
  "Transport",
  "InvalidResponse",
  "InvalidConfig",
  "InvalidInput",
  "Storage",
  "WebAuthnUnavailable",
  "WebAuthnCancelled",
  "WebAuthnCredentialExists",
  "AutoSignInUnavailable"
] as const

/**
 * Reasons of the OAuth 2.0 endpoints of the Cognito domain (the callback's and the token
 * endpoint's `error`, kept in `exception`) and of the round trip's own checks.
 */
export const OAuthReasons = [
  /** `access_denied`: the user, the provider or the pool refused the sign-in. */
  "AccessDenied",
  /** The callback's `state` is not the pending authorization's. */
  "StateMismatch",
  /** `invalid_grant`: a code used already, expired, or for another verifier or redirect URI; a refresh token revoked. */
  "InvalidGrant",
  /** `invalid_client`: an unknown app client, or a wrong secret. */
  "InvalidClient",
  /** `unauthorized_client`: the flow is not allowed for the app client. */
  "UnauthorizedClient",
  /** `invalid_scope`: a scope the app client may not ask for. */
  "InvalidScope"
] as const

/** The closed set of reasons. */
export const Reason = Schema.Literals([...CognitoReasons, ...ClientReasons, ...OAuthReasons])
/** One of the closed set of reasons. */
export type Reason = typeof Reason.Type

/**
 * The error of every effect-cognito operation.
 *
 * @example
 * ```ts
 * import * as Auth from "@effect-cognito/core/Auth"
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 *
 * const signIn = Effect.gen(function* () {
 *   const auth = yield* Auth.Auth
 *   return yield* auth.signIn({ username: "alice", password: Redacted.make("Abc@123!x") })
 * }).pipe(
 *   Effect.catchTag("AuthError", (error) =>
 *     error.reason === "NotAuthorized" ? Effect.succeed("wrong username or password") : Effect.fail(error)
 *   )
 * )
 * ```
 */
export class AuthError extends Schema.TaggedError<AuthError>("@effect-cognito/core/AuthError")("AuthError", {
  reason: Reason,
  /** The `Auth` flow or Cognito action that failed, e.g. `"signIn"` or `"InitiateAuth"`. */
  method: Schema.String,
  /** Cognito's message, or ours for client-side reasons. Never holds a secret. */
  description: Schema.optional(Schema.String),
  /** Cognito's exception name when Cognito reported it, e.g. `"NotAuthorizedException"`. */
  exception: Schema.optional(Schema.String),
  /** HTTP status of the response, when there was one. */
  status: Schema.optional(Schema.Number),
  cause: Schema.optional(Schema.Defect())
}) {
  static {
    // The error's `name` is its tag, as in Effect 3 (the schema identifier stays namespaced).
    Object.defineProperty(AuthError.prototype, "name", { value: "AuthError", writable: true, configurable: true })
  }

  override get message(): string {
    return `${this.method} failed (${this.reason})${this.description === undefined ? "" : `: ${this.description}`}`
  }
}

/** Builds an `AuthError`; `description` is omitted when undefined. */
export const make = (
  reason: Reason,
  method: string,
  description?: string,
  extra?: { readonly exception?: string; readonly status?: number; readonly cause?: unknown }
): AuthError =>
  new AuthError({
    reason,
    method,
    ...(description === undefined ? {} : { description }),
    ...(extra?.exception === undefined ? {} : { exception: extra.exception }),
    ...(extra?.status === undefined ? {} : { status: extra.status }),
    ...(extra?.cause === undefined ? {} : { cause: extra.cause })
  })

/** Is this value an `AuthError`? */
export const isAuthError = (u: unknown): u is AuthError => Predicate.isTagged(u, "AuthError") && u instanceof AuthError

const exceptionTable: Readonly<Record<string, Reason>> = {
  UsernameExistsException: "UsernameExists",
  UserNotFoundException: "UserNotFound",
  NotAuthorizedException: "NotAuthorized",
  UnauthorizedException: "NotAuthorized",
  UserNotConfirmedException: "UserNotConfirmed",
  PasswordResetRequiredException: "PasswordResetRequired",
  CodeMismatchException: "CodeMismatch",
  ExpiredCodeException: "ExpiredCode",
  InvalidPasswordException: "InvalidPassword",
  PasswordHistoryPolicyViolationException: "InvalidPassword",
  InvalidParameterException: "InvalidParameter",
  LimitExceededException: "LimitExceeded",
  TooManyRequestsException: "TooManyRequests",
  ThrottlingException: "TooManyRequests",
  TooManyFailedAttemptsException: "TooManyFailedAttempts",
  CodeDeliveryFailureException: "CodeDeliveryFailure",
  AliasExistsException: "AliasExists",
  InvalidUserPoolConfigurationException: "InvalidUserPoolConfiguration",
  InvalidSmsRoleAccessPolicyException: "InvalidUserPoolConfiguration",
  InvalidSmsRoleTrustRelationshipException: "InvalidUserPoolConfiguration",
  InvalidEmailRoleAccessPolicyException: "InvalidUserPoolConfiguration",
  InvalidIdentityPoolConfigurationException: "InvalidUserPoolConfiguration",
  ResourceNotFoundException: "ResourceNotFound",
  MFAMethodNotFoundException: "MfaMethodNotFound",
  SoftwareTokenMFANotFoundException: "SoftwareTokenMfaNotFound",
  EnableSoftwareTokenMFAException: "EnableSoftwareTokenMfa",
  UnsupportedOperationException: "UnsupportedOperation",
  UnsupportedUserStateException: "UnsupportedOperation",
  UnsupportedTokenTypeException: "UnsupportedTokenType",
  RefreshTokenReuseException: "RefreshTokenReuse",
  InvalidLambdaResponseException: "UserLambda",
  UserLambdaValidationException: "UserLambda",
  UnexpectedLambdaException: "UserLambda",
  ForbiddenException: "Forbidden",
  ResourceConflictException: "ResourceConflict",
  ExternalServiceException: "ExternalService",
  InternalErrorException: "InternalError",
  InternalServerError: "InternalError",
  ServiceUnavailableException: "InternalError",
  WebAuthnNotEnabledException: "WebAuthnNotEnabled",
  WebAuthnChallengeNotFoundException: "WebAuthnChallengeNotFound",
  WebAuthnRelyingPartyMismatchException: "WebAuthnRelyingPartyMismatch",
  WebAuthnOriginNotAllowedException: "WebAuthnOriginNotAllowed",
  WebAuthnClientMismatchException: "WebAuthnClientMismatch",
  WebAuthnCredentialNotSupportedException: "WebAuthnCredentialNotSupported",
  WebAuthnConfigurationMissingException: "WebAuthnConfigurationMissing"
}

/**
 * Cognito's exception name (as in `__type`, possibly `prefix#Name` or `Name:suffix`)
 * to its reason; `undefined` for a name the table does not know.
 */
export const reasonFromException = (type: string): Reason | undefined => exceptionTable[exceptionName(type)]

/** Strips the `prefix#` and `:suffix` decorations Cognito puts around exception names. */
export const exceptionName = (type: string): string => {
  const hash = type.lastIndexOf("#")
  const name = hash === -1 ? type : type.slice(hash + 1)
  const colon = name.indexOf(":")
  return (colon === -1 ? name : name.slice(0, colon)).trim()
}

/** The Cognito exception name for a reason, as TestCognito reports it. */
export const exceptionForReason = (reason: Reason): string | undefined => {
  for (const [name, r] of Object.entries(exceptionTable)) if (r === reason) return name
  return undefined
}

/** Transient failures: worth retrying and never a reason to end a session. */
export const isTransient = (error: AuthError): boolean =>
  error.reason === "Transport" ||
  error.reason === "TooManyRequests" ||
  error.reason === "LimitExceeded" ||
  error.reason === "InternalError" ||
  (error.reason === "InvalidResponse" && error.status !== undefined && error.status >= 500)
