/**
 * Instances of a service in processes of their own (`fixtures/redisWorker.ts`, bundled
 * once per test file with esbuild so plain `node` starts each in about half a second), each
 * with its own Redis connection and any number of sessions: send it commands, wait for
 * its replies and for a session's `userState` to reach a state, kill it.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { build } from "esbuild"

const source = join(import.meta.dirname, "fixtures", "redisWorker.ts")

/** Bundles the worker into a new temporary directory. */
export const bundle = async (): Promise<{ readonly file: string; readonly directory: string }> => {
  const directory = await mkdtemp(join(tmpdir(), "effect-cognito-redis-worker-"))
  const file = join(directory, "redisWorker.mjs")
  await build({
    entryPoints: [source],
    outfile: file,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    minify: true,
    logLevel: "error",
    // CommonJS dependencies inside an ES module bundle still call require() for Node's modules.
    banner: {
      js: 'import { createRequire as __bannerCreateRequire } from "node:module"; const require = __bannerCreateRequire(import.meta.url);'
    }
  })
  return { file, directory }
}

/** A reply of the worker: `ok`, and what the command returns. */
export type Reply = Record<string, unknown> & { readonly ok: boolean }

export interface Worker {
  readonly pid: number
  /** Sends a command and waits for its reply. */
  readonly request: (command: Record<string, unknown>) => Effect.Effect<Reply>
  /** Sends a command; its reply is awaited later with the returned effect. */
  readonly send: (command: Record<string, unknown>) => Effect.Effect<Effect.Effect<Reply>>
  /** The `userState`s a session reported since it was opened, in order. */
  readonly states: (session: string) => Effect.Effect<ReadonlyArray<string>>
  /**
   * Waits until a session reports `state`, at most `millis` (an upper bound on the wait,
   * never asserted as a duration): whether it did.
   */
  readonly reaches: (session: string, state: string, millis: number) => Effect.Effect<boolean>
  /** Sends a signal and waits for the exit. */
  readonly kill: (signal: NodeJS.Signals) => Effect.Effect<void>
  /** What it printed that is not a reply (logs), for failure messages. */
  readonly output: Effect.Effect<string>
}

/**
 * Starts a worker from `file` with exactly `env` (plus PATH and HOME) and waits until it
 * is ready; killed when the scope closes.
 */
export const start = (file: string, env: Record<string, string>): Effect.Effect<Worker, Error, Scope.Scope> =>
  Effect.gen(function* () {
    let nextId = 0
    let output = ""
    const states = new Map<string, Array<string>>()
    const pending = new Map<number, (reply: Reply) => void>()
    const listeners = new Set<() => void>()
    let ready: (() => void) | undefined
    let failed: ((reason: string) => void) | undefined

    const child: ChildProcess = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, [file], {
          env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
          stdio: ["pipe", "pipe", "pipe"]
        })
      ),
      (child) =>
        Effect.promise(
          () =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve()
              child.once("exit", () => resolve())
              child.kill("SIGKILL")
            })
        )
    )
    let buffered = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8")
      let newline = buffered.indexOf("\n")
      while (newline !== -1) {
        const line = buffered.slice(0, newline)
        buffered = buffered.slice(newline + 1)
        newline = buffered.indexOf("\n")
        if (!line.startsWith("@@ ")) {
          output += `${line}\n`
          continue
        }
        const message = JSON.parse(line.slice(3)) as Record<string, unknown>
        if (message.ready === true) ready?.()
        if (typeof message.failed === "string") failed?.(message.failed)
        if (typeof message.id === "number") {
          pending.get(message.id)?.(message as Reply)
          pending.delete(message.id)
        } else if (typeof message.session === "string" && typeof message.state === "string") {
          const list = states.get(message.session) ?? []
          list.push(message.state)
          states.set(message.session, list)
          for (const listener of listeners) listener()
        }
      }
    })
    child.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8")
    })

    yield* Effect.tryPromise({
      try: () =>
        new Promise<void>((resolve, reject) => {
          ready = resolve
          failed = (reason) => reject(new Error(`the worker failed to start: ${reason}\n${output}`))
          child.once("exit", (code) => reject(new Error(`the worker exited (${code}) before it was ready:\n${output}`)))
        }),
      catch: (error) => (error instanceof Error ? error : new Error(String(error)))
    })

    const send = (command: Record<string, unknown>) =>
      Effect.sync(() => {
        const id = ++nextId
        const reply = new Promise<Reply>((resolve) => {
          pending.set(id, resolve)
          child.once("exit", (code, signal) =>
            resolve({ ok: false, reason: "Exited", message: `exit ${code ?? signal}`, output })
          )
        })
        child.stdin!.write(`${JSON.stringify({ id, ...command })}\n`)
        return Effect.promise(() => reply)
      })

    return {
      pid: child.pid ?? 0,
      send,
      request: (command) => Effect.flatten(send(command)),
      states: (session) => Effect.sync(() => [...(states.get(session) ?? [])]),
      reaches: (session, state, millis) =>
        Effect.callback<boolean>((resume) => {
          const check = () => {
            if (states.get(session)?.includes(state) === true) {
              listeners.delete(check)
              clearTimeout(timer)
              resume(Effect.succeed(true))
            }
          }
          const timer = setTimeout(() => {
            listeners.delete(check)
            resume(Effect.succeed(false))
          }, millis)
          listeners.add(check)
          check()
          return Effect.sync(() => {
            listeners.delete(check)
            clearTimeout(timer)
          })
        }),
      kill: (signal) =>
        Effect.promise(
          () =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve()
              child.once("exit", () => resolve())
              child.kill(signal)
            })
        ),
      output: Effect.sync(() => output)
    }
  })
