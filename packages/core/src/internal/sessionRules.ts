/**
 * The session's pure decisions and the decoding of tokens into the hot path's view: does a
 * session need a refresh, has it expired, does a failure end it, what session do new tokens
 * make, what state follows an event from another context; and the restore of the stored
 * session (an unreadable one is cleared, an unreadable store is a signed-out start).
 *
 * Pure functions are exported for tests; `session.ts` re-exports them.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Auth from "../Auth.js"
import * as AuthError from "../AuthError.js"
import type * as IdentityProvider from "../IdentityProvider.js"
import type * as SessionSync from "../SessionSync.js"
import * as TokenStore from "../TokenStore.js"
import * as Jwt from "./jwt.js"

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
    username: Jwt.usernameOf(claims) ?? previous.username,
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
export const claimsOf = (tokens: { readonly accessToken: Secret; readonly idToken: Secret }, method: string) =>
  Effect.all({
    access: Jwt.claims(tokens.accessToken, "access token", method),
    id: Jwt.claims(tokens.idToken, "id token", method)
  })

/** What tokens that just arrived must name, beyond one user in both tokens. */
export interface Expected {
  /** The user pool and app client (no check of `iss`, `aud`, `client_id`, `token_use` without). */
  readonly pool?: Jwt.Pool | undefined
  /** The user a refresh must keep: the session's `sub` and username. */
  readonly user?: { readonly sub: string; readonly username: string } | undefined
}

/**
 * The current session of tokens that just arrived, measured against `Clock`. Tokens are
 * judged by the server's clock (the skew measured from their `iat`), so tokens from a
 * server whose clock is far from the device's are neither expired nor refreshed early.
 * Refused with `InvalidResponse`: times out of range, tokens that expire no later than
 * they were issued, an id and an access token of different users, tokens of another pool
 * or app client (with `expected.pool`), and a refresh that names another user than the
 * session's (`expected.user`).
 */
export const received = (
  result: IdentityProvider.AuthenticationResult,
  previous: { readonly username: string; readonly refreshToken: Secret; readonly identityId?: string | undefined },
  method: string,
  expected: Expected = {}
) =>
  Effect.gen(function* () {
    const claims = yield* claimsOf(result, method)
    if (claims.access.exp <= claims.access.iat || claims.id.exp <= claims.id.iat)
      return yield* Effect.fail(
        AuthError.make("InvalidResponse", method, "the tokens expire no later than they were issued")
      )
    yield* Jwt.checkPair(claims, expected.pool, method)
    const user = expected.user
    if (user !== undefined) {
      const username = Jwt.usernameOf(claims)
      if (claims.access.sub !== user.sub || (username !== undefined && username !== user.username))
        return yield* Effect.fail(
          AuthError.make(
            "InvalidResponse",
            method,
            `the refreshed tokens name another user than the session's (${claims.access.sub !== user.sub ? "sub" : "username"}); the session is kept`
          )
        )
    }
    return sessionOf(result, previous, claims, yield* Clock.currentTimeMillis)
  })

/** The stored session, decoded; an unreadable one is cleared and treated as signed out. */
export const restore = (store: TokenStore.TokenStore.Service) =>
  Effect.flatMap(
    store.load,
    Option.match({
      onNone: () => Effect.succeed(Option.none<Current>()),
      onSome: (session) =>
        claimsOf(session, "restore").pipe(
          Effect.map(({ access, id }) => Option.some(currentOf(session, access, id))),
          Effect.catch((error) =>
            Effect.logWarning(
              "effect-cognito: the stored session holds unreadable tokens; treating it as signed out"
            ).pipe(
              Effect.annotateLogs({ problem: error.message }),
              Effect.andThen(
                Effect.catch(store.clear, (cleared) =>
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
export const restoreAtStart = (store: TokenStore.TokenStore.Service): Effect.Effect<Option.Option<Current>> =>
  Effect.catch(restore(store), (error) =>
    Effect.logWarning("effect-cognito: the token store cannot be read; starting signed out").pipe(
      Effect.annotateLogs({ key: store.key, reason: error.reason, method: error.method }),
      Effect.as(Option.none<Current>())
    )
  )

/** A `getTokens` failure. */
export const fail = (reason: AuthError.Reason, description: string) =>
  Effect.fail(AuthError.make(reason, "getTokens", description))
