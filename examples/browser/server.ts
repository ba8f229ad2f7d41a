/**
 * Serves the demo page against a local Cognito, both on loopback: `npm run demo:browser`
 * (optionally `-- --port 8080`). Prints the page's URL and every code the local Cognito
 * "sends"; users who sign up with a phone number get SMS MFA, so the sign-in asks for a code.
 * The page server starts first: the local Cognito answers the page's origin (as
 * 127.0.0.1 and as localhost) and no other. The pool allows password, email-code and
 * passkey first factors (`USER_AUTH`), so a user can sign up without a password; its
 * passkeys' relying party is `localhost`, which is why the page's URL names `localhost`
 * (an IP address cannot be a relying party id).
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { readFile } from "node:fs/promises"
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import * as esbuild from "esbuild"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"

export interface Demo {
  readonly url: string
  readonly local: LocalCognito.LocalCognito.Service
  readonly close: () => Promise<void>
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))

/** Starts the page server and the local Cognito that answers it; `onCode` hears each delivered code. */
export const start = async (
  options: { readonly port?: number; readonly onCode?: (username: string, purpose: string, code: string) => void } = {}
): Promise<Demo> => {
  const built = await esbuild.build({
    entryPoints: [here("./app.ts")],
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "chrome120",
    minify: true,
    write: false,
    logLevel: "silent"
  })
  const app = built.outputFiles[0]!.text
  const html = await readFile(here("./index.html"), "utf8")
  let config = ""
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname
    const js = { "content-type": "text/javascript", "cache-control": "no-store" }
    if (path === "/") response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html)
    else if (path === "/app.js") response.writeHead(200, js).end(app)
    else if (path === "/config.js") response.writeHead(200, js).end(config)
    else response.writeHead(404).end()
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, "127.0.0.1", resolve)
  })
  const { port } = server.address() as AddressInfo
  const closeServer = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  let local: LocalCognito.LocalCognito.Service | undefined
  const runtime = ManagedRuntime.make(
    LocalCognito.layer({
      // The page's origin, whichever loopback name the browser uses for it.
      allowedOrigins: [`http://127.0.0.1:${port}`, `http://localhost:${port}`],
      onDelivery: ({ userPoolId, message }) =>
        Effect.gen(function* () {
          options.onCode?.(message.username, message.purpose, Redacted.value(message.code))
          if (message.purpose === "SignUp" && local !== undefined) {
            const pool = yield* local.pool(userPoolId)
            const user = yield* pool.adminGetUser(message.username)
            if (user.attributes.phone_number !== undefined) yield* pool.adminSetUserMfa(message.username, { sms: true })
          }
        }).pipe(Effect.orDie)
    })
  )
  try {
    local = await runtime.runPromise(
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const pool = yield* local.pool(local.defaultPool.userPoolId)
        yield* pool.setSignInPolicy({ allowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"] })
        yield* pool.setWebAuthnConfiguration({ relyingPartyId: "localhost" })
        return local
      })
    )
  } catch (error) {
    await closeServer()
    await runtime.dispose()
    throw error
  }
  config = `window.demoConfig = ${JSON.stringify(local.config)}`
  return {
    url: `http://localhost:${port}/`,
    local,
    close: async () => {
      await closeServer()
      await runtime.dispose()
    }
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const index = process.argv.indexOf("--port")
  const port = index === -1 ? 0 : Number(process.argv[index + 1])
  const demo = await start({
    port,
    // JSON-quoted, control characters escaped: a username is what the page's user typed.
    onCode: (username, purpose, code) =>
      process.stdout.write(`code for ${JSON.stringify(username)} (${purpose}): ${code}\n`)
  })
  process.stdout.write(`effect-cognito demo: ${demo.url}\nlocal Cognito: ${demo.local.endpoint}\n`)
  const stop = () => void demo.close().then(() => process.exit(0))
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
}
