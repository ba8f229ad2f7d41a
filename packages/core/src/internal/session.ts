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
 * The decisions (does this session need a refresh, does this failure end it, what session
 * do new tokens make) are pure functions in `sessionRules.ts`, re-exported here for tests;
 * the shared refresh lives in `sessionRefresh.ts` and works on this module's cell and lock.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Semaphore from "effect/Semaphore"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
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
}

// ---------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------

/** Restores the stored session (no request) and builds the session service in the current scope. */
export const make = (options: Options): Effect.Effect<Session, AuthError.AuthError, Scope.Scope> =>
  Effect.gen(function* () {
    const { store } = options
    const sync = options.sync ?? inProcess
    const scope = yield* Effect.scope
    const restored = yield* restoreAtStart(store)

    /** The session and its decoded tokens. A plain cell: every write happens under `lock`, and reads are atomic in JS. */
    const current = { value: restored }
    const readCurrent = Effect.sync(() => current.value)
    /** Bumped by every sign-in and sign-out, so a refresh that started before cannot write after. */
    const epoch = yield* Ref.make(0)
    const lock = yield* Semaphore.make(1)

    const state = yield* SubscriptionRef.make<Auth.UserState>(Option.isSome(restored) ? "SignedIn" : "SignedOut")
    const stateLock = yield* Semaphore.make(1)
    /** Publishes a change only when the state really changes: a SubscriptionRef publishes every write. */
    const setState = (next: Auth.UserState) =>
      stateLock.withPermits(1)(
        Effect.flatMap(SubscriptionRef.get(state), (previous) =>
          previous === next
            ? Effect.void
            : Effect.andThen(
                Effect.logDebug(`effect-cognito: user state ${previous} -> ${next}`),
                SubscriptionRef.set(state, next)
              )
        )
      )

    /** When (device clock, ms) a background refresh may start again after one brought no tokens. */
    const background = { notBefore: Number.NEGATIVE_INFINITY }

    /**
     * Stores a session and makes it current, under the lock. A sign-in (no `seen`) stores
     * first and bumps the epoch: a session that cannot be stored is not established. A
     * refresh (with `seen`) writes only if no sign-in or sign-out came since, and keeps its
     * tokens in memory even when the store cannot take them: they are the newest, and with
     * rotation the stored refresh token may already be spent.
     */
    const commit = (next: Current, seen: number | undefined) =>
      lock.withPermits(1)(
        Effect.gen(function* () {
          if (seen !== undefined && (yield* Ref.get(epoch)) !== seen) return false
          if (seen === undefined) yield* store.save(next.session)
          else
            yield* Effect.catch(store.save(next.session), (error) =>
              Effect.logWarning("effect-cognito: the refreshed session could not be stored; using it in memory").pipe(
                Effect.annotateLogs({ key: store.key, reason: error.reason })
              )
            )
          current.value = Option.some(next)
          if (seen === undefined) {
            yield* Ref.update(epoch, (n) => n + 1)
            background.notBefore = Number.NEGATIVE_INFINITY
          }
          return true
        })
      )

    const establish: Session["establish"] = (result, fallbackUsername, method) =>
      Effect.gen(function* () {
        if (result.refreshToken === undefined)
          return yield* Effect.fail(
            AuthError.make("InvalidResponse", method, "Cognito returned no refresh token on sign-in")
          )
        const next = yield* received(
          result,
          { username: fallbackUsername, refreshToken: result.refreshToken },
          method,
          { pool: options.pool }
        )
        yield* sync.withLock(commit(next, undefined))
        yield* setState("SignedIn")
        yield* sync.publish({ _tag: "SignedIn" })
        return next.session
      })

    /**
     * Forgets the session unless a newer sign-in replaced it since `seen`; the caller holds
     * the shared lock. Memory, epoch and state first, the store last (still under the lock,
     * so a sign-in cannot save in between), so a store that cannot be cleared never keeps
     * the user signed in; its failure is returned after the change is published.
     */
    const forgetSince = (nextState: Auth.UserState, seen: number | undefined) =>
      Effect.gen(function* () {
        const cleared = yield* lock.withPermits(1)(
          Effect.gen(function* () {
            if (seen !== undefined && (yield* Ref.get(epoch)) !== seen) return Option.none()
            current.value = Option.none()
            yield* Ref.update(epoch, (n) => n + 1)
            background.notBefore = Number.NEGATIVE_INFINITY
            yield* setState(nextState)
            return Option.some(yield* Effect.result(store.clear))
          })
        )
        if (Option.isNone(cleared)) return false
        yield* sync.publish({ _tag: nextState === "SignedOutUserPoolsTokensInvalid" ? "Expired" : "SignedOut" })
        if (cleared.value._tag === "Failure") return yield* Effect.fail(cleared.value.failure)
        return true
      })

    /**
     * Forgets under the shared lock. A lock that cannot be taken (a shared store out of
     * reach) does not keep the user signed in: the session is forgotten here all the same
     * (the store's clear is tried, and may fail too) and the lock's error is returned.
     */
    const forget: Session["forget"] = (nextState) =>
      Effect.suspend(() => {
        let ran = false
        const underLock = Effect.suspend(() => {
          ran = true
          return forgetSince(nextState, undefined)
        })
        return sync.withLock(underLock).pipe(
          Effect.catch((error) =>
            ran
              ? Effect.fail(error)
              : Effect.andThen(Effect.ignore(forgetSince(nextState, undefined)), Effect.fail(error))
          ),
          Effect.asVoid
        )
      })

    const windowMillis = Duration.toMillis(options.refreshWindow)
    const { refresh, revalidate } = yield* Refresh.make({
      store,
      sync,
      scope,
      request: options.refresh,
      windowMillis,
      pool: options.pool,
      current,
      epoch,
      lock,
      background,
      commit,
      forgetSince
    })

    /** No session: `SessionExpired` when the last one ended because its refresh token was rejected. */
    const signedOut = Effect.flatMap(SubscriptionRef.get(state), (userState) =>
      userState === "SignedOutUserPoolsTokensInvalid"
        ? fail("SessionExpired", "the session ended: the refresh token was rejected; sign in again")
        : fail("NotSignedIn", "no user is signed in")
    )

    /**
     * The hot path: one read of the current session and of `Clock`, no allocation beyond
     * the effect itself when the cached tokens are good. Inside the refresh window a valid
     * token is returned at once (one background refresh runs); only an expired one waits.
     */
    const getTokens: Session["getTokens"] = (getOptions) =>
      Effect.clockWith((clock) => {
        const now = current.value
        if (Option.isNone(now)) return signedOut
        const at = now.value
        if (getOptions?.forceRefresh === true) return refresh(at)
        const nowMillis = clock.currentTimeMillisUnsafe()
        if (!needsRefresh(at, nowMillis, windowMillis)) return Effect.succeed(at.tokens)
        return isExpired(at, nowMillis) ? refresh(at) : revalidate(at, nowMillis)
      })

    /**
     * Another context wrote the store: adopt what it holds now. A sign-in or sign-out there
     * (or a session gone) bumps the epoch, so a refresh in flight here cannot write after it.
     */
    const follow = (event: SessionSync.Event) =>
      Effect.flatMap(
        lock.withPermits(1)(
          Effect.flatMap(restore(store), (stored) =>
            Effect.as(
              Effect.sync(() => {
                current.value = stored
              }).pipe(
                Effect.andThen(
                  event._tag === "Refreshed" && Option.isSome(stored) ? Effect.void : Ref.update(epoch, (n) => n + 1)
                )
              ),
              stored
            )
          )
        ),
        (stored) =>
          Effect.flatMap(SubscriptionRef.get(state), (previous) =>
            setState(stateAfter(event, Option.isSome(stored), previous))
          )
      ).pipe(
        Effect.catch((error) =>
          Effect.logWarning("effect-cognito: could not follow a session change from another context").pipe(
            Effect.annotateLogs({ event: event._tag, problem: error.message })
          )
        )
      )
    yield* Effect.forkScoped(Stream.runForEach(sync.events, follow))

    /**
     * Stores the identity id with the session, under the shared lock, starting from what the
     * store holds: another context may have refreshed meanwhile (and, with rotation, spent
     * the refresh token this one holds), or signed the user out (then nothing is written).
     */
    const updateIdentityId: Session["updateIdentityId"] = (username, identityId) =>
      sync.withLock(
        lock.withPermits(1)(
          Effect.gen(function* () {
            const stored = yield* restore(store)
            const mine = current.value
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
              current.value = Option.some(latest)
              return true
            }
            const session = new TokenStore.Session({ ...latest.session, identityId })
            yield* store.save(session)
            current.value = Option.some({ ...latest, session })
            return true
          })
        )
      )

    return {
      current: readCurrent,
      getTokens,
      establish,
      forget,
      userState: SubscriptionRef.get(state),
      userStateChanges: Stream.drop(SubscriptionRef.changes(state), 1),
      setState,
      updateIdentityId
    }
  })
