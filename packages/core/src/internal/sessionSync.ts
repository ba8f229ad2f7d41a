/**
 * The in-process `SessionSync`: one context, so nothing to exclude and no one to tell.
 * The session's own lock and single flight already cover one process.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as SessionSync from "../SessionSync.js"

export const inProcess: SessionSync.SessionSync.Service = {
  withLock: (effect) => effect,
  publish: () => Effect.void,
  events: Stream.empty
}
