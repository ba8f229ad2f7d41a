/**
 * `npm run local-cognito -- --port <p> [--state <file>]`: the local Cognito in the
 * foreground. Prints the endpoint and the ids of the ready default user pool, app client
 * and identity pool, then each code as it is delivered, until Ctrl-C. With `--state`, the
 * pools, users and keys are kept in the file (mode 0600) and a restart with it keeps them.
 */
import { resolve } from "node:path"
import { parseArgs } from "node:util"
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    region: { type: "string" },
    state: { type: "string" }
  }
})
const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port: expected a port number, found ${JSON.stringify(values.port)}`)
  process.exit(2)
}

const onDelivery = ({ message, userPoolId }: LocalCognito.Delivery) =>
  Console.log(
    `${message.medium} to ${message.destination} (${userPoolId}, ${message.username}, ${message.purpose}): ${Redacted.value(message.code)}`
  )

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
      "delivered codes follow; Ctrl-C stops"
    ].join("\n")
  )
  return yield* Effect.never
})

const stateFile = values.state === undefined ? undefined : resolve(values.state)

main.pipe(
  Effect.provide(LocalCognito.layer({ port, region: values.region, stateFile, onDelivery })),
  // One line, no stack: a state file that cannot be used, or a port that is taken.
  Effect.tapError((error) =>
    Console.error(
      error._tag === "AuthError"
        ? `local-cognito: ${error.message}`
        : `local-cognito: cannot listen on 127.0.0.1:${port}`
    )
  ),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
