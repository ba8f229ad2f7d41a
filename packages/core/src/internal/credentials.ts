/**
 * Identity-pool credentials behind `Auth.getAWSCredentials`, `Auth.identityId` and
 * `Auth.federatedSignIn`.
 *
 * Whose credentials a call gets is decided at each call ({@link Login}): the signed-in
 * user's (logins: the user pool's provider name → the id token from `getTokens`, so a
 * token about to expire is refreshed first), else a federated identity's (the external
 * provider's name → its token), else a guest's (no logins). Credentials are cached under
 * the login's key (which holds the id or federated token, so a new token, a new user or a
 * sign-out misses the cache) until `credentialsRefreshMargin` before their expiration, by
 * `Clock` corrected for the session's measured clock skew. Concurrent callers of one key
 * share one GetId + GetCredentialsForIdentity, run in the service's scope.
 *
 * The identity id is reused: the session's (stored, so it survives a restart), else the
 * one learned in this process. A guest's is stored too (`./storedCell.js`), so a guest
 * keeps one identity between runs; it is carried into the first signed-in (or federated)
 * GetCredentialsForIdentity, so Cognito links the login to it or merges it, and dropped then
 * and on sign-out. A federated sign-in the pool accepted is stored as well (provider,
 * token, identity id), so a restart finds the user signed in, as AWSMobileClient does; it
 * is dropped when the pool rejects its token, on sign-out, on a new federated sign-in and
 * when a user-pool session takes over.
 *
 * Failures: a pool refusing guests gives `NotSignedIn`; a federated token the pool later
 * rejects (`NotAuthorized`) ends the federated sign-in (`SignedOutFederatedTokensInvalid`,
 * `SessionExpired`); a transient failure ends nothing and, while the cached credentials
 * have not expired yet, serves them.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Result from "effect/Result"
import type * as Scope from "effect/Scope"
import type * as AuthConfig from "../AuthConfig.js"
import * as AuthError from "../AuthError.js"
import type * as AwsCredentials from "../AwsCredentials.js"
import type * as IdentityPool from "../IdentityPool.js"
import {
  type FederatedSignInInput,
  type Federated,
  fetchOnce,
  isFresh,
  type Login,
  rejectsLogin
} from "./credentialsLogin.js"
import * as TokenStore from "../TokenStore.js"
import * as StoredCell from "./storedCell.js"
import type * as Session from "./session.js"

/** The credentials service the flows use. */
export interface Credentials {
  readonly get: (options?: {
    readonly forceRefresh?: boolean | undefined
  }) => Effect.Effect<AwsCredentials.AwsCredentials, AuthError.AuthError>
  readonly identityId: Effect.Effect<Option.Option<string>>
  readonly federatedSignIn: (
    input: FederatedSignInInput
  ) => Effect.Effect<AwsCredentials.AwsCredentials, AuthError.AuthError>
  /** Is a federated sign-in in place (its token accepted by the pool, not yet rejected or signed out)? */
  readonly federatedSignedIn: Effect.Effect<boolean>
  /**
   * Drops the cached credentials, the federated sign-in and every identity id kept in
   * memory (sign-out), and the stored guest id and federated sign-in; fails with `Storage`
   * (everything else already dropped) when the stored federated sign-in could not be
   * removed, as it would sign the user in again at the next start.
   */
  readonly clear: Effect.Effect<void, AuthError.AuthError>
}

export interface Options {
  /** The identity pool, when the app has one. */
  readonly pool: Option.Option<IdentityPool.IdentityPool.Service>
  readonly config: AuthConfig.Validated
  readonly session: Session.Session
  /** Where the guest identity id and the federated sign-in are kept between runs. */
  readonly store: TokenStore.TokenStore.Service
  /** The stored federated sign-in as read at start, when it was read already. */
  readonly federationAtStart?: Result.Result<Option.Option<TokenStore.Federation>, AuthError.AuthError> | undefined
}

