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
  /** Forgets the session (store first, then memory) and moves to `state`. */
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

/** Whether the cached tokens are too close to expiry (by the server's clock) to hand out. */
export const needsRefresh = (at: Current, nowMillis: number, windowMillis: number): boolean =>
  nowMillis + at.session.clockSkewMillis >= at.expiresAtMillis - windowMillis

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
  expiresAtMillis: Math.min(access.exp, id.exp) * 1000
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
export const stateAfter = (event: SessionSync.Event, stored: boolean): Auth.UserState =>
  stored ? "SignedIn" : event._tag === "Expired" ? "SignedOutUserPoolsTokensInvalid" : "SignedOut"

/** Decodes the claims of both tokens; fails with `InvalidResponse` on tokens that are not JWTs. */
const claimsOf = (tokens: { readonly accessToken: Secret; readonly idToken: Secret }, method: string) =>
  Effect.all({
    access: Jwt.claims(tokens.accessToken, "access token", method),
    id: Jwt.claims(tokens.idToken, "id token", method)
  })

/** The current session of tokens that just arrived, measured against `Clock`. */
const received = (
  result: IdentityProvider.AuthenticationResult,
  previous: { readonly username: string; readonly refreshToken: Secret; readonly identityId?: string | undefined },
  method: string
) =>
  Effect.zipWith(claimsOf(result, method), Clock.currentTimeMillis, (claims, now) =>
    sessionOf(result, previous, claims, now)
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
              Effect.zipRight(store.clear),
              Effect.as(Option.none<Current>())
            )
          )
        )
    })
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
    const restored = yield* restore(store)

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

    /**
     * Writes store and memory together under the lock. With `seen`, only if no sign-in or
     * sign-out came since (a refresh's write); a sign-in or sign-out bumps the epoch.
     */
    const commit = (next: Option.Option<Current>, seen: number | undefined) =>
      lock.withPermits(1)(
        Effect.gen(function* () {
          if (seen !== undefined && (yield* Ref.get(epoch)) !== seen) return false
          yield* Option.isSome(next) ? store.save(next.value.session) : store.clear
          current.value = next
          if (seen === undefined || Option.isNone(next)) yield* Ref.update(epoch, (n) => n + 1)
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
        yield* sync.withLock(commit(Option.some(next), undefined))
        yield* setState("SignedIn")
        yield* sync.publish({ _tag: "SignedIn" })
        return next.session
      })

    /** Forgets the session unless a newer sign-in replaced it since `seen`; the caller holds the shared lock. */
    const forgetSince = (nextState: Auth.UserState, seen: number | undefined) =>
      Effect.tap(commit(Option.none(), seen), (forgot) =>
        forgot
          ? Effect.zipRight(
              setState(nextState),
              sync.publish({ _tag: nextState === "SignedOutUserPoolsTokensInvalid" ? "Expired" : "SignedOut" })
            )
          : Effect.void
      )

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
              yield* forgetSince("SignedOutUserPoolsTokensInvalid", seen)
              return yield* Effect.fail(
                AuthError.make("SessionExpired", "getTokens", "the refresh token was rejected; sign in again", {
                  cause: error
                })
              )
            }
            if (AuthError.isTransient(error) && (yield* serverNow(session)) < at.expiresAtMillis) {
              yield* Effect.logDebug("effect-cognito: refresh failed transiently; the current tokens are still valid")
              return undefined
            }
            return yield* Effect.fail(error)
          })
        )
        if (result === undefined) return at.tokens
        const next = yield* received(result, session, "getTokens")
        if (!(yield* commit(Option.some(next), seen)))
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
          const stored = yield* restore(store)
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

    /** One refresh for any number of concurrent callers. */
    const refresh = (at: Current) =>
      Effect.gen(function* () {
        const mine = yield* Deferred.make<Auth.Tokens, AuthError.AuthError>()
        const shared = yield* Ref.modify(inflight, (existing) =>
          Option.isSome(existing) ? [existing.value, existing] : [mine, Option.some(mine)]
        )
        if (shared === mine) {
          const seen = yield* Ref.get(epoch)
          yield* refreshShared(at, seen).pipe(
            Effect.exit,
            Effect.flatMap((exit) => Effect.zipRight(Ref.set(inflight, Option.none()), Deferred.done(mine, exit))),
            Effect.forkIn(scope)
          )
        }
        return yield* Deferred.await(shared)
      })

    /**
     * The hot path: one read of the current session and of `Clock`, no allocation beyond
     * the effect itself when the cached tokens are good.
     */
    const getTokens: Session["getTokens"] = (getOptions) =>
      Effect.clockWith((clock) => {
        const now = current.value
        if (Option.isNone(now)) return fail("NotSignedIn", "no user is signed in")
        const at = now.value
        if (getOptions?.forceRefresh === true) return refresh(at)
        return needsRefresh(at, clock.unsafeCurrentTimeMillis(), windowMillis) ? refresh(at) : Effect.succeed(at.tokens)
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
        (stored) => setState(stateAfter(event, Option.isSome(stored)))
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
