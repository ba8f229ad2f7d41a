/**
 * The public user-pool actions of the local Cognito, the ones apps call (SignUp through
 * VerifySoftwareToken, the user's own attributes, devices, MFA settings and passkeys included,
 * and choice-based sign-in, `USER_AUTH`): each request decoded, its app
 * client found (by `ClientId`, by the `client_id` of an access token, or by the challenge
 * session the client issued), and answered by that client's `TestCognito` provider, which
 * checks it as Cognito does.
 *
 * @internal
 */
import type * as AuthError from "@effect-cognito/core/AuthError"
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Registry from "./registry.js"
import { allowFlow, attributes, decode, failure, initiateAuthRequest, type MfaSettings, Requests } from "./wire.js"
import { Responses } from "./wireResponses.js"

type Secret = Redacted.Redacted<string>
type Handler = (body: unknown) => Effect.Effect<unknown, AuthError.AuthError>

/** The claims of a JWT, unverified: only to find the app client that issued it. */
const unverifiedClaims = (token: string): Record<string, unknown> | undefined => {
  const payload = token.split(".")[1]
  if (payload === undefined) return undefined
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"))
    return typeof claims === "object" && claims !== null ? (claims as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** The public actions, by name, over the registry's app clients. */
export const make = (registry: Registry.Registry): Readonly<Record<string, Handler>> => {
  /** The app client of each challenge session handed out. */
  const sessions = new Map<string, string>()

  const notFoundClient = (action: string, clientId: string) =>
    Effect.fail(failure(action, "ResourceNotFoundException", `User pool client ${clientId} does not exist.`))

  const byClientId = (action: string, clientId: string) => {
    const client = registry.clients.get(clientId)
    if (client === undefined) return notFoundClient(action, clientId)
    return Effect.succeed({ client, provider: client.cognito.provider })
  }

  const byAccessToken = (action: string, token: Secret) => {
    const clientId = unverifiedClaims(Redacted.value(token))?.client_id
    return typeof clientId === "string" && registry.clients.has(clientId)
      ? byClientId(action, clientId)
      : Effect.fail(failure(action, "NotAuthorizedException", "Invalid Access Token"))
  }

  /** The app client that issued a challenge session, with the session. */
  const bySession = (action: string, session: Secret | undefined) => {
    const clientId = session === undefined ? undefined : sessions.get(Redacted.value(session))
    return session === undefined || clientId === undefined
      ? Effect.fail(failure(action, "NotAuthorizedException", "Invalid session for the user, session is expired."))
      : Effect.map(byClientId(action, clientId), (found) => ({ ...found, session }))
  }

  const remember =
    (clientId: string) => (response: IdentityProvider.AuthResponse | { readonly session?: Secret | undefined }) => {
      const session = "session" in response ? response.session : undefined
      if (session !== undefined) sessions.set(Redacted.value(session), clientId)
    }

  /** A sign-in's answer: its session remembered for the client, then encoded as Cognito does. */
  const answered = (clientId: string, response: IdentityProvider.AuthResponse) => {
    remember(clientId)(response)
    return Responses.auth(response)
  }

  /** RespondToAuthChallenge and its admin twin: the same answer to the same challenge. */
  const respond = (
    clientId: string,
    provider: IdentityProvider.IdentityProvider.Service,
    request: Pick<
      typeof Requests.RespondToAuthChallenge.Type,
      "ChallengeName" | "Session" | "ChallengeResponses" | "ClientMetadata"
    >
  ) =>
    Effect.flatMap(
      provider.respondToAuthChallenge({
        challengeName: request.ChallengeName,
        ...(request.Session === undefined ? {} : { session: request.Session }),
        challengeResponses: request.ChallengeResponses ?? {},
        ...metadata(request.ClientMetadata)
      }),
      (response) => answered(clientId, response)
    )

  /** The app client of an admin action, which must belong to the pool named. */
  const inPool = (action: string, userPoolId: string, clientId: string) =>
    Effect.flatMap(registry.findPool(action, userPoolId), (pool) =>
      pool.clients.has(clientId) ? byClientId(action, clientId) : notFoundClient(action, clientId)
    )

  /** AdminInitiateAuth's flows, as the flow InitiateAuth runs and the `ExplicitAuthFlows` values that allow them. */
  const adminFlows: Readonly<Record<string, { readonly flow: string; readonly allowedBy: ReadonlyArray<string> }>> = {
    ADMIN_USER_PASSWORD_AUTH: {
      flow: "USER_PASSWORD_AUTH",
      allowedBy: ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"]
    },
    ADMIN_NO_SRP_AUTH: {
      flow: "USER_PASSWORD_AUTH",
      allowedBy: ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"]
    },
    REFRESH_TOKEN_AUTH: { flow: "REFRESH_TOKEN_AUTH", allowedBy: ["ALLOW_REFRESH_TOKEN_AUTH"] },
    REFRESH_TOKEN: { flow: "REFRESH_TOKEN_AUTH", allowedBy: ["ALLOW_REFRESH_TOKEN_AUTH"] },
    USER_SRP_AUTH: { flow: "USER_SRP_AUTH", allowedBy: ["ALLOW_USER_SRP_AUTH"] },
    CUSTOM_AUTH: { flow: "CUSTOM_AUTH", allowedBy: ["ALLOW_CUSTOM_AUTH"] },
    USER_AUTH: { flow: "USER_AUTH", allowedBy: ["ALLOW_USER_AUTH"] }
  }

  const metadata = (value: Readonly<Record<string, string>> | undefined) =>
    value === undefined ? {} : { clientMetadata: value }

  return {
    SignUp: (body) =>
      Effect.gen(function* () {
        const request = yield* decode("SignUp", Requests.SignUp)(body)
        const { provider } = yield* byClientId("SignUp", request.ClientId)
        const response = yield* provider.signUp({
          username: request.Username,
          ...(request.Password === undefined ? {} : { password: request.Password }),
          userAttributes: attributes(request.UserAttributes),
          ...(request.ValidationData === undefined ? {} : { validationData: attributes(request.ValidationData) }),
          ...metadata(request.ClientMetadata),
          ...(request.SecretHash === undefined ? {} : { secretHash: request.SecretHash })
        })
        return yield* Responses.signUp(response)
      }),
    ConfirmSignUp: (body) =>
      Effect.gen(function* () {
        const request = yield* decode("ConfirmSignUp", Requests.ConfirmSignUp)(body)
        const { provider } = yield* byClientId("ConfirmSignUp", request.ClientId)
        const response = yield* provider.confirmSignUp({
          username: request.Username,
          confirmationCode: request.ConfirmationCode,
          ...(request.ForceAliasCreation === undefined ? {} : { forceAliasCreation: request.ForceAliasCreation }),
          ...metadata(request.ClientMetadata),
          ...(request.SecretHash === undefined ? {} : { secretHash: request.SecretHash })
        })
        return yield* Responses.confirmSignUp(response)
      }),
    ResendConfirmationCode: (body) =>
      Effect.gen(function* () {
        const request = yield* decode("ResendConfirmationCode", Requests.ByUsername)(body)
        const { provider } = yield* byClientId("ResendConfirmationCode", request.ClientId)
        const response = yield* provider.resendConfirmationCode({
          username: request.Username,
          ...metadata(request.ClientMetadata),
          ...(request.SecretHash === undefined ? {} : { secretHash: request.SecretHash })
        })
        return yield* Responses.codeDelivery(response)
      }),
    InitiateAuth: (body) =>
      Effect.gen(function* () {
        const request = yield* decode("InitiateAuth", Requests.InitiateAuth)(body)
        const { client, provider } = yield* byClientId("InitiateAuth", request.ClientId)
        const typed = yield* initiateAuthRequest(request, Redacted.value)
        if (!client.explicitAuthFlows.includes(allowFlow(typed.authFlow)))
          return yield* Effect.fail(
            failure("InitiateAuth", "InvalidParameterException", `${typed.authFlow} flow not enabled for this client`)
          )
        return yield* answered(client.clientId, yield* provider.initiateAuth(typed))
      }),
    AdminInitiateAuth: (body) =>
      Effect.gen(function* () {
        const action = "AdminInitiateAuth"
        const request = yield* decode(action, Requests.AdminInitiateAuth)(body)
        const { client, provider } = yield* inPool(action, request.UserPoolId, request.ClientId)
        const admin = Object.hasOwn(adminFlows, request.AuthFlow) ? adminFlows[request.AuthFlow] : undefined
        if (admin === undefined)
          return yield* Effect.fail(failure(action, "InvalidParameterException", "Initiate Auth method not supported."))
        if (!admin.allowedBy.some((flow) => client.explicitAuthFlows.includes(flow)))
          return yield* Effect.fail(
            failure(action, "InvalidParameterException", "Auth flow not enabled for this client")
          )
        const typed = yield* initiateAuthRequest({ ...request, AuthFlow: admin.flow }, Redacted.value, action)
        return yield* answered(client.clientId, yield* provider.initiateAuth(typed))
      }),
    AdminRespondToAuthChallenge: (body) =>
      Effect.gen(function* () {
        const action = "AdminRespondToAuthChallenge"
        const request = yield* decode(action, Requests.AdminRespondToAuthChallenge)(body)
        const { client, provider } = yield* inPool(action, request.UserPoolId, request.ClientId)
        return yield* respond(client.clientId, provider, request)
      }),
    RespondToAuthChallenge: (body) =>
      Effect.gen(function* () {
        const request = yield* decode("RespondToAuthChallenge", Requests.RespondToAuthChallenge)(body)
        const { client, provider } = yield* byClientId("RespondToAuthChallenge", request.ClientId)
        return yield* respond(client.clientId, provider, request)
      }),
    GetTokensFromRefreshToken: (body) =>
      Effect.gen(function* () {
        const request = yield* decode("GetTokensFromRefreshToken", Requests.GetTokensFromRefreshToken)(body)
        const { provider } = yield* byClientId("GetTokensFromRefreshToken", request.ClientId)
        const tokens = yield* provider.getTokensFromRefreshToken({
          refreshToken: request.RefreshToken,
          ...(request.ClientSecret === undefined ? {} : { clientSecret: request.ClientSecret }),
          ...(request.DeviceKey === undefined ? {} : { deviceKey: request.DeviceKey }),
          ...metadata(request.ClientMetadata)
        })
        return yield* Responses.tokens(tokens)
      }),
    GlobalSignOut: (body) =>
      Effect.gen(function* () {
        const request = yield* decode("GlobalSignOut", Requests.AccessToken)(body)
        const { provider } = yield* byAccessToken("GlobalSignOut", request.AccessToken)
        yield* provider.globalSignOut({ accessToken: request.AccessToken })
        return {}
      }),
    RevokeToken: (body) =>
      Effect.gen(function* () {
        const request = yield* decode("RevokeToken", Requests.RevokeToken)(body)
        const { provider } = yield* byClientId("RevokeToken", request.ClientId)
        yield* provider.revokeToken({
          token: request.Token,
          ...(request.ClientSecret === undefined ? {} : { clientSecret: request.ClientSecret })
        })
        return {}
      }),
    ForgotPassword: (body) =>
      Effect.gen(function* () {
        const request = yield* decode("ForgotPassword", Requests.ByUsername)(body)
        const { provider } = yield* byClientId("ForgotPassword", request.ClientId)
        const response = yield* provider.forgotPassword({
          username: request.Username,
          ...metadata(request.ClientMetadata),
          ...(request.SecretHash === undefined ? {} : { secretHash: request.SecretHash })
        })
        return yield* Responses.codeDelivery(response)
      }),
    ConfirmForgotPassword: (body) =>
      Effect.gen(function* () {
        const request = yield* decode("ConfirmForgotPassword", Requests.ConfirmForgotPassword)(body)
        const { provider } = yield* byClientId("ConfirmForgotPassword", request.ClientId)
        yield* provider.confirmForgotPassword({
          username: request.Username,
          confirmationCode: request.ConfirmationCode,
          password: request.Password,
          ...metadata(request.ClientMetadata),
          ...(request.SecretHash === undefined ? {} : { secretHash: request.SecretHash })
        })
        return {}
      }),
    ChangePassword: (body) =>
      Effect.gen(function* () {
        const request = yield* decode("ChangePassword", Requests.ChangePassword)(body)
        const { provider } = yield* byAccessToken("ChangePassword", request.AccessToken)
        yield* provider.changePassword({
          accessToken: request.AccessToken,
          previousPassword: request.PreviousPassword,
          proposedPassword: request.ProposedPassword
        })
        return {}
      }),
    GetUser: (body) =>
      Effect.gen(function* () {
        const request = yield* decode("GetUser", Requests.AccessToken)(body)
        const { provider } = yield* byAccessToken("GetUser", request.AccessToken)
        return yield* Responses.getUser(yield* provider.getUser({ accessToken: request.AccessToken }))
      }),
    UpdateUserAttributes: (body) =>
      Effect.gen(function* () {
        const action = "UpdateUserAttributes"
        const request = yield* decode(action, Requests.UpdateUserAttributes)(body)
        const { provider } = yield* byAccessToken(action, request.AccessToken)
        const response = yield* provider.updateUserAttributes({
          accessToken: request.AccessToken,
          userAttributes: attributes(request.UserAttributes),
          ...metadata(request.ClientMetadata)
        })
        return yield* Responses.updateUserAttributes(response)
      }),
    GetUserAttributeVerificationCode: (body) =>
      Effect.gen(function* () {
        const action = "GetUserAttributeVerificationCode"
        const request = yield* decode(action, Requests.GetUserAttributeVerificationCode)(body)
        const { provider } = yield* byAccessToken(action, request.AccessToken)
        const response = yield* provider.getUserAttributeVerificationCode({
          accessToken: request.AccessToken,
          attributeName: request.AttributeName,
          ...metadata(request.ClientMetadata)
        })
        return yield* Responses.codeDelivery(response)
      }),
    DeleteUser: (body) =>
      Effect.gen(function* () {
        const request = yield* decode("DeleteUser", Requests.AccessToken)(body)
        const { provider } = yield* byAccessToken("DeleteUser", request.AccessToken)
        yield* provider.deleteUser({ accessToken: request.AccessToken })
        return {}
      }),
    VerifyUserAttribute: (body) =>
      Effect.gen(function* () {
        const action = "VerifyUserAttribute"
        const request = yield* decode(action, Requests.VerifyUserAttribute)(body)
        const { provider } = yield* byAccessToken(action, request.AccessToken)
        yield* provider.verifyUserAttribute({
          accessToken: request.AccessToken,
          attributeName: request.AttributeName,
          code: request.Code
        })
        return {}
      }),
    AssociateSoftwareToken: (body) =>
      Effect.gen(function* () {
        const action = "AssociateSoftwareToken"
        const request = yield* decode(action, Requests.AssociateSoftwareToken)(body)
        if (request.AccessToken !== undefined) {
          const { provider } = yield* byAccessToken(action, request.AccessToken)
          return yield* Responses.associateSoftwareToken(
            yield* provider.associateSoftwareToken({ accessToken: request.AccessToken })
          )
        }
        const { client, provider, session } = yield* bySession(action, request.Session)
        const response = yield* provider.associateSoftwareToken({ session })
        remember(client.clientId)(response)
        return yield* Responses.associateSoftwareToken(response)
      }),
    VerifySoftwareToken: (body) =>
      Effect.gen(function* () {
        const action = "VerifySoftwareToken"
        const request = yield* decode(action, Requests.VerifySoftwareToken)(body)
        const named = request.FriendlyDeviceName === undefined ? {} : { friendlyDeviceName: request.FriendlyDeviceName }
        if (request.AccessToken !== undefined) {
          const { provider } = yield* byAccessToken(action, request.AccessToken)
          return yield* Responses.verifySoftwareToken(
            yield* provider.verifySoftwareToken({
              accessToken: request.AccessToken,
              userCode: request.UserCode,
              ...named
            })
          )
        }
        const { client, provider, session } = yield* bySession(action, request.Session)
        const response = yield* provider.verifySoftwareToken({
          session,
          userCode: request.UserCode,
          ...named
        })
        remember(client.clientId)(response)
        return yield* Responses.verifySoftwareToken(response)
      }),
    ConfirmDevice: (body) =>
      Effect.gen(function* () {
        const action = "ConfirmDevice"
        const request = yield* decode(action, Requests.ConfirmDevice)(body)
        const { provider } = yield* byAccessToken(action, request.AccessToken)
        const response = yield* provider.confirmDevice({
          accessToken: request.AccessToken,
          deviceKey: request.DeviceKey,
          deviceSecretVerifierConfig: {
            passwordVerifier: request.DeviceSecretVerifierConfig.PasswordVerifier,
            salt: request.DeviceSecretVerifierConfig.Salt
          },
          ...(request.DeviceName === undefined ? {} : { deviceName: request.DeviceName })
        })
        return Responses.confirmDevice(response)
      }),
    ListDevices: (body) =>
      Effect.gen(function* () {
        const request = yield* decode("ListDevices", Requests.ListDevices)(body)
        const { provider } = yield* byAccessToken("ListDevices", request.AccessToken)
        const page = yield* provider.listDevices({
          accessToken: request.AccessToken,
          ...(request.Limit === undefined ? {} : { limit: request.Limit }),
          ...(request.PaginationToken === undefined ? {} : { paginationToken: request.PaginationToken })
        })
        return Responses.listDevices(page)
      }),
    GetDevice: (body) =>
      Effect.gen(function* () {
        const request = yield* decode("GetDevice", Requests.DeviceRef)(body)
        const { provider } = yield* byAccessToken("GetDevice", request.AccessToken)
        return Responses.getDevice(
          yield* provider.getDevice({ accessToken: request.AccessToken, deviceKey: request.DeviceKey })
        )
      }),
    UpdateDeviceStatus: (body) =>
      Effect.gen(function* () {
        const request = yield* decode("UpdateDeviceStatus", Requests.UpdateDeviceStatus)(body)
        const { provider } = yield* byAccessToken("UpdateDeviceStatus", request.AccessToken)
        yield* provider.updateDeviceStatus({
          accessToken: request.AccessToken,
          deviceKey: request.DeviceKey,
          deviceRememberedStatus: request.DeviceRememberedStatus
        })
        return {}
      }),
    ForgetDevice: (body) =>
      Effect.gen(function* () {
        const request = yield* decode("ForgetDevice", Requests.DeviceRef)(body)
        const { provider } = yield* byAccessToken("ForgetDevice", request.AccessToken)
        yield* provider.forgetDevice({ accessToken: request.AccessToken, deviceKey: request.DeviceKey })
        return {}
      }),
    SetUserMFAPreference: (body) =>
      Effect.gen(function* () {
        const request = yield* decode("SetUserMFAPreference", Requests.SetUserMFAPreference)(body)
        const { provider } = yield* byAccessToken("SetUserMFAPreference", request.AccessToken)
        const settings = (wire: typeof MfaSettings.Type | undefined) =>
          wire === undefined
            ? undefined
            : {
                ...(wire.Enabled === undefined ? {} : { enabled: wire.Enabled }),
                ...(wire.PreferredMfa === undefined ? {} : { preferredMfa: wire.PreferredMfa })
              }
        yield* provider.setUserMfaPreference({
          accessToken: request.AccessToken,
          smsMfaSettings: settings(request.SMSMfaSettings),
          softwareTokenMfaSettings: settings(request.SoftwareTokenMfaSettings),
          emailMfaSettings: settings(request.EmailMfaSettings)
        })
        return {}
      }),
    StartWebAuthnRegistration: (body) =>
      Effect.gen(function* () {
        const action = "StartWebAuthnRegistration"
        const request = yield* decode(action, Requests.AccessToken)(body)
        const { provider } = yield* byAccessToken(action, request.AccessToken)
        return yield* Responses.startWebAuthnRegistration(
          yield* provider.startWebAuthnRegistration({ accessToken: request.AccessToken })
        )
      }),
    CompleteWebAuthnRegistration: (body) =>
      Effect.gen(function* () {
        const action = "CompleteWebAuthnRegistration"
        const request = yield* decode(action, Requests.CompleteWebAuthnRegistration)(body)
        const { provider } = yield* byAccessToken(action, request.AccessToken)
        yield* provider.completeWebAuthnRegistration({
          accessToken: request.AccessToken,
          credential: request.Credential
        })
        return {}
      }),
    ListWebAuthnCredentials: (body) =>
      Effect.gen(function* () {
        const action = "ListWebAuthnCredentials"
        const request = yield* decode(action, Requests.ListWebAuthnCredentials)(body)
        const { provider } = yield* byAccessToken(action, request.AccessToken)
        return yield* Responses.listWebAuthnCredentials(
          yield* provider.listWebAuthnCredentials({
            accessToken: request.AccessToken,
            ...(request.MaxResults === undefined ? {} : { maxResults: request.MaxResults }),
            ...(request.NextToken === undefined ? {} : { nextToken: request.NextToken })
          })
        )
      }),
    DeleteWebAuthnCredential: (body) =>
      Effect.gen(function* () {
        const action = "DeleteWebAuthnCredential"
        const request = yield* decode(action, Requests.DeleteWebAuthnCredential)(body)
        const { provider } = yield* byAccessToken(action, request.AccessToken)
        yield* provider.deleteWebAuthnCredential({
          accessToken: request.AccessToken,
          credentialId: request.CredentialId
        })
        return {}
      }),
    DeleteUserAttributes: (body) =>
      Effect.gen(function* () {
        const request = yield* decode("DeleteUserAttributes", Requests.DeleteUserAttributes)(body)
        const { provider } = yield* byAccessToken("DeleteUserAttributes", request.AccessToken)
        yield* provider.deleteUserAttributes({
          accessToken: request.AccessToken,
          userAttributeNames: request.UserAttributeNames
        })
        return {}
      })
  }
}
