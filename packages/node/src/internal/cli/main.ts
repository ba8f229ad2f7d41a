/**
 * The `effect-cognito` command line: every `Auth` flow as a command, configured by the
 * `COGNITO_*` variables (`AuthConfig.config`), by flags, or by `--local` (the local
 * Cognito that `effect-cognito local` runs). Sessions live in the default session
 * directory (`NodeTokenStore.directory`), so one invocation signs in and the next reads
 * the tokens. A failure prints one line, `effect-cognito: <reason>`, and exits non-zero.
 *
 * The commands live by group in `accountCommands.ts`, `signInCommands.ts`,
 * `sessionCommands.ts`, `awsCommands.ts` and `localCommand.ts`; what they share (connection, `--local`, output helpers) in `shared.ts`.
 *
 * @internal
 */
import * as AuthError from "@effect-cognito/core/AuthError"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as EffectCliError from "effect/cli/CliError"
import * as CliOutput from "effect/cli/CliOutput"
import * as Command from "effect/cli/Command"
import type * as HelpDoc from "effect/cli/HelpDoc"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { colours, printable, withPlainOutput, withStderrLogs } from "./console.js"
import { CliError } from "./error.js"
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
import { mfa } from "./mfaCommands.js"
import { signOut, tokens, whoami } from "./sessionCommands.js"
import { confirmSignIn, signIn } from "./signInCommands.js"

export { localFile, type LocalPools } from "./shared.js"

/** The version the CLI reports. */
export const version = "0.1.0"

/** The commands besides the root. */
export const commands = [
  signUp,
  confirmSignUp,
  resendCode,
  signIn,
  confirmSignIn,
  whoami,
  tokens,
  signOut,
  forgotPassword,
  confirmForgotPassword,
  changePassword,
  deleteUser,
  updateAttributes,
  sendAttributeCode,
  verifyAttribute,
  deleteAttributes,
  devices,
  rememberDevice,
  forgetDevice,
  mfa,
  credentials,
  fetchCommand,
  local
] as const

export const root = Command.make("effect-cognito").pipe(
  Command.withDescription(
    "Amazon Cognito from the shell: sign-up, sign-in with MFA, tokens, AWS credentials, signed requests. Configured by COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID (and COGNITO_REGION, COGNITO_CLIENT_SECRET, COGNITO_IDENTITY_POOL_ID, COGNITO_ENDPOINT, COGNITO_IDENTITY_ENDPOINT, COGNITO_AUTH_SESSION_VALIDITY), by flags, or by --local; sessions live in EFFECT_COGNITO_HOME or ~/.config/effect-cognito."
  ),
  Command.withSubcommands(commands)
)

/** A flag in the usage line: `--name type`, in brackets when it may be left out. */
const flagUsage = (flag: HelpDoc.FlagDoc): string => {
  const text = flag.type === "boolean" ? `--${flag.name}` : `--${flag.name} ${flag.type}`
  return flag.required ? text : `[${text}]`
}

const argumentUsage = (argument: HelpDoc.ArgDoc): string => {
  const text = argument.variadic ? `<${argument.name}>...` : `<${argument.name}>`
  return argument.required ? text : `[${text}]`
}

/**
 * The usage line as the CLI has always shown it, each flag spelled out:
 * `$ sign-in [--local] [--user-pool-id string] … <username>`.
 */
const usageLine = (doc: HelpDoc.HelpDoc): string => {
  const path = doc.commandPath ?? []
  const name = path.length > 1 ? path.slice(1).join(" ") : (path[0] ?? root.name)
  return [
    "$",
    name,
    ...(doc.subcommands === undefined || doc.subcommands.length === 0 ? [] : ["<subcommand>"]),
    ...doc.flags.map(flagUsage),
    ...(doc.args ?? []).map(argumentUsage)
  ].join(" ")
}

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
 * on a terminal only, and never with `NO_COLOR`) with the usage line spelled out, the
 * version alone, and each usage error as one line on standard error.
 */
const presenter: CliOutput.Presenter = {
  present: (event) =>
    Effect.suspend(() => {
      const formatter = CliOutput.defaultFormatter({ colors: colours(process.stdout, process.env) })
      switch (event._tag) {
        case "Help":
          return Console.log(formatter.formatHelpDoc({ ...event.helpDoc, usage: usageLine(event.helpDoc) }))
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
