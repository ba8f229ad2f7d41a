/**
 * What every command of the CLI shares: the connection flags, variables and `--local`
 * (the pools `effect-cognito local` wrote), `Auth` over the session in the default session
 * directory, the common arguments and the output helpers.
 *
 * @internal
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import type * as AuthError from "@effect-cognito/core/AuthError"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import * as Argument from "effect/cli/Argument"
import * as Flag from "effect/cli/Flag"
import * as GlobalFlag from "effect/cli/GlobalFlag"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as path from "node:path"
import * as NodeAuth from "../../NodeAuth.js"
import * as NodeTokenStore from "../../NodeTokenStore.js"
import * as AtomicFile from "../atomicFile.js"
import { CliError } from "./error.js"
import * as Io from "./io.js"

/** The version the CLI reports. */
export const version = "0.1.0"

/** Where `effect-cognito local` writes the ids of its pools, for `--local`. */
export const localFile = "local.json"

/** What `effect-cognito local` writes and `--local` reads. */
export interface LocalPools {
  readonly endpoint: string
  readonly region: string
  readonly userPoolId: string
  readonly clientId: string
  readonly identityPoolId: string
  /** The default pool's Cognito domain (for `sign-in --browser`); absent in files of older versions. */
  readonly domain?: string | undefined
}

// ---------------------------------------------------------------------------
// Connection: variables, flags, --local
// ---------------------------------------------------------------------------

/** An optional text flag with its help line. */
export const optionalText = (name: string, description: string) =>
  Flag.String(name).pipe(Flag.optional, Flag.withDescription(description))

/** A boolean flag, false unless given. */
export const booleanFlag = (name: string, description: string) =>
  Flag.Boolean(name).pipe(Flag.withDefault(false), Flag.withDescription(description))

/**
 * The connection flags, global: listed once in `effect-cognito --help`, accepted before or
 * after the command's name. A command's own flag of the same name wins (`local --region`).
 */
export const connectionFlags = {
  local: GlobalFlag.Setting("local")({
    flag: booleanFlag("local", "Use the local Cognito that the local command runs (its ids and endpoint)")
  }),
  userPoolId: GlobalFlag.Setting("user-pool-id")({
    flag: optionalText("user-pool-id", "The user pool id (else COGNITO_USER_POOL_ID)").pipe(Flag.withMetavar("id"))
  }),
  clientId: GlobalFlag.Setting("client-id")({
    flag: optionalText("client-id", "The app client id (else COGNITO_CLIENT_ID)").pipe(Flag.withMetavar("id"))
  }),
  region: GlobalFlag.Setting("region")({
    flag: optionalText("region", "The region (else COGNITO_REGION, else the user pool id's)").pipe(
      Flag.withMetavar("region")
    )
  }),
  identityPoolId: GlobalFlag.Setting("identity-pool-id")({
    flag: optionalText("identity-pool-id", "The identity pool id (else COGNITO_IDENTITY_POOL_ID)").pipe(
      Flag.withMetavar("id")
    )
  }),
  endpoint: GlobalFlag.Setting("endpoint")({
    flag: optionalText(
      "endpoint",
      "The user pool endpoint (else COGNITO_ENDPOINT, else the identity pool's: a local Cognito serves both)"
    ).pipe(Flag.withMetavar("url"))
  }),
  identityEndpoint: GlobalFlag.Setting("identity-endpoint")({
    flag: optionalText(
      "identity-endpoint",
      "The identity pool endpoint (else COGNITO_IDENTITY_ENDPOINT, else the user pool's)"
    ).pipe(Flag.withMetavar("url"))
  })
}

/** The connection flags in the order help lists them, for `Command.withGlobalFlags` on the root. */
export const globalFlags = [
  connectionFlags.local,
  connectionFlags.userPoolId,
  connectionFlags.clientId,
  connectionFlags.region,
  connectionFlags.identityPoolId,
  connectionFlags.endpoint,
  connectionFlags.identityEndpoint
] as const

