/**
 * The `effect-cognito` command line: every `Auth` flow as a command, configured by the
 * `COGNITO_*` variables (`AuthConfig.config`), by flags, or by `--local` (the local
 * Cognito that `effect-cognito local` runs). Sessions live in the default session
 * directory (`NodeTokenStore.directory`), so one invocation signs in and the next reads
 * the tokens. A failure prints one line, `effect-cognito: <reason>`, and exits non-zero.
 *
 * @internal
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as AuthError from "@effect-cognito/core/AuthError"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs/promises"
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
}

// ---------------------------------------------------------------------------
// Connection: variables, flags, --local
// ---------------------------------------------------------------------------

const connection = {
  local: Options.boolean("local").pipe(
    Options.withDescription("Use the local Cognito that `effect-cognito local` runs (its ids and endpoint)")
  ),
  userPoolId: Options.text("user-pool-id").pipe(
    Options.optional,
    Options.withDescription("The user pool id (else COGNITO_USER_POOL_ID)")
  ),
  clientId: Options.text("client-id").pipe(
    Options.optional,
    Options.withDescription("The app client id (else COGNITO_CLIENT_ID)")
  ),
  region: Options.text("region").pipe(
    Options.optional,
    Options.withDescription("The region (else COGNITO_REGION, else the user pool id's)")
  ),
  identityPoolId: Options.text("identity-pool-id").pipe(
    Options.optional,
    Options.withDescription("The identity pool id (else COGNITO_IDENTITY_POOL_ID)")
  ),
  endpoint: Options.text("endpoint").pipe(
    Options.optional,
    Options.withDescription("The user pool endpoint (else COGNITO_ENDPOINT)")
  )
}

type Connection = {
  readonly local: boolean
  readonly userPoolId: Option.Option<string>
  readonly clientId: Option.Option<string>
  readonly region: Option.Option<string>
  readonly identityPoolId: Option.Option<string>
  readonly endpoint: Option.Option<string>
}

const sessionDirectory = Effect.mapError(
  NodeTokenStore.directory,
  (e) => new CliError({ message: AuthConfig.describeConfigError(e) })
)

const readLocalPools = Effect.gen(function* () {
  const file = path.join(yield* sessionDirectory, localFile)
  const text = yield* Effect.tryPromise({
    try: () => fs.readFile(file, "utf8"),
    catch: () =>
      new CliError({
        message: `--local: no local Cognito is running (no ${file}); start one with \`effect-cognito local\``
      })
  })
  const pools = yield* Effect.try({
    try: () => JSON.parse(text) as Partial<LocalPools>,
    catch: () => new CliError({ message: `--local: ${file} is not JSON; start the local Cognito again` })
  })
  for (const field of ["endpoint", "region", "userPoolId", "clientId", "identityPoolId"] as const)
    if (typeof pools[field] !== "string")
      return yield* new CliError({ message: `--local: ${file} lacks ${field}; start the local Cognito again` })
  return pools as LocalPools
})

/**
 * The configuration: flags first, then `--local`'s pools, then the environment. All of it
 * goes through `AuthConfig.config`, so a missing or malformed value is named the same way.
 */
const configProvider = (c: Connection) =>
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
    }
    const flags: ReadonlyArray<readonly [string, Option.Option<string>]> = [
      ["COGNITO_USER_POOL_ID", c.userPoolId],
      ["COGNITO_CLIENT_ID", c.clientId],
      ["COGNITO_REGION", c.region],
      ["COGNITO_IDENTITY_POOL_ID", c.identityPoolId],
      ["COGNITO_ENDPOINT", c.endpoint]
    ]
    for (const [name, value] of flags) if (Option.isSome(value)) values.set(name, value.value)
    return ConfigProvider.fromMap(values).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))
  })

/** Runs `f` with `Auth` over the session in the default directory. */
const withAuth = <A>(
  c: Connection,
  f: (
    auth: Auth.Auth.Service,
    io: Io.Io,
    config: AuthConfig.Validated
  ) => Effect.Effect<A, AuthError.AuthError | CliError>
) =>
  Effect.gen(function* () {
    const provider = yield* configProvider(c)
    const io = yield* Io.make
    const context = yield* Layer.build(NodeAuth.layerConfig({ store: { _tag: "FileSystem" } })).pipe(
      Effect.withConfigProvider(provider)
    )
    const auth = yield* Effect.provide(Auth.Auth, context)
    return yield* f(auth, io, yield* Effect.provide(AuthConfig.AuthConfig, context))
  }).pipe(Effect.scoped)

