/**
 * The AWS SDK's user-pool client pointed at a local Cognito, for the tests that drive it
 * as AWS's own clients do, and what those tests share: the users' password, fresh
 * usernames, a pool with an app client, SignUp with an email and USER_PASSWORD_AUTH through the SDK.
 */
import { randomUUID } from "node:crypto"
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  type CreateUserPoolCommandInput,
  type ExplicitAuthFlowsType,
  InitiateAuthCommand,
  SignUpCommand
} from "@aws-sdk/client-cognito-identity-provider"
import { assert } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as LocalCognito from "../src/LocalCognito.js"

/** The SDK client for the local endpoint; admin calls are signed with dummy keys, which the local server ignores. */
export const sdk = (local: LocalCognito.LocalCognito.Service) =>
  new CognitoIdentityProviderClient({
    region: local.defaultPool.region,
    endpoint: local.endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" }
  })

/** The AWS SDK's exception name of a failed call, or `"succeeded"`. */
export const sdkFailure = (promise: Promise<unknown>) =>
  Effect.promise(() =>
    promise.then(
      () => "succeeded",
      (error: unknown) => (error instanceof Error ? error.name : String(error))
    )
  )

/** The password of the users these tests sign up. */
export const password = "First-Passw0rd!"
/** amazon-cognito-identity-js does its SRP math in pure JavaScript: generous on a loaded machine. */
export const timeout = 60_000
export const newUsername = () => `user-${randomUUID().slice(0, 8)}`

/** SignUp through the AWS SDK with `password` and an email (and whatever else is given). */
export const signUp = (
  local: LocalCognito.LocalCognito.Service,
  clientId: string,
  username: string,
  attributes: Readonly<Record<string, string>> = {}
) =>
  Effect.promise(() =>
    sdk(local).send(
      new SignUpCommand({
        ClientId: clientId,
        Username: username,
        Password: password,
        UserAttributes: Object.entries({ email: `${username}@example.com`, ...attributes }).map(([Name, Value]) => ({
          Name,
          Value
        }))
      })
    )
  )

/** USER_PASSWORD_AUTH through the AWS SDK, naming `deviceKey` when one is given. */
export const sdkPasswordSignIn = (
  local: LocalCognito.LocalCognito.Service,
  options: {
    readonly clientId: string
    readonly username: string
    readonly password?: string | undefined
    readonly deviceKey?: string | undefined
  }
) =>
  sdk(local).send(
    new InitiateAuthCommand({
      ClientId: options.clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: {
        USERNAME: options.username,
        PASSWORD: options.password ?? password,
        ...(options.deviceKey === undefined ? {} : { DEVICE_KEY: options.deviceKey })
      }
    })
  )

/** A user pool made from `input`, and an app client of it named `clientName` that allows `authFlows`. */
export const createPoolWithClient = (
  local: LocalCognito.LocalCognito.Service,
  input: CreateUserPoolCommandInput,
  clientName: string,
  authFlows: ReadonlyArray<ExplicitAuthFlowsType>
) =>
  Effect.gen(function* () {
    const client = sdk(local)
    const created = yield* Effect.promise(() => client.send(new CreateUserPoolCommand(input)))
    const userPoolId = created.UserPool?.Id ?? assert.fail("no pool id")
    const app = yield* Effect.promise(() =>
      client.send(
        new CreateUserPoolClientCommand({
          UserPoolId: userPoolId,
          ClientName: clientName,
          ExplicitAuthFlows: [...authFlows]
        })
      )
    )
    return { userPoolId, clientId: app.UserPoolClient?.ClientId ?? assert.fail("no client id") }
  })
