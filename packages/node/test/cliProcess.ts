/**
 * Runs the `effect-cognito` CLI as a user does: a child process, with an environment
 * holding only what the test gives it (PATH and HOME, so no COGNITO_* variable of the
 * developer's shell leaks in), answers written to its standard input as it asks for them.
 *
 * The process runs the bin's sources as one bundle, the one `npm run cli` runs, that the
 * `node:cli` project's global setup makes with esbuild (`setup/cliBundle.ts`): plain `node`
 * starts it in about 0.5 s, where tsx, on the sources, takes 2 to 6 s.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { assert } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import type * as Scope from "effect/Scope"
import { inject } from "vitest"

const root = join(import.meta.dirname, "..", "..", "..")

/** The command line of the CLI: node and the bundle. */
const command = Effect.sync(() => [process.execPath, inject("cliBundle")] as const)

/**
 * V8's code cache of the bundle, the directory `npm run cli` keeps beside it: compiling the
 * 5 MB bundle is about a third of a start, and each test starts the CLI many times.
 */
const compileCache = Effect.sync(() => join(dirname(inject("cliBundle")), "compile-cache"))

/** How a run ended. */
export interface Result {
  /** The exit code; -1 when a signal ended the process. */
  readonly code: number
  /** The signal that ended the process, if one did. */
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  /** The process outlived its deadline and was killed (SIGKILL): a hang, reported instead of waited on. */
  readonly timedOut: boolean
}

/** How long a CLI process may run before it is taken for hung and killed; a test's own limit is longer. */
export const defaultDeadlineMillis = 60_000

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
  /** Sends `signal` to the process and waits for the exit. */
  readonly signal: (signal: NodeJS.Signals) => Effect.Effect<Result>
  /** Writes one line to standard input (on a terminal: types it and presses Enter). */
  readonly answer: (line: string) => Effect.Effect<void>
  /** Closes standard input (on a terminal: once the process is done) and waits for the exit. */
  readonly done: Effect.Effect<Result>
}

/** A word for `sh -c`: single-quoted. */
const shellWord = (word: string) => `'${word.replaceAll("'", "'\\''")}'`

/** How to start the CLI. */
export interface Options {
  /** On a pseudo-terminal (script(1)), as a user runs it. */
  readonly terminal?: boolean
  /** On a terminal: standard output redirected to this file (`> file`), standard error left on the terminal. */
  readonly stdoutFile?: string
  /**
   * Past this many milliseconds the process is killed (SIGKILL) and its result says
   * `timedOut`, so a CLI that hangs fails its test instead of stalling the run.
   * Default {@link defaultDeadlineMillis}.
   */
  readonly deadlineMillis?: number
}

/**
 * Starts the CLI with `args` and exactly `env` (plus PATH, HOME and NODE_COMPILE_CACHE); it is killed if the
 * scope closes first, or when its deadline passes. With `terminal`, it runs on a
 * pseudo-terminal (script(1), from util-linux) as on a user's terminal: hidden prompts, a
 * spinner, colours; standard output and error then arrive together, as `stdout`.
 */
