/**
 * The sign-in actions: InitiateAuth (SRP, password, custom, refresh),
 * RespondToAuthChallenge (every challenge TestCognito issues) and the MFA-setup pair
 * AssociateSoftwareToken / VerifySoftwareToken.
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
import type { Policy } from "./policy.js"
import type { AuthResponse, Secret, State } from "./state.js"
import type { Tokens } from "./tokens.js"

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
  challenges: Challenges
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
    enableTotp,
    totpMatches
  } = challenges
  return {
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
          yield* checkUsername(action, username, "challengeResponses.USERNAME")
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
            case "SELECT_CHALLENGE":
            case "DEVICE_SRP_AUTH":
            case "DEVICE_PASSWORD_VERIFIER":
            case "ADMIN_NO_SRP_AUTH":
            case "SMS_OTP":
            case "PASSWORD":
            case "WEB_AUTHN":
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
  }
}
