/**
 * Assembles the `Auth` service: the session ({@link Session}), sign-in
 * ({@link SignIn}), this client's device ({@link Devices}) and the account flows that pass
 * straight through to the user pool (sign-up, password reset, sign-out, attributes, devices,
 * MFA settings), all over the `IdentityProvider` wrapped by {@link ClientAuth} so the app
 * client's secret hash is added in one place.
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
import * as OAuth from "../OAuth.js"
import * as ClientAuth from "./clientAuth.js"
import * as Credentials from "./credentials.js"
import * as Devices from "./devices.js"
import * as Input from "./input.js"
import * as Jwt from "./jwt.js"
import * as MfaSettings from "./mfaSettings.js"
import * as RedirectSignIn from "./redirectSignIn.js"
import * as Session from "./session.js"
import * as Passkeys from "./passkeys.js"
import * as SignIn from "./signIn.js"
import * as tags from "./tags.js"
import * as UserAuth from "./userAuth.js"
import * as WebAuthn from "../WebAuthn.js"

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

/**
 * The refresh request: GetTokensFromRefreshToken with rotation, REFRESH_TOKEN_AUTH without,
 * naming the user's device (`DEVICE_KEY`: Cognito binds a refresh token to the device it was
 * issued to). A device the pool no longer knows is dropped and the refresh sent again without it.
 */
