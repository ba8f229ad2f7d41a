/**
 * The test-facing side of the pool's Cognito domain: the domain itself, app clients' OAuth
 * settings, resource servers, identity providers, and the `HttpClient` that serves the
 * domain in memory.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as TestCognito from "../../TestCognito.js"
import type * as Domain from "./domain.js"
import type { OAuthAdmin } from "./oauth.js"
import type { State } from "./state.js"

type OAuthService = Pick<
  TestCognito.TestCognito.Service,
  | "createUserPoolDomain"
  | "deleteUserPoolDomain"
  | "userPoolDomain"
  | "updateClientOAuth"
  | "clientOAuth"
  | "createResourceServer"
  | "resourceServers"
  | "createIdentityProvider"
  | "identityProviders"
  | "domainHttpClient"
>

export const make = (state: State, admin: OAuthAdmin, domain: ReturnType<typeof Domain.make>): OAuthService => ({
  createUserPoolDomain: (name) => Effect.suspend(() => admin.createUserPoolDomain(name)),
  deleteUserPoolDomain: (name) => Effect.suspend(() => admin.deleteUserPoolDomain(name)),
  userPoolDomain: Effect.sync(() => {
    const name = state.oauth.domain
    const url = domain.url()
    return name === undefined || url === undefined ? undefined : { domain: name, url }
  }),
  updateClientOAuth: (clientId, settings) => Effect.suspend(() => admin.setClientOAuth(clientId, settings)),
  clientOAuth: (clientId) => Effect.sync(() => admin.clientOAuth(clientId)),
  createResourceServer: (server) => Effect.suspend(() => admin.createResourceServer(server)),
  resourceServers: Effect.sync(() => [...state.oauth.resourceServers.values()]),
  createIdentityProvider: (provider) => Effect.suspend(() => admin.createIdentityProvider(provider)),
  identityProviders: Effect.sync(() => [...state.oauth.identityProviders.values()]),
  domainHttpClient: domain.httpClient
})
