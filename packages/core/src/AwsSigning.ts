/**
 * Authorized requests: `HttpClient` transforms that sign each request with AWS
 * Signature Version 4 ({@link signed}) or add a Cognito token as a bearer
 * ({@link bearer}), and retry once when the server says the credentials or tokens
 * went stale.
 *
 * Signing is SigV4 as AWS documents it, over Web Crypto, with the signing time read from
 * Effect's `Clock` (so `TestClock` drives it) and the SHA-256 of the body in the
 * canonical request. Every header of the request is signed except those transports,
 * proxies and tracers set or change (`authorization`, `content-length`, `user-agent`,
 * `expect`, `connection`, `range`, `x-amzn-trace-id`, `traceparent`, `tracestate`,
 * `b3`). Requests to S3 also carry `x-amz-content-sha256` with the body's hash.
 *
 * Both transforms read a stream body once and re-send the bytes on the retry; a
 * `FormData` body cannot be signed (hash it yourself: encode it to bytes first).
 * Make request changes (URL prefix, headers) on the client you pass in: they run
 * before signing and are signed. A `mapRequest` on the returned client runs after
 * signing and would break the signature; `mapRequestInput` runs before and is fine.
 *
 * To classify a 400, 401 or 403 answer its body is read as text; read it again with
 * `text` or `json` (both cached by the platform clients), not as a stream.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Headers from "effect/http/Headers"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Redacted from "effect/Redacted"
import * as AuthError from "./AuthError.js"
import * as internal from "./internal/signedClient.js"
import * as sigv4 from "./internal/sigv4.js"

/**
 * What signing needs of credentials: `AwsCredentials` fit, and so do long-term keys
 * (no session token).
 *
 * @since 0.1.0
 */
export interface SigningCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken?: Redacted.Redacted<string> | undefined
}

/**
 * Options of {@link signed}.
 *
 * @since 0.1.0
 */
export interface SignedOptions {
  /** The current credentials (cached by whoever provides them). */
  readonly credentials: Effect.Effect<SigningCredentials, AuthError.AuthError>
  /** New credentials, asked for once when AWS rejects the current ones. */
  readonly renew: Effect.Effect<SigningCredentials, AuthError.AuthError>
  /** The signing name of the service, e.g. `"execute-api"`, `"appsync"`, `"s3"`. */
  readonly service: string
  /** The region of the endpoint, e.g. `"eu-west-1"`. */
  readonly region: string
  /**
   * `"signed"` (default, as the AWS SDK does and S3 requires): `x-amz-security-token`
   * is part of the signature. `"unsigned"`: it is added after signing, for services
   * that want it so.
   */
  readonly sessionToken?: "signed" | "unsigned" | undefined
  /** The `method` of the `AuthError` when AWS rejects the request twice. Default `"signedHttpClient"`. */
  readonly method?: string | undefined
}

/**
 * The header names this module adds to `Headers.CurrentRedactedNames` while a
 * request runs, so spans and logs show them redacted.
 *
 * @since 0.1.0
 */
export const redactedHeaderNames: ReadonlyArray<string> = ["authorization", "x-amz-security-token"]

const withRedactedHeaders = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.updateService(effect, Headers.CurrentRedactedNames, (names) => [
    ...names,
    ...redactedHeaderNames.filter((name) => !names.includes(name))
  ])

/**
 * Signs every request of `client` with SigV4 for `service` in `region`.
 *
 * When AWS answers that the credentials expired or that the signature is not yet /
 * no longer valid (`ExpiredToken`, `ExpiredTokenException`, `RequestExpired`, an
 * `InvalidSignatureException` or `SignatureDoesNotMatch` saying "Signature expired"
 * or "Signature not yet current", in a 400/401/403 body or in `x-amzn-errortype`),
 * it runs `renew` once, signs again with the new credentials and the current time,
 * and sends the request once more. If that is rejected too, it fails with an
 * `AuthError` of reason `NotAuthorized` carrying AWS's code and the status. Any other
 * answer, successful or not, is returned as it is.
 *
 * While a request runs, `x-amz-security-token` and `authorization` are in
 * `Headers.CurrentRedactedNames`.
 *
 * @example
 * ```ts
 * import * as Auth from "@effect-cognito/core/Auth"
 * import * as AwsSigning from "@effect-cognito/core/AwsSigning"
 * import * as Effect from "effect/Effect"
 * import * as HttpClient from "effect/http/HttpClient"
 *
 * const items = Effect.gen(function* () {
 *   const auth = yield* Auth.Auth
 *   const api = AwsSigning.signed(yield* HttpClient.HttpClient, {
 *     credentials: auth.getAWSCredentials(),
 *     renew: auth.getAWSCredentials({ forceRefresh: true }),
 *     service: "execute-api",
 *     region: "eu-west-1"
 *   })
 *   const response = yield* api.get("https://abc123.execute-api.eu-west-1.amazonaws.com/prod/items")
 *   return yield* response.json
 * })
 * ```
 *
 * @since 0.1.0
 */
