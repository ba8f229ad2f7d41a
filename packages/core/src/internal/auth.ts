/**
 * Assembles the `Auth` service: the session ({@link Session}), sign-in
 * ({@link SignIn}), this client's device ({@link Devices}) and the account flows that pass
 * straight through to the user pool (sign-up, password reset, sign-out, attributes, devices,
 * MFA settings), all over the `IdentityProvider` wrapped by {@link ClientAuth} so the app
 * client's secret hash is added in one place.
 *
 * What is the same for every user of one app client ({@link Shared}: configuration, wire
 * client, randomness, SRP arithmetic) is built once and shared by every session built over
 * the same services; a session ({@link AuthSession}) is data: its store, its session state,
 * and the sign-in and credentials flows only while it uses them. Its methods live on the
 * prototype (getters that hand out functions, so destructuring still works).
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Result from "effect/Result"
import * as Scope from "effect/Scope"
import type * as Auth from "../Auth.js"
import type * as AuthConfig from "../AuthConfig.js"
import type * as AwsCredentials from "../AwsCredentials.js"
import * as AuthError from "../AuthError.js"
import type * as IdentityPool from "../IdentityPool.js"
import type * as IdentityProvider from "../IdentityProvider.js"
import type * as PendingSignIn from "../PendingSignIn.js"
import type * as SessionSync from "../SessionSync.js"
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
import type * as WebAuthnCeremony from "./webAuthn.js"

/** The `Auth` tag; `Auth.ts` re-exports it. */
export const tag = Context.Service<Auth.Auth, Auth.Auth.Service>("@effect-cognito/core/Auth")

/** How many sessions of one app client keep their tokens in memory; `Auth.ts` re-exports it. */
export const maxInMemorySessions = Context.Reference<number>("@effect-cognito/core/MaxInMemorySessions", {
  defaultValue: () => Number.POSITIVE_INFINITY
})

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

/** What every session of one app client shares: built once over the services in context. */
export interface Shared {
  readonly provider: IdentityProvider.IdentityProvider.Service
  readonly config: AuthConfig.Validated
  readonly client: ClientAuth.Client
  readonly random: SecureRandom.SecureRandom.Service
  readonly srpMath: SrpMath.SrpMath.Service
  readonly deviceName: string
  readonly identityPool: IdentityPool.IdentityPool.Service | undefined
  readonly pool: Jwt.Pool
  /** The least recently used sessions' tokens dropped beyond `max` (none when unbounded). */
  readonly residency: Session.Residency | undefined
  readonly max: number
  /** The passkey ceremonies (`WebAuthn`), when a layer provides them. */
  readonly authenticator: WebAuthnCeremony.Authenticator
  /** Sign-in through the Cognito domain (`OAuth`), when a layer provides it. */
  readonly oauth: Option.Option<OAuth.OAuth.Service>
}

/** The `Shared` last built over each provider, reused while every other service is the same one. */
const sharedByProvider = new WeakMap<IdentityProvider.IdentityProvider.Service, Shared>()

/** The app client's shared part over the services in context: the one built before when they are the same. */
export const shared: Effect.Effect<
  Shared,
  never,
  AuthConfig.AuthConfig | IdentityProvider.IdentityProvider | SecureRandom.SecureRandom
> = Effect.gen(function* () {
  const provider = yield* tags.identityProvider
  const config = yield* tags.authConfig
  const random = yield* tags.secureRandom
  const srpMath = yield* SrpMath.SrpMath
  const deviceName = yield* tags.deviceName
  const identityPool = Option.getOrUndefined(yield* Effect.serviceOption(tags.identityPool))
  const max = yield* maxInMemorySessions
  const authenticator = yield* Effect.serviceOption(WebAuthn.WebAuthn)
  const oauth = yield* Effect.serviceOption(OAuth.OAuth)
  const known = sharedByProvider.get(provider)
  if (
    known !== undefined &&
    known.config === config &&
    known.random === random &&
    known.srpMath === srpMath &&
    known.deviceName === deviceName &&
    known.identityPool === identityPool &&
    known.max === max &&
    Option.getOrUndefined(known.authenticator) === Option.getOrUndefined(authenticator) &&
    Option.getOrUndefined(known.oauth) === Option.getOrUndefined(oauth)
  )
    return known
  const built: Shared = {
    provider,
    config,
    client: ClientAuth.make(provider, config),
    random,
    srpMath,
    deviceName,
    identityPool,
    pool: Jwt.poolOf(config),
    residency: Number.isFinite(max) ? new Session.Residency(Math.max(0, max)) : undefined,
    max,
    authenticator,
    oauth
  }
  sharedByProvider.set(provider, built)
  return built
})

