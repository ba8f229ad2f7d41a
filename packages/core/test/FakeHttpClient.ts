/**
 * A scripted `HttpClient` for the wire-client tests, built with `HttpClient.make`: it
 * records each request (URL, method, headers, content type, parsed JSON body) and
 * answers with whatever the script returns for it.
 */
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Base64Url from "effect/encoding/Base64Url"

/** A request as the fake saw it. */
export interface Recorded {
  readonly url: string
  readonly method: string
  readonly headers: Readonly<Record<string, string>>
  readonly contentType: string | undefined
  /** The raw body text. */
  readonly text: string
  /** The body parsed as JSON. */
  readonly body: unknown
}

/** What the fake does with a request. */
export type Reply =
  | {
      readonly _tag: "Respond"
      readonly status: number
      readonly text: string
      readonly headers: Record<string, string>
    }
  | { readonly _tag: "Never" }
  | { readonly _tag: "TransportFailure"; readonly message: string }

/** A JSON answer with the AWS JSON 1.1 content type. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  _tag: "Respond",
  status,
  text: JSON.stringify(body),
  headers: { "content-type": "application/x-amz-json-1.1", ...headers }
})

/** An answer with any text. */
export const text = (status: number, body: string, contentType = "text/html"): Reply => ({
  _tag: "Respond",
  status,
  text: body,
  headers: { "content-type": contentType }
})

/** A Cognito error: `__type` and `message`. */
export const awsError = (status: number, type: string, message: string, headers: Record<string, string> = {}): Reply =>
  json(status, { __type: type, message }, headers)

/** A request that is never answered. */
export const never: Reply = { _tag: "Never" }

/** A connection failure. */
export const transportFailure = (message: string): Reply => ({ _tag: "TransportFailure", message })

/** The fake client and what it recorded. */
export const make = (script: (request: Recorded, index: number) => Reply) =>
  makeEffect((request, index) => Effect.succeed(script(request, index)))

/** The fake client over a script that answers with an effect (a server that computes, e.g. SRP). */
export const makeEffect = (script: (request: Recorded, index: number) => Effect.Effect<Reply>) => {
  const requests: Array<Recorded> = []
  const decoder = new TextDecoder()
  const client = HttpClient.make((request: HttpClientRequest.HttpClientRequest, url: URL) => {
    const raw = request.body._tag === "Uint8Array" ? decoder.decode(request.body.body) : ""
    let body: unknown
    try {
      body = JSON.parse(raw)
    } catch {
      body = undefined
    }
    const recorded: Recorded = {
      url: url.href,
      method: request.method,
      headers: request.headers,
      contentType: request.body._tag === "Uint8Array" ? request.body.contentType : undefined,
      text: raw,
      body
    }
    requests.push(recorded)
    return Effect.flatMap(script(recorded, requests.length - 1), (reply) => {
      switch (reply._tag) {
        case "Never":
          return Effect.never
        case "TransportFailure":
          return Effect.fail(
            new HttpClientError.HttpClientError({
              reason: new HttpClientError.TransportError({ request, cause: new Error(reply.message) })
            })
          )
        case "Respond":
          return Effect.succeed(
            HttpClientResponse.fromWeb(
              request,
              new Response(reply.text, { status: reply.status, headers: reply.headers })
            )
          )
      }
    })
  })
  return { client, requests }
}

/** An unsigned JWT-shaped token with these claims (the clients never verify signatures). */
export const jwt = (claims: Record<string, unknown>): string =>
  `${Base64Url.encode(JSON.stringify({ alg: "RS256", kid: "test" }))}.${Base64Url.encode(
    JSON.stringify(claims)
  )}.signature`
