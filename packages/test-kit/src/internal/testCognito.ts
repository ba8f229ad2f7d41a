import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as AuthError from "@effect-cognito/core/AuthError"
import * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as TestCognito from "../TestCognito.js"
import { TestCognito as TestCognitoTag } from "../TestCognito.js"
import { makeSigner } from "./jwt.js"
import * as SrpServer from "./srpServer.js"
import { base32Encode, totp } from "./totp.js"

type Secret = Redacted.Redacted<string>
type Action = IdentityProvider.Action
type AuthResponse = IdentityProvider.AuthResponse

interface Code {
  readonly code: string
  readonly expiresAt: number
  attempts: number
}

interface User {
  readonly username: string
  readonly sub: string
  attributes: Record<string, string>
  status: TestCognito.UserStatus
  enabled: boolean
  salt: string
  verifier: bigint
  mfa: { sms: boolean; totp: boolean; email: boolean; preferred: TestCognito.MfaType | undefined }
  totpSecret: string | undefined
  pendingTotpSecret: string | undefined
  failedSignIns: number
  codes: { signUp?: Code | undefined; forgotPassword?: Code | undefined }
}

/** A challenge in progress, keyed by its session token (or SRP secret block). */
interface ChallengeSession {
  readonly username: string
  readonly challenge: string
  readonly expiresAt: number
  readonly custom: boolean
  code?: Code | undefined
  srp?: { readonly b: bigint; readonly B: bigint; readonly srpB: string; readonly srpA: string } | undefined
  customAnswer?: string | undefined
  allowed?: ReadonlyArray<string> | undefined
  totpSecret?: string | undefined
  totpVerified?: boolean | undefined
}

interface RefreshToken {
  readonly username: string
  readonly originJti: string
  readonly expiresAt: number
  readonly authTime: number
  revoked: boolean
}

const defaultPolicy: TestCognito.PasswordPolicy = {
  minimumLength: 8,
  requireUppercase: true,
  requireLowercase: true,
  requireNumbers: true,
  requireSymbols: true
}

const standardAttributes = new Set([
  "address",
  "birthdate",
  "email",
  "email_verified",
  "family_name",
  "gender",
  "given_name",
  "locale",
  "middle_name",
  "name",
  "nickname",
  "phone_number",
  "phone_number_verified",
  "picture",
  "preferred_username",
  "profile",
  "updated_at",
  "website",
  "zoneinfo"
])

const mfaChallenge: Readonly<Record<TestCognito.MfaType, IdentityProvider.ChallengeName>> = {
  SMS: "SMS_MFA",
  TOTP: "SOFTWARE_TOKEN_MFA",
  EMAIL: "EMAIL_OTP"
}

const timestampPattern =
  /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([1-9]|[12]\d|3[01]) \d{2}:\d{2}:\d{2} UTC \d{4}$/

