/**
 * The challenge protocol as pure functions, testable without a service: what a Cognito
 * challenge means for the caller ({@link interpret}: name and parameters to a
 * `SignInResult`), how an answer is sent back ({@link answer}: the caller's response to
 * `ChallengeResponses`), and the MFA tables between Cognito's names and `MfaType`.
 *
 * Both switches cover every `ChallengeName` outside {@link unsupportedChallenges} with no
 * `default:`; a name added to `IdentityProvider.challengeNames` does not compile until it
 * is handled here or listed as unsupported.
 *
 * @internal
 */
import * as Data from "effect/Data"
import * as Redacted from "effect/Redacted"
import type * as Auth from "../Auth.js"
import type * as AuthError from "../AuthError.js"
import type * as IdentityProvider from "../IdentityProvider.js"
import { parseStringList, parseStringRecord } from "./encoding.js"
import * as UserAuth from "./userAuth.js"

type Secret = Redacted.Redacted<string>
type ChallengeName = IdentityProvider.ChallengeName
type MfaType = IdentityProvider.MfaType
type Parameters = Readonly<Record<string, string>>

/** Constructors and matchers of `Auth.SignInResult`; `Auth.ts` re-exports them. */
export const SignInResult: Data.TaggedEnum.Constructor<Auth.SignInResult> = Data.taggedEnum<Auth.SignInResult>()

/** The challenge name of each MFA type. */
export const mfaChallengeNames: Readonly<Record<MfaType, ChallengeName>> = {
  SMS: "SMS_MFA",
  TOTP: "SOFTWARE_TOKEN_MFA",
  EMAIL: "EMAIL_OTP"
}

/** The MFA type of a challenge name Cognito lists in `MFAS_CAN_CHOOSE` / `MFAS_CAN_SETUP`, if it is one. */
export const mfaTypeOf = (name: string): MfaType | undefined =>
  name === "SMS_MFA" ? "SMS" : name === "SOFTWARE_TOKEN_MFA" ? "TOTP" : name === "EMAIL_OTP" ? "EMAIL" : undefined

/** The MFA types of a JSON list of challenge names; names that are not MFA types are skipped. */
export const mfaTypes = (list: string | undefined): ReadonlyArray<MfaType> =>
  parseStringList(list).flatMap((name) => {
    const type = mfaTypeOf(name)
    return type === undefined ? [] : [type]
  })

/** Where Cognito says it sent a code, with the medium of the challenge as the fallback. */
export const codeDelivery = (
  parameters: Parameters,
  fallback: "EMAIL" | "SMS"
): IdentityProvider.CodeDeliveryDetails => {
  const medium = parameters.CODE_DELIVERY_DELIVERY_MEDIUM
  return {
    deliveryMedium: medium === "EMAIL" || medium === "SMS" ? medium : fallback,
    destination: parameters.CODE_DELIVERY_DESTINATION ?? "",
    attributeName: fallback === "EMAIL" ? "email" : "phone_number"
  }
}

/** The USERNAME a challenge's answer must carry: Cognito's, not an alias the user typed. */
export const challengeUsername = (parameters: Parameters, typed: string): string =>
  parameters.USERNAME ?? parameters.USER_ID_FOR_SRP ?? typed

/**
 * The challenges `confirmSignIn` never answers: each is refused by name here. Sign-in
 * answers PASSWORD_VERIFIER, DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER itself, before a
 * challenge reaches these functions; the others the client does not take part in. Every
 * other name must have its case in {@link interpret} and {@link answer}.
 */
export const unsupportedChallenges = [
  "PASSWORD_VERIFIER",
  "DEVICE_SRP_AUTH",
  "DEVICE_PASSWORD_VERIFIER",
  "ADMIN_NO_SRP_AUTH"
] as const satisfies ReadonlyArray<ChallengeName>

type Unsupported = (typeof unsupportedChallenges)[number]

const isUnsupported = (name: ChallengeName): name is Unsupported =>
  (unsupportedChallenges as ReadonlyArray<ChallengeName>).includes(name)

