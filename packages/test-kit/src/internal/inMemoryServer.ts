/**
 * What the in-memory servers of the test-kit (the Cognito domain, the OIDC provider) share:
 * an `HttpClient` that answers from a `serve` function without a socket, the HTTP Basic
 * client credentials of a request, and its cookies.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import type { DomainRequest, DomainResponse } from "./testCognito/domain.js"

const decoder = new TextDecoder()

/** An `HttpClient` answered by `serve` in memory: 404 where it answers `undefined`. */
export const httpClientOf = (
  serve: (request: DomainRequest) => Effect.Effect<DomainResponse | undefined>
): HttpClient.HttpClient =>
  HttpClient.make((request, url) => {
    const body = request.body
    const text =
      body._tag === "Uint8Array"
        ? decoder.decode(body.body)
        : body._tag === "Raw" && typeof body.body === "string"
          ? body.body
          : body._tag === "Raw" && body.body instanceof Uint8Array
            ? decoder.decode(body.body)
            : ""
    return Effect.map(serve({ method: request.method, url, headers: request.headers, body: text }), (answer) =>
      HttpClientResponse.fromWeb(
        request,
        answer === undefined
          ? new Response("Not found", { status: 404 })
          : new Response(answer.status === 204 ? null : answer.body, { status: answer.status, headers: answer.headers })
      )
    )
  })

/**
 * The client id and secret of an `Authorization: Basic` header (each form-encoded, RFC 6749
 * §2.3.1): `undefined` without one, `"invalid"` for one that does not decode.
 */
export const basicCredentials = (
  authorization: string | undefined
): { readonly id: string; readonly secret: string } | "invalid" | undefined => {
  if (authorization === undefined || !authorization.toLowerCase().startsWith("basic ")) return undefined
  try {
    const decoded = atob(authorization.slice(6).trim())
    const colon = decoded.indexOf(":")
    if (colon < 0) return "invalid"
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) }
  } catch {
    return "invalid"
  }
}

/** The cookies of a `Cookie` header, by name. */
export const cookies = (header: string | undefined): ReadonlyMap<string, string> => {
  const out = new Map<string, string>()
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=")
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  return out
}