// ---------------------------------------------------------------------------
// Output helpers
// ---------------------------------------------------------------------------

const describeDelivery = (details: Auth.CodeDeliveryDetails | undefined) =>
  details === undefined
    ? "a code was sent"
    : `a code was sent by ${details.deliveryMedium.toLowerCase()} to ${details.destination}`

/** ` (EADDRINUSE)` for a Node system error, nothing otherwise. */
const errorCode = (cause: unknown): string =>
  typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string"
    ? ` (${cause.code})`
    : ""

/** The claims of a JWT, without verifying it (the API that receives it verifies it). */
const claimsOf = (token: Redacted.Redacted<string>): unknown => {
  const payload = Redacted.value(token).split(".")[1]
  if (payload === undefined) return null
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown
  } catch {
    return null
  }
}

// ---------------------------------------------------------------------------
// Sign-in: answers every challenge at the prompt
// ---------------------------------------------------------------------------

const answerChallenges = (
  auth: Auth.Auth.Service,
  io: Io.Io,
  first: Auth.SignInResult,
  username: string
): Effect.Effect<void, AuthError.AuthError | CliError> =>
  Effect.gen(function* () {
    let result = first
    // Each answer leads to the next step; Cognito ends the chain with SignedIn or a failure.
    for (;;) {
      switch (result._tag) {
        case "SignedIn":
          return
        case "SmsMfa":
        case "EmailOtp": {
          yield* io.note(describeDelivery(result.codeDeliveryDetails))
          const code = yield* io.secret("MFA code")
          result = yield* io.spin("Checking the code", auth.confirmSignIn({ challengeResponse: code }))
          break
        }
        case "SoftwareTokenMfa": {
          const code = yield* io.secret("Authenticator code")
          result = yield* io.spin("Checking the code", auth.confirmSignIn({ challengeResponse: code }))
          break
        }
        case "SelectMfaType": {
          const choice = yield* io.line(`MFA type (${result.allowedMfaTypes.join(", ")})`)
          result = yield* io.spin("Sending the code", auth.confirmSignIn({ challengeResponse: Redacted.make(choice) }))
          break
        }
        case "MfaSetup": {
          if (!result.allowedMfaTypes.includes("TOTP"))
            return yield* new CliError({
              message: `sign-in: the pool asks to set up ${result.allowedMfaTypes.join(" or ")} MFA, which the CLI cannot; only TOTP`
            })
          yield* io.note(
            `Set up an authenticator app with this URI (or its secret), then enter its code:\n${Auth.totpSetupUri(
              result.totpSharedSecret,
              { issuer: "effect-cognito", accountName: username }
            )}`
          )
          const code = yield* io.secret("Authenticator code")
          result = yield* io.spin("Checking the code", auth.confirmSignIn({ challengeResponse: code }))
          break
        }
        case "NewPasswordRequired": {
          yield* io.note("A new password is required.")
          const password = yield* io.secret("New password")
          const userAttributes: Record<string, string> = {}
          for (const name of result.requiredAttributes) userAttributes[name] = yield* io.line(name)
          result = yield* io.spin(
            "Setting the password",
            auth.confirmSignIn({ challengeResponse: password, userAttributes })
          )
          break
        }
        case "CustomChallenge": {
          for (const [name, value] of Object.entries(result.parameters)) yield* io.note(`${name}: ${value}`)
          const answer = yield* io.secret("Answer")
          result = yield* io.spin("Checking the answer", auth.confirmSignIn({ challengeResponse: answer }))
          break
        }
      }
    }
  })

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

const username = Args.text({ name: "username" }).pipe(Args.withDescription("The user's name (or alias)"))
const json = Options.boolean("json").pipe(Options.withDescription("Print JSON"))

const signUp = Command.make(
  "sign-up",
  {
    ...connection,
    username,
    attributes: Options.keyValueMap("attribute").pipe(
      Options.optional,
      Options.withDescription("A user attribute, name=value (repeat for more), e.g. --attribute email=me@example.com")
    )
  },
  (c) =>
    withAuth(c, (auth, io) =>
      Effect.gen(function* () {
        const password = yield* io.secret("Password")
        const userAttributes = Option.match(c.attributes, {
          onNone: () => ({}),
          onSome: (map) => Object.fromEntries(HashMap.toEntries(map))
        })
        const result = yield* io.spin("Signing up", auth.signUp({ username: c.username, password, userAttributes }))
        yield* io.out(
          result.confirmationState === "Confirmed"
            ? `signed up ${c.username} (confirmed)`
            : `signed up ${c.username}; ${describeDelivery(result.codeDeliveryDetails)}: confirm with \`effect-cognito confirm-sign-up ${c.username}\``
        )
      })
    )
).pipe(Command.withDescription("Create a user; the password is read from a prompt or standard input"))

