/**
 * A small external OpenID Connect provider, for "Continue with <provider>" through the
 * Cognito domain: its discovery document, keys, a login page (a form of `username` and
 * `password`, and a "Cancel" that answers `access_denied`), an authorization code endpoint
 * and a token endpoint (HTTP Basic or form client authentication) that issues an RS256 id
 * token with the `nonce`, and userinfo. One app client (the user pool's), redirected only to
 * its registered redirect URIs (matched whole); the login POST carries a CSRF token.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as TestOidcProvider from "../TestOidcProvider.js"
import { makeSigner } from "./jwt.js"
import { basicCredentials, cookies, httpClientOf } from "./inMemoryServer.js"
import type { DomainRequest, DomainResponse } from "./testCognito/domain.js"
import { escapeHtml } from "./testCognito/pages.js"

interface Code {
  readonly username: string
  readonly redirectUri: string
  readonly nonce: string | undefined
  readonly expiresAt: number
}

const json = (status: number, body: unknown): DomainResponse => ({
  status,
  headers: { "content-type": "application/json", "cache-control": "no-store" },
  body: JSON.stringify(body)
})

/** The name of the provider's CSRF cookie (the domain's is `XSRF-TOKEN`; both may share a host). */
const csrfCookie = "OIDC-XSRF-TOKEN"

/** How long a login page's CSRF token is good for. */
const pageValidityMillis = 60 * 60 * 1000

/**
 * The redirect URIs a provider accepts by default: the `/oauth2/idpresponse` of a Cognito
 * domain (`https://<prefix>.auth.<region>.amazoncognito.com`), matched whole.
 */
const cognitoIdpResponse = /^https:\/\/[a-z0-9-]+\.auth\.[a-z0-9-]+\.amazoncognito\.com\/oauth2\/idpresponse$/