type Service = Auth.Auth.Service

/** This client's devices kept in `store`. */
const devicesOf = (from: Shared, store: TokenStore.TokenStore.Service): Devices.Devices =>
  Devices.make({
    client: from.client,
    store,
    random: from.random,
    srpMath: from.srpMath,
    deviceName: from.deviceName
  })

/**
 * One user's `Auth`: the shared part, the store, the session state; the sign-in flows while a
 * sign-in is under way and the credentials flows once asked for (at once when an identity
 * pool is configured: a stored federated sign-in signs the user in at start).
 */
class AuthSession implements Service {
  readonly shared: Shared
  readonly store: TokenStore.TokenStore.Service
  readonly session: Session.SessionState
  readonly scope: Scope.Scope
  signInFlows: SignIn.SignIn | undefined = undefined
  credentialsFlows: Credentials.Credentials | undefined = undefined
  /** ConfirmSignUp's session for `autoSignIn`, made at the first confirmation that brings one. */
  autoSignInKept: UserAuth.AutoSignInCell | undefined = undefined

  constructor(shared: Shared, store: TokenStore.TokenStore.Service, session: Session.SessionState, scope: Scope.Scope) {
    this.shared = shared
    this.store = store
    this.session = session
    this.scope = scope
  }

  /** This client's devices of the session's store (a few closures, made when a flow needs them). */
  devices(): Devices.Devices {
    return devicesOf(this.shared, this.store)
  }

  get autoSignInCell(): UserAuth.AutoSignInCell {
    this.autoSignInKept ??= UserAuth.makeAutoSignInCell(this.shared.config.authSessionValidity)
    return this.autoSignInKept
  }

  /** The sign-in flows, made when a sign-in starts; the first made wins. */
  get flows(): Effect.Effect<SignIn.SignIn> {
    return Effect.suspend(() => {
      if (this.signInFlows !== undefined) return Effect.succeed(this.signInFlows)
      const { config, random, srpMath, client } = this.shared
      return Effect.map(
        SignIn.make({
          client,
          session: this.session,
          random,
          srpMath,
          config,
          devices: this.devices(),
          authenticator: this.shared.authenticator
        }),
        (made) => (this.signInFlows ??= made)
      )
    })
  }

  /** Runs a sign-in step; once signed in with no challenge pending, the sign-in flows are let go. */
  signInStep(step: (flows: SignIn.SignIn) => Effect.Effect<Auth.SignInResult, AuthError.AuthError>) {
    return Effect.flatMap(this.flows, (flows) =>
      Effect.tap(step(flows), (result) =>
        result._tag === "SignedIn"
          ? Effect.map(flows.pendingSignIn, (pending) => {
              if (Option.isNone(pending) && this.signInFlows === flows) this.signInFlows = undefined
            })
          : Effect.void
      )
    )
  }

  /** The credentials flows, made once; the first made wins. */
  get credentials(): Effect.Effect<Credentials.Credentials> {
    return this.credentialsFrom(undefined)
  }

  /** The credentials flows, made (if they are not yet) from the stored federated sign-in read at start. */
  credentialsFrom(
    federationAtStart: Result.Result<Option.Option<TokenStore.Federation>, AuthError.AuthError> | undefined
  ): Effect.Effect<Credentials.Credentials> {
    return Effect.suspend(() => {
      if (this.credentialsFlows !== undefined) return Effect.succeed(this.credentialsFlows)
      return Credentials.make({
        pool: Option.fromUndefinedOr(this.shared.identityPool),
        config: this.shared.config,
        session: this.session,
        store: this.store,
        federationAtStart
      }).pipe(
        Effect.provideService(Scope.Scope, this.scope),
        Effect.map((made) => (this.credentialsFlows ??= made))
      )
    })
  }

