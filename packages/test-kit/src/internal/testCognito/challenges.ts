/**
 * The sign-in state machine's steps: challenge sessions, the SRP start, what follows a
 * proven password (account checks, NEW_PASSWORD_REQUIRED, a custom challenge, MFA), the
 * MFA step itself (or DEVICE_SRP_AUTH in its place, on a remembered device), and TOTP
 * codes. The device a sign-in runs on (`DEVICE_KEY`) is carried in each challenge's session.
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
import {
  type AuthResponse,
  type ChallengeSession,
  type Device,
  type Secret,
  type State,
  toBase64,
  type User
} from "./state.js"
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

  /** What a session records of the device a sign-in runs on. */
  const onDevice = (device: Device | undefined): Partial<ChallengeSession> =>
    device === undefined ? {} : { deviceKey: device.deviceKey }

  const mfaCodeChallenge = (user: User, type: TestCognito.MfaType, device?: Device) =>
    Effect.gen(function* () {
      if (type === "TOTP") return yield* challenge(user, "SOFTWARE_TOKEN_MFA", {}, onDevice(device))
      const medium = type === "SMS" ? "SMS" : "EMAIL"
      const { code, details } = yield* deliver(user, "Mfa", medium, validity.mfaCode)
      return yield* challenge(
        user,
        mfaChallenge[type],
        { CODE_DELIVERY_DELIVERY_MEDIUM: details.deliveryMedium, CODE_DELIVERY_DESTINATION: details.destination },
        { code, ...onDevice(device) }
      )
    })

  /**
   * The MFA step after the password (or new password) was accepted. On a remembered
   * device it is DEVICE_SRP_AUTH instead: the device proves itself, and no MFA is asked.
   */
  const mfaStep = (user: User, device?: Device): Effect.Effect<AuthResponse> =>
    Effect.gen(function* () {
      if (device?.remembered === true)
        return yield* challenge(user, "DEVICE_SRP_AUTH", { USERNAME: user.username }, onDevice(device))
      if (poolMfa === "OFF") return yield* authenticated(user, device)
      const enabled = poolMfaTypes.filter(
        (type) =>
          (type === "SMS" && user.mfa.sms && user.attributes.phone_number !== undefined) ||
          (type === "TOTP" && user.mfa.totp && user.totpSecret !== undefined) ||
          (type === "EMAIL" && user.mfa.email && user.attributes.email !== undefined)
      )
      if (enabled.length === 0) {
        if (poolMfa === "OPTIONAL") return yield* authenticated(user, device)
        if (poolMfaTypes.includes("SMS") && user.attributes.phone_number !== undefined)
          return yield* mfaCodeChallenge(user, "SMS", device)
        const canSetup = poolMfaTypes.filter((t) => t !== "SMS").map((t) => mfaChallenge[t])
        return yield* challenge(user, "MFA_SETUP", { MFAS_CAN_SETUP: JSON.stringify(canSetup) }, onDevice(device))
      }
      const preferred = user.mfa.preferred
      if (preferred !== undefined && enabled.includes(preferred))
        return yield* mfaCodeChallenge(user, preferred, device)
      if (enabled.length === 1) return yield* mfaCodeChallenge(user, enabled[0]!, device)
      const allowed = enabled.map((t) => mfaChallenge[t])
      return yield* challenge(
        user,
        "SELECT_MFA_TYPE",
        { MFAS_CAN_CHOOSE: JSON.stringify(allowed) },
        { allowed, ...onDevice(device) }
      )
    })

  /** After the password was proven: account checks, then new password, custom challenge or MFA. */
  const afterPassword = (
    action: string,
    user: User,
    custom: boolean,
    device?: Device
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
        return yield* challenge(
          user,
          "NEW_PASSWORD_REQUIRED",
          {
            userAttributes: JSON.stringify(visible),
            requiredAttributes: JSON.stringify(missing.map((name) => `userAttributes.${name}`))
          },
          onDevice(device)
        )
      }
      if (custom) return yield* customChallenge(action, user, device)
      return yield* mfaStep(user, device)
    })

  const customChallenge = (action: string, user: User, device?: Device) => {
    const lambda = options.customAuth
    if (lambda === undefined)
      return reject(
        action,
        "InvalidParameterException",
        "Custom auth lambda trigger is not configured for the user pool."
      )
    const { parameters, answer } = lambda.challenge(user.username)
    return challenge(
      user,
      "CUSTOM_CHALLENGE",
      { ...parameters, USERNAME: user.username },
      { customAnswer: answer, ...onDevice(device) }
    )
  }

  const wrongPassword = (action: string, user: User) => {
    user.failedSignIns++
    return user.failedSignIns > attemptLimit
      ? reject(action, "NotAuthorizedException", "Password attempts exceeded")
      : reject(action, "NotAuthorizedException", "Incorrect username or password.")
  }

  /** An SRP start: PASSWORD_VERIFIER keyed by its secret block. */
  const srpStart = (user: User, srpA: string, custom: boolean, device?: Device) =>
    Effect.gen(function* () {
      const srp = yield* withRandom(SrpServer.serverEphemeral(user.verifier))
      const secretBlock = toBase64(yield* random.nextBytes(96))
      sessions.set(secretBlock, {
        username: user.username,
        challenge: "PASSWORD_VERIFIER",
        expiresAt: (yield* now) + validity.session,
        custom,
        srp: { b: srp.b, B: srp.B, srpB: srp.srpB, srpA },
        ...onDevice(device)
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

  /** DEVICE_SRP_AUTH answered: the server's SRP start over the device's verifier, DEVICE_PASSWORD_VERIFIER next. */
  const deviceSrpStart = (
    user: User,
    device: Device,
    verifier: { readonly salt: string; readonly verifier: bigint },
    srpA: string
  ) =>
    Effect.gen(function* () {
      const srp = yield* withRandom(SrpServer.serverEphemeral(verifier.verifier))
      const secretBlock = toBase64(yield* random.nextBytes(96))
      return yield* challenge(
        user,
        "DEVICE_PASSWORD_VERIFIER",
        {
          SRP_B: srp.srpB,
          SALT: verifier.salt,
          SECRET_BLOCK: secretBlock,
          USERNAME: user.username,
          DEVICE_KEY: device.deviceKey
        },
        { srp: { b: srp.b, B: srp.B, srpB: srp.srpB, srpA }, secretBlock, ...onDevice(device) }
      )
    })

  /** Registers an authenticator: TOTP on (and preferred unless another method is), no code of it used yet. */
  const enableTotp = (user: User, secret: string, usedStep?: number) => {
    user.totpSecret = secret
    user.pendingTotpSecret = undefined
    user.totpUsedStep = usedStep
    user.mfa.totp = true
    user.mfa.preferred ??= "TOTP"
  }

  /**
   * The 30-second step of a code: the current one or a neighbour, as Cognito accepts
   * them; `undefined` when the code matches none.
   */
  const totpStep = (secret: string | undefined, code: string, at: number) =>
    secret === undefined
      ? Effect.succeed(undefined)
      : Effect.promise(async () => {
          for (const offset of [-30_000, 0, 30_000])
            if ((await totp(secret, at + offset)) === code) return Math.floor((at + offset) / 30_000)
          return undefined
        })

  /**
   * Checks a sign-in's authenticator code against the user's secret. A code is accepted
   * once: the step of an accepted code is recorded, and a code of that step or an earlier
   * one is refused (`CodeMismatchException`), as Cognito refuses a code already used.
   */
  const checkTotp = (action: string, user: User, code: string, at: number) =>
    Effect.gen(function* () {
      const step = yield* totpStep(user.totpSecret, code, at)
      if (step === undefined || (user.totpUsedStep !== undefined && step <= user.totpUsedStep))
        return yield* reject(action, "CodeMismatchException", "Invalid code received for user")
      user.totpUsedStep = step
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
    deviceSrpStart,
    enableTotp,
    totpStep,
    checkTotp
  }
}

/** The challenge steps of a pool. */
export type Challenges = ReturnType<typeof make>
