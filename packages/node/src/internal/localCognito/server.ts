/**
 * The local Cognito's HTTP server: `POST /` routed by `X-Amz-Target`
 * (`AWSCognitoIdentityProviderService.*`, `AWSCognitoIdentityService.*`) in AWS JSON 1.1,
 * and `GET /<userPoolId>/.well-known/jwks.json` and `.../openid-configuration` (the OpenID
 * discovery document, with the endpoints of the pool's domain when it has one) like Cognito's
 * issuer URL; each pool's Cognito domain under `/domain/<prefix>/` (its `TestCognito`'s
 * `domainHttpClient` answers), and a small external OIDC provider under `/oidc/`. The public
 * user-pool actions are in `publicActions.ts`, the setup, admin and identity-pool actions
 * in the registry. After each action that may change state, the server reports the codes
 * delivered and runs the hook that saves the state (the state file, when there is one).
 *
 * Before anything else, a request must name the server by a loopback `Host` and, when a
 * web page sends it, come from an allowed origin (`access.ts`); others get a 403. Bodies
 * are read up to 1 MiB (a larger one is a 413 before it is read further) and their JSON
 * nesting is bounded before they are parsed (core's `BoundedJson`): what a client sends can
 * fail a request with a 4xx, never the server.
 *
 * @internal
 */
import { createServer } from "node:http"
import type * as AuthError from "@effect-cognito/core/AuthError"
import * as BoundedJson from "@effect-cognito/core/BoundedJson"
import * as TestOidcProvider from "@effect-cognito/test-kit/TestOidcProvider"
import * as HttpBody from "effect/http/HttpBody"
import type * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpServerError from "effect/http/HttpServerError"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as LocalCognito from "../../LocalCognito.js"
import * as Access from "./access.js"
import * as Registry from "./registry.js"
import * as PublicActions from "./publicActions.js"
import * as Wire from "./wire.js"
import { errorBody } from "./wireResponses.js"

type Handler = (body: unknown) => Effect.Effect<unknown, AuthError.AuthError>

const contentType = "application/x-amz-json-1.1"
const userPoolTarget = "AWSCognitoIdentityProviderService"
const identityTarget = "AWSCognitoIdentityService"
const wellKnownPath = /^\/([a-z]{2}(?:-[a-z]+)+-\d+_[0-9A-Za-z]+)\/\.well-known\/(jwks\.json|openid-configuration)$/

const domainPath = /^\/domain\/([a-z0-9-]{1,63})(?:\/|$)/

/** The client id of the local OIDC provider (its secret is random per start). */
export const oidcClientId = "local-oidc-client"

/** The largest request body read, in bytes (1 MiB); a larger one is refused with 413. */
export const maxBodyBytes = 1024 * 1024

type Headers = Readonly<Record<string, string>>

/** The CORS grant of an allowed page's origin (never `*`); none for a request without `Origin`. */
const corsFor = (origin: string | undefined): Headers =>
  origin === undefined
    ? { vary: "Origin" }
    : {
        vary: "Origin",
        "access-control-allow-origin": origin,
        "access-control-allow-headers": "*",
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-expose-headers": "x-amzn-requestid, x-amzn-errortype"
      }

const json = (status: number, body: unknown, headers: Headers) =>
  HttpServerResponse.text(JSON.stringify(body), {
    status,
    contentType,
    headers: { ...headers, "x-amzn-requestid": crypto.randomUUID() }
  })

/** Cognito's error answer: `__type` and `message` in the body, the exception also in `x-amzn-ErrorType`. */
const failureJson = (status: number, exception: string, message: string, headers: Headers) =>
  json(status, { __type: exception, message }, { ...headers, "x-amzn-errortype": exception })

type Body =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "TooLarge" }
  | { readonly _tag: "Unreadable" }

const utf8 = new TextDecoder()

