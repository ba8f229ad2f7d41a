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
import * as PendingSignIn from "@effect-cognito/core/PendingSignIn"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as AtomicFile from "../atomicFile.js"
import { CliError } from "./error.js"
import { errorCode, sessionDirectory } from "./shared.js"

/** The file of the app client's pending sign-in. */
export const file = (config: AuthConfig.Validated) =>
  Effect.map(sessionDirectory, (directory) =>
    path.join(directory, `effect-cognito.${config.userPoolId}.${config.clientId}.sign-in.json`.replace(/[^\w.-]/g, "_"))
  )

const isMissing = (error: unknown) =>
  typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT"

const failed = (what: string, target: string, cause: unknown) =>
  new CliError({ message: `could not ${what} the saved sign-in ${target}${errorCode(cause)}` })

/**
 * The saved sign-in, if any. One that does not decode (another version, edited, cut
 * short) is of no use to anyone: it is deleted and reported, and the user signs in again.
 */
export const load = (
  config: AuthConfig.Validated
): Effect.Effect<Option.Option<PendingSignIn.PendingSignIn>, CliError> =>
  Effect.gen(function* () {
    const target = yield* file(config)
    const text = yield* Effect.tryPromise({
      try: () =>
        fs.readFile(target, "utf8").then(Option.some, (error: unknown) => {
          if (isMissing(error)) return Option.none<string>()
          throw error
        }),
      catch: (cause) => failed("read", target, cause)
    })
    if (Option.isNone(text)) return Option.none()
    return yield* PendingSignIn.fromJson(text.value).pipe(
      Effect.map(Option.some),
      Effect.catch((error) =>
        Effect.andThen(
          remove(config),
          Effect.fail(
            new CliError({
              message: `deleted ${target}: ${error.description ?? "not a saved sign-in; sign in again"}`
            })
          )
        )
      )
    )
  })

/** Saves the sign-in, replacing any other of the app client. */
export const save = (
  config: AuthConfig.Validated,
  pending: PendingSignIn.PendingSignIn
): Effect.Effect<void, CliError> =>
  Effect.gen(function* () {
    const target = yield* file(config)
    const text = yield* PendingSignIn.toJson(pending).pipe(
      Effect.mapError((error) => new CliError({ message: error.message }))
    )
    yield* Effect.tryPromise({
      try: async () => {
        await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 })
        await AtomicFile.write(target, text)
      },
      catch: (cause) => failed("write", target, cause)
    })
  })

/** Deletes the saved sign-in, if there is one. */
export const remove = (config: AuthConfig.Validated): Effect.Effect<void, CliError> =>
  Effect.gen(function* () {
    const target = yield* file(config)
    yield* Effect.tryPromise({
      try: () =>
        fs.unlink(target).catch((error: unknown) => {
          if (!isMissing(error)) throw error
        }),
      catch: (cause) => failed("delete", target, cause)
    })
  })
