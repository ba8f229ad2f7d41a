import { readdir, readFile } from "node:fs/promises"
import { builtinModules } from "node:module"
import { fileURLToPath } from "node:url"
import * as esbuild from "esbuild"
import { afterAll, assert, describe, it } from "vitest"
import { bundle, launch, pageEntry, serve } from "./harness.js"

const packages = fileURLToPath(new URL("../../", import.meta.url))
const browserEntry = `${packages}browser/src/index.ts`
const nodeBuiltins = new Set(builtinModules)

/** Bundles for the browser, minified; collects every import of a Node built-in instead of failing on the first. */
const bundleForBrowser = async (stdin: string) => {
  const nodeImports: Array<string> = []
  const result = await esbuild.build({
    stdin: { contents: stdin, resolveDir: packages, loader: "ts" },
    bundle: true,
    platform: "browser",
    format: "esm",
    minify: true,
    write: false,
    metafile: true,
    logLevel: "silent",
    plugins: [
      {
        name: "node-builtins",
        setup: (build) =>
          build.onResolve({ filter: /.*/ }, (args) => {
            if (!args.path.startsWith("node:") && !nodeBuiltins.has(args.path.split("/")[0] ?? "")) return undefined
            nodeImports.push(`${args.path} (from ${args.importer})`)
            return { path: args.path, external: true }
          })
      }
    ]
  })
  return { nodeImports, text: result.outputFiles[0]?.text ?? "", inputs: Object.keys(result.metafile.inputs) }
}

const sources = async (dir: string): Promise<ReadonlyArray<string>> => {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries.filter((e) => e.isFile() && e.name.endsWith(".ts")).map((e) => `${e.parentPath}/${e.name}`)
}

let closeAll: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const close of closeAll) await close()
  closeAll = []
})

describe("bundle hygiene", () => {
  it("the browser entry bundles for the browser platform with no Node import", async () => {
    const { nodeImports, text, inputs } = await bundleForBrowser(`export * from ${JSON.stringify(browserEntry)}`)
    assert.deepStrictEqual(nodeImports, [])
    assert.isAbove(text.length, 10_000, "the bundle holds the package")
    assert.isTrue(
      inputs.some((input) => input.endsWith("browser/src/BrowserAuth.ts")),
      "BrowserAuth is in the bundle"
    )
    assert.isFalse(
      inputs.some((input) => input.includes("platform-node") || input.includes("undici")),
      inputs.join("\n")
    )
  })

  it("the check catches a Node import", async () => {
    const { nodeImports } = await bundleForBrowser(`export { readFile } from "node:fs/promises"`)
    assert.strictEqual(nodeImports.length, 1)
  })

  it("src of browser and core imports Effect through subpaths, never a barrel", async () => {
    const barrel = /from\s+"(effect|@effect\/platform|@effect\/platform-browser)"/
    const offenders: Array<string> = []
    for (const dir of ["browser/src", "core/src"])
      for (const file of await sources(`${packages}${dir}`))
        if (barrel.test(await readFile(file, "utf8"))) offenders.push(file)
    assert.deepStrictEqual(offenders, [])
  })

  it("sideEffects: false is declared, and an unused import of the package bundles to nothing", async () => {
    for (const name of ["browser", "core"]) {
      const manifest = JSON.parse(await readFile(`${packages}${name}/package.json`, "utf8")) as {
        sideEffects?: unknown
      }
      assert.strictEqual(manifest.sideEffects, false, name)
    }
    const { text } = await bundleForBrowser(`import ${JSON.stringify(browserEntry)}`)
    assert.strictEqual(text.trim(), "")
  })

  it("sideEffects: false is truthful: evaluating every module in Chromium touches no storage, network or global", async () => {
    const server = await serve(await bundle({ sideEffects: pageEntry("sideEffects") }))
    closeAll.push(server.close)
    const chromium = await launch()
    closeAll.push(chromium.close)
    const page = await chromium.context.newPage()
    await page.goto(`${server.origin}/sideEffects.html`)
    const report = (await page.evaluate(() => Reflect.get(window, "sideEffectsPage"))) as {
      touched: Array<string>
      added: Array<string>
      modules: Array<string>
    }
    assert.includeMembers(report.modules, ["BrowserAuth", "BrowserTokenStore", "Auth", "TokenStore", "Srp"])
    assert.deepStrictEqual(report.touched, [])
    assert.deepStrictEqual(report.added, [])
  }, 30_000)
})
