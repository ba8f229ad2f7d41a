/**
 * The core's store recovery: a stored value that does not decode counts as signed out
 * and is logged by where it is wrong, never by what it holds.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as References from "effect/References"
import * as Schema from "effect/Schema"
import * as TokenStore from "../src/TokenStore.js"

const key = "effect-cognito.eu-west-1_AbCdEf123.client123.session"
const token = "eyJraWQiOiJzZWNyZXQtdG9rZW4tdGhhdC1tdXN0LW5vdC1iZS1sb2dnZWQ"

/** A store over one stored value, and every log line it writes (message and annotations). */
const loadLogged = (stored: string) =>
  Effect.gen(function* () {
    const lines: Array<string> = []
    let removed = false
    const store = TokenStore.make(
      {
        get: () => Effect.succeed(Option.some(stored)),
        set: () => Effect.void,
        remove: () =>
          Effect.sync(() => {
            removed = true
          })
      },
      key
    )
    const logger = Logger.make(({ fiber, message }) => {
      lines.push(JSON.stringify({ message, annotations: fiber.getRef(References.CurrentLogAnnotations) }))
    })
    const loaded = yield* store.load.pipe(Effect.provide(Logger.layer([logger])))
    return { loaded, lines, removed }
  })

describe("TokenStore.make", () => {
  const corrupt: Record<string, string> = {
    "a JSON string": JSON.stringify(token),
    "a bare token": token,
    "truncated JSON": `{"version":1,"session":{"idToken":"${token}`,
    "a session with wrong fields": JSON.stringify({ version: 1, session: { username: 1, idToken: token } }),
    "an older version": JSON.stringify({ version: 0, session: { refreshToken: token } }),
    "an array of tokens": JSON.stringify([token, { token }])
  }
  for (const [name, stored] of Object.entries(corrupt)) {
    it.effect(`${name} counts as signed out, is removed and never reaches the logs`, () =>
      Effect.gen(function* () {
        const { lines, loaded, removed } = yield* loadLogged(stored)
        assert.isTrue(Option.isNone(loaded))
        assert.isTrue(removed)
        assert.strictEqual(lines.length, 1)
        assert.include(lines[0], "does not decode")
        assert.include(lines[0], "problem")
        assert.notInclude(lines[0], token.slice(0, 12))
      })
    )
  }

  it("describes a problem by path and kind", () => {
    const lines = [JSON.stringify(token), token, JSON.stringify({ version: 1, session: { username: 1 } })].map(
      (stored) =>
        Effect.runSync(
          loadLogged(stored).pipe(Effect.map(({ lines }) => JSON.parse(lines[0]!).annotations.problem as string))
        )
    )
    assert.strictEqual(lines[0], "the value is not as expected")
    assert.strictEqual(lines[1], "the value is not JSON")
    assert.strictEqual(lines[2], "session.username is not as expected")
  })

  it("describes many problems by whole issues, about 500 characters, and counts the rest", () => {
    const Many = Schema.Struct(Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`member${i}`, Schema.String])))
    const error = Effect.runSync(Effect.flip(Schema.decodeUnknownEffect(Many)({}, { errors: "all" })))
    const problem = TokenStore.describeProblem(error)
    assert.isAtMost(problem.length, 560)
    assert.match(problem, /^member0 is missing; member1 is missing; .*member\d+ is missing; and \d+ more$/)
    const shown = problem.split("; ").length - 1
    assert.include(problem, `and ${60 - shown} more`)
  })
})
