/**
 * `npm run cli -- …`: the `effect-cognito` CLI from this repository's sources, at the speed
 * of the published bin. The bin and what it imports are bundled by esbuild into one ES
 * module (resolved through the workspace's tsconfig paths, as tsx resolves them), kept in
 * `node_modules/.cache/effect-cognito/`, and rebuilt only when one of the files that went
 * into it changed: the bundle's inputs are recorded with their modification times and
 * sizes beside it. Then the bundle runs in this process, so signals and the exit code are
 * the CLI's own (`npm run cli` execs plain `node` on this file), with V8's code cache.
 *
 * Plain `node` strips the types of this file itself (Node 22.18 and later): it imports
 * nothing but Node's modules, and esbuild only when it builds.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises"
import { enableCompileCache } from "node:module"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

/** What to bundle, where to, and what else (besides the modules esbuild reads) the bundle depends on. */
export interface Target {
  /** The entry module. */
  readonly entry: string
  /** The bundle (an ES module); its fingerprint is kept in `<outfile>.inputs.json`. */
  readonly outfile: string
  /** Files that change the bundle without being imported: tsconfigs, this script. */
  readonly extraInputs: ReadonlyArray<string>
}

const root = resolve(import.meta.dirname, "..")

/** The `effect-cognito` bin of the node package. */
export const cliTarget: Target = {
  entry: join(root, "packages", "node", "src", "bin", "effect-cognito.ts"),
  outfile: join(root, "node_modules", ".cache", "effect-cognito", "cli", "effect-cognito.mjs"),
  extraInputs: [
    join(root, "tsconfig.base.json"),
    join(root, "packages", "node", "tsconfig.json"),
    fileURLToPath(import.meta.url)
  ]
}

/** What identifies a version of a file: its modification time and size. */
const fingerprintOf = async (file: string): Promise<string | undefined> => {
  try {
    const info = await stat(file)
    return info.isFile() ? `${info.mtimeMs}:${info.size}` : undefined
  } catch {
    return undefined
  }
}

const stampOf = (target: Target) => `${target.outfile}.inputs.json`

/** Is the bundle there, and is every file that went into it as it was then? */
export const isFresh = async (target: Target): Promise<boolean> => {
  let recorded: unknown
  try {
    recorded = JSON.parse(await readFile(stampOf(target), "utf8"))
  } catch {
    return false
  }
  if (typeof recorded !== "object" || recorded === null || (await fingerprintOf(target.outfile)) === undefined)
    return false
  const inputs = Object.entries(recorded)
  if (inputs.length === 0) return false
  const current = await Promise.all(inputs.map(([file]) => fingerprintOf(file)))
  return inputs.every(([, fingerprint], index) => fingerprint === current[index])
}

/**
 * Bundles `target.entry` into `target.outfile` and records its inputs. Both files are
 * written aside and renamed into place, so a concurrent run reads either the old bundle or
 * the new one. An input that changed while esbuild read it is recorded as unknown, so the
 * next run builds again.
 */
export const build = async (target: Target): Promise<void> => {
  const { build: esbuild } = await import("esbuild")
  const startedMs = Date.now()
  await mkdir(dirname(target.outfile), { recursive: true })
  const aside = `${target.outfile}.${process.pid}.tmp`
  try {
    const result = await esbuild({
      entryPoints: [target.entry],
      outfile: aside,
      absWorkingDir: dirname(target.entry),
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      // What esbuild cannot bundle is in the error it throws; main prints it.
      logLevel: "silent",
      metafile: true,
      // CommonJS dependencies inside an ES module bundle still call require() for Node's modules.
      // The import is renamed: bundled ES modules (effect 4's among them) import createRequire themselves.
      banner: {
        js: 'import { createRequire as __bannerCreateRequire } from "node:module"; const require = __bannerCreateRequire(import.meta.url);'
      }
    })
    const files = [
      ...Object.keys(result.metafile.inputs).map((input) => resolve(dirname(target.entry), input)),
      ...target.extraInputs
    ]
    const inputs: Record<string, string> = {}
    for (const file of files) {
      const fingerprint = await fingerprintOf(file)
      if (fingerprint === undefined) continue
      inputs[file] = Number(fingerprint.split(":")[0]) >= startedMs ? "changed while bundling" : fingerprint
    }
    await rename(aside, target.outfile)
    await writeFile(`${stampOf(target)}.${process.pid}.tmp`, JSON.stringify(inputs, null, 1))
    await rename(`${stampOf(target)}.${process.pid}.tmp`, stampOf(target))
  } finally {
    await rm(aside, { force: true })
  }
}

/** Builds the bundle unless it is fresh: whether it was built. */
export const ensure = async (target: Target): Promise<"built" | "fresh"> => {
  if (await isFresh(target)) return "fresh"
  await build(target)
  return "built"
}

if (import.meta.main) {
  try {
    await ensure(cliTarget)
  } catch (error) {
    // esbuild's message names each file, line and problem.
    process.stderr.write(
      `npm run cli: cannot bundle ${cliTarget.entry}: ${error instanceof Error ? error.message : String(error)}\n`
    )
    process.exit(1)
  }
  // V8's code cache of the bundle, kept beside it: a start takes about a fifth less.
  enableCompileCache(join(dirname(cliTarget.outfile), "compile-cache"))
  await import(pathToFileURL(cliTarget.outfile).href)
}
