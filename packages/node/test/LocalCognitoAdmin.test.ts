/**
 * The local Cognito answering as Cognito does, through the AWS SDK: users' dates kept
 * (`UserCreateDate` once, `UserLastModifiedDate` on each change, by the TestClock),
 * `ListUserPools` with its pages, `AdminInitiateAuth` (ADMIN_USER_PASSWORD_AUTH, the
 * refresh flows, the same challenges as `InitiateAuth`), and the OpenID discovery
 * document whose `jwks_uri` serves Cognito-shaped keys.
 */
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetUserCommand,
  ListUserPoolsCommand,
  ListUsersCommand,
  UpdateUserAttributesCommand
} from "@aws-sdk/client-cognito-identity-provider"
import { assert, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/testing/TestClock"
import * as LocalCognito from "../src/LocalCognito.js"
import { sdk, sdkFailure } from "./localSdk.js"

const password = "First-Passw0rd!"

const send = <A>(call: () => Promise<A>) => Effect.promise(call)

/** Runs `body` against a fresh local Cognito, stopped when it returns. */
const running = <A, E>(body: (local: LocalCognito.LocalCognito.Service) => Effect.Effect<A, E>) =>
  Effect.scoped(Effect.flatMap(LocalCognito.make({}), body))

/** A confirmed user with `password`, made by the admin API. */
const adminUser = (local: LocalCognito.LocalCognito.Service, username: string) =>
  Effect.gen(function* () {
    const client = sdk(local)
    const UserPoolId = local.defaultPool.userPoolId
    yield* send(() =>
      client.send(
        new AdminCreateUserCommand({
          UserPoolId,
          Username: username,
          MessageAction: "SUPPRESS",
          UserAttributes: [{ Name: "email", Value: `${username}@example.com` }]
        })
      )
    )
    yield* send(() =>
      client.send(
        new AdminSetUserPasswordCommand({ UserPoolId, Username: username, Password: password, Permanent: true })
      )
    )
  })

it.effect("UserCreateDate is kept and UserLastModifiedDate moves only when the user changes", () =>
  running((local) =>
    Effect.gen(function* () {
      const client = sdk(local)
      const UserPoolId = local.defaultPool.userPoolId
      const get = send(() => client.send(new AdminGetUserCommand({ UserPoolId, Username: "dates" })))
      yield* TestClock.setTime(Date.UTC(2024, 0, 1))
      yield* send(() =>
        client.send(
          new AdminCreateUserCommand({
            UserPoolId,
            Username: "dates",
            MessageAction: "SUPPRESS",
            UserAttributes: [{ Name: "given_name", Value: "Ada" }]
          })
        )
      )
      const first = yield* get
      assert.strictEqual(first.UserCreateDate?.getTime(), Date.UTC(2024, 0, 1))
      assert.strictEqual(first.UserLastModifiedDate?.getTime(), Date.UTC(2024, 0, 1))

      yield* TestClock.adjust("90 minutes")
      const second = yield* get
      assert.strictEqual(second.UserCreateDate?.getTime(), Date.UTC(2024, 0, 1))
      assert.strictEqual(second.UserLastModifiedDate?.getTime(), Date.UTC(2024, 0, 1))

      // A change through the user's own access token moves the modified date, not the creation date.
      yield* send(() =>
        client.send(
          new AdminSetUserPasswordCommand({ UserPoolId, Username: "dates", Password: password, Permanent: true })
        )
      )
      const changedAt = Date.UTC(2024, 0, 1, 1, 30)
      const signedIn = yield* send(() =>
        client.send(
          new AdminInitiateAuthCommand({
            UserPoolId,
            ClientId: local.defaultPool.clientId,
            AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
            AuthParameters: { USERNAME: "dates", PASSWORD: password }
          })
        )
      )
      yield* TestClock.adjust("30 minutes")
      yield* send(() =>
        client.send(
          new UpdateUserAttributesCommand({
            AccessToken: signedIn.AuthenticationResult?.AccessToken,
            UserAttributes: [{ Name: "given_name", Value: "Grace" }]
          })
        )
      )
      const third = yield* get
      assert.strictEqual(third.UserCreateDate?.getTime(), Date.UTC(2024, 0, 1))
      assert.strictEqual(third.UserLastModifiedDate?.getTime(), changedAt + 1_800_000)

      // ListUsers reports the same dates; a disabled user is a change too.
      yield* TestClock.adjust("1 hour")
      yield* send(() => client.send(new AdminDisableUserCommand({ UserPoolId, Username: "dates" })))
      const listed = yield* send(() => client.send(new ListUsersCommand({ UserPoolId })))
      const user = listed.Users?.find((u) => u.Username === "dates")
      assert.strictEqual(user?.UserCreateDate?.getTime(), Date.UTC(2024, 0, 1))
      assert.strictEqual(user?.UserLastModifiedDate?.getTime(), changedAt + 5_400_000)
    })
  )
)

it.effect("ListUserPools pages the pools by MaxResults and NextToken, as Cognito describes them", () =>
  running((local) =>
    Effect.gen(function* () {
      const client = sdk(local)
      for (const PoolName of ["second", "third"])
        yield* send(() => client.send(new CreateUserPoolCommand({ PoolName })))
      const first = yield* send(() => client.send(new ListUserPoolsCommand({ MaxResults: 2 })))
      assert.deepStrictEqual(
        first.UserPools?.map((pool) => pool.Name),
        ["local", "second"]
      )
      const pool = first.UserPools?.[0]
      assert.strictEqual(pool?.Id, local.defaultPool.userPoolId)
      assert.deepStrictEqual(pool?.LambdaConfig, {})
      assert.instanceOf(pool?.CreationDate, Date)
      assert.instanceOf(pool?.LastModifiedDate, Date)
      assert.isString(first.NextToken)
      const second = yield* send(() =>
        client.send(new ListUserPoolsCommand({ MaxResults: 2, NextToken: first.NextToken }))
      )
      assert.deepStrictEqual(
        second.UserPools?.map((p) => p.Name),
        ["third"]
      )
      assert.isUndefined(second.NextToken)
      assert.strictEqual(
        yield* sdkFailure(client.send(new ListUserPoolsCommand({ MaxResults: 61 }))),
        "InvalidParameterException"
      )
    })
  )
)

it.effect("AdminInitiateAuth signs in with ADMIN_USER_PASSWORD_AUTH, refreshes, and answers challenges", () =>
  running((local) =>
    Effect.gen(function* () {
      const client = sdk(local)
      const UserPoolId = local.defaultPool.userPoolId
      const ClientId = local.defaultPool.clientId
      yield* adminUser(local, "admin-auth")
      const signIn = (Username: string, Password: string, clientId = ClientId) =>
        client.send(
          new AdminInitiateAuthCommand({
            UserPoolId,
            ClientId: clientId,
            AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
            AuthParameters: { USERNAME: Username, PASSWORD: Password }
          })
        )
      const tokens = (yield* send(() => signIn("admin-auth", password))).AuthenticationResult
      assert.isString(tokens?.AccessToken)
      assert.isString(tokens?.RefreshToken)
      const me = yield* send(() => client.send(new GetUserCommand({ AccessToken: tokens?.AccessToken })))
      assert.strictEqual(me.Username, "admin-auth")

      for (const AuthFlow of ["REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"] as const) {
        const refreshed = yield* send(() =>
          client.send(
            new AdminInitiateAuthCommand({
              UserPoolId,
              ClientId,
              AuthFlow,
              AuthParameters: { REFRESH_TOKEN: tokens?.RefreshToken ?? "" }
            })
          )
        )
        assert.isString(refreshed.AuthenticationResult?.AccessToken)
        assert.isUndefined(refreshed.AuthenticationResult?.RefreshToken)
      }

      // Failures as InitiateAuth's: a wrong password, an unknown user, a flow the client does not allow.
      assert.strictEqual(yield* sdkFailure(signIn("admin-auth", "Wrong-Passw0rd!")), "NotAuthorizedException")
      assert.strictEqual(yield* sdkFailure(signIn("nobody", password)), "UserNotFoundException")
      const narrow = yield* send(() =>
        client.send(
          new CreateUserPoolClientCommand({
            UserPoolId,
            ClientName: "narrow",
            ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
          })
        )
      )
      assert.strictEqual(
        yield* sdkFailure(signIn("admin-auth", password, narrow.UserPoolClient?.ClientId)),
        "InvalidParameterException"
      )
      // A client of another pool, or a flow AdminInitiateAuth does not take.
      const other = yield* send(() => client.send(new CreateUserPoolCommand({ PoolName: "other" })))
      assert.strictEqual(
        yield* sdkFailure(
          client.send(
            new AdminInitiateAuthCommand({
              UserPoolId: other.UserPool?.Id,
              ClientId,
              AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
              AuthParameters: { USERNAME: "admin-auth", PASSWORD: password }
            })
          )
        ),
        "ResourceNotFoundException"
      )
      assert.strictEqual(
        yield* sdkFailure(
          client.send(
            new AdminInitiateAuthCommand({
              UserPoolId,
              ClientId,
              AuthFlow: "USER_PASSWORD_AUTH",
              AuthParameters: { USERNAME: "admin-auth", PASSWORD: password }
            })
          )
        ),
        "InvalidParameterException"
      )

      // A temporary password: NEW_PASSWORD_REQUIRED, answered by AdminRespondToAuthChallenge.
      yield* send(() =>
        client.send(
          new AdminCreateUserCommand({
            UserPoolId,
            Username: "temporary",
            TemporaryPassword: "Temp-Passw0rd!",
            MessageAction: "SUPPRESS"
          })
        )
      )
      const challenge = yield* send(() => signIn("temporary", "Temp-Passw0rd!"))
      assert.strictEqual(challenge.ChallengeName, "NEW_PASSWORD_REQUIRED")
      assert.isString(challenge.Session)
      const answered = yield* send(() =>
        client.send(
          new AdminRespondToAuthChallengeCommand({
            UserPoolId,
            ClientId,
            ChallengeName: "NEW_PASSWORD_REQUIRED",
            Session: challenge.Session,
            ChallengeResponses: { USERNAME: "temporary", NEW_PASSWORD: password }
          })
        )
      )
      assert.isString(answered.AuthenticationResult?.AccessToken)
      assert.strictEqual((yield* send(() => signIn("temporary", password))).AuthenticationResult !== undefined, true)
    })
  )
)

it.effect("the OpenID discovery document names the issuer and a jwks_uri serving Cognito-shaped keys", () =>
  running((local) =>
    Effect.gen(function* () {
      const issuer = `${local.endpoint}${local.defaultPool.userPoolId}`
      const response = yield* send(() => fetch(`${issuer}/.well-known/openid-configuration`))
      assert.strictEqual(response.status, 200)
      assert.match(response.headers.get("content-type") ?? "", /^application\/json/)
      const document = (yield* send(() => response.json())) as Record<string, unknown>
      assert.strictEqual(document.issuer, issuer)
      assert.strictEqual(document.jwks_uri, `${issuer}/.well-known/jwks.json`)
      assert.deepStrictEqual(document.id_token_signing_alg_values_supported, ["RS256"])
      assert.deepStrictEqual(document.subject_types_supported, ["public"])
      assert.deepStrictEqual(document.response_types_supported, ["code", "token"])
      assert.includeMembers(document.scopes_supported as Array<string>, ["openid", "email", "phone", "profile"])
      // The default pool has the domain `local`: its endpoints are under it.
      for (const name of ["authorization_endpoint", "token_endpoint", "userinfo_endpoint"])
        assert.isTrue(String(document[name]).startsWith(`${local.endpoint}domain/local/oauth2/`), name)

      const keys = (yield* send(() => fetch(String(document.jwks_uri)).then((r) => r.json()))) as {
        readonly keys: ReadonlyArray<Record<string, unknown>>
      }
      assert.isAbove(keys.keys.length, 0)
      for (const key of keys.keys) {
        assert.deepStrictEqual(Object.keys(key).sort(), ["alg", "e", "kid", "kty", "n", "use"])
        assert.strictEqual(key.alg, "RS256")
        assert.strictEqual(key.kty, "RSA")
        assert.strictEqual(key.use, "sig")
      }

      const missing = yield* send(() => fetch(`${local.endpoint}us-east-1_Missing1/.well-known/openid-configuration`))
      assert.strictEqual(missing.status, 404)
    })
  )
)
