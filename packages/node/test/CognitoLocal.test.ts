/**
 * Wire conformance of `CognitoIdentityProvider` against cognito-local (started by
 * test/setup/servers.ts). What cognito-local does not check or support is listed in
 * docs/testing.md; the last tests pin those gaps so a change in cognito-local shows up.
 */
import { createHmac, randomUUID } from "node:crypto"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as CognitoIdentityProvider from "@effect-cognito/core/CognitoIdentityProvider"
import * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { inject } from "vitest"

const local = inject("cognitoLocal")

/** cognito-local's own pool id, `local_<id>`, as a user configures it: in the configured region. */
const userPoolId = local.userPoolId

const layer = (clientId: string, options: CognitoIdentityProvider.Options = {}) =>
  CognitoIdentityProvider.layerWith(options).pipe(
    Layer.provide(
      AuthConfig.layer({ region: "us-east-1", userPoolId, clientId, endpoints: { identityProvider: local.endpoint } })
    ),
    Layer.provide(NodeHttpClient.layerUndici)
  )

type Provider = IdentityProvider.IdentityProvider.Service

const withProvider = <A, E>(
  clientId: string,
  f: (provider: Provider) => Effect.Effect<A, E>,
  options?: CognitoIdentityProvider.Options
) => Effect.flatMap(IdentityProvider.IdentityProvider, f).pipe(Effect.provide(layer(clientId, options)))

const secret = Redacted.make
const secretHash = (username: string, clientId: string, clientSecret: string) =>
  secret(
    createHmac("sha256", clientSecret)
      .update(username + clientId)
      .digest("base64")
  )

const newUsername = () => `user-${randomUUID().slice(0, 8)}`
const password = "First-Passw0rd!"

const signIn = (provider: Provider, username: string, pass: string, hash?: Redacted.Redacted<string>) =>
  provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username, password: secret(pass), secretHash: hash })

const tokensOf = (response: IdentityProvider.AuthResponse) => {
  assert.strictEqual(response._tag, "Authenticated")
  if (response._tag !== "Authenticated") throw new Error("not authenticated")
  return response.tokens
}

/** A confirmed user with `password` and an email. */
const confirmedUser = (provider: Provider) =>
  Effect.gen(function* () {
    const username = newUsername()
    yield* provider.signUp({
      username,
      password: secret(password),
      userAttributes: { email: `${username}@example.com` }
    })
    yield* provider.confirmSignUp({ username, confirmationCode: secret(local.code) })
    return username
  })

