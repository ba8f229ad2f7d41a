import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as AuthError from "@effect-cognito/core/AuthError"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import * as TokenStoreSuite from "@effect-cognito/test-kit/TokenStoreSuite"
import * as KeyValueStore from "effect/persistence/KeyValueStore"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

TokenStoreSuite.run(
  "KeyValueStore.layerMemory",
  Effect.map(KeyValueStore.KeyValueStore, (kv) => TokenStoreSuite.subject(kv)).pipe(
    Effect.provide(KeyValueStore.layerMemory)
  )
)

TokenStoreSuite.run(
  "TokenStore.layerKeyValueStore under the app client's key",
  Effect.gen(function* () {
    const store = yield* TokenStore.TokenStore
    const kv = yield* KeyValueStore.KeyValueStore
    return { store, raw: { get: (key: string) => Effect.map(kv.get(key), Option.fromNullishOr), set: kv.set } }
  }).pipe(
    Effect.provide(
      TokenStore.layerKeyValueStore.pipe(
        Layer.provideMerge(KeyValueStore.layerMemory),
        Layer.provide(
          AuthConfig.layer({ region: "us-east-1", userPoolId: "us-east-1_Suite1", clientId: "suiteclient" })
        )
      )
    )
  )
)

describe("TokenStore", () => {
  const failing: TokenStore.TokenStore.Backing = {
    get: () => Effect.fail(TokenStore.storageError("read", new Error("disk on fire"))),
    set: () => Effect.fail(TokenStore.storageError("write", new Error("quota exceeded"))),
    remove: () => Effect.fail(TokenStore.storageError("remove", new Error("read-only")))
  }

  it.effect("gives reason Storage when the backing store fails", () =>
    Effect.gen(function* () {
      const store = TokenStore.make(failing, "k")
      for (const effect of [store.load, store.save(TokenStoreSuite.sampleSession()), store.clear]) {
        const error = yield* Effect.flip(effect)
        assert.isTrue(AuthError.isAuthError(error))
        assert.strictEqual(error.reason, "Storage")
      }
    })
  )

  it.effect("maps KeyValueStore failures to Storage", () =>
    Effect.gen(function* () {
      const kv = KeyValueStore.make({
        get: () => Effect.succeed(undefined),
        getUint8Array: () => Effect.succeed(undefined),
        set: (key) =>
          Effect.fail(new KeyValueStore.KeyValueStoreError({ message: "PermissionDenied", method: "set", key })),
        remove: () => Effect.void,
        clear: Effect.void,
        size: Effect.succeed(0),
        keys: Effect.succeed([])
      })
      const error = yield* Effect.flip(TokenStore.fromKeyValueStore(kv, "k").save(TokenStoreSuite.sampleSession()))
      assert.strictEqual(error.reason, "Storage")
    })
  )

  it("a session never shows its tokens in JSON or String", () => {
    const session = TokenStoreSuite.sampleSession()
    assert.notInclude(JSON.stringify(session), "access.token")
    assert.notInclude(String(session), "refresh-")
  })

  it.effect("derives the key from the pool and the app client", () =>
    Effect.gen(function* () {
      const config = yield* AuthConfig.make({ region: "eu-west-1", userPoolId: "eu-west-1_A", clientId: "c1" })
      assert.strictEqual(TokenStore.keyFor(config), "effect-cognito.eu-west-1_A.c1.session")
    })
  )
})
