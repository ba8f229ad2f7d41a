/**
 * The `effect-cognito` bin bundled into one ES module for the subprocess tests (see
 * `cliProcess.ts`): the sources as they are, resolved through the workspace's tsconfig
 * paths as tsx resolves them for `npm run cli`. Plain `node` starts the bundle in about
 * 0.5 s; tsx, which transpiles on load, takes about 2 s idle and 3 to 6 s beside other tests.
 */
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { build } from "esbuild"

declare module "vitest" {
  export interface ProvidedContext {
    /** The bundled bin, for `node <file> …`. */
    cliBundle: string
  }
}

const bin = join(import.meta.dirname, "..", "..", "src", "bin", "effect-cognito.ts")

/** Bundles the bin into a new temporary directory: the bundle's file and the directory to remove. */
export const bundle = async (): Promise<{ readonly file: string; readonly directory: string }> => {
  const directory = await mkdtemp(join(tmpdir(), "effect-cognito-cli-bundle-"))
  const file = join(directory, "effect-cognito.mjs")
  await build({
    entryPoints: [bin],
    outfile: file,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "error",
    // CommonJS dependencies inside an ES module bundle still call require() for Node's modules.
    // The import is renamed: bundled ES modules (effect 4's among them) import createRequire themselves.
    banner: {
      js: 'import { createRequire as __bannerCreateRequire } from "node:module"; const require = __bannerCreateRequire(import.meta.url);'
    }
  })
  return { file, directory }
}
