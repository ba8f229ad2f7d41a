/**
 * Choice-based sign-in (`USER_AUTH`) on the local Cognito, proven over loopback HTTP by the
 * AWS SDK v3 as an independent client: a pool made with `SignInPolicy` and a tier, a
 * password-less sign-up signed in with ConfirmSignUp's session, SELECT_CHALLENGE then an
 * emailed code (a wrong one is `CodeMismatchException`), a preferred EMAIL_OTP, a PASSWORD
 * first factor (InitiateAuth and AdminInitiateAuth), and USER_AUTH refused on a client
 * without `ALLOW_USER_AUTH` until UpdateUserPoolClient allows it.
 */
import { randomUUID } from "node:crypto"
import {
  AdminInitiateAuthCommand,
  ConfirmSignUpCommand,
  DescribeUserPoolCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  UpdateUserPoolClientCommand,
  UpdateUserPoolCommand
} from "@aws-sdk/client-cognito-identity-provider"
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as LocalCognito from "../src/LocalCognito.js"
import { createPoolWithClient, newUsername, password, sdk, sdkFailure, signUp } from "./localSdk.js"

interface Pool {
  readonly userPoolId: string
  readonly clientId: string
}

/** A pool whose first factors are passwords and emailed codes, with a client that allows USER_AUTH. */
const createPool = (local: LocalCognito.LocalCognito.Service) =>
  createPoolWithClient(
    local,
    {
      PoolName: `user-auth-${randomUUID().slice(0, 6)}`,
      UserPoolTier: "ESSENTIALS",
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP"] } }
    },
    "user-auth",
    ["ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"]
  )

/** The code the pool last sent to `username`. */
const codeFor = (local: LocalCognito.LocalCognito.Service, pool: Pool, username: string) =>
  Effect.flatMap(local.pool(pool.userPoolId), (cognito) =>
    Effect.map(cognito.lastCodeFor(username), Redacted.value)
  ).pipe(Effect.orDie)

/** A user with a password and an email, confirmed by the emailed code. */
const confirmedUser = (local: LocalCognito.LocalCognito.Service, pool: Pool) =>
  Effect.gen(function* () {
    const username = newUsername()
    yield* signUp(local, pool.clientId, username)
    const code = yield* codeFor(local, pool, username)
    yield* Effect.promise(() =>
      sdk(local).send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: code }))
    )
    return username
  })

const userAuth = (
  local: LocalCognito.LocalCognito.Service,
  pool: Pool,
  parameters: Readonly<Record<string, string>>,
  session?: string
) =>
  sdk(local).send(
    new InitiateAuthCommand({
      ClientId: pool.clientId,
      AuthFlow: "USER_AUTH",
      AuthParameters: { ...parameters },
      ...(session === undefined ? {} : { Session: session })
    })
  )

