/**
 * The AWS JSON 1.1 protocol as Cognito speaks it, written once for both wire clients
 * (`CognitoIdentityProvider` and `CognitoIdentityPool`): building the request,
 * decoding the response with `effect/Schema`, mapping errors through
 * {@link AuthError.reasonFromException}, the per-request timeout and the retries.
 *
 * Secrets travel as `Redacted` values inside the request body and are revealed only
 * when the body is serialised. Every revealed value is remembered for the duration of
 * the call and scrubbed from any message the server sends back: emulators (moto) echo
 * tokens and secret hashes in their error messages, and no secret may reach an
 * `AuthError`. A server may echo the body escaped, so each secret is scrubbed as it is,
 * JSON-escaped (minimal and ASCII-only, once and twice) and as Python writes it (`repr`
 * and `ascii`). No error keeps the HTTP request (it holds the body) as its cause.
 *
 * A response body is read chunk by chunk up to `maxResponseBytes`: a larger one (declared
 * or sent) fails with `InvalidResponse` and the rest is never read, so a huge or endless
 * body costs at most the cap in memory; a body that drips is cut by the request timeout,
 * which covers the whole exchange, body included.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as AuthError from "../AuthError.js"
import { decodeJson, maxJsonDepth } from "./encoding.js"
import * as SchemaIssues from "./schemaIssues.js"
import { scrub } from "./scrub.js"

/** A JSON value whose leaves may be `Redacted`; `undefined` members are left out. */
export type Body =
  | string
  | number
  | boolean
  | Redacted.Redacted<string>
  | undefined
  | ReadonlyArray<Body>
  | { readonly [key: string]: Body }

/** A retry schedule over the failures of a call. */
export type RetrySchedule = Schedule.Schedule<unknown, AuthError.AuthError>

/**
 * The default retry schedule: exponential backoff from 200 ms doubling each time,
 * jittered (×0.8 to ×1.2), at most 3 retries (4 attempts) and no retry once 10 seconds
 * have passed since the first failure.
 */
export const defaultRetrySchedule: RetrySchedule = Schedule.exponential("200 millis", 2).pipe(
  Schedule.jittered,
  Schedule.upTo({ times: 3, duration: "10 seconds" })
)

/** One action: its name, body, response schema, how to read it, and whether it is safe to repeat. */
export interface Call<W, I, A> {
  /** The action, e.g. `"InitiateAuth"`: the `X-Amz-Target` suffix and the error's `method`. */
  readonly action: string
  readonly body: { readonly [key: string]: Body }
  /** The wire shape of a successful response. */
  readonly response: Schema.Codec<W, I>
  /** Reads the decoded response; a failure names what is wrong with it. */
  readonly read: (wire: W) => Result.Result<A, string>
  /** Retried on transient failures only when true. */
  readonly idempotent: boolean
}

/** What a client needs to know about its service. */
export interface Options {
  /** The `X-Amz-Target` prefix, e.g. `"AWSCognitoIdentityProviderService"`. */
  readonly target: string
  readonly endpoint: string
  readonly timeout: Duration.Duration
  readonly retrySchedule: RetrySchedule
  /** The largest response body read, in bytes. */
  readonly maxResponseBytes: number
}

/** Runs calls of one service over an `HttpClient`. */
export type Caller = <W, I, A>(call: Call<W, I, A>) => Effect.Effect<A, AuthError.AuthError>

const contentType = "application/x-amz-json-1.1"

/** Reveals the secrets of a body into plain JSON, collecting each revealed value. */
const reveal = (value: Body, secrets: Array<string>): unknown => {
  if (Redacted.isRedacted(value)) {
    const revealed = Redacted.value(value)
    if (revealed !== "") secrets.push(revealed)
    return revealed
  }
  if (Array.isArray(value)) return value.map((item: Body) => reveal(item, secrets))
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [key, member] of Object.entries(value as { readonly [key: string]: Body })) {
      if (member !== undefined) out[key] = reveal(member, secrets)
    }
    return out
  }
  return value
}

const stringField = (body: unknown, ...keys: ReadonlyArray<string>): string | undefined => {
  if (!Predicate.isObject(body)) return undefined
  for (const key of keys) {
    const value = body[key]
    if (typeof value === "string" && value !== "") return value
  }
  return undefined
}

/** The schema issues by path and kind, never with the offending values (they may be tokens). */
const describeIssues = (error: Schema.SchemaError): string => {
  const issues = SchemaIssues.problems(error).map(({ kind, path }) => {
    const at = SchemaIssues.showPath(path, "the body")
    return kind === "Missing" ? `${at} is missing` : `${at} is not as expected`
  })
  return [...new Set(issues)].join("; ")
}

/** An `InvalidResponse` error naming the action and the status. */
export const invalidResponse = (
  action: string,
  status: number,
  detail: string,
  exception?: string
): AuthError.AuthError =>
  AuthError.make("InvalidResponse", action, `${action} returned HTTP ${status}: ${detail}`, {
    status,
    ...(exception === undefined ? {} : { exception })
  })

