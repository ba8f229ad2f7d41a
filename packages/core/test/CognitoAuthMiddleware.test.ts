/**
 * The Bearer middleware in both of `effect/http`'s forms, served in memory
 * (`HttpRouter.toWebHandler`, Web `Request`s in, `Response`s out): a public route, a
 * protected one whose handler reads `CurrentUser`, and routes that need a group or a
 * scope. Answers are checked as RFC 6750 says: 401 with a `WWW-Authenticate: Bearer`
 * challenge (with `error="invalid_token"` for a refused token), 403
 * `insufficient_scope`, and 503 when the keys cannot be loaded. The JWKS comes from a
 * scripted `HttpClient`; tokens expire in 2100 or expired in 2001, so the live clock of the
 * handler never decides an outcome.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as HttpApi from "effect/http-api/HttpApi"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as OpenApi from "effect/http-api/OpenApi"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServer from "effect/http/HttpServer"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as CognitoAuthMiddleware from "../src/CognitoAuthMiddleware.js"
import * as CognitoJwtVerifier from "../src/CognitoJwtVerifier.js"
import * as Fake from "./FakeHttpClient.js"
import { accessClaims, clientId, idClaims, jwksReply, makeKey, sign, userPoolId } from "./jwtFixtures.js"

const key = makeKey("key-1")
const in2100 = 4_102_444_800
const in2001 = 1_000_000_000
const valid = sign(key, accessClaims({ exp: in2100 }))
const expired = sign(key, accessClaims({ exp: in2001 }))
const notAdmin = sign(key, accessClaims({ exp: in2100, "cognito:groups": ["readers"] }))
const idToken = sign(key, idClaims({ exp: in2100 }))
const forged = (() => {
  const [header, payload, signature] = valid.split(".") as [string, string, string]
  return `${header}.${payload}.${signature.slice(0, 40)}${signature[40] === "A" ? "B" : "A"}${signature.slice(41)}`
})()

/** The verifier over a JWKS endpoint that answers with the key, or (`down`) with a 500. */
const verifierLayer = (down: boolean) =>
  CognitoJwtVerifier.layer({ userPools: { userPoolId, clientId }, tokenUse: "access" }).pipe(
    Layer.provide(
      Layer.succeed(
        HttpClient.HttpClient,
        Fake.make(() => (down ? Fake.text(500, "down") : jwksReply([key.jwk]))).client
      )
    )
  )

const handlers: Array<{ readonly dispose: () => Promise<void> }> = []
afterAll(async () => {
  for (const handler of handlers) await handler.dispose()
})

/** A request with `Authorization: <authorization>`, and what came back. */
const call = async (
  handler: (request: Request) => Promise<Response>,
  path: string,
  authorization?: string
): Promise<{ status: number; challenge: string | null; body: unknown }> => {
  const response = await handler(
    new Request(`http://localhost${path}`, authorization === undefined ? {} : { headers: { authorization } })
  )
  const text = await response.text()
  return {
    status: response.status,
    challenge: response.headers.get("www-authenticate"),
    body: text === "" ? "" : JSON.parse(text)
  }
}

/** A web handler for the tests, disposed after them. */
const served = (web: {
  readonly handler: (request: Request) => Promise<Response>
  readonly dispose: () => Promise<void>
}) => {
  handlers.push(web)
  return (request: Request) => web.handler(request)
}

/** `/admin` serves a valid token of the admins group, and answers a user outside it with 403 insufficient_scope. */
const adminOnly = async (handler: (request: Request) => Promise<Response>) => {
  assert.strictEqual((await call(handler, "/admin", `Bearer ${valid}`)).status, 200)
  assert.deepStrictEqual(await call(handler, "/admin", `Bearer ${notAdmin}`), {
    status: 403,
    challenge:
      'Bearer realm="api", error="insufficient_scope", error_description="The user is not in a required group"',
    body: { error: "insufficient_scope", error_description: "The user is not in a required group" }
  })
}

const invalidToken = (description: string) =>
  `Bearer realm="api", error="invalid_token", error_description="${description}"`