layer(LocalCognito.layer(), { excludeTestServices: true })("LocalCognito USER_AUTH over HTTP", (it) => {
  it.effect("signs a password-less user in with ConfirmSignUp's session, once", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const pool = yield* createPool(local)
      const username = newUsername()
      const signedUp = yield* Effect.promise(() =>
        sdk(local).send(
          new SignUpCommand({
            ClientId: pool.clientId,
            Username: username,
            UserAttributes: [{ Name: "email", Value: `${username}@example.com` }]
          })
        )
      )
      assert.isFalse(signedUp.UserConfirmed)
      const code = yield* codeFor(local, pool, username)
      const confirmed = yield* Effect.promise(() =>
        sdk(local).send(
          new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: code })
        )
      )
      const session = confirmed.Session ?? assert.fail("ConfirmSignUp answered no Session")
      const signedIn = yield* Effect.promise(() => userAuth(local, pool, { USERNAME: username }, session))
      const accessToken = signedIn.AuthenticationResult?.AccessToken ?? assert.fail("no tokens")
      const user = yield* Effect.promise(() => sdk(local).send(new GetUserCommand({ AccessToken: accessToken })))
      assert.strictEqual(user.Username, username)
      assert.strictEqual(
        yield* sdkFailure(userAuth(local, pool, { USERNAME: username }, session)),
        "NotAuthorizedException"
      )
    })
  )

  it.effect(
    "offers SELECT_CHALLENGE, then an emailed code: a wrong one is CodeMismatchException, the right one signs in",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const pool = yield* createPool(local)
        const username = yield* confirmedUser(local, pool)
        const select = yield* Effect.promise(() => userAuth(local, pool, { USERNAME: username }))
        assert.strictEqual(select.ChallengeName, "SELECT_CHALLENGE")
        assert.deepStrictEqual(select.AvailableChallenges, ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"])
        const otp = yield* Effect.promise(() =>
          sdk(local).send(
            new RespondToAuthChallengeCommand({
              ClientId: pool.clientId,
              ChallengeName: "SELECT_CHALLENGE",
              Session: select.Session,
              ChallengeResponses: { USERNAME: username, ANSWER: "EMAIL_OTP" }
            })
          )
        )
        assert.strictEqual(otp.ChallengeName, "EMAIL_OTP")
        assert.strictEqual(otp.ChallengeParameters?.CODE_DELIVERY_DELIVERY_MEDIUM, "EMAIL")
        const code = yield* codeFor(local, pool, username)
        const answer = (value: string) =>
          sdk(local).send(
            new RespondToAuthChallengeCommand({
              ClientId: pool.clientId,
              ChallengeName: "EMAIL_OTP",
              Session: otp.Session,
              ChallengeResponses: { USERNAME: username, EMAIL_OTP_CODE: value }
            })
          )
        assert.strictEqual(yield* sdkFailure(answer(code === "000000" ? "111111" : "000000")), "CodeMismatchException")
        const signedIn = yield* Effect.promise(() => answer(code))
        assert.isString(signedIn.AuthenticationResult?.IdToken)
      })
  )

  it.effect("starts with a preferred EMAIL_OTP", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const pool = yield* createPool(local)
      const username = yield* confirmedUser(local, pool)
      const otp = yield* Effect.promise(() =>
        userAuth(local, pool, { USERNAME: username, PREFERRED_CHALLENGE: "EMAIL_OTP" })
      )
      assert.strictEqual(otp.ChallengeName, "EMAIL_OTP")
      const code = yield* codeFor(local, pool, username)
      const signedIn = yield* Effect.promise(() =>
        sdk(local).send(
          new RespondToAuthChallengeCommand({
            ClientId: pool.clientId,
            ChallengeName: "EMAIL_OTP",
            Session: otp.Session,
            ChallengeResponses: { USERNAME: username, EMAIL_OTP_CODE: code }
          })
        )
      )
      assert.isString(signedIn.AuthenticationResult?.AccessToken)
    })
  )

  it.effect("takes a PASSWORD first factor, in InitiateAuth and AdminInitiateAuth", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const pool = yield* createPool(local)
      const username = yield* confirmedUser(local, pool)
      const signedIn = yield* Effect.promise(() =>
        userAuth(local, pool, { USERNAME: username, PREFERRED_CHALLENGE: "PASSWORD", PASSWORD: password })
      )
      assert.isString(signedIn.AuthenticationResult?.AccessToken)
      assert.strictEqual(
        yield* sdkFailure(
          userAuth(local, pool, { USERNAME: username, PREFERRED_CHALLENGE: "PASSWORD", PASSWORD: "Wrong-Passw0rd!" })
        ),
        "NotAuthorizedException"
      )
      const admin = yield* Effect.promise(() =>
        sdk(local).send(
          new AdminInitiateAuthCommand({
            UserPoolId: pool.userPoolId,
            ClientId: pool.clientId,
            AuthFlow: "USER_AUTH",
            AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: "PASSWORD", PASSWORD: password }
          })
        )
      )
      assert.isString(admin.AuthenticationResult?.AccessToken)
    })
  )

  it.effect("refuses USER_AUTH on a client without ALLOW_USER_AUTH, until UpdateUserPoolClient allows it", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const pool = yield* createPoolWithClient(
        local,
        {
          PoolName: `no-user-auth-${randomUUID().slice(0, 6)}`,
          Policies: { SignInPolicy: { AllowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP"] } }
        },
        "srp-only",
        ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
      )
      const username = yield* confirmedUser(local, pool)
      const refused = yield* Effect.promise(() =>
        userAuth(local, pool, { USERNAME: username }).then(
          () => assert.fail("USER_AUTH was accepted"),
          (error: unknown) => (error instanceof Error ? error : assert.fail(String(error)))
        )
      )
      assert.strictEqual(refused.name, "InvalidParameterException")
      assert.strictEqual(refused.message, "USER_AUTH flow not enabled for this client")
      const updated = yield* Effect.promise(() =>
        sdk(local).send(
          new UpdateUserPoolClientCommand({
            UserPoolId: pool.userPoolId,
            ClientId: pool.clientId,
            ExplicitAuthFlows: ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
          })
        )
      )
      assert.deepStrictEqual(updated.UserPoolClient?.ExplicitAuthFlows, ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
      const select = yield* Effect.promise(() => userAuth(local, pool, { USERNAME: username }))
      assert.strictEqual(select.ChallengeName, "SELECT_CHALLENGE")
    })
  )

  it.effect("describes the sign-in policy and tier, and UpdateUserPool changes them as Cognito allows", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const pool = yield* createPool(local)
      const describe = Effect.promise(() =>
        sdk(local).send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId }))
      )
      const before = (yield* describe).UserPool
      assert.deepStrictEqual(before?.Policies?.SignInPolicy?.AllowedFirstAuthFactors, ["PASSWORD", "EMAIL_OTP"])
      assert.strictEqual(before?.UserPoolTier, "ESSENTIALS")
      assert.strictEqual(
        yield* sdkFailure(
          sdk(local).send(new UpdateUserPoolCommand({ UserPoolId: pool.userPoolId, UserPoolTier: "LITE" }))
        ),
        "FeatureUnavailableInTierException"
      )
      yield* Effect.promise(() =>
        sdk(local).send(
          new UpdateUserPoolCommand({
            UserPoolId: pool.userPoolId,
            Policies: { SignInPolicy: { AllowedFirstAuthFactors: ["PASSWORD"] } }
          })
        )
      )
      const username = yield* confirmedUser(local, pool)
      const select = yield* Effect.promise(() => userAuth(local, pool, { USERNAME: username }))
      assert.deepStrictEqual(select.AvailableChallenges, ["PASSWORD", "PASSWORD_SRP"])
      assert.deepStrictEqual((yield* describe).UserPool?.Policies?.SignInPolicy?.AllowedFirstAuthFactors, ["PASSWORD"])
    })
  )
})
