/**
 * The conformance suite every `TokenStore` implementation must pass, written once and
 * run against each (memory, any `KeyValueStore`, the Node file store, the browser stores).
 * It defines Vitest tests, so it lives on its own subpath,
 * `@effect-cognito/test-kit/TokenStoreSuite`, and needs `vitest` and `@effect/vitest`;
 * the package's root entry does not load it.
 *
 * @example
 * ```ts
 * import * as TokenStoreSuite from "@effect-cognito/test-kit/TokenStoreSuite"
 * import * as Effect from "effect/Effect"
 * import * as KeyValueStore from "effect/persistence/KeyValueStore"
 *
 * // In a Vitest test file: every conformance case against a store over an in-memory KeyValueStore.
 * TokenStoreSuite.run(
 *   "memory",
 *   Effect.map(KeyValueStore.KeyValueStore, (kv) => TokenStoreSuite.subject(kv)).pipe(
 *     Effect.provide(KeyValueStore.layerMemory)
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 */
import { describe, it } from "@effect/vitest"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as TokenStoreCases from "./TokenStoreCases.js"

/** A store under test, with raw access to what it wrote. */
export type Subject = TokenStoreCases.Subject
/** A subject over a `KeyValueStore`, under the given key. */
export const subject = TokenStoreCases.subject
/** A session with every field set, including characters a naive store mangles. */
export const sampleSession = TokenStoreCases.sampleSession

/** Registers the suite for one implementation. `make` builds a fresh, empty store. */
export const run = <E>(name: string, make: Effect.Effect<Subject, E, Scope.Scope>) =>
  describe(`TokenStore conformance: ${name}`, () => {
    // The cases are plain data (TokenStoreCases), so browser pages run the very same ones.
    for (const testCase of TokenStoreCases.cases) it.effect(testCase.name, () => testCase.run(make))
  })
