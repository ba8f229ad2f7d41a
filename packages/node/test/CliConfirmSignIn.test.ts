/**
 * A sign-in answered across invocations of the `effect-cognito` CLI (subprocesses against
 * the local Cognito): `sign-in --save-challenge` (or a `sign-in` whose standard input ends
 * before the answer) saves the challenge in the session directory, `confirm-sign-in`
 * answers it from standard input. Failures are one line, never a stack trace or a secret.
 */
import { existsSync } from "node:fs"
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Cli from "./cliProcess.js"

const password = "Corr3ct-Horse!"
const phone = "+15555550123"

/** The variables that point the CLI at the local Cognito, and a fresh session directory. */
const environment = Effect.gen(function* () {
  const local = yield* LocalCognito.LocalCognito
  const pool = local.defaultPool
  return {
    COGNITO_USER_POOL_ID: pool.userPoolId,
    COGNITO_CLIENT_ID: pool.clientId,
    COGNITO_ENDPOINT: local.endpoint,
    EFFECT_COGNITO_HOME: yield* Effect.promise(() => mkdtemp(join(tmpdir(), "effect-cognito-cli-"))),
    // What the messages say must not depend on the developer's locale or time zone.
    TZ: "UTC"
  }
})

type Env = Effect.Success<typeof environment>

/** Where the CLI saves the pending sign-in of the default app client. */
const savedFile = (env: Env) =>
  join(env.EFFECT_COGNITO_HOME, `effect-cognito.${env.COGNITO_USER_POOL_ID}.${env.COGNITO_CLIENT_ID}.sign-in.json`)

const lastCode = Cli.lastCode

/** A confirmed user with a phone number and the given MFA, through the CLI and the pool's admin. */
const userWithMfa = (env: Env, username: string, mfa: { readonly sms?: boolean; readonly email?: boolean }) =>
  Effect.gen(function* () {
    const signUp = yield* Cli.run(
      ["sign-up", username, "--attribute", `email=${username}@example.com`, "--attribute", `phone_number=${phone}`],
      env,
      [password]
    )
    assert.strictEqual(signUp.code, 0, signUp.stderr)
    const confirm = yield* Cli.run(["confirm-sign-up", username], env, [yield* lastCode(username)])
    assert.strictEqual(confirm.code, 0, confirm.stderr)
    const local = yield* LocalCognito.LocalCognito
    const pool = yield* local.pool(local.defaultPool.userPoolId)
    yield* pool.adminSetUserMfa(username, mfa)
  })

/** A failure as the CLI must report it: one line, a non-zero exit, no stack trace, no secret. */
const assertOneLineFailure = (result: Cli.Result, expected: string, secrets: ReadonlyArray<string> = []) => {
  assert.notStrictEqual(result.code, 0, `expected a failure, got:\n${result.stdout}${result.stderr}`)
  const errorLines = Cli.lines(result.stderr).filter((line) => !/^[\w ]+: ?$/.test(line))
  assert.strictEqual(errorLines.length, 1, `expected one line, got:\n${result.stderr}`)
  assert.include(errorLines[0], expected)
  assert.notMatch(result.stderr, /\n\s+at /, "a stack trace")
  for (const secret of secrets) assert.notInclude(result.stdout + result.stderr, secret)
}

/** The Cognito session saved in the file (the one secret it must hold). */
const savedSession = (env: Env) =>
  Effect.promise(async () => {
    const saved = JSON.parse(await readFile(savedFile(env), "utf8")) as { pendingSignIn: { session: string } }
    return saved.pendingSignIn.session
  })

const layer = LocalCognito.layer()

