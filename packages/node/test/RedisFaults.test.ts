/**
 * Redis killed (SIGKILL) and started again under a running service: calls fail with
 * `Storage` or are served still-valid tokens, none waits past the configured bounds, a
 * sign-out still signs the user out here, and once Redis is back (its append-only file
 * kept the sessions, as a session store's Redis is run) the next call works and the
 * instances hear each other again. `NodeAuth.layer` with a Redis store against the local
 * Cognito, in this process.
 *
 * Real time is used only as an upper bound on waiting for an event; no duration is asserted.
 */
import * as Auth from "@effect-cognito/core/Auth"
import type * as AuthError from "@effect-cognito/core/AuthError"
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import * as NodeAuth from "@effect-cognito/node/NodeAuth"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redis from "effect/persistence/Redis"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as Schedule from "effect/Schedule"
import * as ForFile from "./redisForFile.js"

const server = ForFile.server({ persistent: true })

const password = Redacted.make("Abc@123!x")

/** Redis outages are what these tests cause: the clients' warnings about them are not shown. */
const quiet = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.provideService(effect, References.MinimumLogLevel, "Error")

/** The bound on any one call: far above the configured timeouts (300 ms a command, 1 s for the lock). */
const bound = 5_000

/** Runs a call and fails the test if it is still running after {@link bound}: a call must never hang. */
const bounded = <A>(call: Effect.Effect<A, AuthError.AuthError>) =>
  Effect.flatMap(Effect.timeoutOption(Effect.result(call), bound), (done) =>
    Option.isSome(done)
      ? Effect.succeed(done.value)
      : Effect.die(new Error(`a call was still running after ${bound} ms`))
  )

/** The local Cognito with a confirmed user, and a service instance (`NodeAuth.layer`, Redis store) over it. */
const cognito = (username: string) =>
  Effect.gen(function* () {
    const local = yield* LocalCognito.make()
    const pool = yield* local.pool(local.defaultPool.userPoolId)
    yield* pool.adminCreateUser({ username, messageAction: "SUPPRESS" })
    yield* pool.adminSetUserPassword(username, password, { permanent: true })
    return local
  }).pipe(Effect.orDie)

const instance = (
  local: LocalCognito.LocalCognito.Service,
  sessionKey: string,
  store: Partial<NodeAuth.RedisStore> = {}
) =>
  Effect.map(
    Layer.build(
      NodeAuth.layer(
        { ...local.config, identityPoolId: undefined, refreshTokenRotation: true },
        {
          store: { _tag: "Redis", url: server().url, timeout: "300 millis", lockTimeout: "1 second", ...store },
          sessionKey
        }
      )
    ),
    (context) => ({ auth: Context.get(context, Auth.Auth), redis: Context.get(context, Redis.Redis) })
  )

const digest = (tokens: Auth.Tokens) => Redacted.value(tokens.accessToken)

/** Waits (at most `millis`, an upper bound) until `effect` succeeds with a value `until` accepts. */
const eventually = <A, E>(effect: Effect.Effect<A, E>, until: (a: A) => boolean, millis = 10_000) =>
  Effect.result(effect).pipe(
    Effect.repeat({
      until: (result) => result._tag === "Success" && until(result.success),
      schedule: Schedule.spaced("50 millis")
    }),
    Effect.timeoutOption(millis),
    Effect.map(Option.isSome)
  )

