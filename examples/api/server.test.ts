/**
 * The example API over HTTP, with real tokens: the local Cognito on a loopback port, a
 * user signed in by `NodeAuth` (SRP over HTTP), the API on another port verifying her
 * tokens against the local Cognito's JWKS. Each route answers 200, 401 or 403 as it
 * should, with RFC 6750's `WWW-Authenticate` challenges. Then `npm run example:api`, as a
 * user runs it: it exits 0 and prints the same answers.
 */
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { explain, run } from "../../test/userShell.js"
import * as Api from "./server.js"

/** A request to the API, and what came back. */
const call = (url: string, path: string, token?: Redacted.Redacted<string>) =>
  Effect.promise(async () => {
    const response = await fetch(`${url}${path}`, {
      headers: token === undefined ? {} : { authorization: `Bearer ${Redacted.value(token)}` }
    })
    const text = await response.text()
    return { status: response.status, challenge: response.headers.get("www-authenticate"), text }
  })

const invalidToken = (description: string) =>
  `Bearer realm="api", error="invalid_token", error_description="${description}"`

describe("examples/api", () => {
  it.live("answers 200, 401 and 403 over HTTP to tokens signed in with Auth over the local Cognito", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const { clientId, userPoolId } = local.defaultPool
      const { pool, tokens } = yield* Api.signedInAlice
      // Signed by the pool's own key: one expired in 2001, one naming another pool as its issuer.
      const expired = yield* pool.mintTokens({ username: "alice", accessClaims: { exp: 1_000_000_000 } })
      const foreign = yield* pool.mintTokens({
        username: "alice",
        accessClaims: { iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Elsewhere" }
      })

      yield* Effect.gen(function* () {
        const url = yield* Api.baseUrl
        assert.deepStrictEqual(yield* call(url, "/health"), { status: 200, challenge: null, text: "ok" })

        const me = yield* call(url, "/me", tokens.accessToken)
        assert.strictEqual(me.status, 200)
        const user = JSON.parse(me.text) as { sub: string; username: string; groups: Array<string> }
        assert.strictEqual(user.username, "alice")
        assert.match(user.sub, /^[0-9a-f-]{36}$/)
        assert.deepStrictEqual(user.groups, [])
        assert.strictEqual((yield* call(url, "/profile", tokens.accessToken)).status, 200)

        const missing = yield* call(url, "/me")
        assert.deepStrictEqual([missing.status, missing.challenge], [401, 'Bearer realm="api"'])
        for (const [token, description] of [
          [tokens.idToken, "The token is not of the required kind (id or access)"],
          [expired.accessToken, "The token expired"],
          [foreign.accessToken, "The token was not issued by a trusted user pool"],
          [Redacted.make("not-a-jwt"), "The token is not a JWT"]
        ] as const) {
          const refused = yield* call(url, "/me", token)
          assert.deepStrictEqual([refused.status, refused.challenge], [401, invalidToken(description)])
        }

        const admin = yield* call(url, "/admin", tokens.accessToken)
        assert.deepStrictEqual(
          [admin.status, admin.challenge],
          [
            403,
            'Bearer realm="api", error="insufficient_scope", error_description="The user is not in a required group"'
          ]
        )
        assert.strictEqual((yield* call(url, "/admin")).status, 401)
      }).pipe(Effect.provide(Api.layer({ pool: { userPoolId, clientId, endpoint: local.endpoint } })))
    }).pipe(Effect.provide(LocalCognito.layer()))
  )

  it("npm run example:api runs the demo to the end and prints each answer", { timeout: 120_000 }, async () => {
    const result = await run("npm", ["run", "example:api"])
    assert.strictEqual(result.code, 0, explain("npm run example:api", result))
    let from = 0
    for (const line of [
      "alice signed in (SRP) and holds an access token",
      "GET /health without a token: HTTP 200",
      'GET /me without a token: HTTP 401 (WWW-Authenticate: Bearer realm="api")',
      "GET /me with her access token: HTTP 200",
      `GET /me with her id token: HTTP 401 (WWW-Authenticate: ${invalidToken("The token is not of the required kind (id or access)")})`,
      "GET /profile with her access token: HTTP 200",
      "GET /admin with her access token: HTTP 403",
      "example API: done"
    ]) {
      const at = result.stdout.indexOf(line, from)
      assert.isAtLeast(at, 0, `"${line}" is missing (or out of order) in:\n${result.stdout}`)
      from = at + line.length
    }
    assert.notInclude(result.stdout, "Api-Passw0rd!")
  })
})
