/**
 * The local Cognito's actions for the Cognito domain: CreateUserPoolDomain,
 * DescribeUserPoolDomain and DeleteUserPoolDomain (one domain per pool, unique across
 * pools; served at `<endpoint>domain/<prefix>`), the app clients' OAuth settings
 * (`AllowedOAuthFlows`, `CallbackURLs`…, on CreateUserPoolClient and UpdateUserPoolClient,
 * described by DescribeUserPoolClient), resource servers and identity providers (OIDC).
 * Each pool's `TestCognito` keeps and checks them; this module speaks the wire.
 *
 * @internal
 */
import type * as AuthError from "@effect-cognito/core/AuthError"
import type * as TestCognito from "@effect-cognito/test-kit/TestCognito"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as State from "./registryState.js"
import { decode, failure, optional } from "./wire.js"

const Domain = Schema.Struct({ Domain: Schema.String, UserPoolId: Schema.String })
const DomainOnly = Schema.Struct({ Domain: Schema.String })

/** The OAuth members of CreateUserPoolClient and UpdateUserPoolClient. */
export const OAuthFields = {
  AllowedOAuthFlows: optional(Schema.Array(Schema.String)),
  AllowedOAuthFlowsUserPoolClient: optional(Schema.Boolean),
  AllowedOAuthScopes: optional(Schema.Array(Schema.String)),
  CallbackURLs: optional(Schema.Array(Schema.String)),
  LogoutURLs: optional(Schema.Array(Schema.String)),
  SupportedIdentityProviders: optional(Schema.Array(Schema.String)),
  DefaultRedirectURI: optional(Schema.String)
}

const OAuthRequest = Schema.Struct(OAuthFields)

const UpdateUserPoolClient = Schema.Struct({
  UserPoolId: Schema.String,
  ClientId: Schema.String,
  ClientName: optional(Schema.String),
  ExplicitAuthFlows: optional(Schema.Array(Schema.String)),
  ...OAuthFields
})

const CreateResourceServer = Schema.Struct({
  UserPoolId: Schema.String,
  Identifier: Schema.String,
  Name: Schema.String,
  Scopes: optional(Schema.Array(Schema.Struct({ ScopeName: Schema.String, ScopeDescription: Schema.String })))
})

const ResourceServerRef = Schema.Struct({ UserPoolId: Schema.String, Identifier: Schema.String })
const ListResourceServers = Schema.Struct({ UserPoolId: Schema.String, MaxResults: optional(Schema.Number) })

const CreateIdentityProvider = Schema.Struct({
  UserPoolId: Schema.String,
  ProviderName: Schema.String,
  ProviderType: Schema.String,
  ProviderDetails: Schema.Record(Schema.String, Schema.String),
  AttributeMapping: optional(Schema.Record(Schema.String, Schema.String)),
  IdpIdentifiers: optional(Schema.Array(Schema.String))
})

const IdentityProviderRef = Schema.Struct({ UserPoolId: Schema.String, ProviderName: Schema.String })

/** An app client's OAuth settings from the wire's members (what is absent is empty). */
export const oauthInput = (request: typeof OAuthRequest.Type): TestCognito.OAuthSettingsInput => ({
  allowedOAuthFlows: request.AllowedOAuthFlows as ReadonlyArray<TestCognito.OAuthFlow> | undefined,
  allowedOAuthFlowsUserPoolClient: request.AllowedOAuthFlowsUserPoolClient,
  allowedOAuthScopes: request.AllowedOAuthScopes,
  callbackURLs: request.CallbackURLs,
  logoutURLs: request.LogoutURLs,
  supportedIdentityProviders: request.SupportedIdentityProviders,
  defaultRedirectURI: request.DefaultRedirectURI
})

/** Whether a request names any OAuth member. */
export const hasOAuth = (request: typeof OAuthRequest.Type) =>
  Object.keys(OAuthFields).some((key) => request[key as keyof typeof OAuthRequest.Type] !== undefined)