/**
 * The body, read up to `maxBodyBytes`: a declared `Content-Length` over it is refused
 * unread, a chunked body as soon as it passes it (the rest is left to the HTTP server,
 * which discards a little of it and closes the connection).
 */
const readBody = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<Body> => {
  const declared = Number(request.headers["content-length"] ?? "0")
  if (declared > maxBodyBytes) return Effect.succeed({ _tag: "TooLarge" })
  return Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    return Stream.runForEachWhile(request.stream, (chunk) =>
      Effect.sync(() => {
        size += chunk.byteLength
        if (size > maxBodyBytes) return false
        chunks.push(chunk)
        return true
      })
    ).pipe(
      Effect.map(
        (): Body =>
          size > maxBodyBytes ? { _tag: "TooLarge" } : { _tag: "Text", text: utf8.decode(Buffer.concat(chunks)) }
      ),
      Effect.orElseSucceed((): Body => ({ _tag: "Unreadable" }))
    )
  })
}

/** Actions that change nothing: no state to save after them. */
const readOnly = new Set([
  "DescribeUserPool",
  "ListUserPools",
  "DescribeUserPoolClient",
  "DescribeIdentityPool",
  "AdminGetUser",
  "ListUsers",
  "GetUser",
  "ListDevices",
  "GetDevice",
  "AdminListDevices",
  "AdminGetDevice",
  "GetUserPoolMfaConfig",
  "ListWebAuthnCredentials"
])

/**
 * Listens on loopback (until the scope closes) with an empty registry in `region`;
 * requests are answered once `serve` is called, with the hook to run after each action
 * that may change state. Pages may call it from `origins` (normalized, `Access.parseOrigins`).
 */
