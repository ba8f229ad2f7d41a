/**
 * The repository brings its own Node (the `node` devDependency), which npm puts first on
 * `PATH` for every script: `npm test` runs on Node 22 even where the machine's Node is older.
 */
import { execFileSync } from "node:child_process"
import { assert, describe, it } from "@effect/vitest"

describe("the Node that npm scripts run on", () => {
  it("is Node 22 or later, as @effect/platform-node 4 and Vitest 5 need", () => {
    const [major = 0, minor = 0] = process.versions.node.split(".").map(Number)
    assert.isAtLeast(major, 22, `process.versions.node is ${process.versions.node}`)
    if (major === 22) assert.isAtLeast(minor, 19, `process.versions.node is ${process.versions.node}`)
  })

  it("is the one `node` on PATH resolves to, so child processes of the tests get it too", () => {
    const version = execFileSync("node", ["--version"], { encoding: "utf8" }).trim()
    assert.strictEqual(version, `v${process.versions.node}`)
  })
})
