/**
 * The local Cognito's side of AWS JSON 1.1, requests: bodies decoded into the typed
 * requests of `IdentityProvider` (the inverse of `CognitoIdentityProvider`'s encoding),
 * malformed ones refused as Cognito refuses them, and Cognito's failures as `AuthError`s.
 * The responses are in `wireResponses.ts`.
 *
 * @internal
 */
import * as AuthError from "@effect-cognito/core/AuthError"
import * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"
import * as WebAuthn from "@effect-cognito/core/WebAuthn"

type Secret = Redacted.Redacted<string>

/** An optional member that may also be sent as `null` (then left out, as when missing). */
export const optional = <S extends Schema.Constraint>(schema: S) =>
  Schema.optional(Schema.NullOr(schema)).pipe(
    Schema.decodeTo(
      Schema.optional(Schema.toType(schema)),
      SchemaTransformation.transformOptional<S["Type"] | undefined, S["Type"] | null | undefined>({
        decode: Option.filter(Predicate.isNotNullish),
        encode: (value) => value
      })
    )
  )

const Secret = Schema.RedactedFromValue(Schema.String)
const Metadata = Schema.Record(Schema.String, Schema.String)

/**
 * `AuthParameters` and `ChallengeResponses`: every value redacted; members sent as `null`
 * (amazon-cognito-identity-js sends `DEVICE_KEY: null` on refresh) are left out, as Cognito does.
 */
const Parameters = Schema.Record(Schema.String, Schema.NullOr(Schema.String)).pipe(
  Schema.decodeTo(
    Schema.Record(Schema.String, Schema.Redacted(Schema.String)),
    SchemaTransformation.transform<{ readonly [x: string]: Secret }, { readonly [x: string]: string | null }>({
      decode: (record) => {
        const out: Record<string, Secret> = {}
        for (const [key, value] of Object.entries(record)) if (value !== null) out[key] = Redacted.make(value)
        return out
      },
      encode: (record) => {
        const out: Record<string, string> = {}
        for (const [key, value] of Object.entries(record)) out[key] = Redacted.value(value)
        return out
      }
    })
  )
)

/** One method's `SMSMfaSettings`, `SoftwareTokenMfaSettings` or `EmailMfaSettings`. */
export const MfaSettings = Schema.Struct({ Enabled: optional(Schema.Boolean), PreferredMfa: optional(Schema.Boolean) })

/** `[{ Name, Value }]`, as Cognito sends user attributes. */
export const AttributeList = Schema.Array(Schema.Struct({ Name: Schema.String, Value: optional(Schema.String) }))

