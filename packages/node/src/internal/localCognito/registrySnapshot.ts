/**
 * What the local Cognito's state file holds, and its two directions: {@link take} reads
 * the registry (each user pool's settings, app clients and `TestCognito` snapshot, the
 * identity pools, the identities they handed out, the seed of the next pool, the default
 * pool's ids); {@link restore} rebuilds an empty registry from it. App clients' secrets
 * are kept once, in their pool's `TestCognito` snapshot.
 *
 * @internal
 */
import * as AuthError from "@effect-cognito/core/AuthError"
import * as TestCognitoSnapshot from "@effect-cognito/test-kit/TestCognitoSnapshot"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as LocalCognito from "../../LocalCognito.js"
import type * as Registry from "./registry.js"
import { CreateUserPool, TimeUnit } from "./registryState.js"

/** The format this module writes and reads. */
export const version = 1

const Validity = Schema.Struct({
  AccessTokenValidity: Schema.Number,
  IdTokenValidity: Schema.Number,
  RefreshTokenValidity: Schema.Number,
  TokenValidityUnits: Schema.Struct({ AccessToken: TimeUnit, IdToken: TimeUnit, RefreshToken: TimeUnit })
})

const StoredClient = Schema.Struct({
  clientId: Schema.String,
  clientName: Schema.String,
  explicitAuthFlows: Schema.Array(Schema.String),
  validity: Validity,
  created: Schema.Number
})

const StoredPool = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  created: Schema.Number,
  settings: CreateUserPool,
  cognito: TestCognitoSnapshot.Snapshot,
  clients: Schema.Array(StoredClient)
})

const IdentityPoolDescription = Schema.Struct({
  IdentityPoolId: Schema.String,
  IdentityPoolName: Schema.String,
  AllowUnauthenticatedIdentities: Schema.Boolean,
  CognitoIdentityProviders: Schema.Array(
    Schema.Struct({ ProviderName: Schema.String, ClientId: Schema.String, ServerSideTokenCheck: Schema.Boolean })
  )
})

/** The state file's content. */
export const Stored = Schema.Struct({
  version: Schema.Literal(version),
  region: Schema.String,
  /** The seed of the next user pool's randomness. */
  seed: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  defaultPool: Schema.Struct({ userPoolId: Schema.String, clientId: Schema.String, identityPoolId: Schema.String }),
  userPools: Schema.Array(StoredPool),
  identityPools: Schema.Array(IdentityPoolDescription),
  /** The identity pool of each identity id handed out. */
  identities: Schema.Array(Schema.Struct({ identityId: Schema.String, identityPoolId: Schema.String }))
})

/** The state file's content, decoded: secrets `Redacted`. */
export type Stored = typeof Stored.Type

/**
 * The registry's state when the effect runs: the pools are read then, so one effect made at
 * start saves the pools created after it too.
 */
export const take = (registry: Registry.Registry, defaultPool: LocalCognito.DefaultPool): Effect.Effect<Stored> =>
  Effect.suspend(() => takeNow(registry, defaultPool))

const takeNow = (registry: Registry.Registry, defaultPool: LocalCognito.DefaultPool): Effect.Effect<Stored> =>
  Effect.map(
    Effect.forEach([...registry.pools.values()], (pool) =>
      Effect.map(pool.cognito.snapshot, (cognito) => ({
        id: pool.id,
        name: pool.name,
        created: pool.created,
        settings: pool.settings,
        cognito,
        clients: Array.from(pool.clients.values(), (client) => ({
          clientId: client.clientId,
          clientName: client.clientName,
          explicitAuthFlows: client.explicitAuthFlows,
          validity: client.validity,
          created: client.created
        }))
      }))
    ),
    (userPools) => ({
      version,
      region: registry.region,
      seed: registry.state.seed,
      defaultPool: {
        userPoolId: defaultPool.userPoolId,
        clientId: defaultPool.clientId,
        identityPoolId: defaultPool.identityPoolId
      },
      userPools,
      identityPools: Array.from(registry.identityPools.values(), (pool) => pool.description),
      identities: Array.from(registry.state.identities, ([identityId, identityPoolId]) => ({
        identityId,
        identityPoolId
      }))
    })
  )

const invalid = (description: string) => Effect.fail(AuthError.make("Storage", "LocalCognito", description))

/**
 * Fills an empty registry from the state file's content; the default pool's ids, which
 * must name a user pool, app client and identity pool of the file.
 */
export const restore = (
  registry: Registry.Registry,
  stored: Stored
): Effect.Effect<LocalCognito.DefaultPool, AuthError.AuthError> =>
  Effect.gen(function* () {
    registry.state.seed = stored.seed
    for (const [i, entry] of stored.userPools.entries()) {
      const { cognito: snapshot, clients, ...fields } = entry
      const pool = yield* registry.restore.pool(fields, snapshot)
      for (const [j, client] of clients.entries()) {
        const registered = snapshot.clients.find((c) => c.clientId === client.clientId)
        if (registered === undefined)
          return yield* invalid(
            `userPools.${i}.clients.${j}: app client ${client.clientId} is not in its pool's snapshot`
          )
        const secret = registered.clientSecret
        yield* registry.restore.client(pool, {
          ...client,
          clientSecret: secret === undefined ? undefined : Redacted.value(secret)
        })
      }
    }
    for (const description of stored.identityPools) yield* registry.restore.identityPool(description)
    for (const { identityId, identityPoolId } of stored.identities)
      registry.state.identities.set(identityId, identityPoolId)
    const { userPoolId, clientId, identityPoolId } = stored.defaultPool
    if (!registry.pools.get(userPoolId)?.clients.has(clientId) || !registry.identityPools.has(identityPoolId))
      return yield* invalid("defaultPool names a user pool, app client or identity pool the file does not hold")
    return { region: stored.region, userPoolId, clientId, identityPoolId }
  })