const confirmSignUp = Command.make("confirm-sign-up", { ...connection, username }, (c) =>
  withAuth(c, (auth, io) =>
    Effect.gen(function* () {
      const confirmationCode = yield* io.secret("Confirmation code")
      yield* io.spin("Confirming", auth.confirmSignUp({ username: c.username, confirmationCode }))
      yield* io.out(`confirmed ${c.username}`)
    })
  )
).pipe(Command.withDescription("Confirm a sign-up with the code sent to the user"))

const resendCode = Command.make("resend-code", { ...connection, username }, (c) =>
  withAuth(c, (auth, io) =>
    Effect.gen(function* () {
      const details = yield* io.spin("Sending", auth.resendSignUpCode({ username: c.username }))
      yield* io.out(describeDelivery(details))
    })
  )
).pipe(Command.withDescription("Send the sign-up confirmation code again"))

const signIn = Command.make(
  "sign-in",
  {
    ...connection,
    username,
    flow: Options.choice("flow", ["srp", "password"]).pipe(
      Options.withDefault("srp" as const),
      Options.withDescription(
        "srp (USER_SRP_AUTH: the password never leaves this machine) or password (USER_PASSWORD_AUTH)"
      )
    )
  },
  (c) =>
    withAuth(c, (auth, io) =>
      Effect.gen(function* () {
        const password = yield* io.secret("Password")
        const flow = c.flow === "srp" ? "USER_SRP_AUTH" : "USER_PASSWORD_AUTH"
        const result = yield* io.spin("Signing in", auth.signIn({ username: c.username, password, flow }))
        yield* answerChallenges(auth, io, result, c.username)
        const signedIn = yield* auth.username
        yield* io.out(`signed in as ${Option.getOrElse(signedIn, () => c.username)}`)
      })
    )
).pipe(
  Command.withDescription(
    "Sign in; prompts for the password, then for whatever Cognito asks (MFA code, new password, TOTP setup)"
  )
)

const whoami = Command.make("whoami", { ...connection, json }, (c) =>
  withAuth(c, (auth, io) =>
    Effect.gen(function* () {
      const tokens = yield* io.spin("Reading the session", auth.getTokens())
      const attributes = yield* io.spin("Reading the user", auth.getUserAttributes)
      if (c.json) return yield* io.out(JSON.stringify({ username: tokens.username, attributes }, null, 2))
      yield* io.out(tokens.username)
      for (const [name, value] of Object.entries(attributes)) yield* io.out(`  ${name}=${value}`)
    })
  )
).pipe(Command.withDescription("The signed-in user and their attributes"))

const tokens = Command.make(
  "tokens",
  {
    ...connection,
    json,
    decode: Options.boolean("decode").pipe(
      Options.withDescription("Print the claims of the id and access tokens instead of the tokens")
    )
  },
  (c) =>
    withAuth(c, (auth, io) =>
      Effect.gen(function* () {
        const t = yield* io.spin("Reading the session", auth.getTokens())
        if (c.decode)
          return yield* io.out(
            JSON.stringify({ idToken: claimsOf(t.idToken), accessToken: claimsOf(t.accessToken) }, null, 2)
          )
        if (c.json)
          return yield* io.out(
            JSON.stringify(
              {
                idToken: Redacted.value(t.idToken),
                accessToken: Redacted.value(t.accessToken),
                refreshToken: Redacted.value(t.refreshToken),
                expiresAt: t.expiresAt.toISOString()
              },
              null,
              2
            )
          )
        yield* io.out(`ID_TOKEN=${Redacted.value(t.idToken)}`)
        yield* io.out(`ACCESS_TOKEN=${Redacted.value(t.accessToken)}`)
        yield* io.out(`REFRESH_TOKEN=${Redacted.value(t.refreshToken)}`)
        yield* io.out(`EXPIRES_AT=${t.expiresAt.toISOString()}`)
      })
    )
).pipe(Command.withDescription("The session's tokens, refreshed first when they are about to expire"))

