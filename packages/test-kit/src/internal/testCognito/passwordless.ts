/**
 * Choice-based sign-in (`USER_AUTH`): the pool's `AllowedFirstAuthFactors` and tier, the
 * factors a user can use, the first factor's challenge (a password, an SRP start, an
 * email or SMS code, a passkey), `SELECT_CHALLENGE` when none was preferred or the
 * preferred one is not the user's, and ConfirmSignUp's session, which signs the user in
 * with no factor at all (single use, 3 minutes by `Clock`).
 *
 * Email and SMS codes are delivered, logged and checked as MFA codes are (outbox purpose
 * `Mfa`, the MFA code validity, the attempt limit), so tests read them the same way.
 *
 * @internal
 */
import type * as AuthError from "@effect-cognito/core/AuthError"
import * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as TestCognito from "../../TestCognito.js"
import type { Challenges } from "./challenges.js"
import type { Codes } from "./codes.js"
import type { Devices } from "./devices.js"
import type { Policy } from "./policy.js"
import type { AuthResponse, Device, Secret, State, User } from "./state.js"
import type { Tokens } from "./tokens.js"
import type { WebAuthnServer } from "./webAuthn.js"

type UserAuthRequest = Extract<IdentityProvider.InitiateAuthRequest, { readonly authFlow: "USER_AUTH" }>

/** How long ConfirmSignUp's session signs the user in. */
const signUpSessionValidity = 180_000

/** The marker of a ConfirmSignUp session among the pool's challenge sessions. */
const signUpSession = "CONFIRM_SIGN_UP"

/** Whether each first factor is one the pool allows and `user` can use. */
const usable = (signIn: State["signIn"], user: User): Readonly<Record<IdentityProvider.FirstFactor, boolean>> => {
  const allowed = signIn.allowedFirstAuthFactors
  const password = allowed.includes("PASSWORD") && !user.passwordless
  // The LITE tier has no password-less sign-in.
  const passwordless = signIn.userPoolTier !== "LITE"
  return {
    PASSWORD: password,
    PASSWORD_SRP: password,
    EMAIL_OTP:
      passwordless &&
      allowed.includes("EMAIL_OTP") &&
      user.attributes.email !== undefined &&
      user.attributes.email_verified === "true",
    SMS_OTP:
      passwordless &&
      allowed.includes("SMS_OTP") &&
      user.attributes.phone_number !== undefined &&
      user.attributes.phone_number_verified === "true",
    WEB_AUTHN:
      passwordless &&
      allowed.includes("WEB_AUTHN") &&
      signIn.webAuthn !== undefined &&
      user.webAuthnCredentials.length > 0
  }
}