describe("CognitoIdentityProvider against cognito-local", () => {
  it.live("signs up with attributes, confirms with the code, signs in and reads the user", () =>
    withProvider(local.clientId, (provider) =>
      Effect.gen(function* () {
        const username = newUsername()
        const signUp = yield* provider.signUp({
          username,
          password: secret(password),
          userAttributes: { email: `${username}@example.com`, name: "Test User" },
          clientMetadata: { source: "conformance" }
        })
        assert.isFalse(signUp.userConfirmed)
        assert.match(signUp.userSub, /^[0-9a-f-]{36}$/)

        const unconfirmed = yield* Effect.flip(signIn(provider, username, password))
        assert.strictEqual(unconfirmed.reason, "UserNotConfirmed")

        yield* provider.confirmSignUp({ username, confirmationCode: secret(local.code) })
        const tokens = tokensOf(yield* signIn(provider, username, password))
        assert.isDefined(tokens.refreshToken)
        assert.strictEqual(tokens.tokenType, "Bearer")
        // cognito-local sends no ExpiresIn: it comes from the access token (24 hours there).
        assert.strictEqual(tokens.expiresIn, 24 * 3600)

        const user = yield* provider.getUser({ accessToken: tokens.accessToken })
        assert.strictEqual(user.username, username)
        assert.strictEqual(user.userAttributes.email, `${username}@example.com`)
        assert.strictEqual(user.userAttributes.name, "Test User")
        assert.strictEqual(user.userAttributes.sub, signUp.userSub)
        assert.deepStrictEqual(user.userMfaSettingList, [])
      })
    )
  )

  it.live("updates the user's attributes, sends a verification code and verifies the email with it", () =>
    withProvider(local.clientId, (provider) =>
      Effect.gen(function* () {
        const username = yield* confirmedUser(provider)
        const { accessToken } = tokensOf(yield* signIn(provider, username, password))
        const updated = yield* provider.updateUserAttributes({
          accessToken,
          userAttributes: { email: `${username}@example.org`, name: "Renamed" },
          clientMetadata: { source: "conformance" }
        })
        assert.deepStrictEqual(
          updated.codeDeliveryDetailsList.map((details) => [details.attributeName, details.deliveryMedium]),
          [["email", "EMAIL"]]
        )
        // cognito-local sends the code but answers {} where AWS names where it went (docs/testing.md).
        const sent = yield* provider.getUserAttributeVerificationCode({ accessToken, attributeName: "email" })
        assert.isUndefined(sent.codeDeliveryDetails)
        const wrong = yield* Effect.flip(
          provider.verifyUserAttribute({ accessToken, attributeName: "email", code: secret("000000") })
        )
        assert.strictEqual(wrong.reason, "CodeMismatch")
        yield* provider.verifyUserAttribute({ accessToken, attributeName: "email", code: secret(local.code) })
        const user = yield* provider.getUser({ accessToken })
        assert.strictEqual(user.userAttributes.email, `${username}@example.org`)
        assert.strictEqual(user.userAttributes.email_verified, "true")
        assert.strictEqual(user.userAttributes.name, "Renamed")
      })
    )
  )

  it.live("deletes the signed-in user: signing in again fails", () =>
    withProvider(local.clientId, (provider) =>
      Effect.gen(function* () {
        const username = yield* confirmedUser(provider)
        const { accessToken } = tokensOf(yield* signIn(provider, username, password))
        yield* provider.deleteUser({ accessToken })
        const gone = yield* Effect.flip(signIn(provider, username, password))
        // cognito-local answers an unknown user's sign-in with NotAuthorized (docs/testing.md).
        assert.strictEqual(gone.reason, "NotAuthorized")
      })
    )
  )

  it.live("refreshes with REFRESH_TOKEN_AUTH", () =>
    withProvider(local.clientId, (provider) =>
      Effect.gen(function* () {
        const username = yield* confirmedUser(provider)
        const first = tokensOf(yield* signIn(provider, username, password))
        const refreshed = tokensOf(
          yield* provider.initiateAuth({ authFlow: "REFRESH_TOKEN_AUTH", refreshToken: first.refreshToken! })
        )
        assert.isUndefined(refreshed.refreshToken)
        const user = yield* provider.getUser({ accessToken: refreshed.accessToken })
        assert.strictEqual(user.username, username)
      })
    )
  )

  it.live("changes the password: the new one signs in", () =>
    withProvider(local.clientId, (provider) =>
      Effect.gen(function* () {
        const username = yield* confirmedUser(provider)
        const tokens = tokensOf(yield* signIn(provider, username, password))
        const wrongPrevious = yield* Effect.flip(
          provider.changePassword({
            accessToken: tokens.accessToken,
            previousPassword: secret("Not-The-Passw0rd!"),
            proposedPassword: secret("Second-Passw0rd!")
          })
        )
        // AWS answers NotAuthorized here; cognito-local answers InvalidPassword.
        assert.strictEqual(wrongPrevious.reason, "InvalidPassword")
        yield* provider.changePassword({
          accessToken: tokens.accessToken,
          previousPassword: secret(password),
          proposedPassword: secret("Second-Passw0rd!")
        })
        tokensOf(yield* signIn(provider, username, "Second-Passw0rd!"))
        const old = yield* Effect.flip(signIn(provider, username, password))
        // AWS answers NotAuthorized for a wrong password; cognito-local answers InvalidPassword.
        assert.strictEqual(old.reason, "InvalidPassword")
        assert.strictEqual(old.exception, "InvalidPasswordException")
      })
    )
  )

  it.live("resets a forgotten password with the emailed code", () =>
    withProvider(local.clientId, (provider) =>
      Effect.gen(function* () {
        const username = yield* confirmedUser(provider)
        const { codeDeliveryDetails } = yield* provider.forgotPassword({ username })
        assert.deepStrictEqual(codeDeliveryDetails, {
          deliveryMedium: "EMAIL",
          destination: `${username}@example.com`,
          attributeName: "email"
        })
        const wrong = yield* Effect.flip(
          provider.confirmForgotPassword({
            username,
            confirmationCode: secret("000000"),
            password: secret("Reset-Passw0rd!")
          })
        )
        assert.strictEqual(wrong.reason, "CodeMismatch")
        yield* provider.confirmForgotPassword({
          username,
          confirmationCode: secret(local.code),
          password: secret("Reset-Passw0rd!")
        })
        tokensOf(yield* signIn(provider, username, "Reset-Passw0rd!"))
      })
    )
  )

  it.live("revokes a refresh token: refreshing with it then fails with NotAuthorized", () =>
    withProvider(local.clientId, (provider) =>
      Effect.gen(function* () {
        const username = yield* confirmedUser(provider)
        const tokens = tokensOf(yield* signIn(provider, username, password))
        yield* provider.revokeToken({ token: tokens.refreshToken! })
        const error = yield* Effect.flip(
          provider.initiateAuth({ authFlow: "REFRESH_TOKEN_AUTH", refreshToken: tokens.refreshToken! })
        )
        assert.strictEqual(error.reason, "NotAuthorized")
        assert.strictEqual(error.method, "InitiateAuth")
        assert.strictEqual(error.status, 400)
      })
    )
  )

  it.live("fails a duplicate sign-up with UsernameExists", () =>
    withProvider(local.clientId, (provider) =>
      Effect.gen(function* () {
        const username = yield* confirmedUser(provider)
        const error = yield* Effect.flip(provider.signUp({ username, password: secret(password), userAttributes: {} }))
        assert.strictEqual(error.reason, "UsernameExists")
        assert.strictEqual(error.method, "SignUp")
        assert.strictEqual(error.exception, "UsernameExistsException")
        assert.strictEqual(error.status, 400)
      })
    )
  )

  it.live("fails a wrong confirmation code with CodeMismatch", () =>
    withProvider(local.clientId, (provider) =>
      Effect.gen(function* () {
        const username = newUsername()
        yield* provider.signUp({
          username,
          password: secret(password),
          userAttributes: { email: `${username}@example.com` }
        })
        const error = yield* Effect.flip(provider.confirmSignUp({ username, confirmationCode: secret("000000") }))
        assert.strictEqual(error.reason, "CodeMismatch")
        assert.strictEqual(error.method, "ConfirmSignUp")
        assert.notInclude(JSON.stringify(error), "000000")
      })
    )
  )

  it.live("runs the same flows through the app client with a secret, sending SECRET_HASH and ClientSecret", () =>
    withProvider(local.secretClientId, (provider) =>
      Effect.gen(function* () {
        const username = newUsername()
        const hash = secretHash(username, local.secretClientId, local.secretClientSecret)
        yield* provider.signUp({
          username,
          password: secret(password),
          userAttributes: { email: `${username}@example.com` },
          secretHash: hash
        })
        const wrong = yield* Effect.flip(
          provider.confirmSignUp({ username, confirmationCode: secret("000000"), secretHash: hash })
        )
        assert.strictEqual(wrong.reason, "CodeMismatch")
        yield* provider.confirmSignUp({ username, confirmationCode: secret(local.code), secretHash: hash })
        const tokens = tokensOf(yield* signIn(provider, username, password, hash))
        tokensOf(
          yield* provider.initiateAuth({
            authFlow: "REFRESH_TOKEN_AUTH",
            refreshToken: tokens.refreshToken!,
            secretHash: hash
          })
        )
        yield* provider.forgotPassword({ username, secretHash: hash })
        yield* provider.confirmForgotPassword({
          username,
          confirmationCode: secret(local.code),
          password: secret("Reset-Passw0rd!"),
          secretHash: hash
        })
        const again = tokensOf(yield* signIn(provider, username, "Reset-Passw0rd!", hash))
        yield* provider.revokeToken({ token: again.refreshToken!, clientSecret: secret(local.secretClientSecret) })
        const revoked = yield* Effect.flip(
          provider.initiateAuth({ authFlow: "REFRESH_TOKEN_AUTH", refreshToken: again.refreshToken!, secretHash: hash })
        )
        assert.strictEqual(revoked.reason, "NotAuthorized")
      })
    )
  )

  it.live("does not check SECRET_HASH (a wrong one and none are both accepted)", () =>
    withProvider(local.secretClientId, (provider) =>
      Effect.gen(function* () {
        const username = yield* confirmedUser(provider)
        tokensOf(yield* signIn(provider, username, password, secret("bm90IHRoZSBoYXNo")))
        tokensOf(yield* signIn(provider, username, password))
      })
    )
  )

  it.live("answers the actions it does not implement with an unknown exception, read as InvalidResponse", () =>
    withProvider(
      local.clientId,
      (provider) =>
        Effect.gen(function* () {
          const username = yield* confirmedUser(provider)
          const tokens = tokensOf(yield* signIn(provider, username, password))
          const unsupported = [
            yield* Effect.flip(provider.resendConfirmationCode({ username })),
            yield* Effect.flip(provider.globalSignOut({ accessToken: tokens.accessToken })),
            yield* Effect.flip(provider.getTokensFromRefreshToken({ refreshToken: tokens.refreshToken! })),
            yield* Effect.flip(provider.initiateAuth({ authFlow: "USER_SRP_AUTH", username, srpA: "abcdef" }))
          ]
          for (const error of unsupported) {
            assert.strictEqual(error.reason, "InvalidResponse")
            assert.strictEqual(error.status, 500)
            assert.strictEqual(error.exception, "Unsupported")
            assert.include(error.description, `${error.method} returned HTTP 500`)
          }
        }),
      { retrySchedule: Schedule.recurs(0) }
    )
  )
})
