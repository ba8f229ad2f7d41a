/**
 * `IdentityPool` over HTTP: Cognito Identity (AWS JSON 1.1, `POST /` with
 * `X-Amz-Target: AWSCognitoIdentityService.<Action>`) through `effect/http`'s
 * abstract `HttpClient`, at `AuthConfig`'s `identityPoolEndpoint`.
 *
 * `GetId` sends the configured `identityPoolId` (a call without one fails with
 * `InvalidConfig`); `Logins` values (id tokens) are `Redacted` and revealed only on the
 * wire. `Credentials.Expiration` arrives as epoch seconds and becomes a `Date`.
 *
 * Errors map as in `CognitoIdentityProvider` (one table, `InvalidResponse` for what the
 * table or the schema does not know, `Transport` for connection failures and the
 * `AuthConfig.requestTimeout`). Both actions only read, so both are retried on
 * transient failures (`AuthError.isTransient`) with {@link defaultRetrySchedule}:
 *
 * | action | retried |
 * |---|---|
 * | GetId | yes |
 * | GetCredentialsForIdentity | yes |
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as AuthConfig from "./AuthConfig.js"
import * as AuthError from "./AuthError.js"
import * as IdentityPool from "./IdentityPool.js"
import * as AwsJson from "./internal/awsJson.js"

/** Options of the layer. */
export interface Options {
  /** Retries of transient failures. Default {@link defaultRetrySchedule}; `Schedule.stop` turns retries off. */
  readonly retrySchedule?: RetrySchedule | undefined
}

/** A retry schedule over the `AuthError`s of an action. */
export type RetrySchedule = AwsJson.RetrySchedule

/**
 * Exponential backoff from 200 ms, doubling, jittered; at most 3 retries (4 attempts)
 * and none once 10 seconds have passed.
 */
export const defaultRetrySchedule: RetrySchedule = AwsJson.defaultRetrySchedule

const GetIdWire = Schema.Struct({ IdentityId: Schema.String })

const CredentialsWire = Schema.Struct({
  IdentityId: Schema.String,
  Credentials: Schema.Struct({
    AccessKeyId: Schema.String,
    SecretKey: Schema.RedactedFromValue(Schema.String),
    SessionToken: Schema.RedactedFromValue(Schema.String),
    /** Epoch seconds, possibly fractional. */
    Expiration: Schema.Number
  })
})

/**
 * Builds the service from the `AuthConfig` and `HttpClient` in context, with options.
 */
export const makeWith = (
  options: Options = {}
): Effect.Effect<IdentityPool.IdentityPool.Service, never, AuthConfig.AuthConfig | HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const config = yield* AuthConfig.AuthConfig
    const call = yield* AwsJson.makeFromContext({
      target: "AWSCognitoIdentityService",
      endpoint: config.identityPoolEndpoint,
      timeout: config.requestTimeout,
      maxResponseBytes: config.maxResponseBytes,
      retrySchedule: options.retrySchedule ?? defaultRetrySchedule
    })
    const { actions } = IdentityPool
    return IdentityPool.make({
      getId: (request) =>
        config.identityPoolId === undefined
          ? Effect.fail(
              AuthError.make(
                "InvalidConfig",
                actions.getId,
                "identityPoolId is not configured: it is required for GetId"
              )
            )
          : call({
              action: actions.getId,
              idempotent: true,
              body: { IdentityPoolId: config.identityPoolId, Logins: request.logins },
              response: GetIdWire,
              read: (wire) => Result.succeed({ identityId: wire.IdentityId })
            }),
      getCredentialsForIdentity: (request) =>
        call({
          action: actions.getCredentialsForIdentity,
          idempotent: true,
          body: { IdentityId: request.identityId, Logins: request.logins, CustomRoleArn: request.customRoleArn },
          response: CredentialsWire,
          read: ({ Credentials, IdentityId }) => {
            const expiration = new Date(Credentials.Expiration * 1000)
            return Number.isNaN(expiration.getTime())
              ? Result.fail("Credentials.Expiration is not a time")
              : Result.succeed({
                  identityId: IdentityId,
                  credentials: {
                    accessKeyId: Credentials.AccessKeyId,
                    secretAccessKey: Credentials.SecretKey,
                    sessionToken: Credentials.SessionToken,
                    expiration
                  }
                })
          }
        })
    })
  })

/** Builds the service with the default options. */
export const make: Effect.Effect<
  IdentityPool.IdentityPool.Service,
  never,
  AuthConfig.AuthConfig | HttpClient.HttpClient
> = makeWith()

/** The HTTP `IdentityPool`, with the default retry schedule; built anew for each `AuthConfig` it is provided with. */
export const layer: Layer.Layer<IdentityPool.IdentityPool, never, AuthConfig.AuthConfig | HttpClient.HttpClient> =
  Layer.fresh(Layer.effect(IdentityPool.IdentityPool, make))

/** The HTTP `IdentityPool` with options, e.g. a zero-delay retry schedule in tests. */
export const layerWith = (
  options: Options
): Layer.Layer<IdentityPool.IdentityPool, never, AuthConfig.AuthConfig | HttpClient.HttpClient> =>
  Layer.effect(IdentityPool.IdentityPool, makeWith(options))

/**
 * The wire shapes of Cognito Identity's responses, as this client reads them. Exported for
 * code that answers this client (the local Cognito of `@effect-cognito/node`), so the field
 * names are written once.
 */
export const ResponseWire = {
  GetId: GetIdWire,
  Credentials: CredentialsWire
} as const
