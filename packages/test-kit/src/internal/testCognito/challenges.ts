/**
 * The sign-in state machine's steps: challenge sessions, the SRP start, what follows a
 * proven password (account checks, NEW_PASSWORD_REQUIRED, a custom challenge, MFA), the
 * MFA step itself, and TOTP codes.
 *
 * @internal
 */
import type * as AuthError from "@effect-cognito/core/AuthError"
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as TestCognito from "../../TestCognito.js"
import * as SrpServer from "../srpServer.js"
import { totp } from "../totp.js"
import type { Codes } from "./codes.js"
import { type AuthResponse, type ChallengeSession, type Secret, type State, toBase64, type User } from "./state.js"
import type { Tokens } from "./tokens.js"

export const mfaChallenge: Readonly<Record<TestCognito.MfaType, IdentityProvider.ChallengeName>> = {
  SMS: "SMS_MFA",
  TOTP: "SOFTWARE_TOKEN_MFA",
  EMAIL: "EMAIL_OTP"
}

/** The challenge steps of one pool. */
export const make = (state: State, codes: Codes, tokens: Tokens) => {
  const {
    options,
    validity,
    poolMfa,
    poolMfaTypes,
    attemptLimit,
    sessions,
    random,
    withRandom,
    now,
    randomHex,
    reject
  } = state
  const { deliver } = codes
  const { authenticated } = tokens
  const newSession = (record: ChallengeSession) =>
    Effect.map(randomHex(48), (token) => {
      sessions.set(token, record)
      return Redacted.make(token)
    })

  const takeSession = (action: string, session: Secret | undefined, challenge: string) =>
    Effect.gen(function* () {
      const record = session === undefined ? undefined : sessions.get(Redacted.value(session))
      if (record === undefined || (yield* now) >= record.expiresAt)
        return yield* reject(action, "NotAuthorizedException", "Invalid session for the user, session is expired.")
      if (record.challenge !== challenge)
        return yield* reject(action, "InvalidParameterException", `Invalid challenge ${challenge} for this session.`)
      return record
    })

  const challenge = (
    user: User,
    name: IdentityProvider.ChallengeName,
    parameters: Record<string, string>,
    extra: Partial<ChallengeSession> = {}
  ): Effect.Effect<AuthResponse> =>
    Effect.gen(function* () {
      const at = yield* now
      const session = yield* newSession({
        username: user.username,
        challenge: name,
        expiresAt: at + validity.session,
        custom: false,
        ...extra
      })
      return {
        _tag: "Challenge",
        challengeName: name,
        session,
        parameters: { USER_ID_FOR_SRP: user.username, ...parameters }
      } as const
    })

  const mfaCodeChallenge = (user: User, type: TestCognito.MfaType) =>
    Effect.gen(function* () {
      if (type === "TOTP") return yield* challenge(user, "SOFTWARE_TOKEN_MFA", {})
      const medium = type === "SMS" ? "SMS" : "EMAIL"
      const { code, details } = yield* deliver(user, "Mfa", medium, validity.mfaCode)
      return yield* challenge(
        user,
        mfaChallenge[type],
        { CODE_DELIVERY_DELIVERY_MEDIUM: details.deliveryMedium, CODE_DELIVERY_DESTINATION: details.destination },
        { code }
      )
    })

  /** The MFA step after the password (or new password) was accepted. */
  const mfaStep = (user: User): Effect.Effect<AuthResponse> =>
    Effect.gen(function* () {
      if (poolMfa === "OFF") return yield* authenticated(user)
      const enabled = poolMfaTypes.filter(
        (type) =>
          (type === "SMS" && user.mfa.sms && user.attributes.phone_number !== undefined) ||
          (type === "TOTP" && user.mfa.totp && user.totpSecret !== undefined) ||
          (type === "EMAIL" && user.mfa.email && user.attributes.email !== undefined)
      )
      if (enabled.length === 0) {
        if (poolMfa === "OPTIONAL") return yield* authenticated(user)
        if (poolMfaTypes.includes("SMS") && user.attributes.phone_number !== undefined)
          return yield* mfaCodeChallenge(user, "SMS")
        const canSetup = poolMfaTypes.filter((t) => t !== "SMS").map((t) => mfaChallenge[t])
        return yield* challenge(user, "MFA_SETUP", { MFAS_CAN_SETUP: JSON.stringify(canSetup) })
      }
      const preferred = user.mfa.preferred
      if (preferred !== undefined && enabled.includes(preferred)) return yield* mfaCodeChallenge(user, preferred)
      if (enabled.length === 1) return yield* mfaCodeChallenge(user, enabled[0]!)
      const allowed = enabled.map((t) => mfaChallenge[t])
      return yield* challenge(user, "SELECT_MFA_TYPE", { MFAS_CAN_CHOOSE: JSON.stringify(allowed) }, { allowed })
    })

  /** After the password was proven: account checks, then new password, custom challenge or MFA. */
  const afterPassword = (
    action: string,
    user: User,
    custom: boolean
  ): Effect.Effect<AuthResponse, AuthError.AuthError> =>
    Effect.gen(function* () {
      if (!user.enabled) return yield* reject(action, "NotAuthorizedException", "User is disabled.")
      if (user.status === "UNCONFIRMED")
        return yield* reject(action, "UserNotConfirmedException", "User is not confirmed.")
      if (user.status === "RESET_REQUIRED")
        return yield* reject(action, "PasswordResetRequiredException", "Password reset required for the user")
      user.failedSignIns = 0
      if (user.status === "FORCE_CHANGE_PASSWORD") {
        if (user.temporaryPasswordExpiresAt !== undefined && (yield* now) >= user.temporaryPasswordExpiresAt)
          return yield* reject(
            action,
            "NotAuthorizedException",
            "Temporary password has expired and must be reset by an administrator."
          )
        const { sub: _sub, email_verified: _e, phone_number_verified: _p, ...visible } = user.attributes
        const missing = (options.requiredAttributes ?? []).filter((name) => user.attributes[name] === undefined)
        return yield* challenge(user, "NEW_PASSWORD_REQUIRED", {
          userAttributes: JSON.stringify(visible),
          requiredAttributes: JSON.stringify(missing.map((name) => `userAttributes.${name}`))
        })
      }
      if (custom) return yield* customChallenge(action, user)
      return yield* mfaStep(user)
    })

  const customChallenge = (action: string, user: User) => {
    const lambda = options.customAuth
    if (lambda === undefined)
      return reject(
        action,
        "InvalidParameterException",
        "Custom auth lambda trigger is not configured for the user pool."
      )
    const { parameters, answer } = lambda.challenge(user.username)
    return challenge(user, "CUSTOM_CHALLENGE", { ...parameters, USERNAME: user.username }, { customAnswer: answer })
  }

  const wrongPassword = (action: string, user: User) => {
    user.failedSignIns++
    return user.failedSignIns > attemptLimit
      ? reject(action, "NotAuthorizedException", "Password attempts exceeded")
      : reject(action, "NotAuthorizedException", "Incorrect username or password.")
  }

  /** An SRP start: PASSWORD_VERIFIER keyed by its secret block. */
  const srpStart = (user: User, srpA: string, custom: boolean) =>
    Effect.gen(function* () {
      const srp = yield* withRandom(SrpServer.serverEphemeral(user.verifier))
      const secretBlock = toBase64(yield* random.nextBytes(96))
      sessions.set(secretBlock, {
        username: user.username,
        challenge: "PASSWORD_VERIFIER",
        expiresAt: (yield* now) + validity.session,
        custom,
        srp: { b: srp.b, B: srp.B, srpB: srp.srpB, srpA }
      })
      return {
        _tag: "Challenge",
        challengeName: "PASSWORD_VERIFIER",
        parameters: {
          SALT: user.salt,
          SRP_B: srp.srpB,
          SECRET_BLOCK: secretBlock,
          USER_ID_FOR_SRP: user.username,
          USERNAME: user.username
        }
      } as AuthResponse
    })

  const enableTotp = (user: User, secret: string) => {
    user.totpSecret = secret
    user.pendingTotpSecret = undefined
    user.mfa.totp = true
    user.mfa.preferred ??= "TOTP"
  }

  /** Accepts the code of the current 30-second step or its neighbours, as Cognito does. */
  const totpMatches = (secret: string | undefined, code: string, at: number) =>
    secret === undefined
      ? Effect.succeed(false)
      : Effect.promise(async () => {
          for (const step of [-30_000, 0, 30_000]) if ((await totp(secret, at + step)) === code) return true
          return false
        })

  return {
    newSession,
    takeSession,
    challenge,
    mfaCodeChallenge,
    mfaStep,
    afterPassword,
    customChallenge,
    wrongPassword,
    srpStart,
    enableTotp,
    totpMatches
  }
}

/** The challenge steps of a pool. */
export type Challenges = ReturnType<typeof make>
