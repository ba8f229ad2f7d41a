/** Evaluates Effect before the traps of `traps.ts` are set (see `sideEffects.ts`). */
import * as Effect from "effect/Effect"

export const baseline: Effect.Effect<void> = Effect.void
