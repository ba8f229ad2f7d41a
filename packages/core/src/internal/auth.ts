import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import type * as Auth from "../Auth.js"
import * as AuthConfig from "../AuthConfig.js"
import * as AuthError from "../AuthError.js"
import * as IdentityProvider from "../IdentityProvider.js"
import * as SecureRandom from "../SecureRandom.js"
import * as Srp from "../Srp.js"
import * as SrpMath from "../SrpMath.js"
import * as TokenStore from "../TokenStore.js"
import * as Jwt from "./jwt.js"

type Secret = Redacted.Redacted<string>
type Response = IdentityProvider.AuthResponse
type Challenge = Extract<Response, { readonly _tag: "Challenge" }>

/** The same constructors as `Auth.SignInResult`, built here so this module does not read Auth.ts at load. */
const SignInResult = Data.taggedEnum<Auth.SignInResult>()

/** A challenge waiting for `confirmSignIn`. */
interface Pending {
  /** The USERNAME Cognito expects in the answer. */
  readonly username: string
  readonly challengeName: string
  readonly session: Secret | undefined
  readonly parameters: Readonly<Record<string, string>>
}

/** The session with what the hot path needs already decoded. */
interface Current {
  readonly session: TokenStore.Session
  readonly tokens: Auth.Tokens
  /** The earlier expiry of the access and id tokens, by the server's clock (ms). */
  readonly expiresAtMillis: number
}

const mfaNames: Readonly<Record<string, Auth.MfaType>> = {
  SMS_MFA: "SMS",
  SOFTWARE_TOKEN_MFA: "TOTP",
  EMAIL_OTP: "EMAIL"
}
const mfaChallengeNames: Readonly<Record<Auth.MfaType, string>> = {
  SMS: "SMS_MFA",
  TOTP: "SOFTWARE_TOKEN_MFA",
  EMAIL: "EMAIL_OTP"
}

/** Reasons that mean the refresh token is no good any more: the session is over. */
const endsSession = (error: AuthError.AuthError) =>
  error.reason === "NotAuthorized" ||
  error.reason === "UserNotFound" ||
  error.reason === "PasswordResetRequired" ||
  error.reason === "RefreshTokenReuse"

const fail = (reason: AuthError.Reason, method: string, description: string) =>
  Effect.fail(AuthError.make(reason, method, description))

const parseList = (value: string | undefined): ReadonlyArray<string> => {
  if (value === undefined || value === "") return []
  try {
    const parsed: unknown = JSON.parse(value)
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === "string") : []
  } catch {
    return []
  }
}

const parseRecord = (value: string | undefined): Readonly<Record<string, string>> => {
  if (value === undefined || value === "") return {}
  try {
    const parsed: unknown = JSON.parse(value)
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {}
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(parsed)) if (typeof v === "string") out[k] = v
    return out
  } catch {
    return {}
  }
}

const toMfaTypes = (names: ReadonlyArray<string>): ReadonlyArray<Auth.MfaType> =>
  names.flatMap((name) => {
    const type = mfaNames[name]
    return type === undefined ? [] : [type]
  })

const codeDelivery = (parameters: Readonly<Record<string, string>>, fallback: "EMAIL" | "SMS") => ({
  deliveryMedium: (parameters.CODE_DELIVERY_DELIVERY_MEDIUM === "EMAIL"
    ? "EMAIL"
    : parameters.CODE_DELIVERY_DELIVERY_MEDIUM === "SMS"
      ? "SMS"
      : fallback) as "EMAIL" | "SMS",
  destination: parameters.CODE_DELIVERY_DESTINATION ?? "",
  attributeName: fallback === "EMAIL" ? "email" : "phone_number"
})

export const totpSetupUri = (secret: Secret, options: { readonly issuer: string; readonly accountName: string }) => {
  const issuer = encodeURIComponent(options.issuer)
  return `otpauth://totp/${issuer}:${encodeURIComponent(options.accountName)}?secret=${Redacted.value(secret)}&issuer=${issuer}`
}

