/**
 * The local Cognito's HTTP server: `POST /` routed by `X-Amz-Target`
 * (`AWSCognitoIdentityProviderService.*`, `AWSCognitoIdentityService.*`) in AWS JSON 1.1,
 * and `GET /<userPoolId>/.well-known/jwks.json` like Cognito's issuer URL. The public
 * user-pool actions are in `publicActions.ts`, the setup, admin and identity-pool actions
 * in the registry. After each action that may change state, the server reports the codes
 * delivered and runs the hook that saves the state (the state file, when there is one).
 *
 * @internal
 */
import { createServer } from "node:http"
import type * as AuthError from "@effect-cognito/core/AuthError"
import type * as HttpServerError from "effect/http/HttpServerError"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import type * as Scope from "effect/Scope"
import type * as LocalCognito from "../../LocalCognito.js"
import * as Registry from "./registry.js"
import * as PublicActions from "./publicActions.js"
import { errorBody } from "./wireResponses.js"

type Handler = (body: unknown) => Effect.Effect<unknown, AuthError.AuthError>

const contentType = "application/x-amz-json-1.1"
const userPoolTarget = "AWSCognitoIdentityProviderService"
const identityTarget = "AWSCognitoIdentityService"
const jwksPath = /^\/([a-z]{2}(?:-[a-z]+)+-\d+_[0-9A-Za-z]+)\/\.well-known\/jwks\.json$/

const cors = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-expose-headers": "x-amzn-requestid, x-amzn-errortype"
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  HttpServerResponse.text(JSON.stringify(body), {
    status,
    contentType,
    headers: { ...cors, "x-amzn-requestid": crypto.randomUUID(), ...headers }
  })

/** Cognito's error answer: `__type` and `message` in the body, the exception also in `x-amzn-ErrorType`. */
const failureJson = (status: number, exception: string, message: string) =>
  json(status, { __type: exception, message }, { "x-amzn-errortype": exception })

/** Actions that change nothing: no state to save after them. */
const readOnly = new Set([
  "DescribeUserPool",
  "DescribeUserPoolClient",
  "DescribeIdentityPool",
  "AdminGetUser",
  "ListUsers",
  "GetUser"
])

/**
 * Listens on loopback (until the scope closes) with an empty registry in `region`;
 * requests are answered once `serve` is called, with the hook to run after each action
 * that may change state.
 */
export const make = (
  options: LocalCognito.Options,
  region: string
): Effect.Effect<
  {
    readonly endpoint: string
    readonly registry: Registry.Registry
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
    const registry = Registry.make(region, endpoint, options.identityPools)
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

    const post = (request: HttpServerRequest.HttpServerRequest, changed: Effect.Effect<void>) =>
      Effect.gen(function* () {
        const target = request.headers["x-amz-target"]
        if (target === undefined) return failureJson(400, "UnknownOperationException", "Missing X-Amz-Target")
        const text = yield* Effect.orElseSucceed(request.text, () => "")
        let body: unknown
        try {
          body = text.trim() === "" ? {} : JSON.parse(text)
        } catch {
          return failureJson(400, "SerializationException", "The request body is not JSON.")
        }
        const { action, handler } = route(target)
        if (handler === undefined) return failureJson(400, "UnknownOperationException", `Unknown operation ${target}`)
        const result = yield* Effect.result(handler(body))
        yield* flush
        if (!readOnly.has(action)) yield* changed
        if (Result.isSuccess(result)) return json(200, result.success)
        const { exception, message, status } = errorBody(result.failure)
        return failureJson(status, exception, message)
      })

    const get = (request: HttpServerRequest.HttpServerRequest) =>
      Effect.gen(function* () {
        const path = request.url.split("?")[0] ?? ""
        if (path === "/health") return json(200, { status: "ok" })
        const match = jwksPath.exec(path)
        const pool = match === null ? undefined : registry.pools.get(match[1]!)
        if (pool === undefined) return HttpServerResponse.text("Not found", { status: 404, headers: cors })
        return HttpServerResponse.text(JSON.stringify(yield* pool.cognito.jwks), {
          status: 200,
          contentType: "application/json",
          headers: cors
        })
      })

    const app = (changed: Effect.Effect<void>) =>
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
        request.method === "POST"
          ? post(request, changed)
          : request.method === "GET"
            ? get(request)
            : request.method === "OPTIONS"
              ? Effect.succeed(HttpServerResponse.empty({ status: 204, headers: cors }))
              : Effect.succeed(HttpServerResponse.text("Method not allowed", { status: 405, headers: cors }))
      )

    return {
      endpoint,
      registry,
      deliveries: Effect.sync(() => [...deliveries]),
      serve: (changed: Effect.Effect<void>) => server.serve(app(changed))
    }
  })