const refreshWith =
  (client: ClientAuth.Client, devices: Devices.Devices, rotation: boolean) =>
  (session: TokenStore.Session): Effect.Effect<IdentityProvider.AuthenticationResult, AuthError.AuthError> => {
    const request = (deviceKey: string | undefined) =>
      rotation
        ? client.getTokensFromRefreshToken({ refreshToken: session.refreshToken, deviceKey })
        : Effect.flatMap(
            client.initiateAuth({
              authFlow: "REFRESH_TOKEN_AUTH",
              username: session.username,
              refreshToken: session.refreshToken,
              deviceKey
            }),
            (response) =>
              response._tag === "Authenticated"
                ? Effect.succeed(response.tokens)
                : fail("InvalidResponse", "getTokens", `refresh answered with the challenge ${response.challengeName}`)
          )
    return Effect.flatMap(devices.stored(session.username), (device) =>
      device === undefined
        ? request(undefined)
        : Effect.catchIf(request(device.deviceKey), Devices.isUnknownDevice, () =>
            Effect.andThen(devices.drop(session.username, "the user pool does not know it"), request(undefined))
          )
    )
  }

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
  const store = yield* tags.tokenStore
  const random = yield* tags.secureRandom
  const srpMath = yield* SrpMath.SrpMath
  const devices = Devices.make({ client, store, random, srpMath, deviceName: yield* tags.deviceName })
  const session = yield* Session.make({
    store,
    refresh: refreshWith(client, devices, config.refreshTokenRotation),
    refreshWindow: config.refreshWindow,
    pool: Jwt.poolOf(config),
    sync: yield* tags.sessionSync
  })
  const authenticator = yield* Effect.serviceOption(WebAuthn.WebAuthn)
  const signIn = yield* SignIn.make({ client, session, random, srpMath, config, devices, authenticator })
  const autoSignInCell = yield* UserAuth.makeAutoSignInCell(config.authSessionValidity)
  const { getTokens } = session
  const redirect = RedirectSignIn.make({
    config,
    oauth: yield* Effect.serviceOption(OAuth.OAuth),
    session,
    cancelPending: signIn.cancel
  })
  const credentials = yield* Credentials.make({
    pool: yield* Effect.serviceOption(tags.identityPool),
    config,
    session,
    store
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

  /** The signed-in user's access token and username. */
  const signedIn = Effect.map(getTokens(), (tokens) => ({ accessToken: tokens.accessToken, username: tokens.username }))

  /** The device a device method names: the given key, else this client's device of the user. */
  const deviceKeyOf = (method: string, username: string, deviceKey: string | undefined) =>
    Effect.gen(function* () {
      if (deviceKey !== undefined) return yield* Effect.fromResult(Input.deviceKey(method, deviceKey))
      const device = yield* devices.stored(username)
      if (device === undefined)
        return yield* fail(
          "ResourceNotFound",
          method,
          "no device of this user is kept here (the user pool tracks no devices, or none was confirmed); pass a deviceKey"
        )
      return device.deviceKey
    })

  const forgetDevice = (options?: { readonly deviceKey?: string | undefined }) =>
    Effect.gen(function* () {
      const method = "forgetDevice"
      const { accessToken, username } = yield* signedIn
      const deviceKey = yield* deviceKeyOf(method, username, options?.deviceKey)
      const mine = (yield* devices.stored(username))?.deviceKey === deviceKey
      const forgotten = client.forgetDevice({ accessToken, deviceKey })
      // This device already gone from the pool is what the caller asked for.
      yield* mine ? Effect.catchIf(forgotten, Devices.isUnknownDevice, () => Effect.void) : forgotten
      if (mine) yield* devices.drop(username, "it was forgotten")
    }).pipe(Effect.withSpan("Auth.forgetDevice"))

  const passkeys = Passkeys.make({
    client,
    authenticator,
    accessToken: Effect.map(getTokens(), (tokens) => tokens.accessToken)
  })

  const service: Auth.Auth.Service = {
    signUp: (input) =>
      Effect.gen(function* () {
        const username = yield* Effect.fromResult(Input.username("signUp", input.username))
        const password =
          input.password === undefined ? undefined : yield* Effect.fromResult(Input.password("signUp", input.password))
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
        const username = yield* Effect.fromResult(Input.username(method, input.username))
        const confirmed = yield* client.confirmSignUp({
          username,
          confirmationCode: yield* Effect.fromResult(Input.confirmationCode(method, input.confirmationCode)),
          forceAliasCreation: input.forceAliasCreation,
          clientMetadata: yield* Effect.fromResult(Input.clientMetadata(method, input.clientMetadata))
        })
        if (confirmed.session === undefined) return { confirmationState: "Confirmed", nextStep: "Done" } as const
        yield* autoSignInCell.keep(username, confirmed.session)
        return { confirmationState: "Confirmed", nextStep: "AutoSignIn" } as const
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
    autoSignIn: (options) =>
      Effect.gen(function* () {
        const method = "autoSignIn"
        const username =
          options?.username === undefined
            ? undefined
            : yield* Effect.fromResult(Input.username(method, options.username))
        if (Option.isSome(yield* session.current))
          return yield* fail("AlreadySignedIn", method, "a user is signed in; sign out first")
        const kept = yield* autoSignInCell.take(username)
        return yield* signIn.signInWithSession(kept.username, kept.session, method)
      }).pipe(Effect.withSpan("Auth.autoSignIn")),
    associateWebAuthnCredential: passkeys.associateWebAuthnCredential,
    listWebAuthnCredentials: passkeys.listWebAuthnCredentials,
    deleteWebAuthnCredential: passkeys.deleteWebAuthnCredential,
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
      // The user's devices went with the user.
      yield* devices.drop(tokens.username, "its user was deleted")
      yield* endLocally
    }).pipe(Effect.withSpan("Auth.deleteUser")),
    deleteUserAttributes: (input) =>
      Effect.gen(function* () {
        const method = "deleteUserAttributes"
        const names: unknown = typeof input === "object" && input !== null ? input.attributeNames : undefined
        if (!Array.isArray(names) || names.length === 0)
          return yield* fail("InvalidInput", method, "attributeNames: expected at least one attribute name")
        const userAttributeNames: Array<string> = []
        for (const name of names as ReadonlyArray<unknown>)
          userAttributeNames.push(yield* Effect.fromResult(Input.attributeName(method, name, "attributeNames")))
        const tokens = yield* getTokens()
        yield* client.deleteUserAttributes({ accessToken: tokens.accessToken, userAttributeNames })
      }).pipe(Effect.withSpan("Auth.deleteUserAttributes")),
    rememberDevice: () =>
      Effect.gen(function* () {
        const method = "rememberDevice"
        const { accessToken, username } = yield* signedIn
        const device = yield* devices.offered(username)
        if (device === undefined)
          return yield* fail(
            "ResourceNotFound",
            method,
            "no confirmed device of this user is kept here (the user pool tracks no devices, or confirming this one failed)"
          )
        yield* client.updateDeviceStatus({
          accessToken,
          deviceKey: device.deviceKey,
          deviceRememberedStatus: "remembered"
        })
      }).pipe(Effect.withSpan("Auth.rememberDevice")),
    forgetDevice,
    fetchDevices: (options) =>
      Effect.gen(function* () {
        const method = "fetchDevices"
        const limit = yield* Effect.fromResult(Input.limit(method, options?.limit, 60))
        const paginationToken = options?.paginationToken
        if (paginationToken !== undefined && (typeof paginationToken !== "string" || paginationToken === ""))
          return yield* fail("InvalidInput", method, "paginationToken: expected the nextToken of the previous page")
        const { accessToken } = yield* signedIn
        const page = yield* client.listDevices({ accessToken, limit, paginationToken })
        return {
          devices: page.devices.map(Devices.toDevice),
          ...(page.paginationToken === undefined ? {} : { nextToken: page.paginationToken })
        } satisfies Auth.FetchDevicesResult
      }).pipe(Effect.withSpan("Auth.fetchDevices")),
    getDevice: (options) =>
      Effect.gen(function* () {
        const { accessToken, username } = yield* signedIn
        const deviceKey = yield* deviceKeyOf("getDevice", username, options?.deviceKey)
        return Devices.toDevice(yield* client.getDevice({ accessToken, deviceKey }))
      }).pipe(Effect.withSpan("Auth.getDevice")),
    setUpTotp: () =>
      Effect.gen(function* () {
        const { accessToken, username } = yield* signedIn
        const association = yield* client.associateSoftwareToken({ accessToken })
        const secret = association.secretCode
        return {
          secret,
          uri: (options) =>
            totpSetupUri(secret, { issuer: options.issuer, accountName: options.accountName ?? username })
        } satisfies Auth.TotpSetup
      }).pipe(Effect.withSpan("Auth.setUpTotp")),
    verifyTotpSetup: (input) =>
      Effect.gen(function* () {
        const method = "verifyTotpSetup"
        const userCode = yield* Effect.fromResult(Input.mfaCode(method, input.code))
        const friendlyDeviceName =
          input.friendlyDeviceName === undefined
            ? undefined
            : yield* Effect.fromResult(Input.deviceName(method, input.friendlyDeviceName, "friendlyDeviceName"))
        const { accessToken } = yield* signedIn
        const verified = yield* client.verifySoftwareToken({ accessToken, userCode, friendlyDeviceName })
        if (verified.status !== "SUCCESS")
          return yield* fail("CodeMismatch", method, "the authenticator code was not accepted")
      }).pipe(Effect.withSpan("Auth.verifyTotpSetup")),
    updateMfaPreference: (input) =>
      Effect.gen(function* () {
        const settings = yield* Effect.fromResult(MfaSettings.requestOf("updateMfaPreference", input))
        const { accessToken } = yield* signedIn
        yield* client.setUserMfaPreference({ accessToken, ...settings })
      }).pipe(Effect.withSpan("Auth.updateMfaPreference")),
    fetchMfaPreference: () =>
      Effect.flatMap(signedIn, ({ accessToken }) => client.getUser({ accessToken })).pipe(
        Effect.map(MfaSettings.preferenceOf),
        Effect.withSpan("Auth.fetchMfaPreference")
      ),
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
    ...redirect,
    bearerHttpClient: (options) => (client) =>
      AwsSigning.bearer(client, {
        token: options.token,
        getTokens: (forceRefresh) => getTokens({ forceRefresh })
      })
  }
  return service
})
