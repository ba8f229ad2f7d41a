/**
 * Runs a command the way a user runs it from a fresh shell: a child process in the
 * repository (or a given directory), with none of what the test runner put in the
 * environment (no `VITEST*`, no `NODE_OPTIONS`, no `npm_*`, no `node_modules/.bin` on
 * `PATH`), so a command that only works inside Vitest fails here. The user's `node` is
 * one the packages support (22.19 or later): the Node these tests run on, the repository's
 * own, is put first on `PATH` in place of the machine's (which may be older).
 */
import { execFile } from "node:child_process"
import { delimiter, dirname, join } from "node:path"

/** The repository root. */
export const root = join(import.meta.dirname, "..")

/** What a command printed and how it ended. */
export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const runnerVariable = /^(VITEST|NODE_OPTIONS$|NODE_ENV$|TEST$|TSX_|npm_|INIT_CWD$)/

/** The environment of a fresh shell: the current one without what the runner and npm added. */
export const userEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined && !runnerVariable.test(name)) env[name] = value
  env.PATH = [
    dirname(process.execPath),
    ...(process.env.PATH ?? "").split(delimiter).filter((dir) => !dir.includes(`node_modules${"/"}.bin`))
  ].join(delimiter)
  return { ...env, ...extra }
}

/** Runs `command args` in `cwd` (the repository by default) and resolves with its exit code and output. */
export const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd?: string; readonly env?: Record<string, string> } = {}
): Promise<Run> =>
  new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd ?? root, env: userEnv(options.env), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== "number") reject(error)
        else resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr })
      }
    )
  })

/** A failure message that shows what the command printed. */
export const explain = (what: string, result: Run): string =>
  `${what} exited ${result.code}\n--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`
