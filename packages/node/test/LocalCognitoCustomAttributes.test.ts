/**
 * A pool created with a Schema over HTTP accepts only the custom attributes it declares,
 * as Cognito does; a pool created without one keeps accepting them (the ready pool).
 */
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SignUpCommand
} from "@aws-sdk/client-cognito-identity-provider"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as LocalCognito from "../src/LocalCognito.js"

describe("the local Cognito's custom attributes", () => {
  it.effect("a pool with a Schema refuses an undeclared custom attribute and accepts a declared one", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.make()
      const client = new CognitoIdentityProviderClient({
        region: "us-east-1",
        endpoint: local.endpoint,
        credentials: { accessKeyId: "local", secretAccessKey: "local" }
      })
      const answers = yield* Effect.promise(async () => {
        const pool = await client.send(
          new CreateUserPoolCommand({
            PoolName: "Declared",
            Schema: [{ Name: "badge", AttributeDataType: "String", Mutable: true }]
          })
        )
        const app = await client.send(
          new CreateUserPoolClientCommand({ UserPoolId: pool.UserPool?.Id ?? "", ClientName: "app" })
        )
        const signUp = (username: string, name: string) =>
          client
            .send(
              new SignUpCommand({
                ClientId: app.UserPoolClient?.ClientId ?? "",
                Username: username,
                Password: "Abc@123!x",
                UserAttributes: [
                  { Name: "email", Value: `${username}@example.com` },
                  { Name: name, Value: "ABC" }
                ]
              })
            )
            .then(
              () => "ok",
              (error: { name?: string; message?: string }) => `${error.name}: ${error.message}`
            )
        return { declared: await signUp("alice", "custom:badge"), undeclared: await signUp("bob", "custom:rank") }
      })
      assert.strictEqual(answers.declared, "ok")
      assert.match(answers.undeclared, /^InvalidParameterException: .*custom:rank/)
    })
  )
})