describe("Redis killed and restarted under a running service", () => {
  it.live(
    "calls fail with Storage or get still-valid tokens, none hangs; after the restart the next call works",
    () =>
      Effect.gen(function* () {
        const local = yield* cognito("alice")
        const first = yield* instance(local, "alice")
        yield* first.auth.signIn({ username: "alice", password })
        const before = digest(yield* first.auth.getTokens())

        yield* server().kill
        // Still-valid tokens need no Redis.
        const valid = yield* bounded(first.auth.getTokens())
        assert.strictEqual(valid._tag === "Success" && digest(valid.success), before)
        const burst = yield* Effect.forEach(
          Array.from({ length: 20 }, () => bounded(first.auth.getTokens())),
          (call) => call,
          { concurrency: "unbounded" }
        )
        for (const result of burst) assert.strictEqual(result._tag === "Success" && digest(result.success), before)
        // A refresh needs the lock: Storage, not a refresh without it.
        const forced = yield* bounded(first.auth.getTokens({ forceRefresh: true }))
        assert.isTrue(forced._tag === "Failure" && forced.failure.reason === "Storage", JSON.stringify(forced))
        // A new instance cannot connect: Storage at once, without the URL.
        const unreachable = yield* Effect.flip(instance(local, "alice"))
        assert.strictEqual(unreachable.reason, "Storage")
        assert.notInclude(unreachable.message, String(server().port))
        assert.strictEqual(yield* first.auth.userState, "SignedIn")

        yield* server().restart
        // node-redis reconnects by itself (backoff up to about two seconds).
        assert.isTrue(yield* eventually(first.redis.send<string>("PING"), (reply) => reply === "PONG"))
        const refreshed = yield* bounded(first.auth.getTokens({ forceRefresh: true }))
        assert.isTrue(refreshed._tag === "Success", JSON.stringify(refreshed))
        assert.notStrictEqual(refreshed._tag === "Success" && digest(refreshed.success), before)

        // The subscription is back: a sign-out in another instance reaches this one.
        const second = yield* instance(local, "alice")
        assert.strictEqual(yield* second.auth.userState, "SignedIn")
        const channel = `effect-cognito.${local.defaultPool.userPoolId}.${local.defaultPool.clientId}.events`
        assert.isTrue(
          yield* eventually(
            first.redis.send<ReadonlyArray<string | number>>("PUBSUB", "NUMSUB", channel),
            (reply) => Number(reply[1]) >= 2
          )
        )
        yield* second.auth.signOut()
        assert.isTrue(yield* eventually(first.auth.userState, (state) => state === "SignedOut"))
      }).pipe(quiet),
    30_000
  )

  it.live(
    "a sign-out with Redis down signs the user out here and fails with Storage; with unlockedWhenUnreachable a refresh goes on without the lock",
    () =>
      Effect.gen(function* () {
        const local = yield* cognito("bob")
        const strict = yield* instance(local, "bob")
        const unlocked = yield* instance(local, "bob", { unlockedWhenUnreachable: true })
        yield* strict.auth.signIn({ username: "bob", password })
        assert.isTrue(yield* eventually(unlocked.auth.userState, (state) => state === "SignedIn"))
        const before = digest(yield* unlocked.auth.getTokens())

        yield* server().kill
        const refreshed = yield* bounded(unlocked.auth.getTokens({ forceRefresh: true }))
        assert.isTrue(refreshed._tag === "Success", JSON.stringify(refreshed))
        assert.notStrictEqual(refreshed._tag === "Success" && digest(refreshed.success), before)

        const signedOut = yield* bounded(strict.auth.signOut())
        assert.isTrue(signedOut._tag === "Failure" && signedOut.failure.reason === "Storage", JSON.stringify(signedOut))
        assert.strictEqual(yield* strict.auth.userState, "SignedOut")
        const after = yield* bounded(strict.auth.getTokens())
        assert.isTrue(after._tag === "Failure" && after.failure.reason === "NotSignedIn")
        // A sign-in cannot store its session: Storage, and no one is signed in.
        const signIn = yield* bounded(strict.auth.signIn({ username: "bob", password }))
        assert.isTrue(signIn._tag === "Failure" && signIn.failure.reason === "Storage", JSON.stringify(signIn))
        assert.strictEqual(yield* strict.auth.userState, "SignedOut")
        yield* server().restart
      }).pipe(quiet),
    30_000
  )

  it.live(
    "a server that cannot be reached fails the layer with Storage, the URL's password in no message, JSON or log",
    () =>
      Effect.gen(function* () {
        const secret = "hunter2-in-the-url"
        const lines: Array<string> = []
        const logger = Logger.map(Logger.formatLogFmt, (line) => {
          lines.push(line)
        })
        const error = yield* Effect.flip(
          Layer.build(NodeAuth.layerRedis({ url: Redacted.make(`redis://:${secret}@127.0.0.1:1`) }))
        ).pipe(Effect.provide(Logger.layer([logger])), Effect.provideService(References.MinimumLogLevel, "All"))
        assert.strictEqual(error.reason, "Storage")
        assert.isAbove(lines.length, 0)
        for (const shown of [
          String(error),
          error.message,
          JSON.stringify(error),
          Cause.pretty(Cause.fail(error)),
          ...lines
        ])
          assert.notInclude(shown, secret)
      })
  )
})