/** An app client's OAuth settings as DescribeUserPoolClient shows them (empty lists left out, as Cognito does). */
export const describeOAuth = (settings: TestCognito.OAuthSettings) => ({
  AllowedOAuthFlowsUserPoolClient: settings.allowedOAuthFlowsUserPoolClient,
  ...(settings.allowedOAuthFlows.length === 0 ? {} : { AllowedOAuthFlows: settings.allowedOAuthFlows }),
  ...(settings.allowedOAuthScopes.length === 0 ? {} : { AllowedOAuthScopes: settings.allowedOAuthScopes }),
  ...(settings.callbackURLs.length === 0 ? {} : { CallbackURLs: settings.callbackURLs }),
  ...(settings.logoutURLs.length === 0 ? {} : { LogoutURLs: settings.logoutURLs }),
  ...(settings.supportedIdentityProviders.length === 0
    ? {}
    : { SupportedIdentityProviders: settings.supportedIdentityProviders }),
  ...(settings.defaultRedirectURI === undefined ? {} : { DefaultRedirectURI: settings.defaultRedirectURI })
})

const describeServer = (userPoolId: string, server: TestCognito.ResourceServer) => ({
  UserPoolId: userPoolId,
  Identifier: server.identifier,
  Name: server.name,
  Scopes: server.scopes.map((s) => ({ ScopeName: s.scopeName, ScopeDescription: s.scopeDescription }))
})

const describeProvider = (userPoolId: string, provider: TestCognito.IdentityProviderConfig, at: number) => ({
  UserPoolId: userPoolId,
  ProviderName: provider.providerName,
  ProviderType: provider.providerType,
  // The client secret stays in the pool: it is not described back.
  ProviderDetails: provider.providerDetails,
  AttributeMapping: provider.attributeMapping ?? {},
  IdpIdentifiers: provider.idpIdentifiers ?? [],
  LastModifiedDate: State.seconds(at),
  CreationDate: State.seconds(at)
})

