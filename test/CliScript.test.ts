/**
 * `npm run cli -- …`, as the README tells a user inside this repository to run the CLI:
 * plain `node` on the bundle of the sources that `scripts/cli.ts` keeps (built on the first
 * run, rebuilt when a source changes; see CliLauncher.test.ts). This checks the script
 * itself: it starts, lists every command, fails in one line, and passes the CLI's exit
 * code and a signal through npm.
 */
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { explain, root, run, userEnv } from "./userShell.js"

describe("npm run cli", () => {
  it("prints the help with every command, and one line for a missing variable", { timeout: 120_000 }, async () => {
    const help = await run("npm", ["run", "--silent", "cli", "--", "--help"], { env: { NO_COLOR: "1" } })
    assert.strictEqual(help.code, 0, explain("npm run cli -- --help", help))
    for (const command of ["sign-up", "confirm-sign-in", "tokens", "credentials", "fetch", "local"])
      assert.include(help.stdout, command)
    assert.notInclude(help.stdout, "\u001b[", "no colour escapes off a terminal")
    assert.strictEqual(help.stderr, "", "nothing on standard error")
    const missing = await run("npm", ["run", "--silent", "cli", "--", "tokens"], {
      env: { COGNITO_USER_POOL_ID: "", COGNITO_CLIENT_ID: "", HOME: "/nonexistent-home" }
    })
    assert.strictEqual(missing.code, 1, explain("npm run cli -- tokens", missing))
    const lines = missing.stderr.trim().split("\n")
    assert.strictEqual(lines.length, 1, explain("npm run cli -- tokens", missing))
    assert.include(lines[0], "COGNITO_USER_POOL_ID")
    const usage = await run("npm", ["run", "--silent", "cli", "--", "frobnicate"])
    assert.strictEqual(usage.code, 2, explain("npm run cli -- frobnicate", usage))
  })

  it("stops `local` when npm's PID gets SIGTERM: the CLI's own shutdown runs", { timeout: 120_000 }, async () => {
    const home = await mkdtemp(join(tmpdir(), "effect-cognito-cli-script-"))
    const child = spawn("npm", ["run", "--silent", "cli", "--", "local", "--port", "0"], {
      cwd: root,
      env: userEnv({ NO_COLOR: "1", EFFECT_COGNITO_HOME: home }),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true
    })
    let output = ""
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("close", (code, signal) => resolve({ code, signal }))
    )
    try {
      await new Promise<void>((resolve, reject) => {
        const check = (chunk: Buffer) => {
          output += chunk.toString("utf8")
          if (output.includes("delivered codes follow")) resolve()
        }
        child.stdout!.on("data", check)
        child.stderr!.on("data", check)
        void exited.then(() => reject(new Error(`npm exited before the banner:\n${output}`)))
      })
      assert.isTrue(existsSync(join(home, "local.json")), output)
      child.kill("SIGTERM")
      const { code, signal } = await Promise.race([
        exited,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`still running 30 s after SIGTERM to npm:\n${output}`)), 30_000)
        )
      ])
      // The CLI removed its ids on the way out: it got the signal, not a kill.
      assert.isFalse(existsSync(join(home, "local.json")), `local.json left behind (code ${code}, ${signal})`)
      assert.notStrictEqual(code, 0, "a stop by signal is not a success")
    } finally {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL")
      } catch {
        // Already gone.
      }
      await rm(home, { recursive: true, force: true })
    }
  })
})
