/**
 * The sign-in that waits for `confirm-sign-in`, saved between invocations: one file per
 * app client in the session directory, beside the session
 * (`effect-cognito.<userPoolId>.<clientId>.sign-in.json`), written the way the session is
 * (`AtomicFile`: a new 0600 file renamed over the old one, in a 0700 directory). It holds
 * Cognito's challenge session in clear until it is answered or expires (see
 * `PendingSignIn`), and is deleted once the sign-in ends.
 *
 * @internal
 */
import type * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as AuthError from "@effect-cognito/core/AuthError"
import * as PendingSignIn from "@effect-cognito/core/PendingSignIn"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as AtomicFile from "../atomicFile.js"
import { CliError } from "./error.js"
import { errorCode, sessionDirectory, warnIfRepaired } from "./shared.js"

/** The file of the app client's pending sign-in. */
export const file = (config: AuthConfig.Validated) =>
  Effect.map(sessionDirectory, (directory) =>
    path.join(directory, `effect-cognito.${config.userPoolId}.${config.clientId}.sign-in.json`.replace(/[^\w.-]/g, "_"))
  )

const isMissing = (error: unknown) =>
  typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT"

/**
 * A failure of the file: `Storage` naming the path when something other than a regular
 * file is there (a FIFO, a link…) or the directory is open to other users; one line with
 * the system's error code otherwise.
 */
const failed = (what: string, target: string, cause: unknown): AuthError.AuthError | CliError =>
  AtomicFile.isUnsafePath(cause)
    ? AuthError.make("Storage", "PendingSignIn", `the saved sign-in: ${cause.message}`)
    : new CliError({ message: `could not ${what} the saved sign-in ${target}${errorCode(cause)}` })

/** Makes the directory private (0700), warning when it had to repair it; see `AtomicFile.ensurePrivateDirectory`. */
const privateDirectory = (directory: string, create: boolean, target: string) =>
  Effect.tryPromise({
    try: () => AtomicFile.ensurePrivateDirectory(directory, create),
    catch: (cause) => failed(create ? "write" : "read", target, cause)
  }).pipe(Effect.tap(warnIfRepaired(directory)))

/** What the user reads when the saved file cannot be read as a sign-in. */
const unreadable = "not a saved sign-in (it cannot be read); sign in again"

/**
 * The saved sign-in, if any. One that does not decode (another version, edited, cut
 * short, nested beyond any saved sign-in) is of no use to anyone: it is deleted and
 * reported in one line, and the user signs in again. A FIFO, a socket, a link or a
 * directory at its path is refused (`Storage`) without being opened for long or followed.
 */
export const load = (
  config: AuthConfig.Validated
): Effect.Effect<Option.Option<PendingSignIn.PendingSignIn>, AuthError.AuthError | CliError> =>
  Effect.gen(function* () {
    const target = yield* file(config)
    if ((yield* privateDirectory(path.dirname(target), false, target)) === "missing") return Option.none()
    const text = yield* Effect.tryPromise({
      try: () => AtomicFile.readRegular(target),
      catch: (cause) => failed("read", target, cause)
    })
    if (text === undefined) return Option.none()
    return yield* PendingSignIn.fromJson(text).pipe(
      // Whatever the decoder does with a hostile file, the answer is the same one line.
      Effect.catchDefect(() => Effect.fail(AuthError.make("InvalidInput", "PendingSignIn.fromJson", unreadable))),
      Effect.map(Option.some),
      Effect.catch((error) =>
        Effect.andThen(
          remove(config),
          Effect.fail(new CliError({ message: `deleted ${target}: ${error.description ?? unreadable}` }))
        )
      )
    )
  })

/** Saves the sign-in, replacing any other of the app client (never a link or a FIFO planted in its place). */
export const save = (
  config: AuthConfig.Validated,
  pending: PendingSignIn.PendingSignIn
): Effect.Effect<void, AuthError.AuthError | CliError> =>
  Effect.gen(function* () {
    const target = yield* file(config)
    const text = yield* PendingSignIn.toJson(pending).pipe(
      Effect.mapError((error) => new CliError({ message: error.message }))
    )
    yield* privateDirectory(path.dirname(target), true, target)
    yield* Effect.tryPromise({
      try: async () => {
        await AtomicFile.checkReplaceable(target)
        await AtomicFile.write(target, text)
      },
      catch: (cause) => failed("write", target, cause)
    })
  })

/** Deletes the saved sign-in, if there is one (a link or a FIFO there goes too; what a link points to stays). */
export const remove = (config: AuthConfig.Validated): Effect.Effect<void, CliError> =>
  Effect.gen(function* () {
    const target = yield* file(config)
    yield* Effect.tryPromise({
      try: () =>
        fs.unlink(target).catch((error: unknown) => {
          if (!isMissing(error)) throw error
        }),
      catch: (cause) => new CliError({ message: `could not delete the saved sign-in ${target}${errorCode(cause)}` })
    })
  })
