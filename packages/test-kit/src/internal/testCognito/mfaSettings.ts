/**
 * The signed-in user's MFA settings: SetUserMFAPreference turns SMS, TOTP and email MFA on
 * or off and names the preferred one (GetUser then lists them in `UserMFASettingList` and
 * `PreferredMfaSetting`). As Cognito does: preferred implies enabled, at most one method is
 * preferred, TOTP needs a verified authenticator (VerifySoftwareToken), and SMS and email
 * need a phone number and an email address to send to.
 *
 * @internal
 */
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as Effect from "effect/Effect"
import type * as TestCognito from "../../TestCognito.js"
import type { State, User } from "./state.js"
import type { Tokens } from "./tokens.js"

const flags = { SMS: "sms", TOTP: "totp", EMAIL: "email" } as const satisfies Record<TestCognito.MfaType, string>

/** Why a user cannot turn a method on, or `undefined` when they can. */
const cannotEnable = (user: User, type: TestCognito.MfaType): string | undefined =>
  type === "TOTP"
    ? user.totpSecret === undefined
      ? "User has not verified software token mfa"
      : undefined
    : type === "SMS"
      ? user.attributes.phone_number === undefined
        ? "User does not have delivery config set to turn on SMS_MFA"
        : undefined
      : user.attributes.email === undefined
        ? "User does not have delivery config set to turn on EMAIL_OTP"
        : undefined

/** SetUserMFAPreference of one pool. */
export const make = (
  state: State,
  tokens: Tokens
): Pick<IdentityProvider.IdentityProvider.Service, "setUserMfaPreference"> => {
  const { serve, reject } = state
  return {
    setUserMfaPreference: (request) =>
      serve("SetUserMFAPreference")(
        Effect.gen(function* () {
          const action = "SetUserMFAPreference"
          const user = yield* tokens.validAccessToken(action, request.accessToken)
          const settings = [
            ["SMS", request.smsMfaSettings],
            ["TOTP", request.softwareTokenMfaSettings],
            ["EMAIL", request.emailMfaSettings]
          ] as const
          if (settings.filter(([, s]) => s?.preferredMfa === true).length > 1)
            return yield* reject(action, "InvalidParameterException", "Only one MFA method can be preferred.")
          // Every change is checked before any applies.
          for (const [type, s] of settings) {
            const problem = s?.enabled === true || s?.preferredMfa === true ? cannotEnable(user, type) : undefined
            if (problem !== undefined) return yield* reject(action, "InvalidParameterException", problem)
          }
          for (const [type, s] of settings) {
            if (s === undefined) continue
            if (s.enabled !== undefined || s.preferredMfa === true)
              user.mfa[flags[type]] = s.enabled === true || s.preferredMfa === true
            if (s.preferredMfa === true) user.mfa.preferred = type
            else if (user.mfa.preferred === type && (s.preferredMfa === false || s.enabled === false))
              user.mfa.preferred = undefined
          }
          yield* state.touch(user)
        })
      )
  }
}
