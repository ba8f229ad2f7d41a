/**
 * A `TokenStore` in a file per app client, for Node services and CLIs.
 *
 * The directory is created with mode 0700 and each session file with mode 0600, so other
 * users on the machine cannot read the tokens. What the store guarantees (see
 * docs/reliability.md):
 *
 * - **No torn session.** A session is written to a new temporary file
 *   (`<file>.<pid>.<random>.tmp`, created exclusively with `O_NOFOLLOW`, mode 0600),
 *   `fsync`ed, renamed over the old one, and the directory `fsync`ed: a reader, another
 *   process or a crash at any point sees the old session or the new one, never part of
 *   either. Writers in several processes, and several stores in one process, never share
 *   a temporary file.
 * - **No planted file is followed.** A file or symlink already at a temporary name is
 *   never opened; the write picks another name. A symbolic link, a FIFO, a socket, a
 *   device or a directory at a session file is refused with a `Storage` error naming the
 *   path: never followed, never read, never waited on (opened with `O_NOFOLLOW |
 *   O_NONBLOCK` after an `lstat`), never replaced.
 * - **No directory others can write.** A session directory that the group or other users
 *   can write (where they could plant or delete a session) is made 0700 with a logged
 *   warning when it is the user's own, and refused as `Storage` when it is shared (the
 *   sticky bit, as `/tmp`) or another user's.
 * - **No session outlives a sign-out on disk.** Temporary files left by a killed writer
 *   are removed when a store is built and when a session is cleared.
 *
 * @since 0.1.0
 */
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as AuthError from "@effect-cognito/core/AuthError"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import * as AtomicFile from "./internal/atomicFile.js"

/** The file name of a key: safe on every file system. */
const fileName = (key: string) => `${key.replace(/[^\w.-]/g, "_")}.json`

const isSessionFile = (name: string) => name.endsWith(".json")

const code = (error: unknown): unknown =>
  typeof error === "object" && error !== null && "code" in error ? error.code : undefined

const attempt = <A>(operation: string, run: () => Promise<A>) =>
  Effect.tryPromise({
    try: run,
    catch: (error) =>
      AtomicFile.isUnsafePath(error)
        ? AuthError.make("Storage", `TokenStore.${operation}`, error.message, { cause: error })
        : TokenStore.storageError(operation, error)
  })

/**
 * The primitives over a directory; exposed for tests and for custom layers. Building it
 * removes the temporary files that killed writers left in the directory.
 *
 * Each read and write first checks the directory: one that other users can write is made
 * 0700 with a warning when it is the user's own, and refused (`Storage`) when it is shared
 * or another user's. A read or a write meets a symbolic link, a FIFO, a socket, a device or
 * a directory at a session file with a `Storage` error naming the path, never follows it,
 * never blocks on it, and leaves it in place.
 */
export const makeBacking = (directory: string): Effect.Effect<TokenStore.TokenStore.Backing> =>
  Effect.gen(function* () {
    const file = (key: string) => path.join(directory, fileName(key))
    // A store that cannot tidy up still works: the next clear tries again.
    yield* Effect.ignore(
      attempt("remove stale temporary files", () => AtomicFile.removeStale(directory, isSessionFile))
    )
    const checkDirectory = (operation: string, create: boolean) =>
      Effect.flatMap(
        attempt(operation, () => AtomicFile.ensurePrivateDirectory(directory, create)),
        (state) =>
          state === "repaired"
            ? Effect.logWarning(
                `effect-cognito: the session directory ${directory} could be written by other users; it is now private (0700)`
              ).pipe(Effect.as(state))
            : Effect.succeed(state)
      )
    return {
      get: (key) =>
        Effect.flatMap(checkDirectory("read", false), (state) =>
          state === "missing"
            ? Effect.succeed(Option.none())
            : attempt("read", () => AtomicFile.readRegular(file(key)).then(Option.fromUndefinedOr))
        ),
      set: (key, value) =>
        Effect.andThen(
          checkDirectory("write", true),
          attempt("write", async () => {
            const target = file(key)
            await AtomicFile.checkReplaceable(target)
            await AtomicFile.write(target, value)
          })
        ),
      remove: (key) =>
        attempt("remove", async () => {
          const target = file(key)
          try {
            await fs.unlink(target)
          } catch (error) {
            if (code(error) !== "ENOENT") throw error
          }
          const name = path.basename(target)
          await AtomicFile.removeStale(directory, (target) => target === name)
        })
    }
  })

/** Options of the file stores. */
export interface Options {
  /**
   * One of several sessions of the same app client (one per end user of a server): 1 to
   * 128 letters, digits, `_` or `-`. Each key has its own file. Default: the app client's one session.
   */
  readonly sessionKey?: string | undefined
}

/** A store in `directory`, one file per app client (and per session key). */
export const layerFileSystem = (
  directory: string,
  options: Options = {}
): Layer.Layer<TokenStore.TokenStore, AuthError.AuthError, AuthConfig.AuthConfig> =>
  Layer.effect(TokenStore.TokenStore, make(directory, options))

/** The store in `directory` for the `AuthConfig` in context; what {@link layerFileSystem} provides. */
export const make = (
  directory: string,
  options: Options = {}
): Effect.Effect<TokenStore.TokenStore.Service, AuthError.AuthError, AuthConfig.AuthConfig> =>
  Effect.gen(function* () {
    const config = yield* AuthConfig.AuthConfig
    const sessionKey =
      options.sessionKey === undefined ? undefined : yield* TokenStore.validateSessionKey(options.sessionKey)
    const backing = yield* makeBacking(directory)
    return TokenStore.make(backing, TokenStore.keyFor(config, sessionKey))
  })

/** The directory's name under the user's configuration directory. */
export const directoryName = "effect-cognito"

const nonEmpty = (name: string) =>
  Config.option(Config.String(name)).pipe(
    Config.map((value) => (Option.isSome(value) && value.value !== "" ? value.value : undefined))
  )

/**
 * The default session directory, read from `Config` (by default the environment):
 * `EFFECT_COGNITO_HOME` when set (resolved against the working directory), else
 * `$XDG_CONFIG_HOME/effect-cognito` when `XDG_CONFIG_HOME` is an absolute path (the XDG
 * base directory rules ignore a relative one), else `~/.config/effect-cognito`. One
 * directory holds every user pool and app client: each has its own file.
 */
export const directory: Config.Config<string> = Config.all({
  home: nonEmpty("EFFECT_COGNITO_HOME"),
  xdg: nonEmpty("XDG_CONFIG_HOME")
}).pipe(
  Config.map(({ home, xdg }) => {
    if (home !== undefined) return path.resolve(home)
    if (xdg !== undefined && path.isAbsolute(xdg)) return path.join(xdg, directoryName)
    return path.join(os.homedir(), ".config", directoryName)
  })
)

/** A store in the default {@link directory}, the secure file store of {@link layerFileSystem}. */
export const layerConfig = (
  options: Options = {}
): Layer.Layer<TokenStore.TokenStore, AuthError.AuthError, AuthConfig.AuthConfig> =>
  Layer.effect(
    TokenStore.TokenStore,
    directory.pipe(
      Effect.mapError((e) => AuthError.make("InvalidConfig", "NodeTokenStore", AuthConfig.describeConfigError(e))),
      Effect.flatMap((dir) => make(dir, options))
    )
  )
