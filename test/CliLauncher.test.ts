/**
 * `npm run cli`'s bundle (`scripts/cli.ts`) is built once and rebuilt only when a file that
 * went into it changed. Checked on a small tree in a temp dir, never on the real sources:
 * an entry importing a second module, and a config file given as an extra input. File
 * times are set explicitly (in the past), so "changed" never depends on how fast the
 * machine writes.
 */
import { execFile } from "node:child_process"
import { mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterEach, assert, beforeEach, describe, it } from "@effect/vitest"
import * as Launcher from "../scripts/cli.js"

let directory = ""
let target: Launcher.Target

/** Writes `text` to `file` in the tree, dated `secondsAgo` seconds back. */
const put = async (file: string, text: string, secondsAgo: number) => {
  const path = join(directory, file)
  await writeFile(path, text)
  const at = new Date(Date.now() - secondsAgo * 1000)
  await utimes(path, at, at)
}

/** What the bundle prints when run by plain node. */
const output = async () => (await promisify(execFile)(process.execPath, [target.outfile])).stdout.trim()

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "effect-cognito-launcher-"))
  await put("main.ts", 'import { greeting } from "./greeting.js"\nconsole.log(greeting)\n', 120)
  await put("greeting.ts", 'export const greeting: string = "hello"\n', 120)
  await put("settings.json", "{}\n", 120)
  target = {
    entry: join(directory, "main.ts"),
    outfile: join(directory, "cache", "main.mjs"),
    extraInputs: [join(directory, "settings.json")]
  }
})

afterEach(() => rm(directory, { recursive: true, force: true }))

describe("npm run cli's bundle", () => {
  it("is built on the first run, and not again while no input changed", async () => {
    assert.strictEqual(await Launcher.ensure(target), "built")
    assert.strictEqual(await output(), "hello")
    assert.strictEqual(await Launcher.ensure(target), "fresh")
    assert.strictEqual(await Launcher.ensure(target), "fresh")
  })

  it("is rebuilt when an imported module changes, and runs the change", async () => {
    await Launcher.ensure(target)
    await put("greeting.ts", 'export const greeting: string = "bonjour"\n', 60)
    assert.strictEqual(await Launcher.ensure(target), "built")
    assert.strictEqual(await output(), "bonjour")
    assert.strictEqual(await Launcher.ensure(target), "fresh")
  })

  it("is rebuilt when a file is only touched (a new modification time, the same bytes)", async () => {
    await Launcher.ensure(target)
    await put("greeting.ts", 'export const greeting: string = "hello"\n', 60)
    assert.strictEqual(await Launcher.ensure(target), "built")
  })

  it("is rebuilt when an extra input changes, or when the bundle or its record is gone", async () => {
    await Launcher.ensure(target)
    await put("settings.json", '{ "changed": true }\n', 60)
    assert.strictEqual(await Launcher.ensure(target), "built")
    await rm(target.outfile)
    assert.strictEqual(await Launcher.ensure(target), "built")
    await rm(`${target.outfile}.inputs.json`)
    assert.strictEqual(await Launcher.ensure(target), "built")
    assert.strictEqual(await Launcher.ensure(target), "fresh")
  })

  it("is rebuilt next time when an input changed while it was bundled", async () => {
    // Dated after the build started: the bundle may hold the old text, so it is not trusted.
    await put("greeting.ts", 'export const greeting: string = "hello"\n', -60)
    assert.strictEqual(await Launcher.ensure(target), "built")
    assert.strictEqual(await Launcher.ensure(target), "built")
  })

  it("fails when the sources do not compile, leaving no half-written file, and builds once they do", async () => {
    await Launcher.ensure(target)
    await put("greeting.ts", "export const greeting: string = \n", 60)
    const failure = await Launcher.ensure(target).then(
      () => undefined,
      (error: unknown) => error
    )
    assert.instanceOf(failure, Error)
    // The message names the file and the problem (esbuild itself prints nothing).
    assert.include(failure.message, "greeting.ts:2:0")
    assert.include(failure.message, "Unexpected end of file")
    assert.deepStrictEqual((await readdir(join(directory, "cache"))).sort(), ["main.mjs", "main.mjs.inputs.json"])
    assert.isFalse(await Launcher.isFresh(target))
    await put("greeting.ts", 'export const greeting: string = "fixed"\n', 30)
    assert.strictEqual(await Launcher.ensure(target), "built")
    assert.strictEqual(await output(), "fixed")
  })
})
