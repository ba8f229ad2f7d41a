/**
 * Stopping `npm run local-cognito` by its PID stops the server (issue 20, item 9): npm
 * hands the signal to the shell that runs the script, and that shell dies without passing
 * it on to tsx, so the server notices that what started it is gone and closes its port.
 * Run as a user runs it: `npm run local-cognito -- --port 0` from a fresh shell's
 * environment, then `kill <pid>` (SIGTERM) to that one PID.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { connect } from "node:net"
import { assert, describe, it } from "@effect/vitest"
import { root, userEnv } from "./userShell.js"

/** `npm run local-cognito -- --port 0` in its own process group (so a failed test can clean up all of it). */
const start = () => {
  const child = spawn("npm", ["run", "local-cognito", "--", "--port", "0"], {
    cwd: root,
    env: userEnv({ NO_COLOR: "1" }),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true
  })
  let output = ""
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8")
  })
  child.stderr!.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8")
  })
  return { child, output: () => output }
}

/** Resolves with the endpoint's port once the banner is printed; rejects if npm exits first. */
const endpointPort = (running: { readonly child: ChildProcess; readonly output: () => string }) =>
  new Promise<number>((resolve, reject) => {
    const check = () => {
      const match = running.output().match(/local Cognito at http:\/\/127\.0\.0\.1:(\d+)\//)
      if (match !== null) {
        running.child.stdout!.off("data", check)
        resolve(Number(match[1]))
      }
    }
    running.child.stdout!.on("data", check)
    running.child.once("exit", () => reject(new Error(`npm exited before the banner:\n${running.output()}`)))
    check()
  })

/** Does something accept connections on 127.0.0.1:`port`? */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: "127.0.0.1", port })
    socket.once("connect", () => {
      socket.destroy()
      resolve(true)
    })
    socket.once("error", () => resolve(false))
  })

/** Waits until the port is closed, every 50 ms, for at most `deadlineMillis`. */
const closedWithin = async (port: number, deadlineMillis: number) => {
  const deadline = Date.now() + deadlineMillis
  while (Date.now() < deadline) {
    if (!(await listening(port))) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
}

/** Whatever is left of the process group (the test failed): killed, by the group of the PID it spawned. */
const cleanUp = (child: ChildProcess) => {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL")
  } catch {
    // Already gone.
  }
}

/** Is any process of the group `pgid` left? */
const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

/** Waits until no process of the group is left, every 50 ms, for at most `deadlineMillis`. */
const goneWithin = async (pgid: number, deadlineMillis: number) => {
  const deadline = Date.now() + deadlineMillis
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
}

describe("npm run local-cognito", () => {
  // SIGTERM, what `kill <pid>` sends. (A SIGINT sent to npm's PID alone is held by the
  // waiting shell and reaches nothing observable; Ctrl-C on a terminal signals the whole
  // foreground group, tsx and the server included, and stops it.)
  it("stops the server, and every process it started, when its PID gets SIGTERM", { timeout: 90_000 }, async () => {
    const running = start()
    try {
      const port = await endpointPort(running)
      assert.isTrue(await listening(port), "the server does not accept connections")
      running.child.kill("SIGTERM")
      assert.isTrue(
        await closedWithin(port, 15_000),
        `port ${port} still open 15 s after SIGTERM to npm (PID ${running.child.pid}):\n${running.output()}`
      )
      assert.isTrue(await goneWithin(running.child.pid!, 15_000), "a process of `npm run local-cognito` is left")
    } finally {
      cleanUp(running.child)
    }
  })
})
