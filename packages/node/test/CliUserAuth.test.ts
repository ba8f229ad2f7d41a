/**
 * Choice-based sign-in (`USER_AUTH`) and password-less sign-up from the `effect-cognito`
 * CLI, as a user runs it (subprocesses against the local Cognito, whose default pool
 * allows password, email-code, SMS-code and passkey first factors): `sign-in --factor`,
 * Cognito's choices numbered on a terminal (and refused without one), `sign-up
 * --passwordless` then `confirm-sign-up --sign-in` with the session Cognito gives.
 */
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Cli from "./cliProcess.js"

const password = "Corr3ct-Horse!"
const phone = "+15555550123"

/** A failure as the CLI must report it: one line, the exit code, no stack trace, no secret. */
const assertOneLineFailure = (
  result: Cli.Result,
  expected: string,
  options: { readonly code?: number; readonly secrets?: ReadonlyArray<string> } = {}
) => {
  assert.strictEqual(
    result.code,
    options.code ?? 1,
    `expected exit ${options.code ?? 1}:\n${result.stdout}${result.stderr}`
  )
  const errorLines = Cli.lines(result.stderr).filter((line) => line.startsWith("effect-cognito:"))
  assert.strictEqual(errorLines.length, 1, `expected one line, got:\n${result.stderr}`)
  assert.include(errorLines[0], expected)
  assert.notMatch(result.stderr, /\n\s+at /, "a stack trace")
  for (const secret of options.secrets ?? []) assert.notInclude(result.stdout + result.stderr, secret)
}

/** The claims of the stored id token, through `tokens --decode`. */
const signedInAs = (env: Record<string, string>) =>
  Effect.gen(function* () {
    const tokens = yield* Cli.run(["tokens", "--decode"], env)
    assert.strictEqual(tokens.code, 0, tokens.stderr)
    return (JSON.parse(tokens.stdout) as { idToken: Record<string, unknown> }).idToken["cognito:username"]
  })

/** Runs `args`, waits for the prompt `label`, answers it with the last code sent to `username`. */
const withCode = (args: ReadonlyArray<string>, env: Record<string, string>, username: string, label: string) =>
  Effect.scoped(
    Effect.gen(function* () {
      const running = yield* Cli.start(args, env)
      yield* running.prompted(label)
      const code = yield* Cli.lastCode(username)
      yield* running.answer(code)
      return { result: yield* running.done, code }
    })
  )

const layer = LocalCognito.layer()

