/**
 * The sign-in actions: InitiateAuth (SRP, password, custom, refresh),
 * RespondToAuthChallenge (every challenge TestCognito issues, device SRP included) and the
 * MFA-setup pair AssociateSoftwareToken / VerifySoftwareToken.
 *
 * A `DEVICE_KEY` may come with InitiateAuth and with any challenge answer (clients that
 * learn the user only from `USER_ID_FOR_SRP` send it first with PASSWORD_VERIFIER); the
 * latest one given names the device the sign-in runs on. It is checked before a
 * challenge's session is spent, so a client told the device does not exist
 * (`ResourceNotFoundException`) can answer the same challenge again without it.
 *
 * @internal
 */
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as TestCognito from "../../TestCognito.js"
import * as SrpServer from "../srpServer.js"
import { base32Encode } from "../totp.js"
import { type Challenges, mfaChallenge } from "./challenges.js"
import type { Codes } from "./codes.js"
import type { Devices } from "./devices.js"
import type { Passwordless } from "./passwordless.js"
import type { Policy } from "./policy.js"
import type { AuthResponse, Secret, State } from "./state.js"
import type { Tokens } from "./tokens.js"
import type { WebAuthnServer } from "./webAuthn.js"

const timestampPattern =
  /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([1-9]|[12]\d|3[01]) \d{2}:\d{2}:\d{2} UTC \d{4}$/

const param = (responses: Readonly<Record<string, Secret>>, name: string) => {
  const value = responses[name]
  return value === undefined ? undefined : Redacted.value(value)
}

/** The sign-in actions of one pool. */
export const make = (
  state: State,
  policy: Policy,
  codes: Codes,
  tokens: Tokens,
  challenges: Challenges,
  devices: Devices,
  passwordless: Passwordless,
  webAuthn: WebAuthnServer
): Pick<
  IdentityProvider.IdentityProvider.Service,
  "initiateAuth" | "respondToAuthChallenge" | "associateSoftwareToken" | "verifySoftwareToken"
