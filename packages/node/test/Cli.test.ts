/**
 * The `effect-cognito` CLI as a subprocess against the local Cognito (in this process, on
 * a loopback port): a whole session from sign-up to sign-out, sessions kept in the session
 * directory between invocations, and bad input answered with one line and a non-zero exit,
 * never a stack trace or a secret.
 */
import { existsSync } from "node:fs"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as IdentityPool from "@effect-cognito/core/IdentityPool"
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { assert, describe, it } from "@effect/vitest"
import * as CliOutput from "effect/cli/CliOutput"
import * as Command from "effect/cli/Command"
import type * as HelpDoc from "effect/cli/HelpDoc"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as CliConsole from "../src/internal/cli/console.js"
import * as CliMain from "../src/internal/cli/main.js"
import * as Cli from "./cliProcess.js"
import * as SigV4Server from "./SigV4Server.js"

const password = "Corr3ct-Horse!"

const commandNames = [
  "sign-up",
  "confirm-sign-up",
  "resend-code",
  "sign-in",
  "confirm-sign-in",
  "whoami",
  "tokens",
  "sign-out",
  "forgot-password",
  "confirm-forgot-password",
  "change-password",
  "delete-user",
  "update-attributes",
  "send-attribute-code",
  "verify-attribute",
  "delete-attributes",
  "devices",
  "remember-device",
  "forget-device",
  "mfa",
  "credentials",
  "fetch",
  "local"
]

const freshHome = Cli.freshHome()

/** The variables that point the CLI at the local Cognito, and a fresh session directory. */
const environment = Cli.localEnvironment()

const lastCode = Cli.lastCode

/** A failure as the CLI must report it: one line, a non-zero exit, no stack trace, no secret. */
const assertOneLineFailure = (result: Cli.Result, expected: string, secrets: ReadonlyArray<string> = []) => {
  assert.notStrictEqual(result.code, 0, `expected a failure, got:\n${result.stdout}${result.stderr}`)
  const errorLines = Cli.lines(result.stderr).filter((line) => !/^[\w ]+: ?$/.test(line))
  assert.strictEqual(errorLines.length, 1, `expected one line, got:\n${result.stderr}`)
  assert.include(errorLines[0], expected)
  assert.notMatch(result.stderr, /\n\s+at /, "a stack trace")
  for (const secret of secrets) {
    assert.notInclude(result.stderr, secret)
    assert.notInclude(result.stdout, secret)
  }
}

/** The identity pool behind the local Cognito: one identity per pool, fixed credentials valid for an hour. */
const issued = {
  accessKeyId: "ASIALOCALCLITEST",
  secretAccessKey: Redacted.make("local-secret-access-key"),
  sessionToken: Redacted.make("local-session-token")
}
const identityPools = (config: LocalCognito.IdentityPoolConfig) =>
  Effect.succeed(
    IdentityPool.make({
      getId: () => Effect.succeed({ identityId: `${config.region}:00000000-0000-4000-8000-000000000001` }),
      getCredentialsForIdentity: (request) =>
        Effect.sync(() => ({
          identityId: request.identityId,
          credentials: { ...issued, expiration: new Date(Date.now() + 3_600_000) }
        }))
    })
  )

const layer = LocalCognito.layer({ identityPools })