export const make = Effect.gen(function* () {
  const config = yield* AuthConfig.AuthConfig
  const provider = yield* IdentityProvider.IdentityProvider
  const store = yield* TokenStore.TokenStore
  const random = yield* SecureRandom.SecureRandom
  const srpMath = yield* SrpMath.SrpMath
  const scope = yield* Effect.scope

  const secretHash = (username: string): Effect.Effect<Secret | undefined> =>
    config.clientSecret === undefined
      ? Effect.succeed(undefined)
      : Srp.secretHash(username, config.clientId, config.clientSecret)

  /** The hot path's view of a session whose tokens' claims are already decoded. */
  const currentOf = (session: TokenStore.Session, access: Jwt.Claims, id: Jwt.Claims): Current => ({
    session,
    tokens: {
      idToken: session.idToken,
      accessToken: session.accessToken,
      refreshToken: session.refreshToken,
      sub: access.sub,
      username: session.username,
      expiresAt: new Date(access.exp * 1000),
      issuedAt: new Date(access.iat * 1000)
    },
    expiresAtMillis: Math.min(access.exp, id.exp) * 1000
  })

  /** Decodes the claims of both tokens; fails with `InvalidResponse` on tokens that are not JWTs. */
  const claimsOf = (tokens: { readonly accessToken: Secret; readonly idToken: Secret }, method: string) =>
    Effect.all({
      access: Jwt.claims(tokens.accessToken, "access token", method),
      id: Jwt.claims(tokens.idToken, "id token", method)
    })

  /** A stored session, decoded for the hot path. */
  const toCurrent = (session: TokenStore.Session, method: string) =>
    Effect.map(claimsOf(session, method), ({ access, id }) => currentOf(session, access, id))

  /**
   * The session of tokens that just arrived: the username from the tokens (Cognito's, not an
   * alias), and the clock skew measured from their `iat` against `Clock` now.
   */
  const received = (
    result: IdentityProvider.AuthenticationResult,
    previous: { readonly username: string; readonly refreshToken: Secret; readonly identityId?: string | undefined },
    method: string
  ) =>
    Effect.gen(function* () {
      const { access, id } = yield* claimsOf(result, method)
      const now = yield* Clock.currentTimeMillis
      const session = new TokenStore.Session({
        username: access.username ?? id["cognito:username"] ?? previous.username,
        idToken: result.idToken,
        accessToken: result.accessToken,
        refreshToken: result.refreshToken ?? previous.refreshToken,
        ...(previous.identityId === undefined ? {} : { identityId: previous.identityId }),
        clockSkewMillis: Math.min(access.iat, id.iat) * 1000 - now
      })
      return currentOf(session, access, id)
    })

  const restored = yield* store.load.pipe(
    Effect.flatMap(
      Option.match({
        onNone: () => Effect.succeed(Option.none<Current>()),
        onSome: (session) =>
          toCurrent(session, "restore").pipe(
            Effect.map(Option.some),
            Effect.catchAll((error) =>
              Effect.logWarning(
                "effect-cognito: the stored session holds unreadable tokens; treating it as signed out"
              ).pipe(
                Effect.annotateLogs({ problem: error.message }),
                Effect.zipRight(store.clear),
                Effect.as(Option.none<Current>())
              )
            )
          )
      })
    )
  )

  /** The session and its decoded tokens. A plain cell: every write happens under `lock`, and reads are atomic in JS. */
  const current = { value: restored }
  const readCurrent = Effect.sync(() => current.value)
  const writeCurrent = (next: Option.Option<Current>) =>
    Effect.sync(() => {
      current.value = next
    })
  /** Bumped by every sign-in and sign-out, so a refresh that started before cannot write after. */
  const epoch = yield* Ref.make(0)
  const pending = yield* Ref.make(Option.none<Pending>())
  const state = yield* SubscriptionRef.make<Auth.UserState>(Option.isSome(restored) ? "SignedIn" : "SignedOut")
  const inflight = yield* Ref.make(Option.none<Deferred.Deferred<Auth.Tokens, AuthError.AuthError>>())
  const lock = yield* Effect.makeSemaphore(1)

  const stateLock = yield* Effect.makeSemaphore(1)
  /** Publishes a change only when the state really changes: a SubscriptionRef publishes every write. */
  const setState = (next: Auth.UserState) =>
    stateLock.withPermits(1)(
      Effect.flatMap(SubscriptionRef.get(state), (previous) =>
        previous === next
          ? Effect.void
          : Effect.zipRight(
              Effect.logDebug(`effect-cognito: user state ${previous} -> ${next}`),
              SubscriptionRef.set(state, next)
            )
      )
    )

  const serverNow = (session: TokenStore.Session) =>
    Effect.map(Clock.currentTimeMillis, (now) => now + session.clockSkewMillis)

  /** Stores the tokens of a successful sign-in and marks the user signed in. */
  const establish = (fallbackUsername: string, result: IdentityProvider.AuthenticationResult, method: string) =>
    Effect.gen(function* () {
      if (result.refreshToken === undefined)
        return yield* fail("InvalidResponse", method, "Cognito returned no refresh token on sign-in")
      const next = yield* received(result, { username: fallbackUsername, refreshToken: result.refreshToken }, method)
      const { session } = next
      yield* lock.withPermits(1)(
        Effect.gen(function* () {
          yield* store.save(session)
          yield* writeCurrent(Option.some(next))
          yield* Ref.update(epoch, (n) => n + 1)
          yield* Ref.set(pending, Option.none())
        })
      )
      yield* setState("SignedIn")
      yield* Effect.logDebug("effect-cognito: signed in").pipe(Effect.annotateLogs({ username: session.username }))
      return SignInResult.SignedIn()
    })

  /** Turns Cognito's answer into the next step, remembering a challenge for `confirmSignIn`. */
  const next = (
    response: Response,
    username: string,
    method: string
  ): Effect.Effect<Auth.SignInResult, AuthError.AuthError> => {
    if (response._tag === "Authenticated") return establish(username, response.tokens, method)
    return Effect.gen(function* () {
      const parameters = response.parameters
      const remember = (session: Secret | undefined) =>
        Ref.set(
          pending,
          Option.some<Pending>({
            username: parameters.USERNAME ?? parameters.USER_ID_FOR_SRP ?? username,
            challengeName: response.challengeName,
            session,
            parameters
          })
        )
      yield* Effect.logDebug(`effect-cognito: challenge ${response.challengeName}`)
      switch (response.challengeName) {
        case "SMS_MFA":
          yield* remember(response.session)
          return SignInResult.SmsMfa({ codeDeliveryDetails: codeDelivery(parameters, "SMS") })
        case "SOFTWARE_TOKEN_MFA":
          yield* remember(response.session)
          return SignInResult.SoftwareTokenMfa()
        case "EMAIL_OTP":
          yield* remember(response.session)
          return SignInResult.EmailOtp({ codeDeliveryDetails: codeDelivery(parameters, "EMAIL") })
        case "SELECT_MFA_TYPE":
          yield* remember(response.session)
          return SignInResult.SelectMfaType({ allowedMfaTypes: toMfaTypes(parseList(parameters.MFAS_CAN_CHOOSE)) })
        case "MFA_SETUP": {
          const allowed = toMfaTypes(parseList(parameters.MFAS_CAN_SETUP))
          if (!allowed.includes("TOTP"))
            return yield* fail(
              "UnsupportedOperation",
              method,
              `MFA setup for ${allowed.join(", ") || "no method"} is not supported; allow TOTP in the user pool`
            )
          if (response.session === undefined)
            return yield* fail("InvalidResponse", method, "MFA_SETUP came without a session")
          const association = yield* provider.associateSoftwareToken({ session: response.session })
          yield* remember(association.session ?? response.session)
          return SignInResult.MfaSetup({ allowedMfaTypes: allowed, totpSharedSecret: association.secretCode })
        }
        case "NEW_PASSWORD_REQUIRED": {
          yield* remember(response.session)
          const required = parseList(parameters.requiredAttributes).map((name) => name.replace(/^userAttributes\./, ""))
          return SignInResult.NewPasswordRequired({
            requiredAttributes: required,
            userAttributes: parseRecord(parameters.userAttributes)
          })
        }
        case "CUSTOM_CHALLENGE":
          yield* remember(response.session)
          return SignInResult.CustomChallenge({ parameters })
        default:
          yield* Ref.set(pending, Option.none())
          return yield* fail("UnsupportedOperation", method, `the challenge ${response.challengeName} is not supported`)
      }
    })
  }

  /** Answers PASSWORD_VERIFIER with the SRP password claim. */
  const passwordVerifier = (
    challenge: Challenge,
    ephemeral: Srp.Ephemeral,
    password: Secret,
    clientMetadata: Readonly<Record<string, string>> | undefined
  ) =>
    Effect.gen(function* () {
      const { USER_ID_FOR_SRP, SALT, SRP_B, SECRET_BLOCK } = challenge.parameters
      if (USER_ID_FOR_SRP === undefined || SALT === undefined || SRP_B === undefined || SECRET_BLOCK === undefined)
        return yield* fail(
          "InvalidResponse",
          "signIn",
          "PASSWORD_VERIFIER lacks one of USER_ID_FOR_SRP, SALT, SRP_B, SECRET_BLOCK"
        )
      const timestamp = Srp.formatTimestamp(new Date(yield* Clock.currentTimeMillis))
      const claim = yield* Srp.passwordClaim({
        poolName: config.poolName,
        userIdForSrp: USER_ID_FOR_SRP,
        password,
        ephemeral,
        salt: SALT,
        srpB: SRP_B,
        secretBlock: SECRET_BLOCK,
        timestamp
      }).pipe(Effect.provideService(SrpMath.SrpMath, srpMath))
      // Cognito names the user in USERNAME (the real username when signing in with an alias);
      // USER_ID_FOR_SRP only enters the SRP math.
      const username = challenge.parameters.USERNAME ?? USER_ID_FOR_SRP
      const hash = yield* secretHash(username)
      return yield* provider.respondToAuthChallenge({
        challengeName: "PASSWORD_VERIFIER",
        session: challenge.session,
        challengeResponses: {
          USERNAME: Redacted.make(username),
          PASSWORD_CLAIM_SECRET_BLOCK: Redacted.make(SECRET_BLOCK),
          TIMESTAMP: Redacted.make(timestamp),
          PASSWORD_CLAIM_SIGNATURE: Redacted.make(claim.signature),
          ...(hash === undefined ? {} : { SECRET_HASH: hash })
        },
        clientMetadata
      })
    })

  const requirePassword = (input: Auth.SignInInput) =>
    input.password === undefined
      ? fail("InvalidInput", "signIn", `the ${input.flow ?? "USER_SRP_AUTH"} flow needs a password`)
      : Effect.succeed(input.password)

  const signIn = (input: Auth.SignInInput) =>
    Effect.gen(function* () {
      if (input.username.trim() === "") return yield* fail("InvalidInput", "signIn", "username is empty")
      if (Option.isSome(yield* readCurrent))
        return yield* fail("AlreadySignedIn", "signIn", "a user is signed in; sign out first")
      yield* Ref.set(pending, Option.none())
      const flow = input.flow ?? "USER_SRP_AUTH"
      const hash = yield* secretHash(input.username)
      const common = { username: input.username, secretHash: hash, clientMetadata: input.clientMetadata }
      let response: Response
      if (flow === "USER_PASSWORD_AUTH") {
        const password = yield* requirePassword(input)
        response = yield* provider.initiateAuth({ authFlow: flow, password, ...common })
      } else if (flow === "CUSTOM_AUTH" && input.password === undefined) {
        response = yield* provider.initiateAuth({ authFlow: flow, ...common })
      } else {
        const password = yield* requirePassword(input)
        const ephemeral = yield* Srp.generateEphemeral.pipe(
          Effect.provideService(SecureRandom.SecureRandom, random),
          Effect.provideService(SrpMath.SrpMath, srpMath)
        )
        response = yield* provider.initiateAuth({ authFlow: flow, srpA: ephemeral.srpA, ...common })
        if (response._tag === "Challenge" && response.challengeName === "PASSWORD_VERIFIER")
          response = yield* passwordVerifier(response, ephemeral, password, input.clientMetadata)
      }
      return yield* next(response, input.username, "signIn")
    }).pipe(Effect.withSpan("Auth.signIn"))

  const challengeAnswer = (p: Pending, input: Auth.ConfirmSignInInput) =>
    Effect.gen(function* () {
      const answer = input.challengeResponse
      switch (p.challengeName) {
        case "SMS_MFA":
          return { SMS_MFA_CODE: answer }
        case "SOFTWARE_TOKEN_MFA":
          return { SOFTWARE_TOKEN_MFA_CODE: answer }
        case "EMAIL_OTP":
          return { EMAIL_OTP_CODE: answer }
        case "CUSTOM_CHALLENGE":
          return { ANSWER: answer }
        case "SELECT_MFA_TYPE": {
          const value = Redacted.value(answer)
          const chosen = mfaChallengeNames[value as Auth.MfaType] ?? (value in mfaNames ? value : undefined)
          if (chosen === undefined)
            return yield* fail("InvalidInput", "confirmSignIn", "the MFA type must be one of SMS, TOTP or EMAIL")
          return { ANSWER: Redacted.make(chosen) }
        }
        case "NEW_PASSWORD_REQUIRED": {
          const attributes: Record<string, Secret> = {}
          for (const [name, value] of Object.entries(input.userAttributes ?? {}))
            attributes[`userAttributes.${name}`] = Redacted.make(value)
          return { NEW_PASSWORD: answer, ...attributes }
        }
        default:
          return yield* fail("UnsupportedOperation", "confirmSignIn", `cannot answer ${p.challengeName}`)
      }
    })

  const confirmSignIn = (input: Auth.ConfirmSignInInput) =>
    Effect.gen(function* () {
      const waiting = yield* Ref.get(pending)
      if (Option.isNone(waiting))
        return yield* fail("NoPendingChallenge", "confirmSignIn", "no sign-in is waiting for an answer")
      const p = waiting.value
      const hash = yield* secretHash(p.username)
      const base = { USERNAME: Redacted.make(p.username), ...(hash === undefined ? {} : { SECRET_HASH: hash }) }
      const respond = Effect.gen(function* () {
        if (p.challengeName === "MFA_SETUP") {
          if (p.session === undefined)
            return yield* fail("InvalidResponse", "confirmSignIn", "MFA_SETUP has no session")
          const verified = yield* provider.verifySoftwareToken({
            session: p.session,
            userCode: input.challengeResponse
          })
          if (verified.status !== "SUCCESS")
            return yield* fail("CodeMismatch", "confirmSignIn", "the authenticator code was not accepted")
          return yield* provider.respondToAuthChallenge({
            challengeName: "MFA_SETUP",
            session: verified.session ?? p.session,
            challengeResponses: base,
            clientMetadata: input.clientMetadata
          })
        }
        const answer = yield* challengeAnswer(p, input)
        return yield* provider.respondToAuthChallenge({
          challengeName: p.challengeName,
          session: p.session,
          challengeResponses: { ...base, ...answer },
          clientMetadata: input.clientMetadata
        })
      })
      const response = yield* respond.pipe(
        Effect.tapError((error) =>
          // An expired or spent session cannot be answered again: the user starts over.
          error.reason === "NotAuthorized" || error.reason === "ExpiredCode"
            ? Ref.set(pending, Option.none())
            : Effect.void
        )
      )
      return yield* next(response, p.username, "confirmSignIn")
    }).pipe(Effect.withSpan("Auth.confirmSignIn"))

  /** Forgets the session, unless a newer sign-in replaced it since `seen`. */
  const forget = (nextState: Auth.UserState, seen?: number) =>
    lock
      .withPermits(1)(
        Effect.gen(function* () {
          if (seen !== undefined && (yield* Ref.get(epoch)) !== seen) return false
          yield* store.clear
          yield* writeCurrent(Option.none())
          yield* Ref.update(epoch, (n) => n + 1)
          yield* Ref.set(pending, Option.none())
          return true
        })
      )
      .pipe(Effect.tap((forgot) => (forgot ? setState(nextState) : Effect.void)))

  const refreshNow = (at: Current, seen: number): Effect.Effect<Auth.Tokens, AuthError.AuthError> =>
    Effect.gen(function* () {
      const session = at.session
      const request = config.refreshTokenRotation
        ? provider.getTokensFromRefreshToken({ refreshToken: session.refreshToken, clientSecret: config.clientSecret })
        : Effect.flatMap(secretHash(session.username), (hash) =>
            provider.initiateAuth({
              authFlow: "REFRESH_TOKEN_AUTH",
              refreshToken: session.refreshToken,
              secretHash: hash
            })
          ).pipe(
            Effect.flatMap((response) =>
              response._tag === "Authenticated"
                ? Effect.succeed(response.tokens)
                : fail("InvalidResponse", "getTokens", `refresh answered with the challenge ${response.challengeName}`)
            )
          )
      const result = yield* Effect.catchAll(request, (error) =>
        Effect.gen(function* () {
          if (endsSession(error)) {
            yield* Effect.logInfo("effect-cognito: the refresh token was rejected; the session is over").pipe(
              Effect.annotateLogs({ reason: error.reason })
            )
            yield* forget("SignedOutUserPoolsTokensInvalid", seen)
            return yield* Effect.fail(
              AuthError.make("SessionExpired", "getTokens", "the refresh token was rejected; sign in again", {
                cause: error
              })
            )
          }
          if (AuthError.isTransient(error) && (yield* serverNow(session)) < at.expiresAtMillis) {
            yield* Effect.logDebug("effect-cognito: refresh failed transiently; the current tokens are still valid")
            return undefined
          }
          return yield* Effect.fail(error)
        })
      )
      if (result === undefined) return at.tokens
      const nextCurrent = yield* received(result, session, "getTokens")
      const refreshed = nextCurrent.session
      const committed = yield* lock.withPermits(1)(
        Effect.gen(function* () {
          if ((yield* Ref.get(epoch)) !== seen) return false
          yield* store.save(refreshed)
          yield* writeCurrent(Option.some(nextCurrent))
          return true
        })
      )
      if (!committed) return yield* fail("NotSignedIn", "getTokens", "the user signed out while the tokens refreshed")
      return nextCurrent.tokens
    })

  /** One refresh for any number of concurrent callers; it runs in the service's scope, so no caller can cancel it for the others. */
  const refresh = (at: Current) =>
    Effect.gen(function* () {
      const mine = yield* Deferred.make<Auth.Tokens, AuthError.AuthError>()
      const shared = yield* Ref.modify(inflight, (existing) =>
        Option.isSome(existing) ? [existing.value, existing] : [mine, Option.some(mine)]
      )
      if (shared === mine) {
        const seen = yield* Ref.get(epoch)
        yield* refreshNow(at, seen).pipe(
          Effect.exit,
          Effect.flatMap((exit) => Effect.zipRight(Ref.set(inflight, Option.none()), Deferred.done(mine, exit))),
          Effect.forkIn(scope)
        )
      }
      return yield* Deferred.await(shared)
    })

  const windowMillis = Duration.toMillis(config.refreshWindow)

  /**
   * The hot path: one read of the current session and of `Clock`, no allocation beyond
   * the effect itself when the cached tokens are good.
   */
  const getTokens = (options?: { readonly forceRefresh?: boolean | undefined }) =>
    Effect.clockWith((clock) => {
      const now = current.value
      if (Option.isNone(now)) return fail("NotSignedIn", "getTokens", "no user is signed in")
      const at = now.value
      if (options?.forceRefresh === true) return refresh(at)
      const serverTime = clock.unsafeCurrentTimeMillis() + at.session.clockSkewMillis
      return serverTime < at.expiresAtMillis - windowMillis ? Effect.succeed(at.tokens) : refresh(at)
    })

  const signOut = (options?: { readonly global?: boolean | undefined }) =>
    Effect.gen(function* () {
      const now = yield* readCurrent
      if (options?.global === true) {
        if (Option.isNone(now)) return yield* fail("NotSignedIn", "signOut", "no user is signed in")
        const tokens = yield* getTokens()
        yield* provider.globalSignOut({ accessToken: tokens.accessToken })
        yield* forget("SignedOut")
        return
      }
      if (Option.isSome(now))
        yield* provider
          .revokeToken({ token: now.value.session.refreshToken, clientSecret: config.clientSecret })
          .pipe(
            Effect.catchAll((error) =>
              Effect.logDebug("effect-cognito: revoking the refresh token failed; signing out locally anyway").pipe(
                Effect.annotateLogs({ reason: error.reason })
              )
            )
          )
      yield* forget("SignedOut")
    }).pipe(Effect.withSpan("Auth.signOut"))

  const service: Auth.Auth.Service = {
    signUp: (input) =>
      Effect.gen(function* () {
        if (input.username.trim() === "") return yield* fail("InvalidInput", "signUp", "username is empty")
        const result = yield* provider.signUp({
          username: input.username,
          password: input.password,
          userAttributes: input.userAttributes ?? {},
          validationData: input.validationData,
          clientMetadata: input.clientMetadata,
          secretHash: yield* secretHash(input.username)
        })
        return {
          confirmationState: result.userConfirmed ? "Confirmed" : "Unconfirmed",
          userSub: result.userSub,
          ...(result.codeDeliveryDetails === undefined ? {} : { codeDeliveryDetails: result.codeDeliveryDetails })
        } satisfies Auth.SignUpResult
      }).pipe(Effect.withSpan("Auth.signUp")),
    confirmSignUp: (input) =>
      Effect.gen(function* () {
        yield* provider.confirmSignUp({ ...input, secretHash: yield* secretHash(input.username) })
        return { confirmationState: "Confirmed" } as const
      }).pipe(Effect.withSpan("Auth.confirmSignUp")),
    resendSignUpCode: (input) =>
      Effect.gen(function* () {
        const result = yield* provider.resendConfirmationCode({
          ...input,
          secretHash: yield* secretHash(input.username)
        })
        return result.codeDeliveryDetails
      }).pipe(Effect.withSpan("Auth.resendSignUpCode")),
    signIn,
    confirmSignIn,
    signOut,
    forgotPassword: (input) =>
      Effect.gen(function* () {
        const result = yield* provider.forgotPassword({ ...input, secretHash: yield* secretHash(input.username) })
        return {
          state: "ConfirmationCodeSent",
          ...(result.codeDeliveryDetails === undefined ? {} : { codeDeliveryDetails: result.codeDeliveryDetails })
        } satisfies Auth.ForgotPasswordResult
      }).pipe(Effect.withSpan("Auth.forgotPassword")),
    confirmForgotPassword: (input) =>
      Effect.gen(function* () {
        yield* provider.confirmForgotPassword({
          username: input.username,
          confirmationCode: input.confirmationCode,
          password: input.newPassword,
          clientMetadata: input.clientMetadata,
          secretHash: yield* secretHash(input.username)
        })
      }).pipe(Effect.withSpan("Auth.confirmForgotPassword")),
    changePassword: (input) =>
      Effect.flatMap(getTokens(), (tokens) =>
        provider.changePassword({
          accessToken: tokens.accessToken,
          previousPassword: input.currentPassword,
          proposedPassword: input.proposedPassword
        })
      ).pipe(Effect.withSpan("Auth.changePassword")),
    getUserAttributes: Effect.flatMap(getTokens(), (tokens) =>
      provider.getUser({ accessToken: tokens.accessToken })
    ).pipe(
      Effect.map((user) => user.userAttributes),
      Effect.withSpan("Auth.getUserAttributes")
    ),
    username: Effect.map(
      readCurrent,
      Option.map((at) => at.session.username)
    ),
    isSignedIn: Effect.map(readCurrent, Option.isSome),
    getTokens,
    userState: SubscriptionRef.get(state),
    userStateChanges: Stream.drop(state.changes, 1)
  }
  return service
})
