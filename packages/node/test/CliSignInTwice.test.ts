/**
 * `effect-cognito sign-in` while a user is signed in (a subprocess against the local
 * Cognito): it fails at once with one line, `AlreadySignedIn`, before asking for a
 * password it could not use.
 */
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Cli from "./cliProcess.js"

const password = "Corr3ct-Horse!"

const lastCode = Cli.lastCode

describe("effect-cognito sign-in, signed in already", { timeout: 120_000 }, () => {
  it.live("fails at once with AlreadySignedIn, in one line, without asking for the password", () =>
    Effect.gen(function* () {
      const env = yield* Cli.localEnvironment()
      const signUp = yield* Cli.run(["sign-up", "erin", "--attribute", "email=erin@example.com"], env, [password])
      assert.strictEqual(signUp.code, 0, signUp.stderr)
      const confirm = yield* Cli.run(["confirm-sign-up", "erin"], env, [yield* lastCode("erin")])
      assert.strictEqual(confirm.code, 0, confirm.stderr)
      const first = yield* Cli.run(["sign-in", "erin"], env, [password])
      assert.strictEqual(first.code, 0, first.stderr)
      assert.include(first.stdout, "signed in as erin")

      // No answer on standard input: a CLI that asked for the password would fail on that instead.
      const again = yield* Cli.run(["sign-in", "erin"], env)
      assert.strictEqual(again.code, 1, `${again.stdout}${again.stderr}`)
      assert.notInclude(again.stderr, "Password")
      const lines = Cli.lines(again.stderr)
      assert.strictEqual(lines.length, 1, again.stderr)
      assert.include(lines[0], "AlreadySignedIn")
      assert.include(lines[0], "erin is signed in; sign out first")
      assert.notMatch(again.stderr, /\n\s+at /, "a stack trace")
      assert.strictEqual(again.stdout, "")

      // Another user's sign-in is refused the same way; the session is kept.
      const other = yield* Cli.run(["sign-in", "frank"], env, [password])
      assert.include(other.stderr, "AlreadySignedIn")
      assert.notInclude(other.stderr, "Password")
      const whoami = yield* Cli.run(["whoami"], env)
      assert.strictEqual(whoami.code, 0, whoami.stderr)
      assert.include(whoami.stdout, "erin")
    }).pipe(Effect.provide(LocalCognito.layer()))
  )
})
