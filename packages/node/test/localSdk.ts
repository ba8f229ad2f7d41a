/**
 * The AWS SDK's user-pool client pointed at a local Cognito, for the tests that drive it
 * as AWS's own clients do.
 */
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider"
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
