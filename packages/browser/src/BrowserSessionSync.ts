/**
 * The tabs of one origin as one client: `SessionSync` over the Web Locks API and
 * `BroadcastChannel`, both named for the app client.
 *
 * - The lock is `navigator.locks.request("effect-cognito.<pool>.<client>.lock")`: one tab
 *   refreshes or writes the session at a time, and a tab that waited re-reads the store
 *   first, so ten tabs with expired tokens send one refresh request. With the store in
 *   `localStorage`, the holder first waits until its copy shows the previous holder's write
 *   (Chromium applies other tabs' writes asynchronously; a fingerprint in IndexedDB says
 *   which write to wait for). Where Web Locks do
 *   not exist (an insecure origin, an old browser) the lock is a semaphore inside the tab:
 *   each tab still refreshes once for all its callers, but two tabs may refresh at the
 *   same moment.
 * - Events go out on `BroadcastChannel("effect-cognito.<pool>.<client>.events")`; they say
 *   what happened (signed in, refreshed, signed out, expired), never a token. Where
 *   `BroadcastChannel` does not exist, the `storage` events of the `localStorage` key
 *   stand in (other tabs' writes of the session).
 *
 * `BrowserAuth.layer` includes it for `localStorage` and IndexedDB; `sessionStorage` and
 * memory keep each tab on its own, so they use the in-process default.
 *
 * @since 0.1.0
 */
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as SessionSync from "@effect-cognito/core/SessionSync"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import * as Stream from "effect/Stream"
import * as StorageCoherence from "./internal/storageCoherence.js"

/** The names the tabs of one app client share: the lock, the channel and the `localStorage` key. */
export interface Options {
  /** The lock and channel name prefix, e.g. `effect-cognito.<pool>.<client>`. */
  readonly name: string
  /** The `localStorage` key whose `storage` events stand in where `BroadcastChannel` does not exist. */
  readonly storageKey?: string | undefined
}

/** The name prefix of an app client's lock and channel. */
export const nameFor = (config: AuthConfig.Validated): string =>
  `effect-cognito.${config.userPoolId}.${config.clientId}`

/** Holds the Web Lock `name` while `effect` runs; waiting for it can be interrupted. */
const withWebLock =
  (locks: LockManager, name: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(
        restore(
          Effect.callback<() => void>((resume, signal) => {
            locks
              .request(name, { signal }, () =>
                signal.aborted
                  ? undefined
                  : new Promise<void>((release) => {
                      resume(Effect.succeed(() => release()))
                    })
              )
              .catch(() => undefined)
          })
        ),
        (release) => Effect.ensuring(restore(effect), Effect.sync(release))
      )
    )

/** What a `storage` event of the session key means. */
const storageEvent = (event: StorageEvent): SessionSync.Event =>
  event.newValue === null
    ? { _tag: "SignedOut" }
    : event.oldValue === null
      ? { _tag: "SignedIn" }
      : { _tag: "Refreshed" }

/** The service for the tab, its channel closed with the scope. */
export const make = (options: Options): Effect.Effect<SessionSync.SessionSync.Service, never, Scope.Scope> =>
  Effect.gen(function* () {
    const locks = typeof navigator !== "undefined" && navigator.locks !== undefined ? navigator.locks : undefined
    const inTab = yield* Semaphore.make(1)
    // With the store in `localStorage`, what runs under the Web Lock first sees the last holder's write.
    const coherent =
      locks === undefined || options.storageKey === undefined
        ? <A, E, R>(effect: Effect.Effect<A, E, R>) => effect
        : StorageCoherence.make(options.name, options.storageKey)
    const webLock = locks === undefined ? undefined : withWebLock(locks, `${options.name}.lock`)
    const withLock: SessionSync.SessionSync.Service["withLock"] =
      webLock === undefined ? (effect) => inTab.withPermits(1)(effect) : (effect) => webLock(coherent(effect))

    // The store's own writes, where it is `localStorage`: every change reaches the other tabs
    // as a `storage` event, in the order the writes happened.
    const key = options.storageKey
    const storageEvents: Stream.Stream<SessionSync.Event> =
      key === undefined || typeof window === "undefined"
        ? Stream.empty
        : Stream.callback<SessionSync.Event>((queue) => {
            const listener = (event: StorageEvent) => {
              if (event.key === key) Queue.offerUnsafe(queue, storageEvent(event))
            }
            return Effect.acquireRelease(
              Effect.sync(() => window.addEventListener("storage", listener)),
              () => Effect.sync(() => window.removeEventListener("storage", listener))
            )
          })

    if (typeof BroadcastChannel === "undefined")
      // The store write itself is the signal other tabs receive.
      return { withLock, publish: () => Effect.void, events: storageEvents }

    // One channel for sending and receiving: a channel never hears its own messages.
    const channel = yield* Effect.acquireRelease(
      Effect.sync(() => new BroadcastChannel(`${options.name}.events`)),
      (channel) => Effect.sync(() => channel.close())
    )
    return {
      withLock,
      publish: (event) =>
        Effect.try(() => channel.postMessage({ _tag: event._tag })).pipe(
          Effect.catch(() => Effect.logWarning("effect-cognito: could not tell the other tabs of a session change"))
        ),
      // The channel says why (an expiry, say); the store's events make sure no change is
      // missed however the two kinds of message interleave. Following twice is harmless:
      // a tab adopts whatever the store holds when it follows.
      events: Stream.merge(
        Stream.callback<SessionSync.Event>((queue) => {
          const listener = (message: MessageEvent<unknown>) => {
            if (SessionSync.isEvent(message.data)) Queue.offerUnsafe(queue, { _tag: message.data._tag })
          }
          return Effect.acquireRelease(
            Effect.sync(() => channel.addEventListener("message", listener)),
            () => Effect.sync(() => channel.removeEventListener("message", listener))
          )
        }),
        storageEvents
      )
    }
  })

/** Sync for the app client of `AuthConfig`; `storageKey` adds the `storage`-event fallback. */
export const layer = (
  options: { readonly storageKey?: boolean | undefined } = {}
): Layer.Layer<never, never, AuthConfig.AuthConfig> =>
  Layer.effect(
    SessionSync.SessionSync,
    Effect.flatMap(AuthConfig.AuthConfig, (config) =>
      make({
        name: nameFor(config),
        ...(options.storageKey === true ? { storageKey: TokenStore.keyFor(config) } : {})
      })
    )
  )
