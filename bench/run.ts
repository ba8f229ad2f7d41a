/**
 * `npm run bench`: the token, credentials, signing, token-verification and Redis benchmarks in this process,
 * then many users' sessions (`bench/sessions.ts`: heap per idle session and 10,000 refreshes, each
 * measured in a child process over the built packages), then the SRP benchmark
 * (`bench/srp.ts`, a script that runs on import) in a child process, then the browser benchmark
 * (`bench/browser.ts`: bundle sizes, SRP inside Chromium) in another, then what our share of
 * the browser bundle is spent on (`bench/bundle-parts.ts`).
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { runCredentialsBench } from "./credentials.js"
import { runRedisBench } from "./redis.js"
import { runSessionsBench } from "./sessions.js"
import { runSigningBench } from "./signing.js"
import { runTokensBench } from "./tokens.js"
import { runVerifyBench } from "./verify.js"

const srp = fileURLToPath(new URL("./srp.ts", import.meta.url))
const browser = fileURLToPath(new URL("./browser.ts", import.meta.url))
const bundleParts = fileURLToPath(new URL("./bundle-parts.ts", import.meta.url))

const runScript = (path: string, args: ReadonlyArray<string> = []) =>
  new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path, ...args], { stdio: "inherit" })
    child.on("error", reject)
    child.on("exit", (code, signal) => resolve(code ?? (signal === null ? 0 : 1)))
  })

const main = async () => {
  await runTokensBench()
  console.log(`\n${"=".repeat(80)}\n`)
  await runCredentialsBench()
  console.log(`\n${"=".repeat(80)}\n`)
  await runSigningBench()
  console.log(`\n${"=".repeat(80)}\n`)
  await runVerifyBench()
  console.log(`\n${"=".repeat(80)}\n`)
  await runRedisBench()
  console.log(`\n${"=".repeat(80)}\n`)
  await runSessionsBench()
  console.log(`\n${"=".repeat(80)}\n`)
  const code = await runScript(srp, process.argv.slice(2))
  if (code !== 0) process.exitCode = code
  console.log(`\n${"=".repeat(80)}\n`)
  const browserCode = await runScript(browser)
  if (browserCode !== 0) process.exitCode = browserCode
  const partsCode = await runScript(bundleParts)
  if (partsCode !== 0) process.exitCode = partsCode
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