/** The parsed connection flags. */
export type Connection = {
  readonly local: boolean
  readonly userPoolId: Option.Option<string>
  readonly clientId: Option.Option<string>
  readonly region: Option.Option<string>
  readonly identityPoolId: Option.Option<string>
  readonly endpoint: Option.Option<string>
  readonly identityEndpoint: Option.Option<string>
}

/** The connection flags as given on the command line. */
export const connection = Effect.gen(function* () {
  return {
    local: yield* connectionFlags.local,
    userPoolId: yield* connectionFlags.userPoolId,
    clientId: yield* connectionFlags.clientId,
    region: yield* connectionFlags.region,
    identityPoolId: yield* connectionFlags.identityPoolId,
    endpoint: yield* connectionFlags.endpoint,
    identityEndpoint: yield* connectionFlags.identityEndpoint
  } satisfies Connection
})

export const sessionDirectory = Effect.mapError(
  NodeTokenStore.directory,
  (e) => new CliError({ message: AuthConfig.describeConfigError(e) })
)

const readLocalPools = Effect.gen(function* () {
  const file = path.join(yield* sessionDirectory, localFile)
  const notRunning = new CliError({
    message: `--local: no local Cognito is running (no ${file}); start one with \`effect-cognito local\``
  })
  // Read as the session is: a FIFO or a link planted there is refused, never waited on or followed.
  const text = yield* Effect.tryPromise({
    try: () => AtomicFile.readRegular(file),
    catch: (cause) =>
      AtomicFile.isUnsafePath(cause) ? new CliError({ message: `--local: ${cause.message}` }) : notRunning
  })
  if (text === undefined) return yield* notRunning
  const parsed = yield* Effect.try({
    try: (): unknown => JSON.parse(text),
    catch: () => new CliError({ message: `--local: ${file} is not JSON; start the local Cognito again` })
  })
  // `null` or a number parses too: only an object holds the ids.
  const pools: Partial<Record<keyof LocalPools, unknown>> = typeof parsed === "object" && parsed !== null ? parsed : {}
  for (const field of ["endpoint", "region", "userPoolId", "clientId", "identityPoolId"] as const)
    if (typeof pools[field] !== "string")
      return yield* new CliError({ message: `--local: ${file} lacks ${field}; start the local Cognito again` })
  if (pools.domain !== undefined && typeof pools.domain !== "string")
    return yield* new CliError({
      message: `--local: ${file} has a domain that is not text; start the local Cognito again`
    })
  return pools as LocalPools
})

/** A variable of the environment, unless unset or empty. */
const environmentValue = (name: string): string | undefined => {
  const value = process.env[name]
  return value === undefined || value === "" ? undefined : value
}

/**
 * The configuration: flags first, then `--local`'s pools, then the environment. All of it
 * goes through `AuthConfig.config`, so a missing or malformed value is named the same way.
 *
 * One endpoint given (`--endpoint`, `--identity-endpoint` or their variables) is the
 * endpoint of both pools, as a local Cognito serves both on one: a sibling call (GetId
 * after a sign-in against a local user pool) never leaves for AWS unasked.
 */
export const configProvider = (c: Connection) =>
  Effect.gen(function* () {
    const values = new Map<string, string>()
    if (c.local) {
      const pools = yield* readLocalPools
      values.set("COGNITO_REGION", pools.region)
      values.set("COGNITO_USER_POOL_ID", pools.userPoolId)
      values.set("COGNITO_CLIENT_ID", pools.clientId)
      values.set("COGNITO_IDENTITY_POOL_ID", pools.identityPoolId)
      values.set("COGNITO_ENDPOINT", pools.endpoint)
      values.set("COGNITO_IDENTITY_ENDPOINT", pools.endpoint)
      if (pools.domain !== undefined) values.set("COGNITO_DOMAIN", pools.domain)
    }
    const flags: ReadonlyArray<readonly [string, Option.Option<string>]> = [
      ["COGNITO_USER_POOL_ID", c.userPoolId],
      ["COGNITO_CLIENT_ID", c.clientId],
      ["COGNITO_REGION", c.region],
      ["COGNITO_IDENTITY_POOL_ID", c.identityPoolId],
      ["COGNITO_ENDPOINT", c.endpoint],
      ["COGNITO_IDENTITY_ENDPOINT", c.identityEndpoint]
    ]
    for (const [name, value] of flags) if (Option.isSome(value)) values.set(name, value.value)
    const given = (name: string) => values.get(name) ?? environmentValue(name)
    const userPoolEndpoint = given("COGNITO_ENDPOINT")
    const identityPoolEndpoint = given("COGNITO_IDENTITY_ENDPOINT")
    if (userPoolEndpoint === undefined && identityPoolEndpoint !== undefined)
      values.set("COGNITO_ENDPOINT", identityPoolEndpoint)
    if (identityPoolEndpoint === undefined && userPoolEndpoint !== undefined)
      values.set("COGNITO_IDENTITY_ENDPOINT", userPoolEndpoint)
    return ConfigProvider.fromEnvRecord(Object.fromEntries(values)).pipe(
      ConfigProvider.orElse(ConfigProvider.fromEnv())
    )
  })

