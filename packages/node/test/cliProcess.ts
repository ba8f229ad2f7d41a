/**
 * Runs the `effect-cognito` CLI as a user does: a child process, with an environment
 * holding only what the test gives it (PATH and HOME, so no COGNITO_* variable of the
 * developer's shell leaks in), answers written to its standard input as it asks for them.
 *
 * The process runs the bin's sources as one bundle that the `node` project's global setup
 * makes with esbuild (`setup/cliBundle.ts`): plain `node` starts it in about 0.5 s, where
 * tsx (as `npm run cli` runs it) takes 2 to 6 s.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { inject } from "vitest"

const root = join(import.meta.dirname, "..", "..", "..")

/** The command line of the CLI: node and the bundle. */
const command = Effect.sync(() => [process.execPath, inject("cliBundle")] as const)

/** How a run ended. */
export interface Result {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** A running CLI: wait for what it prints, answer its prompts. */
export interface Running {
  /** Waits until standard error (on a terminal: what it shows) holds `text` (a prompt). */
  readonly prompted: (text: string) => Effect.Effect<void>
  /** Waits until standard output matches `pattern`; the match, or `undefined` if the process exited first. */
  readonly printed: (pattern: RegExp) => Effect.Effect<RegExpMatchArray | undefined>
  /** Standard output so far. */
  readonly stdout: Effect.Effect<string>
  /** Asks the process to stop (SIGTERM) and waits for the exit. */
  readonly stop: Effect.Effect<Result>
  /** Writes one line to standard input (on a terminal: types it and presses Enter). */
  readonly answer: (line: string) => Effect.Effect<void>
  /** Closes standard input (on a terminal: once the process is done) and waits for the exit. */
  readonly done: Effect.Effect<Result>
}

/** A word for `sh -c`: single-quoted. */
const shellWord = (word: string) => `'${word.replaceAll("'", "'\\''")}'`

/**
 * Starts the CLI with `args` and exactly `env` (plus PATH and HOME); it is killed if the
 * scope closes first. With `terminal`, it runs on a pseudo-terminal (script(1), from
 * util-linux) as on a user's terminal: hidden prompts, a spinner, colours; standard output
 * and error then arrive together, as `stdout`.
 */
export const start = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  options: { readonly terminal?: boolean } = {}
): Effect.Effect<Running, never, Scope.Scope> =>
  Effect.gen(function* () {
    let stdout = ""
    let stderr = ""
    const listeners = new Set<() => void>()
    const cli = [...(yield* command), ...args]
    const terminal = options.terminal === true
    const environment = { PATH: process.env.PATH ?? "", HOME: env.HOME ?? process.env.HOME ?? "", ...env }
    const child: ChildProcess = yield* Effect.acquireRelease(
      Effect.sync(() =>
        terminal
          ? spawn("script", ["--quiet", "--return", "--command", cli.map(shellWord).join(" "), "/dev/null"], {
              cwd: root,
              env: { TERM: "xterm", ...environment },
              stdio: ["pipe", "pipe", "pipe"]
            })
          : spawn(cli[0]!, cli.slice(1), { cwd: root, env: environment, stdio: ["pipe", "pipe", "pipe"] })
      ),
      (child) => Effect.sync(() => child.exitCode === null && child.kill())
    )
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
      for (const listener of listeners) listener()
    })
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
      for (const listener of listeners) listener()
    })
    const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)))
    return {
      prompted: (text) =>
        Effect.callback<void>((resume) => {
          const check = () => {
            if ((terminal ? stdout : stderr).includes(text)) {
              listeners.delete(check)
              resume(Effect.void)
            }
          }
          listeners.add(check)
          check()
          // A CLI that exits without asking settles the wait too; the result's checks then fail.
          void exited.then(() => {
            listeners.delete(check)
            resume(Effect.void)
          })
        }),
      printed: (pattern) =>
        Effect.callback<RegExpMatchArray | undefined>((resume) => {
          const check = () => {
            const match = stdout.match(pattern)
            if (match !== null) {
              listeners.delete(check)
              resume(Effect.succeed(match))
            }
          }
          listeners.add(check)
          check()
          void exited.then(() => {
            listeners.delete(check)
            resume(Effect.succeed(stdout.match(pattern) ?? undefined))
          })
        }),
      stdout: Effect.sync(() => stdout),
      stop: Effect.promise(async () => {
        child.kill("SIGTERM")
        const code = await exited
        return { code, stdout, stderr }
      }),
      answer: (line) =>
        Effect.callback<void>((resume) => {
          child.stdin!.write(`${line}${terminal ? "\r" : "\n"}`, () => resume(Effect.void))
        }),
      done: Effect.promise(async () => {
        // On a terminal, the end of input would reach the CLI as ^D: it is closed only once done.
        if (!terminal) child.stdin!.end()
        const code = await exited
        child.stdin!.end()
        return { code, stdout, stderr }
      })
    }
  })

/** Runs the CLI to the end with `input` lines on standard input. */
export const run = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  input: ReadonlyArray<string> = []
): Effect.Effect<Result> =>
  Effect.scoped(
    Effect.gen(function* () {
      const running = yield* start(args, env)
      for (const line of input) yield* running.answer(line)
      return yield* running.done
    })
  )

/** Runs the CLI to the end on a pseudo-terminal: what it showed there, and its exit code. */
export const runOnTerminal = (args: ReadonlyArray<string>, env: Record<string, string>): Effect.Effect<Result> =>
  Effect.scoped(Effect.flatMap(start(args, env, { terminal: true }), (running) => running.done))

/** The non-empty lines of a text. */
export const lines = (text: string): ReadonlyArray<string> => text.split("\n").filter((line) => line.trim() !== "")
