/**
 * The pool's Cognito domain and what it serves from: the domain's prefix
 * (`CreateUserPoolDomain`), each app client's OAuth settings (`AllowedOAuthFlows`,
 * `CallbackURLs`, `AllowedOAuthScopes`, `SupportedIdentityProviders`…) checked as Cognito
 * checks them, the resource servers and their custom scopes, the identity providers
 * (type OIDC), and the short-lived records of the domain: authorization codes, the
 * domain's own sign-in sessions (its cookie), login pages waiting for an answer and
 * federated sign-ins waiting for their provider.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as models from "./models.js"
import type { State } from "./state.js"

/** The standard scopes an app client may allow, beside resource servers' custom ones. */
export const standardScopes = ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"] as const

/** An authorization code the domain issued: single use, five minutes, bound to its client, redirect URI and PKCE. */
export interface AuthorizationCode {
  readonly clientId: string
  readonly redirectUri: string
  readonly scopes: ReadonlyArray<string>
  readonly username: string
  readonly authTime: number
  readonly expiresAt: number
  readonly nonce: string | undefined
  readonly codeChallenge: string | undefined
  /** The `amr`-style provider of a federated sign-in, for the id token. */
  readonly federated: boolean
}

/** A sign-in the domain remembers by its cookie (`cognito`): later authorizations skip the login page. */
export interface DomainSession {
  readonly username: string
  readonly authTime: number
  readonly expiresAt: number
}

/** A login page waiting for its next answer: the challenge of an MFA or new-password page. */
export interface PendingLogin {
  readonly username: string
  readonly clientId: string
  readonly challengeName: string
  readonly session: Redacted.Redacted<string> | undefined
  readonly expiresAt: number
}

/** A federated sign-in sent to its provider, by the `state` the domain gave it. */
export interface PendingFederation {
  readonly provider: string
  /** The authorize request's query, to finish once the provider answers. */
  readonly query: string
  readonly nonce: string
  readonly expiresAt: number
}

/** The mutable records of the domain, shared by every app client's view of the pool. */
export interface OAuthState {
  domain: string | undefined
  readonly clients: Map<string, models.OAuthSettings>
  readonly resourceServers: Map<string, models.ResourceServer>
  readonly identityProviders: Map<string, models.IdentityProviderConfig>
  readonly codes: Map<string, AuthorizationCode>
  readonly sessions: Map<string, DomainSession>
  readonly csrf: Map<string, number>
  readonly logins: Map<string, PendingLogin>
  readonly federations: Map<string, PendingFederation>
}

/** An empty domain state. */
export const makeState = (): OAuthState => ({
  domain: undefined,
  clients: new Map(),
  resourceServers: new Map(),
  identityProviders: new Map(),
  codes: new Map(),
  sessions: new Map(),
  csrf: new Map(),
  logins: new Map(),
  federations: new Map()
})

/** An app client's OAuth settings before any are set: OAuth off. */
export const noOAuth: models.OAuthSettings = {
  allowedOAuthFlows: [],
  allowedOAuthFlowsUserPoolClient: false,
  allowedOAuthScopes: [],
  callbackURLs: [],
  logoutURLs: [],
  supportedIdentityProviders: []
}

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"])

/** A loopback address (http allowed there, any port for a registered URI without one). */
export const isLoopback = (url: URL) => loopbackHosts.has(url.hostname)

/**
 * Whether `given` is one of the callback URLs: the same string, or (RFC 8252 §7.3) a
 * registered `http` loopback URI without a port that `given` matches with any port.
 */
export const redirectAllowed = (registered: ReadonlyArray<string>, given: string) => {
  if (registered.includes(given)) return true
  if (!URL.canParse(given)) return false
  const url = new URL(given)
  if (url.protocol !== "http:" || !isLoopback(url) || url.port === "") return false
  url.port = ""
  return registered.some((r) => URL.canParse(r) && new URL(r).port === "" && new URL(r).href === url.href)
}