const maskEmail = (email: string) => {
  const [local = "", domain = ""] = email.split("@")
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***`
}
const maskPhone = (phone: string) => `+${"*".repeat(Math.max(0, phone.length - 5))}${phone.slice(-4)}`

const toBase64 = (bytes: Uint8Array) => {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")

/** SECRET_HASH, computed here independently of the client's implementation. */
const expectedSecretHash = async (secret: string, username: string, clientId: string) => {
  const encoder = new TextEncoder()
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign"
  ])
  return toBase64(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(username + clientId))))
}

const millis = (input: Duration.DurationInput | undefined, fallback: Duration.DurationInput) =>
  Duration.toMillis(Duration.decode(input ?? fallback))

export const make = (options: TestCognito.Options) =>
  Effect.gen(function* () {
    const region = options.region ?? "us-east-1"
    const config = yield* AuthConfig.make({
      region,
      userPoolId: options.userPoolId ?? `${region}_TestPool1`,
      clientId: options.clientId ?? "testclient1234567890",
      clientSecret: options.clientSecret === undefined ? undefined : Redacted.make(options.clientSecret),
      ...options.config
    })
    const policy = { ...defaultPolicy, ...options.passwordPolicy }
    const poolMfa = options.mfa ?? "OPTIONAL"
    const poolMfaTypes = options.mfaTypes ?? ["SMS", "TOTP", "EMAIL"]
    const attemptLimit = options.attemptLimit ?? 5
    const validity = {
      access: millis(options.tokenValidity?.accessToken, "1 hour"),
      id: millis(options.tokenValidity?.idToken, "1 hour"),
      refresh: millis(options.tokenValidity?.refreshToken, "30 days"),
      signUpCode: millis(options.codeValidity?.signUp, "24 hours"),
      forgotCode: millis(options.codeValidity?.forgotPassword, "1 hour"),
      mfaCode: millis(options.codeValidity?.mfa, "3 minutes"),
      session: millis(options.sessionValidity, "3 minutes")
    }
    const issuer = `https://cognito-idp.${region}.amazonaws.com/${config.userPoolId}`
    const signer = makeSigner(`${config.poolName}-key-1`)
    const random = SecureRandom.makeSeeded(options.seed ?? 1)
    const withRandom = <A, E>(effect: Effect.Effect<A, E, SecureRandom.SecureRandom>) =>
      Effect.provideService(effect, SecureRandom.SecureRandom, random)

    const users = new Map<string, User>()
    const sessions = new Map<string, ChallengeSession>()
    const refreshTokens = new Map<string, RefreshToken>()
    const revokedOrigins = new Set<string>()
    const outbox: Array<TestCognito.Message> = []
    const requests: Array<TestCognito.Request> = []
    const faults = new Map<Action, Array<TestCognito.Fault>>()
    let clockOffset = 0

    const now = Effect.map(Clock.currentTimeMillis, (t) => t + clockOffset)
    const randomHex = (size: number) => Effect.map(random.nextBytes(size), hex)
    const uuid = Effect.map(random.nextBytes(16), (b) => {
      b[6] = (b[6]! & 0x0f) | 0x40
      b[8] = (b[8]! & 0x3f) | 0x80
      const h = hex(b)
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
    })
    const sixDigits = Effect.map(random.nextBytes(4), (b) =>
      String(new DataView(b.buffer).getUint32(0) % 1_000_000).padStart(6, "0")
    )

    // Failures, as Cognito names them.
    const error = (action: string, exception: string, message: string) =>
      AuthError.make(AuthError.reasonFromException(exception) ?? "InvalidResponse", action, message, {
        exception,
        status: exception === "InternalErrorException" ? 500 : 400
      })
    const reject = (action: string, exception: string, message: string) =>
      Effect.fail(error(action, exception, message))

    /** Logs the request, then serves it unless a fault was injected. */
    const serve =
      (action: Action) =>
      <A>(body: Effect.Effect<A, AuthError.AuthError>): Effect.Effect<A, AuthError.AuthError> =>
        Effect.gen(function* () {
          requests.push({ action, at: yield* now })
          const queued = faults.get(action)
          const fault = queued?.shift()
          if (fault !== undefined) {
            if (fault === "Transport")
              return yield* Effect.fail(
                AuthError.make("Transport", action, "connection reset (injected by TestCognito)")
              )
            if (fault === "TooManyRequests") return yield* reject(action, "TooManyRequestsException", "Rate exceeded")
            if (fault === "InternalError")
              return yield* reject(action, "InternalErrorException", "Internal server error (injected)")
            return yield* reject(action, fault.exception, fault.message ?? "Injected by TestCognito")
          }
          return yield* body
        })

    const userNotFound = (action: string) =>
      options.preventUserExistenceErrors === true
        ? reject(action, "NotAuthorizedException", "Incorrect username or password.")
        : reject(action, "UserNotFoundException", "User does not exist.")

    const findUser = (action: string, username: string) => {
      const user = users.get(username)
      return user === undefined ? userNotFound(action) : Effect.succeed(user)
    }

    const checkSecretHash = (action: string, username: string, given: Secret | undefined) =>
      Effect.gen(function* () {
        if (options.clientSecret === undefined) return
        if (given === undefined)
          return yield* reject(
            action,
            "NotAuthorizedException",
            `Client ${config.clientId} is configured with secret but SECRET_HASH was not received`
          )
        const expected = yield* Effect.promise(() =>
          expectedSecretHash(options.clientSecret!, username, config.clientId)
        )
        if (Redacted.value(given) !== expected)
          return yield* reject(
            action,
            "NotAuthorizedException",
            `Unable to verify secret hash for client ${config.clientId}`
          )
      })

    /** Who a request names, after its SECRET_HASH is checked, as Cognito checks them: secret first. */
    const requestingUser = (action: string, username: string, secretHash: Secret | undefined) =>
      Effect.zipRight(checkSecretHash(action, username, secretHash), findUser(action, username))

    const checkClientSecret = (action: string, given: Secret | undefined) =>
      options.clientSecret !== undefined && (given === undefined || Redacted.value(given) !== options.clientSecret)
        ? reject(action, "NotAuthorizedException", `Unable to verify the client secret of ${config.clientId}`)
        : Effect.void

    const checkPolicy = (action: string, password: Secret) => {
      const p = Redacted.value(password)
      const problems = [
        p.length < policy.minimumLength ? "Password not long enough" : undefined,
        policy.requireUppercase && !/[A-Z]/.test(p) ? "Password must have uppercase characters" : undefined,
        policy.requireLowercase && !/[a-z]/.test(p) ? "Password must have lowercase characters" : undefined,
        policy.requireNumbers && !/[0-9]/.test(p) ? "Password must have numeric characters" : undefined,
        policy.requireSymbols && !/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/.test(p)
          ? "Password must have symbol characters"
          : undefined
      ].filter((x) => x !== undefined)
      return problems.length === 0
        ? Effect.void
        : reject(action, "InvalidPasswordException", `Password did not conform with policy: ${problems[0]}`)
    }

    const checkAttributes = (action: string, attributes: Readonly<Record<string, string>>) => {
      for (const [name, value] of Object.entries(attributes)) {
        if (!name.startsWith("custom:") && !standardAttributes.has(name))
          return reject(
            action,
            "InvalidParameterException",
            `Attributes did not conform to the schema: ${name}: Attribute does not exist in the schema.`
          )
        if (name === "email" && !/^[^@\s]+@[^@\s]+$/.test(value))
          return reject(action, "InvalidParameterException", "Invalid email address format.")
        if (name === "phone_number" && !/^\+\d{4,15}$/.test(value))
          return reject(action, "InvalidParameterException", "Invalid phone number format.")
      }
      return Effect.void
    }

    const setPassword = (username: string, password: Secret) =>
      withRandom(SrpServer.makeVerifier({ poolName: config.poolName, userIdForSrp: username, password }))

    const passwordMatches = (user: User, password: Secret) =>
      SrpServer.checkPassword({
        poolName: config.poolName,
        userIdForSrp: user.username,
        password,
        salt: user.salt,
        verifier: user.verifier
      })

    /** Sends a code to the user's email (or phone) and records it in the outbox. */
    const deliver = (
      user: User,
      purpose: TestCognito.Message["purpose"],
      medium: "EMAIL" | "SMS",
      lifetime: number
    ): Effect.Effect<{ code: Code; details: IdentityProvider.CodeDeliveryDetails }> =>
      Effect.gen(function* () {
        const code = yield* sixDigits
        const at = yield* now
        const destination = medium === "EMAIL" ? user.attributes.email! : user.attributes.phone_number!
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

    /** Sends a sign-up or password-reset code, replacing the user's previous one. */
    const issueCode = (user: User, slot: keyof User["codes"], medium: "EMAIL" | "SMS") =>
      Effect.map(
        deliver(
          user,
          slot === "signUp" ? "SignUp" : "ForgotPassword",
          medium,
          slot === "signUp" ? validity.signUpCode : validity.forgotCode
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

    const issueTokens = (user: User, origin?: { readonly originJti: string; readonly authTime: number }) =>
      Effect.gen(function* () {
        const at = yield* now
        const iat = Math.floor(at / 1000)
        const originJti = origin?.originJti ?? (yield* uuid)
        const authTime = origin?.authTime ?? iat
        const common = {
          sub: user.sub,
          iss: issuer,
          origin_jti: originJti,
          event_id: yield* uuid,
          auth_time: authTime,
          iat
        }
        const accessToken = yield* Effect.promise(() =>
          signer.sign({
            ...common,
            client_id: config.clientId,
            token_use: "access",
            scope: "aws.cognito.signin.user.admin",
            exp: iat + Math.floor(validity.access / 1000),
            jti: crypto.randomUUID(),
            username: user.username
          })
        )
        const idToken = yield* Effect.promise(() =>
          signer.sign({
            ...user.attributes,
            ...common,
            "cognito:username": user.username,
            aud: config.clientId,
            token_use: "id",
            exp: iat + Math.floor(validity.id / 1000),
            jti: crypto.randomUUID()
          })
        )
        return { accessToken: Redacted.make(accessToken), idToken: Redacted.make(idToken), originJti, authTime, at }
      })

    const newRefreshToken = (user: User, originJti: string, authTime: number, at: number) =>
      Effect.map(randomHex(64), (token) => {
        refreshTokens.set(token, {
          username: user.username,
          originJti,
          authTime,
          expiresAt: at + validity.refresh,
          revoked: false
        })
        return Redacted.make(token)
      })

    const authenticated = (user: User): Effect.Effect<AuthResponse> =>
      Effect.gen(function* () {
        const tokens = yield* issueTokens(user)
        const refreshToken = yield* newRefreshToken(user, tokens.originJti, tokens.authTime, tokens.at)
        return {
          _tag: "Authenticated",
          tokens: {
            accessToken: tokens.accessToken,
            idToken: tokens.idToken,
            refreshToken,
            expiresIn: Math.floor(validity.access / 1000),
            tokenType: "Bearer"
          }
        } as const
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

    const validRefreshToken = (action: string, token: Secret) =>
      Effect.gen(function* () {
        const record = refreshTokens.get(Redacted.value(token))
        if (record === undefined) return yield* reject(action, "NotAuthorizedException", "Invalid Refresh Token")
        if (record.revoked || revokedOrigins.has(record.originJti))
          return yield* reject(action, "NotAuthorizedException", "Refresh Token has been revoked")
        if ((yield* now) >= record.expiresAt)
          return yield* reject(action, "NotAuthorizedException", "Refresh Token has expired")
        const user = users.get(record.username)
        if (user === undefined) return yield* reject(action, "UserNotFoundException", "User does not exist.")
        if (!user.enabled) return yield* reject(action, "NotAuthorizedException", "User is disabled.")
        if (user.status === "RESET_REQUIRED")
          return yield* reject(action, "PasswordResetRequiredException", "Password reset required for the user")
        return { record, user }
      })

    const validAccessToken = (action: string, token: Secret) =>
      Effect.gen(function* () {
        const claims = yield* Effect.promise(() => signer.verify(Redacted.value(token)))
        if (claims === undefined || claims.token_use !== "access" || claims.client_id !== config.clientId)
          return yield* reject(action, "NotAuthorizedException", "Invalid Access Token")
        if (typeof claims.exp !== "number" || (yield* now) >= claims.exp * 1000)
          return yield* reject(action, "NotAuthorizedException", "Access Token has expired")
        if (typeof claims.origin_jti !== "string" || revokedOrigins.has(claims.origin_jti))
          return yield* reject(action, "NotAuthorizedException", "Access Token has been revoked")
        const user = users.get(String(claims.username))
        if (user === undefined) return yield* reject(action, "UserNotFoundException", "User does not exist.")
        if (!user.enabled) return yield* reject(action, "NotAuthorizedException", "User is disabled.")
        return user
      })

    const revokeUserTokens = (username: string) => {
      for (const record of refreshTokens.values())
        if (record.username === username) {
          record.revoked = true
          revokedOrigins.add(record.originJti)
        }
    }

    const param = (responses: Readonly<Record<string, Secret>>, name: string) => {
      const value = responses[name]
      return value === undefined ? undefined : Redacted.value(value)
    }

    const provider: IdentityProvider.IdentityProvider.Service = IdentityProvider.make({
      signUp: (request) =>
        serve("SignUp")(
          Effect.gen(function* () {
            yield* checkSecretHash("SignUp", request.username, request.secretHash)
            if (request.username === "" || /\s/.test(request.username))
              return yield* reject(
                "SignUp",
                "InvalidParameterException",
                "Username must not be empty or contain spaces."
              )
            if (users.has(request.username))
              return yield* reject("SignUp", "UsernameExistsException", "User already exists")
            yield* checkAttributes("SignUp", request.userAttributes)
            for (const name of options.requiredAttributes ?? [])
              if (request.userAttributes[name] === undefined)
                return yield* reject(
                  "SignUp",
                  "InvalidParameterException",
                  `Attributes did not conform to the schema: ${name}: The attribute ${name} is required`
                )
            yield* checkPolicy("SignUp", request.password)
            const { salt, verifier } = yield* setPassword(request.username, request.password)
            const sub = yield* uuid
            const user: User = {
              username: request.username,
              sub,
              attributes: { ...request.userAttributes, sub },
              status: options.autoConfirm === true ? "CONFIRMED" : "UNCONFIRMED",
              enabled: true,
              salt,
              verifier,
              mfa: { sms: false, totp: false, email: false, preferred: undefined },
              totpSecret: undefined,
              pendingTotpSecret: undefined,
              failedSignIns: 0,
              codes: {}
            }
            users.set(user.username, user)
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
      initiateAuth: (request) =>
        serve("InitiateAuth")(
          Effect.gen(function* () {
            switch (request.authFlow) {
              case "USER_SRP_AUTH": {
                const user = yield* requestingUser("InitiateAuth", request.username, request.secretHash)
                return yield* srpStart(user, request.srpA, false)
              }
              case "USER_PASSWORD_AUTH": {
                const user = yield* requestingUser("InitiateAuth", request.username, request.secretHash)
                if (!(yield* passwordMatches(user, request.password))) return yield* wrongPassword("InitiateAuth", user)
                return yield* afterPassword("InitiateAuth", user, false)
              }
              case "CUSTOM_AUTH": {
                const user = yield* requestingUser("InitiateAuth", request.username, request.secretHash)
                if (options.customAuth === undefined) return yield* customChallenge("InitiateAuth", user)
                if (request.srpA !== undefined) return yield* srpStart(user, request.srpA, true)
                if (!user.enabled) return yield* reject("InitiateAuth", "NotAuthorizedException", "User is disabled.")
                return yield* customChallenge("InitiateAuth", user)
              }
              case "REFRESH_TOKEN_AUTH": {
                const { record, user } = yield* validRefreshToken("InitiateAuth", request.refreshToken)
                yield* checkSecretHash("InitiateAuth", user.username, request.secretHash)
                const tokens = yield* issueTokens(user, record)
                return {
                  _tag: "Authenticated",
                  tokens: {
                    accessToken: tokens.accessToken,
                    idToken: tokens.idToken,
                    expiresIn: Math.floor(validity.access / 1000),
                    tokenType: "Bearer"
                  }
                } as const
              }
            }
          })
        ),
      respondToAuthChallenge: (request) =>
        serve("RespondToAuthChallenge")(
          Effect.gen(function* () {
            const action = "RespondToAuthChallenge"
            const responses = request.challengeResponses
            const username = param(responses, "USERNAME") ?? ""
            yield* checkSecretHash(action, username, responses.SECRET_HASH)
            if (request.challengeName === "PASSWORD_VERIFIER") {
              const block = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK") ?? ""
              const state = sessions.get(block)
              sessions.delete(block)
              if (state?.srp === undefined || (yield* now) >= state.expiresAt || state.username !== username)
                return yield* reject(
                  action,
                  "NotAuthorizedException",
                  "Invalid session for the user, session is expired."
                )
              const timestamp = param(responses, "TIMESTAMP") ?? ""
              if (!timestampPattern.test(timestamp))
                return yield* reject(action, "InvalidParameterException", "TIMESTAMP format is invalid.")
              const user = yield* findUser(action, username)
              const srp = state.srp
              const valid = yield* SrpServer.verifyClaim({
                poolName: config.poolName,
                userIdForSrp: user.username,
                verifier: user.verifier,
                salt: user.salt,
                b: srp.b,
                B: srp.B,
                srpA: srp.srpA,
                secretBlock: block,
                timestamp,
                signature: param(responses, "PASSWORD_CLAIM_SIGNATURE") ?? ""
              })
              if (!valid) return yield* wrongPassword(action, user)
              return yield* afterPassword(action, user, state.custom)
            }
            const state = yield* takeSession(action, request.session, request.challengeName)
            const user = yield* findUser(action, state.username)
            const at = yield* now
            const done = (response: AuthResponse) => {
              sessions.delete(Redacted.value(request.session!))
              return response
            }
            switch (request.challengeName) {
              case "SMS_MFA":
              case "EMAIL_OTP": {
                const field = request.challengeName === "SMS_MFA" ? "SMS_MFA_CODE" : "EMAIL_OTP_CODE"
                const given = responses[field]
                if (given === undefined) return yield* reject(action, "InvalidParameterException", `Missing ${field}.`)
                yield* checkCode(action, state.code, given, at)
                return done(yield* authenticated(user))
              }
              case "SOFTWARE_TOKEN_MFA": {
                const given = param(responses, "SOFTWARE_TOKEN_MFA_CODE") ?? ""
                if (!(yield* totpMatches(user.totpSecret, given, at)))
                  return yield* reject(action, "CodeMismatchException", "Invalid code received for user")
                return done(yield* authenticated(user))
              }
              case "SELECT_MFA_TYPE": {
                const answer = param(responses, "ANSWER") ?? ""
                const type = (Object.keys(mfaChallenge) as Array<TestCognito.MfaType>).find(
                  (t) => mfaChallenge[t] === answer
                )
                if (type === undefined || !(state.allowed ?? []).includes(answer))
                  return yield* reject(action, "InvalidParameterException", `Invalid MFA type ${answer}.`)
                return done(yield* mfaCodeChallenge(user, type))
              }
              case "NEW_PASSWORD_REQUIRED": {
                const password = responses.NEW_PASSWORD
                if (password === undefined)
                  return yield* reject(action, "InvalidParameterException", "Missing NEW_PASSWORD.")
                yield* checkPolicy(action, password)
                const attributes: Record<string, string> = {}
                for (const [name, value] of Object.entries(responses))
                  if (name.startsWith("userAttributes.")) attributes[name.slice(15)] = Redacted.value(value)
                yield* checkAttributes(action, attributes)
                const merged = { ...user.attributes, ...attributes }
                for (const name of options.requiredAttributes ?? [])
                  if (merged[name] === undefined)
                    return yield* reject(
                      action,
                      "InvalidParameterException",
                      `Invalid attributes given, ${name} is missing`
                    )
                const { salt, verifier } = yield* setPassword(user.username, password)
                user.attributes = merged
                user.salt = salt
                user.verifier = verifier
                user.status = "CONFIRMED"
                return done(yield* mfaStep(user))
              }
              case "CUSTOM_CHALLENGE": {
                if (param(responses, "ANSWER") !== state.customAnswer) {
                  sessions.delete(Redacted.value(request.session!))
                  return yield* reject(action, "NotAuthorizedException", "Incorrect username or password.")
                }
                return done(yield* mfaStep(user))
              }
              case "MFA_SETUP": {
                if (state.totpVerified !== true)
                  return yield* reject(action, "InvalidParameterException", "Verify a software token before MFA_SETUP.")
                return done(yield* authenticated(user))
              }
              default:
                return yield* reject(action, "InvalidParameterException", `Unknown challenge ${request.challengeName}.`)
            }
          })
        ),
      getTokensFromRefreshToken: (request) =>
        serve("GetTokensFromRefreshToken")(
          Effect.gen(function* () {
            yield* checkClientSecret("GetTokensFromRefreshToken", request.clientSecret)
            const { record, user } = yield* validRefreshToken("GetTokensFromRefreshToken", request.refreshToken)
            record.revoked = true
            const tokens = yield* issueTokens(user, record)
            const refreshToken = yield* newRefreshToken(user, record.originJti, record.authTime, tokens.at)
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
              if ((yield* Effect.promise(() => signer.verify(Redacted.value(request.token)))) !== undefined)
                return yield* reject(
                  "RevokeToken",
                  "UnsupportedTokenTypeException",
                  "Only refresh tokens can be revoked."
                )
              return
            }
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
            user.failedSignIns = 0
            if (user.status === "RESET_REQUIRED" || user.status === "FORCE_CHANGE_PASSWORD") user.status = "CONFIRMED"
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
        ),
      associateSoftwareToken: (request) =>
        serve("AssociateSoftwareToken")(
          Effect.gen(function* () {
            const secret = base32Encode(yield* random.nextBytes(20))
            if (request.accessToken !== undefined) {
              const user = yield* validAccessToken("AssociateSoftwareToken", request.accessToken)
              user.pendingTotpSecret = secret
              return { secretCode: Redacted.make(secret) }
            }
            const state = yield* takeSession("AssociateSoftwareToken", request.session, "MFA_SETUP")
            sessions.delete(Redacted.value(request.session))
            const session = yield* newSession({ ...state, totpSecret: secret })
            return { secretCode: Redacted.make(secret), session }
          })
        ),
      verifySoftwareToken: (request) =>
        serve("VerifySoftwareToken")(
          Effect.gen(function* () {
            const at = yield* now
            const mismatch = reject(
              "VerifySoftwareToken",
              "EnableSoftwareTokenMFAException",
              "Code mismatch and fail enable Software Token MFA"
            )
            if (request.accessToken !== undefined) {
              const user = yield* validAccessToken("VerifySoftwareToken", request.accessToken)
              if (!(yield* totpMatches(user.pendingTotpSecret, Redacted.value(request.userCode), at)))
                return yield* mismatch
              enableTotp(user, user.pendingTotpSecret!)
              return { status: "SUCCESS" as const }
            }
            const state = yield* takeSession("VerifySoftwareToken", request.session, "MFA_SETUP")
            if (!(yield* totpMatches(state.totpSecret, Redacted.value(request.userCode), at))) return yield* mismatch
            const user = yield* findUser("VerifySoftwareToken", state.username)
            enableTotp(user, state.totpSecret!)
            sessions.delete(Redacted.value(request.session))
            const session = yield* newSession({ ...state, totpVerified: true })
            return { status: "SUCCESS" as const, session }
          })
        )
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

    const admin = (username: string) => findUser("Admin", username)

    const service: TestCognito.TestCognito.Service = {
      provider,
      config,
      issuer,
      lastCodeFor: (username) =>
        Effect.suspend(() => {
          for (let i = outbox.length - 1; i >= 0; i--)
            if (outbox[i]!.username === username) return Effect.succeed(outbox[i]!.code)
          return Effect.fail(new Cause.NoSuchElementException(`no code was sent to ${username}`))
        }),
      outbox: Effect.sync(() => [...outbox]),
      requests: Effect.sync(() => [...requests]),
      requestCount: (action) =>
        Effect.sync(() =>
          action === undefined ? requests.length : requests.filter((r) => r.action === action).length
        ),
      failNext: (action, fault, times = 1) =>
        Effect.sync(() => {
          const queue = faults.get(action) ?? []
          for (let i = 0; i < times; i++) queue.push(fault)
          faults.set(action, queue)
        }),
      setClockOffset: (offset) =>
        Effect.sync(() => {
          clockOffset = Duration.toMillis(Duration.decode(offset))
        }),
      adminCreateUser: (input) =>
        Effect.gen(function* () {
          if (users.has(input.username))
            return yield* reject("AdminCreateUser", "UsernameExistsException", "User account already exists")
          const attributes = input.userAttributes ?? {}
          yield* checkAttributes("AdminCreateUser", attributes)
          const { salt, verifier } = yield* setPassword(input.username, input.temporaryPassword)
          const sub = yield* uuid
          users.set(input.username, {
            username: input.username,
            sub,
            attributes: {
              ...attributes,
              sub,
              ...(attributes.email === undefined ? {} : { email_verified: "true" }),
              ...(attributes.phone_number === undefined ? {} : { phone_number_verified: "true" })
            },
            status: "FORCE_CHANGE_PASSWORD",
            enabled: true,
            salt,
            verifier,
            mfa: { sms: false, totp: false, email: false, preferred: undefined },
            totpSecret: undefined,
            pendingTotpSecret: undefined,
            failedSignIns: 0,
            codes: {}
          })
        }),
      adminSetUserMfa: (username, settings) =>
        Effect.gen(function* () {
          const user = yield* admin(username)
          if (settings.totp === true && user.totpSecret === undefined)
            return yield* reject(
              "AdminSetUserMFAPreference",
              "InvalidParameterException",
              "User has not set up software token MFA"
            )
          if (settings.sms !== undefined) user.mfa.sms = settings.sms
          if (settings.totp !== undefined) user.mfa.totp = settings.totp
          if (settings.email !== undefined) user.mfa.email = settings.email
          if (settings.preferred !== undefined) user.mfa.preferred = settings.preferred
        }),
      adminEnableTotp: (username) =>
        Effect.gen(function* () {
          const user = yield* admin(username)
          const secret = base32Encode(yield* random.nextBytes(20))
          enableTotp(user, secret)
          return Redacted.make(secret)
        }),
      totpCode: (secret) =>
        Effect.flatMap(now, (at) => Effect.promise(() => totp(Redacted.value(secret), at))).pipe(
          Effect.map(Redacted.make)
        ),
      adminDisableUser: (username) =>
        Effect.map(admin(username), (user) => {
          user.enabled = false
        }),
      adminDeleteUser: (username) =>
        Effect.map(admin(username), () => {
          users.delete(username)
        }),
      adminResetUserPassword: (username) =>
        Effect.map(admin(username), (user) => {
          user.status = "RESET_REQUIRED"
        }),
      adminGetUser: (username) =>
        Effect.map(admin(username), (user) => ({
          status: user.status,
          enabled: user.enabled,
          attributes: { ...user.attributes }
        })),
      jwks: Effect.promise(() => signer.jwks())
    }

    return Context.make(TestCognitoTag, service)
      .pipe(Context.add(IdentityProvider.IdentityProvider, provider))
      .pipe(Context.add(AuthConfig.AuthConfig, config))
  })
