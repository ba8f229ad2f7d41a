/**
 * Holds one action of the local Cognito until the test releases it (its `serveAction`
 * option), so a refresh is as slow as a test needs, without timers: either before
 * Cognito serves it (Cognito has not seen it yet) or after (Cognito has served it, say
 * rotated the refresh token, and the client waits for the answer).
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"

export type Mode = "request" | "answer"

/** A held action: `arrived` once it reached the hold; `release` lets it go on. */
export interface Held {
  readonly arrived: Effect.Effect<void>
  readonly release: Effect.Effect<void>
}

export interface Hold {
  /** For `LocalCognito.make({ serveAction })`. */
  readonly serveAction: <A, E>(action: string, serve: Effect.Effect<A, E>) => Effect.Effect<A, E>
  /** Holds the next request for `action`. */
  readonly next: (action: string, mode: Mode) => Effect.Effect<Held>
  /** Releases every hold (the local Cognito's server waits for held requests when it stops). */
  readonly releaseAll: Effect.Effect<void>
}

export const make = (): Hold => {
  const holds: Array<Deferred.Deferred<void>> = []
  let armed:
    | {
        readonly action: string
        readonly mode: Mode
        readonly arrived: Deferred.Deferred<void>
        readonly released: Deferred.Deferred<void>
      }
    | undefined
  return {
    serveAction: (action, serve) =>
      Effect.suspend(() => {
        const held = armed
        if (held === undefined || held.action !== action) return serve
        armed = undefined
        const wait = Effect.andThen(Deferred.succeed(held.arrived, undefined), Deferred.await(held.released))
        return held.mode === "request"
          ? Effect.andThen(wait, serve)
          : Effect.flatMap(Effect.exit(serve), (exit) => Effect.andThen(wait, exit))
      }),
    next: (action, mode) =>
      Effect.sync(() => {
        const arrived = Deferred.makeUnsafe<void>()
        const released = Deferred.makeUnsafe<void>()
        armed = { action, mode, arrived, released }
        holds.push(released)
        return { arrived: Deferred.await(arrived), release: Deferred.succeed(released, undefined).pipe(Effect.asVoid) }
      }),
    releaseAll: Effect.forEach(holds, (released) => Deferred.succeed(released, undefined), { discard: true })
  }
}
