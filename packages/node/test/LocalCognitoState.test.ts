/**
 * The local Cognito's state file: a restart with the same file keeps the default ids,
 * the users (SRP sign-in works), the signing keys (old tokens verify), refresh tokens and
 * identities; the file is written atomically with mode 0600 after every change, even
 * under concurrent requests; a file that cannot be read or decoded fails the start with
 * a clear `Storage` error, without a secret, and is left byte for byte as it was.
 */
import { execFileSync } from "node:child_process"
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthError from "@effect-cognito/core/AuthError"
import { assert, describe, it } from "@effect/vitest"
import { JwtRsaVerifier } from "aws-jwt-verify"
import { SimpleJwksCache } from "aws-jwt-verify/jwk"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { NodeAuth } from "../src/index.js"
import * as LocalCognito from "../src/LocalCognito.js"

const password = Redacted.make("Restart-Passw0rd!")

/** A fresh directory, removed with the scope. */
const directory = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "local-cognito-state-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

/** Runs `body` against a local Cognito started with `options`, stopped when it returns. */
const running = <A, E>(
  options: LocalCognito.Options,
  body: (local: LocalCognito.LocalCognito.Service) => Effect.Effect<A, E>
) => Effect.scoped(Effect.flatMap(LocalCognito.make(options), body))

/** One AWS JSON 1.1 request; the parsed answer. */
const call = (local: LocalCognito.LocalCognito.Service, target: string, body: unknown) =>
  Effect.promise(async () => {
    const response = await fetch(local.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
      body: JSON.stringify(body)
    })
    return { status: response.status, json: (await response.json()) as Record<string, unknown> }
  })

/** `Auth` over the local Cognito's default pool (SRP sign-in, memory store). */
const withAuth = <A, E>(local: LocalCognito.LocalCognito.Service, program: Effect.Effect<A, E, Auth.Auth>) =>
  Effect.provide(program, NodeAuth.layer(local.config))

const verifier = (local: LocalCognito.LocalCognito.Service) =>
  JwtRsaVerifier.create(
    {
      issuer: `${local.endpoint}${local.defaultPool.userPoolId}`,
      jwksUri: `${local.endpoint}${local.defaultPool.userPoolId}/.well-known/jwks.json`,
      audience: local.defaultPool.clientId
    },
    {
      jwksCache: new SimpleJwksCache({
        fetcher: { fetch: (uri: string) => fetch(uri).then((response) => response.arrayBuffer()) }
      })
    }
  )

const fileMode = (file: string) => Effect.promise(() => stat(file).then((s) => s.mode & 0o777))

interface StoredShape {
  readonly userPools: ReadonlyArray<{
    readonly id: string
    readonly cognito: { readonly users: ReadonlyArray<unknown> }
  }>
}

const usersInFile = (file: string, userPoolId: string) =>
  Effect.promise(async () => {
    const stored = JSON.parse(await readFile(file, "utf8")) as StoredShape
    return stored.userPools.find((pool) => pool.id === userPoolId)?.cognito.users.length ?? 0
  })

