/**
 * The account's MFA settings as pure functions: Amplify's preference names to Cognito's
 * `SMSMfaSettings` / `SoftwareTokenMfaSettings` / `EmailMfaSettings` ({@link settingsOf},
 * {@link requestOf}), and `GetUser`'s `UserMFASettingList` and `PreferredMfaSetting` to the
 * enabled and preferred `MfaType`s ({@link preferenceOf}).
 *
 * @internal
 */
import * as Result from "effect/Result"
import type * as Auth from "../Auth.js"
import * as AuthError from "../AuthError.js"
import type * as IdentityProvider from "../IdentityProvider.js"
import { mfaTypeOf } from "./challenge.js"

/** The preference names, as aws-amplify's `updateMFAPreference` takes them. */
export const preferences: ReadonlyArray<Auth.MfaPreference> = ["ENABLED", "DISABLED", "PREFERRED", "NOT_PREFERRED"]

/** Cognito's setting of one method for a preference (aws-amplify's mapping). */
export const settingsOf = (preference: Auth.MfaPreference): IdentityProvider.MfaSettings => {
  switch (preference) {
    case "ENABLED":
      return { enabled: true }
    case "DISABLED":
      return { enabled: false }
    case "PREFERRED":
      return { enabled: true, preferredMfa: true }
    case "NOT_PREFERRED":
      return { enabled: true, preferredMfa: false }
  }
}

/** The settings of `SetUserMFAPreference`'s request; `InvalidInput` for no method or an unknown value. */
export const requestOf = (
  method: string,
  input: Auth.UpdateMfaPreferenceInput
): Result.Result<
  {
    readonly smsMfaSettings?: IdentityProvider.MfaSettings
    readonly softwareTokenMfaSettings?: IdentityProvider.MfaSettings
    readonly emailMfaSettings?: IdentityProvider.MfaSettings
  },
  AuthError.AuthError
> => {
  const out: {
    smsMfaSettings?: IdentityProvider.MfaSettings
    softwareTokenMfaSettings?: IdentityProvider.MfaSettings
    emailMfaSettings?: IdentityProvider.MfaSettings
  } = {}
  const fields = [
    ["sms", "smsMfaSettings"],
    ["totp", "softwareTokenMfaSettings"],
    ["email", "emailMfaSettings"]
  ] as const
  for (const [field, setting] of fields) {
    const value: unknown = typeof input === "object" && input !== null ? input[field] : undefined
    if (value === undefined) continue
    if (!preferences.includes(value as Auth.MfaPreference))
      return Result.fail(
        AuthError.make(
          "InvalidInput",
          method,
          `${field}: expected one of ${preferences.join(", ")}, found ${typeof value === "string" ? "another string" : `a ${typeof value}`}`
        )
      )
    out[setting] = settingsOf(value as Auth.MfaPreference)
  }
  return Object.keys(out).length === 0
    ? Result.fail(AuthError.make("InvalidInput", method, "expected a preference for at least one of sms, totp, email"))
    : Result.succeed(out)
}

/** The enabled and preferred MFA methods of `GetUser`'s answer; names that are no MFA method are skipped. */
export const preferenceOf = (user: IdentityProvider.UserResponse): Auth.MfaPreferenceResult => {
  const enabled: Array<IdentityProvider.MfaType> = []
  for (const name of user.userMfaSettingList) {
    const type = mfaTypeOf(name)
    if (type !== undefined && !enabled.includes(type)) enabled.push(type)
  }
  const preferred = user.preferredMfaSetting === undefined ? undefined : mfaTypeOf(user.preferredMfaSetting)
  return preferred === undefined ? { enabled } : { enabled, preferred }
}
