/**
 * `effect-cognito --help` reads like a well-kept CLI's (issue 20, item 7): the name once, a
 * one-line summary, one line per command, the global (connection) flags listed once, no
 * line wider than 100 columns, and none of effect/cli's wizard, completions or log-level
 * flags. A command's help shows its usage and its own flags, and names the global flags in
 * one line. Run as a user runs it: the CLI as a process, its output piped (plain text) or
 * on a pseudo-terminal (colours).
 */
import { assert, describe, it } from "@effect/vitest"
import * as CliOutput from "effect/cli/CliOutput"
import * as Effect from "effect/Effect"
import * as Help from "../src/internal/cli/help.js"
import * as CliMain from "../src/internal/cli/main.js"
import * as Cli from "./cliProcess.js"

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
  "m2m-token",
  "local"
]

/** The flags every command takes, listed in full on the root's help only. */
const globalFlags = [
  "local",
  "user-pool-id",
  "client-id",
  "region",
  "identity-pool-id",
  "endpoint",
  "identity-endpoint",
  "help",
  "version"
]

/** How many lines of `text` match `pattern`. */
const count = (text: string, pattern: RegExp) => text.split("\n").filter((line) => pattern.test(line)).length

/** The lines wider than the help's limit, with their widths. */
const tooWide = (text: string) =>
  text
    .split("\n")
    .filter((line) => CliOutput.displayWidth(line) > Help.maxWidth)
    .map((line) => `${CliOutput.displayWidth(line)}: ${line}`)

const help = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const result = yield* Cli.run(args, { EFFECT_COGNITO_HOME: yield* Cli.freshHome() })
    assert.strictEqual(result.code, 0, result.stderr)
    assert.strictEqual(result.stderr, "")
    assert.notInclude(result.stdout, "\u001b[", "an ANSI escape in output that is not a terminal")
    return result.stdout
  })

