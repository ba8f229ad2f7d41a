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
 * do new tokens make) are pure functions exported for tests.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import type * as Auth from "../Auth.js"
import * as AuthError from "../AuthError.js"
import type * as IdentityProvider from "../IdentityProvider.js"
import type * as SessionSync from "../SessionSync.js"
import * as TokenStore from "../TokenStore.js"
import * as Jwt from "./jwt.js"
import { inProcess } from "./sessionSync.js"

type Secret = Redacted.Redacted<string>

/** The session with what the hot path needs already decoded. */
export interface Current {
  readonly session: TokenStore.Session
  readonly tokens: Auth.Tokens
  /** The earlier expiry of the access and id tokens, by the server's clock (ms). */
  readonly expiresAtMillis: number
  /** The later issue time of the access and id tokens, by the server's clock (ms). */
  readonly issuedAtMillis: number
}

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
  /** The lock and events shared with other contexts of the store; the in-process no-op when absent. */
  readonly sync?: SessionSync.SessionSync.Service | undefined
}

// ---------------------------------------------------------------------------
// Pure decisions
// ---------------------------------------------------------------------------

/** Reasons that mean the refresh token is no good any more: the session is over. */
export const endsSession = (error: AuthError.AuthError): boolean =>
  error.reason === "NotAuthorized" ||
  error.reason === "UserNotFound" ||
  error.reason === "PasswordResetRequired" ||
  error.reason === "RefreshTokenReuse"

/**
 * The refresh window in effect for tokens: the configured one, but never more than half
 * their lifetime, so tokens that live no longer than the window are not refreshed on
 * every call.
 */
export const effectiveWindow = (at: Current, windowMillis: number): number =>
  Math.max(0, Math.min(windowMillis, (at.expiresAtMillis - at.issuedAtMillis) / 2))

/** Whether the cached tokens are too close to expiry (by the server's clock) to hand out without a refresh. */
export const needsRefresh = (at: Current, nowMillis: number, windowMillis: number): boolean =>
  nowMillis + at.session.clockSkewMillis >= at.expiresAtMillis - effectiveWindow(at, windowMillis)

/** Whether the cached tokens have expired (by the server's clock): only then does a caller wait for a refresh. */
export const isExpired = (at: Current, nowMillis: number): boolean =>
  nowMillis + at.session.clockSkewMillis >= at.expiresAtMillis

/**
 * How long after a failed background refresh the next one may start, while the tokens
 * are still valid: an outage costs one request per this interval, not one per call.
 */
export const backgroundRetryMillis = 10_000

/** The hot path's view of a session whose tokens' claims are decoded. */
export const currentOf = (session: TokenStore.Session, access: Jwt.Claims, id: Jwt.Claims): Current => ({
  session,
  tokens: {
    idToken: session.idToken,
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    sub: access.sub,
    username: session.username,
    expiresAt: new Date(access.exp * 1000),
    issuedAt: new Date(access.iat * 1000)
  },
  expiresAtMillis: Math.min(access.exp, id.exp) * 1000,
  issuedAtMillis: Math.max(access.iat, id.iat) * 1000
})

/**
 * The session of tokens that just arrived: the username from the tokens (Cognito's, not an
 * alias), the refresh token kept when none came, and the clock skew measured from their
 * `iat` against `nowMillis`.
 */
export const sessionOf = (
  result: IdentityProvider.AuthenticationResult,
  previous: { readonly username: string; readonly refreshToken: Secret; readonly identityId?: string | undefined },
  claims: { readonly access: Jwt.Claims; readonly id: Jwt.Claims },
  nowMillis: number
): Current => {
  const { access, id } = claims
  const session = new TokenStore.Session({
    username: access.username ?? id["cognito:username"] ?? previous.username,
    idToken: result.idToken,
    accessToken: result.accessToken,
    refreshToken: result.refreshToken ?? previous.refreshToken,
    ...(previous.identityId === undefined ? {} : { identityId: previous.identityId }),
    clockSkewMillis: Math.min(access.iat, id.iat) * 1000 - nowMillis
  })
  return currentOf(session, access, id)
}

