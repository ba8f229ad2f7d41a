/**
 * The standing fault matrix, scripted half: a hostile `HttpClient` answers every request
 * with one fault shape (HTML with 200 and 502, truncated, empty, wrong types, an unknown
 * `__type`, throttling, a hang, a drip, huge and endless bodies, the request's secrets
 * echoed raw, JSON-escaped and in HTML), crossed with sign-in, the refresh of an expired
 * and of a still-valid session, and sign-out (local and global).
 *
 * Each cell asserts the typed reason, whether the session survived, how long the caller
 * waited by `TestClock` (zero for a still-valid session; otherwise within the bound set
 * by the request timeout and the retry schedule), and that no secret appears in the
 * error's message, `Cause.pretty`, `JSON.stringify` or any log line. The loopback half
 * (a real socket) is packages/node/test/FaultMatrix.test.ts.
 */
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as TestClock from "effect/testing/TestClock"
import * as Auth from "../src/Auth.js"
import * as AuthConfig from "../src/AuthConfig.js"
import type * as AuthError from "../src/AuthError.js"
import * as CognitoIdentityProvider from "../src/CognitoIdentityProvider.js"
import * as SecureRandom from "../src/SecureRandom.js"
import * as TokenStore from "../src/TokenStore.js"
import { jwt } from "./FakeHttpClient.js"

// ---------------------------------------------------------------------------
// Secrets and the session
// ---------------------------------------------------------------------------

const password = "Pa55-w0rd\"quoted'\\back"
const refreshToken = "REFRESH-SECRET-7f3a9c1e5b"
const start = Date.parse("2026-11-26T09:30:00Z")
/** Tokens for an hour from `iatSeconds`, with a marker that only these tokens carry. */
const accessToken = (iatSeconds: number) =>
  jwt({ sub: "sub-1", username: "alice", iat: iatSeconds, exp: iatSeconds + 3600, marker: "ACCESS-SECRET-91c2" })
const idToken = (iatSeconds: number) =>
  jwt({ sub: "sub-1", "cognito:username": "alice", iat: iatSeconds, exp: iatSeconds + 3600 })
const secrets = [password, JSON.stringify(password).slice(1, -1), refreshToken, "ACCESS-SECRET-91c2"]

/** A stored session issued `ageSeconds` before {@link start}. */
const sessionAged = (ageSeconds: number) => {
  const iat = Math.floor(start / 1000) - ageSeconds
  return new TokenStore.Session({
    username: "alice",
    idToken: Redacted.make(idToken(iat)),
    accessToken: Redacted.make(accessToken(iat)),
    refreshToken: Redacted.make(refreshToken),
    clockSkewMillis: 0
  })
}

// ---------------------------------------------------------------------------
// Fault shapes
// ---------------------------------------------------------------------------

const json = "application/x-amz-json-1.1"
const timeoutMillis = 2_000
const maxResponseBytes = 64 * 1024

/** A body that yields `first` and then nothing, ever: a server that drips and stalls. */
const stalled = (first: string) =>
  new ReadableStream<Uint8Array>({
    start: (controller) => controller.enqueue(new TextEncoder().encode(first)),
    pull: () => new Promise<void>(() => {})
  })

/** A body that never ends. */
const endless = () =>
  new ReadableStream<Uint8Array>(
    { pull: (controller) => controller.enqueue(new Uint8Array(4096).fill(0x20)) },
    { highWaterMark: 0 }
  )

type Answer = (requestBody: string) => Response | "hang"

interface Shape {
  readonly name: string
  readonly answer: Answer
  /** The reason a caller sees when this shape answers the request it waits for. */
  readonly reason: AuthError.Reason
  /** A transient reason: retried where the action is safe to repeat. */
  readonly transient: boolean
  /**
   * A 200 whose body an action that reads no field (GlobalSignOut) may take as done:
   * Cognito's own answer there is `{}`.
   */
  readonly doneWhereNothingIsRead?: boolean
}

