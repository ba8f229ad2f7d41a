/**
 * The identity-pool actions of the local Cognito: CreateIdentityPool, DescribeIdentityPool,
 * GetId and GetCredentialsForIdentity, answered by TestCognito's identity pool or by the
 * `IdentityPool` the `identityPools` option plugs in; and the credentials they issued.
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as LocalCognito from "../../LocalCognito.js"
import { decode, failure, IdentityRequests, optional } from "./wire.js"
import { IdentityResponses } from "./wireResponses.js"
import * as State from "./registryState.js"
import type { IdentityPool, IdentityPoolDescription, Pool } from "./registryState.js"

const CreateIdentityPool = Schema.Struct({
  IdentityPoolName: Schema.String,
  AllowUnauthenticatedIdentities: Schema.Boolean,
  CognitoIdentityProviders: optional(
    Schema.Array(
      Schema.Struct({
        ProviderName: Schema.String,
        ClientId: Schema.String,
        ServerSideTokenCheck: optional(Schema.Boolean)
      })
    )
  )
})

const IdentityPoolRef = Schema.Struct({ IdentityPoolId: Schema.String })

/** The identity-pool actions over a registry state. */
export const make = (state: State.State, identityPoolFactory: LocalCognito.Options["identityPools"]) => {
  const { region, pools, identityPools, identities } = state
  const findIdentityPool = (action: string, id: string) => State.findIdentityPool(state, action, id)

  /**
   * The default identity pool: TestCognito's, kept by the first user pool among its
   * providers and trusting the id tokens of every user pool among them (each for its
   * providers' app clients); none without a user pool. The user pools must exist when the
   * identity pool is created.
   */
  const testCognitoIdentityPool = (config: LocalCognito.IdentityPoolConfig) => {
    const prefix = `cognito-idp.${region}.amazonaws.com/`
    const trusted = new Map<Pool, Array<string>>()
    for (const provider of config.providers) {
      const pool = provider.providerName.startsWith(prefix)
        ? pools.get(provider.providerName.slice(prefix.length))
        : undefined
      if (pool !== undefined) trusted.set(pool, [...(trusted.get(pool) ?? []), provider.clientId])
    }
    const [host, ...others] = trusted
    if (host === undefined) return Effect.succeed(undefined)
    return host[0].cognito.withIdentityPool({
      identityPoolId: config.identityPoolId,
      allowUnauthenticated: config.allowUnauthenticatedIdentities,
      clientIds: host[1],
      userPools: others.map(([pool, clientIds]) => ({ pool: pool.cognito, clientIds }))
    })
  }

  /** The secret key and session token of credentials an identity pool issued, to verify a signature. */
  const credentialsOf = (accessKeyId: string) =>
    Effect.firstSuccessOf([
      ...Array.from(identityPools.values(), (pool) =>
        pool.testPool === undefined
          ? Effect.fail(undefined)
          : Effect.mapError(pool.testPool.credentialsOf(accessKeyId), () => undefined)
      ),
      Effect.fail(undefined)
    ]).pipe(Effect.mapError(() => new Cause.NoSuchElementError(`no credentials with access key id ${accessKeyId}`)))

  /** Adds an identity pool as described, with what answers for it (also for one restored from the state file). */
  const register = (description: IdentityPoolDescription) =>
    Effect.gen(function* () {
      const config: LocalCognito.IdentityPoolConfig = {
        region,
        identityPoolId: description.IdentityPoolId,
        identityPoolName: description.IdentityPoolName,
        allowUnauthenticatedIdentities: description.AllowUnauthenticatedIdentities,
        providers: description.CognitoIdentityProviders.map((provider) => ({
          providerName: provider.ProviderName,
          clientId: provider.ClientId
        }))
      }
      const testPool = identityPoolFactory === undefined ? yield* testCognitoIdentityPool(config) : undefined
      const service = identityPoolFactory === undefined ? testPool?.identityPool : yield* identityPoolFactory(config)
      identityPools.set(description.IdentityPoolId, { description, service, testPool })
    })

  const createIdentityPool = (body: unknown) =>
    Effect.gen(function* () {
      const request = yield* decode("CreateIdentityPool", CreateIdentityPool)(body)
      const description: IdentityPoolDescription = {
        IdentityPoolId: `${region}:${randomUUID()}`,
        IdentityPoolName: request.IdentityPoolName,
        AllowUnauthenticatedIdentities: request.AllowUnauthenticatedIdentities,
        CognitoIdentityProviders: (request.CognitoIdentityProviders ?? []).map((provider) => ({
          ProviderName: provider.ProviderName,
          ClientId: provider.ClientId,
          ServerSideTokenCheck: provider.ServerSideTokenCheck ?? false
        }))
      }
      yield* register(description)
      return description
    })

  /** The `IdentityPool` plugged in for a pool; without one the local Cognito cannot hand out identities. */
  const serviceOf = (action: string, pool: IdentityPool) =>
    pool.service === undefined
      ? Effect.fail(
          failure(
            action,
            "InvalidIdentityPoolConfigurationException",
            `Identity pool ${pool.description.IdentityPoolId} has no user pool among its providers: give CreateIdentityPool a CognitoIdentityProviders entry, or start the local Cognito with the identityPools option.`
          )
        )
      : Effect.succeed(pool.service)

  const getId = (body: unknown) =>
    Effect.gen(function* () {
      const action = "GetId"
      const request = yield* decode(action, IdentityRequests.GetId)(body)
      const pool = yield* findIdentityPool(action, request.IdentityPoolId)
      const service = yield* serviceOf(action, pool)
      const response = yield* service.getId(request.Logins === undefined ? {} : { logins: request.Logins })
      identities.set(response.identityId, request.IdentityPoolId)
      return yield* IdentityResponses.getId(response)
    })

  const getCredentialsForIdentity = (body: unknown) =>
    Effect.gen(function* () {
      const action = "GetCredentialsForIdentity"
      const request = yield* decode(action, IdentityRequests.GetCredentialsForIdentity)(body)
      const poolId = identities.get(request.IdentityId)
      if (poolId === undefined)
        return yield* Effect.fail(
          failure(action, "ResourceNotFoundException", `Identity '${request.IdentityId}' not found.`)
        )
      const service = yield* serviceOf(action, yield* findIdentityPool(action, poolId))
      const response = yield* service.getCredentialsForIdentity({
        identityId: request.IdentityId,
        ...(request.Logins === undefined ? {} : { logins: request.Logins })
      })
      return yield* IdentityResponses.credentials(response)
    })

  const describeIdentityPool = (body: unknown) =>
    Effect.flatMap(decode("DescribeIdentityPool", IdentityPoolRef)(body), (request) =>
      Effect.map(findIdentityPool("DescribeIdentityPool", request.IdentityPoolId), (pool) => pool.description)
    )

  return { register, createIdentityPool, describeIdentityPool, getId, getCredentialsForIdentity, credentialsOf }
}