  /**
   * The local end of a session: the pending challenge, the credentials and the session go
   * even when the store cannot be cleared; that failure (Storage) is reported with the user
   * already signed out.
   */
  get endLocally(): Effect.Effect<void, AuthError.AuthError> {
    const self = this
    return Effect.gen(function* () {
      const cleared = yield* Effect.result(Effect.flatMap(self.credentials, (credentials) => credentials.clear))
      if (self.signInFlows !== undefined) yield* self.signInFlows.cancel
      yield* self.session.forget("SignedOut")
      if (cleared._tag === "Failure") return yield* Effect.fail(cleared.failure)
    })
  }

  /** The signed-in user's access token and username. */
  get signedIn() {
    return Effect.map(this.session.getTokens(), (tokens) => ({
      accessToken: tokens.accessToken,
      username: tokens.username
    }))
  }

  /** The device a device method names: the given key, else this client's device of the user. */
  deviceKeyOf(method: string, username: string, deviceKey: string | undefined) {
    const self = this
    return Effect.gen(function* () {
      if (deviceKey !== undefined) return yield* Effect.fromResult(Input.deviceKey(method, deviceKey))
      const device = yield* self.devices().stored(username)
      if (device === undefined)
        return yield* fail(
          "ResourceNotFound",
          method,
          "no device of this user is kept here (the user pool tracks no devices, or none was confirmed); pass a deviceKey"
        )
      return device.deviceKey
    })
  }

