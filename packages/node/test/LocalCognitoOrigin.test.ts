/**
 * No web page can drive the local Cognito (issue 19, item 3): it answers only requests
 * whose `Host` names the loopback address it listens on (so DNS rebinding cannot reach
 * it), and from browsers only the origins it was started with (`allowedOrigins`); it
 * never answers `access-control-allow-origin: *`. Refused requests get a 403 in AWS's
 * error shape, before any action runs.
 */
import * as AuthError from "@effect-cognito/core/AuthError"
import { assert, describe, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as LocalCognito from "../src/LocalCognito.js"
import { jsonOf, type RawAnswer, send } from "./rawHttp.js"

const pageOrigin = "http://127.0.0.1:5173"

const portOf = (local: LocalCognito.LocalCognito.Service) => Number(new URL(local.endpoint).port)

const call = (
  local: LocalCognito.LocalCognito.Service,
  action: string,
  body: unknown,
  headers: Readonly<Record<string, string>> = {}
) =>
  Effect.promise(() =>
    send(portOf(local), {
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `AWSCognitoIdentityProviderService.${action}`,
        ...headers
      },
      body: [JSON.stringify(body)]
    })
  )

const preflight = (local: LocalCognito.LocalCognito.Service, origin: string) =>
  Effect.promise(() =>
    send(portOf(local), {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,x-amz-target,x-amz-user-agent"
      }
    })
  )

/** A 403 in AWS's shape, without a CORS grant. */
const assertRefused = (answer: RawAnswer, mentions: string) => {
  assert.strictEqual(answer.status, 403, answer.text)
  const body = jsonOf(answer) as Record<string, unknown> | undefined
  assert.strictEqual(body?.__type, "ForbiddenException", answer.text)
  assert.strictEqual(answer.headers["x-amzn-errortype"], "ForbiddenException")
  assert.isString(body?.message)
  assert.include(body?.message, mentions)
  assert.isUndefined(answer.headers["access-control-allow-origin"])
}

/** The user exists in the default pool. */
const exists = (local: LocalCognito.LocalCognito.Service, username: string) =>
  Effect.flatMap(local.pool(local.defaultPool.userPoolId), (pool) =>
    Effect.match(pool.adminGetUser(username), { onFailure: () => false, onSuccess: () => true })
  )

const createUser = (local: LocalCognito.LocalCognito.Service, username: string) => ({
  UserPoolId: local.defaultPool.userPoolId,
  Username: username,
  TemporaryPassword: "Temp-Passw0rd!",
  MessageAction: "SUPPRESS"
})

