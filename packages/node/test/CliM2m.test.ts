/**
 * `effect-cognito m2m-token` (a subprocess against the local Cognito's domain): the
 * `client_credentials` grant for an app client with a secret and a resource server's
 * custom scopes. It prints the token's claims, the token itself only with
 * `--print-token`, and each refusal as one line without the secret.
 */
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Cli from "./cliProcess.js"

const clientId = "m2mclient0000000000000001"
const clientSecret = "m2m-client-secret-0123456789abcdef"

/** A confidential app client allowed client_credentials for `orders/read` and `orders/write`, and its variables. */
const m2mEnvironment = Effect.gen(function* () {
  const local = yield* LocalCognito.LocalCognito
  const pool = yield* local.pool(local.defaultPool.userPoolId)
  const domain = yield* local.domainUrl(local.defaultPool.userPoolId)
  yield* pool.withClient({ clientId, clientSecret: Redacted.make(clientSecret) })
  yield* pool.createResourceServer({
    identifier: "orders",
    name: "Orders",
    scopes: [
      { scopeName: "read", scopeDescription: "Read orders" },
      { scopeName: "write", scopeDescription: "Write orders" },
      { scopeName: "admin", scopeDescription: "Not for this client" }
    ]
  })
  yield* pool.updateClientOAuth(clientId, {
    allowedOAuthFlows: ["client_credentials"],
    allowedOAuthFlowsUserPoolClient: true,
    allowedOAuthScopes: ["orders/read", "orders/write"]
  })
  return {
    COGNITO_DOMAIN: domain,
    COGNITO_CLIENT_ID: clientId,
    COGNITO_CLIENT_SECRET: clientSecret,
    EFFECT_COGNITO_HOME: yield* Cli.freshHome()
  }
})

const claimsOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>

describe("effect-cognito m2m-token", { timeout: 120_000 }, () => {
  it.live("prints the claims of a client_credentials token, and the token only with --print-token", () =>
    Effect.gen(function* () {
      const env = yield* m2mEnvironment
      const claims = yield* Cli.run(["m2m-token", "--scope", "orders/read"], env)
      assert.strictEqual(claims.code, 0, claims.stderr)
      const printed = JSON.parse(claims.stdout) as {
        readonly tokenType: string
        readonly scopes: ReadonlyArray<string>
        readonly claims: Record<string, unknown>
      }
      assert.strictEqual(printed.tokenType, "Bearer")
      assert.deepStrictEqual(printed.scopes, ["orders/read"])
      assert.strictEqual(printed.claims.client_id, clientId)
      assert.strictEqual(printed.claims.token_use, "access")
      assert.strictEqual(printed.claims.scope, "orders/read")
      assert.notMatch(claims.stdout, /eyJ[\w-]+\.[\w-]+\.[\w-]+/, "the token itself was printed")
      assert.notInclude(`${claims.stdout}${claims.stderr}`, clientSecret)

      const token = yield* Cli.run(
        ["m2m-token", "--scope", "orders/read", "--scope", "orders/write", "--print-token"],
        env
      )
      assert.strictEqual(token.code, 0, token.stderr)
      const lines = Cli.lines(token.stdout)
      assert.lengthOf(lines, 1, token.stdout)
      assert.match(lines[0]!, /^[\w-]+\.[\w-]+\.[\w-]+$/)
      assert.strictEqual(claimsOf(lines[0]!).scope, "orders/read orders/write")
      assert.strictEqual(claimsOf(lines[0]!).client_id, clientId)
    }).pipe(Effect.provide(LocalCognito.layer()))
  )

  it.live("refusals are one line without the secret: wrong secret, a scope not allowed, no secret at all", () =>
    Effect.gen(function* () {
      const env = yield* m2mEnvironment
      const failsWith = (result: Cli.Result, expected: string) => {
        assert.strictEqual(result.code === 0, false, result.stdout)
        const lines = Cli.lines(result.stderr)
        assert.lengthOf(lines, 1, result.stderr)
        assert.include(lines[0], expected)
        assert.strictEqual(result.stdout, "")
        assert.notInclude(result.stderr, clientSecret)
        assert.notMatch(result.stderr, /\n\s+at /, "a stack trace")
      }
      failsWith(
        yield* Cli.run(["m2m-token"], { ...env, COGNITO_CLIENT_SECRET: "not-the-secret-0000000000" }),
        "InvalidClient"
      )
      failsWith(yield* Cli.run(["m2m-token", "--scope", "orders/admin"], env), "InvalidScope")
      const { COGNITO_CLIENT_SECRET: _, ...withoutSecret } = env
      failsWith(yield* Cli.run(["m2m-token"], withoutSecret), "COGNITO_CLIENT_SECRET")
    }).pipe(Effect.provide(LocalCognito.layer()))
  )
})
