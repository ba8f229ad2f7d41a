/**
 * Browser benchmark (a script that runs on import; `npm run bench` runs it after the others):
 *
 * 1. Bundle size: esbuild (minified, ESM, browser) of a minimal app that signs in, gets the
 *    tokens, gets AWS credentials and makes one SigV4-signed request, with gzip (level 9) and
 *    brotli (quality 11), beside the same app's Effect floor (effect, effect/http) without our
 *    code (`browser/app-floor.ts` says what it holds), aws-amplify v6 (signIn,
 *    fetchAuthSession, signOut) and amazon-cognito-identity-js (authenticateUser, signOut).
 *    Our own share of the bundle is also counted exactly, by input file, from esbuild's
 *    metafile, and the Effect bytes of both bundles are shown, so the floor can be checked to
 *    hold no more Effect than our app pulls in.
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
  ["effect-cognito (sign-in..signed req)", "app-ours"],
  ["Effect floor (effect/http)", "app-floor"],
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
  const files = new Map<string, number>()
  for (const output of Object.values(result.metafile.outputs))
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (input.startsWith("packages/")) shares.ours += bytesInOutput
      else if (/node_modules\/(effect|@effect)\//.test(input)) shares.effect += bytesInOutput
      else shares.other += bytesInOutput
      if (!/node_modules\/(effect|@effect)\//.test(input) && !input.startsWith("bench/"))
        files.set(input.replace(/^.*node_modules\//, ""), (files.get(input) ?? 0) + bytesInOutput)
    }
  return {
    minified: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    shares,
    files
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
    "\nThe floor: the same four steps written directly on the Effect modules our code uses for\n" +
      "them (effect/http's HttpClient with retry/timeout/streamed body, Schema decoding and TaggedError, a Schema.Class session in\n" +
      "KeyValueStore over localStorage, SubscriptionRef + Stream, Deferred single flight, a Context.Reference-flagged request\n" +
      "transform, logs and spans), without the Cognito/AWS logic (SRP, SigV4, error table, config checks, refresh, tabs)."
  )
  console.log(`Effect bytes (minified): ${kb(ours.shares.effect)} in our app, ${kb(floor.shares.effect)} in the floor`)
  console.log(
    `\nour code on top of the Effect floor: ${kb(ours.gzip - floor.gzip)} gzip, ${kb(ours.brotli - floor.brotli)} brotli (goal: at most 15 KB gzip)`
  )
  console.log(
    `our share of our bundle (minified, from the metafile): ${kb(ours.shares.ours)} ours, ${kb(ours.shares.effect)} Effect, ${kb(ours.shares.other)} other`
  )
  console.log("largest inputs of ours (and our dependencies), minified bytes in the bundle:")
  for (const [file, bytes] of [...ours.files].sort((a, b) => b[1] - a[1]).slice(0, 12))
    console.log(`  ${kb(bytes).padStart(8)}  ${file}`)
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
