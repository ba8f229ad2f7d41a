import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import { program } from "./walkthrough.js"
import { TestCognito } from "@effect-cognito/test-kit"

describe("walkthrough", () => {
  it.effect("runs every flow against TestCognito", () =>
    Effect.gen(function* () {
      const result = yield* program
      assert.isTrue(result.signedIn)
      assert.isAbove(result.requests, 20)
    }).pipe(Effect.provide(TestCognito.layer()), Effect.provide(Logger.remove(Logger.defaultLogger)))
  )
})
