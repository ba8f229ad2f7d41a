/**
 * Signed and bearer clients: re-sendable bodies, the "did AWS reject our credentials
 * or signing time" rule and the retry-once client combinator behind
 * `AwsSigning.signed` and `AwsSigning.bearer`. The signature itself comes from
 * `./sigv4.js`.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Headers from "effect/http/Headers"
import * as HttpBody from "effect/http/HttpBody"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import type * as AwsSigning from "../AwsSigning.js"
import * as AuthError from "../AuthError.js"
import { type SignableBody, type SignOptions, sign } from "./sigv4.js"

/** The bytes of a body already in memory; `undefined` for an empty one. */
export const signableBody = (body: HttpBody.HttpBody): Result.Result<SignableBody, string> => {
  switch (body._tag) {
    case "Empty":
      return Result.succeed(undefined)
    case "Uint8Array":
      return Result.succeed(body.body)
    case "Raw":
      return typeof body.body === "string" || body.body instanceof Uint8Array
        ? Result.succeed(body.body)
        : Result.fail("a raw body that is neither text nor bytes cannot be hashed for signing")
    case "FormData":
      return Result.fail("a FormData body cannot be hashed for signing: encode it to bytes first")
    case "Stream":
      return Result.fail("a stream body must be read before signing")
  }
}

const encodeError = (request: HttpClientRequest.HttpClientRequest, description: string, cause?: unknown) =>
  new HttpClientError.HttpClientError({
    reason: new HttpClientError.EncodeError({
      request,
      description,
      ...(cause === undefined ? {} : { cause })
    })
  })

/** Reads a stream body into bytes (same content type and length); other bodies are left as they are. */
export const readStreamBody = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<HttpClientRequest.HttpClientRequest, HttpClientError.HttpClientError> => {
  const body = request.body
  if (body._tag !== "Stream") return Effect.succeed(request)
  return Stream.runCollect(body.stream).pipe(
    Effect.mapError((cause) => encodeError(request, "reading the request body failed", cause)),
    Effect.map((parts) => {
      const bytes = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
      let offset = 0
      for (const part of parts) {
        bytes.set(part, offset)
        offset += part.length
      }
      return HttpClientRequest.setBody(request, HttpBody.uint8Array(bytes, body.contentType))
    })
  )
}

/**
 * Re-sendable requests: a stream body is read once, the first time the request object
 * is executed, and the bytes are reused for every attempt of that same object.
 */
const resendable = () => {
  const read = new WeakMap<HttpClientRequest.HttpClientRequest, HttpClientRequest.HttpClientRequest>()
  return (request: HttpClientRequest.HttpClientRequest) =>
    Effect.suspend(() => {
      if (request.body._tag !== "Stream") return Effect.succeed(request)
      const known = read.get(request)
      if (known !== undefined) return Effect.succeed(known)
      return Effect.tap(readStreamBody(request), (bytes) => Effect.sync(() => read.set(request, bytes)))
    })
}

/** Signs a request (already carrying its final URL, headers and in-memory body) at `datetime`. */
export const signRequest = (
  request: HttpClientRequest.HttpClientRequest,
  credentials: AwsSigning.SigningCredentials,
  options: SignOptions
): Effect.Effect<HttpClientRequest.HttpClientRequest, HttpClientError.HttpClientError> =>
  Effect.gen(function* () {
    const prepared = yield* readStreamBody(request)
    const body = signableBody(prepared.body)
    if (Result.isFailure(body)) return yield* Effect.fail(encodeError(prepared, body.failure))
    const url = HttpClientRequest.toUrl(prepared)
    if (Option.isNone(url)) {
      return yield* Effect.fail(
        new HttpClientError.HttpClientError({
          reason: new HttpClientError.InvalidUrlError({ request, description: "the request URL is not valid" })
        })
      )
    }
    const contentType = prepared.body._tag === "Empty" ? undefined : prepared.body.contentType
    const headers =
      contentType === undefined || prepared.headers["content-type"] !== undefined
        ? prepared.headers
        : Headers.set(prepared.headers, "content-type", contentType)
    const added = yield* Effect.tryPromise({
      try: () => sign({ method: prepared.method, url: url.value, headers, body: body.success }, credentials, options),
      catch: (cause) => encodeError(prepared, "signing the request failed", cause)
    })
    return HttpClientRequest.setHeaders(prepared, { ...headers, ...added })
  })

/** Codes with which AWS says the credentials expired or the signing time is outside the window. */
const rejectionCodes: ReadonlySet<string> = new Set([
  "ExpiredToken",
  "ExpiredTokenException",
  "RequestExpired",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "InvalidClientTokenId",
  "AccessDeniedException",
  "UnrecognizedClientException"
])

