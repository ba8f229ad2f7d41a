/**
 * Vitest global setup of the `node:servers` project (the test files that talk to the
 * reference servers; see `vitest.config.ts`): starts the two third-party Cognito emulators
 * the wire-conformance tests run against, on loopback ports, once per run, and stops them
 * by PID afterwards. The other node test files run without them.
 *
 * - cognito-local (npm, a root devDependency), in a fresh temp dir with usernames that
 *   are not emails and a fixed confirmation code (`CODE`); one user pool with an app
 *   client without secret and one with a secret.
 * - moto_server (Python moto, on PATH), which serves cognito-idp and cognito-identity on
 *   one port; one user pool with an app client without secret and one with a secret, an
 *   identity pool linked to the pool, and a confirmed user.
 *
 * The ids, ports and secrets reach the tests through `provide`/`inject`. A server that
 * cannot start fails the setup with a message naming it and the reason; nothing is
 * silently skipped.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import type { TestProject } from "vitest/node"

/** What the tests learn about cognito-local. */
export interface CognitoLocalServer {
  readonly endpoint: string
  readonly userPoolId: string
  readonly clientId: string
  readonly secretClientId: string
  readonly secretClientSecret: string
  /** Every confirmation code cognito-local sends. */
  readonly code: string
}

/** What the tests learn about moto. */
export interface MotoServer {
  readonly endpoint: string
  readonly region: string
  readonly userPoolId: string
  readonly clientId: string
  readonly secretClientId: string
  readonly secretClientSecret: string
  readonly identityPoolId: string
  /** A confirmed user with a permanent password. */
  readonly username: string
  readonly password: string
}

declare module "vitest" {
  export interface ProvidedContext {
    cognitoLocal: CognitoLocalServer
    moto: MotoServer
  }
}

const startTimeoutMs = 30_000
const code = "123456"

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() =>
        typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))
      )
    })
  })

/** A started process, the tail of its output, and how it ended if it did. */
interface Running {
  readonly name: string
  readonly child: ChildProcess
  readonly output: () => string
  readonly exited: () => string | undefined
}

const run = (
  name: string,
  command: string,
  args: ReadonlyArray<string>,
  options: { cwd?: string; env?: NodeJS.ProcessEnv }
) => {
  let output = ""
  let exited: string | undefined
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] })
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4000)
  }
  child.stdout?.on("data", keep)
  child.stderr?.on("data", keep)
  child.on("error", (error: NodeJS.ErrnoException) => {
    exited =
      error.code === "ENOENT"
        ? `could not be started: ${command} is not on PATH${name === "moto_server" ? " (install it with pip install 'moto[server]')" : ""}`
        : `could not be started: ${error.message}`
  })
  child.on("exit", (status, signal) => {
    exited ??= `exited with ${signal ?? `status ${status}`}`
  })
  return { name, child, output: () => output, exited: () => exited } satisfies Running
}

const failure = (server: Running, why: string) =>
  new Error(
    `${server.name} did not start: ${why}${server.output() === "" ? "" : `\n--- its output ---\n${server.output()}`}`
  )

/** Polls `url` until it answers 200, the process exits, or the start timeout passes. */
const waitUntilUp = async (server: Running, url: string) => {
  const deadline = Date.now() + startTimeoutMs
  let last = "no answer yet"
  while (Date.now() < deadline) {
    const exited = server.exited()
    if (exited !== undefined) throw failure(server, exited)
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      if (response.ok) return
      last = `GET ${url} answered ${response.status}`
    } catch (error) {
      last = `GET ${url} failed: ${error instanceof Error ? error.message : String(error)}`
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw failure(server, `not up within ${startTimeoutMs / 1000}s (${last})`)
}

const stop = async (server: Running) => {
  const { child } = server
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  process.kill(child.pid, "SIGTERM")
  const killed = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5_000))])
  if (!killed && child.exitCode === null) process.kill(child.pid, "SIGKILL")
}

/** The string at `path` in a response; fails naming the server and the path. */
const pick = (server: string, value: unknown, ...path: ReadonlyArray<string>): string => {
  let at = value
  for (const key of path) at = typeof at === "object" && at !== null ? (at as Record<string, unknown>)[key] : undefined
  if (typeof at !== "string")
    throw new Error(`${server}: expected a string at ${path.join(".")} in ${JSON.stringify(value)}`)
  return at
}

