/**
 * The device record of `TokenStore`: one per user beside the session, under a key derived
 * from the username's digest, Schema-encoded with a version field and the device password
 * in clear only in the store; kept when the session is cleared; a record that does not
 * decode, or that names another user, is dropped and logged without its content.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as TokenStore from "../src/TokenStore.js"

const key = "effect-cognito.eu-west-1_AbCdEf123.client123.session"
const devicePassword = "cGFzc3dvcmQtb2YtdGhlLWRldmljZS1vbmx5LWluLXRoZS1zdG9yZQ=="

const device = (username = "alice") =>
  new TokenStore.StoredDevice({
    username,
    deviceKey: "eu-west-1_0b7a8c4e-3f2d-4e1a-9c6b-5d4e3f2a1b0c",
    deviceGroupKey: "-Yt4Ke9Bx",
    devicePassword: Redacted.make(devicePassword),
    confirmed: true
  })

/** A store over a map, with the log lines it writes. */
const memory = () => {
  const values = new Map<string, string>()
  const lines: Array<string> = []
  const store = TokenStore.make(
    {
      get: (k) => Effect.sync(() => Option.fromUndefinedOr(values.get(k))),
      set: (k, value) => Effect.sync(() => void values.set(k, value)),
      remove: (k) => Effect.sync(() => void values.delete(k))
    },
    key
  )
  const logged = <A, E>(effect: Effect.Effect<A, E>) =>
    effect.pipe(
      Effect.provide(
        Logger.layer([
          Logger.make(({ fiber, message }) => {
            lines.push(JSON.stringify({ message, annotations: fiber.getRef(References.CurrentLogAnnotations) }))
          })
        ])
      ),
      Effect.provideService(References.MinimumLogLevel, "All")
    )
  return { values, lines, store, logged }
}

describe("TokenStore devices", () => {
  it.effect("saves, loads and clears a user's device under <key>.device.<digest>, with a version", () =>
    Effect.gen(function* () {
      const { values, store } = memory()
      assert.isTrue(Option.isNone(yield* store.loadDevice("alice")))
      yield* store.saveDevice(device())
      const deviceKey = TokenStore.deviceKeyFor(key, "alice")
      assert.match(deviceKey, /^effect-cognito\.eu-west-1_AbCdEf123\.client123\.session\.device\.[0-9a-f]{32}$/)
      assert.deepStrictEqual([...values.keys()], [deviceKey])
      const stored = JSON.parse(values.get(deviceKey)!)
      assert.strictEqual(stored.version, TokenStore.version)
      assert.strictEqual(stored.device.devicePassword, devicePassword)
      assert.deepStrictEqual(yield* store.loadDevice("alice"), Option.some(device()))
      yield* store.clearDevice("alice")
      assert.strictEqual(values.size, 0)
    })
  )

  it.effect("keeps one device per user, and outlives the session's clear", () =>
    Effect.gen(function* () {
      const { store } = memory()
      yield* store.saveDevice(device("alice"))
      yield* store.saveDevice(device("bob@example.com"))
      yield* store.clear
      yield* store.clearGuestIdentityId
      yield* store.clearFederation
      assert.deepStrictEqual(yield* store.loadDevice("alice"), Option.some(device("alice")))
      yield* store.clearDevice("alice")
      assert.deepStrictEqual(yield* store.loadDevice("bob@example.com"), Option.some(device("bob@example.com")))
    })
  )

  it("derives short keys safe as file names from any username", () => {
    const names = ["alice", "Alice", "a/b\\c:d", "jürgen@example.com", "ユーザー", "x".repeat(128)]
    const keys = names.map((name) => TokenStore.deviceKeyFor(key, name))
    assert.strictEqual(new Set(keys).size, names.length)
    for (const derived of keys) assert.match(derived.slice(key.length), /^\.device\.[0-9a-f]{32}$/)
    // FNV-1a 128 of "a": a fixed value, so a key never changes between versions.
    assert.strictEqual(TokenStore.deviceKeyFor("k", "a"), "k.device.d228cb696f1a8caf78912b704e4a8964")
  })

  const corrupt: Record<string, string> = {
    "not JSON": `{"version":1,"device":{"devicePassword":"${devicePassword}`,
    "an older version": JSON.stringify({
      version: 0,
      device: { username: "alice", deviceKey: "k", deviceGroupKey: "g", confirmed: true, devicePassword }
    }),
    "a device without its password": JSON.stringify({
      version: 1,
      device: { username: "alice", deviceKey: "k", deviceGroupKey: "g", confirmed: "yes", devicePassword }
    })
  }
  for (const [name, text] of Object.entries(corrupt)) {
    it.effect(`drops a record that is ${name}, logged without its content`, () =>
      Effect.gen(function* () {
        const { lines, logged, store, values } = memory()
        values.set(TokenStore.deviceKeyFor(key, "alice"), text)
        assert.isTrue(Option.isNone(yield* logged(store.loadDevice("alice"))))
        assert.strictEqual(values.size, 0)
        assert.strictEqual(lines.length, 1)
        assert.include(lines[0], "device does not decode")
        assert.notInclude(lines[0], devicePassword)
      })
    )
  }

  it.effect("drops a record that names another user, logged without its content", () =>
    Effect.gen(function* () {
      const { lines, logged, store, values } = memory()
      yield* store.saveDevice(device("mallory"))
      const stored = values.get(TokenStore.deviceKeyFor(key, "mallory"))!
      values.clear()
      values.set(TokenStore.deviceKeyFor(key, "alice"), stored)
      assert.isTrue(Option.isNone(yield* logged(store.loadDevice("alice"))))
      assert.strictEqual(values.size, 0)
      assert.include(lines.join("\n"), "names another user")
      assert.notInclude(lines.join("\n"), devicePassword)
    })
  )

  it("hides the device password in String and JSON of the record", () => {
    for (const shown of [String(device()), JSON.stringify(device()), JSON.stringify({ device: device() })])
      assert.notInclude(shown, devicePassword)
  })

  it.effect("a store that fails gives Storage", () =>
    Effect.gen(function* () {
      const store = TokenStore.make(
        {
          get: () => Effect.fail(TokenStore.storageError("read", new Error("EIO"))),
          set: () => Effect.fail(TokenStore.storageError("write", new Error("EIO"))),
          remove: () => Effect.fail(TokenStore.storageError("remove", new Error("EIO")))
        },
        key
      )
      for (const failed of [store.loadDevice("alice"), store.saveDevice(device()), store.clearDevice("alice")]) {
        const error = yield* Effect.flip(failed)
        assert.strictEqual(error.reason, "Storage")
      }
    })
  )
})
