/**
 * The `effect-cognito` command line: every `Auth` flow as a command, configured by the
 * `COGNITO_*` variables (`AuthConfig.config`), by flags, or by `--local` (the local
 * Cognito that `effect-cognito local` runs). Sessions live in the default session
 * directory (`NodeTokenStore.directory`), so one invocation signs in and the next reads
 * the tokens. A failure prints one line, `effect-cognito: <reason>`, and exits non-zero.
 *
 * The commands live by group in `accountCommands.ts`, `signInCommands.ts`,
 * `sessionCommands.ts`, `awsCommands.ts` and `localCommand.ts`; what they share (the
 * connection flags, global to every command, `--local`, output helpers) in `shared.ts`;
 * how `--help` reads in `help.ts`.
 *
 * @internal
 */
import * as AuthError from "@effect-cognito/core/AuthError"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as CliConfig from "effect/cli/CliConfig"
import * as EffectCliError from "effect/cli/CliError"
import * as CliOutput from "effect/cli/CliOutput"
import * as Command from "effect/cli/Command"
import * as GlobalFlag from "effect/cli/GlobalFlag"
import type * as HelpDoc from "effect/cli/HelpDoc"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { colours, printable, withPlainOutput, withStderrLogs } from "./console.js"
import { CliError } from "./error.js"
import * as Help from "./help.js"
import {
  changePassword,
  confirmForgotPassword,
  confirmSignUp,
  deleteUser,
  forgotPassword,
  resendCode,
  signUp
} from "./accountCommands.js"
import { deleteAttributes, sendAttributeCode, updateAttributes, verifyAttribute } from "./attributeCommands.js"
import { credentials, fetchCommand } from "./awsCommands.js"
import { devices, forgetDevice, rememberDevice } from "./deviceCommands.js"
import { local } from "./localCommand.js"
import { m2mToken } from "./m2mCommand.js"
import { mfa } from "./mfaCommands.js"
import { signOut, tokens, whoami } from "./sessionCommands.js"
import { globalFlags } from "./shared.js"
import { confirmSignIn, signIn } from "./signInCommands.js"

export { localFile, type LocalPools } from "./shared.js"

/** The version the CLI reports. */
export const version = "0.1.0"

/** The commands besides the root, in the groups `--help` lists them by. */
export const commandGroups = [
  {
    group: "Sign up and reset a password",
    commands: [signUp, confirmSignUp, resendCode, forgotPassword, confirmForgotPassword]
  },
  { group: "Sign in and the session", commands: [signIn, confirmSignIn, whoami, tokens, signOut] },
  {
    group: "The signed-in user's account",
    commands: [changePassword, updateAttributes, sendAttributeCode, verifyAttribute, deleteAttributes, deleteUser]
  },
  { group: "Devices and MFA", commands: [devices, rememberDevice, forgetDevice, mfa] },
  { group: "AWS and other services", commands: [credentials, fetchCommand, m2mToken] },
  { group: "Development", commands: [local] }
] as const

/**
 * The root command: its description's first line is the summary `--help` opens with, the
 * rest closes it; the connection flags are global, so they are given once, anywhere.
 */
export const root = Command.make("effect-cognito").pipe(
  Command.withDescription(
    `Amazon Cognito from the shell: sign-up, sign-in with MFA, tokens, AWS credentials, signed requests.

Each connection flag falls back to its COGNITO_* variable; an app client's secret is read from COGNITO_CLIENT_SECRET only, its challenge lifetime from COGNITO_AUTH_SESSION_VALIDITY. Sessions are kept in EFFECT_COGNITO_HOME (default ~/.config/effect-cognito). A command's --help shows its own flags.`
  ),
  Command.withSubcommands(commandGroups),
  Command.withGlobalFlags(globalFlags)
)

/**
 * The built-in global flags the CLI keeps: `--help` and `--version`. effect/cli's wizard,
 * shell completions and log level are left out: they would be listed in every help for
 * little use here.
 */
const cliConfig = CliConfig.make({ builtIns: [GlobalFlag.Help, GlobalFlag.Version] })

/** A usage error on one line (the parser's suggestions included). */
const usageError = (doc: HelpDoc.HelpDoc, error: EffectCliError.NonShowHelpErrors): string => {
  const suggestions =
    (error._tag === "UnknownSubcommand" || error._tag === "UnrecognizedOption") && error.suggestions.length > 0
      ? ` (did you mean ${error.suggestions.join(", ")}?)`
      : ""
  if (error._tag === "UnknownSubcommand") {
    const names = (doc.subcommands ?? []).flatMap((group) => group.commands.map((command) => `'${command.name}'`))
    const parent = (doc.commandPath ?? error.parent ?? [root.name]).join(" ")
    return `Invalid subcommand for ${parent} - use${names.length === 1 ? "" : " one of"} ${names.join(", ")}${suggestions}`
  }
  const [first = ""] = error.message.split("\n\n")
  return `${first.replace(/\s*\n\s*/g, " ")}${suggestions}`
}

/**
 * How the CLI shows help, the version and usage errors: help on standard output (coloured
 * on a terminal only, and never with `NO_COLOR`; see `help.ts`), the version alone, and
 * each usage error as one line on standard error.
 */
const presenter: CliOutput.Presenter = {
  present: (event) =>
    Effect.suspend(() => {
      switch (event._tag) {
        case "Help":
          return Console.log(
            Help.format(event.helpDoc, {
              colors: colours(process.stdout, process.env),
              width: Help.widthOf(process.stdout)
            })
          )
        case "Version":
          return Console.log(event.version)
        case "InvalidInvocation":
          return Console.error(event.errors.map((error) => usageError(event.helpDoc, error)).join("\n"))
      }
    })
}

const cli = Command.runWith(root, { version })

/** One line for any failure: the reason, never a stack trace or a secret. */
const describe = (error: unknown): string => {
  if (AuthError.isAuthError(error)) return error.message
  if (error instanceof CliError) return error.message
  if (typeof error === "object" && error !== null && "_tag" in error) return `failed (${String(error._tag)})`
  return "failed"
}

/**
 * Runs the CLI on `argv` (as `process.argv`: the runtime and the script first). Never
 * fails: a failure prints one line on standard error and sets the exit code (1 for a
 * failure, 2 for bad usage: what the parser refuses, and a command line it accepts that
 * a command cannot run, such as `delete-user` without `--yes`). Help is coloured on a
 * terminal only, and never with `NO_COLOR` set; a usage error is one plain line. Log
 * entries go to standard error, one line each; standard output holds results alone.
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<void> =>
  withPlainOutput(cli(argv.slice(2))).pipe(
    Effect.provideService(CliOutput.Presenter, presenter),
    Effect.provideService(CliConfig.CliConfig, cliConfig),
    Effect.catch((error) =>
      EffectCliError.isCliError(error)
        ? // The presenter has printed what is wrong with the command line (or the help, for a bare command).
          Effect.sync(() => {
            if (error._tag !== "ShowHelp" || error.errors.length > 0) process.exitCode = 2
          })
        : Effect.andThen(
            Effect.sync(() => process.stderr.write(`effect-cognito: ${printable(describe(error))}\n`)),
            Effect.sync(() => {
              process.exitCode = error instanceof CliError && error.usage === true ? 2 : 1
            })
          )
    ),
    withStderrLogs,
    Effect.catchDefect(() =>
      Effect.sync(() => {
        process.stderr.write("effect-cognito: an unexpected failure (a defect); please report it\n")
        process.exitCode = 70
      })
    ),
    Effect.provide(NodeServices.layer)
  )
