/**
 * The real `Auth` flows through `NodeAuth` (CognitoIdentityProvider over undici) against
 * the emulators the global setup started: cognito-local for the password flows, moto for
 * SRP, GlobalSignOut and identity pools; and against this project's local Cognito
 * (`LocalCognito`, started in process), which runs the password flows and SRP with
 * GlobalSignOut with the codes it really delivered. What the emulators do not check is
 * in docs/testing.md.
 */
import { randomUUID } from "node:crypto"
import * as Auth from "@effect-cognito/core/Auth"
import type * as AuthConfig from "@effect-cognito/core/AuthConfig"
import type * as AuthError from "@effect-cognito/core/AuthError"
import * as IdentityPool from "@effect-cognito/core/IdentityPool"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import { NodeAuth } from "@effect-cognito/node"
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import { assert, describe, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { inject } from "vitest"

const local = inject("cognitoLocal")
const moto = inject("moto")

const expectReason = <A, E extends { readonly reason?: string }, R>(effect: Effect.Effect<A, E, R>, reason: string) =>
  Effect.gen(function* () {
    const error = yield* Effect.flip(effect)
    assert.strictEqual(error.reason, reason, String(error))
    return error
  })

/**
 * The refresh token of a session that was signed out, used again by a fresh `Auth`
 * (as a stolen copy or another process would): Cognito must reject it.
 */
const reuseAfterSignOut = (stale: TokenStore.Session) =>
  Effect.gen(function* () {
    const store = yield* TokenStore.TokenStore
    yield* store.save(stale)
    const revived = yield* Auth.make
    assert.isTrue(yield* revived.isSignedIn)
    yield* expectReason(revived.getTokens({ forceRefresh: true }), "SessionExpired")
    assert.isFalse(yield* revived.isSignedIn)
    assert.isTrue(Option.isNone(yield* store.load))
  })

/** Where an emulator's confirmation codes come from. */
type Codes<R> = (username: string, purpose: "SignUp" | "ForgotPassword") => Effect.Effect<string, never, R>

/** A code that is not `code`. */
const wrongCode = (code: string) => (code === "000000" ? "111111" : "000000")

const passwordFlowsName = "sign-up, confirm, sign-in, refresh, change and reset password, sign-out"

const passwordFlows = <R>(config: AuthConfig.Input, codes: Codes<R>) =>
  Effect.gen(function* () {
    const auth = yield* Auth.Auth
    const username = `user-${randomUUID().slice(0, 8)}`
    const first = Redacted.make("First-Passw0rd!")
    const second = Redacted.make("Second-Passw0rd!")
    const third = Redacted.make("Third-Passw0rd!")
    const signUp = yield* auth.signUp({
      username,
      password: first,
      userAttributes: { email: `${username}@example.com`, "custom:badge": "ABC123XYZ" }
    })
    assert.strictEqual(signUp.confirmationState, "Unconfirmed")
    assert.isNotEmpty(signUp.userSub)
    yield* expectReason(auth.signUp({ username, password: first }), "UsernameExists")
    const signUpCode = yield* codes(username, "SignUp")
    yield* expectReason(
      auth.confirmSignUp({ username, confirmationCode: Redacted.make(wrongCode(signUpCode)) }),
      "CodeMismatch"
    )
    yield* auth.confirmSignUp({ username, confirmationCode: Redacted.make(signUpCode) })

    const signedIn = yield* auth.signIn({ username, password: first, flow: "USER_PASSWORD_AUTH" })
    assert.strictEqual(signedIn._tag, "SignedIn")
    assert.deepStrictEqual(yield* auth.username, Option.some(username))
    const tokens = yield* auth.getTokens()
    const refreshed = yield* auth.getTokens({ forceRefresh: true })
    assert.notStrictEqual(Redacted.value(refreshed.idToken), Redacted.value(tokens.idToken))
    assert.strictEqual(Redacted.value(refreshed.refreshToken), Redacted.value(tokens.refreshToken))

    yield* auth.changePassword({ currentPassword: first, proposedPassword: second })
    const forgot = yield* auth.forgotPassword({ username })
    assert.strictEqual(forgot.state, "ConfirmationCodeSent")
    const resetCode = yield* codes(username, "ForgotPassword")
    yield* expectReason(
      auth.confirmForgotPassword({
        username,
        newPassword: third,
        confirmationCode: Redacted.make(wrongCode(resetCode))
      }),
      "CodeMismatch"
    )
    yield* auth.confirmForgotPassword({ username, newPassword: third, confirmationCode: Redacted.make(resetCode) })

    const stale = Option.getOrThrow(yield* Effect.flatMap(TokenStore.TokenStore, (store) => store.load))
    yield* auth.signOut()
    assert.isFalse(yield* auth.isSignedIn)
    yield* reuseAfterSignOut(stale)

    assert.strictEqual((yield* auth.signIn({ username, password: third, flow: "USER_PASSWORD_AUTH" }))._tag, "SignedIn")
    yield* auth.signOut()
  }).pipe(Effect.provide(NodeAuth.layer(config)))

describe("Auth through NodeAuth against cognito-local", () => {
  const userPoolId = `us-east-1_${local.userPoolId.split("_")[1]}`
  const endpoints = { identityProvider: local.endpoint }
  const fixedCode: Codes<never> = () => Effect.succeed(local.code)
  it.effect(`an app client without a secret: ${passwordFlowsName}`, () =>
    passwordFlows({ region: "us-east-1", userPoolId, clientId: local.clientId, endpoints }, fixedCode)
  )
  it.effect(`an app client with a secret: ${passwordFlowsName}`, () =>
    passwordFlows(
      {
        region: "us-east-1",
        userPoolId,
        clientId: local.secretClientId,
        clientSecret: Redacted.make(local.secretClientSecret),
        endpoints
      },
      fixedCode
    )
  )
})

/** A confirmed user with a permanent password, made ready on the emulator. */
type Ready<R> = Effect.Effect<
  { readonly username: string; readonly password: string },
  AuthError.AuthError,
  Auth.Auth | R
>

/**
 * SRP sign-in, identity pool credentials (when the configuration names an identity pool),
 * global sign-out, and the old refresh token rejected afterwards.
 */
const srpAndGlobalSignOut = <R>(config: AuthConfig.Input, ready: Ready<R>) =>
  Effect.gen(function* () {
    const auth = yield* Auth.Auth
    const { password, username } = yield* ready
    const result = yield* auth.signIn({ username, password: Redacted.make(password) })
    assert.strictEqual(result._tag, "SignedIn")
    assert.deepStrictEqual(yield* auth.username, Option.some(username))
    const tokens = yield* auth.getTokens()

    if (config.identityPoolId !== undefined) {
      const pool = yield* IdentityPool.IdentityPool
      const logins = { [`cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`]: tokens.idToken }
      const { identityId } = yield* pool.getId({ logins })
      assert.match(identityId, new RegExp(`^${config.region}:`))
      const { credentials } = yield* pool.getCredentialsForIdentity({ identityId, logins })
      assert.isNotEmpty(credentials.accessKeyId)
      assert.isNotEmpty(Redacted.value(credentials.secretAccessKey))
      assert.instanceOf(credentials.expiration, Date)
    }

    const stale = Option.getOrThrow(yield* Effect.flatMap(TokenStore.TokenStore, (store) => store.load))
    yield* auth.signOut({ global: true })
    assert.isFalse(yield* auth.isSignedIn)
    // GlobalSignOut really ran: the old refresh token is dead.
    yield* reuseAfterSignOut(stale)
  }).pipe(Effect.provide(NodeAuth.layer(config)))

const wrongUser = (config: AuthConfig.Input) =>
  Effect.gen(function* () {
    const auth = yield* Auth.Auth
    yield* expectReason(auth.signIn({ username: "nobody-here", password: Redacted.make("x") }), "UserNotFound")
  }).pipe(Effect.provide(NodeAuth.layer(config)))

describe("Auth through NodeAuth against moto", () => {
  const config = (clientId: string, clientSecret?: string): AuthConfig.Input => ({
    region: moto.region,
    userPoolId: moto.userPoolId,
    clientId,
    clientSecret: clientSecret === undefined ? undefined : Redacted.make(clientSecret),
    identityPoolId: moto.identityPoolId,
    endpoints: { identityProvider: moto.endpoint, identityPool: moto.endpoint }
  })
  const ready = Effect.succeed({ username: moto.username, password: moto.password })
  const srpName = "SRP sign-in, identity pool credentials, global sign-out"

  it.effect(`an app client without a secret: ${srpName}`, () => srpAndGlobalSignOut(config(moto.clientId), ready))
  it.effect(`an app client with a secret: ${srpName}`, () =>
    srpAndGlobalSignOut(config(moto.secretClientId, moto.secretClientSecret), ready)
  )
  it.effect("a wrong user fails with a typed error, not a defect", () => wrongUser(config(moto.clientId)))
})

/** A user signed up and confirmed through `Auth` with the code the emulator delivered. */
const signedUp = <R>(codes: Codes<R>): Ready<R> =>
  Effect.gen(function* () {
    const auth = yield* Auth.Auth
    const username = `user-${randomUUID().slice(0, 8)}`
    const password = "Srp-Passw0rd!"
    yield* auth.signUp({
      username,
      password: Redacted.make(password),
      userAttributes: { email: `${username}@example.com` }
    })
    yield* auth.confirmSignUp({ username, confirmationCode: Redacted.make(yield* codes(username, "SignUp")) })
    return { username, password }
  })

layer(LocalCognito.layer(), { excludeTestServices: true })("Auth through NodeAuth against the local Cognito", (it) => {
  /** The last code of a purpose the local Cognito delivered to a user. */
  const delivered: Codes<LocalCognito.LocalCognito> = (username, purpose) =>
    Effect.flatMap(LocalCognito.LocalCognito, (local) =>
      Effect.flatMap(local.deliveries, (deliveries) => {
        const found = deliveries.filter((d) => d.message.username === username && d.message.purpose === purpose).at(-1)
        return found === undefined
          ? Effect.die(new Error(`no ${purpose} code was delivered to ${username}`))
          : Effect.succeed(Redacted.value(found.message.code))
      })
    )
  /**
   * The default app client without the identity pool (the default identity pool trusts the
   * default client only, so the secret client below goes without it too).
   */
  const userPoolOnly = Effect.map(LocalCognito.LocalCognito, ({ config }) => ({ ...config, identityPoolId: undefined }))
  /** A new app client with a secret on the default pool, created over the wire as a setup script would. */
  const withSecret = Effect.gen(function* () {
    const local = yield* LocalCognito.LocalCognito
    const config = yield* userPoolOnly
    const created = yield* Effect.promise(() =>
      fetch(local.endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": "AWSCognitoIdentityProviderService.CreateUserPoolClient"
        },
        body: JSON.stringify({
          UserPoolId: config.userPoolId,
          ClientName: "confidential",
          GenerateSecret: true,
          ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        })
      }).then((response) => response.json() as Promise<{ UserPoolClient: { ClientId: string; ClientSecret: string } }>)
    )
    return {
      ...config,
      clientId: created.UserPoolClient.ClientId,
      clientSecret: Redacted.make(created.UserPoolClient.ClientSecret)
    }
  })

  it.effect(`an app client without a secret: ${passwordFlowsName}`, () =>
    Effect.flatMap(userPoolOnly, (config) => passwordFlows(config, delivered))
  )
  it.effect(`an app client with a secret: ${passwordFlowsName}`, () =>
    Effect.flatMap(withSecret, (config) => passwordFlows(config, delivered))
  )
  it.effect("an app client without a secret: SRP sign-in, identity pool credentials, global sign-out", () =>
    Effect.flatMap(LocalCognito.LocalCognito, ({ config }) => srpAndGlobalSignOut(config, signedUp(delivered)))
  )
  it.effect("an app client with a secret: SRP sign-in, global sign-out", () =>
    Effect.flatMap(withSecret, (config) => srpAndGlobalSignOut(config, signedUp(delivered)))
  )
  it.effect("a wrong user fails with a typed error, not a defect", () => Effect.flatMap(userPoolOnly, wrongUser))
})
