/**
 * The standing fault matrix, loopback half: a real HTTP server on 127.0.0.1 answers the
 * undici client with every fault shape (HTML with 200 and 502, truncated, empty, wrong
 * types, an unknown `__type`, throttling, a hang, a drip, huge and endless bodies, the
 * request's secrets echoed raw and JSON-escaped), crossed with sign-in, the refresh of an
 * expired and of a still-valid session, and local and global sign-out, over
 * `NodeAuth.layer` with the file store.
 *
 * Each cell asserts the typed reason, whether the session survived (in memory and on
 * disk), that a hang or a drip was cut by the configured request timeout (by its message,
 * never by the wall clock), and that no secret appears in the error's message,
 * `Cause.pretty`, `JSON.stringify` or any log line. The timed half is the scripted one,
 * packages/core/test/FaultMatrix.test.ts.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises"
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import type * as AuthError from "@effect-cognito/core/AuthError"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import { NodeAuth, NodeTokenStore } from "@effect-cognito/node"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as Schedule from "effect/Schedule"

const password = "Pa55-w0rd\"quoted'\\back"
const refreshToken = "REFRESH-SECRET-loopback-4d1e"
const secrets = [password, JSON.stringify(password).slice(1, -1), refreshToken, "ACCESS-SECRET-loopback"]

const base64Url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
const jwt = (claims: Record<string, unknown>) => `${base64Url({ alg: "RS256" })}.${base64Url(claims)}.c2ln`

/** A stored session issued `ageSeconds` ago (by the real clock: this half runs on real sockets). */
const sessionAged = (ageSeconds: number) => {
  const iat = Math.floor(Date.now() / 1000) - ageSeconds
  const common = { sub: "sub-1", iat, exp: iat + 3600 }
  return new TokenStore.Session({
    username: "alice",
    idToken: Redacted.make(jwt({ ...common, "cognito:username": "alice" })),
    accessToken: Redacted.make(jwt({ ...common, username: "alice", marker: "ACCESS-SECRET-loopback" })),
    refreshToken: Redacted.make(refreshToken),
    clockSkewMillis: 0
  })
}

// ---------------------------------------------------------------------------
// The server: the first path segment names the shape
// ---------------------------------------------------------------------------

const json = "application/x-amz-json-1.1"
const chunk = Buffer.alloc(64 * 1024, 0x20)
const cap = 128 * 1024
const timeout = "300 millis"

/** Writes chunks as fast as the client reads them, until it hangs up. */
const pour = (res: ServerResponse) => {
  const more = () => {
    while (!res.destroyed) if (!res.write(chunk)) return void res.once("drain", more)
  }
  more()
}

/** How many requests of each action the server saw. */
const seen = new Map<string, number>()

const answer = (shape: string, target: string, body: string, res: ServerResponse) => {
  const send = (status: number, contentType: string, text: string) => {
    res.writeHead(status, { "content-type": contentType })
    res.end(text)
  }
  switch (shape) {
    case "html200":
      return send(200, "text/html", "<html><body>Welcome</body></html>")
    case "html502":
      return send(502, "text/html", "<html>Bad Gateway</html>")
    case "truncated":
      return send(200, json, '{"AuthenticationResult":{"AccessToken":"ey')
    case "empty":
      return send(200, json, "")
    case "wrongTypes":
      return send(200, json, JSON.stringify({ AuthenticationResult: { AccessToken: 5, IdToken: [], ExpiresIn: "x" } }))
    case "unknownType":
      return send(400, json, JSON.stringify({ __type: "BrandNewException", message: "something new" }))
    case "throttling":
      return send(400, json, JSON.stringify({ __type: "TooManyRequestsException", message: "Rate exceeded" }))
    case "hang":
      return
    case "drip": {
      res.writeHead(200, { "content-type": json })
      res.write("{")
      const timer = setInterval(() => res.write(" "), 20)
      res.on("close", () => clearInterval(timer))
      return
    }
    case "huge":
      res.writeHead(200, { "content-type": json, "content-length": 300 * 1024 * 1024 })
      return pour(res)
    case "endless":
      res.writeHead(200, { "content-type": json })
      return pour(res)
    case "echo":
      return send(400, json, JSON.stringify({ __type: "InvalidParameterException", message: `bad: ${body}` }))
    case "echoEscaped":
      return send(
        400,
        json,
        JSON.stringify({ __type: "InvalidParameterException", message: `bad: ${JSON.stringify(body)}` })
      )
    default: {
      // "ok": a sign-in answered with fresh tokens, anything else with {}.
      if (target.endsWith(".InitiateAuth")) {
        const iat = Math.floor(Date.now() / 1000)
        const iss = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Loop1"
        const common = { sub: "sub-1", iss, iat, exp: iat + 3600 }
        return send(
          200,
          json,
          JSON.stringify({
            AuthenticationResult: {
              AccessToken: jwt({ ...common, token_use: "access", client_id: "loopclient", username: "alice" }),
              IdToken: jwt({ ...common, token_use: "id", aud: "loopclient", "cognito:username": "alice" }),
              RefreshToken: refreshToken,
              ExpiresIn: 3600,
              TokenType: "Bearer"
            }
          })
        )
      }
      return send(200, json, "{}")
    }
  }
}

