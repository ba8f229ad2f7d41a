/**
 * A CLI failure that is not an `AuthError`: bad input, a missing local Cognito. Its
 * message is the one line the CLI prints.
 *
 * @internal
 */
import * as Data from "effect/Data"

export class CliError extends Data.TaggedError("CliError")<{
  readonly message: string
  /** Standard input ended before the answer asked for: `sign-in` saves the challenge then. */
  readonly endOfInput?: boolean
  /** The command line itself is wrong (a flag out of range, a missing `--yes`): exit code 2, as the parser's errors. */
  readonly usage?: boolean
}> {}
