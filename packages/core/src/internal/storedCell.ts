/**
 * A value kept in memory and, best effort, in the `TokenStore` between runs: the guest's
 * identity id (so a guest keeps one identity, as Amplify and AWSMobileClient keep it) and
 * a federated sign-in (so a restart finds the user signed in, as AWSMobileClient does).
 * Read once when `Auth` is built; written and removed in the order they were asked. A store
 * that fails is logged and costs only the copy: the value in memory is what counts.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Result from "effect/Result"
import * as Semaphore from "effect/Semaphore"
import type * as AuthError from "../AuthError.js"

/** A value in memory with its stored copy. */
export interface StoredCell<A> {
  /** The value, if one is known. */
  readonly get: () => A | undefined
  /** Keeps a value, here and in the store (not written again when `same` says it is the one kept). */
  readonly set: (value: A) => Effect.Effect<void>
  /** Forgets the value, here and in the store; a store that fails is logged. */
  readonly drop: Effect.Effect<void>
  /**
   * Forgets the value, here and in the store, and fails with the store's `Storage` error
   * when the stored copy could not be removed (sign-out reports it, as for the session).
   */
  readonly forget: Effect.Effect<void, AuthError.AuthError>
}

/** What a cell reads and writes. */
export interface Io<A> {
  readonly load: Effect.Effect<Option.Option<A>, AuthError.AuthError>
  readonly save: (value: A) => Effect.Effect<void, AuthError.AuthError>
  readonly clear: Effect.Effect<void, AuthError.AuthError>
}

const warnOnFailure = (what: string) =>
  Effect.catch((error: AuthError.AuthError) =>
    Effect.logWarning(`effect-cognito: ${what} failed`).pipe(Effect.annotateLogs({ reason: error.reason }))
  )

/**
 * Loads the stored value when `enabled` (an identity pool is configured), or takes the read
 * already made (`loaded`). `name` says what it is in logs ("the guest identity id");
 * `onUnreadable` what a failed read costs.
 */
export const make = <A>(
  io: Io<A>,
  options: {
    readonly enabled: boolean
    readonly name: string
    readonly onUnreadable: string
    readonly same: (a: A, b: A) => boolean
    readonly loaded?: Result.Result<Option.Option<A>, AuthError.AuthError> | undefined
  }
): Effect.Effect<StoredCell<A>> =>
  Effect.gen(function* () {
    /** A copy may be in the store that memory does not know of: the read failed, or a removal did. */
    let unknown = false
    let current = options.enabled
      ? Option.getOrUndefined(
          yield* (options.loaded === undefined ? io.load : Effect.fromResult(options.loaded)).pipe(
            Effect.catch((error) =>
              Effect.as(
                Effect.logWarning(`effect-cognito: reading ${options.name} failed; ${options.onUnreadable}`).pipe(
                  Effect.annotateLogs({ reason: error.reason }),
                  Effect.andThen(Effect.sync(() => (unknown = true)))
                ),
                Option.none<A>()
              )
            )
          )
        )
      : undefined
    // One store write at a time, so a remove and a later set land in the order they were asked;
    // the lock exists only while a write holds or waits for it.
    let lock: Semaphore.Semaphore | undefined
    let writers = 0
    const ordered = <E>(write: Effect.Effect<void, E>) =>
      Effect.suspend(() => {
        lock ??= Semaphore.makeUnsafe(1)
        writers++
        return Effect.ensuring(
          lock.withPermits(1)(write),
          Effect.sync(() => {
            if (--writers === 0) lock = undefined
          })
        )
      })
    // `current` changes at once, before the write waits: a later drop sees it and is ordered after.
    const forget = Effect.suspend(() => {
      if (current === undefined && !unknown) return Effect.void
      current = undefined
      return ordered(
        io.clear.pipe(
          Effect.tap(() => Effect.sync(() => (unknown = false))),
          Effect.tapError(() => Effect.sync(() => (unknown = true)))
        )
      )
    })
    return {
      get: () => current,
      set: (value) =>
        Effect.suspend(() => {
          if (current !== undefined && options.same(current, value)) return Effect.void
          current = value
          return ordered(io.save(value).pipe(warnOnFailure(`storing ${options.name}`)))
        }),
      drop: forget.pipe(warnOnFailure(`removing ${options.name}`)),
      forget
    }
  })
