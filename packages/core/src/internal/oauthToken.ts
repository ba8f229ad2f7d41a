/**
 * The token endpoint of the Cognito domain (`<domain>/oauth2/token`) and the other form
 * posts to it (`/oauth2/revoke`): one request, its client authentication (HTTP Basic when
 * the app client has a secret), its bounded body, and its answer read once, by
 * {@link readTokenAnswer} and {@link oauthError}, into tokens or an `AuthError` whose
 * `reason` comes from the OAuth `error` code through one table ({@link reasonOfOAuthError}).
 *
 * Secrets (the code, the verifier, the client secret, a refresh token) go in the body
 * and the `Authorization` header only: no error holds the request, so none of them can
 * reach a message.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as AuthError from "../AuthError.js"
import { readBody } from "./awsJson.js"
import * as Encoding from "./encoding.js"

type Secret = Redacted.Redacted<string>

/** The OAuth error codes of RFC 6749 (and Cognito's) and their reasons. */
const oauthErrorTable: Readonly<Record<string, AuthError.Reason>> = {
  access_denied: "AccessDenied",
  invalid_grant: "InvalidGrant",
  invalid_client: "InvalidClient",
  unauthorized_client: "UnauthorizedClient",
  invalid_scope: "InvalidScope",
  invalid_request: "InvalidParameter",
  invalid_token: "NotAuthorized",
  unsupported_grant_type: "UnsupportedOperation",
  unsupported_response_type: "UnsupportedOperation",
  unsupported_token_type: "UnsupportedTokenType",
  server_error: "InternalError",
  temporarily_unavailable: "InternalError"
}

/** The reason of an OAuth `error` code; an unknown code is `InvalidResponse`. */
export const reasonOfOAuthError = (code: string): AuthError.Reason => oauthErrorTable[code] ?? "InvalidResponse"

/** An `error` code as a message shows it: printable, short. */
const showCode = (code: string): string => JSON.stringify(code.length > 64 ? `${code.slice(0, 64)}…` : code)

/**
 * The `AuthError` of an OAuth error (a callback's or an endpoint's): the reason from the
 * table, the code in `exception`, the description as the server wrote it (cut at 300
 * characters) or one of ours.
 */
export const oauthError = (
  method: string,
  code: string,
  description: string | undefined,
  status?: number | undefined
): AuthError.AuthError =>
  AuthError.make(
    reasonOfOAuthError(code),
    method,
    description !== undefined && description !== ""
      ? `${showCode(code)}: ${description.length > 300 ? `${description.slice(0, 300)}…` : description}`
      : `the Cognito domain answered ${showCode(code)}`,
    { exception: code, ...(status === undefined ? {} : { status }) }
  )

/** A token answer, read. */
export interface TokenAnswer {
  readonly accessToken: Secret
  readonly idToken: Secret | undefined
  readonly refreshToken: Secret | undefined
  readonly tokenType: string
  /** The access token's lifetime, in seconds. */
  readonly expiresIn: number
  /** The granted scopes, when the answer names them. */
  readonly scope: string | undefined
}

const nonEmptyString = (value: unknown): value is string => typeof value === "string" && value !== ""

/**
 * A 200 answer's body as tokens, or what is wrong with it (never a token's value):
 * a JSON object with `access_token`, `token_type` `Bearer` and a positive `expires_in`.
 */
export const readTokenAnswer = (text: string): Result.Result<TokenAnswer, string> => {
  const body = Encoding.parseJsonObject(text)
  if (body === undefined) return Result.fail("the answer is not a JSON object")
  const { access_token, expires_in, id_token, refresh_token, scope, token_type } = body
  if (!nonEmptyString(access_token)) return Result.fail("the answer has no access_token")
  if (!nonEmptyString(token_type) || token_type.toLowerCase() !== "bearer")
    return Result.fail(`token_type is not Bearer`)
  const lifetime = typeof expires_in === "string" && /^\d+$/.test(expires_in) ? Number(expires_in) : expires_in
  if (typeof lifetime !== "number" || !Number.isSafeInteger(lifetime) || lifetime <= 0)
    return Result.fail("expires_in is not a positive whole number of seconds")
  if (id_token !== undefined && !nonEmptyString(id_token)) return Result.fail("id_token is not a string")
  if (refresh_token !== undefined && !nonEmptyString(refresh_token)) return Result.fail("refresh_token is not a string")
  if (scope !== undefined && typeof scope !== "string") return Result.fail("scope is not a string")
  return Result.succeed({
    accessToken: Redacted.make(access_token),
    idToken: id_token === undefined ? undefined : Redacted.make(id_token),
    refreshToken: refresh_token === undefined ? undefined : Redacted.make(refresh_token),
    tokenType: token_type,
    expiresIn: lifetime,
    scope
  })
}

