/**
 * The local Cognito's state file: read once at start (none yet is an empty start; a file
 * that cannot be read or does not decode fails, and is left as it is), and replaced
 * atomically (a temporary file with mode 0600 renamed over it, `atomicFile.ts`) after
 * each action that may change state. Writes are serialized and coalesced: a write waits
 * for the one in flight, and one write covers every change made before it started, so
 * concurrent requests never interleave and a burst costs a write or two.
 *
 * @internal
 */
import * as path from "node:path"
import * as AuthError from "@effect-cognito/core/AuthError"
import * as BoundedJson from "@effect-cognito/core/BoundedJson"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Semaphore from "effect/Semaphore"
import * as AtomicFile from "../atomicFile.js"
import { Stored, version } from "./registrySnapshot.js"

const code = (error: unknown): string =>
  typeof error === "object" && error !== null && "code" in error && typeof error.code === "string"
    ? error.code
    : "unknown error"

const storage = (description: string) => AuthError.make("Storage", "LocalCognito", description)

/**
 * The state in `file`: `None` when there is no file yet. A file that cannot be read, is
 * not JSON, nests deeper than a state does (`BoundedJson.maxDepth`, checked before it is
 * parsed) or does not decode fails with a `Storage` error naming the file and what is
 * wrong (by path, never a value); the file is not touched.
 */
export const load = (file: string): Effect.Effect<Option.Option<Stored>, AuthError.AuthError> =>
  Effect.gen(function* () {
    // Never follows a link nor waits on a FIFO: anything but a regular file is refused unread.
    const text = yield* Effect.result(Effect.tryPromise({ try: () => AtomicFile.readRegular(file), catch: (e) => e }))
    if (Result.isFailure(text)) {
      if (text.failure instanceof AtomicFile.UnsafePath)
        return yield* Effect.fail(storage(`cannot read the state file ${file} (${text.failure.message})`))
      return yield* Effect.fail(storage(`cannot read the state file ${file} (${code(text.failure)})`))
    }
    if (text.success === undefined) return Option.none()
    const kept = "; it was left as it is"
    const parsed = BoundedJson.decode(text.success)
    if (Result.isFailure(parsed) && parsed.failure === "TooDeep")
      return yield* Effect.fail(
        storage(
          `the state file ${file} nests arrays or objects deeper than ${BoundedJson.maxDepth} levels: it is not a local Cognito state${kept}`
        )
      )
    if (Result.isFailure(parsed)) return yield* Effect.fail(storage(`the state file ${file} is not JSON${kept}`))
    const json = parsed.success
    const found = typeof json === "object" && json !== null && "version" in json ? json.version : version
    if (found !== version)
      return yield* Effect.fail(
        storage(
          `the state file ${file} is of version ${typeof found === "number" ? found : "(not a number)"}: this local Cognito reads version ${version}${kept}`
        )
      )
    const decoded = yield* Effect.result(
      Schema.decodeUnknownEffect(Stored, { onExcessProperty: "ignore", errors: "all" })(json)
    )
    if (Result.isFailure(decoded))
      return yield* Effect.fail(
        storage(
          `the state file ${file} is not a local Cognito state: ${TokenStore.describeProblem(decoded.failure)}${kept}`
        )
      )
    // Temporary files a killed writer left beside it.
    yield* Effect.promise(() =>
      AtomicFile.removeStale(path.dirname(file), (target) => target === path.basename(file)).catch(() => 0)
    )
    return Option.some(decoded.success)
  })

/**
 * A write of the state to `file`, to run after each change: atomic, mode 0600,
 * serialized, and skipped when a write that started after this change already covered it.
 */
export const writer = (file: string, state: Effect.Effect<Stored>): Effect.Effect<void, AuthError.AuthError> => {
  const permit = Semaphore.makeUnsafe(1)
  /** Changes asked to be written, and how many of them the last write covered. */
  let requested = 0
  let written = 0
  return Effect.suspend(() => {
    const mine = ++requested
    return permit.withPermits(1)(
      Effect.suspend(() => {
        if (written >= mine) return Effect.void
        const covering = requested
        return state.pipe(
          Effect.flatMap(Schema.encodeEffect(Stored)),
          Effect.mapError((error) =>
            storage(`cannot write the state file ${file}: ${TokenStore.describeProblem(error)}`)
          ),
          Effect.flatMap((encoded) =>
            Effect.tryPromise({
              try: () => AtomicFile.write(file, `${JSON.stringify(encoded, null, 2)}\n`),
              catch: (error) => storage(`cannot write the state file ${file} (${code(error)})`)
            })
          ),
          Effect.tap(() =>
            Effect.sync(() => {
              written = covering
            })
          ),
          // A write runs to its end even when the server stops meanwhile: the last write is the last rename.
          Effect.uninterruptible
        )
      })
    )
  })
}
