/**
 * The current session: restored from the store at start, established by a sign-in,
 * forgotten by a sign-out or a rejected refresh token, and refreshed by `getTokens`.
 *
 * Every write (store and memory together) happens under one lock, and an epoch bumped by
 * each sign-in and sign-out keeps a refresh that started earlier from writing after them.
 * `getTokens` is the hot path: one read of a plain cell and of `Clock`, no allocation
 * beyond the returned effect while the cached tokens are good. Concurrent callers share
 * one refresh, run in the service's scope so no caller can cancel it for the others.
 *
 * What a fault cannot do:
 * - lock a user in: forgetting drops the session from memory and sets the state first, and
 *   only then clears the store; a store that cannot clear is reported (`Storage`) with the
 *   user already signed out. A refresh token Cognito rejects is `SessionExpired` whatever
 *   the store does.
 * - lock a user out: a store that cannot be read at start is a signed-out start (logged
 *   without its contents); refreshed tokens that cannot be stored are still used.
 * - make a caller wait for tokens it has: inside the refresh window a still-valid token is
 *   returned at once while one background refresh runs (stale-while-revalidate); only an
 *   expired token (or `forceRefresh`) waits. The window is capped at half the tokens'
 *   lifetime, so short-lived tokens are not refreshed on every call.
 *
 * Contexts that share the store (browser tabs) act as one through `SessionSync`: every
 * store write and every refresh runs under its lock; a refresh re-reads the store once
 * it holds the lock and adopts a session another context stored that needs no refresh;
 * each write is published, and an event from elsewhere reloads the store (bumping the
 * epoch when a sign-in or sign-out came, so a refresh in flight here cannot write after it).
 *
 * A session is data ({@link SessionState}: fields, with its behaviour on the prototype), so a
 * server can hold one per end user: the lock exists while someone holds or waits for it, the
 * state's `PubSub` once someone subscribes. Under a {@link Residency} (`Auth.MaxInMemorySessions`)
 * an idle session lets go of its tokens and reads them back from the store on its next use.
 *
 * The decisions (does this session need a refresh, does this failure end it, what session
 * do new tokens make) are pure functions in `sessionRules.ts`, re-exported here for tests;
 * the shared refresh lives in `sessionRefresh.ts` and works on this module's fields and lock.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import * as Stream from "effect/Stream"
import type * as Auth from "../Auth.js"
import * as AuthError from "../AuthError.js"
import type * as IdentityProvider from "../IdentityProvider.js"
import type * as SessionSync from "../SessionSync.js"
import * as TokenStore from "../TokenStore.js"
import {
  type Current,
  fail,
  isExpired,
  needsRefresh,
  received,
  restore,
  restoreAtStart,
  sameTokens,
  stateAfter
} from "./sessionRules.js"
import type * as Jwt from "./jwt.js"
import * as Refresh from "./sessionRefresh.js"
import { inProcess } from "./sessionSync.js"

export {
  backgroundRetryMillis,
  type Current,
  currentOf,
  effectiveWindow,
  endsSession,
  isExpired,
  needsRefresh,
  sameTokens,
  sessionOf,
  stateAfter
} from "./sessionRules.js"

/** The session service the flows use. */
export interface Session {
  /** The current session, or `None` when signed out. */
  readonly current: Effect.Effect<Option.Option<Current>>
  /** The tokens, refreshed first when they expire within the refresh window (or when forced). */
  readonly getTokens: (options?: {
    readonly forceRefresh?: boolean | undefined
  }) => Effect.Effect<Auth.Tokens, AuthError.AuthError>
  /** Stores the tokens of a successful sign-in and marks the user signed in; returns the session. */
  readonly establish: (
    result: IdentityProvider.AuthenticationResult,
    fallbackUsername: string,
    method: string
  ) => Effect.Effect<TokenStore.Session, AuthError.AuthError>
  /**
   * Forgets the session: memory and state first, then the store. A store that cannot be
   * cleared fails with `Storage`, the user already signed out.
   */
  readonly forget: (state: Auth.UserState) => Effect.Effect<void, AuthError.AuthError>
  readonly userState: Effect.Effect<Auth.UserState>
  readonly userStateChanges: Stream.Stream<Auth.UserState>
  /** Moves to `state` (the identity pool's `Guest` and federated states). */
  readonly setState: (state: Auth.UserState) => Effect.Effect<void>
  /** Stores the identity id in the current session when it is still `username`'s; false when it is not. */
  readonly updateIdentityId: (username: string, identityId: string) => Effect.Effect<boolean, AuthError.AuthError>
}

