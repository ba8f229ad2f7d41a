/**
 * `npm run cli -- …`, as the README tells a user inside this repository to run the CLI
 * (through tsx, from the sources): the subprocess tests run a bundle of the same sources,
 * so this one checks the script itself starts, lists every command and fails in one line.
 */
import { assert, describe, it } from "@effect/vitest"
import { explain, run } from "./userShell.js"

describe("npm run cli", () => {
  it("prints the help with every command, and one line for a missing variable", { timeout: 120_000 }, async () => {
    const help = await run("npm", ["run", "--silent", "cli", "--", "--help"], { env: { NO_COLOR: "1" } })
    assert.strictEqual(help.code, 0, explain("npm run cli -- --help", help))
    for (const command of ["sign-up", "confirm-sign-in", "tokens", "credentials", "fetch", "local"])
      assert.include(help.stdout, command)
    assert.notInclude(help.stdout, "\u001b[", "no colour escapes off a terminal")
    const missing = await run("npm", ["run", "--silent", "cli", "--", "tokens"], {
      env: { COGNITO_USER_POOL_ID: "", COGNITO_CLIENT_ID: "", HOME: "/nonexistent-home" }
    })
    assert.notStrictEqual(missing.code, 0)
    const lines = missing.stderr.trim().split("\n")
    assert.strictEqual(lines.length, 1, explain("npm run cli -- tokens", missing))
    assert.include(lines[0], "COGNITO_USER_POOL_ID")
  })
})
