/**
 * The `local` command: a local Cognito on 127.0.0.1 whose pools other commands reach
 * with `--local`; with `--state <file>` its state outlives a restart.
 *
 * @internal
 */
import * as AuthError from "@effect-cognito/core/AuthError"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as AtomicFile from "../atomicFile.js"
import { CliError } from "./error.js"
import * as Io from "./io.js"
import { sessionDirectory, errorCode, localFile, optionalText, type LocalPools } from "./shared.js"

/** The `local` command. */
export const local = Command.make(
  "local",
  {
    port: Flag.Int("port").pipe(Flag.withDefault(9229), Flag.withDescription("The port on 127.0.0.1 (0: a free one)")),
    region: optionalText("region", "The region of the pools' ids (default us-east-1, or the state file's)"),
    state: optionalText(
      "state",
      "Keep the pools, users and keys in this file (mode 0600), so a restart with it keeps them and the ids"
    )
  },
  (c) =>
    Effect.gen(function* () {
      if (c.port < 0 || c.port > 65535)
        return yield* new CliError({ message: `--port: expected 0 to 65535, found ${c.port}` })
      const io = yield* Io.make
      const directory = yield* sessionDirectory
      // Loaded on demand: the local Cognito needs @effect-cognito/test-kit, an optional peer.
      const LocalCognito = yield* Effect.tryPromise({
        try: () => import("../../LocalCognito.js"),
        catch: () =>
          new CliError({ message: "local: needs @effect-cognito/test-kit; install it beside @effect-cognito/node" })
      })
      const stateFile = Option.map(c.state, (file) => path.resolve(file))
      const server = yield* LocalCognito.make({
        port: c.port,
        region: Option.getOrUndefined(c.region),
        stateFile: Option.getOrUndefined(stateFile),
        onDelivery: ({ message, userPoolId }) =>
          io.out(
            `code for ${message.username} (${message.purpose}, ${message.medium.toLowerCase()} to ${message.destination}, ${userPoolId}): ${Redacted.value(message.code)}`
          )
      }).pipe(
        Effect.mapError((e) =>
          AuthError.isAuthError(e)
            ? new CliError({ message: `local: ${e.message}` })
            : new CliError({ message: `local: cannot listen on 127.0.0.1:${c.port}${errorCode(e.cause)}` })
        )
      )
      const pools: LocalPools = { endpoint: server.endpoint, ...server.defaultPool }
      const file = path.join(directory, localFile)
      yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: async () => {
            await fs.mkdir(directory, { recursive: true, mode: 0o700 })
            await AtomicFile.write(file, JSON.stringify(pools, null, 2))
          },
          catch: () => new CliError({ message: `local: cannot write ${file}` })
        }),
        () => Effect.promise(() => fs.rm(file, { force: true }))
      )
      yield* io.out(
        [
          `local Cognito at ${server.endpoint}`,
          `  region         ${pools.region}`,
          `  user pool      ${pools.userPoolId}`,
          `  app client     ${pools.clientId} (no secret)`,
          `  identity pool  ${pools.identityPoolId}`,
          ...Option.match(stateFile, { onNone: () => [], onSome: (file) => [`  state          ${file}`] }),
          `use it with --local (ids in ${file}); delivered codes follow; Ctrl-C stops`
        ].join("\n")
      )
      return yield* Effect.never
    }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    "Run a local Cognito on 127.0.0.1, printing each code it delivers; other commands reach it with --local"
  )
)