const server = createServer((req, res) => {
  const shape = req.url!.split("/")[1]!
  const target = String(req.headers["x-amz-target"] ?? "")
  const action = `${shape} ${target.split(".").pop()}`
  seen.set(action, (seen.get(action) ?? 0) + 1)
  const parts: Array<Buffer> = []
  req.on("data", (part: Buffer) => parts.push(part))
  req.on("end", () => answer(shape, target, Buffer.concat(parts).toString("utf8"), res))
})

let base = ""
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

// ---------------------------------------------------------------------------
// Cells
// ---------------------------------------------------------------------------

const configFor = (shape: string): AuthConfig.Input => ({
  region: "eu-west-1",
  userPoolId: "eu-west-1_Loop1",
  clientId: "loopclient",
  endpoints: { identityProvider: `${base}/${shape}/` },
  requestTimeout: timeout,
  maxResponseBytes: cap
})

const freshDirectory = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "effect-cognito-faults-"))),
  (directory) => Effect.promise(() => rm(directory, { recursive: true, force: true }))
)

/** The store file of the app client in `directory` (as NodeTokenStore names it). */
const storeOf = (directory: string, config: AuthConfig.Input) =>
  Effect.gen(function* () {
    const validated = yield* AuthConfig.make(config)
    return TokenStore.make(yield* NodeTokenStore.makeBacking(directory), TokenStore.keyFor(validated))
  })

interface Outcome {
  readonly result: AuthError.Reason | "ok"
  readonly message: string
  readonly signedIn: boolean
  readonly stored: boolean
}

const cell = (
  shape: string,
  prepare: Option.Option<TokenStore.Session>,
  operation: (auth: Auth.Auth.Service) => Effect.Effect<unknown, AuthError.AuthError>
) => {
  const logs: Array<string> = []
  const logger = Logger.make(({ fiber, message }) => {
    const annotations = fiber.getRef(References.CurrentLogAnnotations)
    logs.push(`${JSON.stringify(message)} ${JSON.stringify(Object.entries(annotations))}`)
  })
  return Effect.gen(function* () {
    const config = configFor(shape)
    const directory = yield* freshDirectory
    const store = yield* storeOf(directory, config)
    if (Option.isSome(prepare)) yield* store.save(prepare.value)
    const { exit, signedIn } = yield* Effect.gen(function* () {
      const auth = yield* Auth.Auth
      const exit = yield* Effect.exit(operation(auth))
      return { exit, signedIn: yield* auth.isSignedIn }
    }).pipe(
      Effect.provide(
        NodeAuth.layer(config, {
          store: { _tag: "FileSystem", directory },
          http: { retrySchedule: Schedule.recurs(0) }
        })
      )
    )
    const texts = [...logs]
    let result: AuthError.Reason | "ok" = "ok"
    let message = ""
    if (Exit.isFailure(exit)) {
      texts.push(Cause.pretty(exit.cause))
      const failure = Cause.findErrorOption(exit.cause)
      if (Option.isSome(failure)) {
        result = failure.value.reason
        message = failure.value.message
        texts.push(String(failure.value), JSON.stringify(failure.value))
      }
    }
    for (const text of texts) for (const secret of secrets) assert.notInclude(text, secret)
    return { result, message, signedIn, stored: Option.isSome(yield* store.load) } satisfies Outcome
  }).pipe(
    Effect.provide(Logger.layer([logger])),
    Effect.provideService(References.MinimumLogLevel, "All"),
    Effect.scoped
  )
}

/** Each shape and the reason a caller sees when it answers the request the caller waits for. */
const shapes: ReadonlyArray<readonly [string, AuthError.Reason, { readonly doneWhereNothingIsRead?: boolean }]> = [
  ["html200", "InvalidResponse", {}],
  ["html502", "InvalidResponse", {}],
  ["truncated", "InvalidResponse", {}],
  ["empty", "InvalidResponse", { doneWhereNothingIsRead: true }],
  ["wrongTypes", "InvalidResponse", { doneWhereNothingIsRead: true }],
  ["unknownType", "InvalidResponse", {}],
  ["throttling", "TooManyRequests", {}],
  ["hang", "Transport", {}],
  ["drip", "Transport", {}],
  ["huge", "InvalidResponse", {}],
  ["endless", "InvalidResponse", {}],
  ["echo", "InvalidParameter", {}],
  ["echoEscaped", "InvalidParameter", {}]
]