/** Whether two sessions hold the same tokens. */
export const sameTokens = (a: TokenStore.Session, b: TokenStore.Session): boolean =>
  Redacted.value(a.accessToken) === Redacted.value(b.accessToken) &&
  Redacted.value(a.refreshToken) === Redacted.value(b.refreshToken)

/** The user state after an event from another context, given what the store now holds. */
export const stateAfter = (
  event: SessionSync.Event,
  stored: boolean,
  previous: Auth.UserState = "SignedOut"
): Auth.UserState =>
  stored
    ? "SignedIn"
    : event._tag === "Expired"
      ? "SignedOutUserPoolsTokensInvalid"
      : // A plain sign-out signal after an expiry was already followed keeps the more precise state.
        previous === "SignedOutUserPoolsTokensInvalid" || previous === "SignedOutFederatedTokensInvalid"
        ? previous
        : "SignedOut"

/** Decodes the claims of both tokens; fails with `InvalidResponse` on tokens that are not JWTs. */
const claimsOf = (tokens: { readonly accessToken: Secret; readonly idToken: Secret }, method: string) =>
  Effect.all({
    access: Jwt.claims(tokens.accessToken, "access token", method),
    id: Jwt.claims(tokens.idToken, "id token", method)
  })

/**
 * The current session of tokens that just arrived, measured against `Clock`. Tokens are
 * judged by the server's clock (the skew measured from their `iat`), so tokens from a
 * server whose clock is far from the device's are neither expired nor refreshed early.
 * Tokens that expire no later than they were issued are refused (`InvalidResponse`).
 */
const received = (
  result: IdentityProvider.AuthenticationResult,
  previous: { readonly username: string; readonly refreshToken: Secret; readonly identityId?: string | undefined },
  method: string
) =>
  Effect.flatMap(claimsOf(result, method), (claims) =>
    claims.access.exp <= claims.access.iat || claims.id.exp <= claims.id.iat
      ? Effect.fail(AuthError.make("InvalidResponse", method, "the tokens expire no later than they were issued"))
      : Effect.map(Clock.currentTimeMillis, (now) => sessionOf(result, previous, claims, now))
  )

/** The stored session, decoded; an unreadable one is cleared and treated as signed out. */
const restore = (store: TokenStore.TokenStore.Service) =>
  Effect.flatMap(
    store.load,
    Option.match({
      onNone: () => Effect.succeed(Option.none<Current>()),
      onSome: (session) =>
        claimsOf(session, "restore").pipe(
          Effect.map(({ access, id }) => Option.some(currentOf(session, access, id))),
          Effect.catchAll((error) =>
            Effect.logWarning(
              "effect-cognito: the stored session holds unreadable tokens; treating it as signed out"
            ).pipe(
              Effect.annotateLogs({ problem: error.message }),
              Effect.zipRight(
                Effect.catchAll(store.clear, (cleared) =>
                  Effect.logWarning("effect-cognito: the unreadable stored session could not be removed").pipe(
                    Effect.annotateLogs({ key: store.key, reason: cleared.reason })
                  )
                )
              ),
              Effect.as(Option.none<Current>())
            )
          )
        )
    })
  )

/**
 * The session at start: a store that cannot be read is a signed-out start, logged by
 * reason only, so the app starts; a later save reports the store's failure.
 */
const restoreAtStart = (store: TokenStore.TokenStore.Service): Effect.Effect<Option.Option<Current>> =>
  Effect.catchAll(restore(store), (error) =>
    Effect.logWarning("effect-cognito: the token store cannot be read; starting signed out").pipe(
      Effect.annotateLogs({ key: store.key, reason: error.reason, method: error.method }),
      Effect.as(Option.none<Current>())
    )
  )