/** A failure decided by a pure function; the caller adds the method name. */
export interface Refusal {
  readonly _tag: "Refusal"
  readonly reason: AuthError.Reason
  readonly description: string
}

const refuse = (reason: AuthError.Reason, description: string): Refusal => ({ _tag: "Refusal", reason, description })

/** What a challenge leads to. */
export type Interpretation =
  /** Return `result` and wait for `confirmSignIn`. */
  | { readonly _tag: "Wait"; readonly result: Auth.SignInResult }
  /** MFA must be set up: associate a TOTP secret (a request), then wait. */
  | { readonly _tag: "SetUpTotp"; readonly allowedMfaTypes: ReadonlyArray<MfaType> }
  /** A passkey assertion: the `WebAuthn` service signs `requestOptions` (JSON text), then respond. */
  | { readonly _tag: "WebAuthn"; readonly requestOptions: string }
  | Refusal

const wait = (result: Auth.SignInResult): Interpretation => ({ _tag: "Wait", result })

/** What a challenge from Cognito means for the caller of `signIn` / `confirmSignIn`. */
export const interpret = (challengeName: ChallengeName, parameters: Parameters): Interpretation => {
  if (isUnsupported(challengeName))
    return refuse("UnsupportedOperation", `the challenge ${challengeName} is not supported`)
  switch (challengeName) {
    case "SMS_MFA":
      return wait(SignInResult.SmsMfa({ codeDeliveryDetails: codeDelivery(parameters, "SMS") }))
    case "SOFTWARE_TOKEN_MFA":
      return wait(SignInResult.SoftwareTokenMfa())
    case "EMAIL_OTP":
      return wait(SignInResult.EmailOtp({ codeDeliveryDetails: codeDelivery(parameters, "EMAIL") }))
    case "SELECT_MFA_TYPE":
      return wait(SignInResult.SelectMfaType({ allowedMfaTypes: mfaTypes(parameters.MFAS_CAN_CHOOSE) }))
    case "MFA_SETUP": {
      const allowed = mfaTypes(parameters.MFAS_CAN_SETUP)
      return allowed.includes("TOTP")
        ? { _tag: "SetUpTotp", allowedMfaTypes: allowed }
        : refuse(
            "UnsupportedOperation",
            `MFA setup for ${allowed.join(", ") || "no method"} is not supported; allow TOTP in the user pool`
          )
    }
    case "NEW_PASSWORD_REQUIRED":
      return wait(
        SignInResult.NewPasswordRequired({
          requiredAttributes: parseStringList(parameters.requiredAttributes).map((name) =>
            name.replace(/^userAttributes\./, "")
          ),
          userAttributes: parseStringRecord(parameters.userAttributes)
        })
      )
    case "CUSTOM_CHALLENGE":
      return wait(SignInResult.CustomChallenge({ parameters }))
    case "SELECT_CHALLENGE":
      return wait(SignInResult.SelectChallenge({ availableChallenges: UserAuth.availableFactors(parameters) }))
    case "SMS_OTP":
      return wait(SignInResult.SmsOtp({ codeDeliveryDetails: codeDelivery(parameters, "SMS") }))
    // Never Cognito's: the pending state once the password factor was chosen (see `answer`).
    case "PASSWORD":
    case "PASSWORD_SRP":
      return wait(SignInResult.PasswordRequired())
    case "WEB_AUTHN": {
      const requestOptions = parameters.CREDENTIAL_REQUEST_OPTIONS
      return requestOptions === undefined
        ? refuse("InvalidResponse", "WEB_AUTHN came without CREDENTIAL_REQUEST_OPTIONS")
        : { _tag: "WebAuthn", requestOptions }
    }
  }
}

