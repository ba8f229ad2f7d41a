/**
 * `npm run local-cognito -- --port <p> [--state <file>] [--allow-origin <origin>]…`: the
 * local Cognito in the foreground. Prints the endpoint and the ids of the ready default
 * user pool, app client and identity pool, then each code as it is delivered (what
 * clients chose, escaped: no control character reaches the terminal), until Ctrl-C. With
 * `--state`, the pools, users and keys are kept in the file (mode 0600) and a restart with
 * it keeps them. `--allow-origin` (repeatable) names a web page, e.g.
 * `http://127.0.0.1:5173`, that may call the server from a browser; no other page can.
 *
 * `npm run local-cognito` execs tsx in place of npm's shell, so npm's signals reach tsx,
 * which relays them here: stopping it by the PID of `npm run` stops the server.
 */
import { resolve } from "node:path"
import { parseArgs } from "node:util"
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    region: { type: "string" },
    state: { type: "string" },
    "allow-origin": { type: "string", multiple: true, default: [] }
  }
})
const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port: expected a port number, found ${JSON.stringify(values.port)}`)
  process.exit(2)
}

const allowedOrigins = values["allow-origin"]

/** The line of a delivered code: user-supplied values escaped. */
const onDelivery = (delivery: LocalCognito.Delivery) => Console.log(LocalCognito.formatDelivery(delivery))

/** Control characters escaped, as in `formatDelivery`: an error may quote a state file's keys. */
const printable = (text: string) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are what it escapes
  text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

const main = Effect.gen(function* () {
  const local = yield* LocalCognito.LocalCognito
  yield* Console.log(
    [
      `local Cognito at ${local.endpoint}`,
      `  region            ${local.defaultPool.region}`,
      `  user pool         ${local.defaultPool.userPoolId}`,
      `  app client        ${local.defaultPool.clientId} (no secret)`,
      `  identity pool     ${local.defaultPool.identityPoolId}`,
      `  JWKS              ${local.endpoint}${local.defaultPool.userPoolId}/.well-known/jwks.json`,
      ...(stateFile === undefined ? [] : [`  state             ${stateFile}`]),
      `  allowed origins   ${allowedOrigins.length === 0 ? "none (no web page can call it)" : allowedOrigins.join(", ")}`,
      "delivered codes follow; Ctrl-C stops"
    ].join("\n")
  )
  return yield* Effect.never
})

const stateFile = values.state === undefined ? undefined : resolve(values.state)

main.pipe(
  Effect.provide(LocalCognito.layer({ port, region: values.region, stateFile, onDelivery, allowedOrigins })),
  // One line, no stack: a state file that cannot be used, or a port that is taken.
  Effect.tapError((error) =>
    Console.error(
      error._tag === "AuthError"
        ? `local-cognito: ${printable(error.message)}`
        : `local-cognito: cannot listen on 127.0.0.1:${port}`
    )
  ),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
