/**
 * A `TokenStore` in a file per app client, for Node services and CLIs.
 *
 * The directory is created with mode 0700 and each session file with mode 0600, so other
 * users on the machine cannot read the tokens. A session is written to a temporary file
 * and renamed over the old one: a reader (another process, a crash mid-write) sees the
 * old session or the new one, never half of either.
 *
 * @since 0.1.0
 */
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

/** The file name of a key: safe on every file system. */
const fileName = (key: string) => `${key.replace(/[^\w.-]/g, "_")}.json`

/** The primitives over a directory; exposed for tests and for custom layers. */
export const makeBacking = (directory: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const file = (key: string) => path.join(directory, fileName(key))
    const ensureDirectory = fs
      .makeDirectory(directory, { recursive: true, mode: 0o700 })
      .pipe(Effect.mapError((e) => TokenStore.storageError("create the directory", e)))
    let counter = 0
    const backing: TokenStore.TokenStore.Backing = {
      get: (key) =>
        fs.readFileString(file(key)).pipe(
          Effect.map(Option.some),
          Effect.catchIf(
            (e) => e._tag === "SystemError" && e.reason === "NotFound",
            () => Effect.succeed(Option.none())
          ),
          Effect.mapError((e) => TokenStore.storageError("read", e))
        ),
      set: (key, value) =>
        Effect.gen(function* () {
          yield* ensureDirectory
          const target = file(key)
          const temporary = `${target}.${process.pid}.${++counter}.tmp`
          yield* fs.writeFileString(temporary, value, { mode: 0o600 })
          yield* fs.rename(temporary, target)
        }).pipe(Effect.mapError((e) => (e._tag === "AuthError" ? e : TokenStore.storageError("write", e)))),
      remove: (key) =>
        fs.remove(file(key)).pipe(
          Effect.catchIf(
            (e) => e._tag === "SystemError" && e.reason === "NotFound",
            () => Effect.void
          ),
          Effect.mapError((e) => TokenStore.storageError("remove", e))
        )
    }
    return backing
  })

/** A store in `directory`, one file per app client. */
export const layerFileSystem = (directory: string): Layer.Layer<TokenStore.TokenStore, never, AuthConfig.AuthConfig> =>
  Layer.effect(
    TokenStore.TokenStore,
    Effect.gen(function* () {
      const config = yield* AuthConfig.AuthConfig
      const backing = yield* makeBacking(directory)
      return TokenStore.make(backing, TokenStore.keyFor(config))
    })
  ).pipe(Layer.provide(Layer.merge(NodeFileSystem.layer, NodePath.layer)))
