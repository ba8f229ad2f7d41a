/**
 * The conformance suite every `TokenStore` implementation must pass, written once and
 * run against each (memory, any `KeyValueStore`, the Node file store, the browser stores).
 * It defines Vitest tests, so it lives on its own subpath,
 * `@effect-cognito/test-kit/TokenStoreSuite`, and needs `vitest` and `@effect/vitest`;
 * the package's root entry does not load it.
 *
 * @example
 * ```ts
 * TokenStoreSuite.run("memory", Effect.map(KeyValueStore.KeyValueStore, (kv) => TokenStoreSuite.subject(kv)).pipe(...))
 * ```
 *
 * @since 0.1.0
 */
import * as TokenStore from "@effect-cognito/core/TokenStore"
import type * as KeyValueStore from "@effect/platform/KeyValueStore"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"

/** A store under test, with raw access to what it wrote (to corrupt it as a user or a bug would). */
export interface Subject {
  readonly store: TokenStore.TokenStore.Service
  readonly raw: {
    readonly get: (key: string) => Effect.Effect<Option.Option<string>, unknown>
    readonly set: (key: string, value: string) => Effect.Effect<void, unknown>
  }
}

/** A subject over a `KeyValueStore`, under the given key. */
export const subject = (
  kv: KeyValueStore.KeyValueStore,
  key = "effect-cognito.us-east-1_Suite1.suiteclient.session"
): Subject => ({
  store: TokenStore.fromKeyValueStore(kv, key),
  raw: { get: kv.get, set: kv.set }
})

/** A session with every field set, including characters a naive store mangles. */
export const sampleSession = (n = 1) =>
  new TokenStore.Session({
    username: `ålice-${n} ✓`,
    idToken: Redacted.make(`id.token.${n}`),
    accessToken: Redacted.make(`access.token.${n}`),
    refreshToken: Redacted.make(`refresh-${n}-"quoted"\n`),
    identityId: `us-east-1:00000000-0000-4000-8000-00000000000${n}`,
    clockSkewMillis: -7_200_000 + n
  })

const same = (a: TokenStore.Session, b: TokenStore.Session) => {
  assert.strictEqual(a.username, b.username)
  assert.strictEqual(Redacted.value(a.idToken), Redacted.value(b.idToken))
  assert.strictEqual(Redacted.value(a.accessToken), Redacted.value(b.accessToken))
  assert.strictEqual(Redacted.value(a.refreshToken), Redacted.value(b.refreshToken))
  assert.strictEqual(a.identityId, b.identityId)
  assert.strictEqual(a.clockSkewMillis, b.clockSkewMillis)
}

/** Loads with a capturing logger; returns the result and the log lines. */
const loadLogged = (store: TokenStore.TokenStore.Service) => {
  const lines: Array<string> = []
  const logger = Logger.map(Logger.logfmtLogger, (line) => {
    lines.push(line)
  })
  return Effect.map(store.load.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger))), (loaded) => ({
    loaded,
    lines
  }))
}

/** Registers the suite for one implementation. `make` builds a fresh, empty store. */
export const run = <E>(name: string, make: Effect.Effect<Subject, E, Scope.Scope>) =>
  describe(`TokenStore conformance: ${name}`, () => {
    it.scoped("loads nothing from an empty store", () =>
      Effect.gen(function* () {
        const { store } = yield* make
        assert.isTrue(Option.isNone(yield* store.load))
      })
    )

    it.scoped("loads what it saved, every field intact", () =>
      Effect.gen(function* () {
        const { store } = yield* make
        yield* store.save(sampleSession(1))
        const loaded = yield* store.load
        assert.isTrue(Option.isSome(loaded))
        if (Option.isSome(loaded)) same(loaded.value, sampleSession(1))
      })
    )

    it.scoped("keeps only the last session saved", () =>
      Effect.gen(function* () {
        const { store } = yield* make
        yield* store.save(sampleSession(1))
        yield* store.save(sampleSession(2))
        const loaded = yield* store.load
        if (Option.isNone(loaded)) return assert.fail("nothing loaded")
        same(loaded.value, sampleSession(2))
      })
    )

    it.scoped("writes the session as one versioned value under its key, tokens in no other key", () =>
      Effect.gen(function* () {
        const { store, raw } = yield* make
        yield* store.save(sampleSession(3))
        const stored = yield* raw.get(store.key)
        if (Option.isNone(stored)) return assert.fail("no value under the store's key")
        const parsed = JSON.parse(stored.value) as { version: number; session: { accessToken: string } }
        assert.strictEqual(parsed.version, TokenStore.version)
        assert.strictEqual(parsed.session.accessToken, "access.token.3")
      })
    )

    it.scoped("clears the session, and clearing an empty store is fine", () =>
      Effect.gen(function* () {
        const { store } = yield* make
        yield* store.clear
        yield* store.save(sampleSession(1))
        yield* store.clear
        assert.isTrue(Option.isNone(yield* store.load))
      })
    )

    for (const [what, value] of [
      ["garbage", "{not json"],
      ["an older version", JSON.stringify({ version: 0, session: { username: "a" } })],
      [
        "a hand-edited session missing its tokens",
        JSON.stringify({ version: 1, session: { username: "a", clockSkewMillis: 0 } })
      ],
      ["a value of the wrong type", JSON.stringify([1, 2, 3])]
    ] as const)
      it.scoped(`treats ${what} as signed out, removes it and logs it`, () =>
        Effect.gen(function* () {
          const { store, raw } = yield* make
          yield* raw.set(store.key, value)
          const { loaded, lines } = yield* loadLogged(store)
          assert.isTrue(Option.isNone(loaded))
          assert.isTrue(Option.isNone(yield* raw.get(store.key)), "the bad value is removed")
          assert.isTrue(
            lines.some((line) => line.includes("does not decode")),
            `a warning was logged: ${lines.join("\n")}`
          )
          // The store still works afterwards.
          yield* store.save(sampleSession(4))
          assert.isTrue(Option.isSome(yield* store.load))
        })
      )
  })