const fail = (reason: AuthError.Reason, method: string, description: string, cause?: AuthError.AuthError) =>
  Effect.fail(AuthError.make(reason, method, description, cause === undefined ? undefined : { cause }))

const method = "getAWSCredentials"

const sameFederation = (a: TokenStore.Federation, b: TokenStore.Federation) =>
  a.provider === b.provider &&
  Redacted.value(a.token) === Redacted.value(b.token) &&
  a.identityId === b.identityId &&
  a.customRoleArn === b.customRoleArn

// ---------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------

export const make = (options: Options): Effect.Effect<Credentials, never, Scope.Scope> =>
  Effect.gen(function* () {
    const { config, session } = options
    const scope = yield* Effect.scope
    const marginMillis = Duration.toMillis(config.credentialsRefreshMargin)

    /** Mutable cells, read and written between yields only (atomic in JS). */
    let cache: { readonly key: string; readonly credentials: AwsCredentials.AwsCredentials } | undefined
    let federated: Federated | undefined
    const { store } = options
    const enabled = Option.isSome(options.pool) && config.identityPoolId !== undefined
    const guest = yield* StoredCell.make(
      { load: store.loadGuestIdentityId, save: store.saveGuestIdentityId, clear: store.clearGuestIdentityId },
      { enabled, name: "the guest identity id", onUnreadable: "a guest gets a new one", same: (a, b) => a === b }
    )
    const federation = yield* StoredCell.make(
      { load: store.loadFederation, save: store.saveFederation, clear: store.clearFederation },
      {
        enabled,
        name: "the federated sign-in",
        onUnreadable: "it is not restored",
        same: sameFederation,
        loaded: options.federationAtStart
      }
    )
    /** Identity ids learned in this process, by username (a refresh may write the session without one). */
    const known = new Map<string, string>()
    /** Bumped by `clear` and by a federated sign-in: a fetch that started before does not write after. */
    let generation = 0
    const inflight = new Map<string, Deferred.Deferred<AwsCredentials.AwsCredentials, AuthError.AuthError>>()

    // A stored federated sign-in signs the user in again, unless a user-pool session took over
    // (then any stored copy goes, even one that could not be read).
    const restored = federation.get()
    if (Option.isSome(yield* session.current)) yield* federation.drop
    else if (restored !== undefined) {
      federated = {
        provider: restored.provider,
        token: restored.token,
        customRoleArn: restored.customRoleArn,
        confirmed: true,
        identityId: restored.identityId
      }
      yield* session.setState("SignedIn")
    }

    const poolOf = (forMethod: string) =>
      Option.isNone(options.pool)
        ? fail("InvalidConfig", forMethod, "no IdentityPool service is provided: AWS credentials need an identity pool")
        : config.identityPoolId === undefined
          ? fail("InvalidConfig", forMethod, "identityPoolId is not configured: AWS credentials need an identity pool")
          : Effect.succeed(options.pool.value)

    /** Whose credentials: the signed-in user, else the federated identity, else a guest. */
    const resolve: Effect.Effect<Login, AuthError.AuthError> = Effect.flatMap(session.current, (now) => {
      if (Option.isSome(now)) {
        federated = undefined
        const at = now.value.session
        const login = Effect.map(session.getTokens(), (tokens): Login => {
          const idToken = Redacted.value(tokens.idToken)
          const own = at.identityId ?? known.get(tokens.username)
          return {
            _tag: "User",
            key: `user:${idToken}`,
            username: tokens.username,
            logins: { [config.loginProvider]: tokens.idToken },
            identityId: own ?? guest.get(),
            fromGuest: own === undefined && guest.get() !== undefined,
            skewMillis: at.clockSkewMillis
          }
        })
        // A user-pool sign-in took over a federated one of this process: its stored copy goes
        // once, not a store step on every call of the hot path.
        return federation.get() === undefined ? login : Effect.andThen(federation.drop, login)
      }
      const fed = federated
      if (fed !== undefined)
        return Effect.succeed<Login>({
          _tag: "Federated",
          key: `federated:${fed.provider}:${Redacted.value(fed.token)}`,
          federated: fed,
          logins: { [fed.provider]: fed.token },
          identityId: fed.identityId ?? guest.get(),
          fromGuest: fed.identityId === undefined && guest.get() !== undefined,
          skewMillis: 0
        })
      const identityId = guest.get()
      return Effect.succeed<Login>({
        _tag: "Guest",
        key: "guest",
        identityId,
        fromGuest: identityId !== undefined,
        skewMillis: 0
      })
    })

    /** A failed fetch: what it ends (a federated sign-in), what it keeps (credentials not yet expired). */
    const onFailure = (login: Login, error: AuthError.AuthError, seen: number) =>
      Effect.gen(function* () {
        if (login._tag === "Federated" && rejectsLogin(error)) {
          if (!login.federated.confirmed || seen !== generation || federated !== login.federated)
            return yield* Effect.fail(error)
          yield* Effect.logInfo("effect-cognito: the identity pool rejected the federated token; signed out")
          federated = undefined
          cache = undefined
          yield* federation.drop
          yield* session.setState("SignedOutFederatedTokensInvalid")
          return yield* fail(
            "SessionExpired",
            method,
            "the identity pool rejected the federated token; sign in again",
            error
          )
        }
        if (login._tag === "Guest" && rejectsLogin(error))
          return yield* fail("NotSignedIn", method, "no user is signed in and the identity pool refuses guests", error)
        const kept = cache
        if (AuthError.isTransient(error) && kept !== undefined && kept.key === login.key) {
          const now = yield* Clock.currentTimeMillis
          if (now + login.skewMillis < kept.credentials.expiration.getTime()) {
            yield* Effect.logDebug(
              "effect-cognito: renewing credentials failed transiently; the current ones are valid"
            )
            return kept.credentials
          }
        }
        return yield* Effect.fail(error)
      })

    /** Keeps what a successful fetch learned, unless a sign-out or a new federated sign-in came since. */
    const keep = (login: Login, credentials: AwsCredentials.AwsCredentials, seen: number) =>
      Effect.gen(function* () {
        if (seen !== generation) return yield* fail("NotSignedIn", method, "signed out while credentials were fetched")
        const { identityId } = credentials
        switch (login._tag) {
          case "User": {
            known.set(login.username, identityId)
            yield* guest.drop
            const stored = yield* session
              .updateIdentityId(login.username, identityId)
              .pipe(
                Effect.catch((error) =>
                  Effect.as(
                    Effect.logWarning("effect-cognito: storing the identity id failed; kept in memory").pipe(
                      Effect.annotateLogs({ reason: error.reason })
                    ),
                    true
                  )
                )
              )
            if (!stored) return yield* fail("NotSignedIn", method, "the user changed while credentials were fetched")
            break
          }
          case "Federated": {
            if (federated !== login.federated)
              return yield* fail("NotSignedIn", method, "signed out while credentials were fetched")
            login.federated.identityId = identityId
            // Kept before any wait: a sign-out during the waits below then removes it after.
            yield* federation.set(
              new TokenStore.Federation(
                {
                  provider: login.federated.provider,
                  token: login.federated.token,
                  identityId,
                  ...(login.federated.customRoleArn === undefined
                    ? {}
                    : { customRoleArn: login.federated.customRoleArn })
                },
                // Checked when it is encoded: a value the store refuses is logged, never thrown.
                { disableChecks: true }
              )
            )
            yield* guest.drop
            if (seen !== generation || federated !== login.federated)
              return yield* fail("NotSignedIn", method, "signed out while credentials were fetched")
            if (!login.federated.confirmed) {
              login.federated.confirmed = true
              yield* session.setState("SignedIn")
            }
            break
          }
          case "Guest": {
            if (Option.isSome(yield* session.current) || federated !== undefined)
              return yield* fail("NotSignedIn", method, "signed in while guest credentials were fetched")
            yield* guest.set(identityId)
            if (seen !== generation || Option.isSome(yield* session.current) || federated !== undefined)
              return yield* fail("NotSignedIn", method, "signed in or out while guest credentials were fetched")
            yield* session.setState("Guest")
            break
          }
        }
        cache = { key: login.key, credentials }
        return credentials
      })

    /** One fetch per login for any number of concurrent callers, run in the service's scope. */
    const flight = (pool: IdentityPool.IdentityPool.Service, login: Login) =>
      Effect.gen(function* () {
        const mine = yield* Deferred.make<AwsCredentials.AwsCredentials, AuthError.AuthError>()
        const existing = inflight.get(login.key)
        if (existing !== undefined) return yield* Deferred.await(existing)
        inflight.set(login.key, mine)
        const seen = generation
        yield* fetchOnce(pool, login, guest.drop).pipe(
          Effect.flatMap((credentials) => keep(login, credentials, seen)),
          Effect.catch((error) => onFailure(login, error, seen)),
          Effect.exit,
          Effect.flatMap((exit) =>
            Effect.andThen(
              Effect.sync(() => inflight.delete(login.key)),
              Deferred.done(mine, exit)
            )
          ),
          Effect.forkIn(scope)
        )
        return yield* Deferred.await(mine)
      })

    const get: Credentials["get"] = (getOptions) =>
      Effect.gen(function* () {
        const pool = yield* poolOf(method)
        const login = yield* resolve
        const kept = cache
        if (getOptions?.forceRefresh !== true && kept !== undefined && kept.key === login.key) {
          const now = yield* Clock.currentTimeMillis
          if (isFresh(kept.credentials, now + login.skewMillis, marginMillis)) return kept.credentials
        }
        return yield* flight(pool, login)
      })

    const federatedSignIn: Credentials["federatedSignIn"] = (input) =>
      Effect.gen(function* () {
        yield* poolOf("federatedSignIn")
        if (Option.isSome(yield* session.current))
          return yield* fail(
            "AlreadySignedIn",
            "federatedSignIn",
            "a user is signed in to the user pool; sign out first"
          )
        if (typeof input.provider !== "string" || input.provider.trim() === "")
          return yield* fail("InvalidInput", "federatedSignIn", "provider: expected a provider name, found none")
        if (!Redacted.isRedacted(input.token) || Redacted.value(input.token) === "")
          return yield* fail("InvalidInput", "federatedSignIn", "token: expected a Redacted, non-empty token")
        generation++
        cache = undefined
        federated = {
          provider: input.provider,
          token: input.token,
          customRoleArn: input.customRoleArn,
          confirmed: false,
          identityId: undefined
        }
        const attempt = federated
        // The earlier federated sign-in's stored copy goes; the new one is kept once the pool accepts it.
        yield* federation.drop
        return yield* Effect.tapError(get(), () =>
          Effect.sync(() => {
            if (federated === attempt && !attempt.confirmed) federated = undefined
          })
        )
      })

    const identityId: Credentials["identityId"] = Effect.map(session.current, (now) => {
      if (Option.isSome(now)) {
        const at = now.value.session
        return Option.fromNullishOr(at.identityId ?? known.get(at.username))
      }
      return Option.fromNullishOr(federated?.confirmed === true ? federated.identityId : guest.get())
    })

    const clear = Effect.suspend(() => {
      generation++
      cache = undefined
      federated = undefined
      known.clear()
      return Effect.andThen(guest.drop, federation.forget)
    })

    const federatedSignedIn = Effect.sync(() => federated?.confirmed === true)

    return { get, identityId, federatedSignIn, federatedSignedIn, clear }
  })
