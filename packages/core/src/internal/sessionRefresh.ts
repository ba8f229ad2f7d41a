/**
 * The session's refresh: one refresh in flight for any number of callers, run in the
 * service's scope so no caller can cancel it for the others; under the lock shared with
 * other contexts it re-reads the store first and adopts newer tokens stored elsewhere;
 * a rejected refresh token ends the session, a transient failure keeps still-valid tokens
 * (and holds background refreshes for {@link backgroundRetryMillis}).
 *
 * It works on the session's cell, lock and epoch, which `session.ts` owns and passes in.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Semaphore from "effect/Semaphore"
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
  /** The current session; written only under `lock`. */
  readonly current: { value: Option.Option<Current> }
  /** Bumped by every sign-in and sign-out. */
  readonly epoch: Ref.Ref<number>
  readonly lock: Semaphore.Semaphore
  /** When (device clock, ms) a background refresh may start again. */
  readonly background: { notBefore: number }
  /** Stores a refreshed session unless a sign-in or sign-out came since `seen`; false when one did. */
  readonly commit: (next: Current, seen: number) => Effect.Effect<boolean, AuthError.AuthError>
  /** Forgets the session unless a sign-in replaced it since `seen`; the caller holds the shared lock. */
  readonly forgetSince: (nextState: Auth.UserState, seen: number) => Effect.Effect<boolean, AuthError.AuthError>
}

/** The refresh of one session service: `refresh` waits for the shared refresh, `revalidate` starts it in the background. */
export const make = (cell: Cell) =>
  Effect.map(Ref.make(Option.none<Deferred.Deferred<Auth.Tokens, AuthError.AuthError>>()), (inflight) => {
    const { background, current, epoch, forgetSince, commit, lock, pool, request, scope, store, sync, windowMillis } =
      cell

    /** After a refresh that brought no tokens, no background refresh for {@link backgroundRetryMillis}. */
    const holdBackground = Effect.map(Clock.currentTimeMillis, (now) => {
      background.notBefore = now + backgroundRetryMillis
    })

    const serverNow = (session: TokenStore.Session) =>
      Effect.map(Clock.currentTimeMillis, (now) => now + session.clockSkewMillis)

    const refreshNow = (at: Current, seen: number): Effect.Effect<Auth.Tokens, AuthError.AuthError> =>
      Effect.gen(function* () {
        const session = at.session
        const result = yield* Effect.catch(request(session), (error) =>
          Effect.gen(function* () {
            if (endsSession(error)) {
              yield* Effect.logInfo("effect-cognito: the refresh token was rejected; the session is over").pipe(
                Effect.annotateLogs({ reason: error.reason })
              )
              yield* Effect.catch(forgetSince("SignedOutUserPoolsTokensInvalid", seen), (cleared) =>
                Effect.logWarning("effect-cognito: the ended session could not be removed from the store").pipe(
                  Effect.annotateLogs({ key: store.key, reason: cleared.reason })
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
              yield* holdBackground
              return undefined
            }
            return yield* Effect.fail(error)
          })
        )
        if (result === undefined) return at.tokens
        const next = yield* received(result, session, "getTokens", {
          pool,
          user: { sub: at.tokens.sub, username: session.username }
        })
        if (!(yield* commit(next, seen)))
          return yield* fail("NotSignedIn", "the user signed out while the tokens refreshed")
        yield* sync.publish({ _tag: "Refreshed" })
        return next.tokens
      })

    /**
     * Under the shared lock: what the store holds now decides. Gone → signed out elsewhere;
     * the tokens `at` holds → refresh them; other tokens → another context refreshed them
     * meanwhile: adopt them when they need no refresh (also for a forced refresh: they are
     * newer than the caller's), else refresh those (they have the newest refresh token).
     */
    const refreshShared = (at: Current, seen: number) =>
      sync.withLock(
        Effect.gen(function* () {
          if ((yield* Ref.get(epoch)) !== seen)
            return yield* fail("NotSignedIn", "the user signed in or out while the tokens refreshed")
          const read = yield* Effect.result(restore(store))
          // A store that cannot be read says nothing about other contexts: refresh what this one holds.
          if (read._tag === "Failure") return yield* refreshNow(at, seen)
          const stored = read.success
          if (Option.isNone(stored)) {
            yield* forgetSince("SignedOut", seen)
            return yield* fail("NotSignedIn", "the user signed out in another context")
          }
          const latest = stored.value
          if (sameTokens(latest.session, at.session)) return yield* refreshNow(at, seen)
          // Other tokens are newer than the ones the caller saw, forced or not.
          if (needsRefresh(latest, yield* Clock.currentTimeMillis, windowMillis)) return yield* refreshNow(latest, seen)
          const adopted = yield* lock.withPermits(1)(
            Effect.flatMap(Ref.get(epoch), (now) =>
              Effect.sync(() => {
                if (now !== seen) return false
                current.value = stored
                return true
              })
            )
          )
          if (!adopted) return yield* fail("NotSignedIn", "the user signed in or out while the tokens refreshed")
          return latest.tokens
        })
      )

    /**
     * The one refresh in flight for any number of callers, started (in the service's scope,
     * so no caller can cancel it for the others) when there is none.
     */
    const start = (at: Current) =>
      Effect.gen(function* () {
        const mine = yield* Deferred.make<Auth.Tokens, AuthError.AuthError>()
        const shared = yield* Ref.modify(inflight, (existing) =>
          Option.isSome(existing) ? [existing.value, existing] : [mine, Option.some(mine)]
        )
        if (shared === mine) {
          const seen = yield* Ref.get(epoch)
          yield* refreshShared(at, seen).pipe(
            Effect.exit,
            Effect.tap((exit) => (exit._tag === "Failure" ? holdBackground : Effect.void)),
            Effect.flatMap((exit) => Effect.andThen(Ref.set(inflight, Option.none()), Deferred.done(mine, exit))),
            Effect.forkIn(scope)
          )
        }
        return shared
      })

    /** Waits for the shared refresh. */
    const refresh = (at: Current) => Effect.flatMap(start(at), Deferred.await)

    /**
     * Stale-while-revalidate: starts the shared refresh in the background (unless one brought
     * no tokens within {@link backgroundRetryMillis}) and returns the still-valid tokens at once.
     */
    const revalidate = (at: Current, nowMillis: number) =>
      nowMillis < background.notBefore ? Effect.succeed(at.tokens) : Effect.as(start(at), at.tokens)

    return { refresh, revalidate }
  })
