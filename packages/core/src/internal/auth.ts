/**
 * Assembles the `Auth` service: the session ({@link Session}), sign-in
 * ({@link SignIn}) and the account flows that pass straight through to the user pool
 * (sign-up, password reset, sign-out, attributes), all over the `IdentityProvider`
 * wrapped by {@link ClientAuth} so the app client's secret hash is added in one place.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as Auth from "../Auth.js"
import type * as AuthConfig from "../AuthConfig.js"
import * as AuthError from "../AuthError.js"
import type * as IdentityProvider from "../IdentityProvider.js"
import type * as SecureRandom from "../SecureRandom.js"
import * as SrpMath from "../SrpMath.js"
import type * as TokenStore from "../TokenStore.js"
import * as AwsSigning from "../AwsSigning.js"
import * as ClientAuth from "./clientAuth.js"
import * as Credentials from "./credentials.js"
import * as Input from "./input.js"
import * as Jwt from "./jwt.js"
import * as Session from "./session.js"
import * as SignIn from "./signIn.js"
import * as tags from "./tags.js"

/** The `Auth` tag; `Auth.ts` re-exports it. */
export const tag = Context.Service<Auth.Auth, Auth.Auth.Service>("@effect-cognito/core/Auth")

export const totpSetupUri = (
  secret: Redacted.Redacted<string>,
  options: { readonly issuer: string; readonly accountName: string }
) => {
  const issuer = encodeURIComponent(options.issuer)
  return `otpauth://totp/${issuer}:${encodeURIComponent(options.accountName)}?secret=${Redacted.value(secret)}&issuer=${issuer}`
}

const fail = (reason: AuthError.Reason, method: string, description: string) =>
  Effect.fail(AuthError.make(reason, method, description))

/** The refresh request: GetTokensFromRefreshToken with rotation, REFRESH_TOKEN_AUTH without. */
const refreshWith =
  (client: ClientAuth.Client, rotation: boolean) =>
  (session: TokenStore.Session): Effect.Effect<IdentityProvider.AuthenticationResult, AuthError.AuthError> =>
    rotation
      ? client.getTokensFromRefreshToken({ refreshToken: session.refreshToken })
      : Effect.flatMap(
          client.initiateAuth({
            authFlow: "REFRESH_TOKEN_AUTH",
            username: session.username,
            refreshToken: session.refreshToken
          }),
          (response) =>
            response._tag === "Authenticated"
              ? Effect.succeed(response.tokens)
              : fail("InvalidResponse", "getTokens", `refresh answered with the challenge ${response.challengeName}`)
        )

export const make: Effect.Effect<
  Auth.Auth.Service,
  AuthError.AuthError,
  | AuthConfig.AuthConfig
  | IdentityProvider.IdentityProvider
  | TokenStore.TokenStore
  | SecureRandom.SecureRandom
  | Scope.Scope
