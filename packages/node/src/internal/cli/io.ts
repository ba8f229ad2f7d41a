/**
 * What the CLI reads and writes besides its arguments: passwords and codes from a hidden
 * prompt on a terminal, or one line each from standard input when it is piped (never
 * from argv); a spinner on standard error while a request is in flight, on a terminal only.
 * Results go to standard output, prompts (on a terminal too), notes and progress to
 * standard error, so
 * `effect-cognito tokens --json | jq` and `credential_process` read clean output.
 *
 * @internal
 */
import * as Prompt from "effect/cli/Prompt"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Terminal from "effect/Terminal"
import * as readline from "node:readline"
import { CliError } from "./error.js"

export interface Io {
  /** Whether standard input is a terminal (a user at the prompt) rather than a pipe. */
  readonly interactive: boolean
  /** A hidden value: a password, a code. */
  readonly secret: (label: string) => Effect.Effect<Redacted.Redacted<string>, CliError>
  /** A visible value: an MFA type, an attribute. */
  readonly line: (label: string) => Effect.Effect<string, CliError>
  /** Runs `effect` with a spinner labelled `label` (on a terminal only). */
  readonly spin: <A, E, R>(label: string, effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** A note for the user (standard error). */
  readonly note: (text: string) => Effect.Effect<void>
  /** A result (standard output). */
  readonly out: (text: string) => Effect.Effect<void>
}

const write = (stream: NodeJS.WriteStream, text: string) =>
  Effect.callback<void>((resume) => {
    stream.write(text, () => resume(Effect.void))
  })

/** Lines of a piped standard input, read on demand; closed with the scope so the process can exit. */
const pipedLines = Effect.gen(function* () {
  const pending: Array<string> = []
  const waiting: Array<(line: Option.Option<string>) => void> = []
  let ended = false
  const reader = yield* Effect.acquireRelease(
    Effect.sync(() =>
      readline.createInterface({ input: process.stdin, terminal: false, crlfDelay: Number.POSITIVE_INFINITY })
    ),
    (reader) => Effect.sync(() => reader.close())
  )
  reader.on("line", (line) => {
    const next = waiting.shift()
    if (next === undefined) pending.push(line)
    else next(Option.some(line))
  })
  reader.on("close", () => {
    ended = true
    for (const next of waiting.splice(0)) next(Option.none())
  })
  return Effect.callback<Option.Option<string>>((resume) => {
    const line = pending.shift()
    if (line !== undefined) return resume(Effect.succeed(Option.some(line)))
    if (ended) return resume(Effect.succeed(Option.none()))
    waiting.push((line) => resume(Effect.succeed(line)))
  })
})

const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

/** The terminal when there is one, standard input's lines otherwise. */
export const make: Effect.Effect<Io, never, Scope.Scope | Prompt.Environment> = Effect.gen(function* () {
  const interactive = process.stdin.isTTY === true
  const spinning = process.stderr.isTTY === true
  const scope = yield* Effect.scope
  let frame = 0
  // Created on the first prompt only: a command that asks nothing never holds standard input open.
  const nextLine = yield* Effect.cached(Effect.provideService(pipedLines, Scope.Scope, scope))
  const piped = (label: string) =>
    Effect.flatMap(nextLine, (read) =>
      Effect.flatMap(read, (line) =>
        Option.isSome(line)
          ? Effect.succeed(line.value.replace(/\r$/, ""))
          : Effect.fail(
              new CliError({ message: `${label}: expected a line on standard input, found its end`, endOfInput: true })
            )
      )
    )
  // The prompts draw on standard error, as every other prompt and note: on a terminal whose
  // output is redirected (`effect-cognito sign-in alice > out.txt`), the user still sees them
  // and standard output still holds the result alone.
  const inherited = yield* Effect.context<Prompt.Environment>()
  const terminal = Context.get(inherited, Terminal.Terminal)
  const services = Context.add(
    inherited,
    Terminal.Terminal,
    Terminal.make({
      ...terminal,
      columns: Effect.sync(() => process.stderr.columns ?? 0),
      rows: Effect.sync(() => process.stderr.rows ?? 0),
      display: (text) => write(process.stderr, text)
    })
  )
  const prompted = (label: string, hidden: boolean): Effect.Effect<string, unknown, Prompt.Environment> =>
    hidden
      ? Effect.map(Prompt.run(Prompt.Hidden({ message: label })), (value) => Redacted.value(value))
      : Prompt.run(Prompt.String({ message: label }))
  const ask = (label: string, hidden: boolean): Effect.Effect<string, CliError> =>
    interactive
      ? prompted(label, hidden).pipe(
          Effect.provideContext(services),
          Effect.mapError(() => new CliError({ message: `${label}: cancelled` }))
        )
      : write(process.stderr, `${label}: `).pipe(
          Effect.andThen(piped(label)),
          Effect.tap(() => write(process.stderr, "\n"))
        )
  const nonEmpty = (label: string, hidden: boolean) =>
    Effect.flatMap(ask(label, hidden), (value) =>
      value === ""
        ? Effect.fail(new CliError({ message: `${label}: expected a value, found an empty line` }))
        : Effect.succeed(value)
    )
  return {
    interactive,
    secret: (label) => Effect.map(nonEmpty(label, true), Redacted.make),
    line: (label) => nonEmpty(label, false),
    spin: (label, effect) =>
      spinning
        ? Effect.acquireUseRelease(
            // A fiber forked while acquiring would inherit the acquisition's uninterruptibility,
            // and the release would wait for it forever: the spinner is made interruptible.
            Effect.forkDetach(
              Effect.interruptible(
                Effect.repeat(
                  Effect.suspend(() => {
                    frame = (frame + 1) % frames.length
                    return write(process.stderr, `\r${frames[frame]} ${label}`)
                  }),
                  Schedule.spaced("80 millis")
                )
              )
            ),
            () => effect,
            (fiber) => Effect.andThen(Fiber.interrupt(fiber), write(process.stderr, "\r\u001b[2K"))
          )
        : effect,
    note: (text) => write(process.stderr, `${text}\n`),
    out: (text) => write(process.stdout, `${text}\n`)
  }
})
