/**
 * Many pools and many users in one process: each pool's services built in their own
 * context (`Layer.build`), one `Auth` per end user (`NodeAuth.makeSession` with a session
 * key), all in one shared directory, no global state. Time moves only through `TestClock`.
 */
import { mkdtemp, readdir } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type * as Auth from "@effect-cognito/core/Auth"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import { NodeAuth, NodeSrpMath } from "@effect-cognito/node"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/testing/TestClock"

const start = Date.parse("2026-11-26T09:30:00Z")
const password = Redacted.make("Abc@123!x")

/** A pool's services, built once in the test's scope: what every session of that pool shares. */
const pool = (userPoolId: string, seed: number) =>
  Layer.build(
    Layer.mergeAll(SecureRandom.layerSeeded(seed), NodeSrpMath.layer).pipe(
      Layer.provideMerge(
        TestCognito.layerCognito({
          userPoolId,
          clientId: `client${seed}`,
          seed,
          tokenValidity: { accessToken: "1 hour", idToken: "1 hour" }
        })
      )
    )
  )

describe("many pools and many users in one process", () => {
  it.effect("two pools, twenty per-user sessions refreshing concurrently, each keeps its own tokens", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const directory = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "effect-cognito-sessions-")))
      const pools = [yield* pool("us-east-1_PoolA", 1), yield* pool("us-east-1_PoolB", 2)]

      // Ten users per pool, each with a session of their own, keyed by user.
      const sessions: Array<{
        readonly context: Context.Context<TestCognito.TestCognito>
        readonly username: string
        readonly auth: Auth.Auth.Service
      }> = []
      for (const [index, context] of pools.entries())
        for (let user = 0; user < 10; user++) {
          const username = `user${index}x${user}`
          const auth = yield* NodeAuth.makeSession({
            sessionKey: username,
            store: { _tag: "FileSystem", directory }
          }).pipe(Effect.provide(context))
          const cognito = Context.get(context, TestCognito.TestCognito)
          yield* auth.signUp({ username, password, userAttributes: { email: `${username}@example.com` } })
          yield* auth.confirmSignUp({ username, confirmationCode: yield* cognito.lastCodeFor(username) })
          yield* auth.signIn({ username, password, flow: "USER_PASSWORD_AUTH" })
          sessions.push({ context, username, auth })
        }

      const before = yield* Effect.forEach(sessions, ({ auth }) => auth.getTokens())
      const refreshesBefore = yield* Effect.forEach(pools, (context) =>
        Context.get(context, TestCognito.TestCognito).requestCount("InitiateAuth")
      )

      // An hour later every access token has expired: all twenty refresh at once.
      yield* TestClock.adjust("1 hour")
      const after = yield* Effect.forEach(sessions, ({ auth }) => auth.getTokens(), { concurrency: "unbounded" })

      for (const [i, { username }] of sessions.entries()) {
        assert.strictEqual(after[i]!.username, username)
        assert.strictEqual(after[i]!.sub, before[i]!.sub)
        assert.notStrictEqual(Redacted.value(after[i]!.accessToken), Redacted.value(before[i]!.accessToken))
        assert.isAbove(after[i]!.expiresAt.getTime(), before[i]!.expiresAt.getTime())
      }
      // No two sessions share a token.
      assert.strictEqual(new Set(after.map((tokens) => Redacted.value(tokens.accessToken))).size, 20)
      assert.strictEqual(new Set(after.map((tokens) => Redacted.value(tokens.refreshToken))).size, 20)
      // Each pool served exactly one refresh per session (single flight within a session, none shared across).
      for (const [index, context] of pools.entries())
        assert.strictEqual(
          (yield* Context.get(context, TestCognito.TestCognito).requestCount("InitiateAuth")) - refreshesBefore[index]!,
          10
        )

      // Twenty files, one per pool, client and user, in one directory.
      const files = yield* Effect.promise(() => readdir(directory))
      assert.strictEqual(files.length, 20)
      assert.include(files, "effect-cognito.us-east-1_PoolA.client1.user0x3.session.json")
      assert.include(files, "effect-cognito.us-east-1_PoolB.client2.user1x9.session.json")

      // Signing one user out leaves every other session signed in.
      yield* sessions[4]!.auth.signOut()
      const signedIn = yield* Effect.forEach(sessions, ({ auth }) => auth.isSignedIn)
      assert.deepStrictEqual(
        signedIn,
        sessions.map((_, i) => i !== 4)
      )
    })
  )

  it.effect("a session built again from its key (a new scope, a restart) restores that user only", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const directory = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "effect-cognito-sessions-")))
      const context = yield* pool("us-east-1_PoolA", 3)
      const cognito = Context.get(context, TestCognito.TestCognito)
      const session = (sessionKey: string) =>
        NodeAuth.makeSession({ sessionKey, store: { _tag: "FileSystem", directory } }).pipe(Effect.provide(context))

      const scope = yield* Scope.make()
      for (const username of ["alice", "bob"]) {
        const auth = yield* Scope.provide(session(username), scope)
        yield* auth.signUp({ username, password, userAttributes: { email: `${username}@example.com` } })
        yield* auth.confirmSignUp({ username, confirmationCode: yield* cognito.lastCodeFor(username) })
        yield* auth.signIn({ username, password, flow: "USER_PASSWORD_AUTH" })
      }
      yield* Scope.close(scope, Exit.void)

      const bob = yield* session("bob")
      assert.deepStrictEqual(yield* bob.username, Option.some("bob"))
      const carol = yield* session("carol")
      assert.isFalse(yield* carol.isSignedIn)
    })
  )
})
