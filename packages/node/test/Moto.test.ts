/**
 * Wire conformance of `CognitoIdentityProvider` and `CognitoIdentityPool` against moto
 * (started by test/setup/servers.ts): the SRP challenge shape, GlobalSignOut, SECRET_HASH
 * checks, and the identity pool. What moto does not check is listed in docs/testing.md.
 */
import { createHmac, randomUUID } from "node:crypto"
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as CognitoIdentityPool from "@effect-cognito/core/CognitoIdentityPool"
import * as CognitoIdentityProvider from "@effect-cognito/core/CognitoIdentityProvider"
import * as IdentityPool from "@effect-cognito/core/IdentityPool"
import * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as Srp from "@effect-cognito/core/Srp"
import { NodeAuth } from "@effect-cognito/node"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { inject } from "vitest"

const moto = inject("moto")

const layer = (clientId: string, options: CognitoIdentityProvider.Options = {}) =>
  Layer.merge(CognitoIdentityProvider.layerWith(options), CognitoIdentityPool.layerWith(options)).pipe(
    Layer.provide(
      AuthConfig.layer({
        region: moto.region,
        userPoolId: moto.userPoolId,
        clientId,
        identityPoolId: moto.identityPoolId,
        endpoints: { identityProvider: moto.endpoint, identityPool: moto.endpoint }
      })
    ),
    Layer.provide(NodeHttpClient.layerUndici)
  )

type Provider = IdentityProvider.IdentityProvider.Service

const withServices = <A, E>(
  clientId: string,
  f: (provider: Provider, pool: IdentityPool.IdentityPool.Service) => Effect.Effect<A, E>,
  options?: CognitoIdentityProvider.Options
) =>
  Effect.gen(function* () {
    const provider = yield* IdentityProvider.IdentityProvider
    const pool = yield* IdentityPool.IdentityPool
    return yield* f(provider, pool)
  }).pipe(Effect.provide(layer(clientId, options)))

const secret = Redacted.make
const secretHash = (username: string, clientId: string, clientSecret: string) =>
  secret(
    createHmac("sha256", clientSecret)
      .update(username + clientId)
      .digest("base64")
  )

const tokensOf = (response: IdentityProvider.AuthResponse) => {
  assert.strictEqual(response._tag, "Authenticated")
  if (response._tag !== "Authenticated") throw new Error("not authenticated")
  return response.tokens
}

const signIn = (provider: Provider, hash?: Redacted.Redacted<string>) =>
  provider.initiateAuth({
    authFlow: "USER_PASSWORD_AUTH",
    username: moto.username,
    password: secret(moto.password),
    secretHash: hash
  })

const srpA = "a".repeat(768)

