/**
 * The pure decisions of sign-in through the Cognito domain: the scopes asked for, the
 * authorize URL, the `state` (which carries the custom state), the logout URL, and what a
 * callback URL says ({@link readCallback}): a code to exchange, or the typed error.
 *
 * @internal
 */
import * as Result from "effect/Result"
import type * as AuthConfig from "../AuthConfig.js"
import * as AuthError from "../AuthError.js"
import { scopePattern } from "./authConfigCheck.js"
import * as Encoding from "./encoding.js"
import type { PendingAuthorization } from "./oauthPending.js"
import { oauthError } from "./oauthToken.js"

/** The settings of the domain, or `InvalidConfig` naming what is missing. */
export const settingsOf = (
  config: AuthConfig.Validated,
  method: string
): Result.Result<AuthConfig.OAuthSettings, AuthError.AuthError> =>
  config.oauth === undefined
    ? Result.fail(
        AuthError.make(
          "InvalidConfig",
          method,
          "no Cognito domain is configured (AuthConfig oauth.domain, or COGNITO_DOMAIN)"
        )
      )
    : Result.succeed(config.oauth)

/** The scopes asked for: `openid` first, then the others once each, in order. */
export const scopesOf = (
  method: string,
  scopes: ReadonlyArray<string>
): Result.Result<ReadonlyArray<string>, AuthError.AuthError> => {
  const out = ["openid"]
  for (const scope of scopes) {
    if (typeof scope !== "string" || !scopePattern.test(scope))
      return Result.fail(
        AuthError.make("InvalidInput", method, "scopes: expected scopes of printable characters without spaces")
      )
    if (!out.includes(scope)) out.push(scope)
  }
  return Result.succeed(out)
}

/** A redirect or logout URI: an absolute URL without a fragment or credentials. */
export const uriOf = (method: string, field: string, value: unknown): Result.Result<string, AuthError.AuthError> => {
  const invalid = (found: string) =>
    Result.fail(
      AuthError.make("InvalidInput", method, `${field}: expected an absolute URL without a fragment, found ${found}`)
    )
  if (typeof value !== "string" || value === "")
    return invalid(
      value === undefined ? "nothing (configure oauth.redirectSignIn / redirectSignOut or pass one)" : "an empty value"
    )
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return invalid("a value that is not a URL")
  }
  if (url.hash !== "") return invalid("a URL with a fragment")
  if (url.username !== "" || url.password !== "") return invalid("a URL with credentials (not shown)")
  return Result.succeed(value)
}

/**
 * The `state` sent: the random part, and the custom state (base64url of its UTF-8) after
 * a `.`, so the value the domain sends back names both. The pending value keeps both too.
 */
export const stateOf = (random: Uint8Array, customState: string | undefined): string =>
  customState === undefined
    ? Encoding.toBase64Url(random)
    : `${Encoding.toBase64Url(random)}.${Encoding.toBase64Url(Encoding.utf8(customState))}`

/** The parameters of the authorize request, in Cognito's documented order. */
export interface AuthorizeParameters {
  readonly clientId: string
  readonly redirectUri: string
  readonly state: string
  readonly scopes: ReadonlyArray<string>
  readonly nonce: string
  readonly codeChallenge: string
  readonly provider?: string | undefined
  readonly extra?: Readonly<Record<string, string>> | undefined
}

/** The authorize parameters the caller's extras may not replace. */
const reserved = new Set([
  "response_type",
  "client_id",
  "redirect_uri",
  "state",
  "scope",
  "nonce",
  "code_challenge",
  "code_challenge_method",
  "identity_provider"
])

/** `<domain>/oauth2/authorize?response_type=code&…&code_challenge_method=S256`. */
export const authorizeUrl = (domain: string, parameters: AuthorizeParameters): string => {
  const query = new URLSearchParams({
    response_type: "code",
    client_id: parameters.clientId,
    redirect_uri: parameters.redirectUri,
    state: parameters.state,
    scope: parameters.scopes.join(" "),
    nonce: parameters.nonce,
    code_challenge: parameters.codeChallenge,
    code_challenge_method: "S256"
  })
  if (parameters.provider !== undefined) query.set("identity_provider", parameters.provider)
  for (const [name, value] of Object.entries(parameters.extra ?? {}))
    if (!reserved.has(name) && typeof value === "string") query.set(name, value)
  return `${domain}/oauth2/authorize?${query.toString()}`
}