const page = (action: string, csrf: string, error: string | undefined) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in with the provider</title></head>
<body>
<h1>Provider sign-in</h1>
${error === undefined ? "" : `<p class="error" role="alert">${escapeHtml(error)}</p>`}
<form method="post" action="${escapeHtml(action)}" name="providerSignInForm">
<input type="hidden" name="_csrf" value="${escapeHtml(csrf)}">
<label for="username">Username</label><input id="username" name="username" type="text" required>
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button type="submit" name="action" value="signIn">Sign in</button>
<button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
</form>
</body></html>
`

export const make = (options: TestOidcProvider.Options): TestOidcProvider.TestOidcProvider => {
  const issuer = options.issuer.replace(/\/+$/, "")
  const clientId = options.clientId ?? "test-oidc-client"
  const clientSecret = options.clientSecret ?? Redacted.make(crypto.randomUUID())
  const signer = makeSigner("test-oidc-provider-key-1")
  const users = new Map<string, TestOidcProvider.User>()
  for (const user of options.users ?? []) users.set(user.username, user)
  const codes = new Map<string, Code>()
  const accessTokens = new Map<string, { readonly username: string; readonly expiresAt: number }>()
  const csrfTokens = new Map<string, number>()
  const given = options.redirectUris
  const registered = (redirectUri: string) =>
    given === undefined
      ? cognitoIdpResponse.test(redirectUri)
      : typeof given === "function"
        ? given(redirectUri)
        : given.includes(redirectUri)
  const issuerUrl = new URL(issuer)

  /** A login page with a fresh CSRF token, in its form and in a cookie (single use, as the domain's). */
  const loginPage = (action: string, error: string | undefined, status = 200) =>
    Effect.map(Clock.currentTimeMillis, (at) => {
      for (const [key, expiresAt] of csrfTokens) if (expiresAt <= at) csrfTokens.delete(key)
      const csrf = crypto.randomUUID()
      csrfTokens.set(csrf, at + pageValidityMillis)
      return {
        status,
        headers: {
          "content-type": "text/html;charset=UTF-8",
          "cache-control": "no-store",
          "set-cookie": `${csrfCookie}=${csrf}; Path=${issuerUrl.pathname}; HttpOnly; SameSite=Lax${issuerUrl.protocol === "https:" ? "; Secure" : ""}`
        },
        body: page(action, csrf, error)
      } satisfies DomainResponse
    })

  /** The CSRF check of the login POST: the form's `_csrf` is the cookie's, and one a page handed out. */
  const csrfValid = (request: DomainRequest, form: URLSearchParams, at: number) => {
    const token = form.get("_csrf") ?? ""
    const expiresAt = csrfTokens.get(token)
    csrfTokens.delete(token)
    return (
      token !== "" &&
      expiresAt !== undefined &&
      at < expiresAt &&
      cookies(request.headers.cookie).get(csrfCookie) === token
    )
  }

  const claimsOf = (user: TestOidcProvider.User) => ({ sub: user.username, ...user.claims })

  const authenticated = (request: DomainRequest, form: URLSearchParams) => {
    let id = form.get("client_id") ?? undefined
    let secret = form.get("client_secret") ?? undefined
    const basic = basicCredentials(request.headers.authorization)
    if (basic === "invalid") return false
    if (basic !== undefined) {
      id = basic.id
      secret = basic.secret
    }
    return id === clientId && secret === Redacted.value(clientSecret)
  }

  const authorize = (request: DomainRequest) =>
    Effect.gen(function* () {
      const params = request.url.searchParams
      const redirectUri = params.get("redirect_uri") ?? ""
      // Only a registered redirect URI, matched whole: anything else is 400 and no redirect.
      if (params.get("client_id") !== clientId || !URL.canParse(redirectUri) || !registered(redirectUri))
        return json(400, { error: "invalid_request", error_description: "unknown client or redirect_uri" })
      const back = (query: Record<string, string | undefined>) => {
        const target = new URL(redirectUri)
        for (const [key, value] of Object.entries(query)) if (value !== undefined) target.searchParams.set(key, value)
        return { status: 302, headers: { location: target.href }, body: "" }
      }
      const state = params.get("state") ?? undefined
      const action = `${issuer}/authorize?${params.toString()}`
      if (request.method !== "POST") return yield* loginPage(action, undefined)
      const form = new URLSearchParams(request.body)
      if (!csrfValid(request, form, yield* Clock.currentTimeMillis))
        return yield* loginPage(action, "Your session has expired. Please sign in again.", 403)
      if (form.get("action") === "cancel")
        return back({ error: "access_denied", error_description: "The user cancelled the sign-in", state })
      const user = users.get(form.get("username") ?? "")
      if (user === undefined || Redacted.value(user.password) !== (form.get("password") ?? ""))
        return yield* loginPage(action, "Incorrect username or password.")
      const code = crypto.randomUUID()
      codes.set(code, {
        username: user.username,
        redirectUri,
        nonce: params.get("nonce") ?? undefined,
        expiresAt: (yield* Clock.currentTimeMillis) + 5 * 60 * 1000
      })
      return back({ code, state })
    })

  const token = (request: DomainRequest) =>
    Effect.gen(function* () {
      const form = new URLSearchParams(request.body)
      if (!authenticated(request, form)) return json(401, { error: "invalid_client" })
      if (form.get("grant_type") !== "authorization_code") return json(400, { error: "unsupported_grant_type" })
      const code = form.get("code") ?? ""
      const record = codes.get(code)
      codes.delete(code)
      const at = yield* Clock.currentTimeMillis
      const user = record === undefined ? undefined : users.get(record.username)
      if (
        record === undefined ||
        user === undefined ||
        record.expiresAt <= at ||
        record.redirectUri !== form.get("redirect_uri")
      )
        return json(400, { error: "invalid_grant" })
      const iat = Math.floor(at / 1000)
      const idToken = yield* signer.sign({
        ...claimsOf(user),
        iss: issuer,
        aud: clientId,
        iat,
        exp: iat + 3600,
        ...(record.nonce === undefined ? {} : { nonce: record.nonce })
      })
      const accessToken = crypto.randomUUID()
      accessTokens.set(accessToken, { username: user.username, expiresAt: at + 3600 * 1000 })
      return json(200, {
        access_token: accessToken,
        id_token: Redacted.value(idToken),
        token_type: "Bearer",
        expires_in: 3600
      })
    })

  const userinfo = (request: DomainRequest) =>
    Effect.gen(function* () {
      const bearer = (request.headers.authorization ?? "").replace(/^Bearer /i, "")
      const record = accessTokens.get(bearer)
      const user = record === undefined ? undefined : users.get(record.username)
      if (record === undefined || user === undefined || record.expiresAt <= (yield* Clock.currentTimeMillis))
        return json(401, { error: "invalid_token" })
      return json(200, claimsOf(user))
    })

  const serve = (request: DomainRequest): Effect.Effect<DomainResponse | undefined> =>
    Effect.gen(function* () {
      const href = `${request.url.origin}${request.url.pathname}`
      if (!href.startsWith(`${issuer}/`)) return undefined
      switch (href.slice(issuer.length)) {
        case "/.well-known/openid-configuration":
          return json(200, {
            issuer,
            authorization_endpoint: `${issuer}/authorize`,
            token_endpoint: `${issuer}/token`,
            userinfo_endpoint: `${issuer}/userinfo`,
            jwks_uri: `${issuer}/jwks`,
            response_types_supported: ["code"],
            subject_types_supported: ["public"],
            id_token_signing_alg_values_supported: ["RS256"],
            token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
            scopes_supported: ["openid", "email", "profile"]
          })
        case "/jwks":
          return json(200, yield* signer.jwks)
        case "/authorize":
          return yield* authorize(request)
        case "/token":
          return request.method === "POST" ? yield* token(request) : json(405, { error: "invalid_request" })
        case "/userinfo":
          return yield* userinfo(request)
        default:
          return json(404, { error: "not_found" })
      }
    })

  const httpClient = httpClientOf(serve)

  return {
    issuer,
    clientId,
    clientSecret,
    addUser: (user) =>
      Effect.sync(() => {
        users.set(user.username, user)
      }),
    serve,
    httpClient
  }
}
