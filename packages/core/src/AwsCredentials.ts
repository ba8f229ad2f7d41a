/**
 * Temporary AWS credentials of an identity-pool identity, and their bridge to the
 * AWS SDK for JavaScript v3.
 *
 * `AwsCredentials` is what `Auth.getAWSCredentials` returns: the identity pool's
 * credentials with the identity id they belong to. The secret key and the session
 * token are `Redacted` from the moment they arrive.
 *
 * {@link toSdkProvider} turns an Effect that yields credentials into a function of the
 * SDK's `AwsCredentialIdentityProvider` shape, so `new S3Client({ credentials })` works.
 * The shape is structural: core does not depend on any SDK package.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import type { AuthError } from "./AuthError.js"
import type * as IdentityPool from "./IdentityPool.js"

/**
 * Temporary AWS credentials for an identity of the identity pool.
 *
 * @since 0.1.0
 */
export interface AwsCredentials extends IdentityPool.Credentials {
  /** The identity (`<region>:<uuid>`) the credentials were issued for. */
  readonly identityId: string
}

/**
 * Credentials as the AWS SDK v3 takes them (`AwsCredentialIdentity`): plain strings.
 *
 * @since 0.1.0
 */
export interface SdkCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken: string
  readonly expiration: Date
}

/**
 * The AWS SDK v3 `AwsCredentialIdentityProvider` shape.
 *
 * @since 0.1.0
 */
export type SdkCredentialsProvider = () => Promise<SdkCredentials>

/**
 * Reveals the credentials for the SDK. The result holds the secret key and session
 * token in plain text: hand it to the SDK and nothing else.
 *
 * @since 0.1.0
 */
export const toSdkCredentials = (credentials: AwsCredentials): SdkCredentials => ({
  accessKeyId: credentials.accessKeyId,
  secretAccessKey: Redacted.value(credentials.secretAccessKey),
  sessionToken: Redacted.value(credentials.sessionToken),
  expiration: credentials.expiration
})

/**
 * An SDK credentials provider that runs `credentials` with the services of `context` at
 * each call. The SDK calls it when it has no credentials or when the ones it has are
 * close to their `expiration`; caching and single flight are the Effect's business (as
 * `Auth.getAWSCredentials` does them).
 *
 * A failure rejects the promise with the `AuthError` itself (not a fiber failure
 * wrapper), so SDK error handling sees its `reason` and `message`.
 *
 * @example
 * ```ts
 * import { STSClient } from "@aws-sdk/client-sts"
 * import * as Auth from "@effect-cognito/core/Auth"
 * import * as AwsCredentials from "@effect-cognito/core/AwsCredentials"
 * import * as Effect from "effect/Effect"
 *
 * const makeSts = Effect.gen(function* () {
 *   const auth = yield* Auth.Auth
 *   const context = yield* Effect.context<never>()
 *   const credentials = AwsCredentials.toSdkProvider(context, auth.getAWSCredentials())
 *   return new STSClient({ region: "eu-west-1", credentials })
 * })
 * ```
 *
 * @since 0.1.0
 */
export const toSdkProvider = <R>(
  context: Context.Context<R>,
  credentials: Effect.Effect<AwsCredentials, AuthError, R>
): SdkCredentialsProvider => {
  const run = Effect.runPromiseExitWith(context)
  return () =>
    run(credentials).then((exit) => {
      if (Exit.isSuccess(exit)) return toSdkCredentials(exit.value)
      const failure = Cause.findErrorOption(exit.cause)
      throw failure._tag === "Some" ? failure.value : Cause.squash(exit.cause)
    })
}