/** What the session needs: where it is stored, how a refresh token becomes tokens, the refresh window. */
export interface Options {
  readonly store: TokenStore.TokenStore.Service
  /** One refresh request (REFRESH_TOKEN_AUTH or GetTokensFromRefreshToken) for the session's user. */
  readonly refresh: (
    session: TokenStore.Session
  ) => Effect.Effect<IdentityProvider.AuthenticationResult, AuthError.AuthError>
  readonly refreshWindow: Duration.Duration
  /**
   * The user pool and app client whose tokens a sign-in or a refresh must bring (`iss`,
   * `aud`, `client_id`, `token_use`); unchecked when absent. Both tokens naming one user,
   * and a refresh keeping the session's user, are checked always.
   */
  readonly pool?: Jwt.Pool | undefined
  /** The lock and events shared with other contexts of the store; the in-process no-op when absent. */
  readonly sync?: SessionSync.SessionSync.Service | undefined
  /**
   * The sessions of one app client whose tokens may be dropped from memory while idle and
   * read again from the store on next use; none when absent (the tokens stay in memory).
   */
  readonly residency?: Residency | undefined
}

/**
 * The idle sessions of one app client, least recently used first, of which at most `max`
 * keep their tokens in memory: using one more drops the tokens of the least recently used
 * idle one (its store keeps them; the next use reads them again). A session that is
 * refreshing, waiting on its lock, or holds tokens its store could not take is skipped.
 */
export class Residency {
  readonly max: number
  /** Sessions holding their tokens, least recently used first (a `Map` keeps insertion order). */
  readonly resident = new Map<SessionState, true>()
  constructor(max: number) {
    this.max = max
  }
  /** `session` was used: it is the most recent now; the least recent idle ones over `max` let go of their tokens. */
  touch(session: SessionState): void {
    this.resident.delete(session)
    this.resident.set(session, true)
    if (this.resident.size <= this.max) return
    for (const idle of this.resident.keys()) {
      if (this.resident.size <= this.max) return
      if (idle !== session && idle.evict()) this.resident.delete(idle)
    }
  }
  /** `session` holds no tokens any more (evicted, signed out, its scope closed). */
  leave(session: SessionState): void {
    this.resident.delete(session)
  }
}

// ---------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------

const stateTransition = (previous: Auth.UserState, next: Auth.UserState) =>
  Effect.logDebug(`effect-cognito: user state ${previous} -> ${next}`)

/**
 * One session as data: what it holds (its tokens, epoch, state, the refresh in flight) in
 * fields, what it does on the prototype, so a process can hold many. The lock is created
 * when someone takes it and let go of when nobody holds or waits for it; the state's
 * subscribers get a `PubSub` the first time one subscribes.
 */
export class SessionState implements Session, Refresh.Cell {
  readonly store: TokenStore.TokenStore.Service
  readonly sync: SessionSync.SessionSync.Service
  readonly scope: Scope.Scope
  readonly request: Options["refresh"]
  readonly windowMillis: number
  readonly pool: Jwt.Pool | undefined
  readonly residency: Residency | undefined
  /**
   * The session and its decoded tokens; `undefined` while evicted (the store holds it).
   * Written under the lock only (eviction takes it only when nobody holds or waits for it).
   */
  held: Option.Option<Current> | undefined
  /** Bumped by every sign-in and sign-out, so a refresh that started before cannot write after. */
  epoch = 0
  /** When (device clock, ms) a background refresh may start again after one brought no tokens. */
  notBefore = Number.NEGATIVE_INFINITY
  /** The one refresh in flight, shared by every caller. */
  inflight: Refresh.Inflight | undefined = undefined
  /** The tokens held here are newer than the store's (it could not take them): never evicted. */
  unsaved = false
  state: Auth.UserState
  private lock: Semaphore.Semaphore | undefined = undefined
  private lockUsers = 0
  private changes: PubSub.PubSub<Auth.UserState> | undefined = undefined