const shapes: ReadonlyArray<Shape> = [
  {
    name: "HTML with 200",
    answer: () =>
      new Response("<html><body>Welcome</body></html>", { status: 200, headers: { "content-type": "text/html" } }),
    reason: "InvalidResponse",
    transient: false
  },
  {
    name: "HTML with 502",
    answer: () => new Response("<html>Bad Gateway</html>", { status: 502, headers: { "content-type": "text/html" } }),
    reason: "InvalidResponse",
    transient: true
  },
  {
    name: "truncated JSON",
    answer: () =>
      new Response('{"AuthenticationResult":{"AccessToken":"ey', { status: 200, headers: { "content-type": json } }),
    reason: "InvalidResponse",
    transient: false
  },
  {
    name: "an empty body",
    answer: () => new Response("", { status: 200, headers: { "content-type": json } }),
    reason: "InvalidResponse",
    transient: false,
    doneWhereNothingIsRead: true
  },
  {
    name: "wrong types",
    answer: () =>
      new Response(JSON.stringify({ AuthenticationResult: { AccessToken: 5, IdToken: [], ExpiresIn: "soon" } }), {
        status: 200,
        headers: { "content-type": json }
      }),
    reason: "InvalidResponse",
    transient: false,
    doneWhereNothingIsRead: true
  },
  {
    name: "an unknown __type",
    answer: () =>
      new Response(JSON.stringify({ __type: "BrandNewException", message: "something new" }), {
        status: 400,
        headers: { "content-type": json }
      }),
    reason: "InvalidResponse",
    transient: false
  },
  {
    name: "throttling",
    answer: () =>
      new Response(JSON.stringify({ __type: "TooManyRequestsException", message: "Rate exceeded" }), {
        status: 400,
        headers: { "content-type": json }
      }),
    reason: "TooManyRequests",
    transient: true
  },
  { name: "a hang", answer: () => "hang", reason: "Transport", transient: true },
  {
    name: "a drip that stalls",
    answer: () => new Response(stalled('{"Authentic'), { status: 200, headers: { "content-type": json } }),
    reason: "Transport",
    transient: true
  },
  {
    name: "a huge declared body",
    answer: () =>
      new Response(endless(), {
        status: 200,
        headers: { "content-type": json, "content-length": String(300 * 1024 * 1024) }
      }),
    reason: "InvalidResponse",
    transient: false
  },
  {
    name: "an endless body",
    answer: () => new Response(endless(), { status: 200, headers: { "content-type": json } }),
    reason: "InvalidResponse",
    transient: false
  },
  {
    name: "secrets echoed raw",
    answer: (body) =>
      new Response(JSON.stringify({ __type: "InvalidParameterException", message: `bad request: ${body}` }), {
        status: 400,
        headers: { "content-type": json }
      }),
    reason: "InvalidParameter",
    transient: false
  },
  {
    name: "secrets echoed JSON-escaped",
    answer: (body) =>
      new Response(
        JSON.stringify({ __type: "InvalidParameterException", message: `bad request: ${JSON.stringify(body)}` }),
        { status: 400, headers: { "content-type": json } }
      ),
    reason: "InvalidParameter",
    transient: false
  },
  {
    name: "secrets echoed in HTML with 502",
    answer: (body) =>
      new Response(`<html><pre>${body}</pre></html>`, { status: 502, headers: { "content-type": "text/html" } }),
    reason: "InvalidResponse",
    transient: true
  }
]

/** The hostile client: every request gets `shape`'s answer. */
const hostile = (shape: Shape) =>
  HttpClient.make((request) => {
    const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
    const answer = shape.answer(body)
    return answer === "hang" ? Effect.never : Effect.succeed(HttpClientResponse.fromWeb(request, answer))
  })

// ---------------------------------------------------------------------------
// Running a cell
// ---------------------------------------------------------------------------

/**
 * The longest a caller may wait on a request that fails with a transient reason: four
 * attempts of one request timeout each, plus the retry schedule's backoff (200, 400 and
 * 800 ms, jittered up to ×1.2).
 */
const retriedBound = 4 * timeoutMillis + 1_700
/** The `TestClock` step while a caller waits: the resolution of the measured wait. */
const step = 250

/** Lets promise-based work (web streams, crypto) finish without moving the clock. */
const settle = Effect.forEach(
  Array.from({ length: 4 }),
  () =>
    Effect.andThen(
      Effect.yieldNow,
      Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
    ),
  { discard: true }
)

/** Runs `effect`, moving `TestClock` only while it waits; returns its exit and the simulated time it waited. */
const timed = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(effect)
    let waited = 0
    for (;;) {
      yield* settle
      const done = fiber.pollUnsafe()
      if (done !== undefined) return { exit: done, waited }
      if (waited > 60_000) return yield* Effect.die(`still waiting after ${waited} ms of TestClock`)
      yield* TestClock.adjust(Duration.millis(step))
      waited += step
    }
  })

/** The services `Auth` is built over; `Auth` itself is built in the cell, after the store is seeded. */
const layers = (shape: Shape) =>
  Layer.mergeAll(CognitoIdentityProvider.layer, TokenStore.layerMemory, SecureRandom.layerSeeded(1)).pipe(
    Layer.provideMerge(
      AuthConfig.layer({
        region: "eu-west-1",
        userPoolId: "eu-west-1_Faults1",
        clientId: "faultclient",
        requestTimeout: Duration.millis(timeoutMillis),
        maxResponseBytes
      })
    ),
    Layer.provide(Layer.succeed(HttpClient.HttpClient, hostile(shape)))
  )

/** Asserts that no secret is in any text the failure or the logs show. */
const assertNoSecret = (exit: Exit.Exit<unknown, unknown>, logs: ReadonlyArray<string>) => {
  const texts: Array<string> = [...logs]
  if (Exit.isFailure(exit)) {
    texts.push(Cause.pretty(exit.cause))
    const failure = Cause.findErrorOption(exit.cause)
    if (Option.isSome(failure)) texts.push(String(failure.value), JSON.stringify(failure.value))
  }
  for (const text of texts) for (const secret of secrets) assert.notInclude(text, secret)
}