describe("CognitoIdentityProvider and CognitoIdentityPool against moto", () => {
  it.live("answers USER_SRP_AUTH with a PASSWORD_VERIFIER challenge carrying the SRP parameters", () =>
    withServices(moto.clientId, (provider) =>
      Effect.gen(function* () {
        const response = yield* provider.initiateAuth({ authFlow: "USER_SRP_AUTH", username: moto.username, srpA })
        assert.strictEqual(response._tag, "Challenge")
        if (response._tag !== "Challenge") return
        assert.strictEqual(response.challengeName, "PASSWORD_VERIFIER")
        assert.isDefined(response.session)
        for (const key of ["SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP"]) {
          assert.isString(response.parameters[key], key)
          assert.isNotEmpty(response.parameters[key], key)
        }
        assert.match(response.parameters.SALT!, /^[0-9a-f]+$/)
        assert.match(response.parameters.SRP_B!, /^[0-9a-f]+$/)
      })
    )
  )

  it.live("signs in with USER_SRP_AUTH: ephemeral, PASSWORD_VERIFIER, password claim, tokens", () =>
    withServices(moto.clientId, (provider) =>
      Effect.gen(function* () {
        const ephemeral = yield* Srp.generateEphemeral
        const challenge = yield* provider.initiateAuth({
          authFlow: "USER_SRP_AUTH",
          username: moto.username,
          srpA: ephemeral.srpA
        })
        assert.strictEqual(challenge._tag, "Challenge")
        if (challenge._tag !== "Challenge") return
        const { SALT, SECRET_BLOCK, SRP_B, USERNAME, USER_ID_FOR_SRP } = challenge.parameters
        const timestamp = Srp.formatTimestamp(new Date(yield* Clock.currentTimeMillis))
        const { signature } = yield* Srp.passwordClaim({
          poolName: moto.userPoolId.split("_")[1]!,
          userIdForSrp: USER_ID_FOR_SRP!,
          password: secret(moto.password),
          ephemeral,
          salt: SALT!,
          srpB: SRP_B!,
          secretBlock: SECRET_BLOCK!,
          timestamp
        })
        const response = yield* provider.respondToAuthChallenge({
          challengeName: "PASSWORD_VERIFIER",
          session: challenge.session,
          challengeResponses: {
            // Cognito takes USER_ID_FOR_SRP or the USERNAME parameter here; moto only the latter.
            USERNAME: secret(USERNAME!),
            PASSWORD_CLAIM_SECRET_BLOCK: secret(SECRET_BLOCK!),
            PASSWORD_CLAIM_SIGNATURE: secret(signature),
            TIMESTAMP: secret(timestamp)
          }
        })
        const tokens = tokensOf(response)
        assert.strictEqual((yield* provider.getUser({ accessToken: tokens.accessToken })).username, moto.username)
      }).pipe(Effect.provide(SecureRandom.layer))
    )
  )

  it.live("signs in with USER_PASSWORD_AUTH: tokens, ExpiresIn and TokenType from the server", () =>
    withServices(moto.clientId, (provider) =>
      Effect.gen(function* () {
        const tokens = tokensOf(yield* signIn(provider))
        assert.isDefined(tokens.refreshToken)
        assert.strictEqual(tokens.tokenType, "Bearer")
        assert.strictEqual(tokens.expiresIn, 3600)
        const user = yield* provider.getUser({ accessToken: tokens.accessToken })
        assert.strictEqual(user.username, moto.username)
        assert.strictEqual(user.userAttributes.email, "moto-user@example.com")
        assert.isUndefined(user.preferredMfaSetting, "moto's empty PreferredMfaSetting reads as none")
      })
    )
  )

  it.live("signs out globally with an access token: the tokens stop working", () =>
    withServices(moto.clientId, (provider) =>
      Effect.gen(function* () {
        const tokens = tokensOf(yield* signIn(provider))
        yield* provider.globalSignOut({ accessToken: tokens.accessToken })

        const refresh = yield* Effect.flip(
          provider.initiateAuth({ authFlow: "REFRESH_TOKEN_AUTH", refreshToken: tokens.refreshToken! })
        )
        assert.strictEqual(refresh.reason, "NotAuthorized")

        const getUser = yield* Effect.flip(provider.getUser({ accessToken: tokens.accessToken }))
        assert.strictEqual(getUser.reason, "NotAuthorized")

        // moto echoes the access token as the message of this error; it must not reach the AuthError.
        const again = yield* Effect.flip(provider.globalSignOut({ accessToken: tokens.accessToken }))
        assert.strictEqual(again.reason, "NotAuthorized")
        assert.strictEqual(again.method, "GlobalSignOut")
        for (const text of [String(again), JSON.stringify(again)])
          assert.notInclude(text, Redacted.value(tokens.accessToken))
      })
    )
  )

  it.live("refreshes with REFRESH_TOKEN_AUTH", () =>
    withServices(moto.clientId, (provider) =>
      Effect.gen(function* () {
        const tokens = tokensOf(yield* signIn(provider))
        const refreshed = tokensOf(
          yield* provider.initiateAuth({ authFlow: "REFRESH_TOKEN_AUTH", refreshToken: tokens.refreshToken! })
        )
        assert.isUndefined(refreshed.refreshToken)
        assert.strictEqual((yield* provider.getUser({ accessToken: refreshed.accessToken })).username, moto.username)
      })
    )
  )

  it.live("checks SECRET_HASH on USER_SRP_AUTH and REFRESH_TOKEN_AUTH with the secret app client", () =>
    withServices(moto.secretClientId, (provider) =>
      Effect.gen(function* () {
        const hash = secretHash(moto.username, moto.secretClientId, moto.secretClientSecret)
        const challenge = yield* provider.initiateAuth({
          authFlow: "USER_SRP_AUTH",
          username: moto.username,
          srpA,
          secretHash: hash
        })
        assert.strictEqual(challenge._tag, "Challenge")

        const wrongHash = secret("d3JvbmcgaGFzaA==")
        const wrong = yield* Effect.flip(
          provider.initiateAuth({ authFlow: "USER_SRP_AUTH", username: moto.username, srpA, secretHash: wrongHash })
        )
        assert.strictEqual(wrong.reason, "NotAuthorized")
        // moto puts the secret hash it was sent into the message.
        for (const text of [String(wrong), JSON.stringify(wrong)]) assert.notInclude(text, Redacted.value(wrongHash))

        const tokens = tokensOf(yield* signIn(provider, hash))
        tokensOf(
          yield* provider.initiateAuth({
            authFlow: "REFRESH_TOKEN_AUTH",
            refreshToken: tokens.refreshToken!,
            secretHash: hash
          })
        )
        const noHash = yield* Effect.flip(
          provider.initiateAuth({ authFlow: "REFRESH_TOKEN_AUTH", refreshToken: tokens.refreshToken! })
        )
        assert.strictEqual(noHash.reason, "NotAuthorized")
      })
    )
  )

  it.live("signs up, enforcing the password policy, and fails a duplicate with UsernameExists", () =>
    withServices(moto.clientId, (provider) =>
      Effect.gen(function* () {
        const username = `user-${randomUUID().slice(0, 8)}`
        const weak = yield* Effect.flip(provider.signUp({ username, password: secret("weak"), userAttributes: {} }))
        assert.strictEqual(weak.reason, "InvalidPassword")
        const signUp = yield* provider.signUp({
          username,
          password: secret("Str0ng-Passw0rd!"),
          userAttributes: { email: `${username}@example.com` }
        })
        assert.isFalse(signUp.userConfirmed)
        const duplicate = yield* Effect.flip(
          provider.signUp({ username, password: secret("Str0ng-Passw0rd!"), userAttributes: {} })
        )
        assert.strictEqual(duplicate.reason, "UsernameExists")
        assert.strictEqual(duplicate.exception, "UsernameExistsException")
        const unconfirmed = yield* Effect.flip(
          provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username, password: secret("Str0ng-Passw0rd!") })
        )
        assert.strictEqual(unconfirmed.reason, "UserNotConfirmed")
        yield* provider.confirmSignUp({ username, confirmationCode: secret("123456") })
        tokensOf(
          yield* provider.initiateAuth({
            authFlow: "USER_PASSWORD_AUTH",
            username,
            password: secret("Str0ng-Passw0rd!")
          })
        )
      })
    )
  )

  it.live("gets an identity id and AWS credentials for a signed-in user's id token", () =>
    withServices(moto.clientId, (provider, pool) =>
      Effect.gen(function* () {
        const tokens = tokensOf(yield* signIn(provider))
        const logins = { [`cognito-idp.${moto.region}.amazonaws.com/${moto.userPoolId}`]: tokens.idToken }
        const { identityId } = yield* pool.getId({ logins })
        assert.match(identityId, new RegExp(`^${moto.region}:[0-9a-f-]{36}$`))
        const result = yield* pool.getCredentialsForIdentity({ identityId, logins })
        assert.strictEqual(result.identityId, identityId)
        assert.isNotEmpty(result.credentials.accessKeyId)
        assert.isNotEmpty(Redacted.value(result.credentials.secretAccessKey))
        assert.isNotEmpty(Redacted.value(result.credentials.sessionToken))
        assert.isFalse(Number.isNaN(result.credentials.expiration.getTime()))
        assert.notInclude(JSON.stringify(result), Redacted.value(result.credentials.secretAccessKey))
      })
    )
  )

  it.live("gets a guest identity without logins", () =>
    withServices(moto.clientId, (_, pool) =>
      Effect.gen(function* () {
        const { identityId } = yield* pool.getId({})
        const result = yield* pool.getCredentialsForIdentity({ identityId })
        assert.strictEqual(result.identityId, identityId)
      })
    )
  )

  it.live("answers the actions it does not implement with an HTML 500 page, read as InvalidResponse", () =>
    withServices(
      moto.clientId,
      (provider) =>
        Effect.gen(function* () {
          const tokens = tokensOf(yield* signIn(provider))
          const unsupported = [
            yield* Effect.flip(provider.resendConfirmationCode({ username: moto.username })),
            yield* Effect.flip(provider.revokeToken({ token: tokens.refreshToken! })),
            yield* Effect.flip(provider.getTokensFromRefreshToken({ refreshToken: tokens.refreshToken! }))
          ]
          for (const error of unsupported) {
            assert.strictEqual(error.reason, "InvalidResponse")
            assert.strictEqual(error.status, 500)
            assert.include(error.description, `${error.method} returned HTTP 500`)
          }
        }),
      { retrySchedule: Schedule.recurs(0) }
    )
  )
})

