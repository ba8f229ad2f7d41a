/**
 * The guest's identity-pool identity id, kept in the `TokenStore` between runs so a guest
 * keeps one identity (as Amplify and AWSMobileClient keep it) instead of a new one at
 * every start. Read once when `Auth` is built; written when a guest gets credentials;
 * dropped when a sign-in links (or merges) it into a login's identity and on sign-out.
 * Storage is best effort: a failing store costs the guest its identity at the next
 * start, or leaves an id that a sign-in linked since; the pool refuses that one to a
 * guest, and `credentialsLogin.fetchOnce` then drops it and asks for a new identity.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as AuthError from "../AuthError.js"
import type * as TokenStore from "../TokenStore.js"

/** The guest identity id in memory, and its stored copy. */
export interface GuestIdentity {
  /** The guest's identity id, if one is known. */
  readonly get: () => string | undefined
  /** A guest got credentials for this identity. */
  readonly remember: (identityId: string) => Effect.Effect<void>
  /** The guest identity is a login's now, or the user signed out: forget it, here and in the store. */
  readonly drop: Effect.Effect<void>
}

const warnOnFailure = (what: string) =>
  Effect.catchAll((error: AuthError.AuthError) =>
    Effect.logWarning(`effect-cognito: ${what} the guest identity id failed`).pipe(
      Effect.annotateLogs({ reason: error.reason })
    )
  )

/** Loads the stored guest identity id when `enabled` (an identity pool is configured). */
export const make = (store: TokenStore.TokenStore.Service, enabled: boolean): Effect.Effect<GuestIdentity> =>
  Effect.gen(function* () {
    let current = enabled
      ? Option.getOrUndefined(
          yield* store.loadGuestIdentityId.pipe(
            Effect.catchAll((error) =>
              Effect.as(
                Effect.logWarning("effect-cognito: reading the guest identity id failed; a guest gets a new one").pipe(
                  Effect.annotateLogs({ reason: error.reason })
                ),
                Option.none<string>()
              )
            )
          )
        )
      : undefined
    // One store write at a time, so a remove and a later set land in the order they were asked.
    const lock = yield* Effect.makeSemaphore(1)
    return {
      get: () => current,
      remember: (identityId) =>
        Effect.suspend(() => {
          if (current === identityId) return Effect.void
          current = identityId
          return lock.withPermits(1)(store.saveGuestIdentityId(identityId).pipe(warnOnFailure("storing")))
        }),
      drop: Effect.suspend(() => {
        if (current === undefined) return Effect.void
        current = undefined
        return lock.withPermits(1)(store.clearGuestIdentityId.pipe(warnOnFailure("removing")))
      })
    }
  })