const fail = (reason: AuthError.Reason, description: string) =>
  Effect.fail(AuthError.make(reason, "getTokens", description))

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
    const lock = yield* Effect.makeSemaphore(1)
    const inflight = yield* Ref.make(Option.none<Deferred.Deferred<Auth.Tokens, AuthError.AuthError>>())

    const state = yield* SubscriptionRef.make<Auth.UserState>(Option.isSome(restored) ? "SignedIn" : "SignedOut")
    const stateLock = yield* Effect.makeSemaphore(1)
    /** Publishes a change only when the state really changes: a SubscriptionRef publishes every write. */
    const setState = (next: Auth.UserState) =>
      stateLock.withPermits(1)(
        Effect.flatMap(SubscriptionRef.get(state), (previous) =>
          previous === next
            ? Effect.void
            : Effect.zipRight(
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
            yield* Effect.catchAll(store.save(next.session), (error) =>
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
        const next = yield* received(result, { username: fallbackUsername, refreshToken: result.refreshToken }, method)
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
            return Option.some(yield* Effect.either(store.clear))
          })
        )
        if (Option.isNone(cleared)) return false
        yield* sync.publish({ _tag: nextState === "SignedOutUserPoolsTokensInvalid" ? "Expired" : "SignedOut" })
        if (cleared.value._tag === "Left") return yield* Effect.fail(cleared.value.left)
        return true
      })

    /** After a refresh that brought no tokens, no background refresh for {@link backgroundRetryMillis}. */
    const holdBackground = Effect.map(Clock.currentTimeMillis, (now) => {
      background.notBefore = now + backgroundRetryMillis
    })

    const windowMillis = Duration.toMillis(options.refreshWindow)

    const serverNow = (session: TokenStore.Session) =>
      Effect.map(Clock.currentTimeMillis, (now) => now + session.clockSkewMillis)

    const refreshNow = (at: Current, seen: number): Effect.Effect<Auth.Tokens, AuthError.AuthError> =>
      Effect.gen(function* () {
        const session = at.session
        const result = yield* Effect.catchAll(options.refresh(session), (error) =>
          Effect.gen(function* () {
            if (endsSession(error)) {
              yield* Effect.logInfo("effect-cognito: the refresh token was rejected; the session is over").pipe(
                Effect.annotateLogs({ reason: error.reason })
              )
              yield* Effect.catchAll(forgetSince("SignedOutUserPoolsTokensInvalid", seen), (cleared) =>
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
        const next = yield* received(result, session, "getTokens")
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
          const read = yield* Effect.either(restore(store))
          // A store that cannot be read says nothing about other contexts: refresh what this one holds.
          if (read._tag === "Left") return yield* refreshNow(at, seen)
          const stored = read.right
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
            Effect.flatMap((exit) => Effect.zipRight(Ref.set(inflight, Option.none()), Deferred.done(mine, exit))),
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
        const nowMillis = clock.unsafeCurrentTimeMillis()
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
                Effect.zipRight(
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
        Effect.catchAll((error) =>
          Effect.logWarning("effect-cognito: could not follow a session change from another context").pipe(
            Effect.annotateLogs({ event: event._tag, problem: error.message })
          )
        )
      )
    yield* Effect.forkScoped(Stream.runForEach(sync.events, follow))

    const updateIdentityId: Session["updateIdentityId"] = (username, identityId) =>
      lock.withPermits(1)(
        Effect.suspend(() => {
          const now = current.value
          if (Option.isNone(now) || now.value.session.username !== username) return Effect.succeed(false)
          if (now.value.session.identityId === identityId) return Effect.succeed(true)
          const session = new TokenStore.Session({ ...now.value.session, identityId })
          return Effect.as(
            Effect.tap(store.save(session), () => {
              current.value = Option.some({ ...now.value, session })
            }),
            true
          )
        })
      )

    return {
      current: readCurrent,
      getTokens,
      establish,
      forget: (nextState) => Effect.asVoid(sync.withLock(forgetSince(nextState, undefined))),
      userState: SubscriptionRef.get(state),
      userStateChanges: Stream.drop(state.changes, 1),
      setState,
      updateIdentityId
    }
  })