describe("LocalCognito state file", { timeout: 60_000 }, () => {
  it.live("a restart with the same file keeps the ids, the users, the keys, refresh tokens and identities", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const file = join(yield* directory, "state.json")
        const first = yield* running({ stateFile: file }, (local) =>
          Effect.gen(function* () {
            // The file exists, private, from the start: a restart finds the same default ids.
            assert.strictEqual(yield* fileMode(file), 0o600)
            const tokens = yield* withAuth(
              local,
              Effect.gen(function* () {
                const auth = yield* Auth.Auth
                yield* auth.signUp({ username: "rita", password, userAttributes: { email: "rita@example.com" } })
                const code = (yield* local.deliveries).at(-1)!.message.code
                yield* auth.confirmSignUp({ username: "rita", confirmationCode: code })
                yield* auth.signIn({ username: "rita", password })
                return yield* auth.getTokens()
              })
            )
            const identity = yield* call(local, "AWSCognitoIdentityService.GetId", {
              IdentityPoolId: local.defaultPool.identityPoolId,
              Logins: {
                [`cognito-idp.us-east-1.amazonaws.com/${local.defaultPool.userPoolId}`]: Redacted.value(tokens.idToken)
              }
            })
            assert.strictEqual(identity.status, 200, JSON.stringify(identity.json))
            assert.strictEqual(yield* fileMode(file), 0o600)
            return { local, tokens, identityId: identity.json.IdentityId, port: Number(new URL(local.endpoint).port) }
          })
        )
        const text = yield* Effect.promise(() => readFile(file, "utf8"))
        assert.include(text, "rita@example.com")

        yield* running({ stateFile: file, port: first.port }, (local) =>
          Effect.gen(function* () {
            assert.deepStrictEqual(local.defaultPool, first.local.defaultPool)
            assert.strictEqual(local.endpoint, first.local.endpoint)
            // The id token issued before the restart verifies against the restarted server's JWKS.
            const payload = yield* Effect.promise(() => verifier(local).verify(Redacted.value(first.tokens.idToken)))
            assert.strictEqual(payload["cognito:username"], "rita")
            // The refresh token issued before still works, and the identity is found again.
            const refreshed = yield* call(local, "AWSCognitoIdentityProviderService.InitiateAuth", {
              ClientId: local.defaultPool.clientId,
              AuthFlow: "REFRESH_TOKEN_AUTH",
              AuthParameters: { REFRESH_TOKEN: Redacted.value(first.tokens.refreshToken) }
            })
            assert.strictEqual(refreshed.status, 200, JSON.stringify(refreshed.json))
            const identity = yield* call(local, "AWSCognitoIdentityService.GetId", {
              IdentityPoolId: local.defaultPool.identityPoolId,
              Logins: {
                [`cognito-idp.us-east-1.amazonaws.com/${local.defaultPool.userPoolId}`]: Redacted.value(
                  first.tokens.idToken
                )
              }
            })
            assert.strictEqual(identity.json.IdentityId, first.identityId)
            // SRP sign-in with the password set before the restart; a new user gets a new sub.
            yield* withAuth(
              local,
              Effect.gen(function* () {
                const auth = yield* Auth.Auth
                assert.strictEqual((yield* auth.signIn({ username: "rita", password }))._tag, "SignedIn")
                assert.strictEqual((yield* auth.getTokens()).sub, first.tokens.sub)
                const sam = yield* auth.signUp({ username: "sam", password, userAttributes: {} })
                assert.notStrictEqual(sam.userSub, first.tokens.sub)
              })
            )
          })
        )
      })
    )
  )

  it.live("writes the file after each change, serialized: concurrent sign-ups are all in it", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const file = join(yield* directory, "state.json")
        yield* running({ stateFile: file }, (local) =>
          Effect.gen(function* () {
            const answers = yield* Effect.forEach(
              Array.from({ length: 20 }, (_, i) => `user${i}`),
              (username) =>
                call(local, "AWSCognitoIdentityProviderService.SignUp", {
                  ClientId: local.defaultPool.clientId,
                  Username: username,
                  Password: Redacted.value(password)
                }),
              { concurrency: "unbounded" }
            )
            assert.deepStrictEqual(
              answers.map((a) => a.status),
              answers.map(() => 200)
            )
            // Each answer came after a write that covered it.
            assert.strictEqual(yield* usersInFile(file, local.defaultPool.userPoolId), 20)
            assert.strictEqual(yield* fileMode(file), 0o600)
            // Changes made through the pool's admin helpers are written when the server stops.
            const pool = yield* local.pool(local.defaultPool.userPoolId)
            yield* pool.adminCreateUser({ username: "admin-made", messageAction: "SUPPRESS" })
          })
        )
        yield* running({ stateFile: file }, (local) =>
          Effect.gen(function* () {
            const pool = yield* local.pool(local.defaultPool.userPoolId)
            assert.strictEqual((yield* pool.listUsers).length, 21)
          })
        )
      })
    )
  )

  it.live("a file that cannot be read or decoded fails the start with a clear error and is left as it is", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* directory
        const file = join(dir, "state.json")
        yield* running({ stateFile: file }, (local) =>
          withAuth(
            local,
            Effect.flatMap(Auth.Auth, (auth) =>
              auth.signUp({ username: "tess", password, userAttributes: { email: "tess@example.com" } })
            )
          )
        )
        const valid = yield* Effect.promise(() => readFile(file, "utf8"))
        const stored = JSON.parse(valid) as {
          userPools: Array<{ cognito: { users: Array<{ verifier: string }>; signingKey: { d: string; n: string } } }>
        }
        const secrets = [stored.userPools[0]!.cognito.users[0]!.verifier, stored.userPools[0]!.cognito.signingKey.d]

        /** Starting over `content` fails with a Storage error including `expected`; the file keeps its bytes. */
        const refused = (content: string, expected: string) =>
          Effect.gen(function* () {
            yield* Effect.promise(() => writeFile(file, content, { mode: 0o600 }))
            const before = yield* Effect.promise(() => readFile(file))
            const error = yield* Effect.flip(running({ stateFile: file }, () => Effect.void))
            assert.isTrue(AuthError.isAuthError(error), String(error))
            const { reason, message } = error as AuthError.AuthError
            assert.strictEqual(reason, "Storage")
            assert.include(message, file)
            assert.include(message, expected)
            for (const secret of secrets) assert.notInclude(message, secret)
            const after = yield* Effect.promise(() => readFile(file))
            assert.isTrue(after.equals(before), "the file changed")
          })

        yield* refused("{ not json", "is not JSON")
        yield* refused(valid.slice(0, valid.length / 2), "is not JSON")
        yield* refused(JSON.stringify({ ...JSON.parse(valid), version: 2 }), "version")
        const broken = JSON.parse(valid) as typeof stored
        broken.userPools[0]!.cognito.users[0]!.verifier = "not-a-number"
        yield* refused(JSON.stringify(broken), "userPools.0.cognito.users.0.verifier")
        const badKey = JSON.parse(valid) as typeof stored
        badKey.userPools[0]!.cognito.signingKey.n = stored.userPools[0]!.cognito.signingKey.n.replace(/^./, (c) =>
          c === "A" ? "B" : "A"
        )
        yield* refused(JSON.stringify(badKey), "signingKey")

        // A path that cannot be read as a file.
        const folder = join(dir, "folder")
        yield* Effect.promise(() => mkdir(folder))
        const error = yield* Effect.flip(running({ stateFile: folder }, () => Effect.void))
        assert.include(String(error), `cannot read the state file ${folder}`)

        // A FIFO: refused unread at once (a plain read would wait for a writer forever).
        const fifo = join(dir, "fifo")
        execFileSync("mkfifo", [fifo])
        const fifoError = yield* Effect.flip(running({ stateFile: fifo }, () => Effect.void))
        assert.include(String(fifoError), `cannot read the state file ${fifo}`)
        assert.include(String(fifoError), "a FIFO")
      })
    )
  )
})
