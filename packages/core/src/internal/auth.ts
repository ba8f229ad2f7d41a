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
import * as Session from "./session.js"
import * as SignIn from "./signIn.js"
import * as tags from "./tags.js"

/** The `Auth` tag; `Auth.ts` re-exports it. */
export const tag = Context.GenericTag<Auth.Auth, Auth.Auth.Service>("@effect-cognito/core/Auth")

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
    sync: yield* tags.sessionSync
  })
  const signIn = yield* SignIn.make({
    client,
    session,
    random: yield* tags.secureRandom,
    srpMath: yield* SrpMath.SrpMath,
    poolName: config.poolName
  })
  const { getTokens } = session
  const credentials = yield* Credentials.make({
    pool: yield* Effect.serviceOption(tags.identityPool),
    config,
    session
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
            Effect.catchAll((error) =>
              Effect.logDebug("effect-cognito: revoking the refresh token failed; signing out locally anyway").pipe(
                Effect.annotateLogs({ reason: error.reason })
              )
            )
          )
      }
      yield* credentials.clear
      yield* session.forget("SignedOut")
      yield* signIn.cancel
    }).pipe(Effect.withSpan("Auth.signOut"))

  const service: Auth.Auth.Service = {
    signUp: (input) =>
      Effect.gen(function* () {
        if (input.username.trim() === "") return yield* fail("InvalidInput", "signUp", "username is empty")
        const result = yield* client.signUp({
          username: input.username,
          password: input.password,
          userAttributes: input.userAttributes ?? {},
          validationData: input.validationData,
          clientMetadata: input.clientMetadata
        })
        return {
          confirmationState: result.userConfirmed ? "Confirmed" : "Unconfirmed",
          userSub: result.userSub,
          ...(result.codeDeliveryDetails === undefined ? {} : { codeDeliveryDetails: result.codeDeliveryDetails })
        } satisfies Auth.SignUpResult
      }).pipe(Effect.withSpan("Auth.signUp")),
    confirmSignUp: (input) =>
      client
        .confirmSignUp(input)
        .pipe(Effect.as({ confirmationState: "Confirmed" } as const), Effect.withSpan("Auth.confirmSignUp")),
    resendSignUpCode: (input) =>
      client.resendConfirmationCode(input).pipe(
        Effect.map((result) => result.codeDeliveryDetails),
        Effect.withSpan("Auth.resendSignUpCode")
      ),
    signIn: signIn.signIn,
    confirmSignIn: signIn.confirmSignIn,
    signOut,
    forgotPassword: (input) =>
      client.forgotPassword(input).pipe(
        Effect.map(
          (result): Auth.ForgotPasswordResult => ({
            state: "ConfirmationCodeSent",
            ...(result.codeDeliveryDetails === undefined ? {} : { codeDeliveryDetails: result.codeDeliveryDetails })
          })
        ),
        Effect.withSpan("Auth.forgotPassword")
      ),
    confirmForgotPassword: (input) =>
      client
        .confirmForgotPassword({
          username: input.username,
          confirmationCode: input.confirmationCode,
          password: input.newPassword,
          clientMetadata: input.clientMetadata
        })
        .pipe(Effect.withSpan("Auth.confirmForgotPassword")),
    changePassword: (input) =>
      Effect.flatMap(getTokens(), (tokens) =>
        client.changePassword({
          accessToken: tokens.accessToken,
          previousPassword: input.currentPassword,
          proposedPassword: input.proposedPassword
        })
      ).pipe(Effect.withSpan("Auth.changePassword")),
    getUserAttributes: Effect.flatMap(getTokens(), (tokens) =>
      client.getUser({ accessToken: tokens.accessToken })
    ).pipe(
      Effect.map((user) => user.userAttributes),
      Effect.withSpan("Auth.getUserAttributes")
    ),
    username: Effect.map(
      session.current,
      Option.map((at) => at.session.username)
    ),
    isSignedIn: Effect.map(session.current, Option.isSome),
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