// ---------------------------------------------------------------------------
// HttpRouter
// ---------------------------------------------------------------------------

const me = Effect.gen(function* () {
  const user = yield* CognitoAuthMiddleware.CurrentUser
  return HttpServerResponse.jsonUnsafe({ sub: user.sub, username: user.username, groups: user.groups })
})

const routerApp = (down = false) =>
  Layer.mergeAll(
    HttpRouter.add("GET", "/public", HttpServerResponse.text("hello")),
    HttpRouter.add("GET", "/me", me).pipe(Layer.provide(CognitoAuthMiddleware.router().layer)),
    HttpRouter.add("GET", "/admin", me).pipe(Layer.provide(CognitoAuthMiddleware.router({ groups: ["admins"] }).layer)),
    HttpRouter.add("POST", "/orders", HttpServerResponse.text("created")).pipe(
      Layer.provide(CognitoAuthMiddleware.router({ scopes: ["orders/write"], realm: "orders" }).layer)
    )
  ).pipe(Layer.provide(verifierLayer(down)))

const routerHandler = (down = false) => served(HttpRouter.toWebHandler(routerApp(down), { disableLogger: true }))

describe("CognitoAuthMiddleware.router", () => {
  const handler = routerHandler()

  it("serves public routes without a token", async () => {
    const response = await handler(new Request("http://localhost/public"))
    assert.strictEqual(response.status, 200)
    assert.strictEqual(await response.text(), "hello")
  })

  it("gives the handler the verified user (200)", async () => {
    for (const scheme of ["Bearer", "bearer"]) {
      const answer = await call(handler, "/me", `${scheme} ${valid}`)
      assert.deepStrictEqual(answer, {
        status: 200,
        challenge: null,
        body: { sub: "8f1b6c2e-0000-4000-8000-0000000000a1", username: "alice", groups: ["admins", "readers"] }
      })
    }
  })

  it("answers a request without a Bearer token with 401 and a challenge without an error code", async () => {
    for (const authorization of [undefined, `Basic ${btoa("alice:pw")}`, "Bearer", "Bearer  a b"]) {
      const answer = await call(handler, "/me", authorization)
      assert.strictEqual(answer.status, 401, String(authorization))
      assert.strictEqual(answer.challenge, 'Bearer realm="api"')
      assert.deepStrictEqual(answer.body, { error: "unauthorized", error_description: "A Bearer token is required" })
    }
  })

  it("answers a refused token with 401 invalid_token, saying why in one fixed sentence", async () => {
    for (const [token, description] of [
      [expired, "The token expired"],
      [forged, "The token signature is not valid"],
      [idToken, "The token is not of the required kind (id or access)"],
      ["not.a.token", "The token is not a JWT"]
    ] as const) {
      const answer = await call(handler, "/me", `Bearer ${token}`)
      assert.deepStrictEqual(answer, {
        status: 401,
        challenge: invalidToken(description),
        body: { error: "invalid_token", error_description: description }
      })
    }
  })

  it("answers a valid token without a required group or scope with 403 insufficient_scope", async () => {
    await adminOnly(handler)
    const response = await handler(
      new Request("http://localhost/orders", { method: "POST", headers: { authorization: `Bearer ${valid}` } })
    )
    assert.strictEqual(response.status, 403)
    assert.strictEqual(
      response.headers.get("www-authenticate"),
      'Bearer realm="orders", error="insufficient_scope", error_description="The token lacks a required scope", scope="orders/write"'
    )
  })

  it("answers 503 without a challenge when the user pool's keys cannot be loaded", async () => {
    const answer = await call(routerHandler(true), "/me", `Bearer ${valid}`)
    assert.deepStrictEqual(answer, {
      status: 503,
      challenge: null,
      body: {
        error: "temporarily_unavailable",
        error_description: "The signing keys of the user pool could not be loaded"
      }
    })
  })

  it("never echoes the token", async () => {
    for (const token of [expired, forged, notAdmin]) {
      const response = await handler(
        new Request("http://localhost/admin", { headers: { authorization: `Bearer ${token}` } })
      )
      const text = await response.text()
      assert.notInclude(text, token.split(".")[1]!)
      assert.notInclude(response.headers.get("www-authenticate") ?? "", token.split(".")[1]!)
    }
  })
})

