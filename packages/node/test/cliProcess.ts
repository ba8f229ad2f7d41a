/**
 * Runs the `effect-cognito` CLI as a user does: a child process (tsx over the sources,
 * as `npm run cli` does), with an environment holding only what the test gives it
 * (PATH and HOME, so no COGNITO_* variable of the developer's shell leaks in), answers
 * written to its standard input as it asks for them.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

const root = join(import.meta.dirname, "..", "..", "..")
const tsx = join(root, "node_modules", ".bin", "tsx")
const bin = join(root, "packages", "node", "src", "bin", "effect-cognito.ts")

/** How a run ended. */
export interface Result {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** A running CLI: wait for what it prints, answer its prompts. */
export interface Running {
  /** Waits until standard error holds `text` (a prompt). */
  readonly prompted: (text: string) => Effect.Effect<void>
  /** Waits until standard output matches `pattern`; the match, or `undefined` if the process exited first. */
  readonly printed: (pattern: RegExp) => Effect.Effect<RegExpMatchArray | undefined>
  /** Standard output so far. */
  readonly stdout: Effect.Effect<string>
  /** Asks the process to stop (SIGTERM) and waits for the exit. */
  readonly stop: Effect.Effect<Result>
  /** Writes one line to standard input. */
  readonly answer: (line: string) => Effect.Effect<void>
  /** Closes standard input and waits for the exit. */
  readonly done: Effect.Effect<Result>
}

/** Starts the CLI with `args` and exactly `env` (plus PATH and HOME); it is killed if the scope closes first. */
export const start = (
  args: ReadonlyArray<string>,
  env: Record<string, string>
): Effect.Effect<Running, never, Scope.Scope> =>
  Effect.gen(function* () {
    let stdout = ""
    let stderr = ""
    const listeners = new Set<() => void>()
    const child: ChildProcess = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(tsx, [bin, ...args], {
          cwd: root,
          env: { PATH: process.env.PATH ?? "", HOME: env.HOME ?? process.env.HOME ?? "", ...env },
          stdio: ["pipe", "pipe", "pipe"]
        })
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
        Effect.async<void>((resume) => {
          const check = () => {
            if (stderr.includes(text)) {
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
        Effect.async<RegExpMatchArray | undefined>((resume) => {
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
        Effect.async<void>((resume) => {
          child.stdin!.write(`${line}\n`, () => resume(Effect.void))
        }),
      done: Effect.promise(async () => {
        child.stdin!.end()
        const code = await exited
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

/** The non-empty lines of a text. */
export const lines = (text: string): ReadonlyArray<string> => text.split("\n").filter((line) => line.trim() !== "")
