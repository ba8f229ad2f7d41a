/**
 * Colour only where it can be seen: `effect/cli` writes help, usage errors and the
 * version through Effect's `Console` with ANSI styles. On a stream that is not a terminal
 * (a pipe, a file) or when `NO_COLOR` is set (https://no-color.org), those styles are
 * removed, so `effect-cognito --help | less` or a log holds plain text.
 *
 * @internal
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

/** Select Graphic Rendition (colour, bold) and the erase/cursor sequences (CSI, ESC [) the help printer uses. */
const ansiSequence = new RegExp(`${String.fromCharCode(0x1b)}\\[[0-9;?]*[A-Za-z]`, "g")

/** Does `stream` get colour? Only a terminal, and only without `NO_COLOR` (any non-empty value). */
export const colours = (stream: { readonly isTTY?: boolean | undefined }, env: NodeJS.ProcessEnv): boolean =>
  stream.isTTY === true && (env.NO_COLOR ?? "") === ""

/** The text without ANSI escape sequences. */
export const plain = (text: string): string => text.replace(ansiSequence, "")

const strip = (args: ReadonlyArray<unknown>) => args.map((arg) => (typeof arg === "string" ? plain(arg) : arg))

/**
 * Runs `effect` with a `Console` that removes ANSI styles from what goes to a stream that
 * does not get colour (standard output: `log`, `info`, `debug`; standard error: `error`, `warn`).
 */
export const withPlainOutput = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Console.consoleWith((console) => {
    const out = colours(process.stdout, process.env)
    const err = colours(process.stderr, process.env)
    if (out && err) return effect
    const plainConsole: Console.Console = {
      ...console,
      log: (...args) => console.log(...(out ? args : strip(args))),
      info: (...args) => console.info(...(out ? args : strip(args))),
      debug: (...args) => console.debug(...(out ? args : strip(args))),
      error: (...args) => console.error(...(err ? args : strip(args))),
      warn: (...args) => console.warn(...(err ? args : strip(args)))
    }
    return Effect.provideService(effect, Console.Console, plainConsole)
  })