  get signUp(): Service["signUp"] {
    const { client } = this.shared
    return (input) =>
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
      }).pipe(Effect.withSpan("Auth.signUp"))
  }

  get confirmSignUp(): Service["confirmSignUp"] {
    const self = this
    const { client } = this.shared
    return (input) =>
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
        yield* self.autoSignInCell.keep(username, confirmed.session)
        return { confirmationState: "Confirmed", nextStep: "AutoSignIn" } as const
      }).pipe(Effect.withSpan("Auth.confirmSignUp"))
  }

  get resendSignUpCode(): Service["resendSignUpCode"] {
    const { client } = this.shared
    return (input) =>
      Effect.gen(function* () {
        const method = "resendSignUpCode"
        const result = yield* client.resendConfirmationCode({
          username: yield* Effect.fromResult(Input.username(method, input.username)),
          clientMetadata: yield* Effect.fromResult(Input.clientMetadata(method, input.clientMetadata))
        })
        return result.codeDeliveryDetails
      }).pipe(Effect.withSpan("Auth.resendSignUpCode"))
  }

  get autoSignIn(): Service["autoSignIn"] {
    const self = this
    return (options) =>
      Effect.gen(function* () {
        const method = "autoSignIn"
        const username =
          options?.username === undefined
            ? undefined
            : yield* Effect.fromResult(Input.username(method, options.username))
        if (Option.isSome(yield* self.session.current))
          return yield* fail("AlreadySignedIn", method, "a user is signed in; sign out first")
        const kept = yield* self.autoSignInCell.take(username)
        return yield* self.signInStep((flows) => flows.signInWithSession(kept.username, kept.session, method))
      }).pipe(Effect.withSpan("Auth.autoSignIn"))
  }

  /** The passkey actions, over the signed-in user's access token (a few closures, made per call). */
  passkeys(): ReturnType<typeof Passkeys.make> {
    return Passkeys.make({
      client: this.shared.client,
      authenticator: this.shared.authenticator,
      accessToken: Effect.map(this.session.getTokens(), (tokens) => tokens.accessToken)
    })
  }

  get associateWebAuthnCredential(): Service["associateWebAuthnCredential"] {
    return () => this.passkeys().associateWebAuthnCredential()
  }

  get listWebAuthnCredentials(): Service["listWebAuthnCredentials"] {
    return (options) => this.passkeys().listWebAuthnCredentials(options)
  }

  get deleteWebAuthnCredential(): Service["deleteWebAuthnCredential"] {
    return (input) => this.passkeys().deleteWebAuthnCredential(input)
  }

  /** Sign-in through the Cognito domain (the `OAuth` service), establishing this session. */
  redirect(): RedirectSignIn.RedirectSignIn {
    return RedirectSignIn.make({
      config: this.shared.config,
      oauth: this.shared.oauth,
      session: this.session,
      cancelPending: Effect.suspend(() => (this.signInFlows === undefined ? Effect.void : this.signInFlows.cancel))
    })
  }

  get redirectSignInUrl(): Service["redirectSignInUrl"] {
    return (input) => this.redirect().redirectSignInUrl(input)
  }

  get completeRedirectSignIn(): Service["completeRedirectSignIn"] {
    return (input) => this.redirect().completeRedirectSignIn(input)
  }

  get redirectSignOutUrl(): Service["redirectSignOutUrl"] {
    return (input) => this.redirect().redirectSignOutUrl(input)
  }

  get signIn(): Service["signIn"] {
    return (input) => this.signInStep((flows) => flows.signIn(input))
  }

  get confirmSignIn(): Service["confirmSignIn"] {
    return (input) => this.signInStep((flows) => flows.confirmSignIn(input))
  }

  get pendingSignIn(): Effect.Effect<Option.Option<PendingSignIn.PendingSignIn>> {
    return Effect.suspend(() =>
      this.signInFlows === undefined ? Effect.succeed(Option.none()) : this.signInFlows.pendingSignIn
    )
  }

  get resumeSignIn(): Service["resumeSignIn"] {
    return (pending) => this.signInStep((flows) => flows.resumeSignIn(pending))
  }

  get signOut(): Service["signOut"] {
    const self = this
    const { client } = this.shared
    return (options) =>
      Effect.gen(function* () {
        const now = yield* self.session.current
        if (options?.global === true) {
          if (Option.isNone(now)) return yield* fail("NotSignedIn", "signOut", "no user is signed in")
          const tokens = yield* self.session.getTokens()
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
        yield* self.endLocally
      }).pipe(Effect.withSpan("Auth.signOut"))
  }

  get forgotPassword(): Service["forgotPassword"] {
    const { client } = this.shared
    return (input) =>
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
      }).pipe(Effect.withSpan("Auth.forgotPassword"))
  }

  get confirmForgotPassword(): Service["confirmForgotPassword"] {
    const { client } = this.shared
    return (input) =>
      Effect.gen(function* () {
        const method = "confirmForgotPassword"
        yield* client.confirmForgotPassword({
          username: yield* Effect.fromResult(Input.username(method, input.username)),
          confirmationCode: yield* Effect.fromResult(Input.confirmationCode(method, input.confirmationCode)),
          password: yield* Effect.fromResult(Input.password(method, input.newPassword, "newPassword")),
          clientMetadata: yield* Effect.fromResult(Input.clientMetadata(method, input.clientMetadata))
        })
      }).pipe(Effect.withSpan("Auth.confirmForgotPassword"))
  }

  get changePassword(): Service["changePassword"] {
    const self = this
    const { client } = this.shared
    return (input) =>
      Effect.gen(function* () {
        const method = "changePassword"
        const previousPassword = yield* Effect.fromResult(
          Input.password(method, input.currentPassword, "currentPassword")
        )
        const proposedPassword = yield* Effect.fromResult(
          Input.password(method, input.proposedPassword, "proposedPassword")
        )
        const tokens = yield* self.session.getTokens()
        yield* client.changePassword({ accessToken: tokens.accessToken, previousPassword, proposedPassword })
      }).pipe(Effect.withSpan("Auth.changePassword"))
  }

  get getUserAttributes(): Service["getUserAttributes"] {
    const { client } = this.shared
    return Effect.flatMap(this.session.getTokens(), (tokens) =>
      client.getUser({ accessToken: tokens.accessToken })
    ).pipe(
      Effect.map((user) => user.userAttributes),
      Effect.withSpan("Auth.getUserAttributes")
    )
  }

  get updateUserAttributes(): Service["updateUserAttributes"] {
    const self = this
    const { client } = this.shared
    return (input) =>
      Effect.gen(function* () {
        const method = "updateUserAttributes"
        const userAttributes = yield* Effect.fromResult(Input.attributes(method, input.userAttributes))
        if (userAttributes === undefined || Object.keys(userAttributes).length === 0)
          return yield* fail("InvalidInput", method, "userAttributes: expected at least one attribute, found none")
        const clientMetadata = yield* Effect.fromResult(Input.clientMetadata(method, input.clientMetadata))
        const tokens = yield* self.session.getTokens()
        const result = yield* client.updateUserAttributes({
          accessToken: tokens.accessToken,
          userAttributes,
          clientMetadata
        })
        return result.codeDeliveryDetailsList
      }).pipe(Effect.withSpan("Auth.updateUserAttributes"))
  }

  get sendUserAttributeVerificationCode(): Service["sendUserAttributeVerificationCode"] {
    const self = this
    const { client } = this.shared
    return (input) =>
      Effect.gen(function* () {
        const method = "sendUserAttributeVerificationCode"
        const attributeName = yield* Effect.fromResult(
          Input.attributeName(method, input.attributeName, "attributeName")
        )
        const clientMetadata = yield* Effect.fromResult(Input.clientMetadata(method, input.clientMetadata))
        const tokens = yield* self.session.getTokens()
        const result = yield* client.getUserAttributeVerificationCode({
          accessToken: tokens.accessToken,
          attributeName,
          clientMetadata
        })
        return result.codeDeliveryDetails
      }).pipe(Effect.withSpan("Auth.sendUserAttributeVerificationCode"))
  }

  get deleteUser(): Service["deleteUser"] {
    const self = this
    const { client } = this.shared
    return Effect.gen(function* () {
      const tokens = yield* self.session.getTokens()
      yield* client.deleteUser({ accessToken: tokens.accessToken })
      // The user's devices went with the user.
      yield* self.devices().drop(tokens.username, "its user was deleted")
      yield* self.endLocally
    }).pipe(Effect.withSpan("Auth.deleteUser"))
  }

  get deleteUserAttributes(): Service["deleteUserAttributes"] {
    const self = this
    const { client } = this.shared
    return (input) =>
      Effect.gen(function* () {
        const method = "deleteUserAttributes"
        const names: unknown = typeof input === "object" && input !== null ? input.attributeNames : undefined
        if (!Array.isArray(names) || names.length === 0)
          return yield* fail("InvalidInput", method, "attributeNames: expected at least one attribute name")
        const userAttributeNames: Array<string> = []
        for (const name of names as ReadonlyArray<unknown>)
          userAttributeNames.push(yield* Effect.fromResult(Input.attributeName(method, name, "attributeNames")))
        const tokens = yield* self.session.getTokens()
        yield* client.deleteUserAttributes({ accessToken: tokens.accessToken, userAttributeNames })
      }).pipe(Effect.withSpan("Auth.deleteUserAttributes"))
  }

  get rememberDevice(): Service["rememberDevice"] {
    const self = this
    const { client } = this.shared
    return () =>
      Effect.gen(function* () {
        const method = "rememberDevice"
        const { accessToken, username } = yield* self.signedIn
        const device = yield* self.devices().offered(username)
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
      }).pipe(Effect.withSpan("Auth.rememberDevice"))
  }

  get forgetDevice(): Service["forgetDevice"] {
    const self = this
    const { client } = this.shared
    return (options) =>
      Effect.gen(function* () {
        const method = "forgetDevice"
        const devices = self.devices()
        const { accessToken, username } = yield* self.signedIn
        const deviceKey = yield* self.deviceKeyOf(method, username, options?.deviceKey)
        const mine = (yield* devices.stored(username))?.deviceKey === deviceKey
        const forgotten = client.forgetDevice({ accessToken, deviceKey })
        // This device already gone from the pool is what the caller asked for.
        yield* mine ? Effect.catchIf(forgotten, Devices.isUnknownDevice, () => Effect.void) : forgotten
        if (mine) yield* devices.drop(username, "it was forgotten")
      }).pipe(Effect.withSpan("Auth.forgetDevice"))
  }

  get fetchDevices(): Service["fetchDevices"] {
    const self = this
    const { client } = this.shared
    return (options) =>
      Effect.gen(function* () {
        const method = "fetchDevices"
        const limit = yield* Effect.fromResult(Input.limit(method, options?.limit, 60))
        const paginationToken = options?.paginationToken
        if (paginationToken !== undefined && (typeof paginationToken !== "string" || paginationToken === ""))
          return yield* fail("InvalidInput", method, "paginationToken: expected the nextToken of the previous page")
        const { accessToken } = yield* self.signedIn
        const page = yield* client.listDevices({ accessToken, limit, paginationToken })
        return {
          devices: page.devices.map(Devices.toDevice),
          ...(page.paginationToken === undefined ? {} : { nextToken: page.paginationToken })
        } satisfies Auth.FetchDevicesResult
      }).pipe(Effect.withSpan("Auth.fetchDevices"))
  }

  get getDevice(): Service["getDevice"] {
    const self = this
    const { client } = this.shared
    return (options) =>
      Effect.gen(function* () {
        const { accessToken, username } = yield* self.signedIn
        const deviceKey = yield* self.deviceKeyOf("getDevice", username, options?.deviceKey)
        return Devices.toDevice(yield* client.getDevice({ accessToken, deviceKey }))
      }).pipe(Effect.withSpan("Auth.getDevice"))
  }

  get setUpTotp(): Service["setUpTotp"] {
    const self = this
    const { client } = this.shared
    return () =>
      Effect.gen(function* () {
        const { accessToken, username } = yield* self.signedIn
        const association = yield* client.associateSoftwareToken({ accessToken })
        const secret = association.secretCode
        return {
          secret,
          uri: (options) =>
            totpSetupUri(secret, { issuer: options.issuer, accountName: options.accountName ?? username })
        } satisfies Auth.TotpSetup
      }).pipe(Effect.withSpan("Auth.setUpTotp"))
  }

  get verifyTotpSetup(): Service["verifyTotpSetup"] {
    const self = this
    const { client } = this.shared
    return (input) =>
      Effect.gen(function* () {
        const method = "verifyTotpSetup"
        const userCode = yield* Effect.fromResult(Input.mfaCode(method, input.code))
        const friendlyDeviceName =
          input.friendlyDeviceName === undefined
            ? undefined
            : yield* Effect.fromResult(Input.deviceName(method, input.friendlyDeviceName, "friendlyDeviceName"))
        const { accessToken } = yield* self.signedIn
        const verified = yield* client.verifySoftwareToken({ accessToken, userCode, friendlyDeviceName })
        if (verified.status !== "SUCCESS")
          return yield* fail("CodeMismatch", method, "the authenticator code was not accepted")
      }).pipe(Effect.withSpan("Auth.verifyTotpSetup"))
  }

  get updateMfaPreference(): Service["updateMfaPreference"] {
    const self = this
    const { client } = this.shared
    return (input) =>
      Effect.gen(function* () {
        const settings = yield* Effect.fromResult(MfaSettings.requestOf("updateMfaPreference", input))
        const { accessToken } = yield* self.signedIn
        yield* client.setUserMfaPreference({ accessToken, ...settings })
      }).pipe(Effect.withSpan("Auth.updateMfaPreference"))
  }

  get fetchMfaPreference(): Service["fetchMfaPreference"] {
    const { client } = this.shared
    return () =>
      Effect.flatMap(this.signedIn, ({ accessToken }) => client.getUser({ accessToken })).pipe(
        Effect.map(MfaSettings.preferenceOf),
        Effect.withSpan("Auth.fetchMfaPreference")
      )
  }

  get confirmUserAttribute(): Service["confirmUserAttribute"] {
    const self = this
    const { client } = this.shared
    return (input) =>
      Effect.gen(function* () {
        const method = "confirmUserAttribute"
        const attributeName = yield* Effect.fromResult(
          Input.attributeName(method, input.attributeName, "attributeName")
        )
        const code = yield* Effect.fromResult(Input.confirmationCode(method, input.confirmationCode))
        const tokens = yield* self.session.getTokens()
        yield* client.verifyUserAttribute({ accessToken: tokens.accessToken, attributeName, code })
      }).pipe(Effect.withSpan("Auth.confirmUserAttribute"))
  }

  get username(): Service["username"] {
    return Effect.map(
      this.session.current,
      Option.map((at) => at.session.username)
    )
  }

  get isSignedIn(): Service["isSignedIn"] {
    return Effect.flatMap(this.session.current, (now) =>
      Option.isSome(now)
        ? Effect.succeed(true)
        : Effect.flatMap(this.credentials, (credentials) => credentials.federatedSignedIn)
    )
  }

  get getTokens(): Service["getTokens"] {
    return (options) => this.session.getTokens(options)
  }

  get userState(): Service["userState"] {
    return this.session.userState
  }

  get userStateChanges(): Service["userStateChanges"] {
    return this.session.userStateChanges
  }

  /** Identity-pool credentials: the flows' `get`. */
  credentialsOf(options?: {
    readonly forceRefresh?: boolean | undefined
  }): Effect.Effect<AwsCredentials.AwsCredentials, AuthError.AuthError> {
    return Effect.flatMap(this.credentials, (credentials) => credentials.get(options))
  }

  get getAWSCredentials(): Service["getAWSCredentials"] {
    return (options) => this.credentialsOf(options).pipe(Effect.withSpan("Auth.getAWSCredentials"))
  }

  get identityId(): Service["identityId"] {
    return Effect.flatMap(this.credentials, (credentials) => credentials.identityId)
  }

  get federatedSignIn(): Service["federatedSignIn"] {
    return (input) =>
      Effect.flatMap(this.credentials, (credentials) => credentials.federatedSignIn(input)).pipe(
        Effect.withSpan("Auth.federatedSignIn")
      )
  }

  get signedHttpClient(): Service["signedHttpClient"] {
    return (options) => (client) =>
      AwsSigning.signed(client, {
        ...options,
        credentials: this.credentialsOf(),
        renew: this.credentialsOf({ forceRefresh: true })
      })
  }

  get bearerHttpClient(): Service["bearerHttpClient"] {
    return (options) => (client) =>
      AwsSigning.bearer(client, {
        token: options.token,
        // A refused token forces a refresh only while it is still the session's: requests
        // refused with a token another caller's refresh already replaced take the new one.
        getTokens: (forceRefresh, refused) =>
          forceRefresh && refused !== undefined
            ? Effect.flatMap(this.session.getTokens(), (tokens) =>
                Redacted.value(options.token === "access" ? tokens.accessToken : tokens.idToken) ===
                Redacted.value(refused)
                  ? this.session.getTokens({ forceRefresh: true })
                  : Effect.succeed(tokens)
              )
            : this.session.getTokens({ forceRefresh })
      })
  }
}