export const make = (
  options: LocalCognito.Options,
  region: string,
  origins: ReadonlySet<string>
): Effect.Effect<
  {
    readonly endpoint: string
    readonly registry: Registry.Registry
    readonly oidcProvider: TestOidcProvider.TestOidcProvider
    readonly deliveries: Effect.Effect<ReadonlyArray<LocalCognito.Delivery>>
    readonly serve: (changed: Effect.Effect<void>) => Effect.Effect<void, never, Scope.Scope>
  },
  HttpServerError.ServeError,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const server = yield* NodeHttpServer.make(() => createServer(), { port: options.port ?? 0, host: "127.0.0.1" })
    const address = server.address
    const port = address._tag === "UnixPathAddress" ? 0 : address.port
    const endpoint = `http://127.0.0.1:${port}/`
    // The provider redirects only to the `/oauth2/idpresponse` of this server's own domains.
    const idpResponse = new RegExp(`^${endpoint.replaceAll(".", "\\.")}domain/[a-z0-9-]+/oauth2/idpresponse$`)
    const oidcProvider = TestOidcProvider.make({
      issuer: `${endpoint}oidc`,
      clientId: oidcClientId,
      redirectUris: (redirectUri) => idpResponse.test(redirectUri)
    })
    const registry = Registry.make(region, endpoint, options.identityPools, oidcProvider.httpClient)
    const deliveries: Array<LocalCognito.Delivery> = []

    /** Reports the codes pools delivered since the last report. */
    const flush = Effect.suspend(() =>
      Effect.forEach(
        [...registry.pools.values()],
        (pool) =>
          Effect.flatMap(pool.cognito.outbox, (outbox) => {
            const fresh = outbox.slice(pool.reported).map((message) => ({ userPoolId: pool.id, message }))
            pool.reported = outbox.length
            deliveries.push(...fresh)
            return options.onDelivery === undefined ? Effect.void : Effect.forEach(fresh, options.onDelivery)
          }),
        { discard: true }
      )
    )

    const userPoolActions: Readonly<Record<string, Handler>> = {
      ...PublicActions.make(registry),
      ...registry.userPoolActions
    }

    const identityActions: Readonly<Record<string, Handler>> = registry.identityPoolActions

    /** The action of a target and its handler, if there is one. */
    const route = (target: string) => {
      const dot = target.lastIndexOf(".")
      const service = target.slice(0, dot)
      const action = target.slice(dot + 1)
      const table = service === userPoolTarget ? userPoolActions : service === identityTarget ? identityActions : {}
      return { action, handler: Object.hasOwn(table, action) ? table[action] : undefined }
    }

    const post = (request: HttpServerRequest.HttpServerRequest, changed: Effect.Effect<void>, cors: Headers) =>
      Effect.gen(function* () {
        const read = yield* readBody(request)
        if (read._tag === "TooLarge")
          return failureJson(
            413,
            "SerializationException",
            `The request body is larger than ${maxBodyBytes} bytes (1 MiB).`,
            cors
          )
        if (read._tag === "Unreadable")
          return failureJson(400, "SerializationException", "The request body could not be read.", cors)
        const parsed = read.text.trim() === "" ? Result.succeed({}) : BoundedJson.decode(read.text)
        if (Result.isFailure(parsed) && parsed.failure === "TooDeep")
          return failureJson(
            400,
            "SerializationException",
            `The request body nests arrays or objects deeper than ${BoundedJson.maxDepth} levels.`,
            cors
          )
        if (Result.isFailure(parsed))
          return failureJson(400, "SerializationException", "The request body is not JSON.", cors)
        const target = request.headers["x-amz-target"]
        if (target === undefined) return failureJson(400, "UnknownOperationException", "Missing X-Amz-Target", cors)
        const { action, handler } = route(target)
        if (handler === undefined)
          return failureJson(400, "UnknownOperationException", `Unknown operation ${target}`, cors)
        // A defect is still an answer in Cognito's shape (500 InternalErrorException), and the state is still saved.
        const serve =
          options.serveAction === undefined
            ? handler(parsed.success)
            : options.serveAction(action, handler(parsed.success))
        const result = yield* Effect.result(
          serve.pipe(
            Effect.catchDefect(() =>
              Effect.fail(Wire.failure(action, "InternalErrorException", "The local Cognito failed on this request."))
            )
          )
        )
        yield* flush
        if (!readOnly.has(action)) yield* changed
        if (Result.isSuccess(result)) return json(200, result.success, cors)
        const { exception, message, status } = errorBody(result.failure)
        return failureJson(status, exception, message, cors)
      })

    /** The answer of the domain (or the OIDC provider) as the server's response. */
    const answer = (
      status: number,
      headers: Readonly<Record<string, string | undefined>>,
      text: string,
      cors: Headers
    ) => {
      const { "content-type": contentType, "content-length": _length, ...rest } = headers
      const kept: Record<string, string> = {}
      for (const [key, value] of Object.entries(rest)) if (value !== undefined) kept[key] = value
      return HttpServerResponse.text(text, {
        status,
        contentType: contentType ?? "text/plain",
        headers: { ...kept, ...cors }
      })
    }

    /** A request handed to a pool's domain client, with the server's own URL. */
    const forward = (
      client: HttpClient.HttpClient,
      request: HttpServerRequest.HttpServerRequest,
      body: string,
      cors: Headers
    ) =>
      Effect.gen(function* () {
        const { host: _host, "content-length": _length, ...headers } = request.headers
        const outgoing = HttpClientRequest.make(request.method === "POST" ? "POST" : "GET")(
          new URL(request.url, endpoint),
          {
            headers,
            body:
              request.method === "POST"
                ? HttpBody.text(body, request.headers["content-type"] ?? "application/x-www-form-urlencoded")
                : HttpBody.empty
          }
        )
        const response = yield* Effect.orDie(client.execute(outgoing))
        return answer(response.status, response.headers, yield* Effect.orDie(response.text), cors)
      })

    /**
     * The pools' Cognito domains (`/domain/<prefix>/…`), the discovery documents and keys at
     * their issuers, and the local OIDC provider (`/oidc/…`).
     */
    const web = (request: HttpServerRequest.HttpServerRequest, changed: Effect.Effect<void>, cors: Headers) =>
      Effect.gen(function* () {
        const path = request.url.split("?")[0] ?? ""
        if (path === "/health") return json(200, { status: "ok" }, cors)
        let body = ""
        if (request.method === "POST") {
          const read = yield* readBody(request)
          if (read._tag !== "Text")
            return HttpServerResponse.text(read._tag === "TooLarge" ? "Request body too large" : "Unreadable body", {
              status: read._tag === "TooLarge" ? 413 : 400,
              headers: cors
            })
          body = read.text
        }
        const wellKnown = wellKnownPath.exec(path)
        if (wellKnown !== null && request.method === "GET") {
          const pool = registry.pools.get(wellKnown[1]!)
          if (pool !== undefined) return yield* forward(pool.cognito.domainHttpClient, request, body, cors)
        }
        if (path === "/oidc" || path.startsWith("/oidc/")) {
          const served = yield* oidcProvider.serve({
            method: request.method,
            url: new URL(request.url, endpoint),
            headers: request.headers,
            body
          })
          if (served !== undefined) return answer(served.status, served.headers, served.body, cors)
        }
        const domain = domainPath.exec(path)
        const pool = domain === null ? undefined : yield* registry.poolOfDomain(domain[1]!)
        if (pool !== undefined) {
          const response = yield* forward(pool.cognito.domainHttpClient, request, body, cors)
          yield* changed
          return response
        }
        return HttpServerResponse.text("Not found", { status: 404, headers: cors })
      })

    /** A preflight of an allowed origin (Chrome's Private Network Access asks for its own grant too). */
    const preflight = (request: HttpServerRequest.HttpServerRequest, cors: Headers) =>
      HttpServerResponse.empty({
        status: 204,
        headers:
          request.headers["access-control-request-private-network"] === "true" && "access-control-allow-origin" in cors
            ? { ...cors, "access-control-allow-private-network": "true" }
            : cors
      })

    const hosts = Access.loopbackHosts(port)
    /** The domain's own pages post their forms from the server's origin. */
    const webOrigins = new Set([...origins, ...[...hosts].map((host) => `http://${host}`)])

    const app = (changed: Effect.Effect<void>) =>
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
        // Before any action: a foreign Host or a page of a foreign origin is refused, without a CORS grant.
        const { host, origin } = request.headers
        const path = request.url.split("?")[0] ?? ""
        const isWeb =
          request.method === "GET" ||
          (request.method === "POST" && (path.startsWith("/domain/") || path === "/oidc" || path.startsWith("/oidc/")))
        const refused = Access.refusal({ host, origin }, hosts, isWeb ? webOrigins : origins, port)
        if (refused !== undefined)
          return Effect.succeed(failureJson(403, "ForbiddenException", refused, { vary: "Origin" }))
        const cors = corsFor(origin)
        if ((request.method === "GET" || request.method === "POST") && isWeb)
          return web(request, changed, cors).pipe(
            Effect.catchDefect(() =>
              Effect.succeed(
                HttpServerResponse.text("The local Cognito failed on this request.", { status: 500, headers: cors })
              )
            )
          )
        return request.method === "POST"
          ? post(request, changed, cors).pipe(
              Effect.catchDefect(() =>
                Effect.succeed(
                  failureJson(500, "InternalErrorException", "The local Cognito failed on this request.", cors)
                )
              )
            )
          : request.method === "OPTIONS"
            ? Effect.succeed(preflight(request, cors))
            : Effect.succeed(HttpServerResponse.text("Method not allowed", { status: 405, headers: cors }))
      })

    return {
      endpoint,
      registry,
      oidcProvider,
      deliveries: Effect.sync(() => [...deliveries]),
      serve: (changed: Effect.Effect<void>) => server.serve(app(changed))
    }
  })