const domainPattern = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/** The admin side of the domain: its prefix, clients' settings, resource servers, identity providers. */
export const make = (state: State) => {
  const { oauth, reject } = state

  /** The app client of this pool by id, with whether it has a secret. */
  const findClient = (action: string, clientId: string) => {
    if (clientId === state.settings.clientId)
      return Effect.succeed({ clientId, hasSecret: state.settings.clientSecret !== undefined })
    const client = state.clients.get(clientId)
    return client === undefined
      ? reject(action, "ResourceNotFoundException", `User pool client ${clientId} does not exist.`)
      : Effect.succeed({ clientId, hasSecret: client.clientSecret !== undefined })
  }

  const invalid = (action: string, message: string) => reject(action, "InvalidParameterException", message)

  const createUserPoolDomain = (domain: string) =>
    Effect.gen(function* () {
      const action = "CreateUserPoolDomain"
      if (!domainPattern.test(domain))
        return yield* invalid(
          action,
          `1 validation error detected: Value '${domain}' at 'domain' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$`
        )
      if (/aws|amazon|cognito/.test(domain))
        return yield* invalid(action, "Domain cannot contain reserved word: aws, amazon or cognito.")
      if (oauth.domain !== undefined) return yield* invalid(action, "User pool already has a domain configured.")
      oauth.domain = domain
    })

  const deleteUserPoolDomain = (domain: string) =>
    oauth.domain === domain
      ? Effect.sync(() => {
          oauth.domain = undefined
          oauth.sessions.clear()
        })
      : invalid("DeleteUserPoolDomain", "No such domain or user pool exists.")

  const knownScope = (scope: string) =>
    (standardScopes as ReadonlyArray<string>).includes(scope) ||
    [...oauth.resourceServers.values()].some((server) =>
      server.scopes.some((s) => `${server.identifier}/${s.scopeName}` === scope)
    )

  const badUrl = (url: string) => {
    if (!URL.canParse(url) || url.includes("#")) return true
    const parsed = new URL(url)
    return parsed.protocol === "http:" ? !isLoopback(parsed) : parsed.protocol === "javascript:"
  }

  /** Cognito's checks of an app client's OAuth settings, then the settings stored. */
  const setClientOAuth = (clientId: string, input: models.OAuthSettingsInput, action = "UpdateUserPoolClient") =>
    Effect.gen(function* () {
      const client = yield* findClient(action, clientId)
      const settings: models.OAuthSettings = {
        allowedOAuthFlows: input.allowedOAuthFlows ?? [],
        allowedOAuthFlowsUserPoolClient: input.allowedOAuthFlowsUserPoolClient ?? false,
        allowedOAuthScopes: input.allowedOAuthScopes ?? [],
        callbackURLs: input.callbackURLs ?? [],
        logoutURLs: input.logoutURLs ?? [],
        supportedIdentityProviders: input.supportedIdentityProviders ?? [],
        ...(input.defaultRedirectURI === undefined ? {} : { defaultRedirectURI: input.defaultRedirectURI })
      }
      const flows = settings.allowedOAuthFlows
      for (const flow of flows)
        if (!["code", "implicit", "client_credentials"].includes(flow))
          return yield* invalid(
            action,
            `1 validation error detected: Value '[${flow}]' at 'allowedOAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [implicit, client_credentials, code]]`
          )
      if (settings.allowedOAuthFlowsUserPoolClient && (flows.length === 0 || settings.allowedOAuthScopes.length === 0))
        return yield* invalid(
          action,
          "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows."
        )
      const userFlows = flows.includes("code") || flows.includes("implicit")
      if (flows.includes("client_credentials")) {
        if (userFlows)
          return yield* invalid(
            action,
            "client_credentials flow can not be selected along with code flow or implicit flow."
          )
        if (!client.hasSecret)
          return yield* invalid(
            action,
            "client_credentials flow can not be selected if client does not have a client secret."
          )
        const standard = settings.allowedOAuthScopes.find((s) => (standardScopes as ReadonlyArray<string>).includes(s))
        if (standard !== undefined)
          return yield* invalid(action, `Invalid scope requested for client_credentials flow: ${standard}`)
      }
      for (const scope of settings.allowedOAuthScopes)
        if (!knownScope(scope))
          return yield* reject(action, "ScopeDoesNotExistException", `Invalid scope requested: ${scope}`)
      if (settings.allowedOAuthFlowsUserPoolClient && userFlows && settings.callbackURLs.length === 0)
        return yield* invalid(action, "CallbackURLs can not be empty when code or implicit flow is selected.")
      for (const url of settings.callbackURLs)
        if (badUrl(url))
          return yield* invalid(
            action,
            `Invalid CallbackURL: ${url}. Use https, or http for localhost only; no fragment.`
          )
      for (const url of settings.logoutURLs)
        if (badUrl(url))
          return yield* invalid(
            action,
            `Invalid LogoutURL: ${url}. Use https, or http for localhost only; no fragment.`
          )
      if (settings.defaultRedirectURI !== undefined && !settings.callbackURLs.includes(settings.defaultRedirectURI))
        return yield* invalid(action, "DefaultRedirectURI must be one of the CallbackURLs.")
      for (const provider of settings.supportedIdentityProviders)
        if (provider !== "COGNITO" && !oauth.identityProviders.has(provider))
          return yield* invalid(
            action,
            `The provider ${provider} does not exist for User Pool ${state.config.userPoolId}`
          )
      oauth.clients.set(clientId, settings)
      return settings
    })

  const createResourceServer = (input: models.ResourceServer) =>
    Effect.gen(function* () {
      const action = "CreateResourceServer"
      if (!/^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/.test(input.identifier))
        return yield* invalid(action, `Invalid resource server identifier: ${input.identifier}`)
      if (oauth.resourceServers.has(input.identifier))
        return yield* invalid(action, `${input.identifier} already exists in pool ${state.config.userPoolId}.`)
      for (const scope of input.scopes)
        if (!/^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$/.test(scope.scopeName))
          return yield* invalid(action, `Invalid scope name: ${scope.scopeName}`)
      const server: models.ResourceServer = {
        identifier: input.identifier,
        name: input.name,
        scopes: input.scopes.map((s) => ({ scopeName: s.scopeName, scopeDescription: s.scopeDescription }))
      }
      oauth.resourceServers.set(server.identifier, server)
      return server
    })

  const createIdentityProvider = (input: models.IdentityProviderConfig) =>
    Effect.gen(function* () {
      const action = "CreateIdentityProvider"
      if (input.providerType !== "OIDC")
        return yield* invalid(action, `Provider type ${input.providerType} is not supported by TestCognito: OIDC only.`)
      if (
        !/^[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+$/u.test(input.providerName) ||
        input.providerName === "COGNITO"
      )
        return yield* invalid(action, `Invalid provider name: ${input.providerName}`)
      if (oauth.identityProviders.has(input.providerName))
        return yield* reject(action, "DuplicateProviderException", "A provider with the name already exists.")
      const details = input.providerDetails
      for (const key of ["client_id", "authorize_scopes", "oidc_issuer"])
        if (details[key] === undefined) return yield* invalid(action, `${key} is required for OIDC provider.`)
      if (!URL.canParse(details.oidc_issuer ?? "")) return yield* invalid(action, "oidc_issuer must be a URL.")
      const method = details.attributes_request_method ?? "GET"
      if (method !== "GET" && method !== "POST")
        return yield* invalid(action, "attributes_request_method must be GET or POST.")
      const { client_secret, ...rest } = details
      const clientSecret =
        input.clientSecret ?? (client_secret === undefined ? undefined : Redacted.make(client_secret))
      const provider: models.IdentityProviderConfig = {
        providerName: input.providerName,
        providerType: "OIDC",
        providerDetails: { ...rest, attributes_request_method: method },
        ...(clientSecret === undefined ? {} : { clientSecret }),
        attributeMapping: { username: "sub", ...input.attributeMapping },
        idpIdentifiers: input.idpIdentifiers ?? []
      }
      oauth.identityProviders.set(provider.providerName, provider)
      return provider
    })

  return {
    createUserPoolDomain,
    deleteUserPoolDomain,
    setClientOAuth,
    createResourceServer,
    createIdentityProvider,
    clientOAuth: (clientId: string) => oauth.clients.get(clientId) ?? noOAuth
  }
}

/** The admin side of the domain. */
export type OAuthAdmin = ReturnType<typeof make>