> => {
  const { options, config, validity, sessions, random, now, serve, reject, findUser, touch } = state
  const { requestingUser, checkUsername, checkSecretHash, checkPolicy, checkAttributes, setPassword, passwordMatches } =
    policy
  const { checkCode } = codes
  const { issueTokens, authenticated, validRefreshToken, validAccessToken } = tokens
  const {
    newSession,
    takeSession,
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
  } = challenges
  const { knownDevice, refreshDevice } = devices
  return {
    initiateAuth: (request) =>
      serve("InitiateAuth", { deviceKey: request.deviceKey })(
        Effect.gen(function* () {
          switch (request.authFlow) {
            case "USER_SRP_AUTH": {
              const user = yield* requestingUser("InitiateAuth", request.username, request.secretHash)
              const device = yield* knownDevice("InitiateAuth", user, request.deviceKey)
              return yield* srpStart(user, request.srpA, false, device)
            }
            case "USER_PASSWORD_AUTH": {
              const user = yield* requestingUser("InitiateAuth", request.username, request.secretHash)
              const device = yield* knownDevice("InitiateAuth", user, request.deviceKey)
              if (!(yield* passwordMatches(user, request.password))) return yield* wrongPassword("InitiateAuth", user)
              return yield* afterPassword("InitiateAuth", user, false, device)
            }
            case "CUSTOM_AUTH": {
              const user = yield* requestingUser("InitiateAuth", request.username, request.secretHash)
              if (options.customAuth === undefined) return yield* customChallenge("InitiateAuth", user)
              if (request.srpA !== undefined) return yield* srpStart(user, request.srpA, true)
              if (!user.enabled) return yield* reject("InitiateAuth", "NotAuthorizedException", "User is disabled.")
              return yield* customChallenge("InitiateAuth", user)
            }
            case "USER_AUTH":
              return yield* passwordless.userAuth(request)
            case "REFRESH_TOKEN_AUTH": {
              const { record, user } = yield* validRefreshToken("InitiateAuth", request.refreshToken)
              yield* checkSecretHash("InitiateAuth", user.username, request.secretHash)
              const device = yield* refreshDevice("InitiateAuth", record, request.deviceKey)
              const tokens = yield* issueTokens(user, record, device?.deviceKey)
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
      serve("RespondToAuthChallenge", {
        challengeName: request.challengeName,
        deviceKey: param(request.challengeResponses, "DEVICE_KEY")
      })(
        Effect.gen(function* () {
          const action = "RespondToAuthChallenge"
          const responses = request.challengeResponses
          const username = param(responses, "USERNAME") ?? ""
          yield* checkUsername(action, username, "challengeResponses.USERNAME")
          yield* checkSecretHash(action, username, responses.SECRET_HASH)
          const givenDeviceKey = param(responses, "DEVICE_KEY")
          if (request.challengeName === "PASSWORD_VERIFIER") {
            const block = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK") ?? ""
            const state = sessions.get(block)
            if (state?.srp === undefined || (yield* now) >= state.expiresAt || state.username !== username) {
              sessions.delete(block)
              return yield* reject(
                action,
                "NotAuthorizedException",
                "Invalid session for the user, session is expired."
              )
            }
            const user = yield* findUser(action, username)
            // Before the session is spent: a client told so answers again without the key.
            const device = yield* knownDevice(action, user, givenDeviceKey ?? state.deviceKey)
            sessions.delete(block)
            const timestamp = param(responses, "TIMESTAMP") ?? ""
            if (!timestampPattern.test(timestamp))
              return yield* reject(action, "InvalidParameterException", "TIMESTAMP format is invalid.")
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
            return yield* afterPassword(action, user, state.custom, device)
          }
          const state = yield* takeSession(action, request.session, request.challengeName)
          const user = yield* findUser(action, state.username)
          const device = yield* knownDevice(action, user, givenDeviceKey ?? state.deviceKey)
          const at = yield* now
          const done = (response: AuthResponse) => {
            sessions.delete(Redacted.value(request.session!))
            return response
          }
          switch (request.challengeName) {
            case "SMS_MFA":
            case "SMS_OTP":
            case "EMAIL_OTP": {
              const field =
                request.challengeName === "SMS_MFA"
                  ? "SMS_MFA_CODE"
                  : request.challengeName === "SMS_OTP"
                    ? "SMS_OTP_CODE"
                    : "EMAIL_OTP_CODE"
              const given = responses[field]
              if (given === undefined) return yield* reject(action, "InvalidParameterException", `Missing ${field}.`)
              yield* checkCode(action, state.code, given, at)
              return done(yield* authenticated(user, device))
            }
            case "SOFTWARE_TOKEN_MFA": {
              yield* checkTotp(action, user, param(responses, "SOFTWARE_TOKEN_MFA_CODE") ?? "", at)
              return done(yield* authenticated(user, device))
            }
            case "DEVICE_SRP_AUTH": {
              // The device the challenge was issued for, which the answer must name.
              if (device === undefined || device.deviceKey !== state.deviceKey || device.secret === undefined)
                return yield* reject(action, "NotAuthorizedException", "Incorrect username or password.")
              const srpA = param(responses, "SRP_A") ?? ""
              if (!SrpServer.isValidSrpA(srpA))
                return yield* reject(action, "InvalidParameterException", "SRP_A is not a valid SRP public value.")
              return done(yield* deviceSrpStart(user, device, device.secret, srpA))
            }
            case "DEVICE_PASSWORD_VERIFIER": {
              sessions.delete(Redacted.value(request.session!))
              if (device === undefined || device.deviceKey !== state.deviceKey || device.secret === undefined)
                return yield* reject(action, "NotAuthorizedException", "Incorrect username or password.")
              const block = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK") ?? ""
              const timestamp = param(responses, "TIMESTAMP") ?? ""
              if (!timestampPattern.test(timestamp))
                return yield* reject(action, "InvalidParameterException", "TIMESTAMP format is invalid.")
              const valid =
                state.srp !== undefined &&
                block === state.secretBlock &&
                (yield* SrpServer.verifyDeviceClaim({
                  deviceGroupKey: device.deviceGroupKey,
                  deviceKey: device.deviceKey,
                  verifier: device.secret.verifier,
                  b: state.srp.b,
                  B: state.srp.B,
                  srpA: state.srp.srpA,
                  secretBlock: block,
                  timestamp,
                  signature: param(responses, "PASSWORD_CLAIM_SIGNATURE") ?? ""
                }))
              if (!valid) return yield* reject(action, "NotAuthorizedException", "Incorrect username or password.")
              return yield* authenticated(user, device)
            }
            case "SELECT_MFA_TYPE": {
              const answer = param(responses, "ANSWER") ?? ""
              const type = (Object.keys(mfaChallenge) as Array<TestCognito.MfaType>).find(
                (t) => mfaChallenge[t] === answer
              )
              if (type === undefined || !(state.allowed ?? []).includes(answer))
                return yield* reject(action, "InvalidParameterException", `Invalid MFA type ${answer}.`)
              return done(yield* mfaCodeChallenge(user, type, device))
            }
            case "NEW_PASSWORD_REQUIRED": {
              const password = responses.NEW_PASSWORD
              if (password === undefined)
                return yield* reject(action, "InvalidParameterException", "Missing NEW_PASSWORD.")
              yield* checkPolicy(action, password)
              const attributes: Record<string, string> = {}
              for (const [name, value] of Object.entries(responses))
                if (name.startsWith("userAttributes.")) attributes[name.slice(15)] = Redacted.value(value)
              yield* checkAttributes(action, attributes, user.attributes)
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
              user.temporaryPasswordExpiresAt = undefined
              yield* touch(user)
              return done(yield* mfaStep(user, device))
            }
            case "CUSTOM_CHALLENGE": {
              if (param(responses, "ANSWER") !== state.customAnswer) {
                sessions.delete(Redacted.value(request.session!))
                return yield* reject(action, "NotAuthorizedException", "Incorrect username or password.")
              }
              return done(yield* mfaStep(user, device))
            }
            case "MFA_SETUP": {
              if (state.totpVerified !== true)
                return yield* reject(action, "InvalidParameterException", "Verify a software token before MFA_SETUP.")
              return done(yield* authenticated(user, device))
            }
            case "SELECT_CHALLENGE": {
              const response = yield* passwordless.answerSelection(action, user, state.allowed, responses, device)
              return done(response)
            }
            case "WEB_AUTHN": {
              // Spent either way: an assertion is checked against its challenge once.
              sessions.delete(Redacted.value(request.session!))
              yield* webAuthn.checkAssertion(
                action,
                user,
                state.webAuthnChallenge,
                param(responses, "CREDENTIAL") ?? ""
              )
              return yield* authenticated(user, device)
            }
            case "ADMIN_NO_SRP_AUTH":
            case "PASSWORD":
            case "PASSWORD_SRP":
              return yield* reject(action, "InvalidParameterException", `Unknown challenge ${request.challengeName}.`)
          }
        })
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
            const step = yield* totpStep(user.pendingTotpSecret, Redacted.value(request.userCode), at)
            if (step === undefined) return yield* mismatch
            enableTotp(user, user.pendingTotpSecret!, step)
            return { status: "SUCCESS" as const }
          }
          const state = yield* takeSession("VerifySoftwareToken", request.session, "MFA_SETUP")
          const step = yield* totpStep(state.totpSecret, Redacted.value(request.userCode), at)
          if (step === undefined) return yield* mismatch
          const user = yield* findUser("VerifySoftwareToken", state.username)
          enableTotp(user, state.totpSecret!, step)
          sessions.delete(Redacted.value(request.session))
          const session = yield* newSession({ ...state, totpVerified: true })
          return { status: "SUCCESS" as const, session }
        })
      )
  }
}