/** Codes that always mean it; the others in {@link rejectionCodes} only with a {@link rejectionPhrase}. */
const expiryCodes: ReadonlySet<string> = new Set(["ExpiredToken", "ExpiredTokenException", "RequestExpired"])

const rejectionPhrase = /signature expired|signature not yet current|security token included in the request is expired/i

const codePatterns = [/"__type"\s*:\s*"([^"]+)"/, /"code"\s*:\s*"([^"]+)"/i, /<Code>\s*([^<\s]+)\s*<\/Code>/] as const

/**
 * Did AWS refuse the request because the credentials expired or the signature is not
 * yet / no longer valid? Then the answer is the AWS code (e.g. `ExpiredTokenException`),
 * otherwise `undefined`. Only 400, 401 and 403 answers qualify; the code comes from
 * `x-amzn-errortype` or from a JSON (`__type`, `code`) or XML (`<Code>`) body. An
 * `InvalidSignatureException` or `SignatureDoesNotMatch` counts only with a message
 * saying "Signature expired" or "Signature not yet current"; any code counts with
 * "The security token included in the request is expired" (the answer is then that code,
 * or `"Expired"` when the answer names none).
 */
export const credentialsRejection = (response: {
  readonly status: number
  readonly errorType: string | undefined
  readonly body: string
}): string | undefined => {
  if (response.status !== 400 && response.status !== 401 && response.status !== 403) return undefined
  const fromHeader = response.errorType === undefined ? undefined : AuthError.exceptionName(response.errorType)
  let code = fromHeader
  for (const pattern of codePatterns) {
    if (code !== undefined) break
    const match = pattern.exec(response.body)
    if (match?.[1] !== undefined) code = AuthError.exceptionName(match[1])
  }
  if (code !== undefined && expiryCodes.has(code)) return code
  if (rejectionPhrase.test(response.body) && (code === undefined || rejectionCodes.has(code))) return code ?? "Expired"
  return undefined
}

/** {@link credentialsRejection} of a response; reads the body only for 400, 401 and 403 without a decisive header. */
export const responseRejection = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<string | undefined> => {
  if (response.status !== 400 && response.status !== 401 && response.status !== 403) return Effect.succeed(undefined)
  const errorType = response.headers["x-amzn-errortype"]
  const fromHeader = credentialsRejection({ status: response.status, errorType, body: "" })
  if (fromHeader !== undefined) return Effect.succeed(fromHeader)
  return response.text.pipe(
    Effect.orElseSucceed(() => ""),
    Effect.map((body) => credentialsRejection({ status: response.status, errorType, body }))
  )
}

/** Numbers the clients {@link retryOnce} builds, so each has its own `retrying` reference. */
let clients = 0

/**
 * The retry-once combinator: `prepare` finishes each attempt's request (`retry` is
 * `true` for the second one, and `refused` is then the first answer); when `rejected`
 * says the first answer was a rejection, the request is prepared and sent once more, and
 * a second rejection fails with `giveUp`. Request bodies are read once and re-sent as bytes.
 */
export const retryOnce = <E, R, E1, R1>(
  client: HttpClient.HttpClient.With<E, R>,
  options: {
    readonly prepare: (
      request: HttpClientRequest.HttpClientRequest,
      retry: boolean,
      refused: HttpClientResponse.HttpClientResponse | undefined
    ) => Effect.Effect<HttpClientRequest.HttpClientRequest, E1, R1>
    readonly rejected: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<string | undefined>
    readonly giveUp: (response: HttpClientResponse.HttpClientResponse, rejection: string) => AuthError.AuthError
  }
): HttpClient.HttpClient.With<E | E1 | HttpClientError.HttpClientError | AuthError.AuthError, R | R1> => {
  // The refused first answer while the retry runs: fiber-local, one reference per client, so a
  // client wrapping another does not see the other's retry.
  const retrying = Context.Reference<HttpClientResponse.HttpClientResponse | undefined>(
    `@effect-cognito/core/signedClient/retrying/${++clients}`,
    { defaultValue: () => undefined }
  )
  return client.pipe(
    HttpClient.mapRequestEffect((request) =>
      Effect.flatMap(retrying, (retry) => options.prepare(request, retry !== undefined, retry))
    ),
    HttpClient.transformResponse((attempt) =>
      Effect.flatMap(attempt, (first) =>
        Effect.flatMap(options.rejected(first), (rejection) =>
          rejection === undefined
            ? Effect.succeed(first)
            : Effect.provideService(attempt, retrying, first).pipe(
                Effect.flatMap((second) =>
                  Effect.flatMap(options.rejected(second), (again) =>
                    again === undefined ? Effect.succeed(second) : Effect.fail(options.giveUp(second, again))
                  )
                )
              )
        )
      )
    ),
    HttpClient.mapRequestInputEffect(resendable())
  )
}
