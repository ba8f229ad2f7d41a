/**
 * The session's refresh: one refresh in flight for any number of callers, run in the
 * service's scope so no caller can cancel it for the others; under the lock shared with
 * other contexts it re-reads the store first and adopts newer tokens stored elsewhere;
 * a rejected refresh token ends the session, a transient failure keeps still-valid tokens
 * (and holds background refreshes for {@link backgroundRetryMillis}).
 *
 * It works on the session's fields, lock and epoch ({@link Cell}), which `session.ts` owns:
 * functions of the session, not closures built for each one.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as Auth from "../Auth.js"
import * as AuthError from "../AuthError.js"
import type * as IdentityProvider from "../IdentityProvider.js"
import type * as SessionSync from "../SessionSync.js"
import type * as TokenStore from "../TokenStore.js"
import type * as Jwt from "./jwt.js"
import {
  backgroundRetryMillis,
  type Current,
  endsSession,
  fail,
  needsRefresh,
  received,
  restore,
  sameTokens
} from "./sessionRules.js"

/** The refresh in flight, which every caller waits for. */
export type Inflight = Deferred.Deferred<Auth.Tokens, AuthError.AuthError>

/** The session's state and writes the refresh works on; owned by `session.ts`. */
export interface Cell {
  readonly store: TokenStore.TokenStore.Service
  readonly sync: SessionSync.SessionSync.Service
  /** The scope the shared refresh runs in. */
  readonly scope: Scope.Scope
  /** One refresh request for the session's user. */
  readonly request: (
    session: TokenStore.Session
  ) => Effect.Effect<IdentityProvider.AuthenticationResult, AuthError.AuthError>
  readonly windowMillis: number
  /** The user pool and app client refreshed tokens must name; unchecked when absent. */
  readonly pool: Jwt.Pool | undefined
  /** The current session (`undefined` while evicted); written only under the lock. */
  held: Option.Option<Current> | undefined
  /** The tokens held are newer than the store's. */
  unsaved: boolean
  /** Bumped by every sign-in and sign-out. */
  readonly epoch: number
  /** When (device clock, ms) a background refresh may start again. */
  notBefore: number
  /** The refresh in flight. */
  inflight: Inflight | undefined
  /** Runs an effect under the session's lock. */
  readonly withLock: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Stores a refreshed session unless a sign-in or sign-out came since `seen`; false when one did. */
  readonly commit: (next: Current, seen: number) => Effect.Effect<boolean, AuthError.AuthError>
  /** Forgets the session unless a sign-in replaced it since `seen`; the caller holds the shared lock. */
  readonly forgetSince: (nextState: Auth.UserState, seen: number) => Effect.Effect<boolean, AuthError.AuthError>
}

/** After a refresh that brought no tokens, no background refresh for {@link backgroundRetryMillis}. */
const holdBackground = (cell: Cell) =>
  Effect.map(Clock.currentTimeMillis, (now) => {
    cell.notBefore = now + backgroundRetryMillis
  })

const serverNow = (session: TokenStore.Session) =>
  Effect.map(Clock.currentTimeMillis, (now) => now + session.clockSkewMillis)

const refreshNow = Effect.fnUntraced(function* (cell: Cell, at: Current, seen: number) {
  const session = at.session
  const result = yield* Effect.catch(cell.request(session), (error) =>
    Effect.gen(function* () {
      if (endsSession(error)) {
        yield* Effect.logInfo("effect-cognito: the refresh token was rejected; the session is over").pipe(
          Effect.annotateLogs({ reason: error.reason })
        )
        yield* Effect.catch(cell.forgetSince("SignedOutUserPoolsTokensInvalid", seen), (cleared) =>
          Effect.logWarning("effect-cognito: the ended session could not be removed from the store").pipe(
            Effect.annotateLogs({ key: cell.store.key, reason: cleared.reason })
          )
        )
        return yield* Effect.fail(
          AuthError.make("SessionExpired", "getTokens", "the refresh token was rejected; sign in again", {
            cause: error
          })
        )
      }
      if (AuthError.isTransient(error) && (yield* serverNow(session)) < at.expiresAtMillis) {
        yield* Effect.logDebug("effect-cognito: refresh failed transiently; the current tokens are still valid")
        yield* holdBackground(cell)
        return undefined
      }
      return yield* Effect.fail(error)
    })
  )
  if (result === undefined) return at.tokens
  const next = yield* received(result, session, "getTokens", {
    pool: cell.pool,
    user: { sub: at.tokens.sub, username: session.username }
  })
  if (!(yield* cell.commit(next, seen)))
    return yield* fail("NotSignedIn", "the user signed out while the tokens refreshed")
  yield* cell.sync.publish({ _tag: "Refreshed" })
  return next.tokens
})

