/**
 * A real `redis-server` (Debian's package) for one test file: on a free loopback port, no
 * snapshots and no append-only file unless asked, started and stopped by the test. It can
 * be killed (SIGKILL) and started again on the same port, as Redis is in a fault.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as NodeRedis from "@effect/platform-node/NodeRedis"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redis from "effect/persistence/Redis"
import type * as Scope from "effect/Scope"

export interface RedisServer {
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** Kills the server with SIGKILL and waits for it to be gone. */
  readonly kill: Effect.Effect<void>
  /** Starts it again on the same port (with the same data directory) and waits until it accepts connections. */
  readonly restart: Effect.Effect<void>
  /** `redis-cli` against the server: its standard output. */
  readonly cli: (...args: ReadonlyArray<string>) => Effect.Effect<string>
}

/** A port nothing listens on right now. */
const freePort = Effect.promise(
  () =>
    new Promise<number>((resolve, reject) => {
      const server = createServer()
      server.once("error", reject)
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject()))
      })
    })
)

/** Runs a command to the end: its standard output, or a failure naming it with its standard error. */
const output = (command: string, args: ReadonlyArray<string>) =>
  Effect.promise(
    () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] })
        let stdout = ""
        let stderr = ""
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString("utf8")
        })
        child.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk.toString("utf8")
        })
        child.once("error", reject)
        child.once("close", (code) =>
          code === 0 ? resolve(stdout) : reject(new Error(`${command} ${args.join(" ")}: exit ${code}\n${stderr}`))
        )
      })
  )

/** Starts `redis-server` and resolves once it accepts connections. */
const launch = (port: number, dir: string, persistent: boolean) =>
  Effect.promise(
    () =>
      new Promise<ChildProcess>((resolve, reject) => {
        const args = [
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--dir",
          dir,
          "--save",
          "",
          ...(persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"])
        ]
        const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] })
        let log = ""
        const onData = (chunk: Buffer) => {
          log += chunk.toString("utf8")
          if (log.includes("Ready to accept connections")) {
            child.stdout!.off("data", onData)
            resolve(child)
          }
        }
        child.stdout!.on("data", onData)
        child.stderr!.on("data", (chunk: Buffer) => {
          log += chunk.toString("utf8")
        })
        child.once("error", (error) =>
          reject(new Error(`redis-server did not start (is it installed?): ${error.message}`))
        )
        child.once("exit", (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${log}`)))
      })
  )

const stopped = (child: ChildProcess, signal: NodeJS.Signals) =>
  Effect.promise(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once("exit", () => resolve())
        child.kill(signal)
      })
  )

/**
 * A server for the scope. `persistent` keeps its data in an append-only file synced at
 * each write, so a restart after SIGKILL finds it (Redis as a session store is run).
 */
export const start = (
  options: { readonly persistent?: boolean } = {}
): Effect.Effect<RedisServer, never, Scope.Scope> =>
  Effect.gen(function* () {
    const port = yield* freePort
    const dir = yield* Effect.acquireRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "effect-cognito-redis-"))),
      (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
    )
    const persistent = options.persistent === true
    const current = { child: yield* launch(port, dir, persistent) }
    yield* Effect.addFinalizer(() => stopped(current.child, "SIGTERM"))
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      kill: Effect.suspend(() => stopped(current.child, "SIGKILL")),
      restart: Effect.map(launch(port, dir, persistent), (child) => {
        current.child = child
      }),
      cli: (...args) => output("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args])
    }
  })

/**
 * A client of its own (a connection as another process has), for the scope: commands
 * fail at once while it is disconnected, as `NodeAuth` sets it.
 */
export const connect = (server: RedisServer): Effect.Effect<Redis.Redis["Service"], Redis.RedisError, Scope.Scope> =>
  Effect.map(Layer.build(NodeRedis.layer({ url: server.url, disableOfflineQueue: true })), (context) =>
    Context.get(context, Redis.Redis)
  )