/**
 * One session over the shared part: restored from `store` (no request), refreshed with the
 * shared client, its background work in the current scope.
 */
export const makeSession = (
  from: Shared,
  store: TokenStore.TokenStore.Service,
  sync: SessionSync.SessionSync.Service
): Effect.Effect<Service, AuthError.AuthError, Scope.Scope> =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const { client, config } = from
    const session = yield* Session.make({
      store,
      // The devices are made for each refresh (a few closures), not kept with every session.
      refresh: (stored) => refreshWith(client, devicesOf(from, store), config.refreshTokenRotation)(stored),
      refreshWindow: config.refreshWindow,
      pool: from.pool,
      sync,
      residency: from.residency
    })
    const auth = new AuthSession(from, store, session, scope)
    // With an identity pool, the stored federated sign-in is read at start, as the credentials
    // flows read it: it signs a signed-out user in (the flows are made now, from that read), and
    // a user-pool session drops it. Otherwise the flows are made when first asked for.
    if (from.identityPool !== undefined && config.identityPoolId !== undefined) {
      const federation = yield* Effect.result(store.loadFederation)
      const found = federation._tag === "Failure" || Option.isSome(federation.success)
      if (Option.isSome(session.held ?? Option.none())) {
        if (federation._tag === "Failure")
          yield* Effect.logWarning(
            "effect-cognito: reading the federated sign-in failed; a user-pool session took over, so it is removed"
          ).pipe(Effect.annotateLogs({ reason: federation.failure.reason }))
        if (found)
          yield* Effect.catch(store.clearFederation, (error) =>
            Effect.logWarning("effect-cognito: removing the federated sign-in failed").pipe(
              Effect.annotateLogs({ reason: error.reason })
            )
          )
      } else if (found) yield* auth.credentialsFrom(federation)
    }
    return auth
  })

export const make: Effect.Effect<
  Auth.Auth.Service,
  AuthError.AuthError,
  | AuthConfig.AuthConfig
  | IdentityProvider.IdentityProvider
  | TokenStore.TokenStore
  | SecureRandom.SecureRandom
  | Scope.Scope
> = Effect.gen(function* () {
  const from = yield* shared
  return yield* makeSession(from, yield* tags.tokenStore, yield* tags.sessionSync)
})