/** Extra parameters: names that are not the flow's own, string values. */
export const extraOf = (
  method: string,
  extra: unknown
): Result.Result<Readonly<Record<string, string>> | undefined, AuthError.AuthError> => {
  if (extra === undefined) return Result.succeed(undefined)
  if (typeof extra !== "object" || extra === null || Array.isArray(extra))
    return Result.fail(AuthError.make("InvalidInput", method, "extraParameters: expected an object of strings"))
  for (const [name, value] of Object.entries(extra)) {
    if (reserved.has(name))
      return Result.fail(
        AuthError.make("InvalidInput", method, `extraParameters: ${JSON.stringify(name)} is set by the flow itself`)
      )
    if (typeof value !== "string")
      return Result.fail(AuthError.make("InvalidInput", method, `extraParameters.${name}: expected a string`))
  }
  return Result.succeed(extra as Readonly<Record<string, string>>)
}

/** `<domain>/logout?client_id=…&logout_uri=…`. */
export const logoutUrlOf = (domain: string, clientId: string, logoutUri: string): string =>
  `${domain}/logout?${new URLSearchParams({ client_id: clientId, logout_uri: logoutUri }).toString()}`

/**
 * The query of a callback: a whole URL, a path with its query (`/callback?code=…`, what a
 * Node server's `req.url` is), or its query string (with or without `?`).
 */
const queryOf = (callbackUrl: string | URL): URLSearchParams | undefined => {
  if (callbackUrl instanceof URL) return callbackUrl.searchParams
  if (typeof callbackUrl !== "string") return undefined
  if (URL.canParse(callbackUrl)) return new URL(callbackUrl).searchParams
  if (callbackUrl.startsWith("/")) return new URL(callbackUrl, "http://localhost").searchParams
  return new URLSearchParams(callbackUrl.startsWith("?") ? callbackUrl.slice(1) : callbackUrl)
}

/**
 * What a callback says, in this order: a pending value of another app client
 * (`InvalidInput`); a `state` that is not the pending one (`StateMismatch`: not the answer
 * to this authorization, whatever else it says); the domain's `error` (`AccessDenied`
 * for `access_denied`, see the table); no `code` (`InvalidInput`); a pending value older
 * than `validityMillis` at `nowMillis` (`SessionExpired`). Else the code.
 */
export const readCallback = (
  method: string,
  input: {
    readonly callbackUrl: string | URL
    readonly pending: PendingAuthorization
    readonly clientId: string
    readonly nowMillis: number
    readonly validityMillis: number
  }
): Result.Result<string, AuthError.AuthError> => {
  const { pending } = input
  if (pending.clientId !== input.clientId)
    return Result.fail(
      AuthError.make("InvalidInput", method, "the pending authorization was started for another app client")
    )
  const query = queryOf(input.callbackUrl)
  if (query === undefined)
    return Result.fail(AuthError.make("InvalidInput", method, "callbackUrl: expected the URL the domain redirected to"))
  const state = query.get("state")
  const error = query.get("error")
  if (state !== pending.state)
    return Result.fail(
      AuthError.make(
        "StateMismatch",
        method,
        `${state === null ? "the callback has no state" : "the callback's state is not the pending authorization's"}${
          error === null ? "" : " (it carries an error)"
        }; start the sign-in again`
      )
    )
  if (error !== null) return Result.fail(oauthError(method, error, query.get("error_description") ?? undefined))
  const code = query.get("code")
  if (code === null || code === "")
    return Result.fail(AuthError.make("InvalidInput", method, "the callback has neither a code nor an error"))
  if (input.nowMillis - pending.createdAt >= input.validityMillis || input.nowMillis < pending.createdAt - 60_000)
    return Result.fail(
      AuthError.make("SessionExpired", method, "the pending authorization is too old; start the sign-in again")
    )
  return Result.succeed(code)
}