export const start = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  options: Options = {}
): Effect.Effect<Running, never, Scope.Scope> =>
  Effect.gen(function* () {
    let stdout = ""
    let stderr = ""
    let timedOut = false
    const listeners = new Set<() => void>()
    const cli = [...(yield* command), ...args]
    const terminal = options.terminal === true
    const redirect = options.stdoutFile === undefined ? "" : ` > ${shellWord(options.stdoutFile)}`
    const environment = {
      PATH: process.env.PATH ?? "",
      HOME: env.HOME ?? process.env.HOME ?? "",
      NODE_COMPILE_CACHE: yield* compileCache,
      ...env
    }
    const child: ChildProcess = yield* Effect.acquireRelease(
      Effect.sync(() =>
        terminal
          ? spawn(
              "script",
              ["--quiet", "--return", "--command", `${cli.map(shellWord).join(" ")}${redirect}`, "/dev/null"],
              {
                cwd: root,
                env: { TERM: "xterm", ...environment },
                stdio: ["pipe", "pipe", "pipe"]
              }
            )
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
    const deadline = setTimeout(() => {
      timedOut = true
      child.kill("SIGKILL")
    }, options.deadlineMillis ?? defaultDeadlineMillis)
    const exited = new Promise<{ readonly code: number; readonly signal: NodeJS.Signals | null }>((resolve) =>
      child.on("close", (code, signal) => {
        clearTimeout(deadline)
        resolve({ code: code ?? -1, signal })
      })
    )
    const result = async () => ({ ...(await exited), stdout, stderr, timedOut })
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
      stop: Effect.promise(() => {
        child.kill("SIGTERM")
        return result()
      }),
      signal: (signal) =>
        Effect.promise(() => {
          child.kill(signal)
          return result()
        }),
      answer: (line) =>
        Effect.callback<void>((resume) => {
          child.stdin!.write(`${line}${terminal ? "\r" : "\n"}`, () => resume(Effect.void))
        }),
      done: Effect.promise(async () => {
        // On a terminal, the end of input would reach the CLI as ^D: it is closed only once done.
        if (!terminal) child.stdin!.end()
        const done = await result()
        child.stdin!.end()
        return done
      })
    }
  })

/** Runs the CLI to the end with `input` lines on standard input. */
export const run = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  input: ReadonlyArray<string> = [],
  options: Omit<Options, "terminal" | "stdoutFile"> = {}
): Effect.Effect<Result> =>
  Effect.scoped(
    Effect.gen(function* () {
      const running = yield* start(args, env, options)
      for (const line of input) yield* running.answer(line)
      return yield* running.done
    })
  )

/** Runs the CLI to the end on a pseudo-terminal: what it showed there, and its exit code. */
export const runOnTerminal = (args: ReadonlyArray<string>, env: Record<string, string>): Effect.Effect<Result> =>
  Effect.scoped(Effect.flatMap(start(args, env, { terminal: true }), (running) => running.done))

/** The non-empty lines of a text. */
export const lines = (text: string): ReadonlyArray<string> => text.split("\n").filter((line) => line.trim() !== "")

/** A fresh, empty session directory for one CLI run (`EFFECT_COGNITO_HOME`). */
export const freshHome = (prefix = "effect-cognito-cli-"): Effect.Effect<string> =>
  Effect.promise(() => mkdtemp(join(tmpdir(), prefix)))

/** The variables that point the CLI at the local Cognito in context, and a fresh session directory. */
export const localEnvironment = (prefix?: string) =>
  Effect.gen(function* () {
    const local = yield* LocalCognito.LocalCognito
    const pool = local.defaultPool
    return {
      COGNITO_USER_POOL_ID: pool.userPoolId,
      COGNITO_CLIENT_ID: pool.clientId,
      COGNITO_IDENTITY_POOL_ID: pool.identityPoolId,
      COGNITO_ENDPOINT: local.endpoint,
      COGNITO_IDENTITY_ENDPOINT: local.endpoint,
      EFFECT_COGNITO_HOME: yield* freshHome(prefix)
    }
  })

/** The last code the local Cognito in context delivered to `username` (fails the test when none was). */
export const lastCode = (username: string) =>
  Effect.gen(function* () {
    const deliveries = yield* (yield* LocalCognito.LocalCognito).deliveries
    const mine = deliveries.filter((delivery) => delivery.message.username === username)
    assert.isAbove(mine.length, 0, `no code was delivered to ${username}`)
    return Redacted.value(mine.at(-1)!.message.code)
  })

/**
 * A confirmed user with `password`, made through the admin API of the local Cognito in
 * context: an email address, a phone number when `phone` is given, and SMS MFA when `sms`.
 */
export const confirmedUser = (
  username: string,
  password: string,
  options: { readonly phone?: string; readonly sms?: boolean } = {}
) =>
  Effect.gen(function* () {
    const local = yield* LocalCognito.LocalCognito
    const pool = yield* local.pool(local.defaultPool.userPoolId)
    yield* pool.adminCreateUser({
      username,
      messageAction: "SUPPRESS",
      userAttributes: {
        email: `${username}@example.com`,
        ...(options.phone === undefined ? {} : { phone_number: options.phone })
      }
    })
    yield* pool.adminSetUserPassword(username, Redacted.make(password), { permanent: true })
    if (options.sms === true) yield* pool.adminSetUserMfa(username, { sms: true })
  })