describe("effect-cognito CLI", { timeout: 120_000 }, () => {
  it.live(
    "signs up, confirms, signs in through the MFA prompt, prints tokens and credentials, signs a request, signs out",
    () =>
      Effect.gen(function* () {
        const env = yield* environment
        const local = yield* LocalCognito.LocalCognito

        const signUp = yield* Cli.run(["sign-up", "alice", "--attribute", "email=alice@example.com"], env, [password])
        assert.strictEqual(signUp.code, 0, signUp.stderr)
        assert.include(signUp.stdout, "signed up alice; a code was sent by email")

        const confirm = yield* Cli.run(["confirm-sign-up", "alice"], env, [yield* lastCode("alice")])
        assert.strictEqual(confirm.code, 0, confirm.stderr)
        assert.include(confirm.stdout, "confirmed alice")

        // Email MFA for alice: sign-in asks for the code it sends.
        const pool = yield* local.pool(local.defaultPool.userPoolId)
        yield* pool.adminSetUserMfa("alice", { email: true, preferred: "EMAIL" })
        const signIn = yield* Effect.scoped(
          Effect.gen(function* () {
            const running = yield* Cli.start(["sign-in", "alice"], env)
            yield* running.prompted("Password")
            yield* running.answer(password)
            yield* running.prompted("MFA code")
            yield* running.answer(yield* lastCode("alice"))
            return yield* running.done
          })
        )
        assert.strictEqual(signIn.code, 0, signIn.stderr)
        assert.include(signIn.stderr, "a code was sent by email")
        assert.include(signIn.stdout, "signed in as alice")
        assert.notInclude(signIn.stdout + signIn.stderr, password)

        // A new process reads the session from the directory.
        const tokens = yield* Cli.run(["tokens", "--json"], env)
        assert.strictEqual(tokens.code, 0, tokens.stderr)
        const parsed = JSON.parse(tokens.stdout) as Record<string, string>
        assert.strictEqual(parsed.idToken?.split(".").length, 3)
        assert.strictEqual(parsed.accessToken?.split(".").length, 3)

        const decoded = yield* Cli.run(["tokens", "--decode"], env)
        assert.strictEqual(decoded.code, 0, decoded.stderr)
        const claims = JSON.parse(decoded.stdout) as {
          idToken: Record<string, unknown>
          accessToken: Record<string, unknown>
        }
        assert.strictEqual(claims.idToken["cognito:username"], "alice")
        assert.strictEqual(claims.accessToken.token_use, "access")
        assert.notInclude(decoded.stdout, parsed.accessToken!)

        const whoami = yield* Cli.run(["whoami"], env)
        assert.strictEqual(whoami.code, 0, whoami.stderr)
        assert.include(whoami.stdout, "alice")
        assert.include(whoami.stdout, "email=alice@example.com")

        // A new email: unverified until the code sent to it verifies it.
        const updated = yield* Cli.run(
          ["update-attributes", "--attribute", "email=alice@example.org", "--attribute", "nickname=al"],
          env
        )
        assert.strictEqual(updated.code, 0, updated.stderr)
        assert.include(updated.stdout, "updated email, nickname")
        assert.include(
          updated.stdout,
          "email: a code was sent by email to a***@e***: verify with `effect-cognito verify-attribute email`"
        )
        const resent = yield* Cli.run(["send-attribute-code", "email"], env)
        assert.strictEqual(resent.code, 0, resent.stderr)
        assert.include(resent.stdout, "a code was sent by email to a***@e***")
        const code = yield* lastCode("alice")
        assertOneLineFailure(
          yield* Cli.run(["verify-attribute", "email"], env, [code === "000000" ? "111111" : "000000"]),
          "CodeMismatch"
        )
        const verified = yield* Cli.run(["verify-attribute", "email"], env, [code])
        assert.strictEqual(verified.code, 0, verified.stderr)
        assert.include(verified.stdout, "email verified")
        assert.notInclude(verified.stdout + verified.stderr, code)
        const after = yield* Cli.run(["whoami"], env)
        assert.include(after.stdout, "email=alice@example.org")
        assert.include(after.stdout, "email_verified=true")

        // AWS credentials as the AWS CLI's credential_process reads them.
        const credentialProcess = yield* Cli.run(["credentials", "--format", "credential-process"], env)
        assert.strictEqual(credentialProcess.code, 0, credentialProcess.stderr)
        const credentials = JSON.parse(credentialProcess.stdout) as Record<string, unknown>
        assert.deepStrictEqual(Object.keys(credentials), [
          "Version",
          "AccessKeyId",
          "SecretAccessKey",
          "SessionToken",
          "Expiration"
        ])
        assert.strictEqual(credentials.Version, 1)
        assert.strictEqual(credentials.AccessKeyId, issued.accessKeyId)
        assert.strictEqual(credentials.SecretAccessKey, "local-secret-access-key")
        assert.strictEqual(credentials.SessionToken, "local-session-token")
        assert.isFalse(Number.isNaN(Date.parse(String(credentials.Expiration))))
        const shell = yield* Cli.run(["credentials"], env)
        assert.include(shell.stdout, `export AWS_ACCESS_KEY_ID=${issued.accessKeyId}\n`)

        // A signed request, checked by a server that verifies SigV4 with those credentials.
        const server = yield* SigV4Server.make({ ...issued, region: "eu-central-1", service: "execute-api" })
        const fetched = yield* Cli.run(
          [
            "fetch",
            `${server.url}/items?limit=2`,
            "--service",
            "execute-api",
            "--signing-region",
            "eu-central-1",
            "--method",
            "POST",
            "--data",
            '{"name":"widget"}',
            "--header",
            "content-type=application/json"
          ],
          env
        )
        assert.strictEqual(fetched.code, 0, fetched.stderr)
        assert.strictEqual(fetched.stdout.trim(), "signed")
        assert.deepStrictEqual(
          server.verdicts.map((verdict) => verdict._tag),
          ["Valid"]
        )
        const body = server.requests[0]!.body
        assert.strictEqual(typeof body === "string" ? body : new TextDecoder().decode(body), '{"name":"widget"}')
        // Signed for another service, the server refuses it: one line, exit 1.
        assertOneLineFailure(
          yield* Cli.run(["fetch", `${server.url}/items`, "--service", "s3", "--signing-region", "eu-central-1"], env),
          "fetch: HTTP 403 InvalidSignatureException",
          ["local-secret-access-key", "local-session-token"]
        )

        const signOut = yield* Cli.run(["sign-out"], env)
        assert.strictEqual(signOut.code, 0, signOut.stderr)
        assert.include(signOut.stdout, "signed out alice")

        assertOneLineFailure(yield* Cli.run(["tokens"], env), "NotSignedIn", [parsed.refreshToken!])
      }).pipe(Effect.provide(layer))
  )

  it.live("delete-user needs --yes, then deletes the account and signs out", () =>
    Effect.gen(function* () {
      const env = yield* environment
      const signUp = yield* Cli.run(["sign-up", "dora", "--attribute", "email=dora@example.com"], env, [password])
      assert.strictEqual(signUp.code, 0, signUp.stderr)
      yield* Cli.run(["confirm-sign-up", "dora"], env, [yield* lastCode("dora")])
      const signIn = yield* Cli.run(["sign-in", "dora"], env, [password])
      assert.strictEqual(signIn.code, 0, signIn.stderr)
      const withoutYes = yield* Cli.run(["delete-user"], env)
      assertOneLineFailure(withoutYes, "pass --yes to delete dora for good")
      assert.strictEqual(withoutYes.code, 2, "a missing --yes is bad usage")
      const deleted = yield* Cli.run(["delete-user", "--yes"], env)
      assert.strictEqual(deleted.code, 0, deleted.stderr)
      assert.include(deleted.stdout, "deleted dora; signed out")
      assertOneLineFailure(yield* Cli.run(["tokens"], env), "NotSignedIn")
      assertOneLineFailure(yield* Cli.run(["sign-in", "dora"], env, [password]), "UserNotFound", [password])
    }).pipe(Effect.provide(layer))
  )

  it.live("answers bad input with one line and a non-zero exit, never a stack trace or a secret", () =>
    Effect.gen(function* () {
      const env = yield* environment

      const unknown = yield* Cli.run(["frobnicate"], env)
      assert.strictEqual(unknown.code, 2)
      assert.strictEqual(Cli.lines(unknown.stderr).length, 1, unknown.stderr)
      assert.include(unknown.stderr, "Invalid subcommand")

      const { COGNITO_USER_POOL_ID: _, ...withoutPool } = env
      assertOneLineFailure(yield* Cli.run(["tokens"], withoutPool), "COGNITO_USER_POOL_ID is missing")
      assertOneLineFailure(
        yield* Cli.run(["tokens"], { ...env, COGNITO_CLIENT_SECRET: "sup3r-s3cret", COGNITO_REGION: "Mars" }),
        "COGNITO_REGION: expected an AWS region",
        ["sup3r-s3cret"]
      )

      yield* Cli.run(["sign-up", "bob", "--attribute", "email=bob@example.com"], env, [password])
      yield* Cli.run(["confirm-sign-up", "bob"], env, [yield* lastCode("bob")])
      assertOneLineFailure(yield* Cli.run(["sign-in", "bob"], env, ["Wr0ng-Password!"]), "NotAuthorized", [
        "Wr0ng-Password!"
      ])
      assertOneLineFailure(yield* Cli.run(["confirm-sign-up", "carol"], env, ["123456"]), "failed", ["123456"])
      assertOneLineFailure(yield* Cli.run(["whoami"], env), "NotSignedIn")
      assertOneLineFailure(yield* Cli.run(["sign-in", "bob"], env, []), "Password: expected a line on standard input")
      assertOneLineFailure(yield* Cli.run(["tokens", "--local"], env), "--local: no local Cognito is running")
    }).pipe(Effect.provide(layer))
  )

  it.live("`local` runs the local Cognito for --local, prints each code, and removes its ids when stopped", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const home = yield* freshHome
        const env = { EFFECT_COGNITO_HOME: home }
        const local = yield* Cli.start(["local", "--port", "0"], env)
        assert.isDefined(yield* local.printed(/delivered codes follow/), "the local Cognito did not start")
        assert.isTrue(existsSync(join(home, "local.json")))

        const signUp = yield* Cli.run(["sign-up", "--local", "dana", "--attribute", "email=dana@example.com"], env, [
          password
        ])
        assert.strictEqual(signUp.code, 0, signUp.stderr)
        const printed = yield* local.printed(/EMAIL to dana@example\.com \(([^,]+), dana, SignUp\): (\d{6})/)
        assert.isDefined(printed, yield* local.stdout)
        const [line, userPoolId, code] = printed!
        // The line `npm run local-cognito` prints for the same delivery: one format for both servers.
        assert.strictEqual(
          line,
          LocalCognito.formatDelivery({
            userPoolId: userPoolId!,
            message: {
              username: "dana",
              medium: "EMAIL",
              destination: "dana@example.com",
              purpose: "SignUp",
              code: Redacted.make(code!),
              at: 0
            }
          })
        )
        const confirm = yield* Cli.run(["confirm-sign-up", "--local", "dana"], env, [code!])
        assert.strictEqual(confirm.code, 0, confirm.stderr)
        const signIn = yield* Cli.run(["sign-in", "--local", "dana"], env, [password])
        assert.strictEqual(signIn.code, 0, signIn.stderr)
        assert.include(signIn.stdout, "signed in as dana")

        yield* local.stop
        assert.isFalse(existsSync(join(home, "local.json")))
        assertOneLineFailure(yield* Cli.run(["whoami", "--local"], env), "--local: no local Cognito is running")
      })
    )
  )

  it.live("`local --state` keeps the pools and users across a restart; a corrupted file is refused and kept", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const home = yield* freshHome
        const env = { EFFECT_COGNITO_HOME: home }
        const state = join(home, "state.json")
        const ids = /user pool\s+(\S+)\n\s+app client\s+(\S+)[^\n]*\n\s+identity pool\s+(\S+)/
        const first = yield* Cli.start(["local", "--port", "0", "--state", state], env)
        const before = (yield* first.printed(ids))?.slice(1)
        assert.isDefined(before, yield* first.stdout)
        const signUp = yield* Cli.run(["sign-up", "--local", "erin", "--attribute", "email=erin@example.com"], env, [
          password
        ])
        assert.strictEqual(signUp.code, 0, signUp.stderr)
        const code = (yield* first.printed(/EMAIL to erin@example\.com \([^)]*, erin, SignUp\): (\d{6})/))?.[1]
        assert.isDefined(code, yield* first.stdout)
        assert.strictEqual((yield* Cli.run(["confirm-sign-up", "--local", "erin"], env, [code!])).code, 0)
        yield* first.stop

        const second = yield* Cli.start(["local", "--port", "0", "--state", state], env)
        assert.deepStrictEqual((yield* second.printed(ids))?.slice(1), before, yield* second.stdout)
        const signIn = yield* Cli.run(["sign-in", "--local", "erin"], env, [password])
        assert.strictEqual(signIn.code, 0, signIn.stderr)
        assert.include(signIn.stdout, "signed in as erin")
        yield* second.stop

        const corrupted = join(home, "corrupted.json")
        yield* Effect.promise(() => writeFile(corrupted, '{"version": 1, "region": 7}', { mode: 0o600 }))
        const refused = yield* Cli.run(["local", "--port", "0", "--state", corrupted], env)
        assertOneLineFailure(refused, `the state file ${corrupted} is not a local Cognito state`)
        assert.strictEqual(yield* Effect.promise(() => readFile(corrupted, "utf8")), '{"version": 1, "region": 7}')
      })
    )
  )

  it.live("--help works on the root and on a command, as a process, in plain text when piped", () =>
    Effect.gen(function* () {
      const home = yield* freshHome
      const root = yield* Cli.run(["--help"], { EFFECT_COGNITO_HOME: home })
      assert.strictEqual(root.code, 0, root.stderr)
      for (const command of commandNames) assert.include(root.stdout, command)
      const signIn = yield* Cli.run(["sign-in", "--help"], { EFFECT_COGNITO_HOME: home })
      assert.strictEqual(signIn.code, 0, signIn.stderr)
      assert.include(signIn.stdout, "$ sign-in")
      assert.include(signIn.stdout, "MFA code")
      assert.include(signIn.stdout, "--save-challenge")
      const confirm = yield* Cli.run(["confirm-sign-in", "--help"], { EFFECT_COGNITO_HOME: home })
      assert.strictEqual(confirm.code, 0, confirm.stderr)
      assert.include(confirm.stdout, "$ confirm-sign-in [--local]")
      assert.include(confirm.stdout, "never from the command line")
      const unknown = yield* Cli.run(["frobnicate"], { EFFECT_COGNITO_HOME: home })
      for (const output of [root.stdout, signIn.stdout, confirm.stdout, unknown.stderr])
        assert.notInclude(output, "\u001b[", "an ANSI escape in output that is not a terminal")
    })
  )

  it.live("--help on a terminal is coloured, and plain with NO_COLOR (a pseudo-terminal by script(1))", () =>
    Effect.gen(function* () {
      const home = yield* freshHome
      const coloured = yield* Cli.runOnTerminal(["sign-in", "--help"], { EFFECT_COGNITO_HOME: home })
      assert.strictEqual(coloured.code, 0, coloured.stdout)
      // The heading in bold, as effect/cli's formatter writes it.
      assert.include(coloured.stdout, "\u001b[1mUSAGE")
      const plain = yield* Cli.runOnTerminal(["sign-in", "--help"], { EFFECT_COGNITO_HOME: home, NO_COLOR: "1" })
      assert.strictEqual(plain.code, 0, plain.stdout)
      assert.include(plain.stdout, "USAGE")
      assert.notInclude(plain.stdout, "\u001b[")
    })
  )

  it("colour goes only to a terminal, and never with NO_COLOR set", () => {
    assert.isTrue(CliConsole.colours({ isTTY: true }, {}))
    assert.isTrue(CliConsole.colours({ isTTY: true }, { NO_COLOR: "" }))
    assert.isFalse(CliConsole.colours({ isTTY: true }, { NO_COLOR: "1" }))
    assert.isFalse(CliConsole.colours({ isTTY: false }, {}))
    assert.isFalse(CliConsole.colours({}, {}))
    assert.strictEqual(CliConsole.plain("\u001b[0;1m\u001b[0;37;1mUSAGE\u001b[0m \u001b[2K$ x"), "USAGE $ x")
  })

  it.live("every command has its own help: usage, a description, the connection flags", () =>
    Effect.gen(function* () {
      const subcommands = CliMain.root.subcommands.flatMap((group) => group.commands.map((command) => command.name))
      assert.sameMembers(subcommands, commandNames)
      // Each command, and each command of a group (`mfa setup-totp`); a group itself takes no connection flags.
      const commands = CliMain.root.subcommands.flatMap((group) =>
        group.commands.flatMap((command) => [
          { path: [command.name], connects: command.name !== "local" && command.subcommands.length === 0 },
          ...command.subcommands.flatMap((inner) =>
            inner.commands.map((sub) => ({ path: [command.name, sub.name], connects: true }))
          )
        ])
      )
      assert.includeDeepMembers(
        commands.map((command) => command.path),
        [
          ["mfa", "setup-totp"],
          ["mfa", "verify-totp"],
          ["mfa", "preference"]
        ]
      )
      const formatter = CliOutput.defaultFormatter({ colors: false })
      for (const { path, connects } of commands) {
        const name = path.join(" ")
        // The help `<name> --help` shows, as the CLI's runner builds it.
        const docs: Array<HelpDoc.HelpDoc> = []
        const presenter = CliOutput.layerPresenter({
          present: (event) => Effect.sync(() => void (event._tag === "Help" && docs.push(event.helpDoc)))
        })
        yield* Command.runWith(CliMain.root, { version: CliMain.version })([...path, "--help"]).pipe(
          Effect.provide([presenter, NodeServices.layer])
        )
        assert.lengthOf(docs, 1, name)
        const help = formatter.formatHelpDoc(docs[0]!)
        assert.include(help, "DESCRIPTION", name)
        if (connects) assert.include(help, "--local", name)
      }
    })
  )
})