  constructor(options: Options, scope: Scope.Scope, restored: Option.Option<Current>) {
    this.store = options.store
    this.sync = options.sync ?? inProcess
    this.scope = scope
    this.request = options.refresh
    this.windowMillis = Duration.toMillis(options.refreshWindow)
    this.pool = options.pool
    this.residency = options.residency
    this.held = restored
    this.state = Option.isSome(restored) ? "SignedIn" : "SignedOut"
  }

  /** Runs `effect` holding this session's lock (every write to memory and store happens under it). */
  withLock<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return Effect.suspend(() => {
      this.lock ??= Semaphore.makeUnsafe(1)
      this.lockUsers++
      return Effect.ensuring(
        this.lock.withPermits(1)(effect),
        Effect.sync(() => {
          if (--this.lockUsers === 0) this.lock = undefined
        })
      )
    })
  }

  /** Marks the session used (least recently used eviction) while it holds tokens; otherwise lets it go. */
  touch(): void {
    const residency = this.residency
    if (residency === undefined) return
    if (this.held !== undefined && Option.isSome(this.held)) residency.touch(this)
    else residency.leave(this)
  }

  /**
   * Drops the tokens from memory when nothing is using them (no refresh in flight, nobody
   * holding or waiting for the lock) and the store holds the same; true when it holds none now.
   */
  evict(): boolean {
    if (this.held === undefined || Option.isNone(this.held)) return true
    if (this.inflight !== undefined || this.lockUsers > 0 || this.unsaved) return false
    this.held = undefined
    return true
  }

  /** An evicted session read again from the store, under the lock (no epoch change: it is the same session). */
  get reload(): Effect.Effect<Option.Option<Current>, AuthError.AuthError> {
    return Effect.tap(
      this.withLock(
        Effect.suspend(() =>
          this.held !== undefined
            ? Effect.succeed(this.held)
            : Effect.map(restore(this.store), (stored) => {
                this.held ??= stored
                return this.held
              })
        )
      ),
      () => Effect.sync(() => this.touch())
    )
  }

  /** The current session; an evicted one is read again (a store that cannot be read then gives `None`, logged). */
  get current(): Effect.Effect<Option.Option<Current>> {
    return Effect.suspend(() => {
      const held = this.held
      if (held !== undefined) {
        this.touch()
        return Effect.succeed(held)
      }
      return Effect.catch(this.reload, (error) =>
        Effect.as(
          Effect.logWarning("effect-cognito: the token store cannot be read; the session is not known now").pipe(
            Effect.annotateLogs({ key: this.store.key, reason: error.reason })
          ),
          Option.none<Current>()
        )
      )
    })
  }

  get userState(): Effect.Effect<Auth.UserState> {
    return Effect.sync(() => this.state)
  }

  get userStateChanges(): Stream.Stream<Auth.UserState> {
    return Stream.unwrap(
      Effect.suspend(() =>
        this.changes !== undefined
          ? Effect.succeed(Stream.fromPubSub(this.changes))
          : Effect.map(PubSub.unbounded<Auth.UserState>(), (created) => {
              this.changes ??= created
              return Stream.fromPubSub(this.changes)
            })
      )
    )
  }

  /** Publishes a change only when the state really changes. */
  setState(next: Auth.UserState): Effect.Effect<void> {
    return Effect.suspend(() => {
      const previous = this.state
      if (previous === next) return Effect.void
      this.state = next
      if (this.changes !== undefined) PubSub.publishUnsafe(this.changes, next)
      return stateTransition(previous, next)
    })
  }

  /**
   * Stores a session and makes it current, under the lock. A sign-in (no `seen`) stores
   * first and bumps the epoch: a session that cannot be stored is not established. A
   * refresh (with `seen`) writes only if no sign-in or sign-out came since, and keeps its
   * tokens in memory even when the store cannot take them: they are the newest, and with
   * rotation the stored refresh token may already be spent.
   */
  commit(next: Current, seen: number | undefined): Effect.Effect<boolean, AuthError.AuthError> {
    const self = this
    return this.withLock(
      Effect.gen(function* () {
        if (seen !== undefined && self.epoch !== seen) return false
        let saved = true
        if (seen === undefined) yield* self.store.save(next.session)
        else
          saved = yield* Effect.catch(Effect.as(self.store.save(next.session), true), (error) =>
            Effect.as(
              Effect.logWarning("effect-cognito: the refreshed session could not be stored; using it in memory").pipe(
                Effect.annotateLogs({ key: self.store.key, reason: error.reason })
              ),
              false
            )
          )
        self.held = Option.some(next)
        self.unsaved = !saved
        if (seen === undefined) {
          self.epoch++
          self.notBefore = Number.NEGATIVE_INFINITY
        }
        self.touch()
        return true
      })
    )
  }

  establish(
    result: IdentityProvider.AuthenticationResult,
    fallbackUsername: string,
    method: string
  ): Effect.Effect<TokenStore.Session, AuthError.AuthError> {
    const self = this
    return Effect.gen(function* () {
      if (result.refreshToken === undefined)
        return yield* Effect.fail(
          AuthError.make("InvalidResponse", method, "Cognito returned no refresh token on sign-in")
        )
      const next = yield* received(result, { username: fallbackUsername, refreshToken: result.refreshToken }, method, {
        pool: self.pool
      })
      yield* self.sync.withLock(self.commit(next, undefined))
      yield* self.setState("SignedIn")
      yield* self.sync.publish({ _tag: "SignedIn" })
      return next.session
    })
  }

  /**
   * Forgets the session unless a newer sign-in replaced it since `seen`; the caller holds
   * the shared lock. Memory, epoch and state first, the store last (still under the lock,
   * so a sign-in cannot save in between), so a store that cannot be cleared never keeps
   * the user signed in; its failure is returned after the change is published.
   */
  forgetSince(nextState: Auth.UserState, seen: number | undefined): Effect.Effect<boolean, AuthError.AuthError> {
    const self = this
    return Effect.gen(function* () {
      const cleared = yield* self.withLock(
        Effect.gen(function* () {
          if (seen !== undefined && self.epoch !== seen) return Option.none()
          self.held = Option.none()
          self.unsaved = false
          self.epoch++
          self.notBefore = Number.NEGATIVE_INFINITY
          self.touch()
          yield* self.setState(nextState)
          return Option.some(yield* Effect.result(self.store.clear))
        })
      )
      if (Option.isNone(cleared)) return false
      yield* self.sync.publish({ _tag: nextState === "SignedOutUserPoolsTokensInvalid" ? "Expired" : "SignedOut" })
      if (cleared.value._tag === "Failure") return yield* Effect.fail(cleared.value.failure)
      return true
    })
  }

  /**
   * Forgets under the shared lock. A lock that cannot be taken (a shared store out of
   * reach) does not keep the user signed in: the session is forgotten here all the same
   * (the store's clear is tried, and may fail too) and the lock's error is returned.
   */
  forget(nextState: Auth.UserState): Effect.Effect<void, AuthError.AuthError> {
    return Effect.suspend(() => {
      let ran = false
      const underLock = Effect.suspend(() => {
        ran = true
        return this.forgetSince(nextState, undefined)
      })
      return this.sync.withLock(underLock).pipe(
        Effect.catch((error) =>
          ran
            ? Effect.fail(error)
            : Effect.andThen(Effect.ignore(this.forgetSince(nextState, undefined)), Effect.fail(error))
        ),
        Effect.asVoid
      )
    })
  }

  /** No session: `SessionExpired` when the last one ended because its refresh token was rejected. */
  signedOut(): Effect.Effect<never, AuthError.AuthError> {
    return this.state === "SignedOutUserPoolsTokensInvalid"
      ? fail("SessionExpired", "the session ended: the refresh token was rejected; sign in again")
      : fail("NotSignedIn", "no user is signed in")
  }

  /**
   * The hot path: one read of the current session and of `Clock`, no allocation beyond
   * the effect itself when the cached tokens are good. Inside the refresh window a valid
   * token is returned at once (one background refresh runs); only an expired one waits.
   * An evicted session is read from the store first.
   */
  getTokens(getOptions?: {
    readonly forceRefresh?: boolean | undefined
  }): Effect.Effect<Auth.Tokens, AuthError.AuthError> {
    return Effect.clockWith((clock) => {
      const now = this.held
      if (now === undefined) return Effect.flatMap(this.reload, (held) => this.tokensOf(held, clock, getOptions))
      this.touch()
      return this.tokensOf(now, clock, getOptions)
    })
  }

  private tokensOf(
    now: Option.Option<Current>,
    clock: { readonly currentTimeMillisUnsafe: () => number },
    getOptions: { readonly forceRefresh?: boolean | undefined } | undefined
  ): Effect.Effect<Auth.Tokens, AuthError.AuthError> {
    if (Option.isNone(now)) return this.signedOut()
    const at = now.value
    if (getOptions?.forceRefresh === true) return Refresh.refresh(this, at)
    const nowMillis = clock.currentTimeMillisUnsafe()
    if (!needsRefresh(at, nowMillis, this.windowMillis)) return Effect.succeed(at.tokens)
    return isExpired(at, nowMillis) ? Refresh.refresh(this, at) : Refresh.revalidate(this, at, nowMillis)
  }

  /**
   * Another context wrote the store: adopt what it holds now. A sign-in or sign-out there
   * (or a session gone) bumps the epoch, so a refresh in flight here cannot write after it.
   */
  follow(event: SessionSync.Event): Effect.Effect<void> {
    return Effect.flatMap(
      this.withLock(
        Effect.map(restore(this.store), (stored) => {
          this.held = stored
          this.unsaved = false
          if (!(event._tag === "Refreshed" && Option.isSome(stored))) this.epoch++
          this.touch()
          return stored
        })
      ),
      (stored) => this.setState(stateAfter(event, Option.isSome(stored), this.state))
    ).pipe(
      Effect.catch((error) =>
        Effect.logWarning("effect-cognito: could not follow a session change from another context").pipe(
          Effect.annotateLogs({ event: event._tag, problem: error.message })
        )
      )
    )
  }

  /**
   * Stores the identity id with the session, under the shared lock, starting from what the
   * store holds: another context may have refreshed meanwhile (and, with rotation, spent
   * the refresh token this one holds), or signed the user out (then nothing is written).
   */
  updateIdentityId(username: string, identityId: string): Effect.Effect<boolean, AuthError.AuthError> {
    const self = this
    return this.sync.withLock(
      this.withLock(
        Effect.gen(function* () {
          const stored = yield* restore(self.store)
          const mine = self.held ?? stored
          // Signed out here or in another context, or another user by now: nothing to store.
          if (Option.isNone(mine) || Option.isNone(stored)) return false
          if (mine.value.session.username !== username || stored.value.session.username !== username) return false
          // Tokens another context stored since are newer than the ones held here: build on them.
          const latest =
            !sameTokens(stored.value.session, mine.value.session) &&
            stored.value.issuedAtMillis >= mine.value.issuedAtMillis
              ? stored.value
              : mine.value
          if (latest.session.identityId === identityId) {
            self.held = Option.some(latest)
            return true
          }
          const session = new TokenStore.Session({ ...latest.session, identityId })
          yield* self.store.save(session)
          self.held = Option.some({ ...latest, session })
          self.unsaved = false
          return true
        })
      )
    )
  }
}

/** Restores the stored session (no request) and builds the session service in the current scope. */
export const make = (options: Options): Effect.Effect<SessionState, AuthError.AuthError, Scope.Scope> =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const restored = yield* restoreAtStart(options.store)
    const session = new SessionState(options, scope, restored)
    session.touch()
    // The in-process sync has no events: no fiber per session for it.
    if (session.sync !== inProcess)
      yield* Effect.forkScoped(Stream.runForEach(session.sync.events, (event) => session.follow(event)))
    const residency = options.residency
    if (residency !== undefined)
      yield* Scope.addFinalizer(
        scope,
        Effect.sync(() => residency.leave(session))
      )
    return session
  })