export const signed = <E, R>(
  client: HttpClient.HttpClient.With<E, R>,
  options: SignedOptions
): HttpClient.HttpClient.With<E | HttpClientError.HttpClientError | AuthError.AuthError, R> => {
  const cache = new Map<string, ArrayBuffer>()
  const method = options.method ?? "signedHttpClient"
  const signing = {
    service: options.service,
    region: options.region,
    sessionToken: options.sessionToken ?? "signed",
    cache
  } as const
  return internal
    .retryOnce(client, {
      prepare: (request, retry) =>
        Effect.gen(function* () {
          const credentials = yield* retry ? options.renew : options.credentials
          const now = yield* Clock.currentTimeMillis
          // Derived keys are per secret and day: a few entries at most, dropped when they pile up.
          if (cache.size > 8) cache.clear()
          return yield* internal.signRequest(request, credentials, { ...signing, datetime: sigv4.amzDate(now) })
        }),
      rejected: internal.responseRejection,
      giveUp: (response, code) =>
        AuthError.make(
          "NotAuthorized",
          method,
          `AWS rejected the request with ${code} after the credentials were renewed`,
          { exception: code, status: response.status }
        )
    })
    .pipe(HttpClient.transformResponse(withRedactedHeaders))
}

/**
 * The tokens {@link bearer} needs (`Auth.Tokens` fits).
 *
 * @since 0.1.0
 */
export interface BearerTokens {
  readonly accessToken: Redacted.Redacted<string>
  readonly idToken: Redacted.Redacted<string>
}

/**
 * Options of {@link bearer}.
 *
 * @since 0.1.0
 */
export interface BearerOptions {
  /**
   * The session's tokens; `true` forces a refresh (as `Auth.getTokens({ forceRefresh: true })`).
   * On the retry `refused` is the token the server refused: a source shared by concurrent
   * callers renews only while that token is still its current one.
   */
  readonly getTokens: (
    forceRefresh: boolean,
    refused?: Redacted.Redacted<string> | undefined
  ) => Effect.Effect<BearerTokens, AuthError.AuthError>
  /** Which token goes in the header. */
  readonly token: "access" | "id"
  /** The `method` of the `AuthError` when the server refuses the request twice. Default `"bearerHttpClient"`. */
  readonly method?: string | undefined
}

/** The bearer token of the request a refused answer was for. */
const refusedToken = (
  refused: { readonly request: HttpClientRequest.HttpClientRequest } | undefined
): Redacted.Redacted<string> | undefined => {
  const header = refused?.request.headers.authorization
  return header === undefined || !/^bearer /i.test(header) ? undefined : Redacted.make(header.slice(7))
}

/**
 * Adds `Authorization: Bearer <token>` to every request of `client`. On a 401 it
 * forces one token refresh and sends the request once more; a second 401 fails with
 * an `AuthError` of reason `NotAuthorized` and status 401.
 *
 * @since 0.1.0
 */
export const bearer = <E, R>(
  client: HttpClient.HttpClient.With<E, R>,
  options: BearerOptions
): HttpClient.HttpClient.With<E | HttpClientError.HttpClientError | AuthError.AuthError, R> => {
  const method = options.method ?? "bearerHttpClient"
  return internal
    .retryOnce(client, {
      prepare: (request, retry, refused) =>
        Effect.map(options.getTokens(retry, refusedToken(refused)), (tokens) =>
          HttpClientRequest.bearerToken(request, options.token === "access" ? tokens.accessToken : tokens.idToken)
        ),
      rejected: (response) => Effect.succeed(response.status === 401 ? "Unauthorized" : undefined),
      giveUp: (response) =>
        AuthError.make("NotAuthorized", method, "the server refused the token after a refresh", {
          status: response.status
        })
    })
    .pipe(HttpClient.transformResponse(withRedactedHeaders))
}

/**
 * Did AWS refuse a request because the credentials expired or the signature is not
 * yet / no longer valid? The AWS code when it did, else `undefined`. This is the rule
 * {@link signed} retries by.
 *
 * @since 0.1.0
 */
export const credentialsRejection: (response: {
  readonly status: number
  readonly errorType: string | undefined
  readonly body: string
}) => string | undefined = internal.credentialsRejection