/** The request bodies of the public user-pool actions. */
export const Requests = {
  SignUp: Schema.Struct({
    ClientId: Schema.String,
    Username: Schema.String,
    /** Absent for a password-less user, where the pool allows a password-less first factor. */
    Password: optional(Secret),
    UserAttributes: optional(AttributeList),
    ValidationData: optional(AttributeList),
    ClientMetadata: optional(Metadata),
    SecretHash: optional(Secret)
  }),
  ConfirmSignUp: Schema.Struct({
    ClientId: Schema.String,
    Username: Schema.String,
    ConfirmationCode: Secret,
    ForceAliasCreation: optional(Schema.Boolean),
    ClientMetadata: optional(Metadata),
    SecretHash: optional(Secret)
  }),
  ByUsername: Schema.Struct({
    ClientId: Schema.String,
    Username: Schema.String,
    ClientMetadata: optional(Metadata),
    SecretHash: optional(Secret)
  }),
  InitiateAuth: Schema.Struct({
    ClientId: Schema.String,
    AuthFlow: Schema.String,
    AuthParameters: optional(Parameters),
    ClientMetadata: optional(Metadata),
    /** `USER_AUTH` with ConfirmSignUp's session. */
    Session: optional(Secret)
  }),
  AdminInitiateAuth: Schema.Struct({
    UserPoolId: Schema.String,
    ClientId: Schema.String,
    AuthFlow: Schema.String,
    AuthParameters: optional(Parameters),
    ClientMetadata: optional(Metadata),
    Session: optional(Secret)
  }),
  AdminRespondToAuthChallenge: Schema.Struct({
    UserPoolId: Schema.String,
    ClientId: Schema.String,
    ChallengeName: Schema.Literals(IdentityProvider.challengeNames),
    Session: optional(Secret),
    ChallengeResponses: optional(Parameters),
    ClientMetadata: optional(Metadata)
  }),
  RespondToAuthChallenge: Schema.Struct({
    ClientId: Schema.String,
    ChallengeName: Schema.Literals(IdentityProvider.challengeNames),
    Session: optional(Secret),
    ChallengeResponses: optional(Parameters),
    ClientMetadata: optional(Metadata)
  }),
  GetTokensFromRefreshToken: Schema.Struct({
    ClientId: Schema.String,
    RefreshToken: Secret,
    ClientSecret: optional(Secret),
    DeviceKey: optional(Schema.String),
    ClientMetadata: optional(Metadata)
  }),
  AccessToken: Schema.Struct({ AccessToken: Secret }),
  RevokeToken: Schema.Struct({ ClientId: Schema.String, Token: Secret, ClientSecret: optional(Secret) }),
  ConfirmForgotPassword: Schema.Struct({
    ClientId: Schema.String,
    Username: Schema.String,
    ConfirmationCode: Secret,
    Password: Secret,
    ClientMetadata: optional(Metadata),
    SecretHash: optional(Secret)
  }),
  ChangePassword: Schema.Struct({ AccessToken: Secret, PreviousPassword: Secret, ProposedPassword: Secret }),
  UpdateUserAttributes: Schema.Struct({
    AccessToken: Secret,
    UserAttributes: AttributeList,
    ClientMetadata: optional(Metadata)
  }),
  GetUserAttributeVerificationCode: Schema.Struct({
    AccessToken: Secret,
    AttributeName: Schema.String,
    ClientMetadata: optional(Metadata)
  }),
  VerifyUserAttribute: Schema.Struct({ AccessToken: Secret, AttributeName: Schema.String, Code: Secret }),
  AssociateSoftwareToken: Schema.Struct({ AccessToken: optional(Secret), Session: optional(Secret) }),
  VerifySoftwareToken: Schema.Struct({
    AccessToken: optional(Secret),
    Session: optional(Secret),
    UserCode: Secret,
    FriendlyDeviceName: optional(Schema.String)
  }),
  ConfirmDevice: Schema.Struct({
    AccessToken: Secret,
    DeviceKey: Schema.String,
    DeviceSecretVerifierConfig: Schema.Struct({ PasswordVerifier: Schema.String, Salt: Schema.String }),
    DeviceName: optional(Schema.String)
  }),
  ListDevices: Schema.Struct({
    AccessToken: Secret,
    Limit: optional(Schema.Number),
    PaginationToken: optional(Schema.String)
  }),
  /** GetDevice and ForgetDevice. */
  DeviceRef: Schema.Struct({ AccessToken: Secret, DeviceKey: Schema.String }),
  UpdateDeviceStatus: Schema.Struct({
    AccessToken: Secret,
    DeviceKey: Schema.String,
    DeviceRememberedStatus: Schema.Literals(["remembered", "not_remembered"])
  }),
  SetUserMFAPreference: Schema.Struct({
    AccessToken: Secret,
    SMSMfaSettings: optional(MfaSettings),
    SoftwareTokenMfaSettings: optional(MfaSettings),
    EmailMfaSettings: optional(MfaSettings)
  }),
  DeleteUserAttributes: Schema.Struct({ AccessToken: Secret, UserAttributeNames: Schema.Array(Schema.String) }),
  CompleteWebAuthnRegistration: Schema.Struct({
    AccessToken: Secret,
    Credential: WebAuthn.RegistrationResponseJson
  }),
  ListWebAuthnCredentials: Schema.Struct({
    AccessToken: Secret,
    MaxResults: optional(Schema.Number),
    NextToken: optional(Schema.String)
  }),
  DeleteWebAuthnCredential: Schema.Struct({ AccessToken: Secret, CredentialId: Schema.String })
} as const

/** The request bodies of the identity-pool actions that `IdentityPool` answers. */
export const IdentityRequests = {
  GetId: Schema.Struct({
    IdentityPoolId: Schema.String,
    AccountId: optional(Schema.String),
    Logins: optional(Schema.Record(Schema.String, Secret))
  }),
  GetCredentialsForIdentity: Schema.Struct({
    IdentityId: Schema.String,
    Logins: optional(Schema.Record(Schema.String, Secret)),
    CustomRoleArn: optional(Schema.String)
  })
} as const

/** A Cognito failure: its exception name and message. */
export const failure = (action: string, exception: string, message: string): AuthError.AuthError =>
  AuthError.make(AuthError.reasonFromException(exception) ?? "InvalidParameter", action, message, {
    exception,
    status: exception === "InternalErrorException" ? 500 : 400
  })

/** `InvalidParameterException`, as Cognito reports a malformed request. */
export const invalidParameter = (action: string, message: string) =>
  Effect.fail(failure(action, "InvalidParameterException", message))

/** What a malformed member is: missing, or of the wrong type (never its value). */
const issueFormatter = SchemaIssue.makeFormatterStandardSchemaV1({
  leafHook: (issue) => (issue._tag === "MissingKey" ? "missing" : "invalid"),
  checkHook: () => "invalid"
})

/** Decodes a request body; a member of the wrong type or a missing one is `InvalidParameterException`. */
export const decode =
  <S extends Schema.ConstraintDecoder<unknown>>(action: string, schema: S) =>
  (body: unknown): Effect.Effect<S["Type"], AuthError.AuthError> =>
    Schema.decodeUnknownEffect(schema, { onExcessProperty: "ignore" })(body).pipe(
      Effect.catchTag("SchemaError", (error) => {
        // Paths and kinds only: the values may be passwords or tokens.
        const issues = issueFormatter(error.issue).issues.map((issue) => {
          const path = (issue.path ?? [])
            .map((segment) => String(typeof segment === "object" ? segment.key : segment))
            .join(".")
          return issue.message === "missing"
            ? `Value null at '${path}' failed to satisfy constraint: Member must not be null`
            : `Value at '${path}' failed to satisfy constraint: Member must have the expected type`
        })
        const unique = [...new Set(issues)]
        return invalidParameter(
          action,
          `${unique.length} validation error${unique.length === 1 ? "" : "s"} detected: ${unique.join("; ")}`
        )
      })
    )

