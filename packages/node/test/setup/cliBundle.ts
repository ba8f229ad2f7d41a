/**
 * Vitest global setup of the `node:cli` project: the `effect-cognito` bin bundled into one
 * ES module for the subprocess tests (see `cliProcess.ts`), the very bundle `npm run cli`
 * runs: `scripts/cli.ts` builds it from the sources as they are, and rebuilds it only when
 * one of them changed, so a second run of the tests reuses it. Plain `node` starts the
 * bundle in about 0.5 s; tsx, which transpiles on load, takes 2 to 6 s.
 */
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import type { TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    /** The bundled bin, for `node <file> …`. */
    cliBundle: string
  }
}

/** What the setup uses of `scripts/cli.ts`. */
interface Launcher {
  readonly cliTarget: { readonly outfile: string }
  readonly ensure: (target: Launcher["cliTarget"]) => Promise<"built" | "fresh">
}

const script = join(import.meta.dirname, "..", "..", "..", "..", "scripts", "cli.ts")

export default async function setup(project: TestProject) {
  // Imported by its path: the script belongs to the repository's tools, outside this package's TypeScript project.
  const launcher: Launcher = await import(pathToFileURL(script).href)
  await launcher.ensure(launcher.cliTarget)
  project.provide("cliBundle", launcher.cliTarget.outfile)
}
