/**
 * Browser benchmark (a script that runs on import; `npm run bench` runs it after the others):
 *
 * 1. Bundle size: esbuild (minified, ESM, browser) of a minimal app that signs in and gets
 *    the tokens, with gzip (level 9) and brotli (quality 11), beside the same app's Effect +
 *    @effect/platform floor without our code, aws-amplify v6 (signIn, fetchAuthSession,
 *    signOut) and amazon-cognito-identity-js (authenticateUser, signOut). Our own share of
 *    the bundle is also counted exactly, from esbuild's metafile.
 * 2. SRP time per sign-in inside headless Chromium: the client math (A and the password
 *    claim), ours against amazon-cognito-identity-js in the same page.
 *
 *   npx tsx bench/browser.ts [iterations]
 */
import { fileURLToPath } from "node:url"
import { brotliCompressSync, constants, gzipSync } from "node:zlib"
import * as esbuild from "esbuild"
import { bundle, launch, serve } from "../packages/browser/test/harness.js"

const iterations = Number(process.argv[2] ?? 20)
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

const apps = [
  ["effect-cognito (sign in, tokens)", "app-ours"],
  ["Effect + @effect/platform floor", "app-floor"],
  ["aws-amplify v6", "app-amplify"],
  ["amazon-cognito-identity-js", "app-cognito-identity-js"]
] as const

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

const size = async (entry: string) => {
  const result = await esbuild.build({
    entryPoints: [here(`./browser/${entry}.ts`)],
    bundle: true,
    minify: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    define: { global: "globalThis" },
    write: false,
    metafile: true,
    logLevel: "error"
  })
  const code = result.outputFiles[0]!.contents
  const shares = { ours: 0, effect: 0, other: 0 }
  for (const output of Object.values(result.metafile.outputs))
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (input.startsWith("packages/")) shares.ours += bytesInOutput
      else if (/node_modules\/(effect|@effect)\//.test(input)) shares.effect += bytesInOutput
      else shares.other += bytesInOutput
    }
  return {
    minified: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    shares
  }
}

const sizes = async () => {
  console.log("Bundle size of a minimal browser app (esbuild, minified, ESM)\n")
  console.log(`${"app".padEnd(36)} ${"minified".padStart(10)} ${"gzip".padStart(10)} ${"brotli".padStart(10)}`)
  const results = new Map<string, Awaited<ReturnType<typeof size>>>()
  for (const [name, entry] of apps) {
    const result = await size(entry)
    results.set(entry, result)
    console.log(
      `${name.padEnd(36)} ${kb(result.minified).padStart(10)} ${kb(result.gzip).padStart(10)} ${kb(result.brotli).padStart(10)}`
    )
  }
  const ours = results.get("app-ours")!
  const floor = results.get("app-floor")!
  console.log(
    `\nour code on top of the Effect floor: ${kb(ours.gzip - floor.gzip)} gzip, ${kb(ours.brotli - floor.brotli)} brotli`
  )
  console.log(
    `our share of our bundle (minified, from the metafile): ${kb(ours.shares.ours)} ours, ${kb(ours.shares.effect)} Effect, ${kb(ours.shares.other)} other`
  )
  console.log(
    `vs aws-amplify v6: ${(ours.gzip / results.get("app-amplify")!.gzip).toFixed(2)}x gzip; vs amazon-cognito-identity-js: ${(ours.gzip / results.get("app-cognito-identity-js")!.gzip).toFixed(2)}x gzip`
  )
}

const srpInChromium = async () => {
  const server = await serve(
    await bundle({ srp: here("./browser/srp-page.ts") }, { minify: true, define: { global: "globalThis" } })
  )
  const chromium = await launch()
  try {
    const page = await chromium.context.newPage()
    const errors: Array<string> = []
    page.on("pageerror", (error) => errors.push(String(error)))
    await page.goto(`${server.origin}/srp.html`)
    if (errors.length > 0) throw new Error(`the SRP page failed: ${errors.join("; ")}`)
    const result = (await page.evaluate(
      (n) => (Reflect.get(window, "srpBench") as (n: number) => Promise<unknown>)(n),
      iterations
    )) as { oursMs: number; libraryMs: number; userAgent: string }
    console.log(
      `\nSRP client math per sign-in (A + password claim) in ${result.userAgent.match(/HeadlessChrome\/[\d.]+|Chrome\/[\d.]+/)?.[0] ?? "Chromium"}`
    )
    console.log(`effect-cognito (BigInt + Web Crypto)       ${result.oursMs.toFixed(2).padStart(8)} ms/sign-in`)
    console.log(`amazon-cognito-identity-js (same page)     ${result.libraryMs.toFixed(2).padStart(8)} ms/sign-in`)
    console.log(`ratio: ${(result.libraryMs / result.oursMs).toFixed(1)}x faster`)
  } finally {
    await chromium.close()
    await server.close()
  }
}

const main = async () => {
  await sizes()
  await srpInChromium()
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