/** `[{ Name, Value }]` to a record; attributes without a value are left out. */
export const attributes = (list: typeof AttributeList.Type | undefined): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const { Name, Value } of list ?? []) if (Value !== undefined) out[Name] = Value
  return out
}

/** A record to `[{ Name, Value }]`. */
export const attributeList = (record: Readonly<Record<string, string>>) =>
  Object.entries(record).map(([Name, Value]) => ({ Name, Value }))

const reveal = (parameters: Readonly<Record<string, Secret>>, name: string) => parameters[name]

/** `AuthFlow` and `AuthParameters` to the typed request of `InitiateAuth` (or of `action`, `AdminInitiateAuth`). */
export const initiateAuthRequest = (
  body: typeof Requests.InitiateAuth.Type,
  plain: (secret: Secret) => string,
  action = "InitiateAuth"
): Effect.Effect<IdentityProvider.InitiateAuthRequest, AuthError.AuthError> => {
  const parameters = body.AuthParameters ?? {}
  const clientMetadata = body.ClientMetadata === undefined ? {} : { clientMetadata: body.ClientMetadata }
  const secretHash = reveal(parameters, "SECRET_HASH")
  const withHash = secretHash === undefined ? {} : { secretHash }
  const deviceKey = reveal(parameters, "DEVICE_KEY")
  const withDevice = deviceKey === undefined ? {} : { deviceKey: plain(deviceKey) }
  const required = (name: string) => {
    const value = reveal(parameters, name)
    return value === undefined ? invalidParameter(action, `Missing required parameter ${name}`) : Effect.succeed(value)
  }
  switch (body.AuthFlow) {
    case "USER_SRP_AUTH":
      return Effect.gen(function* () {
        const username = plain(yield* required("USERNAME"))
        const srpA = plain(yield* required("SRP_A"))
        return { authFlow: "USER_SRP_AUTH", username, srpA, ...withHash, ...withDevice, ...clientMetadata } as const
      })
    case "USER_PASSWORD_AUTH":
      return Effect.gen(function* () {
        const username = plain(yield* required("USERNAME"))
        const password = yield* required("PASSWORD")
        return {
          authFlow: "USER_PASSWORD_AUTH",
          username,
          password,
          ...withHash,
          ...withDevice,
          ...clientMetadata
        } as const
      })
    case "REFRESH_TOKEN_AUTH":
    case "REFRESH_TOKEN":
      return Effect.map(
        required("REFRESH_TOKEN"),
        (refreshToken) =>
          ({ authFlow: "REFRESH_TOKEN_AUTH", refreshToken, ...withHash, ...withDevice, ...clientMetadata }) as const
      )
    case "USER_AUTH":
      return Effect.gen(function* () {
        const username = plain(yield* required("USERNAME"))
        const preferred = reveal(parameters, "PREFERRED_CHALLENGE")
        const preferredChallenge =
          preferred === undefined
            ? undefined
            : IdentityProvider.firstFactors.find((factor) => factor === plain(preferred))
        if (preferred !== undefined && preferredChallenge === undefined)
          return yield* invalidParameter(
            action,
            `PREFERRED_CHALLENGE must be one of ${IdentityProvider.firstFactors.join(", ")}`
          )
        const password = reveal(parameters, "PASSWORD")
        const srpA = reveal(parameters, "SRP_A")
        return {
          authFlow: "USER_AUTH",
          username,
          ...(preferredChallenge === undefined ? {} : { preferredChallenge }),
          ...(password === undefined ? {} : { password }),
          ...(srpA === undefined ? {} : { srpA: plain(srpA) }),
          ...(body.Session === undefined ? {} : { session: body.Session }),
          ...withHash,
          ...withDevice,
          ...clientMetadata
        } as const
      })
    case "CUSTOM_AUTH":
      return Effect.map(required("USERNAME"), (username) => {
        const srpA = reveal(parameters, "SRP_A")
        return {
          authFlow: "CUSTOM_AUTH",
          username: plain(username),
          ...(srpA === undefined ? {} : { srpA: plain(srpA) }),
          ...withHash,
          ...clientMetadata
        } as const
      })
    default:
      return invalidParameter(
        action,
        `1 validation error detected: Value '${body.AuthFlow}' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, USER_PASSWORD_AUTH, USER_AUTH]`
      )
  }
}

/** The `ExplicitAuthFlows` value that allows a flow. */
export const allowFlow = (authFlow: IdentityProvider.InitiateAuthRequest["authFlow"]) => `ALLOW_${authFlow}`