/** A hang or a drip is cut by the request timeout, and says so. */
const cutByTimeout = (shape: string, outcome: Outcome) => {
  if (shape === "hang" || shape === "drip") assert.include(outcome.message, "no response within")
}

describe("fault matrix (loopback server, undici, file store)", () => {
  for (const [shape, reason, flags] of shapes)
    describe(shape, () => {
      it.live("sign-in: the typed reason, signed out, nothing on disk", () =>
        Effect.gen(function* () {
          const outcome = yield* cell(shape, Option.none(), (auth) =>
            auth.signIn({ username: "alice", password: Redacted.make(password), flow: "USER_PASSWORD_AUTH" })
          )
          assert.strictEqual(outcome.result, reason, outcome.message)
          assert.isFalse(outcome.signedIn)
          assert.isFalse(outcome.stored)
          cutByTimeout(shape, outcome)
        })
      )

      it.live("refresh of an expired session: the typed reason, the session kept in memory and on disk", () =>
        Effect.gen(function* () {
          const outcome = yield* cell(shape, Option.some(sessionAged(3600)), (auth) => auth.getTokens())
          assert.strictEqual(outcome.result, reason, outcome.message)
          assert.isTrue(outcome.signedIn)
          assert.isTrue(outcome.stored)
          cutByTimeout(shape, outcome)
        })
      )

      it.live("refresh of a still-valid session: the tokens, the session kept", () =>
        Effect.gen(function* () {
          const outcome = yield* cell(shape, Option.some(sessionAged(58 * 60)), (auth) => auth.getTokens())
          assert.strictEqual(outcome.result, "ok", outcome.message)
          assert.isTrue(outcome.signedIn)
          assert.isTrue(outcome.stored)
        })
      )

      it.live("local sign-out: signed out and the file gone, whatever the server does", () =>
        Effect.gen(function* () {
          const outcome = yield* cell(shape, Option.some(sessionAged(60)), (auth) => auth.signOut())
          assert.strictEqual(outcome.result, "ok", outcome.message)
          assert.isFalse(outcome.signedIn)
          assert.isFalse(outcome.stored)
        })
      )

      it.live("global sign-out: the typed reason and the session kept, or done", () =>
        Effect.gen(function* () {
          const outcome = yield* cell(shape, Option.some(sessionAged(60)), (auth) => auth.signOut({ global: true }))
          const done = flags.doneWhereNothingIsRead === true
          assert.strictEqual(outcome.result, done ? "ok" : reason, outcome.message)
          assert.strictEqual(outcome.signedIn, !done)
          assert.strictEqual(outcome.stored, !done)
          if (!done) cutByTimeout(shape, outcome)
        })
      )
    })
})

describe("a session path that cannot be read", () => {
  it.live(
    "is a directory: NodeAuth.layer builds signed out, warns without contents; sign-in reports Storage and revokes",
    () => {
      const logs: Array<string> = []
      const logger = Logger.make(({ fiber, logLevel, message }) => {
        const annotations = fiber.getRef(References.CurrentLogAnnotations)
        logs.push(`${logLevel.toUpperCase()} ${JSON.stringify(message)} ${JSON.stringify(Object.entries(annotations))}`)
      })
      return Effect.gen(function* () {
        const config = configFor("ok")
        const directory = yield* freshDirectory
        const key = TokenStore.keyFor(yield* AuthConfig.make(config))
        yield* Effect.promise(() => mkdir(join(directory, `${key.replace(/[^\w.-]/g, "_")}.json`)))
        const before = seen.get("ok RevokeToken") ?? 0
        yield* Effect.gen(function* () {
          const auth = yield* Auth.Auth
          assert.strictEqual(yield* auth.userState, "SignedOut")
          const error = yield* Effect.flip(
            auth.signIn({ username: "alice", password: Redacted.make(password), flow: "USER_PASSWORD_AUTH" })
          )
          assert.strictEqual(error.reason, "Storage")
          assert.include(error.message, "revoked")
          assert.isFalse(yield* auth.isSignedIn)
        }).pipe(Effect.provide(NodeAuth.layer(config, { store: { _tag: "FileSystem", directory } })))
        assert.strictEqual((seen.get("ok RevokeToken") ?? 0) - before, 1)
        const warnings = logs.filter((line) => line.startsWith("WARN"))
        assert.isAtLeast(warnings.length, 1)
        assert.include(warnings[0], "cannot be read")
        for (const line of logs) for (const secret of secrets) assert.notInclude(line, secret)
      }).pipe(
        Effect.provide(Logger.layer([logger])),
        Effect.provideService(References.MinimumLogLevel, "All"),
        Effect.scoped
      )
    }
  )
})
