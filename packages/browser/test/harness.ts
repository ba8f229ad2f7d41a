/**
 * The real-Chromium harness of the browser tests: bundles test pages with esbuild, serves
 * them (and any scripted endpoints) from a loopback HTTP server, and drives Debian's
 * Chromium through playwright-core with a fresh profile.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import { fileURLToPath } from "node:url"
import * as esbuild from "esbuild"
import { type BrowserContext, type CDPSession, chromium, type Page } from "playwright-core"

export const executablePath = "/usr/bin/chromium"

export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

/** The path of a page's entry module in `test/pages`. */
export const pageEntry = (name: string) => fileURLToPath(new URL(`./pages/${name}.ts`, import.meta.url))

/** Bundles entry modules for the browser (one IIFE script each); returns the scripts by name. */
export const bundle = async (
  entries: Record<string, string>,
  options: { readonly minify?: boolean; readonly define?: Record<string, string> } = {}
): Promise<Map<string, string>> => {
  const result = await esbuild.build({
    entryPoints: entries,
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "chrome120",
    minify: options.minify ?? false,
    define: options.define ?? {},
    write: false,
    outdir: "/bundle",
    logLevel: "silent"
  })
  return new Map(result.outputFiles.map((file) => [basename(file.path, ".js"), file.text]))
}

export type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => boolean

export interface Server {
  readonly origin: string
  readonly close: () => Promise<void>
}

const html = (name: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${name}</title></head><body><script src="/${name}.js"></script></body></html>`

/**
 * Serves `/<name>.html` and `/<name>.js` for each script, `/sandboxed/<name>.html` with a
 * `sandbox allow-scripts` CSP (an opaque origin: storage is refused), and whatever `handler` takes.
 */
export const serve = async (scripts: Map<string, string>, handler: Handler = () => false): Promise<Server> => {
  const server = createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8")
      if (handler(request, body, response)) return
      const url = new URL(request.url ?? "/", "http://127.0.0.1")
      const match = /^\/(sandboxed\/)?([\w-]+)\.(html|js)$/.exec(url.pathname)
      const script = match?.[2] === undefined ? undefined : scripts.get(match[2])
      if (match === null || script === undefined) {
        response.writeHead(404).end()
        return
      }
      const headers: Record<string, string> = { "cache-control": "no-store" }
      if (match[1] !== undefined) headers["content-security-policy"] = "sandbox allow-scripts"
      if (match[3] === "js") response.writeHead(200, { ...headers, "content-type": "text/javascript" }).end(script)
      else response.writeHead(200, { ...headers, "content-type": "text/html; charset=utf-8" }).end(html(match[2]!))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", resolve)
  })
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

export interface Chromium {
  readonly context: BrowserContext
  readonly close: () => Promise<void>
}

/** Chromium with a fresh profile in a temporary directory, removed on close. */
export const launch = async (): Promise<Chromium> => {
  const userDataDir = await mkdtemp(join(tmpdir(), "effect-cognito-chromium-"))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: chromiumArgs
  })
  return {
    context,
    close: async () => {
      await context.close()
      await rm(userDataDir, { recursive: true, force: true })
    }
  }
}

/**
 * A DevTools virtual authenticator on `page`, as a phone or laptop has one built in (CTAP2,
 * internal transport, resident keys, user verification that succeeds): WebAuthn ceremonies
 * on the page then run with no prompt.
 */
export const addVirtualAuthenticator = async (
  context: BrowserContext,
  page: Page
): Promise<{ readonly cdp: CDPSession; readonly authenticatorId: string }> => {
  const cdp = await context.newCDPSession(page)
  await cdp.send("WebAuthn.enable")
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true
    }
  })
  return { cdp, authenticatorId }
}