const signOut = Command.make(
  "sign-out",
  {
    ...connection,
    global: Options.boolean("global").pipe(Options.withDescription("Sign out of every device (GlobalSignOut)"))
  },
  (c) =>
    withAuth(c, (auth, io) =>
      Effect.gen(function* () {
        const who = yield* auth.username
        if (Option.isNone(who))
          return yield* AuthError.make("NotSignedIn", "signOut", "no user is signed in").pipe(Effect.fail)
        yield* io.spin("Signing out", auth.signOut({ global: c.global }))
        yield* io.out(`signed out ${who.value}${c.global ? " everywhere" : ""}`)
      })
    )
).pipe(Command.withDescription("Sign out: revoke the refresh token and forget the session"))

const forgotPassword = Command.make("forgot-password", { ...connection, username }, (c) =>
  withAuth(c, (auth, io) =>
    Effect.gen(function* () {
      const result = yield* io.spin("Sending", auth.forgotPassword({ username: c.username }))
      yield* io.out(
        `${describeDelivery(result.codeDeliveryDetails)}: set a new password with \`effect-cognito confirm-forgot-password ${c.username}\``
      )
    })
  )
).pipe(Command.withDescription("Send a code to reset a forgotten password"))

const confirmForgotPassword = Command.make("confirm-forgot-password", { ...connection, username }, (c) =>
  withAuth(c, (auth, io) =>
    Effect.gen(function* () {
      const confirmationCode = yield* io.secret("Confirmation code")
      const newPassword = yield* io.secret("New password")
      yield* io.spin(
        "Setting the password",
        auth.confirmForgotPassword({ username: c.username, confirmationCode, newPassword })
      )
      yield* io.out(`password of ${c.username} set`)
    })
  )
).pipe(Command.withDescription("Set a new password with the code from forgot-password"))

const changePassword = Command.make("change-password", { ...connection }, (c) =>
  withAuth(c, (auth, io) =>
    Effect.gen(function* () {
      const currentPassword = yield* io.secret("Current password")
      const proposedPassword = yield* io.secret("New password")
      yield* io.spin("Changing the password", auth.changePassword({ currentPassword, proposedPassword }))
      yield* io.out("password changed")
    })
  )
).pipe(Command.withDescription("Change the signed-in user's password"))