describe("effect-cognito sign-in --save-challenge and confirm-sign-in", { timeout: 120_000 }, () => {
  it.live("saves the SMS challenge (0600), then confirm-sign-in takes the code on stdin; a wrong code keeps it", () =>
    Effect.gen(function* () {
      const env = yield* environment
      yield* userWithMfa(env, "bob", { sms: true })

      const signIn = yield* Cli.run(["sign-in", "bob", "--save-challenge"], env, [password])
      assert.strictEqual(signIn.code, 0, signIn.stderr)
      assert.strictEqual(
        signIn.stdout.trim(),
        "a code was sent by sms to +*******0123; run `effect-cognito confirm-sign-in` within 3 minutes to enter it"
      )
      assert.notInclude(signIn.stderr, "MFA code")
      const saved = yield* Effect.promise(() => stat(savedFile(env)))
      assert.strictEqual(saved.mode & 0o777, 0o600)
      assert.strictEqual((yield* Effect.promise(() => stat(env.EFFECT_COGNITO_HOME))).mode & 0o077, 0)
      const text = yield* Effect.promise(() => readFile(savedFile(env), "utf8"))
      assert.notInclude(text, password)
      const session = yield* savedSession(env)
      assert.isAbove(session.length, 0)

      assertOneLineFailure(yield* Cli.run(["whoami"], env), "NotSignedIn", [session])

      const code = yield* lastCode("bob")
      const wrong = code === "000000" ? "111111" : "000000"
      const mismatch = yield* Cli.run(["confirm-sign-in"], env, [wrong])
      assertOneLineFailure(mismatch, "(CodeMismatch)", [session, wrong, password])
      assert.include(mismatch.stderr, "run `effect-cognito confirm-sign-in` to try again")
      assert.isTrue(existsSync(savedFile(env)), "the challenge is kept after a wrong code")

      const confirm = yield* Cli.run(["confirm-sign-in"], env, [code])
      assert.strictEqual(confirm.code, 0, confirm.stderr)
      assert.strictEqual(confirm.stdout.trim(), "signed in as bob")
      for (const secret of [session, code, password]) assert.notInclude(confirm.stdout + confirm.stderr, secret)
      assert.isFalse(existsSync(savedFile(env)), "the saved challenge is deleted once signed in")

      const tokens = yield* Cli.run(["tokens", "--decode"], env)
      assert.strictEqual(tokens.code, 0, tokens.stderr)
      const claims = JSON.parse(tokens.stdout) as { idToken: Record<string, unknown> }
      assert.strictEqual(claims.idToken["cognito:username"], "bob")

      assertOneLineFailure(yield* Cli.run(["confirm-sign-in"], env, [code]), "no sign-in is waiting for an answer")
    }).pipe(Effect.provide(layer))
  )

  it.live("a saved session Cognito refuses: one line saying to sign in again, and the saved challenge goes", () =>
    Effect.gen(function* () {
      const env = yield* environment
      yield* userWithMfa(env, "erin", { sms: true })
      const signIn = yield* Cli.run(["sign-in", "erin", "--save-challenge"], env, [password])
      assert.strictEqual(signIn.code, 0, signIn.stderr)
      const session = yield* savedSession(env)
      // The session Cognito handed out, replaced (as a spent or forged one would be): still within its minutes.
      const text = yield* Effect.promise(() => readFile(savedFile(env), "utf8"))
      const forged = `${"A".repeat(20)}forged-session${"B".repeat(20)}`
      yield* Effect.promise(() => writeFile(savedFile(env), text.replace(session, forged)))
      const code = yield* lastCode("erin")
      const refused = yield* Cli.run(["confirm-sign-in"], env, [code])
      assertOneLineFailure(refused, "sign in again", [session, forged, code, password])
      assert.include(refused.stderr, "NotAuthorized")
      assert.isFalse(existsSync(savedFile(env)), "a challenge Cognito refuses is not kept")
    }).pipe(Effect.provide(layer))
  )

  it.live("a choice of MFA type is saved again with the code that follows; sign-in saves it when stdin ends", () =>
    Effect.gen(function* () {
      const env = yield* environment
      yield* userWithMfa(env, "carol", { sms: true, email: true })

      // An interactive sign-in whose piped input ends after the password keeps the challenge.
      const signIn = yield* Cli.run(["sign-in", "carol"], env, [password])
      assert.strictEqual(signIn.code, 0, signIn.stderr)
      assert.include(signIn.stderr, "found its end: the challenge is saved")
      assert.strictEqual(
        signIn.stdout.trim(),
        "choose an MFA type (SMS, EMAIL): run `effect-cognito confirm-sign-in` within 3 minutes"
      )

      const choose = yield* Cli.run(["confirm-sign-in"], env, ["EMAIL"])
      assert.strictEqual(choose.code, 0, choose.stderr)
      assert.strictEqual(
        choose.stdout.trim(),
        "a code was sent by email to c***@e***; run `effect-cognito confirm-sign-in` within 3 minutes to enter it"
      )
      assert.isTrue(existsSync(savedFile(env)))

      const confirm = yield* Cli.run(["confirm-sign-in"], env, [yield* lastCode("carol")])
      assert.strictEqual(confirm.code, 0, confirm.stderr)
      assert.strictEqual(confirm.stdout.trim(), "signed in as carol")
      assert.isFalse(existsSync(savedFile(env)))
    }).pipe(Effect.provide(layer))
  )

  it.live("on a terminal: hidden prompts and a spinner, for sign-in --save-challenge and confirm-sign-in", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const env = yield* environment
        yield* userWithMfa(env, "erin", { sms: true })

        const signIn = yield* Cli.start(["sign-in", "erin", "--save-challenge"], env, { terminal: true })
        yield* signIn.prompted("Password")
        yield* signIn.answer(password)
        const saved = yield* signIn.done
        assert.strictEqual(saved.code, 0, saved.stdout)
        assert.include(saved.stdout, "Signing in") // the spinner, which must stop
        assert.include(saved.stdout, "a code was sent by sms to +*******0123; run `effect-cognito confirm-sign-in`")
        assert.notInclude(saved.stdout, password)

        const confirm = yield* Cli.start(["confirm-sign-in"], env, { terminal: true })
        yield* confirm.prompted("MFA code")
        const code = yield* lastCode("erin")
        yield* confirm.answer(code)
        const done = yield* confirm.done
        assert.strictEqual(done.code, 0, done.stdout)
        assert.include(done.stdout, "signed in as erin")
        assert.notInclude(done.stdout, code)
        assert.isFalse(existsSync(savedFile(env)))
      })
    ).pipe(Effect.provide(layer))
  )

  it.live("an expired or unreadable saved challenge: one line, the file goes; no answer on stdin keeps it", () =>
    Effect.gen(function* () {
      const env = yield* environment
      assertOneLineFailure(
        yield* Cli.run(["confirm-sign-in"], env, ["123456"]),
        "effect-cognito: no sign-in is waiting for an answer; start one with `effect-cognito sign-in <username> --save-challenge`"
      )

      yield* userWithMfa(env, "dana", { sms: true })
      const signIn = yield* Cli.run(["sign-in", "dana", "--save-challenge"], env, [password])
      assert.strictEqual(signIn.code, 0, signIn.stderr)
      const session = yield* savedSession(env)

      // No answer on standard input: one line, and the challenge stays for the next try.
      assertOneLineFailure(
        yield* Cli.run(["confirm-sign-in"], env, []),
        "MFA code: expected a line on standard input, found its end",
        [session]
      )
      assert.isTrue(existsSync(savedFile(env)))

      // Saved ten minutes ago: Cognito would no longer answer it.
      const text = yield* Effect.promise(() => readFile(savedFile(env), "utf8"))
      const saved = JSON.parse(text) as { pendingSignIn: { issuedAt: string; expiresAt: string } }
      saved.pendingSignIn.issuedAt = new Date(Date.now() - 10 * 60_000).toISOString()
      saved.pendingSignIn.expiresAt = new Date(Date.now() - 7 * 60_000).toISOString()
      yield* Effect.promise(() => writeFile(savedFile(env), JSON.stringify(saved)))
      const expired = yield* Cli.run(["confirm-sign-in"], env, [yield* lastCode("dana")])
      assertOneLineFailure(
        expired,
        `effect-cognito: the sign-in of dana expired at ${saved.pendingSignIn.expiresAt} (a challenge can be answered for 3 minutes); sign in again with \`effect-cognito sign-in dana\``,
        [session]
      )
      assert.notInclude(expired.stderr, "MFA code", "nothing is asked once expired")
      assert.isFalse(existsSync(savedFile(env)))

      yield* Effect.promise(() => writeFile(savedFile(env), `{"version":1,"pendingSignIn":{"session":"${session}"`))
      assertOneLineFailure(
        yield* Cli.run(["confirm-sign-in"], env, ["123456"]),
        "sign-in.json: not a saved sign-in (the value is not JSON); sign in again",
        [session]
      )
      assert.isFalse(existsSync(savedFile(env)))
    }).pipe(Effect.provide(layer))
  )
})