> = Effect.gen(function* () {
  const config = yield* tags.authConfig
  const client = ClientAuth.make(yield* tags.identityProvider, config)
  const session = yield* Session.make({
    store: yield* tags.tokenStore,
    refresh: refreshWith(client, config.refreshTokenRotation),
    refreshWindow: config.refreshWindow,
    pool: Jwt.poolOf(config),
    sync: yield* tags.sessionSync
  })
  const signIn = yield* SignIn.make({
    client,
    session,
    random: yield* tags.secureRandom,
    srpMath: yield* SrpMath.SrpMath,
    config
  })
  const { getTokens } = session
  const credentials = yield* Credentials.make({
    pool: yield* Effect.serviceOption(tags.identityPool),
    config,
    session,
    store: yield* tags.tokenStore
  })

  /**
   * The local end of a session: the pending challenge, the credentials and the session go
   * even when the store cannot be cleared; that failure (Storage) is reported with the user
   * already signed out.
   */
  const endLocally = Effect.gen(function* () {
    const cleared = yield* Effect.result(credentials.clear)
    yield* signIn.cancel
    yield* session.forget("SignedOut")
    if (cleared._tag === "Failure") return yield* Effect.fail(cleared.failure)
  })

  const signOut = (options?: { readonly global?: boolean | undefined }) =>
    Effect.gen(function* () {
      const now = yield* session.current
      if (options?.global === true) {
        if (Option.isNone(now)) return yield* fail("NotSignedIn", "signOut", "no user is signed in")
        const tokens = yield* getTokens()
        yield* client.globalSignOut({ accessToken: tokens.accessToken })
      } else if (Option.isSome(now)) {
        yield* client
          .revokeToken({ token: now.value.session.refreshToken })
          .pipe(
            Effect.catch((error) =>
              Effect.logDebug("effect-cognito: revoking the refresh token failed; signing out locally anyway").pipe(
                Effect.annotateLogs({ reason: error.reason })
              )
            )
          )
      }
      yield* endLocally
    }).pipe(Effect.withSpan("Auth.signOut"))

  const service: Auth.Auth.Service = {
    signUp: (input) =>
      Effect.gen(function* () {
        const username = yield* Effect.fromResult(Input.username("signUp", input.username))
        const password = yield* Effect.fromResult(Input.password("signUp", input.password))
        const userAttributes = yield* Effect.fromResult(Input.attributes("signUp", input.userAttributes))
        const validationData = yield* Effect.fromResult(
          Input.attributes("signUp", input.validationData, "validationData")
        )
        const clientMetadata = yield* Effect.fromResult(Input.clientMetadata("signUp", input.clientMetadata))
        const result = yield* client.signUp({
          username,
          password,
          userAttributes: userAttributes ?? {},
          validationData,
          clientMetadata
        })
        return {
          confirmationState: result.userConfirmed ? "Confirmed" : "Unconfirmed",
          userSub: result.userSub,
          ...(result.codeDeliveryDetails === undefined ? {} : { codeDeliveryDetails: result.codeDeliveryDetails })
        } satisfies Auth.SignUpResult
      }).pipe(Effect.withSpan("Auth.signUp")),
    confirmSignUp: (input) =>
      Effect.gen(function* () {
        const method = "confirmSignUp"
        yield* client.confirmSignUp({
          username: yield* Effect.fromResult(Input.username(method, input.username)),
          confirmationCode: yield* Effect.fromResult(Input.confirmationCode(method, input.confirmationCode)),
          forceAliasCreation: input.forceAliasCreation,
          clientMetadata: yield* Effect.fromResult(Input.clientMetadata(method, input.clientMetadata))
        })
        return { confirmationState: "Confirmed" } as const
      }).pipe(Effect.withSpan("Auth.confirmSignUp")),
    resendSignUpCode: (input) =>
      Effect.gen(function* () {
        const method = "resendSignUpCode"
        const result = yield* client.resendConfirmationCode({
          username: yield* Effect.fromResult(Input.username(method, input.username)),
          clientMetadata: yield* Effect.fromResult(Input.clientMetadata(method, input.clientMetadata))
        })
        return result.codeDeliveryDetails
      }).pipe(Effect.withSpan("Auth.resendSignUpCode")),
    signIn: signIn.signIn,
    confirmSignIn: signIn.confirmSignIn,
    pendingSignIn: signIn.pendingSignIn,
    resumeSignIn: signIn.resumeSignIn,
    signOut,
    forgotPassword: (input) =>
      Effect.gen(function* () {
        const method = "forgotPassword"
        const result = yield* client.forgotPassword({
          username: yield* Effect.fromResult(Input.username(method, input.username)),
          clientMetadata: yield* Effect.fromResult(Input.clientMetadata(method, input.clientMetadata))
        })
        return {
          state: "ConfirmationCodeSent",
          ...(result.codeDeliveryDetails === undefined ? {} : { codeDeliveryDetails: result.codeDeliveryDetails })
        } satisfies Auth.ForgotPasswordResult
      }).pipe(Effect.withSpan("Auth.forgotPassword")),
    confirmForgotPassword: (input) =>
      Effect.gen(function* () {
        const method = "confirmForgotPassword"
        yield* client.confirmForgotPassword({
          username: yield* Effect.fromResult(Input.username(method, input.username)),
          confirmationCode: yield* Effect.fromResult(Input.confirmationCode(method, input.confirmationCode)),
          password: yield* Effect.fromResult(Input.password(method, input.newPassword, "newPassword")),
          clientMetadata: yield* Effect.fromResult(Input.clientMetadata(method, input.clientMetadata))
        })
      }).pipe(Effect.withSpan("Auth.confirmForgotPassword")),
    changePassword: (input) =>
      Effect.gen(function* () {
        const method = "changePassword"
        const previousPassword = yield* Effect.fromResult(
          Input.password(method, input.currentPassword, "currentPassword")
        )
        const proposedPassword = yield* Effect.fromResult(
          Input.password(method, input.proposedPassword, "proposedPassword")
        )
        const tokens = yield* getTokens()
        yield* client.changePassword({ accessToken: tokens.accessToken, previousPassword, proposedPassword })
      }).pipe(Effect.withSpan("Auth.changePassword")),
    getUserAttributes: Effect.flatMap(getTokens(), (tokens) =>
      client.getUser({ accessToken: tokens.accessToken })
    ).pipe(
      Effect.map((user) => user.userAttributes),
      Effect.withSpan("Auth.getUserAttributes")
    ),
    updateUserAttributes: (input) =>
      Effect.gen(function* () {
        const method = "updateUserAttributes"
        const userAttributes = yield* Effect.fromResult(Input.attributes(method, input.userAttributes))
        if (userAttributes === undefined || Object.keys(userAttributes).length === 0)
          return yield* fail("InvalidInput", method, "userAttributes: expected at least one attribute, found none")
        const clientMetadata = yield* Effect.fromResult(Input.clientMetadata(method, input.clientMetadata))
        const tokens = yield* getTokens()
        const result = yield* client.updateUserAttributes({
          accessToken: tokens.accessToken,
          userAttributes,
          clientMetadata
        })
        return result.codeDeliveryDetailsList
      }).pipe(Effect.withSpan("Auth.updateUserAttributes")),
    sendUserAttributeVerificationCode: (input) =>
      Effect.gen(function* () {
        const method = "sendUserAttributeVerificationCode"
        const attributeName = yield* Effect.fromResult(
          Input.attributeName(method, input.attributeName, "attributeName")
        )
        const clientMetadata = yield* Effect.fromResult(Input.clientMetadata(method, input.clientMetadata))
        const tokens = yield* getTokens()
        const result = yield* client.getUserAttributeVerificationCode({
          accessToken: tokens.accessToken,
          attributeName,
          clientMetadata
        })
        return result.codeDeliveryDetails
      }).pipe(Effect.withSpan("Auth.sendUserAttributeVerificationCode")),
    deleteUser: Effect.gen(function* () {
      const tokens = yield* getTokens()
      yield* client.deleteUser({ accessToken: tokens.accessToken })
      yield* endLocally
    }).pipe(Effect.withSpan("Auth.deleteUser")),
    confirmUserAttribute: (input) =>
      Effect.gen(function* () {
        const method = "confirmUserAttribute"
        const attributeName = yield* Effect.fromResult(
          Input.attributeName(method, input.attributeName, "attributeName")
        )
        const code = yield* Effect.fromResult(Input.confirmationCode(method, input.confirmationCode))
        const tokens = yield* getTokens()
        yield* client.verifyUserAttribute({ accessToken: tokens.accessToken, attributeName, code })
      }).pipe(Effect.withSpan("Auth.confirmUserAttribute")),
    username: Effect.map(
      session.current,
      Option.map((at) => at.session.username)
    ),
    isSignedIn: Effect.flatMap(session.current, (now) =>
      Option.isSome(now) ? Effect.succeed(true) : credentials.federatedSignedIn
    ),
    getTokens,
    userState: session.userState,
    userStateChanges: session.userStateChanges,
    getAWSCredentials: (options) => credentials.get(options).pipe(Effect.withSpan("Auth.getAWSCredentials")),
    identityId: credentials.identityId,
    federatedSignIn: (input) => credentials.federatedSignIn(input).pipe(Effect.withSpan("Auth.federatedSignIn")),
    signedHttpClient: (options) => (client) =>
      AwsSigning.signed(client, {
        ...options,
        credentials: credentials.get(),
        renew: credentials.get({ forceRefresh: true })
      }),
    bearerHttpClient: (options) => (client) =>
      AwsSigning.bearer(client, {
        token: options.token,
        getTokens: (forceRefresh) => getTokens({ forceRefresh })
      })
  }
  return service
})
