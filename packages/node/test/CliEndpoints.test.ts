/**
 * One endpoint reaches both pools (issue 20, item 2): the local Cognito serves the user
 * pool and the identity pool on one endpoint, so when the CLI is given one endpoint
 * (`--endpoint`, `--identity-endpoint` or `COGNITO_ENDPOINT`) it is the default for both,
 * and no sibling call (GetId, GetCredentialsForIdentity) leaves for AWS. The CLI runs as
 * a subprocess with flags only: no COGNITO_* variable, no `--local`.
 */
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Cli from "./cliProcess.js"

const password = "Endp0int-Passw0rd!"

/** A confirmed user, made through the pool's admin API. */
const confirmedUser = (username: string) => Cli.confirmedUser(username, password)

/** The flags naming the local Cognito's default pools: user pool, app client, identity pool. */
const idFlags = (pool: LocalCognito.LocalCognito.Service["defaultPool"]) => [
  "--user-pool-id",
  pool.userPoolId,
  "--client-id",
  pool.clientId,
  "--identity-pool-id",
  pool.identityPoolId
]

/** `sign-in` then `credentials --format credential-process` with `flags`; the access key id the CLI printed. */
const signInAndGetCredentials = (username: string, flags: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.gen(function* () {
    const signIn = yield* Cli.run(["sign-in", username, ...flags], env, [password])
    assert.strictEqual(signIn.code, 0, signIn.stderr)
    assert.include(signIn.stdout, `signed in as ${username}`)
    const credentials = yield* Cli.run(["credentials", "--format", "credential-process", ...flags], env)
    assert.strictEqual(credentials.code, 0, credentials.stderr)
    assert.notInclude(credentials.stderr, "amazonaws.com")
    const parsed = JSON.parse(credentials.stdout) as { readonly AccessKeyId?: unknown }
    assert.isString(parsed.AccessKeyId)
    return parsed.AccessKeyId as string
  })

/** The local server issued `accessKeyId` (its identity pool, not AWS's). */
const issuedLocally = (accessKeyId: string) =>
  Effect.gen(function* () {
    const local = yield* LocalCognito.LocalCognito
    const exit = yield* Effect.exit(local.credentialsOf(accessKeyId))
    assert.isTrue(Exit.isSuccess(exit), `${accessKeyId} was not issued by the local Cognito`)
  })

describe("effect-cognito CLI: one endpoint for both pools", { timeout: 120_000 }, () => {
  it.live("sign-in and credentials with --endpoint and the ids as flags reach only the local Cognito", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const pool = local.defaultPool
      yield* confirmedUser("flagged")
      const env = { EFFECT_COGNITO_HOME: yield* Cli.freshHome("effect-cognito-cli-endpoint-") }
      const flags = ["--endpoint", local.endpoint, ...idFlags(pool)]
      yield* issuedLocally(yield* signInAndGetCredentials("flagged", flags, env))
    }).pipe(Effect.provide(LocalCognito.layer()))
  )

  it.live("--identity-endpoint alone, or COGNITO_ENDPOINT alone, is the endpoint of both pools", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const pool = local.defaultPool
      const ids = idFlags(pool)
      yield* confirmedUser("identity-flag")
      yield* issuedLocally(
        yield* signInAndGetCredentials("identity-flag", ["--identity-endpoint", local.endpoint, ...ids], {
          EFFECT_COGNITO_HOME: yield* Cli.freshHome("effect-cognito-cli-endpoint-")
        })
      )
      yield* confirmedUser("from-variable")
      yield* issuedLocally(
        yield* signInAndGetCredentials("from-variable", ids, {
          EFFECT_COGNITO_HOME: yield* Cli.freshHome("effect-cognito-cli-endpoint-"),
          COGNITO_ENDPOINT: local.endpoint
        })
      )
    }).pipe(Effect.provide(LocalCognito.layer()))
  )

  it.live("an unusable --identity-endpoint is named in one line", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const pool = local.defaultPool
      const env = { EFFECT_COGNITO_HOME: yield* Cli.freshHome("effect-cognito-cli-endpoint-") }
      const result = yield* Cli.run(
        [
          "whoami",
          "--endpoint",
          local.endpoint,
          "--identity-endpoint",
          "ftp://127.0.0.1/",
          "--user-pool-id",
          pool.userPoolId,
          "--client-id",
          pool.clientId
        ],
        env
      )
      assert.notStrictEqual(result.code, 0, result.stdout)
      assert.include(result.stderr, "COGNITO_IDENTITY_ENDPOINT")
      assert.notMatch(result.stderr, /\n\s+at /, "a stack trace")
    }).pipe(Effect.provide(LocalCognito.layer()))
  )
})
