/**
 * The pool's Cognito domain over HTTP, as Cognito serves it: `/oauth2/authorize` (exact
 * redirect URI, scopes within the client's, PKCE S256), the login page and its MFA and
 * new-password pages (a CSRF token in a cookie and the form; the domain's own session in
 * its `cognito` cookie), `/oauth2/token` (authorization_code single use, five minutes,
 * bound to client, redirect URI and verifier; refresh_token; client_credentials),
 * `/oauth2/userInfo`, `/oauth2/revoke`, `/logout`, federated sign-in through an OIDC
 * identity provider (`/oauth2/idpresponse`), and the discovery document and JWKS at the
 * issuer. OAuth errors are Cognito's (`invalid_grant`, `invalid_client`,
 * `unauthorized_client`, …).
 *
 * Codes, cookies and ids come from `crypto`, not from the pool's seeded randomness, so
 * the domain never shifts the codes and ids a seeded pool hands out to its API.
 *
 * @internal
 */
import * as AuthError from "@effect-cognito/core/AuthError"
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as Effect from "effect/Effect"
import * as Base64Url from "effect/encoding/Base64Url"
import type * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Redacted from "effect/Redacted"
import { basicCredentials, cookies, httpClientOf } from "../inMemoryServer.js"
import { verifyWithJwks } from "../jwt.js"
import type { IdentityProviderConfig, OAuthSettings } from "./models.js"
import type { OAuthAdmin } from "./oauth.js"
import * as OAuth from "./oauth.js"
import * as Pages from "./pages.js"
import { expectedSecretHash, type Policy } from "./policy.js"
import type { State, User } from "./state.js"
import type { Tokens } from "./tokens.js"

/** A request to the domain: its method, whole URL, lower-case headers and body text. */
export interface DomainRequest {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: string
}

/** The domain's answer. */
export interface DomainResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** One app client's view of the pool: its state, sign-in actions, tokens and checks. */
export interface ClientView {
  readonly state: State
  readonly provider: IdentityProvider.IdentityProvider.Service
  readonly tokens: Tokens
  readonly policy: Policy
}

const codeValidity = 5 * 60 * 1000
const sessionValidity = 60 * 60 * 1000
const pageValidity = 60 * 60 * 1000

const randomToken = () => {
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")
}

/** The PKCE S256 challenge of a verifier (RFC 7636): base64url (no padding) of its SHA-256. */
const s256 = (verifier: string) =>
  Effect.promise(() => crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))).pipe(
    Effect.map((digest) => Base64Url.encode(new Uint8Array(digest)))
  )

const noStore = { "cache-control": "no-store", pragma: "no-cache" }

const json = (status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): DomainResponse => ({
  status,
  headers: { "content-type": "application/json;charset=UTF-8", ...noStore, ...headers },
  body: JSON.stringify(body)
})

const oauthError = (status: number, error: string, description?: string): DomainResponse =>
  json(status, description === undefined ? { error } : { error, error_description: description })

const html = (status: number, body: string, headers: Readonly<Record<string, string>> = {}): DomainResponse => ({
  status,
  headers: { "content-type": "text/html;charset=UTF-8", ...noStore, ...headers },
  body
})

const redirect = (location: string, headers: Readonly<Record<string, string>> = {}): DomainResponse => ({
  status: 302,
  headers: { location, ...noStore, ...headers },
  body: ""
})

/** `url` with `params` added to its query. */
const withParams = (url: string, params: Readonly<Record<string, string | undefined>>) => {
  const target = new URL(url)
  for (const [key, value] of Object.entries(params)) if (value !== undefined) target.searchParams.append(key, value)
  return target.href
}

/** What `/oauth2/authorize` (and the pages after it) checked: the client, redirect URI, scopes and PKCE. */
interface Authorize {
  readonly clientId: string
  readonly settings: OAuthSettings
  readonly redirectUri: string
  readonly scopes: ReadonlyArray<string>
  readonly state: string | undefined
  readonly nonce: string | undefined
  readonly codeChallenge: string | undefined
  readonly identityProvider: string | undefined
  /** The query to carry from page to page. */
  readonly query: string
}