/** The choice-based sign-in of one pool. */
export const make = (
  state: State,
  policy: Policy,
  codes: Codes,
  tokens: Tokens,
  challenges: Challenges,
  devices: Devices,
  webAuthn: WebAuthnServer
) => {
  const { options, signIn, sessions, validity, now, randomHex, reject } = state
  const { deliver } = codes
  const { authenticated } = tokens
  const { challenge, afterPassword, wrongPassword, srpStart } = challenges

  /** The factors the pool allows and `user` can use, in Cognito's order. */
  const availableFactors = (user: User): ReadonlyArray<IdentityProvider.FirstFactor> =>
    IdentityProvider.firstFactors.filter((factor) => usable(signIn, user)[factor])

  /** The account checks before a password-less factor starts (a password factor makes them after the password). */
  const accountCheck = (action: string, user: User) => {
    if (!user.enabled) return reject(action, "NotAuthorizedException", "User is disabled.")
    if (user.status === "UNCONFIRMED") return reject(action, "UserNotConfirmedException", "User is not confirmed.")
    if (user.status === "RESET_REQUIRED")
      return reject(action, "PasswordResetRequiredException", "Password reset required for the user")
    return Effect.void
  }

  const onDevice = (device: Device | undefined) => (device === undefined ? {} : { deviceKey: device.deviceKey })

  /** The challenge (or tokens) of a first factor the user can use. */
  const startFactor = (
    action: string,
    user: User,
    factor: IdentityProvider.FirstFactor,
    given: { readonly password?: Secret | undefined; readonly srpA?: string | undefined },
    device: Device | undefined
  ): Effect.Effect<AuthResponse, AuthError.AuthError> =>
    Effect.gen(function* () {
      switch (factor) {
        case "PASSWORD": {
          if (given.password === undefined)
            return yield* reject(action, "InvalidParameterException", "Missing required parameter PASSWORD")
          if (!(yield* policy.passwordMatches(user, given.password))) return yield* wrongPassword(action, user)
          return yield* afterPassword(action, user, false, device)
        }
        case "PASSWORD_SRP": {
          if (given.srpA === undefined)
            return yield* reject(action, "InvalidParameterException", "Missing required parameter SRP_A")
          return yield* srpStart(user, given.srpA, false, device)
        }
        case "EMAIL_OTP":
        case "SMS_OTP": {
          yield* accountCheck(action, user)
          const medium = factor === "EMAIL_OTP" ? "EMAIL" : "SMS"
          const sent = yield* deliver(user, "Mfa", medium, validity.mfaCode)
          return yield* challenge(
            user,
            factor,
            {
              CODE_DELIVERY_DELIVERY_MEDIUM: sent.details.deliveryMedium,
              CODE_DELIVERY_DESTINATION: sent.details.destination
            },
            { code: sent.code, ...onDevice(device) }
          )
        }
        case "WEB_AUTHN": {
          yield* accountCheck(action, user)
          const { challenge: webAuthnChallenge, options } = yield* webAuthn.requestOptions(action, user)
          return yield* challenge(
            user,
            "WEB_AUTHN",
            { CREDENTIAL_REQUEST_OPTIONS: options },
            { webAuthnChallenge, ...onDevice(device) }
          )
        }
      }
    })

  /** `SELECT_CHALLENGE` with the factors the user can choose from. */
  const selectChallenge = (user: User, available: ReadonlyArray<string>, device: Device | undefined) =>
    Effect.map(
      challenge(user, "SELECT_CHALLENGE", {}, { allowed: available, ...onDevice(device) }),
      (response): AuthResponse =>
        response._tag === "Challenge" ? { ...response, availableChallenges: [...available] } : response
    )

  /** InitiateAuth `USER_AUTH`. */
  const userAuth = (request: UserAuthRequest) =>
    Effect.gen(function* () {
      const action = "InitiateAuth"
      if (options.explicitAuthFlows !== undefined && !options.explicitAuthFlows.includes("ALLOW_USER_AUTH"))
        return yield* reject(action, "InvalidParameterException", "USER_AUTH flow not enabled for this client")
      if (request.session !== undefined) return yield* signInWithSignUpSession(request.username, request.session)
      const user = yield* policy.requestingUser(action, request.username, request.secretHash)
      const device = yield* devices.knownDevice(action, user, request.deviceKey)
      const available = availableFactors(user)
      const preferred = request.preferredChallenge
      if (preferred !== undefined && available.includes(preferred))
        return yield* startFactor(action, user, preferred, request, device)
      if (available.length === 0)
        return yield* reject(action, "NotAuthorizedException", "The user has no sign-in factor this pool allows.")
      return yield* selectChallenge(user, available, device)
    })

  /** RespondToAuthChallenge `SELECT_CHALLENGE`: the chosen factor's challenge. */
  const answerSelection = (
    action: string,
    user: User,
    allowed: ReadonlyArray<string> | undefined,
    responses: Readonly<Record<string, Secret>>,
    device: Device | undefined
  ) =>
    Effect.gen(function* () {
      const answer = responses.ANSWER === undefined ? "" : Redacted.value(responses.ANSWER)
      const factor = IdentityProvider.firstFactors.find((f) => f === answer)
      if (factor === undefined || !(allowed ?? []).includes(factor))
        return yield* reject(action, "InvalidParameterException", `Invalid ANSWER ${answer} for SELECT_CHALLENGE.`)
      const srpA = responses.SRP_A === undefined ? undefined : Redacted.value(responses.SRP_A)
      return yield* startFactor(action, user, factor, { password: responses.PASSWORD, srpA }, device)
    })

  /** A new ConfirmSignUp session for `user`. */
  const newSignUpSession = (user: User) =>
    Effect.gen(function* () {
      const token = yield* randomHex(48)
      sessions.set(token, {
        username: user.username,
        challenge: signUpSession,
        expiresAt: (yield* now) + signUpSessionValidity,
        custom: false
      })
      return Redacted.make(token)
    })

  /** InitiateAuth `USER_AUTH` with ConfirmSignUp's session: tokens, once, within its 3 minutes. */
  const signInWithSignUpSession = (username: string, session: Secret) =>
    Effect.gen(function* () {
      const action = "InitiateAuth"
      const token = Redacted.value(session)
      const record = sessions.get(token)
      if (
        record === undefined ||
        record.challenge !== signUpSession ||
        record.username !== username ||
        (yield* now) >= record.expiresAt
      )
        return yield* reject(action, "NotAuthorizedException", "Invalid session for the user, session is expired.")
      sessions.delete(token)
      const user = yield* state.findUser(action, username)
      yield* accountCheck(action, user)
      return yield* authenticated(user)
    })

  /** Admin: the pool's sign-in policy. */
  const admin: Pick<
    TestCognito.TestCognito.Service,
    "signInPolicy" | "setSignInPolicy" | "webAuthnConfiguration" | "setWebAuthnConfiguration"
  > = {
    signInPolicy: Effect.sync(() => ({
      allowedFirstAuthFactors: [...signIn.allowedFirstAuthFactors],
      userPoolTier: signIn.userPoolTier
    })),
    setSignInPolicy: (input) =>
      Effect.gen(function* () {
        const action = "UpdateUserPool"
        const factors = input.allowedFirstAuthFactors ?? signIn.allowedFirstAuthFactors
        const tier = input.userPoolTier ?? signIn.userPoolTier
        if (!factors.includes("PASSWORD"))
          return yield* reject(action, "InvalidParameterException", "AllowedFirstAuthFactors must include PASSWORD.")
        if (tier === "LITE" && factors.some((f) => f !== "PASSWORD"))
          return yield* reject(
            action,
            "FeatureUnavailableInTierException",
            "Passwordless sign-in is not available in the LITE tier."
          )
        signIn.allowedFirstAuthFactors = [...new Set(factors)]
        signIn.userPoolTier = tier
      }),
    webAuthnConfiguration: Effect.sync(() => signIn.webAuthn),
    setWebAuthnConfiguration: (configuration) =>
      Effect.gen(function* () {
        if (configuration === undefined) {
          signIn.webAuthn = undefined
          return
        }
        const rpId = configuration.relyingPartyId
        if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(rpId))
          return yield* reject(
            "SetUserPoolMfaConfig",
            "InvalidParameterException",
            `RelyingPartyId ${rpId} is not a domain name.`
          )
        signIn.webAuthn = { relyingPartyId: rpId, userVerification: configuration.userVerification ?? "preferred" }
      })
  }

  return { availableFactors, userAuth, answerSelection, newSignUpSession, admin }
}

/** The choice-based sign-in of a pool. */
export type Passwordless = ReturnType<typeof make>
