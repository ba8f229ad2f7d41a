import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { program } from "./walkthrough.js"

/** A console that keeps what the walkthrough prints. */
const capture = (lines: Array<string>): Console.Console => {
  const log = (...args: ReadonlyArray<unknown>) =>
    Effect.sync(() => {
      lines.push(args.map(String).join(" "))
    })
  return {
    [Console.TypeId]: Console.TypeId,
    log,
    error: log,
    info: log,
    warn: log,
    debug: log,
    trace: log,
    assert: () => Effect.void,
    clear: Effect.void,
    count: () => Effect.void,
    countReset: () => Effect.void,
    dir: log,
    dirxml: log,
    group: () => Effect.void,
    groupEnd: Effect.void,
    table: log,
    time: () => Effect.void,
    timeEnd: () => Effect.void,
    timeLog: () => Effect.void,
    unsafe: globalThis.console
  }
}

describe("walkthrough", () => {
  it.effect("runs every flow against TestCognito and prints no secret", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const result = yield* Effect.withConsole(program, capture(lines))
      assert.isTrue(result.signedIn)
      assert.isAbove(result.requests, 20)
      const output = lines.join("\n")
      for (const step of [
        "SMS code sent to",
        "challenge: SoftwareTokenMfa",
        "challenge: NewPasswordRequired",
        "signed out everywhere"
      ])
        assert.include(output, step)
      assert.include(output, '"<redacted>"')
      for (const secret of ["Abc@123!x", "Xyz#789!q", "Reset#2026!", "Temp@1234", "Strong@1234"])
        assert.notInclude(output, secret)
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})
