/**
 * The account actions: sign-up and its confirmation, password reset and change, the
 * user's attributes, refresh with rotation, sign-out (global), token revocation and the
 * user deleting their own account.
 *
 * @internal
 */
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { type Challenges, mfaChallenge } from "./challenges.js"
import type { Codes } from "./codes.js"
import type { Devices } from "./devices.js"
import type { Passwordless } from "./passwordless.js"
import type { Policy } from "./policy.js"
import type { State } from "./state.js"
import type { Tokens } from "./tokens.js"

type AccountActions =
  | "signUp"
  | "confirmSignUp"
  | "resendConfirmationCode"
  | "getTokensFromRefreshToken"
  | "globalSignOut"
  | "revokeToken"
  | "forgotPassword"
  | "confirmForgotPassword"
  | "changePassword"
  | "getUser"
  | "deleteUser"

/** The account actions of one pool. */
export const make = (
  state: State,
  policy: Policy,
  codes: Codes,
  tokens: Tokens,
  challenges: Challenges,
  devices: Devices,
  passwordless: Passwordless
): Pick<IdentityProvider.IdentityProvider.Service, AccountActions> => {
  const { options, config, validity, users, refreshTokens, revokedOrigins, signer, now, serve, reject } = state
  const {
    addUser,
    usernameTaken,
    usernameExists,
    checkSecretHash,
    checkUsername,
    requestingUser,
    checkClientSecret,
    checkPolicy,
    checkAttributes,
    setPassword,
    passwordMatches
  } = policy
  const { issueCode, signUpMedium, verifiedMedium, checkCode } = codes
  const { issueTokens, newRefreshToken, validRefreshToken, validAccessToken, revokeUserTokens } = tokens
  const { wrongPassword } = challenges
  return {
    signUp: (request) =>
      serve("SignUp")(
        Effect.gen(function* () {
          yield* checkUsername("SignUp", request.username)
          yield* checkSecretHash("SignUp", request.username, request.secretHash)
          if (usernameTaken(request.username)) return yield* usernameExists("SignUp")
          yield* checkAttributes("SignUp", request.userAttributes)
          for (const name of options.requiredAttributes ?? [])
            if (request.userAttributes[name] === undefined)
              return yield* reject(
                "SignUp",
                "InvalidParameterException",
                `Attributes did not conform to the schema: ${name}: The attribute ${name} is required`
              )
          if (request.password === undefined) {
            if (!state.signIn.allowedFirstAuthFactors.some((factor) => factor !== "PASSWORD"))
              return yield* reject("SignUp", "InvalidParameterException", "Password is required for this user pool.")
          } else yield* checkPolicy("SignUp", request.password)
          const user = yield* addUser(
            "SignUp",
            request.username,
            request.password,
            request.userAttributes,
            options.autoConfirm === true ? "CONFIRMED" : "UNCONFIRMED"
          )
          const sub = user.sub
          if (user.status === "CONFIRMED") return { userConfirmed: true, userSub: sub }
          const medium = signUpMedium(user)
          if (medium === undefined) return { userConfirmed: false, userSub: sub }
          const { codeDeliveryDetails } = yield* issueCode(user, "signUp", medium)
          return { userConfirmed: false, userSub: sub, codeDeliveryDetails }
        })
      ),
    confirmSignUp: (request) =>
      serve("ConfirmSignUp")(
        Effect.gen(function* () {
          const user = yield* requestingUser("ConfirmSignUp", request.username, request.secretHash)
          if (user.status !== "UNCONFIRMED")
            return yield* reject(
              "ConfirmSignUp",
              "NotAuthorizedException",
              `User cannot be confirmed. Current status is ${user.status}`
            )
          yield* checkCode("ConfirmSignUp", user.codes.signUp, request.confirmationCode, yield* now)
          user.status = "CONFIRMED"
          user.codes.signUp = undefined
          const medium = signUpMedium(user)
          if (medium === "EMAIL") user.attributes.email_verified = "true"
          if (medium === "SMS") user.attributes.phone_number_verified = "true"
          yield* state.touch(user)
          return { session: yield* passwordless.newSignUpSession(user) }
        })
      ),
    resendConfirmationCode: (request) =>
      serve("ResendConfirmationCode")(
        Effect.gen(function* () {
          const user = yield* requestingUser("ResendConfirmationCode", request.username, request.secretHash)
          if (user.status !== "UNCONFIRMED")
            return yield* reject("ResendConfirmationCode", "InvalidParameterException", "User is already confirmed.")
          const medium = signUpMedium(user)
          if (medium === undefined)
            return yield* reject(
              "ResendConfirmationCode",
              "InvalidParameterException",
              "Cannot send a code: the user has no email or phone_number"
            )
          return yield* issueCode(user, "signUp", medium)
        })
      ),
    getTokensFromRefreshToken: (request) =>
      serve("GetTokensFromRefreshToken", { deviceKey: request.deviceKey })(
        Effect.gen(function* () {
          yield* checkClientSecret("GetTokensFromRefreshToken", request.clientSecret)
          const { record, user } = yield* validRefreshToken("GetTokensFromRefreshToken", request.refreshToken)
          const device = yield* devices.refreshDevice("GetTokensFromRefreshToken", record, request.deviceKey)
          record.revoked = true
          const tokens = yield* issueTokens(user, record, device?.deviceKey)
          const refreshToken = yield* newRefreshToken(
            user,
            record.originJti,
            record.authTime,
            tokens.at,
            device?.deviceKey
          )
          return {
            accessToken: tokens.accessToken,
            idToken: tokens.idToken,
            refreshToken,
            expiresIn: Math.floor(validity.access / 1000),
            tokenType: "Bearer"
          }
        })
      ),
    globalSignOut: (request) =>
      serve("GlobalSignOut")(
        Effect.map(validAccessToken("GlobalSignOut", request.accessToken), (user) => revokeUserTokens(user.username))
      ),
    revokeToken: (request) =>
      serve("RevokeToken")(
        Effect.gen(function* () {
          yield* checkClientSecret("RevokeToken", request.clientSecret)
          const record = refreshTokens.get(Redacted.value(request.token))
          if (record === undefined) {
            if ((yield* signer.verify(Redacted.value(request.token))) !== undefined)
              return yield* reject(
                "RevokeToken",
                "UnsupportedTokenTypeException",
                "Only refresh tokens can be revoked."
              )
            return
          }
          // RFC 7009 §2.1, as Cognito does it: only the client the token was issued to may revoke it.
          if (record.clientId !== config.clientId)
            return yield* reject(
              "RevokeToken",
              "UnauthorizedException",
              `The token was not issued to client ${config.clientId}`
            )
          record.revoked = true
          revokedOrigins.add(record.originJti)
        })
      ),
    forgotPassword: (request) =>
      serve("ForgotPassword")(
        Effect.gen(function* () {
          const user = yield* requestingUser("ForgotPassword", request.username, request.secretHash)
          const medium = verifiedMedium(user)
          if (medium === undefined)
            return yield* reject(
              "ForgotPassword",
              "InvalidParameterException",
              "Cannot reset password for the user as there is no registered/verified email or phone_number"
            )
          return yield* issueCode(user, "forgotPassword", medium)
        })
      ),
    confirmForgotPassword: (request) =>
      serve("ConfirmForgotPassword")(
        Effect.gen(function* () {
          const user = yield* requestingUser("ConfirmForgotPassword", request.username, request.secretHash)
          yield* checkCode("ConfirmForgotPassword", user.codes.forgotPassword, request.confirmationCode, yield* now)
          yield* checkPolicy("ConfirmForgotPassword", request.password)
          const { salt, verifier } = yield* setPassword(user.username, request.password)
          user.salt = salt
          user.verifier = verifier
          user.codes.forgotPassword = undefined
          user.passwordless = false
          user.failedSignIns = 0
          if (user.status === "RESET_REQUIRED" || user.status === "FORCE_CHANGE_PASSWORD") user.status = "CONFIRMED"
          user.temporaryPasswordExpiresAt = undefined
          yield* state.touch(user)
        })
      ),
    changePassword: (request) =>
      serve("ChangePassword")(
        Effect.gen(function* () {
          const user = yield* validAccessToken("ChangePassword", request.accessToken)
          if (!(yield* passwordMatches(user, request.previousPassword)))
            return yield* wrongPassword("ChangePassword", user)
          yield* checkPolicy("ChangePassword", request.proposedPassword)
          const { salt, verifier } = yield* setPassword(user.username, request.proposedPassword)
          user.salt = salt
          user.verifier = verifier
          yield* state.touch(user)
        })
      ),
    deleteUser: (request) =>
      serve("DeleteUser")(
        Effect.map(validAccessToken("DeleteUser", request.accessToken), (user) => {
          revokeUserTokens(user.username)
          devices.dropDevicesOf(user.username)
          users.delete(user.username)
        })
      ),
    getUser: (request) =>
      serve("GetUser")(
        Effect.map(validAccessToken("GetUser", request.accessToken), (user) => ({
          username: user.username,
          userAttributes: { ...user.attributes },
          preferredMfaSetting: user.mfa.preferred === undefined ? undefined : mfaChallenge[user.mfa.preferred],
          userMfaSettingList: [
            ...(user.mfa.sms ? ["SMS_MFA"] : []),
            ...(user.mfa.totp ? ["SOFTWARE_TOKEN_MFA"] : []),
            ...(user.mfa.email ? ["EMAIL_OTP"] : [])
          ]
        }))
      )
  }
}