describe("Auth.getAWSCredentials through NodeAuth against moto", () => {
  const nodeAuth = () =>
    NodeAuth.layer({
      region: moto.region,
      userPoolId: moto.userPoolId,
      clientId: moto.clientId,
      identityPoolId: moto.identityPoolId,
      endpoints: { identityProvider: moto.endpoint, identityPool: moto.endpoint },
      // moto's credentials expire a minute or two after they are issued: inside the default margin.
      credentialsRefreshMargin: "10 seconds"
    })

  it.live("signed in: the user's identity and credentials, cached, stored in the session, dropped at sign-out", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      yield* auth.signIn({ username: moto.username, password: secret(moto.password), flow: "USER_PASSWORD_AUTH" })
      const first = yield* auth.getAWSCredentials()
      assert.match(first.identityId, new RegExp(`^${moto.region}:[0-9a-f-]{36}$`))
      assert.isNotEmpty(first.accessKeyId)
      assert.isNotEmpty(Redacted.value(first.secretAccessKey))
      assert.isNotEmpty(Redacted.value(first.sessionToken))
      assert.isAbove(first.expiration.getTime(), yield* Clock.currentTimeMillis)
      assert.strictEqual(yield* auth.getAWSCredentials(), first)
      assert.deepStrictEqual(yield* auth.identityId, Option.some(first.identityId))
      assert.strictEqual(yield* auth.userState, "SignedIn")
      yield* auth.signOut()
      assert.deepStrictEqual(yield* auth.identityId, Option.none())
    }).pipe(Effect.provide(nodeAuth()))
  )

  it.live("signed out: guest credentials and the state Guest", () =>
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      const guest = yield* auth.getAWSCredentials()
      assert.match(guest.identityId, new RegExp(`^${moto.region}:`))
      assert.isNotEmpty(guest.accessKeyId)
      assert.strictEqual(yield* auth.userState, "Guest")
      assert.deepStrictEqual(yield* auth.identityId, Option.some(guest.identityId))
    }).pipe(Effect.provide(nodeAuth()))
  )
})