interface Outcome {
  /** The reason of the failure, or "ok". */
  readonly result: AuthError.Reason | "ok"
  readonly waited: number
  readonly signedIn: boolean
  readonly stored: boolean
}

/** Runs one cell: prepares the session, runs the operation timed, checks secrets, reports the outcome. */
const cell = (
  shape: Shape,
  prepare: Option.Option<TokenStore.Session>,
  operation: (auth: Auth.Auth.Service) => Effect.Effect<unknown, AuthError.AuthError>,
  options: { readonly background?: boolean } = {}
) => {
  const logs: Array<string> = []
  const logger = Logger.make(({ fiber, message }) => {
    const annotations = fiber.getRef(References.CurrentLogAnnotations)
    logs.push(`${JSON.stringify(message)} ${JSON.stringify(Object.entries(annotations))}`)
  })
  return Effect.gen(function* () {
    yield* TestClock.setTime(start)
    const store = yield* TokenStore.TokenStore
    if (Option.isSome(prepare)) yield* store.save(prepare.value)
    const auth = yield* Auth.make
    const { exit, waited } = yield* timed(operation(auth))
    // Let a background refresh run to its end, so the logs it writes are checked too.
    if (options.background === true)
      for (let elapsed = 0; elapsed <= retriedBound + step; elapsed += step) {
        yield* settle
        yield* TestClock.adjust(Duration.millis(step))
      }
    assertNoSecret(exit, logs)
    const outcome: Outcome = {
      result: Exit.isSuccess(exit)
        ? "ok"
        : Option.match(Cause.findErrorOption(exit.cause), { onNone: () => "ok" as const, onSome: (e) => e.reason }),
      waited,
      signedIn: yield* auth.isSignedIn,
      stored: Option.isSome(yield* store.load)
    }
    return outcome
  }).pipe(
    Effect.provide(Logger.layer([logger])),
    Effect.provideService(References.MinimumLogLevel, "All"),
    Effect.provide(layers(shape)),
    Effect.scoped
  )
}

// ---------------------------------------------------------------------------
// The matrix
// ---------------------------------------------------------------------------

describe("fault matrix (scripted HttpClient)", () => {
  for (const shape of shapes) {
    describe(shape.name, () => {
      it.effect("sign-in: the typed reason, signed out, waited within the timeout bound, no secret", () =>
        Effect.gen(function* () {
          const outcome = yield* cell(shape, Option.none(), (auth) =>
            auth.signIn({ username: "alice", password: Redacted.make(password), flow: "USER_PASSWORD_AUTH" })
          )
          assert.strictEqual(outcome.result, shape.reason)
          assert.isFalse(outcome.signedIn)
          assert.isFalse(outcome.stored)
          // InitiateAuth with a password is not retried: one request timeout at most.
          assert.isAtMost(outcome.waited, timeoutMillis + step)
        })
      )

      it.effect("refresh of an expired session: the typed reason, the session kept, waited within the bound", () =>
        Effect.gen(function* () {
          const outcome = yield* cell(shape, Option.some(sessionAged(3600)), (auth) => auth.getTokens())
          assert.strictEqual(outcome.result, shape.reason)
          assert.isTrue(outcome.signedIn, "no fault of this kind ends a session")
          assert.isTrue(outcome.stored)
          assert.isAtMost(outcome.waited, (shape.transient ? retriedBound : timeoutMillis) + step)
        })
      )

      it.effect("refresh of a still-valid session: the tokens at once, the session kept", () =>
        Effect.gen(function* () {
          // Issued 58 minutes ago: inside the 5-minute window, valid for 2 more minutes.
          const outcome = yield* cell(shape, Option.some(sessionAged(58 * 60)), (auth) => auth.getTokens(), {
            background: true
          })
          assert.strictEqual(outcome.result, "ok")
          assert.strictEqual(outcome.waited, 0)
          assert.isTrue(outcome.signedIn)
          assert.isTrue(outcome.stored)
        })
      )

      it.effect("local sign-out: signed out whatever the server does, waited within the bound", () =>
        Effect.gen(function* () {
          const outcome = yield* cell(shape, Option.some(sessionAged(60)), (auth) => auth.signOut())
          assert.strictEqual(outcome.result, "ok")
          assert.isFalse(outcome.signedIn)
          assert.isFalse(outcome.stored)
          assert.isAtMost(outcome.waited, (shape.transient ? retriedBound : timeoutMillis) + step)
        })
      )

      it.effect("global sign-out: the typed reason and the session kept (so the caller can retry), or done", () =>
        Effect.gen(function* () {
          const outcome = yield* cell(shape, Option.some(sessionAged(60)), (auth) => auth.signOut({ global: true }))
          const done = shape.doneWhereNothingIsRead === true
          assert.strictEqual(outcome.result, done ? "ok" : shape.reason)
          assert.strictEqual(outcome.signedIn, !done)
          assert.strictEqual(outcome.stored, !done)
          assert.isAtMost(outcome.waited, (shape.transient ? retriedBound : timeoutMillis) + step)
        })
      )
    })
  }
})