/** One AWS JSON 1.1 call with plain fetch; fails naming the server and action. */
const awsCall = async (server: string, endpoint: string, target: string, body: unknown): Promise<unknown> => {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
    body: JSON.stringify(body)
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${server}: ${target} failed with HTTP ${response.status}: ${text.slice(0, 500)}`)
  return JSON.parse(text)
}

const idp = "AWSCognitoIdentityProviderService"
const authFlows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH"]

/** A user pool with an app client without a secret and one with a secret, created through the server's API. */
const createPool = async (name: string, call: (action: string, body: unknown) => Promise<unknown>) => {
  const pool = await call("CreateUserPool", { PoolName: "effect-cognito", AutoVerifiedAttributes: ["email"] })
  const userPoolId = pick(name, pool, "UserPool", "Id")
  const client = await call("CreateUserPoolClient", {
    UserPoolId: userPoolId,
    ClientName: "public",
    ExplicitAuthFlows: authFlows
  })
  const secretClient = await call("CreateUserPoolClient", {
    UserPoolId: userPoolId,
    ClientName: "confidential",
    GenerateSecret: true,
    ExplicitAuthFlows: authFlows
  })
  return { userPoolId, client, secretClient }
}

const startCognitoLocal = async (): Promise<{ server: Running; info: CognitoLocalServer; dir: string }> => {
  const dir = await mkdtemp(join(tmpdir(), "cognito-local-"))
  await mkdir(join(dir, ".cognito"))
  await writeFile(
    join(dir, ".cognito", "config.json"),
    JSON.stringify({ UserPoolDefaults: { UsernameAttributes: [] } })
  )
  const bin = join(
    dirname(createRequire(import.meta.url).resolve("cognito-local/package.json")),
    "lib",
    "bin",
    "start.js"
  )
  const port = await freePort()
  const server = run("cognito-local", process.execPath, [bin], {
    cwd: dir,
    env: { ...process.env, HOST: "127.0.0.1", PORT: String(port), CODE: code }
  })
  const endpoint = `http://127.0.0.1:${port}/`
  try {
    await waitUntilUp(server, `${endpoint}health`)
    const call = (action: string, body: unknown) => awsCall("cognito-local", endpoint, `${idp}.${action}`, body)
    const { userPoolId, client, secretClient } = await createPool("cognito-local", call)
    return {
      server,
      dir,
      info: {
        endpoint,
        userPoolId,
        clientId: pick("cognito-local", client, "UserPoolClient", "ClientId"),
        secretClientId: pick("cognito-local", secretClient, "UserPoolClient", "ClientId"),
        secretClientSecret: pick("cognito-local", secretClient, "UserPoolClient", "ClientSecret"),
        code
      }
    }
  } catch (error) {
    await stop(server)
    await rm(dir, { recursive: true, force: true })
    throw error instanceof Error && error.message.startsWith("cognito-local") ? error : failure(server, String(error))
  }
}

const startMoto = async (): Promise<{ server: Running; info: MotoServer }> => {
  const port = await freePort()
  const server = run("moto_server", "moto_server", ["-H", "127.0.0.1", "-p", String(port)], { env: process.env })
  const endpoint = `http://127.0.0.1:${port}/`
  try {
    await waitUntilUp(server, `${endpoint}moto-api/`)
    const call = (action: string, body: unknown) => awsCall("moto_server", endpoint, `${idp}.${action}`, body)
    const { userPoolId, client, secretClient } = await createPool("moto_server", call)
    const region = userPoolId.split("_")[0]!
    const clientId = pick("moto_server", client, "UserPoolClient", "ClientId")
    const identityPool = await awsCall("moto_server", endpoint, "AWSCognitoIdentityService.CreateIdentityPool", {
      IdentityPoolName: "effect_cognito",
      AllowUnauthenticatedIdentities: true,
      CognitoIdentityProviders: [
        { ProviderName: `cognito-idp.${region}.amazonaws.com/${userPoolId}`, ClientId: clientId }
      ]
    })
    const username = "moto-user"
    const password = "Moto-Passw0rd!"
    await call("AdminCreateUser", {
      UserPoolId: userPoolId,
      Username: username,
      TemporaryPassword: "Temp-Passw0rd!",
      MessageAction: "SUPPRESS",
      UserAttributes: [{ Name: "email", Value: "moto-user@example.com" }]
    })
    await call("AdminSetUserPassword", {
      UserPoolId: userPoolId,
      Username: username,
      Password: password,
      Permanent: true
    })
    return {
      server,
      info: {
        endpoint,
        region,
        userPoolId,
        clientId,
        secretClientId: pick("moto_server", secretClient, "UserPoolClient", "ClientId"),
        secretClientSecret: pick("moto_server", secretClient, "UserPoolClient", "ClientSecret"),
        identityPoolId: pick("moto_server", identityPool, "IdentityPoolId"),
        username,
        password
      }
    }
  } catch (error) {
    await stop(server)
    throw error instanceof Error && error.message.startsWith("moto_server") ? error : failure(server, String(error))
  }
}

export default async function setup(project: TestProject) {
  const local = await startCognitoLocal()
  let moto: Awaited<ReturnType<typeof startMoto>>
  try {
    moto = await startMoto()
  } catch (error) {
    await stop(local.server)
    await rm(local.dir, { recursive: true, force: true })
    throw error
  }
  project.provide("cognitoLocal", local.info)
  project.provide("moto", moto.info)
  return async () => {
    await Promise.all([stop(local.server), stop(moto.server)])
    await rm(local.dir, { recursive: true, force: true })
  }
}
