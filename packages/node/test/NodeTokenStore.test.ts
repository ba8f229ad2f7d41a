import { mkdtemp, readdir, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import { NodeTokenStore } from "@effect-cognito/node"
import * as TokenStoreSuite from "@effect-cognito/test-kit/TokenStoreSuite"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const platform = Layer.merge(NodeFileSystem.layer, NodePath.layer)
const key = "effect-cognito.us-east-1_Suite1.suiteclient.session"

const freshDirectory = Effect.promise(() => mkdtemp(join(tmpdir(), "effect-cognito-store-"))).pipe(
  Effect.map((dir) => join(dir, "sessions"))
)

TokenStoreSuite.run(
  "NodeTokenStore (files)",
  Effect.gen(function* () {
    const directory = yield* freshDirectory
    const backing = yield* NodeTokenStore.makeBacking(directory)
    return {
      store: TokenStore.make(backing, key),
      raw: { get: backing.get, set: backing.set }
    }
  }).pipe(Effect.provide(platform))
)

describe("NodeTokenStore", () => {
  it.live("keeps the session private: directory 0700, file 0600, no temporary files left", () =>
    Effect.gen(function* () {
      const directory = yield* freshDirectory
      const store = TokenStore.make(yield* NodeTokenStore.makeBacking(directory), key)
      yield* store.save(TokenStoreSuite.sampleSession(1))
      yield* store.save(TokenStoreSuite.sampleSession(2))
      const dirMode = (yield* Effect.promise(() => stat(directory))).mode & 0o777
      const files = yield* Effect.promise(() => readdir(directory))
      assert.deepStrictEqual(files, [`${key}.json`])
      const fileMode = (yield* Effect.promise(() => stat(join(directory, files[0]!)))).mode & 0o777
      assert.strictEqual(dirMode, 0o700)
      assert.strictEqual(fileMode, 0o600)
    }).pipe(Effect.provide(platform))
  )

  it.live("a store in a directory that cannot be created fails with Storage", () =>
    Effect.gen(function* () {
      const parent = yield* freshDirectory
      yield* Effect.promise(async () => {
        await writeFile(`${parent}-file`, "not a directory")
      })
      const store = TokenStore.make(yield* NodeTokenStore.makeBacking(join(`${parent}-file`, "inside")), key)
      for (const effect of [store.save(TokenStoreSuite.sampleSession()), store.load]) {
        const error = yield* Effect.flip(effect)
        assert.strictEqual(error.reason, "Storage")
      }
    }).pipe(Effect.provide(platform))
  )
})