/**
 * Under the shared lock: what the store holds now decides. Gone → signed out elsewhere;
 * the tokens `at` holds → refresh them; other tokens → another context refreshed them
 * meanwhile: adopt them when they need no refresh (also for a forced refresh: they are
 * newer than the caller's), else refresh those (they have the newest refresh token).
 */
const refreshShared = (cell: Cell, at: Current, seen: number) =>
  cell.sync.withLock(
    Effect.gen(function* () {
      if (cell.epoch !== seen) return yield* fail("NotSignedIn", "the user signed in or out while the tokens refreshed")
      const read = yield* Effect.result(restore(cell.store))
      // A store that cannot be read says nothing about other contexts: refresh what this one holds.
      if (read._tag === "Failure") return yield* refreshNow(cell, at, seen)
      const stored = read.success
      if (Option.isNone(stored)) {
        yield* cell.forgetSince("SignedOut", seen)
        return yield* fail("NotSignedIn", "the user signed out in another context")
      }
      const latest = stored.value
      if (sameTokens(latest.session, at.session)) return yield* refreshNow(cell, at, seen)
      // Other tokens are newer than the ones the caller saw, forced or not.
      if (needsRefresh(latest, yield* Clock.currentTimeMillis, cell.windowMillis))
        return yield* refreshNow(cell, latest, seen)
      const adopted = yield* cell.withLock(
        Effect.sync(() => {
          if (cell.epoch !== seen) return false
          cell.held = stored
          cell.unsaved = false
          return true
        })
      )
      if (!adopted) return yield* fail("NotSignedIn", "the user signed in or out while the tokens refreshed")
      return latest.tokens
    })
  )

/**
 * The one refresh in flight for any number of callers, started (in the service's scope,
 * so no caller can cancel it for the others) when there is none.
 */
const start = (cell: Cell, at: Current): Effect.Effect<Inflight> =>
  Effect.suspend(() => {
    const existing = cell.inflight
    if (existing !== undefined) return Effect.succeed(existing)
    const mine = Deferred.makeUnsafe<Auth.Tokens, AuthError.AuthError>()
    cell.inflight = mine
    const seen = cell.epoch
    return refreshShared(cell, at, seen).pipe(
      Effect.exit,
      Effect.tap((exit) => (exit._tag === "Failure" ? holdBackground(cell) : Effect.void)),
      Effect.flatMap((exit) =>
        Effect.andThen(
          Effect.sync(() => {
            cell.inflight = undefined
          }),
          Deferred.done(mine, exit)
        )
      ),
      Effect.forkIn(cell.scope),
      Effect.as(mine)
    )
  })

/** Waits for the shared refresh. */
export const refresh = (cell: Cell, at: Current): Effect.Effect<Auth.Tokens, AuthError.AuthError> =>
  Effect.flatMap(start(cell, at), Deferred.await)

/**
 * Stale-while-revalidate: starts the shared refresh in the background (unless one brought
 * no tokens within {@link backgroundRetryMillis}) and returns the still-valid tokens at once.
 */
export const revalidate = (cell: Cell, at: Current, nowMillis: number): Effect.Effect<Auth.Tokens> =>
  nowMillis < cell.notBefore ? Effect.succeed(at.tokens) : Effect.as(start(cell, at), at.tokens)