describe("effect-cognito USER_AUTH and password-less sign-up", { timeout: 120_000 }, () => {
  it.live("sign-up --passwordless asks for no password; confirm-sign-up --sign-in signs in with no second code", () =>
    Effect.gen(function* () {
      const env = yield* Cli.localEnvironment()
      const signUp = yield* Cli.run(["sign-up", "pat", "--passwordless", "--attribute", "email=pat@example.com"], env)
      assert.strictEqual(signUp.code, 0, signUp.stderr)
      assert.notInclude(signUp.stderr, "Password")
      assert.strictEqual(
        signUp.stdout.trim(),
        "signed up pat; a code was sent by email to p***@e***: confirm with `effect-cognito confirm-sign-up pat --sign-in`"
      )

      const code = yield* Cli.lastCode("pat")
      const confirm = yield* Cli.run(["confirm-sign-up", "pat", "--sign-in"], env, [code])
      assert.strictEqual(confirm.code, 0, confirm.stderr)
      assert.strictEqual(confirm.stdout.trim(), "confirmed pat; signed in as pat")
      assert.notInclude(confirm.stdout + confirm.stderr, code)
      // Stored as sign-in stores it: the next invocation reads the tokens.
      assert.strictEqual(yield* signedInAs(env), "pat")

      assertOneLineFailure(
        yield* Cli.run(["confirm-sign-up", "pat", "--sign-in"], env, [code]),
        "pat is signed in; sign out first"
      )
    }).pipe(Effect.provide(layer))
  )

  it.live(
    "a password is still required where the pool has no password-less factor: sign-up --passwordless fails in one line",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const pool = yield* local.pool(local.defaultPool.userPoolId)
        const before = yield* pool.signInPolicy
        yield* pool.setSignInPolicy({ allowedFirstAuthFactors: ["PASSWORD"] })
        const env = yield* Cli.localEnvironment()
        const refused = yield* Cli.run(
          ["sign-up", "kim", "--passwordless", "--attribute", "email=kim@example.com"],
          env
        )
        yield* pool.setSignInPolicy({ allowedFirstAuthFactors: before.allowedFirstAuthFactors })
        assertOneLineFailure(refused, "(InvalidParameter)")
      }).pipe(Effect.provide(layer))
  )

  it.live(
    "sign-in --factor email-otp asks for no password: a wrong code is CodeMismatch, the emailed one signs in",
    () =>
      Effect.gen(function* () {
        const env = yield* Cli.localEnvironment()
        yield* Cli.confirmedUser("quinn", password)

        const wrong = yield* Effect.scoped(
          Effect.gen(function* () {
            const running = yield* Cli.start(["sign-in", "quinn", "--factor", "email-otp"], env)
            yield* running.prompted("Sign-in code")
            const code = yield* Cli.lastCode("quinn")
            yield* running.answer(code === "000000" ? "111111" : "000000")
            return yield* running.done
          })
        )
        assertOneLineFailure(wrong, "(CodeMismatch)", { secrets: [password] })
        assert.notInclude(wrong.stderr, "Password")

        const { result, code } = yield* withCode(
          ["sign-in", "quinn", "--factor", "email-otp"],
          env,
          "quinn",
          "Sign-in code"
        )
        assert.strictEqual(result.code, 0, result.stderr)
        assert.include(result.stderr, "a code was sent by email to q***@e***")
        assert.notInclude(result.stderr, "Password")
        assert.strictEqual(result.stdout.trim(), "signed in as quinn")
        assert.notInclude(result.stdout + result.stderr, code)
        assert.strictEqual(yield* signedInAs(env), "quinn")
      }).pipe(Effect.provide(layer))
  )

  it.live("sign-in --factor password reads the password; --factor sms-otp sends a code by SMS", () =>
    Effect.gen(function* () {
      const env = yield* Cli.localEnvironment()
      yield* Cli.confirmedUser("rosa", password, { phone })

      const byPassword = yield* Cli.run(["sign-in", "rosa", "--factor", "password"], env, [password])
      assert.strictEqual(byPassword.code, 0, byPassword.stderr)
      assert.strictEqual(byPassword.stdout.trim(), "signed in as rosa")
      assert.notInclude(byPassword.stdout + byPassword.stderr, password)
      assert.strictEqual((yield* Cli.run(["sign-out"], env)).code, 0)

      const { result } = yield* withCode(["sign-in", "rosa", "--factor", "sms-otp"], env, "rosa", "Sign-in code")
      assert.strictEqual(result.code, 0, result.stderr)
      assert.include(result.stderr, "a code was sent by sms to +*******0123")
      assert.strictEqual(result.stdout.trim(), "signed in as rosa")
    }).pipe(Effect.provide(layer))
  )

  it.live(
    "no factor on a terminal: Cognito's choices, numbered; the number of EMAIL_OTP signs in with an emailed code",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const env = yield* Cli.localEnvironment()
          yield* Cli.confirmedUser("sam", password)
          const running = yield* Cli.start(["sign-in", "sam", "--flow", "user-auth"], env, { terminal: true })
          yield* running.prompted("Choice (1-")
          const shown = yield* running.stdout
          assert.notInclude(shown, "Password:")
          const emailChoice = /(\d+)\. EMAIL_OTP \(a code sent by email\)/.exec(shown)
          assert.isNotNull(emailChoice, shown)
          assert.match(shown, /\d+\. PASSWORD \(the password\)/)
          assert.notInclude(shown, "WEB_AUTHN", "a passkey needs a browser")
          yield* running.answer(emailChoice![1]!)
          yield* running.prompted("Sign-in code")
          const code = yield* Cli.lastCode("sam")
          yield* running.answer(code)
          const done = yield* running.done
          assert.strictEqual(done.code, 0, done.stdout)
          assert.include(done.stdout, "signed in as sam")
          assert.notInclude(done.stdout, code)
          assert.strictEqual(yield* signedInAs(env), "sam")
        })
      ).pipe(Effect.provide(layer))
  )

  it.live(
    "no factor without a terminal: one line naming the choices and --factor; --save-challenge saves the choice for confirm-sign-in",
    () =>
      Effect.gen(function* () {
        const env = yield* Cli.localEnvironment()
        yield* Cli.confirmedUser("tess", password)

        const refused = yield* Cli.run(["sign-in", "tess", "--flow", "user-auth"], env, [])
        assertOneLineFailure(refused, "choose one with --factor", { code: 2 })
        assert.match(refused.stderr, /Cognito offers [A-Z_, ]*EMAIL_OTP/)
        assert.include(refused.stderr, "email-otp")

        assertOneLineFailure(
          yield* Cli.run(["sign-in", "tess", "--flow", "srp", "--factor", "email-otp"], env, [password]),
          "--factor signs in with USER_AUTH: it does not go with --flow srp",
          { code: 2 }
        )

        const saved = yield* Cli.run(["sign-in", "tess", "--flow", "user-auth", "--save-challenge"], env)
        assert.strictEqual(saved.code, 0, saved.stderr)
        assert.match(
          saved.stdout.trim(),
          /^choose how to sign in \([A-Z_, ]+\): run `effect-cognito confirm-sign-in` within 3 minutes$/
        )
        const chosen = yield* Cli.run(["confirm-sign-in"], env, ["password"])
        assert.strictEqual(chosen.code, 0, chosen.stderr)
        assert.strictEqual(
          chosen.stdout.trim(),
          "run `effect-cognito confirm-sign-in` within 3 minutes to enter the password"
        )
        const signedIn = yield* Cli.run(["confirm-sign-in"], env, [password])
        assert.strictEqual(signedIn.code, 0, signedIn.stderr)
        assert.strictEqual(signedIn.stdout.trim(), "signed in as tess")
        assert.notInclude(signedIn.stdout + signedIn.stderr, password)
      }).pipe(Effect.provide(layer))
  )
})
