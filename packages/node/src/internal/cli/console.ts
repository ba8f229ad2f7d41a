/**
 * Colour only where it can be seen: `effect/cli` writes help, usage errors and the
 * version through Effect's `Console` with ANSI styles. On a stream that is not a terminal
 * (a pipe, a file) or when `NO_COLOR` is set (https://no-color.org), those styles are
 * removed, so `effect-cognito --help | less` or a log holds plain text.
 *
 * And nothing but results on standard output: log entries (a warning of the session store,
 * say) go to standard error, one line each, so `credentials --format credential-process`
 * or `tokens --json` stays what its reader parses. What a server or a file chose (an
 * attribute, a message) reaches the terminal with its control characters escaped.
 *
 * @internal
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as References from "effect/References"

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

/** C0 and C1 controls, DEL, the line and paragraph separators, bidi marks and overrides. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what it escapes
const controls = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

const short: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" }

/**
 * `text` as one inert line for a terminal: every control character escaped JSON-style
 * (`\u001b` for ESC, `\n` for a line feed), so it can neither move the cursor, clear the
 * screen nor forge a line of its own.
 */
export const printable = (text: string): string =>
  text.replace(controls, (c) => short[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

const show = (value: unknown): string => {
  if (typeof value === "string") return value
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/**
 * The CLI's logger: each entry one line on standard error,
 * `effect-cognito: warning: <message> (<annotation>=<value>, …)`, escaped by {@link printable}.
 * Never standard output, which holds results alone.
 */
export const logger = Logger.make<unknown, void>(({ fiber, logLevel, message }) => {
  const parts = (Array.isArray(message) ? message : [message]).map(show)
  const text = parts.join(" ").replace(/^effect-cognito: /, "")
  const annotations = Object.entries(fiber.getRef(References.CurrentLogAnnotations)).map(
    ([name, value]) => `${name}=${show(value)}`
  )
  const level = logLevel === "Warn" ? "warning" : logLevel.toLowerCase()
  const line = `effect-cognito: ${level}: ${text}${annotations.length === 0 ? "" : ` (${annotations.join(", ")})`}`
  process.stderr.write(`${printable(line)}\n`)
})

/** Runs `effect` with {@link logger} alone, for entries of level Warning and above. */
export const withStderrLogs = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  effect.pipe(Effect.provide(Logger.layer([logger])), Effect.provideService(References.MinimumLogLevel, "Warn"))