const local = Command.make(
  "local",
  {
    port: Options.integer("port").pipe(
      Options.withDefault(9229),
      Options.withDescription("The port on 127.0.0.1 (0: a free one)")
    ),
    region: Options.text("region").pipe(
      Options.withDefault("us-east-1"),
      Options.withDescription("The region of the pools' ids")
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
      const server = yield* LocalCognito.make({
        port: c.port,
        region: c.region,
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

const credentials = Command.make(
  "credentials",
  {
    ...connection,
    format: Options.choice("format", ["env", "json", "credential-process"]).pipe(
      Options.withDefault("env" as const),
      Options.withDescription(
        "env (export lines for a shell), json, or credential-process (the AWS CLI's credential_process output)"
      )
    )
  },
  (c) =>
    withAuth(c, (auth, io) =>
      Effect.gen(function* () {
        const k = yield* io.spin("Getting AWS credentials", auth.getAWSCredentials())
        const secretAccessKey = Redacted.value(k.secretAccessKey)
        const sessionToken = Redacted.value(k.sessionToken)
        const expiration = k.expiration.toISOString()
        switch (c.format) {
          case "credential-process":
            return yield* io.out(
              JSON.stringify({
                Version: 1,
                AccessKeyId: k.accessKeyId,
                SecretAccessKey: secretAccessKey,
                SessionToken: sessionToken,
                Expiration: expiration
              })
            )
          case "json":
            return yield* io.out(
              JSON.stringify(
                { accessKeyId: k.accessKeyId, secretAccessKey, sessionToken, expiration, identityId: k.identityId },
                null,
                2
              )
            )
          case "env":
            return yield* io.out(
              [
                `export AWS_ACCESS_KEY_ID=${k.accessKeyId}`,
                `export AWS_SECRET_ACCESS_KEY=${secretAccessKey}`,
                `export AWS_SESSION_TOKEN=${sessionToken}`,
                `export AWS_CREDENTIAL_EXPIRATION=${expiration}`
              ].join("\n")
            )
        }
      })
    )
).pipe(
  Command.withDescription(
    "The identity pool's AWS credentials for the session (a guest's when signed out and the pool allows guests)"
  )
)

const fetchCommand = Command.make(
  "fetch",
  {
    ...connection,
    url: Args.text({ name: "url" }).pipe(Args.withDescription("The URL to request")),
    service: Options.text("service").pipe(
      Options.withDescription("The SigV4 signing name of the service, e.g. execute-api, appsync, s3")
    ),
    method: Options.choice("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]).pipe(
      Options.withDefault("GET" as const),
      Options.withDescription("The HTTP method")
    ),
    data: Options.text("data").pipe(Options.optional, Options.withDescription("The request body")),
    header: Options.keyValueMap("header").pipe(
      Options.optional,
      Options.withDescription("A request header, name=value (repeat for more)")
    ),
    signingRegion: Options.text("signing-region").pipe(
      Options.optional,
      Options.withDescription("The region of the endpoint (default: the user pool's)")
    )
  },
  (c) =>
    withAuth(c, (auth, io, config) =>
      Effect.gen(function* () {
        const url = yield* Effect.try({
          try: () => new URL(c.url),
          catch: () => new CliError({ message: `fetch: expected an absolute URL, found ${JSON.stringify(c.url)}` })
        })
        const client = (yield* HttpClient.HttpClient).pipe(
          auth.signedHttpClient({ service: c.service, region: Option.getOrElse(c.signingRegion, () => config.region) })
        )
        let request = HttpClientRequest.make(c.method)(url)
        if (Option.isSome(c.header))
          for (const [name, value] of HashMap.toEntries(c.header.value))
            request = HttpClientRequest.setHeader(request, name, value)
        if (Option.isSome(c.data)) request = HttpClientRequest.bodyText(request, c.data.value)
        const response = yield* io.spin(`${c.method} ${url.host}`, client.execute(request))
        const body = yield* response.text
        yield* io.out(body)
        if (response.status >= 400)
          return yield* new CliError({
            message: `fetch: HTTP ${response.status}${response.headers["x-amzn-errortype"] === undefined ? "" : ` ${response.headers["x-amzn-errortype"]}`}`
          })
      }).pipe(
        Effect.scoped,
        Effect.provide(NodeHttpClient.layerUndici),
        Effect.catchTags({
          RequestError: (e) => Effect.fail(new CliError({ message: `fetch: the request failed (${e.reason})` })),
          ResponseError: (e) => Effect.fail(new CliError({ message: `fetch: the response failed (${e.reason})` }))
        })
      )
    )
).pipe(Command.withDescription("A request signed with SigV4 and the session's AWS credentials, like awscurl"))

/** The commands besides the root. */
export const commands = [
  signUp,
  confirmSignUp,
  resendCode,
  signIn,
  whoami,
  tokens,
  signOut,
  forgotPassword,
  confirmForgotPassword,
  changePassword,
  credentials,
  fetchCommand,
  local
] as const

export const root = Command.make("effect-cognito").pipe(
  Command.withDescription(
    "Amazon Cognito from the shell: sign-up, sign-in with MFA, tokens, AWS credentials, signed requests. Configured by COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID (and COGNITO_REGION, COGNITO_CLIENT_SECRET, COGNITO_IDENTITY_POOL_ID, COGNITO_ENDPOINT, COGNITO_IDENTITY_ENDPOINT), by flags, or by --local; sessions live in EFFECT_COGNITO_HOME or ~/.config/effect-cognito."
  ),
  Command.withSubcommands(commands)
)

const cli = Command.run(root, { name: "effect-cognito", version })

/** One line for any failure: the reason, never a stack trace or a secret. */
const describe = (error: unknown): string => {
  if (AuthError.isAuthError(error)) return error.message
  if (error instanceof CliError) return error.message
  if (typeof error === "object" && error !== null && "_tag" in error) return `failed (${String(error._tag)})`
  return "failed"
}

/**
 * Runs the CLI on `argv` (as `process.argv`). Never fails: a failure prints one line on
 * standard error and sets the exit code (1 for a failure, 2 for bad usage).
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<void> =>
  cli(argv).pipe(
    Effect.catchAll((error) =>
      ValidationError.isValidationError(error)
        ? // @effect/cli has printed what is wrong with the command line (or the help asked for).
          Effect.sync(() => {
            if (!ValidationError.isHelpRequested(error)) process.exitCode = 2
          })
        : Effect.zipRight(
            Effect.sync(() => process.stderr.write(`effect-cognito: ${describe(error)}\n`)),
            Effect.sync(() => {
              process.exitCode = 1
            })
          )
    ),
    Effect.catchAllDefect(() =>
      Effect.sync(() => {
        process.stderr.write("effect-cognito: an unexpected failure (a defect); please report it\n")
        process.exitCode = 70
      })
    ),
    Effect.provide(NodeContext.layer)
  )