/** The domain of a pool. */
export const make = (
  state: State,
  admin: OAuthAdmin,
  viewOf: (clientId: string) => ClientView | undefined
): {
  readonly url: () => string | undefined
  readonly serve: (request: DomainRequest) => Effect.Effect<DomainResponse | undefined>
  readonly httpClient: HttpClient.HttpClient
} => {
  const { oauth, now, issuer, signer, users, refreshTokens, revokedOrigins } = state
  const baseOf = (domain: string) =>
    (state.options.domainUrl?.(domain) ?? `https://${domain}.auth.${state.config.region}.amazoncognito.com`).replace(
      /\/+$/,
      ""
    )
  const url = () => (oauth.domain === undefined ? undefined : baseOf(oauth.domain))
  const issuerBase = issuer.replace(/\/+$/, "")

  const discovery = (base: string | undefined) => ({
    ...(base === undefined
      ? {}
      : {
          authorization_endpoint: `${base}/oauth2/authorize`,
          end_session_endpoint: `${base}/logout`,
          revocation_endpoint: `${base}/oauth2/revoke`,
          token_endpoint: `${base}/oauth2/token`,
          userinfo_endpoint: `${base}/oauth2/userInfo`
        }),
    code_challenge_methods_supported: ["S256"],
    grant_types_supported: ["authorization_code", "refresh_token", "client_credentials"],
    id_token_signing_alg_values_supported: ["RS256"],
    issuer,
    jwks_uri: `${issuerBase}/.well-known/jwks.json`,
    response_types_supported: ["code", "token"],
    scopes_supported: ["openid", "email", "phone", "profile"],
    subject_types_supported: ["public"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"]
  })

  /** Drops what expired: codes, cookies' sessions, pages and federations waiting. */
  const prune = (at: number) => {
    for (const map of [oauth.codes, oauth.sessions, oauth.logins, oauth.federations] as const)
      for (const [key, record] of map) if (record.expiresAt <= at) map.delete(key)
    for (const [key, expiresAt] of oauth.csrf) if (expiresAt <= at) oauth.csrf.delete(key)
  }

  const cookiePath = (base: string) => new URL(base).pathname || "/"
  const cookie = (base: string, name: string, value: string, maxAge?: number) =>
    `${name}=${value}; Path=${cookiePath(base)}; HttpOnly; SameSite=Lax${base.startsWith("https:") ? "; Secure" : ""}${maxAge === undefined ? "" : `; Max-Age=${maxAge}`}`

  // ---- authorize ---------------------------------------------------------------------------------------------

  /** The page for a client that is not (or no longer) one of the pool's. */
  const invalidClient = html(400, Pages.error("Invalid client id."))

  /** The authorize parameters checked; a failure is the answer to give (an error page, or the redirect URI's error). */

  const checkAuthorize = (params: URLSearchParams): Effect.Effect<Authorize, DomainResponse> =>
    Effect.suspend(() => {
      const clientId = params.get("client_id") ?? ""
      const view = clientId === "" ? undefined : viewOf(clientId)
      if (view === undefined) return Effect.fail(invalidClient)
      const settings = admin.clientOAuth(clientId)
      const redirectUri = params.get("redirect_uri") ?? settings.defaultRedirectURI
      if (redirectUri === undefined || !OAuth.redirectAllowed(settings.callbackURLs, redirectUri))
        return Effect.fail(
          html(400, Pages.error("redirect_mismatch: the redirect_uri is not a callback URL of the app client."))
        )
      const returned = (error: string, description: string) =>
        Effect.fail(
          redirect(
            withParams(redirectUri, {
              error,
              error_description: description,
              state: params.get("state") ?? undefined
            })
          )
        )
      if (params.get("response_type") !== "code")
        return returned("unsupported_response_type", "response_type must be code")
      if (!settings.allowedOAuthFlowsUserPoolClient || !settings.allowedOAuthFlows.includes("code"))
        return returned("unauthorized_client", "The app client may not use the authorization code flow")
      const asked = (params.get("scope") ?? "").split(/[\s+]+/).filter((s) => s !== "")
      const outside = asked.find((s) => !settings.allowedOAuthScopes.includes(s))
      if (outside !== undefined) return returned("invalid_scope", `The app client may not ask for ${outside}`)
      const codeChallenge = params.get("code_challenge") ?? undefined
      const method = params.get("code_challenge_method") ?? undefined
      if (codeChallenge !== undefined && method !== "S256")
        return returned("invalid_request", "code_challenge_method must be S256")
      if (codeChallenge === undefined && method !== undefined)
        return returned("invalid_request", "code_challenge is required with code_challenge_method")
      let identityProvider = params.get("identity_provider") ?? undefined
      const idpIdentifier = params.get("idp_identifier") ?? undefined
      if (identityProvider === undefined && idpIdentifier !== undefined)
        identityProvider = [...oauth.identityProviders.values()].find((p) =>
          (p.idpIdentifiers ?? []).includes(idpIdentifier)
        )?.providerName
      if (identityProvider !== undefined && !settings.supportedIdentityProviders.includes(identityProvider))
        return returned("invalid_request", "Login option is not available. Please try another one")
      return Effect.succeed({
        clientId,
        settings,
        redirectUri,
        scopes: asked.length === 0 ? settings.allowedOAuthScopes : asked,
        state: params.get("state") ?? undefined,
        nonce: params.get("nonce") ?? undefined,
        codeChallenge,
        identityProvider,
        query: params.toString()
      })
    })

  /** A code for the signed-in user, and the redirect to the app with it. */
  const issueCode = (authorize: Authorize, username: string, authTime: number, federated: boolean) =>
    Effect.map(now, (at) => {
      const code = crypto.randomUUID()
      oauth.codes.set(code, {
        clientId: authorize.clientId,
        redirectUri: authorize.redirectUri,
        scopes: authorize.scopes,
        username,
        authTime,
        expiresAt: at + codeValidity,
        nonce: authorize.nonce,
        codeChallenge: authorize.codeChallenge,
        federated
      })
      return withParams(authorize.redirectUri, { code, state: authorize.state })
    })

  /** The user signed in: the domain's session cookie, then back to the app with a code. */
  const signedIn = (base: string, authorize: Authorize, username: string, federated: boolean) =>
    Effect.gen(function* () {
      const at = yield* now
      const session = randomToken()
      oauth.sessions.set(session, { username, authTime: Math.floor(at / 1000), expiresAt: at + sessionValidity })
      const location = yield* issueCode(authorize, username, Math.floor(at / 1000), federated)
      return redirect(location, { "set-cookie": cookie(base, "cognito", session) })
    })

  const newCsrf = Effect.map(now, (at) => {
    const token = randomToken()
    oauth.csrf.set(token, at + pageValidity)
    return token
  })

  const loginPage = (
    base: string,
    authorize: Authorize,
    options: { readonly error?: string; readonly username?: string; readonly status?: number } = {}
  ) =>
    Effect.map(newCsrf, (csrf) => {
      const params = new URLSearchParams(authorize.query)
      params.delete("identity_provider")
      params.delete("idp_identifier")
      const providers = authorize.settings.supportedIdentityProviders
        .filter((name) => name !== "COGNITO")
        .map((name) => ({
          name,
          href: `${base}/oauth2/authorize?${params.toString()}&identity_provider=${encodeURIComponent(name)}`
        }))
      return html(
        options.status ?? 200,
        Pages.login({
          action: `${base}/login?${authorize.query}`,
          csrf,
          providers,
          form: authorize.settings.supportedIdentityProviders.includes("COGNITO"),
          error: options.error,
          username: options.username
        }),
        { "set-cookie": cookie(base, "XSRF-TOKEN", csrf) }
      )
    })

  const challengePage = (base: string, authorize: Authorize, loginId: string, challengeName: string, error?: string) =>
    Effect.map(newCsrf, (csrf) => {
      const mfa = challengeName !== "NEW_PASSWORD_REQUIRED"
      return html(
        200,
        Pages.challenge({
          kind: mfa ? "mfa" : "newPassword",
          action: `${base}/${mfa ? "mfa" : "new-password"}?${authorize.query}`,
          csrf,
          session: loginId,
          prompt:
            challengeName === "SOFTWARE_TOKEN_MFA"
              ? "Enter the code from your authenticator app."
              : challengeName === "NEW_PASSWORD_REQUIRED"
                ? "Please enter a new password."
                : "Enter the code we sent you.",
          error
        }),
        { "set-cookie": cookie(base, "XSRF-TOKEN", csrf) }
      )
    })

  /** The CSRF check of a page's POST: the form's `_csrf` is the cookie's, and one the domain handed out. */
  const csrfValid = (request: DomainRequest, form: URLSearchParams) => {
    const given = form.get("_csrf") ?? ""
    const valid = given !== "" && cookies(request.headers.cookie).get("XSRF-TOKEN") === given && oauth.csrf.has(given)
    oauth.csrf.delete(given)
    return valid
  }

  /** Where a sign-in answer leads: back to the app, or the next page (MFA, new password). */
  const afterAnswer = (
    base: string,
    authorize: Authorize,
    username: string,
    response: IdentityProvider.AuthResponse
  ): Effect.Effect<DomainResponse> =>
    Effect.gen(function* () {
      if (response._tag === "Authenticated") {
        const claims = yield* signer.verify(Redacted.value(response.tokens.idToken))
        const name = typeof claims?.["cognito:username"] === "string" ? claims["cognito:username"] : username
        // The login page's own sign-in: its refresh token goes nowhere, so it is not kept.
        if (response.tokens.refreshToken !== undefined)
          refreshTokens.delete(Redacted.value(response.tokens.refreshToken))
        return yield* signedIn(base, authorize, name, false)
      }
      const challengeName = response.challengeName
      if (!["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP", "NEW_PASSWORD_REQUIRED"].includes(challengeName))
        return yield* loginPage(base, authorize, {
          error: `This sign-in needs ${challengeName}, which this login page does not offer.`
        })
      const loginId = randomToken()
      oauth.logins.set(loginId, {
        username: response.parameters.USER_ID_FOR_SRP ?? username,
        clientId: authorize.clientId,
        challengeName,
        session: response.session,
        expiresAt: (yield* now) + 3 * 60 * 1000
      })
      return yield* challengePage(base, authorize, loginId, challengeName)
    })

  const secretHash = (view: ClientView, username: string) => {
    const secret = view.state.options.clientSecret
    return secret === undefined
      ? Effect.succeed(undefined)
      : Effect.map(
          Effect.promise(() => expectedSecretHash(Redacted.value(secret), username, view.state.config.clientId)),
          Redacted.make
        )
  }

  const postLogin = (base: string, request: DomainRequest, authorize: Authorize) =>
    Effect.gen(function* () {
      const form = new URLSearchParams(request.body)
      if (!csrfValid(request, form))
        return yield* loginPage(base, authorize, {
          error: "Your session has expired. Please sign in again.",
          status: 403
        })
      if (!authorize.settings.supportedIdentityProviders.includes("COGNITO"))
        return html(400, Pages.error("Login option is not available. Please try another one"))
      const view = viewOf(authorize.clientId)
      if (view === undefined) return invalidClient
      const username = form.get("username") ?? ""
      const password = Redacted.make(form.get("password") ?? "")
      if (username === "") return yield* loginPage(base, authorize, { error: "Please enter your username." })
      const user = users.get(username)
      if (user?.status === "EXTERNAL_PROVIDER")
        return yield* loginPage(base, authorize, { error: "Incorrect username or password.", username })
      const answer = yield* Effect.result(
        view.provider.initiateAuth({
          authFlow: "USER_PASSWORD_AUTH",
          username,
          password,
          secretHash: yield* secretHash(view, username)
        })
      )
      if (answer._tag === "Failure")
        return yield* loginPage(base, authorize, {
          error: answer.failure.description ?? "Incorrect username or password.",
          username
        })
      return yield* afterAnswer(base, authorize, username, answer.success)
    })

  const postChallenge = (base: string, request: DomainRequest, authorize: Authorize) =>
    Effect.gen(function* () {
      const form = new URLSearchParams(request.body)
      const loginId = form.get("session") ?? ""
      const pending = oauth.logins.get(loginId)
      if (!csrfValid(request, form) || pending === undefined || pending.clientId !== authorize.clientId)
        return yield* loginPage(base, authorize, {
          error: "Your session has expired. Please sign in again.",
          status: 403
        })
      oauth.logins.delete(loginId)
      const view = viewOf(authorize.clientId)
      if (view === undefined) return invalidClient
      const hash = yield* secretHash(view, pending.username)
      const field =
        pending.challengeName === "NEW_PASSWORD_REQUIRED"
          ? "NEW_PASSWORD"
          : pending.challengeName === "SMS_MFA"
            ? "SMS_MFA_CODE"
            : pending.challengeName === "EMAIL_OTP"
              ? "EMAIL_OTP_CODE"
              : "SOFTWARE_TOKEN_MFA_CODE"
      const value = form.get(pending.challengeName === "NEW_PASSWORD_REQUIRED" ? "password" : "code") ?? ""
      const answer = yield* Effect.result(
        view.provider.respondToAuthChallenge({
          challengeName: pending.challengeName as IdentityProvider.ChallengeName,
          session: pending.session,
          challengeResponses: {
            USERNAME: Redacted.make(pending.username),
            [field]: Redacted.make(value),
            ...(hash === undefined ? {} : { SECRET_HASH: hash })
          }
        })
      )
      if (answer._tag === "Failure")
        return yield* loginPage(base, authorize, {
          error: answer.failure.description ?? "Sign-in failed.",
          username: pending.username
        })
      return yield* afterAnswer(base, authorize, pending.username, answer.success)
    })

  // ---- federation ------------------------------------------------------------------------------------------------

  const upstream = () => state.options.upstreamHttpClient

  const fetchJson = (request: HttpClientRequest.HttpClientRequest) =>
    Effect.gen(function* () {
      const client = upstream()
      if (client === undefined) return undefined
      const response = yield* Effect.option(client.execute(request))
      if (response._tag === "None") return undefined
      const body = yield* Effect.option(response.value.json)
      return response.value.status === 200 &&
        body._tag === "Some" &&
        typeof body.value === "object" &&
        body.value !== null
        ? (body.value as Record<string, unknown>)
        : undefined
    })

  const providerDiscovery = (provider: IdentityProviderConfig) =>
    fetchJson(
      HttpClientRequest.get(
        `${(provider.providerDetails.oidc_issuer ?? "").replace(/\/+$/, "")}/.well-known/openid-configuration`
      )
    )

  const unreachable = (name: string) => html(502, Pages.error(`The identity provider ${name} could not be reached.`))

  const federate = (base: string, authorize: Authorize, name: string) =>
    Effect.gen(function* () {
      const provider = oauth.identityProviders.get(name)
      if (provider === undefined) return html(400, Pages.error("Login option is not available. Please try another one"))
      const document = yield* providerDiscovery(provider)
      const endpoint = document?.authorization_endpoint
      if (typeof endpoint !== "string") return unreachable(name)
      const federationState = randomToken()
      const nonce = randomToken()
      oauth.federations.set(federationState, {
        provider: name,
        query: authorize.query,
        nonce,
        expiresAt: (yield* now) + pageValidity
      })
      return redirect(
        withParams(endpoint, {
          response_type: "code",
          client_id: provider.providerDetails.client_id,
          redirect_uri: `${base}/oauth2/idpresponse`,
          scope: provider.providerDetails.authorize_scopes,
          state: federationState,
          nonce
        })
      )
    })

  /** The provider's user as a user of the pool: `<Provider>_<sub>`, attributes mapped, `identities` written. */
  const federatedUser = (
    view: ClientView,
    provider: IdentityProviderConfig,
    claims: Readonly<Record<string, unknown>>
  ) =>
    Effect.gen(function* () {
      const mapping = provider.attributeMapping ?? { username: "sub" }
      const claim = (name: string) => {
        const value = claims[name]
        return typeof value === "string"
          ? value
          : typeof value === "boolean" || typeof value === "number"
            ? String(value)
            : undefined
      }
      const providerUserId = claim(mapping.username ?? "sub") ?? claim("sub") ?? ""
      if (providerUserId === "")
        return yield* AuthError.make(
          "InvalidParameter",
          "CreateIdentityProvider",
          `${provider.providerName} did not name the user (no sub).`
        )
      const username = `${provider.providerName}_${providerUserId}`
      const attributes: Record<string, string> = {}
      for (const [attribute, source] of Object.entries(mapping))
        if (attribute !== "username") {
          const value = claim(source)
          if (value !== undefined) attributes[attribute] = value
        }
      const at = yield* now
      const existing: User | undefined = users.get(username)
      const identities = JSON.stringify([
        {
          userId: providerUserId,
          providerName: provider.providerName,
          providerType: provider.providerType,
          issuer: null,
          primary: "true",
          dateCreated: String(existing?.created ?? at)
        }
      ])
      // Only a user this provider created is signed in again: a native user of that name is not taken over.
      if (existing !== undefined && existing.status !== "EXTERNAL_PROVIDER")
        return yield* view.policy.usernameExists("CreateIdentityProvider")
      if (existing !== undefined) {
        existing.attributes = { ...existing.attributes, ...attributes, identities }
        existing.lastModified = at
        return existing
      }
      // No password: a random one nobody knows, so the user signs in only through the provider.
      return yield* view.policy.addUser(
        "CreateIdentityProvider",
        username,
        Redacted.make(`${randomToken()}aA1!`),
        { ...attributes, identities },
        "EXTERNAL_PROVIDER"
      )
    })

  const idpResponse = (base: string, params: URLSearchParams) =>
    Effect.gen(function* () {
      const pending = oauth.federations.get(params.get("state") ?? "")
      if (pending === undefined) return html(400, Pages.error("Invalid state: the sign-in with the provider expired."))
      oauth.federations.delete(params.get("state") ?? "")
      const authorize = yield* Effect.result(checkAuthorize(new URLSearchParams(pending.query)))
      if (authorize._tag === "Failure") return authorize.failure
      const back = authorize.success
      const providerError = params.get("error")
      if (providerError !== null)
        return redirect(
          withParams(back.redirectUri, {
            error: providerError === "access_denied" ? "access_denied" : "invalid_request",
            error_description: params.get("error_description") ?? `${pending.provider} refused the sign-in`,
            state: back.state
          })
        )
      const provider = oauth.identityProviders.get(pending.provider)
      if (provider === undefined) return html(400, Pages.error("Login option is not available. Please try another one"))
      const document = yield* providerDiscovery(provider)
      const tokenEndpoint = document?.token_endpoint
      const jwksUri = document?.jwks_uri
      if (typeof tokenEndpoint !== "string" || typeof jwksUri !== "string") return unreachable(provider.providerName)
      const clientId = provider.providerDetails.client_id ?? ""
      const secret = provider.clientSecret === undefined ? "" : Redacted.value(provider.clientSecret)
      const answer = yield* fetchJson(
        HttpClientRequest.post(tokenEndpoint).pipe(
          HttpClientRequest.basicAuth(encodeURIComponent(clientId), encodeURIComponent(secret)),
          HttpClientRequest.bodyUrlParams({
            grant_type: "authorization_code",
            code: params.get("code") ?? "",
            redirect_uri: `${base}/oauth2/idpresponse`
          })
        )
      )
      const idToken = answer?.id_token
      const keys = yield* fetchJson(HttpClientRequest.get(jwksUri))
      if (typeof idToken !== "string" || keys === undefined || !Array.isArray(keys.keys))
        return html(400, Pages.error(`${provider.providerName} did not return an id token.`))
      const claims = yield* verifyWithJwks({ keys: keys.keys }, idToken)
      const at = yield* now
      const audience = claims?.aud
      if (
        claims === undefined ||
        claims.iss !== provider.providerDetails.oidc_issuer ||
        !(audience === clientId || (Array.isArray(audience) && audience.includes(clientId))) ||
        claims.nonce !== pending.nonce ||
        typeof claims.exp !== "number" ||
        claims.exp * 1000 <= at
      )
        return html(400, Pages.error(`Invalid id token from ${provider.providerName}.`))
      // The client may have been deleted while the provider answered.
      const view = viewOf(back.clientId)
      if (view === undefined) return invalidClient
      const user = yield* Effect.result(federatedUser(view, provider, claims))
      if (user._tag === "Failure") return html(400, Pages.error(user.failure.description ?? "Sign-in failed."))
      if (!user.success.enabled) return html(400, Pages.error("User is disabled."))
      return yield* signedIn(base, back, user.success.username, true)
    })

  // ---- token, userInfo, revoke --------------------------------------------------------------------------------

  /** The client a token-endpoint request authenticates as (HTTP Basic, or `client_id` / `client_secret` in the form). */
  const authenticate = (request: DomainRequest, form: URLSearchParams) => {
    let clientId = form.get("client_id") ?? undefined
    let secret = form.get("client_secret") ?? undefined
    const basic = basicCredentials(request.headers.authorization)
    if (basic === "invalid") return undefined
    if (basic !== undefined) {
      clientId = basic.id
      secret = basic.secret
    }
    if (clientId === undefined) return undefined
    const view = viewOf(clientId)
    if (view === undefined) return undefined
    const expected = view.state.options.clientSecret
    if (expected === undefined ? secret !== undefined && secret !== "" : secret !== Redacted.value(expected))
      return undefined
    return { clientId, view, settings: admin.clientOAuth(clientId) }
  }

  const tokenAnswer = (
    view: ClientView,
    tokens: { readonly accessToken: Redacted.Redacted<string>; readonly idToken: Redacted.Redacted<string> },
    withIdToken: boolean,
    refreshToken?: Redacted.Redacted<string>
  ) =>
    json(200, {
      access_token: Redacted.value(tokens.accessToken),
      ...(withIdToken ? { id_token: Redacted.value(tokens.idToken) } : {}),
      ...(refreshToken === undefined ? {} : { refresh_token: Redacted.value(refreshToken) }),
      token_type: "Bearer",
      expires_in: Math.floor(view.state.validity.access / 1000)
    })

  const token = (request: DomainRequest) =>
    Effect.gen(function* () {
      if (request.method !== "POST") return oauthError(405, "invalid_request", "POST only")
      const form = new URLSearchParams(request.body)
      const client = authenticate(request, form)
      if (client === undefined) return oauthError(400, "invalid_client")
      const { view, settings } = client
      const grant = form.get("grant_type")
      const at = yield* now
      switch (grant) {
        case "authorization_code": {
          if (!settings.allowedOAuthFlowsUserPoolClient || !settings.allowedOAuthFlows.includes("code"))
            return oauthError(400, "unauthorized_client")
          const code = form.get("code") ?? ""
          const record = oauth.codes.get(code)
          oauth.codes.delete(code)
          if (
            record === undefined ||
            record.expiresAt <= at ||
            record.clientId !== client.clientId ||
            record.redirectUri !== form.get("redirect_uri")
          )
            return oauthError(400, "invalid_grant")
          if (record.codeChallenge !== undefined) {
            const verifier = form.get("code_verifier") ?? ""
            if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) || (yield* s256(verifier)) !== record.codeChallenge)
              return oauthError(400, "invalid_grant")
          }
          const user = users.get(record.username)
          if (user === undefined || !user.enabled) return oauthError(400, "invalid_grant")
          const originJti = crypto.randomUUID()
          const tokens = yield* view.tokens.issueTokens(
            user,
            { originJti, authTime: record.authTime, scopes: record.scopes },
            undefined,
            {
              accessClaims: { version: 2 },
              idClaims: {
                ...(record.nonce === undefined ? {} : { nonce: record.nonce }),
                ...(record.federated ? { amr: ["federated"] } : {})
              }
            }
          )
          const refreshToken = yield* view.tokens.newRefreshToken(
            user,
            originJti,
            record.authTime,
            tokens.at,
            undefined,
            record.scopes
          )
          return tokenAnswer(view, tokens, record.scopes.includes("openid"), refreshToken)
        }
        case "refresh_token": {
          const valid = yield* Effect.result(
            view.tokens.validRefreshToken("Token", Redacted.make(form.get("refresh_token") ?? ""))
          )
          if (valid._tag === "Failure") return oauthError(400, "invalid_grant")
          const { record, user } = valid.success
          const tokens = yield* view.tokens.issueTokens(user, record, record.deviceKey, {
            accessClaims: { version: 2 }
          })
          return tokenAnswer(view, tokens, record.scopes === undefined || record.scopes.includes("openid"))
        }
        case "client_credentials": {
          if (
            !settings.allowedOAuthFlowsUserPoolClient ||
            !settings.allowedOAuthFlows.includes("client_credentials") ||
            view.state.options.clientSecret === undefined
          )
            return oauthError(400, "unauthorized_client")
          const asked = (form.get("scope") ?? "").split(/\s+/).filter((s) => s !== "")
          if (asked.some((s) => !settings.allowedOAuthScopes.includes(s))) return oauthError(400, "invalid_scope")
          const scopes = asked.length === 0 ? settings.allowedOAuthScopes : asked
          const iat = Math.floor(at / 1000)
          const accessToken = yield* signer.sign({
            sub: client.clientId,
            token_use: "access",
            scope: scopes.join(" "),
            auth_time: iat,
            iss: issuer,
            exp: iat + Math.floor(view.state.validity.access / 1000),
            iat,
            version: 2,
            jti: crypto.randomUUID(),
            client_id: client.clientId
          })
          return json(200, {
            access_token: Redacted.value(accessToken),
            token_type: "Bearer",
            expires_in: Math.floor(view.state.validity.access / 1000)
          })
        }
        case null:
          return oauthError(400, "invalid_request", "grant_type is required")
        default:
          return oauthError(400, "unsupported_grant_type")
      }
    })

  const invalidToken = (description: string) =>
    json(
      401,
      { error: "invalid_token", error_description: description },
      { "www-authenticate": `Bearer error="invalid_token", error_description="${description}"` }
    )

  const userInfo = (request: DomainRequest) =>
    Effect.gen(function* () {
      const authorization = request.headers.authorization ?? ""
      if (!authorization.toLowerCase().startsWith("bearer ")) return invalidToken("Access token is missing")
      const claims = yield* signer.verify(authorization.slice(7).trim())
      if (claims === undefined || claims.token_use !== "access") return invalidToken("Invalid access token")
      if (typeof claims.exp !== "number" || (yield* now) >= claims.exp * 1000)
        return invalidToken("Access token is expired")
      if (typeof claims.origin_jti !== "string" || revokedOrigins.has(claims.origin_jti))
        return invalidToken("Access token has been revoked")
      const scopes = String(claims.scope ?? "").split(" ")
      if (!scopes.includes("openid") && !scopes.includes("aws.cognito.signin.user.admin"))
        return json(403, { error: "insufficient_scope" }, { "www-authenticate": 'Bearer error="insufficient_scope"' })
      const user = users.get(String(claims.username))
      if (user === undefined || !user.enabled) return invalidToken("User does not exist.")
      return json(200, { ...user.attributes, sub: user.sub, username: user.username })
    })

  const revoke = (request: DomainRequest) =>
    Effect.gen(function* () {
      if (request.method !== "POST") return oauthError(405, "invalid_request", "POST only")
      const form = new URLSearchParams(request.body)
      const client = authenticate(request, form)
      if (client === undefined) return oauthError(400, "invalid_client")
      const value = form.get("token") ?? ""
      if (value === "") return oauthError(400, "invalid_request", "token is required")
      const record = refreshTokens.get(value)
      if (record === undefined) {
        const claims = value.split(".").length === 3 ? yield* signer.verify(value) : undefined
        return claims?.token_use === "access" || claims?.token_use === "id"
          ? oauthError(400, "unsupported_token_type")
          : json(200, {})
      }
      if (record.clientId !== client.clientId)
        return oauthError(400, "invalid_request", "The token was not issued to this client")
      record.revoked = true
      revokedOrigins.add(record.originJti)
      return json(200, {})
    })

  const logout = (base: string, request: DomainRequest) =>
    Effect.gen(function* () {
      const params = request.url.searchParams
      const clientId = params.get("client_id") ?? ""
      if (viewOf(clientId) === undefined) return html(400, Pages.error("Invalid client id."))
      const settings = admin.clientOAuth(clientId)
      const session = cookies(request.headers.cookie).get("cognito")
      if (session !== undefined) oauth.sessions.delete(session)
      const cleared = { "set-cookie": cookie(base, "cognito", "", 0) }
      const logoutUri = params.get("logout_uri")
      if (logoutUri !== null) {
        if (!settings.logoutURLs.includes(logoutUri))
          return html(400, Pages.error("redirect_mismatch: the logout_uri is not a sign-out URL of the app client."))
        return redirect(logoutUri, cleared)
      }
      // `redirect_uri` and `response_type`: signed out, then to the login page again.
      const authorize = yield* Effect.result(checkAuthorize(params))
      if (authorize._tag === "Failure") return authorize.failure
      return redirect(`${base}/login?${authorize.success.query}`, cleared)
    })

  // ---- routing ------------------------------------------------------------------------------------------------

  const authorizeEndpoint = (base: string, request: DomainRequest) =>
    Effect.gen(function* () {
      const checked = yield* Effect.result(checkAuthorize(request.url.searchParams))
      if (checked._tag === "Failure") return checked.failure
      const authorize = checked.success
      if (authorize.identityProvider !== undefined && authorize.identityProvider !== "COGNITO")
        return yield* federate(base, authorize, authorize.identityProvider)
      const session = oauth.sessions.get(cookies(request.headers.cookie).get("cognito") ?? "")
      const user = session === undefined ? undefined : users.get(session.username)
      if (session !== undefined && user?.enabled === true && request.url.searchParams.get("prompt") !== "login")
        return redirect(
          yield* issueCode(authorize, session.username, session.authTime, user.status === "EXTERNAL_PROVIDER")
        )
      return redirect(`${base}/login?${authorize.query}`)
    })

  const pageEndpoint = (
    base: string,
    request: DomainRequest,
    post: (base: string, request: DomainRequest, authorize: Authorize) => Effect.Effect<DomainResponse>
  ) =>
    Effect.gen(function* () {
      const checked = yield* Effect.result(checkAuthorize(request.url.searchParams))
      if (checked._tag === "Failure") return checked.failure
      return request.method === "POST"
        ? yield* post(base, request, checked.success)
        : yield* loginPage(base, checked.success)
    })

  const serve = (request: DomainRequest): Effect.Effect<DomainResponse | undefined> =>
    Effect.gen(function* () {
      prune(yield* now)
      const href = `${request.url.origin}${request.url.pathname}`
      if (request.method === "GET" && href === `${issuerBase}/.well-known/openid-configuration`)
        return json(200, discovery(url()))
      if (request.method === "GET" && href === `${issuerBase}/.well-known/jwks.json`)
        return json(200, yield* signer.jwks, { "cache-control": "max-age=3600" })
      const base = url()
      if (base === undefined || !href.startsWith(`${base}/`)) return undefined
      const path = href.slice(base.length)
      switch (path) {
        case "/oauth2/authorize":
          return yield* authorizeEndpoint(base, request)
        case "/login":
          return yield* pageEndpoint(base, request, postLogin)
        case "/mfa":
        case "/new-password":
          return yield* pageEndpoint(base, request, postChallenge)
        case "/oauth2/idpresponse":
          return yield* idpResponse(base, request.url.searchParams)
        case "/oauth2/token":
          return yield* token(request)
        case "/oauth2/userInfo":
          return yield* userInfo(request)
        case "/oauth2/revoke":
          return yield* revoke(request)
        case "/logout":
          return yield* logout(base, request)
        case "/error":
          return html(400, Pages.error(request.url.searchParams.get("error") ?? "An error occurred."))
        default:
          return html(404, Pages.error("Not found."))
      }
    })

  const httpClient = httpClientOf(serve)

  return { url, serve, httpClient }
}
