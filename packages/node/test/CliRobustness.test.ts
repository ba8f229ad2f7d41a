/**
 * The `effect-cognito` CLI (a subprocess) against what its files and its caller can do to
 * it: a FIFO, a socket, a link or a directory at the session or saved-challenge path (one
 * line naming the path, at once, never a hang), a signal while it waits (it ends, by that
 * signal), a warning while it prints a result (the warning on standard error, the result
 * alone on standard output), a prompt on a terminal whose output is redirected (the prompt
 * on standard error), bad usage (exit 2), a saved challenge nested beyond reason (one
 * line, the file dropped, exit 1), and the web pages `local` lets call it (`--allow-origin`).
 *
 * Every process has a deadline (`cliProcess.ts`): a CLI that hangs is killed and its test
 * fails with `timedOut`, instead of stalling the run.
 */
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { chmod, lstat, mkdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as IdentityPool from "@effect-cognito/core/IdentityPool"
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Cli from "./cliProcess.js"

const password = "Corr3ct-Horse!"

/** Long enough for any CLI run on a loaded machine, short enough that a hang fails quickly. */
const deadlineMillis = 20_000

const freshHome = Cli.freshHome("effect-cognito-cli-robust-")

/** A pool and client id the CLI accepts without reaching any Cognito. */
const offline = (home: string) => ({
  COGNITO_USER_POOL_ID: "us-east-1_Robust1",
  COGNITO_CLIENT_ID: "robustclient",
  // Nothing listens there: a command that got as far as the network would fail with Transport.
  COGNITO_ENDPOINT: "http://127.0.0.1:9",
  EFFECT_COGNITO_HOME: home
})

type Env = ReturnType<typeof offline>

const sessionFile = (env: Env) =>
  join(env.EFFECT_COGNITO_HOME, `effect-cognito.${env.COGNITO_USER_POOL_ID}.${env.COGNITO_CLIENT_ID}.session.json`)

const savedFile = (env: Env) =>
  join(env.EFFECT_COGNITO_HOME, `effect-cognito.${env.COGNITO_USER_POOL_ID}.${env.COGNITO_CLIENT_ID}.sign-in.json`)

const mkfifo = (file: string) => Effect.sync(() => execFileSync("mkfifo", ["-m", "0600", file]))

/** A failure as the CLI must report it: one line, the exit code, no stack trace, no hang. */
const assertOneLineFailure = (result: Cli.Result, expected: ReadonlyArray<string>, code = 1) => {
  assert.isFalse(result.timedOut, `the CLI hung:\n${result.stdout}${result.stderr}`)
  assert.strictEqual(result.code, code, `${result.stdout}${result.stderr}`)
  const errorLines = Cli.lines(result.stderr).filter((line) => !/^[\w ]+: ?$/.test(line))
  assert.strictEqual(errorLines.length, 1, `expected one line, got:\n${result.stderr}`)
  for (const text of expected) assert.include(errorLines[0], text)
  assert.notMatch(result.stderr, /\n\s+at /, "a stack trace")
}

/** The local Cognito's identity pool: fixed credentials for any identity, valid for an hour. */
const identityPools = (config: LocalCognito.IdentityPoolConfig) =>
  Effect.succeed(
    IdentityPool.make({
      getId: () => Effect.succeed({ identityId: `${config.region}:00000000-0000-4000-8000-000000000002` }),
      getCredentialsForIdentity: (request) =>
        Effect.sync(() => ({
          identityId: request.identityId,
          credentials: {
            accessKeyId: "ASIAROBUSTTEST",
            secretAccessKey: Redacted.make("robust-secret-access-key"),
            sessionToken: Redacted.make("robust-session-token"),
            expiration: new Date(Date.now() + 3_600_000)
          }
        }))
    })
  )

const layer = LocalCognito.layer({ identityPools })

/** The variables that point the CLI at the local Cognito, and a fresh session directory. */
const localEnvironment = Cli.localEnvironment("effect-cognito-cli-robust-")

const confirmedUser = (username: string, mfa: { readonly sms?: boolean } = {}) =>
  Cli.confirmedUser(username, password, { phone: "+15555550123", ...mfa })

describe("effect-cognito CLI against hostile files, signals and callers", { timeout: 120_000 }, () => {
  it.live("a FIFO at the session path: the CLI fails at once with one line naming it (Storage), never hangs", () =>
    Effect.gen(function* () {
      const env = offline(yield* freshHome)
      yield* mkfifo(sessionFile(env))
      for (const command of [["tokens"], ["whoami"], ["sign-out"], ["confirm-sign-in"]]) {
        const result = yield* Cli.run(command, env, ["123456"], { deadlineMillis })
        assertOneLineFailure(result, ["(Storage)", sessionFile(env), "a FIFO"])
      }
      assert.isTrue((yield* Effect.promise(() => lstat(sessionFile(env)))).isFIFO(), "left as it is")
    })
  )

  it.live("a FIFO, a link or a directory at the saved-challenge path: one line naming it, exit 1, never a hang", () =>
    Effect.gen(function* () {
      const env = offline(yield* freshHome)
      const target = savedFile(env)
      const elsewhere = join(yield* freshHome, "planted.json")
      yield* Effect.promise(() => writeFile(elsewhere, '{"version":1}'))
      const plants: ReadonlyArray<readonly [string, Effect.Effect<unknown>]> = [
        ["a FIFO", mkfifo(target)],
        ["a symbolic link", Effect.promise(() => symlink(elsewhere, target))],
        ["a directory", Effect.promise(() => mkdir(target))]
      ]
      for (const [kind, plant] of plants) {
        yield* Effect.promise(() => rm(target, { recursive: true, force: true }))
        yield* plant
        const result = yield* Cli.run(["confirm-sign-in"], env, ["123456"], { deadlineMillis })
        assertOneLineFailure(result, ["(Storage)", target, kind])
        assert.isTrue(existsSync(target) || kind === "a symbolic link", `${kind}: left as it is`)
      }
      assert.strictEqual(yield* Effect.promise(() => readFile(elsewhere, "utf8")), '{"version":1}')
    })
  )

  it.live("a FIFO at --local's ids file: one line naming it, never a hang", () =>
    Effect.gen(function* () {
      const home = yield* freshHome
      const file = join(home, "local.json")
      yield* mkfifo(file)
      const result = yield* Cli.run(["tokens", "--local"], { EFFECT_COGNITO_HOME: home }, [], { deadlineMillis })
      assertOneLineFailure(result, ["--local:", file, "a FIFO"])
    })
  )

  it.live("SIGTERM and SIGINT end a command waiting for input, by that signal (the shell sees 143 and 130)", () =>
    Effect.gen(function* () {
      const env = offline(yield* freshHome)
      for (const signal of ["SIGTERM", "SIGINT"] as const) {
        const result = yield* Effect.scoped(
          Effect.gen(function* () {
            const running = yield* Cli.start(["sign-in", "alice"], env, { deadlineMillis })
            yield* running.prompted("Password")
            return yield* running.signal(signal)
          })
        )
        assert.isFalse(result.timedOut, `${signal} did not stop the CLI`)
        assert.strictEqual(result.signal, signal, `${result.code}: ${result.stderr}`)
        assert.notInclude(result.stdout, "signed in")
      }
    })
  )

  it.live("a warning goes to standard error: credentials --format credential-process prints JSON alone", () =>
    Effect.gen(function* () {
      const env = yield* localEnvironment
      yield* confirmedUser("wendy")
      const signIn = yield* Cli.run(["sign-in", "wendy"], env, [password], { deadlineMillis })
      assert.strictEqual(signIn.code, 0, signIn.stderr)
      // Two things the session store warns about: a directory others can write, a guest record that does not decode.
      yield* Effect.promise(() => chmod(env.EFFECT_COGNITO_HOME, 0o777))
      const guest = join(
        env.EFFECT_COGNITO_HOME,
        `effect-cognito.${env.COGNITO_USER_POOL_ID}.${env.COGNITO_CLIENT_ID}.session.guest.json`
      )
      yield* Effect.promise(() => writeFile(guest, '{"version":1,"identityId":7}', { mode: 0o600 }))
      const session = join(
        env.EFFECT_COGNITO_HOME,
        `effect-cognito.${env.COGNITO_USER_POOL_ID}.${env.COGNITO_CLIENT_ID}.session.json`
      )
      yield* Effect.promise(() => writeFile(session, '{"version":1,"session":7}', { mode: 0o600 }))

      const result = yield* Cli.run(["credentials", "--format", "credential-process"], env, [], { deadlineMillis })
      assert.strictEqual(result.code, 0, result.stderr)
      const parsed = JSON.parse(result.stdout) as Record<string, unknown>
      assert.strictEqual(parsed.Version, 1)
      assert.strictEqual(parsed.AccessKeyId, "ASIAROBUSTTEST")
      const warnings = Cli.lines(result.stderr)
      assert.isAtLeast(warnings.length, 2, result.stderr)
      for (const line of warnings) assert.match(line, /^effect-cognito: warning: /, result.stderr)
      assert.isTrue(
        warnings.some((line) => line.includes("could be written by other users")),
        result.stderr
      )
      assert.isTrue(
        warnings.some((line) => line.includes("stored session does not decode")),
        result.stderr
      )
      assert.strictEqual((yield* Effect.promise(() => stat(env.EFFECT_COGNITO_HOME))).mode & 0o777, 0o700)
    }).pipe(Effect.provide(layer))
  )

  it.live(
    "on a terminal with standard output redirected, the prompts still show and the file holds the result alone",
    () =>
      Effect.gen(function* () {
        const env = yield* localEnvironment
        yield* confirmedUser("tess", { sms: true })
        const out = join(env.EFFECT_COGNITO_HOME, "out.txt")
        const result = yield* Effect.scoped(
          Effect.gen(function* () {
            const running = yield* Cli.start(["sign-in", "tess", "--save-challenge"], env, {
              terminal: true,
              stdoutFile: out,
              deadlineMillis
            })
            yield* running.prompted("Password")
            yield* running.answer(password)
            return yield* running.done
          })
        )
        assert.isFalse(result.timedOut, `the prompt never showed:\n${result.stdout}`)
        assert.strictEqual(result.code, 0, result.stdout)
        assert.include(result.stdout, "Password")
        assert.notInclude(result.stdout, password)
        const written = yield* Effect.promise(() => readFile(out, "utf8"))
        assert.strictEqual(
          written.trim(),
          "a code was sent by sms to +*******0123; run `effect-cognito confirm-sign-in` within 3 minutes to enter it"
        )
      }).pipe(Effect.provide(layer))
  )

  it.live("bad usage exits 2: delete-user without --yes, --attribute =x, --port out of range, fetch of no URL", () =>
    Effect.gen(function* () {
      const env = offline(yield* freshHome)
      assertOneLineFailure(yield* Cli.run(["delete-user"], env, [], { deadlineMillis }), ["pass --yes"], 2)
      for (const args of [
        ["sign-up", "bob", "--attribute", "=x"],
        ["update-attributes", "--attribute", "=x"],
        ["sign-in", "bob", "--flow", "magic"]
      ]) {
        const result = yield* Cli.run(args, env, [password], { deadlineMillis })
        assert.strictEqual(result.code, 2, `${args.join(" ")}: ${result.stderr}`)
        assert.strictEqual(Cli.lines(result.stderr).length, 1, result.stderr)
        assert.strictEqual(result.stdout, "")
      }
      assertOneLineFailure(
        yield* Cli.run(["local", "--port", "70000"], env, [], { deadlineMillis }),
        ["--port: expected 0 to 65535"],
        2
      )
      assertOneLineFailure(
        yield* Cli.run(["fetch", "not a url", "--service", "s3"], env, [], { deadlineMillis }),
        ["fetch: expected an absolute URL"],
        2
      )
      // A failure that is not the command line's stays 1.
      assertOneLineFailure(yield* Cli.run(["tokens"], env, [], { deadlineMillis }), ["NotSignedIn"], 1)
    })
  )

  it.live(
    "`local --allow-origin` lets that web page call it and refuses others; an origin that is not one exits 2",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const home = yield* freshHome
          const env = { EFFECT_COGNITO_HOME: home }
          const allowed = "http://127.0.0.1:5173"
          const local = yield* Cli.start(["local", "--port", "0", "--allow-origin", allowed], env, { deadlineMillis })
          const endpoint = (yield* local.printed(/local Cognito at (http:\/\/127\.0\.0\.1:\d+\/)/))?.[1]
          assert.isDefined(endpoint, yield* local.stdout)
          const preflight = (origin: string) =>
            Effect.promise(() =>
              fetch(endpoint!, {
                method: "OPTIONS",
                headers: { origin, "access-control-request-method": "POST" }
              }).then((response) => ({
                status: response.status,
                grant: response.headers.get("access-control-allow-origin")
              }))
            )
          assert.deepStrictEqual(yield* preflight(allowed), { status: 204, grant: allowed })
          const foreign = yield* preflight("https://evil.example")
          assert.strictEqual(foreign.status, 403)
          assert.isNull(foreign.grant)
          yield* local.stop

          assertOneLineFailure(
            yield* Cli.run(["local", "--port", "0", "--allow-origin", "*"], env, [], { deadlineMillis }),
            ["allowedOrigins: expected the origin of a web page"],
            2
          )
        })
      )
  )

  it.live(
    "`local` prints a delivered code with the controls a client chose escaped (a bidi override in an email)",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const home = yield* freshHome
          const env = { EFFECT_COGNITO_HOME: home }
          const local = yield* Cli.start(["local", "--port", "0"], env, { deadlineMillis })
          assert.isDefined(yield* local.printed(/delivered codes follow/), yield* local.stdout)
          const email = "eve\u202egro.elpmaxe@example.com"
          const signUp = yield* Cli.run(
            ["sign-up", "--local", "eve", "--attribute", `email=${email}`],
            env,
            [password],
            {
              deadlineMillis
            }
          )
          assert.strictEqual(signUp.code, 0, signUp.stderr)
          const line = (yield* local.printed(/EMAIL to eve[^\n]*/))?.[0]
          assert.isDefined(line, yield* local.stdout)
          assert.notInclude(line!, "\u202e", "a raw bidi override reached the terminal")
          assert.include(line!, "eve\\u202egro.elpmaxe@example.com")
        })
      )
  )

  it.live("confirm-sign-in with a deeply nested saved challenge: one line, exit 1, and the file is dropped", () =>
    Effect.gen(function* () {
      const env = offline(yield* freshHome)
      const depth = 100_000
      const nested = `${"[".repeat(depth)}${"]".repeat(depth)}`
      const shapes = [
        nested,
        `{"version":1,"pendingSignIn":${nested}}`,
        `{"version":1,"pendingSignIn":{"challengeParameters":{"a":${nested}}}}`,
        `{"version":1,"pendingSignIn":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`
      ]
      for (const text of shapes) {
        yield* Effect.promise(() => writeFile(savedFile(env), text, { mode: 0o600 }))
        const result = yield* Cli.run(["confirm-sign-in"], env, ["123456"], { deadlineMillis })
        assertOneLineFailure(result, [`deleted ${savedFile(env)}: not a saved sign-in`, "sign in again"])
        assert.isFalse(existsSync(savedFile(env)), "the unreadable challenge is dropped")
        // And the next run says so, instead of failing the same way forever.
        assertOneLineFailure(yield* Cli.run(["confirm-sign-in"], env, ["123456"], { deadlineMillis }), [
          "no sign-in is waiting for an answer"
        ])
      }
    })
  )
})
