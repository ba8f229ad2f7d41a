/**
 * How the contexts that share one token store (the tabs of a browser, say) act as one
 * client: a lock that lets one of them refresh or write the session at a time, and the
 * events each publishes after it wrote the store, so the others re-read it.
 *
 * `Auth` takes the lock around every refresh and every write of the store; a refresh
 * re-reads the store once it holds the lock and adopts what another context stored
 * there when that needs no refresh. After each write it publishes what happened; on an
 * event from elsewhere it reloads the store, adopts the session (or none) and moves its
 * `userState`. Events carry no tokens: the store is the one source. When the lock cannot
 * be taken (`Storage`), a sign-out still signs the user out in this context (and fails
 * with that error); a refresh and a sign-in fail with it, and still-valid tokens are served.
 *
 * Without a layer the service is the in-process no-op ({@link inProcess}): one context,
 * no one to tell. `@effect-cognito/browser` provides Web Locks and `BroadcastChannel`;
 * `@effect-cognito/node/RedisSessionSync` a Redis lock and pub/sub across processes.
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Stream from "effect/Stream"
import type * as AuthError from "./AuthError.js"
import * as internal from "./internal/sessionSync.js"
import * as tags from "./internal/tags.js"

/** What a context did to the shared session, published after the store was written. */
export type Event =
  /** A user signed in: a new session is stored. */
  | { readonly _tag: "SignedIn" }
  /** The tokens were refreshed: the stored session has new tokens for the same user. */
  | { readonly _tag: "Refreshed" }
  /** The user signed out: the store is empty. */
  | { readonly _tag: "SignedOut" }
  /** The refresh token was rejected: the store is empty and the user must sign in again. */
  | { readonly _tag: "Expired" }

/** The tags of {@link Event}. */
export type EventTag = Event["_tag"]

/** Whether a value is an {@link Event} (for decoding what arrives from another context). */
export const isEvent = (u: unknown): u is Event =>
  typeof u === "object" &&
  u !== null &&
  "_tag" in u &&
  (u._tag === "SignedIn" || u._tag === "Refreshed" || u._tag === "SignedOut" || u._tag === "Expired")

/** The types of the `SessionSync` service. */
export declare namespace SessionSync {
  /** A lock around every refresh and store write, and the events of the contexts sharing a store. */
  export interface Service {
    /**
     * Runs `effect` while holding the lock shared by every context of the store. Not
     * reentrant: `Auth` never nests it. A lock held elsewhere (another process, over a
     * network) may be unreachable or not come in time: that fails with `Storage`, and
     * `effect` does not run.
     */
    readonly withLock: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | AuthError.AuthError, R>
    /** Tells the other contexts what this one just wrote. Never fails. */
    readonly publish: (event: Event) => Effect.Effect<void>
    /** What the other contexts published (never this context's own events). */
    readonly events: Stream.Stream<Event>
  }
}

/**
 * A reference with the in-process no-op as its default value. A `Context.Reference` has
 * no identifier type: reading it never adds a requirement, and a layer that provides it
 * is a `Layer.Layer<never>`.
 */
export const SessionSync: Context.Reference<SessionSync.Service> = tags.sessionSync

/** One context: the lock is the identity, events go nowhere and none arrive. */
export const inProcess: SessionSync.Service = internal.inProcess

/** Provides a sync service (a reference: the layer provides no identifier). */
export const layer = (service: SessionSync.Service): Layer.Layer<never> => Layer.succeed(SessionSync, service)