/** How `confirmSignIn` answers a pending challenge. */
export type Answer =
  /**
   * Send these `ChallengeResponses` (USERNAME and SECRET_HASH are added by the client), to
   * `challengeName` when it is not the pending one's.
   */
  | {
      readonly _tag: "Respond"
      readonly challengeResponses: Readonly<Record<string, Secret>>
      readonly challengeName?: ChallengeName
    }
  /** MFA setup: verify the authenticator code first (`VerifySoftwareToken`), then respond. */
  | { readonly _tag: "VerifySoftwareToken" }
  /** `SELECT_CHALLENGE` answered with a password factor: ask for the password, no request yet. */
  | { readonly _tag: "AskPassword"; readonly factor: "PASSWORD" | "PASSWORD_SRP" }
  /** The password of `PASSWORD_SRP`: `SELECT_CHALLENGE` with `SRP_A`, then the password verifier. */
  | { readonly _tag: "PasswordSrp" }
  | Refusal

const respond = (challengeResponses: Readonly<Record<string, Secret>>, challengeName?: ChallengeName): Answer => ({
  _tag: "Respond",
  challengeResponses,
  ...(challengeName === undefined ? {} : { challengeName })
})

/** The MFA challenge name the answer to SELECT_MFA_TYPE names: an MFA type or a challenge name. */
const chosenMfa = (value: string): ChallengeName | undefined => {
  if (value === "SMS" || value === "TOTP" || value === "EMAIL") return mfaChallengeNames[value]
  return mfaTypeOf(value) === undefined ? undefined : (value as ChallengeName)
}

/** The `ChallengeResponses` of the caller's answer to a challenge. */
export const answer = (
  challengeName: ChallengeName,
  input: Auth.ConfirmSignInInput,
  parameters: Parameters = {}
): Answer => {
  if (isUnsupported(challengeName)) return refuse("UnsupportedOperation", `cannot answer ${challengeName}`)
  const response = input.challengeResponse
  switch (challengeName) {
    case "SMS_MFA":
      return respond({ SMS_MFA_CODE: response })
    case "SOFTWARE_TOKEN_MFA":
      return respond({ SOFTWARE_TOKEN_MFA_CODE: response })
    case "EMAIL_OTP":
      return respond({ EMAIL_OTP_CODE: response })
    case "CUSTOM_CHALLENGE":
      return respond({ ANSWER: response })
    case "SELECT_MFA_TYPE": {
      const chosen = chosenMfa(Redacted.value(response))
      return chosen === undefined
        ? refuse("InvalidInput", "the MFA type must be one of SMS, TOTP or EMAIL")
        : respond({ ANSWER: Redacted.make(chosen) })
    }
    case "NEW_PASSWORD_REQUIRED": {
      const attributes: Record<string, Secret> = {}
      for (const [name, value] of Object.entries(input.userAttributes ?? {}))
        attributes[`userAttributes.${name}`] = Redacted.make(value)
      return respond({ NEW_PASSWORD: response, ...attributes })
    }
    case "MFA_SETUP":
      return { _tag: "VerifySoftwareToken" }
    case "SMS_OTP":
      return respond({ SMS_OTP_CODE: response })
    case "SELECT_CHALLENGE": {
      const factor = UserAuth.firstFactorOf(Redacted.value(response))
      if (factor === undefined)
        return refuse(
          "InvalidInput",
          "the first factor must be one of PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP or WEB_AUTHN"
        )
      const available = UserAuth.availableFactors(parameters)
      if (available.length > 0 && !available.includes(factor))
        return refuse("InvalidInput", `${factor} is not available; choose one of ${available.join(", ")}`)
      return factor === "PASSWORD" || factor === "PASSWORD_SRP"
        ? { _tag: "AskPassword", factor }
        : respond({ ANSWER: Redacted.make(factor) })
    }
    case "PASSWORD":
      return respond({ ANSWER: Redacted.make("PASSWORD"), PASSWORD: response }, "SELECT_CHALLENGE")
    case "PASSWORD_SRP":
      return { _tag: "PasswordSrp" }
    case "WEB_AUTHN":
      return refuse("UnsupportedOperation", "a passkey is answered by the WebAuthn service; sign in again")
  }
}
