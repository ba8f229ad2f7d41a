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
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Effect from "effect/Effect"
import { withPlainOutput } from "./console.js"
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
import { sendAttributeCode, updateAttributes, verifyAttribute } from "./attributeCommands.js"
import { credentials, fetchCommand } from "./awsCommands.js"
import { local } from "./localCommand.js"
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

const cli = Command.run(root, { name: "effect-cognito", version })

/** One line for any failure: the reason, never a stack trace or a secret. */
const describe = (error: unknown): string => {
  if (AuthError.isAuthError(error)) return error.message
  if (error instanceof CliError) return error.message
  if (typeof error === "object" && error !== null && "_tag" in error) return `failed (${String(error._tag)})`
  return "failed"
}

/**
 * Runs the CLI on `argv` (as `process.argv`). Never fails: a failure prints one line on
 * standard error and sets the exit code (1 for a failure, 2 for bad usage). Help and usage
 * errors are coloured on a terminal only, and never with `NO_COLOR` set.
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<void> =>
  withPlainOutput(cli(argv)).pipe(
    Effect.catchAll((error) =>
      ValidationError.isValidationError(error)
        ? // @effect/cli has printed what is wrong with the command line (or the help asked for).
          Effect.sync(() => {
            if (!ValidationError.isHelpRequested(error)) process.exitCode = 2
          })
        : Effect.zipRight(
            Effect.sync(() => process.stderr.write(`effect-cognito: ${describe(error)}\n`)),
            Effect.sync(() => {
              process.exitCode = 1
            })
          )
    ),
    Effect.catchAllDefect(() =>
      Effect.sync(() => {
        process.stderr.write("effect-cognito: an unexpected failure (a defect); please report it\n")
        process.exitCode = 70
      })
    ),
    Effect.provide(NodeContext.layer)
  )
