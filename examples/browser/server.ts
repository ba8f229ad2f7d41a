/**
 * Serves the demo page against a local Cognito, both on loopback: `npm run demo:browser`
 * (optionally `-- --port 8080`). Prints the page's URL and every code the local Cognito
 * "sends"; users who sign up with a phone number get SMS MFA, so the sign-in asks for a code.
 * The page server starts first: the local Cognito answers the page's origin (as
 * 127.0.0.1 and as localhost) and no other. The pool allows password, email-code and
 * passkey first factors (`USER_AUTH`), so a user can sign up without a password; its
 * passkeys' relying party is `localhost`, which is why the page's URL names `localhost`
 * (an IP address cannot be a relying party id).
 *
 * The pool's Cognito domain signs users in too: its app client may use the code flow back
 * to the page, and the local Cognito's external OIDC provider is federated as
 * {@link providerName}, so the page's "Continue with" button goes through that provider's
 * own login page (its users: {@link providerUsers} when run as a script).
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { readFile } from "node:fs/promises"
import type * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import * as esbuild from "esbuild"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"

export interface Demo {
  readonly url: string
  readonly local: LocalCognito.LocalCognito.Service
  /** The pool's Cognito domain (its base URL). */
  readonly domain: string
  /** The external provider's name in the pool, and its issuer (where its login page is). */
  readonly providerName: string
  readonly providerIssuer: string
  /** Where the page keeps the session (`localStorage`). */
  readonly sessionKey: string
  /** A confirmed user of the pool, for the hosted login page. */
  readonly addUser: (username: string, password: string) => Promise<void>
  /** A user of the external provider. */
  readonly addProviderUser: (username: string, password: string, claims?: Record<string, string>) => Promise<void>
  readonly close: () => Promise<void>
}

/** The external OIDC provider's name in the user pool ("Continue with ExampleIdP"). */
export const providerName = "ExampleIdP"

/** The provider's users when the demo runs as a script. */
export const providerUsers = [{ username: "pat", password: "Provider-Pa55word!", email: "pat@example.org" }]

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
  let script = ""
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname
    const js = { "content-type": "text/javascript", "cache-control": "no-store" }
    if (path === "/") response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html)
    else if (path === "/app.js") response.writeHead(200, js).end(app)
    else if (path === "/config.js") response.writeHead(200, js).end(script)
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
  // localhost, not 127.0.0.1: the passkeys' relying party id is `localhost`.
  const url = `http://localhost:${port}/`
  const service = local
  const { userPoolId, clientId } = local.defaultPool
  const provider = local.oidcProvider
  // The domain: the page (by either loopback name) is the app client's callback and sign-out URL.
  const setUp = Effect.gen(function* () {
    const pool = yield* service.pool(userPoolId)
    yield* pool.createIdentityProvider({
      providerName,
      providerType: "OIDC",
      providerDetails: {
        client_id: provider.clientId,
        oidc_issuer: provider.issuer,
        authorize_scopes: "openid email profile",
        attributes_request_method: "GET"
      },
      clientSecret: provider.clientSecret,
      attributeMapping: { email: "email" }
    })
    const pages = [url, `http://127.0.0.1:${port}/`]
    yield* pool.updateClientOAuth(clientId, {
      allowedOAuthFlows: ["code"],
      allowedOAuthFlowsUserPoolClient: true,
      allowedOAuthScopes: ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
      callbackURLs: pages,
      logoutURLs: pages,
      supportedIdentityProviders: ["COGNITO", providerName]
    })
    return yield* service.domainUrl(userPoolId)
  })
  let domain: string
  try {
    domain = await runtime.runPromise(setUp)
  } catch (error) {
    await closeServer()
    await runtime.dispose()
    throw error
  }
  const config: AuthConfig.Input = {
    ...local.config,
    oauth: {
      domain,
      redirectSignIn: url,
      redirectSignOut: url,
      scopes: ["openid", "email", "profile", "aws.cognito.signin.user.admin"]
    }
  }
  script = `window.demoConfig = ${JSON.stringify(config)}; window.demoProvider = ${JSON.stringify(providerName)}`
  return {
    url,
    local,
    domain,
    providerName,
    providerIssuer: provider.issuer,
    sessionKey: `effect-cognito.${userPoolId}.${clientId}.session`,
    addUser: (username, password) =>
      runtime.runPromise(
        Effect.gen(function* () {
          const pool = yield* service.pool(userPoolId)
          yield* pool.adminCreateUser({
            username,
            messageAction: "SUPPRESS",
            userAttributes: { email: `${username}@example.com`, email_verified: "true" }
          })
          yield* pool.adminSetUserPassword(username, Redacted.make(password), { permanent: true })
        })
      ),
    addProviderUser: (username, password, claims = {}) =>
      runtime.runPromise(provider.addUser({ username, password: Redacted.make(password), claims })),
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
  for (const user of providerUsers) await demo.addProviderUser(user.username, user.password, { email: user.email })
  process.stdout.write(
    [
      `effect-cognito demo: ${demo.url}`,
      `local Cognito: ${demo.local.endpoint}`,
      `Cognito domain: ${demo.domain}`,
      `"Continue with ${demo.providerName}": ${providerUsers.map((u) => `${u.username} / ${u.password}`).join(", ")}`,
      ""
    ].join("\n")
  )
  const stop = () => void demo.close().then(() => process.exit(0))
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
}
