/**
 * Test page: one tab of an app on `BrowserAuth.layer` against the local Cognito over HTTP.
 * The page's `Clock` is the real one plus an offset the test sets, so a tab's tokens can
 * expire on demand while the server (on real time) still accepts the refresh. The test can
 * hold the responses of refresh requests in the page (the request reached the server; its
 * answer waits) to put a refresh "in flight".
 */
import * as BrowserAuth from "@effect-cognito/browser/BrowserAuth"
import * as Auth from "@effect-cognito/core/Auth"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type { TabsPage, TokensOutcome } from "./api.js"

let offset = 0
const base = Clock.Clock.defaultValue()
const now = () => Date.now() + offset
const clock: Clock.Clock = {
  currentTimeMillisUnsafe: now,
  currentTimeMillis: Effect.sync(now),
  currentTimeNanosUnsafe: () => BigInt(now()) * 1_000_000n,
  currentTimeNanos: Effect.sync(() => BigInt(now()) * 1_000_000n),
  monotonicTimeNanosUnsafe: () => base.monotonicTimeNanosUnsafe(),
  monotonicTimeNanos: base.monotonicTimeNanos,
  sleep: (duration) => base.sleep(duration)
}

// Refresh responses held by the test: the request went out and was answered; the answer waits.
const realFetch = globalThis.fetch.bind(globalThis)
let gate: { readonly released: Promise<void>; readonly release: () => void } | undefined
let held = 0
globalThis.fetch = async (input, init) => {
  const response = await realFetch(input, init)
  const raw = init?.body
  const body =
    typeof raw === "string"
      ? raw
      : raw instanceof Uint8Array || raw instanceof ArrayBuffer
        ? new TextDecoder().decode(raw)
        : ""
  if (gate !== undefined && body.includes("REFRESH_TOKEN")) {
    held++
    await gate.released
  }
  return response
}

let runtime: ManagedRuntime.ManagedRuntime<Auth.Auth, unknown> | undefined
let state = "Starting"
const run = <A>(f: (auth: Auth.Auth.Service) => Effect.Effect<A, unknown>): Promise<A> => {
  if (runtime === undefined) return Promise.reject(new Error("start the page first"))
  return runtime.runPromise(Effect.flatMap(Auth.Auth, f))
}

const outcome = (auth: Auth.Auth.Service): Effect.Effect<TokensOutcome> =>
  auth.getTokens().pipe(
    Effect.map((tokens): TokensOutcome => ({ ok: true, accessToken: Redacted.value(tokens.accessToken) })),
    Effect.catch((error) => Effect.succeed<TokensOutcome>({ ok: false, reason: error.reason }))
  )

let armed: Promise<TokensOutcome> | undefined
let pending: Promise<TokensOutcome> | undefined
// Made on first use, so a page loaded without `BroadcastChannel` (the fallback tests) still starts.
let fireChannel: BroadcastChannel | undefined
const channel = () => {
  fireChannel ??= new BroadcastChannel("tabs-test-fire")
  return fireChannel
}

const page: TabsPage = {
  start: (config, store) => {
    const layer = Layer.provideMerge(
      BrowserAuth.layer({ ...config, endpoints: { identityProvider: config.endpoint } }, { store: { _tag: store } }),
      Layer.succeed(Clock.Clock, clock)
    )
    runtime = ManagedRuntime.make(layer)
    return run((auth) =>
      Effect.gen(function* () {
        state = yield* auth.userState
        yield* Effect.forkDetach(
          Stream.runForEach(auth.userStateChanges, (next) =>
            Effect.sync(() => {
              state = next
            })
          )
        )
        return state
      })
    )
  },
  state: () => state,
  setClockOffset: (millis) => {
    offset = millis
  },
  signUp: (username, password, attributes) =>
    run((auth) =>
      Effect.map(
        auth.signUp({ username, password: Redacted.make(password), userAttributes: attributes }),
        (result) => result.confirmationState
      )
    ),
  confirmSignUp: (username, code) =>
    run((auth) =>
      Effect.map(
        auth.confirmSignUp({ username, confirmationCode: Redacted.make(code) }),
        (result) => result.confirmationState
      )
    ),
  signIn: (username, password) =>
    run((auth) => Effect.map(auth.signIn({ username, password: Redacted.make(password) }), (result) => result._tag)),
  confirmSignIn: (code) =>
    run((auth) => Effect.map(auth.confirmSignIn({ challengeResponse: Redacted.make(code) }), (result) => result._tag)),
  getTokens: () => run(outcome),
  startGetTokens: () => {
    pending = run(outcome)
  },
  pendingGetTokens: () => pending ?? Promise.reject(new Error("no getTokens started")),
  signOut: () => run((auth) => auth.signOut()),
  arm: () => {
    armed = new Promise((resolve, reject) => {
      channel().onmessage = () => {
        run(outcome).then(resolve, reject)
      }
    })
  },
  fire: () => {
    // A channel does not hear itself: the firing tab starts with the others.
    channel().postMessage("fire")
    armed = run(outcome)
  },
  armed: () => armed ?? Promise.reject(new Error("not armed")),
  holdRefreshResponses: () => {
    let release = () => {}
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    gate = { released, release }
  },
  heldRefreshResponses: () => held,
  releaseRefreshResponses: () => {
    gate?.release()
    gate = undefined
  },
  storedKeys: () => Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i) ?? ""),
  features: () => ({
    broadcastChannel: typeof BroadcastChannel !== "undefined",
    webLocks: navigator.locks !== undefined
  }),
  getTokensConcurrently: (n) =>
    run((auth) =>
      Effect.all(
        Array.from({ length: n }, () => outcome(auth)),
        { concurrency: "unbounded" }
      )
    )
}

Object.assign(window, { tabsPage: page })
