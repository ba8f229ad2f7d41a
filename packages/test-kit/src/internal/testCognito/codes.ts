/**
 * Codes and the outbox: sign-up, password-reset and MFA codes are "sent" by recording
 * them in the outbox (with a masked destination in the answer, as Cognito masks it),
 * and checked with an attempt limit and an expiry.
 *
 * @internal
 */
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as TestCognito from "../../TestCognito.js"
import type { Code, Secret, State, User } from "./state.js"

const maskEmail = (email: string) => {
  const [local = "", domain = ""] = email.split("@")
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***`
}
const maskPhone = (phone: string) => `+${"*".repeat(Math.max(0, phone.length - 5))}${phone.slice(-4)}`

/** The codes of one pool. */
export const make = (state: State) => {
  const { outbox, now, sixDigits, validity, attemptLimit, reject } = state
  /** Sends a code to the user's email (or phone) and records it in the outbox. */
  const deliver = (
    user: User,
    purpose: TestCognito.Message["purpose"],
    medium: "EMAIL" | "SMS",
    lifetime: number,
    to?: string
  ): Effect.Effect<{ code: Code; details: IdentityProvider.CodeDeliveryDetails }> =>
    Effect.gen(function* () {
      const code = yield* sixDigits
      const at = yield* now
      const destination = to ?? (medium === "EMAIL" ? user.attributes.email! : user.attributes.phone_number!)
      outbox.push({ username: user.username, medium, destination, purpose, code: Redacted.make(code), at })
      return {
        code: { code, expiresAt: at + lifetime, attempts: 0 },
        details: {
          deliveryMedium: medium,
          destination: medium === "EMAIL" ? maskEmail(destination) : maskPhone(destination),
          attributeName: medium === "EMAIL" ? "email" : "phone_number"
        }
      }
    })

  /**
   * Sends a sign-up, password-reset or attribute-verification code, replacing the user's
   * previous one of that kind. Attribute codes live as long as sign-up codes (24 hours by
   * default), as Cognito's do.
   */
  const issueCode = (user: User, slot: keyof User["codes"], medium: "EMAIL" | "SMS", to?: string) =>
    Effect.map(
      deliver(
        user,
        slot === "signUp" ? "SignUp" : slot === "forgotPassword" ? "ForgotPassword" : "VerifyAttribute",
        medium,
        slot === "forgotPassword" ? validity.forgotCode : validity.signUpCode,
        to
      ),
      ({ code, details }) => {
        user.codes[slot] = code
        return { codeDeliveryDetails: details }
      }
    )

  const signUpMedium = (user: User): "EMAIL" | "SMS" | undefined =>
    user.attributes.email !== undefined ? "EMAIL" : user.attributes.phone_number !== undefined ? "SMS" : undefined

  const verifiedMedium = (user: User): "EMAIL" | "SMS" | undefined =>
    user.attributes.email !== undefined && user.attributes.email_verified === "true"
      ? "EMAIL"
      : user.attributes.phone_number !== undefined && user.attributes.phone_number_verified === "true"
        ? "SMS"
        : undefined

  /** Checks a code: mismatch counts an attempt, and too many attempts is LimitExceeded. */
  const checkCode = (action: string, code: Code | undefined, given: Secret, at: number) =>
    Effect.gen(function* () {
      if (code === undefined)
        return yield* reject(action, "ExpiredCodeException", "Invalid code provided, please request a code again.")
      if (code.attempts >= attemptLimit)
        return yield* reject(action, "LimitExceededException", "Attempt limit exceeded, please try after some time.")
      if (Redacted.value(given) !== code.code) {
        code.attempts++
        return yield* reject(action, "CodeMismatchException", "Invalid verification code provided, please try again.")
      }
      if (at >= code.expiresAt)
        return yield* reject(action, "ExpiredCodeException", "Invalid code provided, please request a code again.")
    })

  return { deliver, issueCode, signUpMedium, verifiedMedium, checkCode }
}

/** The codes of a pool. */
export type Codes = ReturnType<typeof make>