const errorResponse = (
  action: string,
  status: number,
  headerType: string | undefined,
  text: string,
  secrets: ReadonlyArray<string>
): AuthError.AuthError => {
  const body = decodeJson(text)
  const json = Result.getOrUndefined(body)
  const type = headerType ?? stringField(json, "__type", "code")
  const rawMessage = stringField(json, "message", "Message")
  const message = rawMessage === undefined ? undefined : scrub(rawMessage, secrets)
  if (type === undefined) {
    return invalidResponse(
      action,
      status,
      Result.isSuccess(body)
        ? "an error without an exception name"
        : body.failure === "TooDeep"
          ? `an error whose body is nested deeper than ${maxJsonDepth} levels`
          : "an error whose body is not JSON"
    )
  }
  const exception = AuthError.exceptionName(type)
  const reason = AuthError.reasonFromException(type)
  if (reason === undefined) {
    return invalidResponse(
      action,
      status,
      `unknown exception ${scrub(exception, secrets)}${message === undefined ? "" : ` (${message})`}`,
      scrub(exception, secrets)
    )
  }
  return AuthError.make(reason, action, message, { exception, status })
}

const successResponse = <W, I, A>(
  call: Call<W, I, A>,
  status: number,
  text: string
): Result.Result<A, AuthError.AuthError> => {
  // AWS always sends `{}` for actions without output; an empty body means the same.
  const body = text.trim() === "" ? Result.succeed({}) : decodeJson(text)
  if (Result.isFailure(body))
    return Result.fail(
      invalidResponse(
        call.action,
        status,
        body.failure === "TooDeep" ? `a body nested deeper than ${maxJsonDepth} levels` : "a body that is not JSON"
      )
    )
  const decoded = Schema.decodeUnknownExit(call.response)(body.success)
  if (Exit.isFailure(decoded)) {
    const detail = Option.match(Exit.findErrorOption(decoded), {
      onNone: () => "the body could not be decoded",
      onSome: describeIssues
    })
    return Result.fail(invalidResponse(call.action, status, `an unexpected body: ${detail}`))
  }
  return call
    .read(decoded.value)
    .pipe(Result.mapError((detail) => invalidResponse(call.action, status, `an unexpected body: ${detail}`)))
}

/** The message (or code) of a transport failure, e.g. "connect ECONNREFUSED 127.0.0.1:9". */
const causeText = (cause: unknown): string | undefined => {
  if (Predicate.hasProperty(cause, "message") && typeof cause.message === "string" && cause.message !== "")
    return cause.message
  if (Predicate.hasProperty(cause, "code") && typeof cause.code === "string") return cause.code
  return undefined
}

/** The URL of a request for a message, without any credentials in it. */
const showUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    parsed.username = ""
    parsed.password = ""
    return parsed.href
  } catch {
    return "the endpoint"
  }
}

const transportError = (action: string, error: HttpClientError.HttpClientError): AuthError.AuthError => {
  const reason = error.reason
  return AuthError.make(
    "Transport",
    action,
    `${action} request to ${showUrl(error.request.url)} failed: ${
      reason.description ?? causeText(reason.cause) ?? reason._tag.replace(/Error$/, "")
    }`,
    // The transport's own failure, never the HttpClientError: it holds the request and so the body.
    reason.cause === undefined ? undefined : { cause: reason.cause }
  )
}

const tooLarge = (action: string, status: number, limit: number) =>
  invalidResponse(action, status, `a body larger than ${limit} bytes (maxResponseBytes)`)

/**
 * The body as text, read chunk by chunk; fails with `InvalidResponse` as soon as it
 * (or its declared length) passes `limit` bytes, and stops reading there.
 */
export const readBody = (
  action: string,
  response: HttpClientResponse.HttpClientResponse,
  limit: number
): Effect.Effect<string, AuthError.AuthError> => {
  const declared = Number(response.headers["content-length"])
  if (Number.isFinite(declared) && declared > limit) return Effect.fail(tooLarge(action, response.status, limit))
  const decoder = new TextDecoder()
  return response.stream.pipe(
    Stream.mapError((error) => transportError(action, error)),
    Stream.runFoldEffect(
      () => ({ size: 0, text: "" }),
      (read, chunk: Uint8Array) => {
        const size = read.size + chunk.length
        return size > limit
          ? Effect.fail(tooLarge(action, response.status, limit))
          : Effect.succeed({ size, text: read.text + decoder.decode(chunk, { stream: true }) })
      }
    ),
    Effect.map((read) => read.text + decoder.decode())
  )
}

/** Builds the caller of one service. */
export const make = (client: HttpClient.HttpClient, options: Options): Caller => {
  const timeout = Duration.format(options.timeout)
  return <W, I, A>(call: Call<W, I, A>) => {
    const secrets: Array<string> = []
    const payload = JSON.stringify(reveal(call.body, secrets))
    const request = HttpClientRequest.post(options.endpoint).pipe(
      HttpClientRequest.setHeader("x-amz-target", `${options.target}.${call.action}`),
      HttpClientRequest.bodyText(payload, contentType)
    )
    const attempt = client.execute(request).pipe(
      Effect.mapError((error) => transportError(call.action, error)),
      Effect.flatMap((response) =>
        Effect.map(readBody(call.action, response, options.maxResponseBytes), (text) => ({
          status: response.status,
          headers: response.headers,
          text
        }))
      ),
      Effect.timeoutOrElse({
        duration: options.timeout,
        orElse: () =>
          Effect.fail(AuthError.make("Transport", call.action, `${call.action} got no response within ${timeout}`))
      }),
      Effect.flatMap(({ headers, status, text }) =>
        status >= 200 && status < 300
          ? Effect.fromResult(successResponse(call, status, text))
          : Effect.fail(errorResponse(call.action, status, headers["x-amzn-errortype"], text, secrets))
      )
    )
    return call.idempotent
      ? Effect.retry(attempt, { schedule: options.retrySchedule, while: AuthError.isTransient })
      : attempt
  }
}

/** The caller over the `HttpClient` in context. */
export const makeFromContext = (options: Options): Effect.Effect<Caller, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (client) => make(client, options))