layer(LocalCognito.layer(), { excludeTestServices: true })("LocalCognito without allowed origins", (it) => {
  it.effect("a foreign Host (DNS rebinding) is refused with 403 before any action runs", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const port = portOf(local)
      const hosts = [
        `evil.example:${port}`,
        `127.0.0.1.evil.example:${port}`,
        `localhost.evil.example:${port}`,
        `127.0.0.1:${port + 1}`,
        "127.0.0.1",
        `0.0.0.0:${port}`
      ]
      for (const [index, host] of hosts.entries()) {
        const username = `rebound-${index}`
        assertRefused(yield* call(local, "AdminCreateUser", createUser(local, username), { host }), "Host")
        assert.isFalse(yield* exists(local, username), `no user created through Host ${host}`)
      }
      const listed = yield* call(
        local,
        "ListUsers",
        { UserPoolId: local.defaultPool.userPoolId },
        {
          host: `evil.example:${port}`
        }
      )
      assertRefused(listed, "Host")
      assert.notInclude(listed.text, "Users")
      // The JWKS and the health check too: nothing answers a rebound name.
      const jwks = yield* Effect.promise(() =>
        send(port, {
          method: "GET",
          path: `/${local.defaultPool.userPoolId}/.well-known/jwks.json`,
          headers: { host: `evil.example:${port}` }
        })
      )
      assertRefused(jwks, "Host")
    })
  )

  it.effect("the loopback Hosts on the server's port are answered", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const port = portOf(local)
      const hosts = [`127.0.0.1:${port}`, `localhost:${port}`, `LocalHost:${port}`, `[::1]:${port}`]
      for (const [index, host] of hosts.entries()) {
        const username = `loopback-${index}`
        const answer = yield* call(local, "AdminCreateUser", createUser(local, username), { host })
        assert.strictEqual(answer.status, 200, `${host}: ${answer.text}`)
        assert.isTrue(yield* exists(local, username))
      }
    })
  )

  it.effect("a preflight from a foreign origin gets 403 and no access-control-allow-origin", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      assertRefused(yield* preflight(local, "https://evil.example"), "https://evil.example")
      assertRefused(yield* preflight(local, "null"), "null")
    })
  )

  it.effect("a request from a page of a foreign origin is refused before any action runs", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      for (const [index, origin] of ["https://evil.example", pageOrigin, "null"].entries()) {
        const username = `from-page-${index}`
        const answer = yield* call(local, "AdminCreateUser", createUser(local, username), { origin })
        assertRefused(answer, "allowedOrigins")
        assert.isFalse(yield* exists(local, username), `no user created from ${origin}`)
      }
    })
  )

  it.effect("answers without an Origin (the AWS SDK, NodeAuth, curl) carry no CORS grant", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const answer = yield* call(local, "DescribeUserPool", { UserPoolId: local.defaultPool.userPoolId })
      assert.strictEqual(answer.status, 200, answer.text)
      assert.isUndefined(answer.headers["access-control-allow-origin"])
    })
  )
})

layer(LocalCognito.layer({ allowedOrigins: [pageOrigin, "https://app.example.test/"] }), {
  excludeTestServices: true
})("LocalCognito with allowed origins", (it) => {
  it.effect("an allowed origin gets its own origin back, never *", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      for (const origin of [pageOrigin, "https://app.example.test"]) {
        const granted = yield* preflight(local, origin)
        assert.strictEqual(granted.status, 204, granted.text)
        assert.strictEqual(granted.headers["access-control-allow-origin"], origin)
        assert.include(String(granted.headers.vary), "Origin")
        assert.include(String(granted.headers["access-control-allow-methods"]), "POST")
        const answer = yield* call(local, "DescribeUserPool", { UserPoolId: local.defaultPool.userPoolId }, { origin })
        assert.strictEqual(answer.status, 200, answer.text)
        assert.strictEqual(answer.headers["access-control-allow-origin"], origin)
        const failed = yield* call(local, "DescribeUserPool", { UserPoolId: "us-east-1_Missing" }, { origin })
        assert.strictEqual(failed.status, 400, failed.text)
        assert.strictEqual(failed.headers["access-control-allow-origin"], origin, "errors are readable by the page")
      }
    })
  )

  it.effect("other origins, and a foreign Host even from an allowed origin, are still refused", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      assertRefused(yield* preflight(local, "http://127.0.0.1:5174"), "http://127.0.0.1:5174")
      assertRefused(yield* preflight(local, "http://app.example.test"), "http://app.example.test")
      assertRefused(
        yield* call(
          local,
          "ListUsers",
          { UserPoolId: local.defaultPool.userPoolId },
          {
            origin: pageOrigin,
            host: `evil.example:${portOf(local)}`
          }
        ),
        "Host"
      )
    })
  )
})

describe("LocalCognito allowedOrigins", () => {
  it.effect("an origin that is not scheme://host[:port] (or is *) fails the start with InvalidConfig", () =>
    Effect.gen(function* () {
      for (const origin of ["*", "https://app.example.test/path", "app.example.test", "ftp://files.example", ""]) {
        const failure = yield* Effect.flip(Effect.scoped(LocalCognito.make({ allowedOrigins: [origin] })))
        assert.isTrue(AuthError.isAuthError(failure), origin)
        if (AuthError.isAuthError(failure)) {
          assert.strictEqual(failure.reason, "InvalidConfig")
          assert.include(failure.message, "allowedOrigins")
        }
      }
    })
  )
})