/** The domain actions over a registry state. */
export const make = (state: State.State) => {
  const findPool = (action: string, id: string) => State.findPool(state, action, id)

  /** The pool whose domain is `domain`, if any. */
  const poolOfDomain = (domain: string) =>
    Effect.gen(function* () {
      for (const pool of state.pools.values()) if ((yield* pool.cognito.userPoolDomain)?.domain === domain) return pool
      return undefined
    })

  const createUserPoolDomain = (body: unknown) =>
    Effect.gen(function* () {
      const action = "CreateUserPoolDomain"
      const request = yield* decode(action, Domain)(body)
      const pool = yield* findPool(action, request.UserPoolId)
      if ((yield* poolOfDomain(request.Domain)) !== undefined)
        return yield* Effect.fail(
          failure(action, "InvalidParameterException", "Domain already associated with another user pool.")
        )
      yield* pool.cognito.createUserPoolDomain(request.Domain)
      return {}
    })

  const describeUserPoolDomain = (body: unknown) =>
    Effect.gen(function* () {
      const request = yield* decode("DescribeUserPoolDomain", DomainOnly)(body)
      const pool = yield* poolOfDomain(request.Domain)
      if (pool === undefined) return { DomainDescription: {} }
      return {
        DomainDescription: {
          UserPoolId: pool.id,
          AWSAccountId: "000000000000",
          Domain: request.Domain,
          S3Bucket: "",
          CloudFrontDistribution: "",
          Version: "1",
          Status: "ACTIVE",
          ManagedLoginVersion: 1
        }
      }
    })

  const deleteUserPoolDomain = (body: unknown) =>
    Effect.gen(function* () {
      const action = "DeleteUserPoolDomain"
      const request = yield* decode(action, Domain)(body)
      const pool = yield* findPool(action, request.UserPoolId)
      yield* pool.cognito.deleteUserPoolDomain(request.Domain)
      return {}
    })

  const findClient = (action: string, userPoolId: string, clientId: string) =>
    Effect.gen(function* () {
      const pool = yield* findPool(action, userPoolId)
      const client = pool.clients.get(clientId)
      if (client === undefined)
        return yield* Effect.fail(
          failure(action, "ResourceNotFoundException", `User pool client ${clientId} does not exist.`)
        )
      return { pool, client }
    })

  /**
   * UpdateUserPoolClient: the name, the auth flows and the OAuth settings (which, as on
   * Cognito, are all replaced: members left out are emptied). Token lifetimes are kept.
   */
  const updateUserPoolClient = (body: unknown, describe: (client: State.Client) => Effect.Effect<unknown>) =>
    Effect.gen(function* () {
      const action = "UpdateUserPoolClient"
      const request = yield* decode(action, UpdateUserPoolClient)(body)
      const { client, pool } = yield* findClient(action, request.UserPoolId, request.ClientId)
      yield* client.cognito.updateClientOAuth(client.clientId, oauthInput(request))
      const updated: State.Client = {
        ...client,
        clientName: request.ClientName ?? client.clientName,
        explicitAuthFlows: request.ExplicitAuthFlows ?? client.explicitAuthFlows
      }
      pool.clients.set(updated.clientId, updated)
      state.clients.set(updated.clientId, updated)
      return { UserPoolClient: yield* describe(updated) }
    })

  const createResourceServer = (body: unknown) =>
    Effect.gen(function* () {
      const action = "CreateResourceServer"
      const request = yield* decode(action, CreateResourceServer)(body)
      const pool = yield* findPool(action, request.UserPoolId)
      const server = yield* pool.cognito.createResourceServer({
        identifier: request.Identifier,
        name: request.Name,
        scopes: (request.Scopes ?? []).map((s) => ({ scopeName: s.ScopeName, scopeDescription: s.ScopeDescription }))
      })
      return { ResourceServer: describeServer(pool.id, server) }
    })

  const describeResourceServer = (body: unknown) =>
    Effect.gen(function* () {
      const action = "DescribeResourceServer"
      const request = yield* decode(action, ResourceServerRef)(body)
      const pool = yield* findPool(action, request.UserPoolId)
      const server = (yield* pool.cognito.resourceServers).find((s) => s.identifier === request.Identifier)
      if (server === undefined)
        return yield* Effect.fail(
          failure(action, "ResourceNotFoundException", `Resource server ${request.Identifier} does not exist.`)
        )
      return { ResourceServer: describeServer(pool.id, server) }
    })

  const listResourceServers = (body: unknown) =>
    Effect.gen(function* () {
      const action = "ListResourceServers"
      const request = yield* decode(action, ListResourceServers)(body)
      const pool = yield* findPool(action, request.UserPoolId)
      const servers = yield* pool.cognito.resourceServers
      return { ResourceServers: servers.slice(0, request.MaxResults ?? 50).map((s) => describeServer(pool.id, s)) }
    })

  const createIdentityProvider = (body: unknown) =>
    Effect.gen(function* () {
      const action = "CreateIdentityProvider"
      const request = yield* decode(action, CreateIdentityProvider)(body)
      const pool = yield* findPool(action, request.UserPoolId)
      if (request.ProviderType !== "OIDC")
        return yield* Effect.fail(
          failure(
            action,
            "InvalidParameterException",
            `ProviderType ${request.ProviderType} is not served by the local Cognito: OIDC only.`
          )
        )
      const provider = yield* pool.cognito.createIdentityProvider({
        providerName: request.ProviderName,
        providerType: "OIDC",
        providerDetails: request.ProviderDetails,
        attributeMapping: request.AttributeMapping,
        idpIdentifiers: request.IdpIdentifiers
      })
      return { IdentityProvider: describeProvider(pool.id, provider, yield* Clock.currentTimeMillis) }
    })

  const describeIdentityProvider = (body: unknown) =>
    Effect.gen(function* () {
      const action = "DescribeIdentityProvider"
      const request = yield* decode(action, IdentityProviderRef)(body)
      const pool = yield* findPool(action, request.UserPoolId)
      const provider = (yield* pool.cognito.identityProviders).find((p) => p.providerName === request.ProviderName)
      if (provider === undefined)
        return yield* Effect.fail(
          failure(action, "ResourceNotFoundException", `Identity provider ${request.ProviderName} does not exist.`)
        )
      return { IdentityProvider: describeProvider(pool.id, provider, yield* Clock.currentTimeMillis) }
    })

  return {
    poolOfDomain,
    updateUserPoolClient,
    actions: {
      CreateUserPoolDomain: createUserPoolDomain,
      DescribeUserPoolDomain: describeUserPoolDomain,
      DeleteUserPoolDomain: deleteUserPoolDomain,
      CreateResourceServer: createResourceServer,
      DescribeResourceServer: describeResourceServer,
      ListResourceServers: listResourceServers,
      CreateIdentityProvider: createIdentityProvider,
      DescribeIdentityProvider: describeIdentityProvider
    } satisfies Readonly<Record<string, (body: unknown) => Effect.Effect<unknown, AuthError.AuthError>>>
  }
}
