/**
 * The `local` command: a local Cognito on 127.0.0.1 whose pools other commands reach
 * with `--local`; with `--state <file>` its state outlives a restart; with
 * `--allow-origin <origin>` (repeatable) that web page may call it from a browser, and no
 * other page can.
 *
 * @internal
 */
import * as AuthError from "@effect-cognito/core/AuthError"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as AtomicFile from "../atomicFile.js"
import { CliError } from "./error.js"
import * as Io from "./io.js"
import { errorCode, localFile, optionalText, sessionDirectory, type LocalPools, warnIfRepaired } from "./shared.js"

/** The `local` command. */
export const local = Command.make(
  "local",
  {
    port: Flag.Int("port").pipe(
      Flag.withDefault(9229),
      Flag.withMetavar("port"),
      Flag.withDescription("The port on 127.0.0.1 (0: a free one)")
    ),
    region: optionalText("region", "The region of the pools' ids (default us-east-1, or the state file's)").pipe(
      Flag.withMetavar("region")
    ),
    state: optionalText(
      "state",
      "Keep the pools, users and keys in this file (mode 0600), so a restart with it keeps them and the ids"
    ).pipe(Flag.withMetavar("file")),
    allowOrigin: Flag.String("allow-origin").pipe(
      Flag.atLeast(1),
      Flag.optional,
      Flag.withMetavar("origin"),
      Flag.withDescription(
        "A web page that may call the server from a browser, e.g. http://127.0.0.1:5173 (repeat for more); any other page is refused"
      )
    )
  },
  (c) =>
    Effect.gen(function* () {
      if (c.port < 0 || c.port > 65535)
        return yield* new CliError({ message: `--port: expected 0 to 65535, found ${c.port}`, usage: true })
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
        allowedOrigins: Option.getOrUndefined(c.allowOrigin),
        // The line `npm run local-cognito` prints: what clients chose (a username, an address) escaped.
        onDelivery: (delivery) => io.out(LocalCognito.formatDelivery(delivery))
      }).pipe(
        Effect.mapError((e) =>
          AuthError.isAuthError(e)
            ? // InvalidConfig: a flag's value (--region, --allow-origin) is not one the server takes.
              new CliError({ message: `local: ${e.message}`, usage: e.reason === "InvalidConfig" })
            : new CliError({ message: `local: cannot listen on 127.0.0.1:${c.port}${errorCode(e.cause)}` })
        )
      )
      const domain = yield* Effect.option(server.domainUrl(server.defaultPool.userPoolId))
      const pools: LocalPools = {
        endpoint: server.endpoint,
        ...server.defaultPool,
        ...(Option.isSome(domain) ? { domain: domain.value } : {})
      }
      const file = path.join(directory, localFile)
      yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: async () => {
            // The session directory, private as the session store keeps it; nothing planted at the file is replaced.
            const state = await AtomicFile.ensurePrivateDirectory(directory, true)
            await AtomicFile.checkReplaceable(file)
            await AtomicFile.write(file, JSON.stringify(pools, null, 2))
            return state
          },
          catch: (cause) =>
            new CliError({
              message: AtomicFile.isUnsafePath(cause) ? `local: ${cause.message}` : `local: cannot write ${file}`
            })
        }).pipe(Effect.flatMap(warnIfRepaired(directory))),
        () => Effect.promise(() => fs.rm(file, { force: true }))
      )
      yield* io.out(
        [
          `local Cognito at ${server.endpoint}`,
          `  region         ${pools.region}`,
          `  user pool      ${pools.userPoolId}`,
          `  app client     ${pools.clientId} (no secret)`,
          `  identity pool  ${pools.identityPoolId}`,
          ...(pools.domain === undefined ? [] : [`  domain         ${pools.domain}`]),
          ...Option.match(stateFile, { onNone: () => [], onSome: (file) => [`  state          ${file}`] }),
          `use it with --local (ids in ${file}); delivered codes follow; Ctrl-C stops`
        ].join("\n")
      )
      return yield* Effect.never
    }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    "Run a local Cognito on 127.0.0.1, printing each code it delivers; other commands reach it with --local"
  ),
  Command.withShortDescription("Run a local Cognito on 127.0.0.1 for --local")
)