// ---------------------------------------------------------------------------
// HttpApi
// ---------------------------------------------------------------------------

const User = Schema.Struct({ sub: Schema.String, username: Schema.String })

const Api = HttpApi.make("api")
  .add(HttpApiGroup.make("public").add(HttpApiEndpoint.get("hello", "/public", { success: Schema.String })))
  .add(
    HttpApiGroup.make("users")
      .add(HttpApiEndpoint.get("me", "/me", { success: User }))
      .add(
        HttpApiEndpoint.get("admin", "/admin", { success: User }).annotate(CognitoAuthMiddleware.Required, {
          groups: ["admins"]
        })
      )
      .middleware(CognitoAuthMiddleware.Authentication)
  )

const currentUser = Effect.gen(function* () {
  const user = yield* CognitoAuthMiddleware.CurrentUser
  return { sub: user.sub, username: user.username ?? "" }
})

const apiApp = (down = false) =>
  HttpApiBuilder.layer(Api).pipe(
    Layer.provide(
      HttpApiBuilder.group(Api, "public", (handlers) => handlers.handle("hello", () => Effect.succeed("hello")))
    ),
    Layer.provide(
      HttpApiBuilder.group(Api, "users", (handlers) =>
        handlers.handle("me", () => currentUser).handle("admin", () => currentUser)
      )
    ),
    Layer.provide(CognitoAuthMiddleware.layerHttpApi()),
    Layer.provide(verifierLayer(down)),
    Layer.provide(HttpServer.layerServices)
  )

const apiHandler = (down = false) => served(HttpRouter.toWebHandler(apiApp(down), { disableLogger: true }))

describe("CognitoAuthMiddleware.Authentication (HttpApi)", () => {
  const handler = apiHandler()

  it("serves the public group without a token, and the user to the protected one (200)", async () => {
    assert.deepStrictEqual(await call(handler, "/public"), { status: 200, challenge: null, body: "hello" })
    assert.deepStrictEqual(await call(handler, "/me", `Bearer ${valid}`), {
      status: 200,
      challenge: null,
      body: { sub: "8f1b6c2e-0000-4000-8000-0000000000a1", username: "alice" }
    })
  })

  it("401 with a challenge: no token, and a refused token (invalid_token)", async () => {
    assert.deepStrictEqual(await call(handler, "/me"), {
      status: 401,
      challenge: 'Bearer realm="api"',
      body: { error: "unauthorized", error_description: "A Bearer token is required" }
    })
    assert.deepStrictEqual(await call(handler, "/me", `Bearer ${expired}`), {
      status: 401,
      challenge: invalidToken("The token expired"),
      body: { error: "invalid_token", error_description: "The token expired" }
    })
    assert.strictEqual(
      (await call(handler, "/me", `Bearer ${forged}`)).challenge,
      invalidToken("The token signature is not valid")
    )
  })

  it("403 insufficient_scope for an endpoint whose Required annotation the user does not meet", async () => {
    await adminOnly(handler)
    // The same user may still call the endpoint without the annotation.
    assert.strictEqual((await call(handler, "/me", `Bearer ${notAdmin}`)).status, 200)
  })

  it("503 when the user pool's keys cannot be loaded", async () => {
    const answer = await call(apiHandler(true), "/me", `Bearer ${valid}`)
    assert.strictEqual(answer.status, 503)
    assert.isNull(answer.challenge)
  })

  it("documents the Bearer scheme and the 401, 403 and 503 answers in OpenAPI", () => {
    const spec = OpenApi.fromApi(Api)
    assert.deepInclude(Object.values(spec.components.securitySchemes ?? {}), { type: "http", scheme: "Bearer" })
    const responses = Object.keys(spec.paths["/me"]?.get?.responses ?? {})
    assert.includeMembers(responses, ["200", "401", "403", "503"])
    assert.notProperty(spec.paths["/public"]?.get?.responses ?? {}, "401")
  })
})