/** Where and how the domain is called. */
export interface Endpoint {
  /** The domain's base URL, without a trailing slash. */
  readonly domain: string
  readonly clientId: string
  readonly clientSecret: Secret | undefined
  readonly timeout: Duration.Duration
  readonly maxResponseBytes: number
}

/** The message (or code) of a transport failure. */
const causeText = (cause: unknown): string | undefined => {
  if (Predicate.hasProperty(cause, "message") && typeof cause.message === "string" && cause.message !== "")
    return cause.message
  if (Predicate.hasProperty(cause, "code") && typeof cause.code === "string") return cause.code
  return undefined
}

const transportError = (method: string, url: string, error: HttpClientError.HttpClientError): AuthError.AuthError => {
  const reason = error.reason
  return AuthError.make(
    "Transport",
    method,
    `the request to ${url} failed: ${reason.description ?? causeText(reason.cause) ?? reason._tag.replace(/Error$/, "")}`,
    // The transport's own failure, never the HttpClientError: it holds the request and so its body.
    reason.cause === undefined ? undefined : { cause: reason.cause }
  )
}

/** `Authorization: Basic base64(client_id:client_secret)`, as Cognito's token endpoint takes it. */
const basic = (clientId: string, secret: Secret): string =>
  `Basic ${Encoding.toBase64(Encoding.utf8(`${clientId}:${Redacted.value(secret)}`))}`

/** A form post's answer: its status and body text, bounded and within the timeout. */
export const post = (
  client: HttpClient.HttpClient,
  endpoint: Endpoint,
  method: string,
  path: "/oauth2/token" | "/oauth2/revoke",
  form: Readonly<Record<string, string | Secret | undefined>>
): Effect.Effect<{ readonly status: number; readonly text: string }, AuthError.AuthError> =>
  Effect.suspend(() => {
    const url = `${endpoint.domain}${path}`
    const params = new URLSearchParams()
    for (const [name, value] of Object.entries(form))
      if (value !== undefined) params.set(name, Redacted.isRedacted(value) ? Redacted.value(value) : value)
    let request = HttpClientRequest.post(url).pipe(
      HttpClientRequest.setHeader("accept", "application/json"),
      HttpClientRequest.bodyText(params.toString(), "application/x-www-form-urlencoded")
    )
    if (endpoint.clientSecret !== undefined)
      request = HttpClientRequest.setHeader(request, "authorization", basic(endpoint.clientId, endpoint.clientSecret))
    return client.execute(request).pipe(
      Effect.mapError((error) => transportError(method, url, error)),
      Effect.flatMap((response) =>
        Effect.map(readBody(method, response, endpoint.maxResponseBytes), (text) => ({
          status: response.status,
          text
        }))
      ),
      Effect.timeoutOrElse({
        duration: endpoint.timeout,
        orElse: () =>
          Effect.fail(
            AuthError.make("Transport", method, `${url} gave no answer within ${Duration.format(endpoint.timeout)}`)
          )
      })
    )
  })

/** An answer that is not 2xx, as an `AuthError`: the OAuth error it names, else `InvalidResponse`. */
export const errorAnswer = (method: string, status: number, text: string): AuthError.AuthError => {
  const body = Encoding.parseJsonObject(text)
  const code = body?.error
  if (typeof code === "string" && code !== "") {
    const description = body?.error_description
    return oauthError(method, code, typeof description === "string" ? description : undefined, status)
  }
  return AuthError.make(
    status >= 500 ? "InternalError" : "InvalidResponse",
    method,
    `the Cognito domain answered HTTP ${status} without an OAuth error`,
    { status }
  )
}

/** A token request: its answer's tokens, or the error it names. */
export const requestTokens = (
  client: HttpClient.HttpClient,
  endpoint: Endpoint,
  method: string,
  form: Readonly<Record<string, string | Secret | undefined>>
): Effect.Effect<TokenAnswer, AuthError.AuthError> =>
  Effect.flatMap(post(client, endpoint, method, "/oauth2/token", form), ({ status, text }) => {
    if (status < 200 || status >= 300) return Effect.fail(errorAnswer(method, status, text))
    const read = readTokenAnswer(text)
    return Result.isSuccess(read)
      ? Effect.succeed(read.success)
      : Effect.fail(
          AuthError.make("InvalidResponse", method, `the token endpoint answered: ${read.failure}`, { status })
        )
  })