/**
 * Reads the session file once before `Auth` does, and fails on what the store refuses (a
 * FIFO, a link or a directory at the session path, a shared directory): `Auth` starts
 * signed out from a store it cannot read, logging the reason only, which is right for a
 * service but would leave the user of a command with "no user is signed in" and no path.
 * A directory that others could write is made private here, with its warning.
 */
const checkSessionFile = (config: AuthConfig.Validated) =>
  Effect.gen(function* () {
    const backing = yield* NodeTokenStore.makeBacking(yield* sessionDirectory)
    yield* backing.get(TokenStore.keyFor(config))
  })

/** Runs `f` with `Auth` over the session in the default directory, configured by the connection flags. */
export const withAuth = <A>(
  f: (
    auth: Auth.Auth.Service,
    io: Io.Io,
    config: AuthConfig.Validated,
    connection: Connection
  ) => Effect.Effect<A, AuthError.AuthError | CliError>
) =>
  Effect.gen(function* () {
    const c = yield* connection
    const provider = yield* configProvider(c)
    const io = yield* Io.make
    const checked = yield* Layer.build(AuthConfig.layerConfig()).pipe(
      Effect.provideService(ConfigProvider.ConfigProvider, provider)
    )
    yield* checkSessionFile(Context.get(checked, AuthConfig.AuthConfig))
    const context = yield* Layer.build(NodeAuth.layerConfig({ store: { _tag: "FileSystem" } })).pipe(
      Effect.provideService(ConfigProvider.ConfigProvider, provider)
    )
    const auth = yield* Effect.provide(Auth.Auth, context)
    return yield* f(auth, io, yield* Effect.provide(AuthConfig.AuthConfig, context), c)
  }).pipe(Effect.scoped)

// ---------------------------------------------------------------------------
// Output helpers
// ---------------------------------------------------------------------------

/** Where a code was sent, for the prompt. */
export const describeDelivery = (details: Auth.CodeDeliveryDetails | undefined) =>
  details === undefined
    ? "a code was sent"
    : `a code was sent by ${details.deliveryMedium.toLowerCase()} to ${details.destination}`

/** The warning when a session directory that others could write was made private (see `AtomicFile.ensurePrivateDirectory`). */
export const warnIfRepaired = (directory: string) => (state: "private" | "repaired" | "missing") =>
  state === "repaired"
    ? Effect.logWarning(
        `effect-cognito: the session directory ${directory} could be written by other users; it is now private (0700)`
      )
    : Effect.void

/** ` (EADDRINUSE)` for a Node system error, nothing otherwise. */
export const errorCode = (cause: unknown): string =>
  typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string"
    ? ` (${cause.code})`
    : ""

/** The claims of a JWT, without verifying it (the API that receives it verifies it). */
export const claimsOf = (token: Redacted.Redacted<string>): unknown => {
  const payload = Redacted.value(token).split(".")[1]
  if (payload === undefined) return null
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown
  } catch {
    return null
  }
}

/** The user's name argument. */
export const username = Argument.String("username").pipe(Argument.withDescription("The user's name (or alias)"))
/** The `--json` flag. */
export const json = booleanFlag("json", "Print JSON")
