/**
 * A session per end user costs data, not a service graph: building one with
 * `NodeAuth.makeSession` (memory store) captures no stack and builds no span, every user
 * of one pool shares the pool's part, and under `Auth.MaxInMemorySessions` the idle ones
 * let go of their tokens and still refresh exactly once each. Counted, never timed; time
 * moves only through `TestClock`.
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import { NodeAuth, NodeSrpMath } from "@effect-cognito/node"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"

const password = Redacted.make("Abc@123!x")

const pool = Layer.mergeAll(SecureRandom.layerSeeded(7), NodeSrpMath.layer).pipe(
  Layer.provideMerge(
    TestCognito.layerCognito({
      userPoolId: "us-east-1_Memory1",
      clientId: "memoryclient",
      seed: 7,
      mfa: "OFF",
      tokenValidity: { accessToken: "1 hour", idToken: "1 hour" }
    })
  )
)

/**
 * How many stacks Effect captures while `effect` runs: a span (`Effect.withSpan`, `Effect.fn`)
 * built sets `Error.stackTraceLimit` to capture its call site. Counted through an accessor
 * that keeps the limit's behaviour.
 */
const stackCaptures = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const original = Object.getOwnPropertyDescriptor(Error, "stackTraceLimit")
      let limit = Error.stackTraceLimit
      const counter = { captures: 0 }
      Object.defineProperty(Error, "stackTraceLimit", {
        configurable: true,
        enumerable: original?.enumerable ?? true,
        get: () => limit,
        set: (value: number) => {
          if (value !== limit) counter.captures++
          limit = value
        }
      })
      return { original, counter, limit: () => limit }
    }),
    ({ counter }) => Effect.map(effect, (value) => ({ value, captures: counter.captures })),
    ({ original, limit }) =>
      Effect.sync(() => {
        Object.defineProperty(
          Error,
          "stackTraceLimit",
          original ?? { configurable: true, enumerable: true, writable: true, value: limit() }
        )
        Error.stackTraceLimit = limit()
      })
  )

describe("a session per end user, in memory", () => {
  it.effect("building a session captures no stack (no span or Error per session)", () =>
    Effect.gen(function* () {
      // The pool's shared part is built by the first session.
      yield* NodeAuth.makeSession({ sessionKey: "first" })
      // Sanity: a span built while counting is counted.
      const span = yield* stackCaptures(Effect.sync(() => Effect.withSpan(Effect.void, "counted")))
      assert.isAbove(span.captures, 0)
      const built = yield* stackCaptures(
        Effect.forEach(
          Array.from({ length: 50 }, (_, i) => `user-${i}`),
          (sessionKey) => NodeAuth.makeSession({ sessionKey })
        )
      )
      assert.strictEqual(built.value.length, 50)
      assert.strictEqual(built.captures, 0)
      for (const auth of built.value) assert.isFalse(yield* auth.isSignedIn)
    }).pipe(Effect.scoped, Effect.provide(pool))
  )

  it.effect("under MaxInMemorySessions, idle users' sessions refresh once each after their tokens expired", () =>
    Effect.gen(function* () {
      const cognito = yield* TestCognito.TestCognito
      const users = Array.from({ length: 12 }, (_, i) => `member${i}`)
      const sessions = yield* Effect.forEach(users, (username) =>
        Effect.gen(function* () {
          yield* cognito.adminCreateUser({ username, messageAction: "SUPPRESS" })
          yield* cognito.adminSetUserPassword(username, password, { permanent: true })
          const auth = yield* NodeAuth.makeSession({ sessionKey: username })
          const result = yield* auth.signIn({ username, password, flow: "USER_PASSWORD_AUTH" })
          assert.strictEqual(result._tag, "SignedIn")
          return { username, auth, first: yield* auth.getTokens() }
        })
      )
      yield* TestClock.adjust("2 hours")
      const before = yield* cognito.requestCount("InitiateAuth")
      // Three callers per user, all users at once: most sessions read their tokens back from the store.
      const refreshed = yield* Effect.forEach(
        sessions,
        ({ auth }) => Effect.all([auth.getTokens(), auth.getTokens(), auth.getTokens()], { concurrency: "unbounded" }),
        { concurrency: "unbounded" }
      )
      assert.strictEqual((yield* cognito.requestCount("InitiateAuth")) - before, users.length)
      for (const [index, got] of refreshed.entries()) {
        const { username, first } = sessions[index] as (typeof sessions)[number]
        const [one, two, three] = got
        assert.strictEqual(one.username, username)
        assert.notStrictEqual(Redacted.value(one.accessToken), Redacted.value(first.accessToken))
        assert.strictEqual(Redacted.value(two.accessToken), Redacted.value(one.accessToken))
        assert.strictEqual(Redacted.value(three.accessToken), Redacted.value(one.accessToken))
      }
      // And they stay signed in, with the refreshed tokens, without another request.
      for (const [index, { auth }] of sessions.entries()) {
        const [latest] = refreshed[index] ?? []
        assert.strictEqual(
          Redacted.value((yield* auth.getTokens()).accessToken),
          latest && Redacted.value(latest.accessToken)
        )
      }
      assert.strictEqual((yield* cognito.requestCount("InitiateAuth")) - before, users.length)
    }).pipe(Effect.scoped, Effect.provideService(Auth.MaxInMemorySessions, 3), Effect.provide(pool))
  )
})