describe("effect-cognito --help", { timeout: 120_000 }, () => {
  it.live("names the program once, then a one-line summary, each command once, the global flags once", () =>
    Effect.gen(function* () {
      const text = yield* help(["--help"])
      const lines = text.trimEnd().split("\n")
      assert.notInclude(lines[0], "effect-cognito", "the summary comes first, not a title")
      assert.strictEqual(lines[1], "", "the summary is one line")
      assert.strictEqual(lines[2], "Usage: effect-cognito <command> [flags]")
      // The name as a command, not as a path (~/.config/effect-cognito): once, in the usage line.
      assert.lengthOf(text.match(/(?<![\w/.-])effect-cognito(?![\w-])/g) ?? [], 1, text)
      const listed = CliMain.root.subcommands.flatMap((group) => group.commands.map((command) => command.name))
      assert.sameMembers(listed, commandNames)
      for (const name of commandNames)
        assert.strictEqual(count(text, new RegExp(`^ {2}${name} {2,}\\S`)), 1, `${name} on one line of its own`)
      for (const name of globalFlags)
        assert.strictEqual(count(text, new RegExp(`^ {2}(-\\w, )?--${name}\\b`)), 1, `--${name} listed once`)
      for (const flag of ["--wizard", "--completions", "--log-level"]) assert.notInclude(text, flag)
      assert.deepStrictEqual(tooWide(text), [])
    })
  )

  it.live("of each command: its usage, its own flags, the global flags named in one line, no line over 100", () =>
    Effect.gen(function* () {
      const texts = yield* Effect.forEach(commandNames, (name) => help([name, "--help"]), { concurrency: 2 })
      for (const [index, name] of commandNames.entries()) {
        const text = texts[index]!
        const usage = name === "mfa" ? "<subcommand> \\[flags\\]" : "\\[flags\\]"
        assert.strictEqual(count(text, new RegExp(`^Usage: effect-cognito ${name} ${usage}`)), 1, text)
        for (const flag of globalFlags.filter((flag) => !(name === "local" && flag === "region")))
          assert.strictEqual(count(text, new RegExp(`^ {2}(-\\w, )?--${flag}\\b`)), 0, `${name}: --${flag} listed`)
        const named = text.split("\n").filter((line) => line.startsWith("Global flags: "))
        assert.lengthOf(named, 1, text)
        assert.include(named[0], "--user-pool-id")
        for (const flag of ["--wizard", "--completions", "--log-level"]) assert.notInclude(text, flag)
        assert.deepStrictEqual(tooWide(text), [], name)
      }
      // Each command's own flags, and its full description.
      const of = (name: string) => texts[commandNames.indexOf(name)] ?? ""
      assert.include(of("sign-in"), "--save-challenge")
      assert.include(of("sign-in"), "MFA code")
      assert.include(of("confirm-sign-in"), "never from the command line")
      assert.include(of("credentials"), "--format <format>")
      assert.include(of("local"), "--region <region>")
      assert.include(of("local"), "--port <port>")
      // A group lists its subcommands, each of which has its own help.
      for (const sub of ["setup-totp", "verify-totp", "preference"]) {
        assert.strictEqual(count(of("mfa"), new RegExp(`^ {2}${sub} {2,}\\S`)), 1, of("mfa"))
        const text = yield* help(["mfa", sub, "--help"])
        assert.strictEqual(count(text, new RegExp(`^Usage: effect-cognito mfa ${sub} \\[flags\\]`)), 1, text)
        assert.deepStrictEqual(tooWide(text), [], sub)
      }
    })
  )

  it.live("on a terminal it is coloured, and plain with NO_COLOR (a pseudo-terminal by script(1))", () =>
    Effect.gen(function* () {
      const home = yield* Cli.freshHome()
      const coloured = yield* Cli.runOnTerminal(["sign-in", "--help"], { EFFECT_COGNITO_HOME: home })
      assert.strictEqual(coloured.code, 0, coloured.stdout)
      assert.include(coloured.stdout, "\u001b[1mUsage:")
      const plain = yield* Cli.runOnTerminal(["sign-in", "--help"], { EFFECT_COGNITO_HOME: home, NO_COLOR: "1" })
      assert.strictEqual(plain.code, 0, plain.stdout)
      assert.include(plain.stdout, "Usage: effect-cognito sign-in")
      assert.notInclude(plain.stdout, "\u001b[")
    })
  )

  it.live("--version prints the version alone; the wizard, completions and log level are unknown flags", () =>
    Effect.gen(function* () {
      const env = { EFFECT_COGNITO_HOME: yield* Cli.freshHome() }
      const version = yield* Cli.run(["--version"], env)
      assert.strictEqual(version.code, 0, version.stderr)
      assert.strictEqual(version.stdout, `${CliMain.version}\n`)
      for (const args of [["--wizard"], ["--completions"], ["tokens", "--log-level", "debug"]]) {
        const refused = yield* Cli.run(args, env)
        assert.strictEqual(refused.code, 2, `${args.join(" ")}: ${refused.stdout}${refused.stderr}`)
        assert.lengthOf(Cli.lines(refused.stderr), 1, refused.stderr)
        assert.include(refused.stderr, `Unrecognized flag: ${args.find((arg) => arg.startsWith("--"))}`)
      }
    })
  )

  it.live("takes a global flag before or after the command; a command's own flag of that name wins", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const env = { EFFECT_COGNITO_HOME: yield* Cli.freshHome() }
        for (const args of [
          ["--local", "tokens"],
          ["tokens", "--local"]
        ]) {
          const result = yield* Cli.run(args, env)
          assert.strictEqual(result.code, 1, result.stderr)
          assert.include(result.stderr, "--local: no local Cognito is running", args.join(" "))
        }
        const withRegion = yield* Cli.run(
          [
            "tokens",
            "--user-pool-id",
            "eu-west-1_AbCdEf123",
            "--client-id",
            "1example23456789",
            "--region",
            "us-east-1"
          ],
          env
        )
        assert.include(withRegion.stderr, "COGNITO_REGION: expected the region of COGNITO_USER_POOL_ID (eu-west-1)")
        // `local --region` is the local Cognito's own flag: the region of its pools.
        const local = yield* Cli.start(["local", "--port", "0", "--region", "eu-west-2"], env)
        const region = yield* local.printed(/region\s+(\S+)/)
        assert.strictEqual(region?.[1], "eu-west-2", yield* local.stdout)
        yield* local.stop
      })
    )
  )
})
