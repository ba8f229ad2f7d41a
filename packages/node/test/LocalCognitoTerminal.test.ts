/**
 * Nothing user-supplied reaches the developer's terminal unescaped (issue 19, item 7):
 * `LocalCognito.formatDelivery`, the line `npm run local-cognito` prints for each code,
 * escapes control characters (ESC, BEL, CR, LF, C1, bidi overrides) in every value a
 * client chose; and the script, run as a developer runs it, prints no raw control
 * character whatever a client signs up with. It also takes `--allow-origin`.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as LocalCognito from "../src/LocalCognito.js"
import { send } from "./rawHttp.js"

const root = join(import.meta.dirname, "..", "..", "..")

/** Control characters a terminal acts on, and the bidi controls that reorder what it shows. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for them
const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

describe("LocalCognito.formatDelivery", () => {
  it("escapes control characters in every user-supplied value, on one line", () => {
    const line = LocalCognito.formatDelivery({
      userPoolId: "us-east-1_Pool\u001b[2J",
      message: {
        username: "user\u001b]0;owned\u0007\u009b31m",
        medium: "EMAIL",
        destination: "mail\u001b[2J\u001b[H@example.com\r\nforged line\u202e",
        purpose: "SignUp",
        code: Redacted.make("12\u001b[8m34"),
        at: 0
      }
    })
    assert.notMatch(line, raw)
    assert.notInclude(line, "\n")
    assert.include(line, "user\\u001b]0;owned\\u0007\\u009b31m")
    assert.include(line, "mail\\u001b[2J\\u001b[H@example.com\\r\\nforged line\\u202e")
    assert.include(line, "us-east-1_Pool\\u001b[2J")
    assert.include(line, "12\\u001b[8m34")
    assert.include(line, "SignUp")
  })

  it("prints plain values as they are", () => {
    const line = LocalCognito.formatDelivery({
      userPoolId: "us-east-1_Pool",
      message: {
        username: "alice",
        medium: "SMS",
        destination: "+15555550100",
        purpose: "Mfa",
        code: Redacted.make("123456"),
        at: 0
      }
    })
    assert.strictEqual(line, "SMS to +15555550100 (us-east-1_Pool, alice, Mfa): 123456")
  })
})

/** `npm run local-cognito` with `args`, as tsx runs it; its standard output as it grows. */
const script = (args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child = spawn(
        process.execPath,
        [join(root, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/local-cognito.ts", ...args],
        { cwd: root, stdio: ["ignore", "pipe", "pipe"] }
      )
      const output = { stdout: "", stderr: "" }
      child.stdout.on("data", (chunk: Buffer) => {
        output.stdout += chunk.toString("utf8")
        child.emit("printed")
      })
      child.stderr.on("data", (chunk: Buffer) => {
        output.stderr += chunk.toString("utf8")
      })
      child.on("exit", () => child.emit("printed"))
      return { child, output }
    }),
    ({ child }) =>
      Effect.promise(
        () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve()
            child.once("exit", () => resolve())
            child.kill("SIGTERM")
          })
      )
  )

/** Waits until standard output matches `pattern` (fails if the process exits first). */
const printed = (
  running: { readonly child: ChildProcess; readonly output: { stdout: string; stderr: string } },
  pattern: RegExp
) =>
  Effect.promise(
    () =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = () => {
          const match = running.output.stdout.match(pattern)
          if (match !== null) {
            running.child.off("printed", check)
            resolve(match)
          } else if (running.child.exitCode !== null) {
            running.child.off("printed", check)
            reject(new Error(`exited: ${running.output.stdout}${running.output.stderr}`))
          }
        }
        running.child.on("printed", check)
        check()
      })
  )

describe("npm run local-cognito", () => {
  it.live(
    "prints no raw control character a client signed up with; --allow-origin lets that page call it",
    () =>
      Effect.gen(function* () {
        const pageOrigin = "http://127.0.0.1:5173"
        const running = yield* script(["--port", "0", "--allow-origin", pageOrigin])
        const [, endpoint] = yield* printed(running, /local Cognito at (http:\/\/127\.0\.0\.1:\d+\/)/)
        const [, clientId] = yield* printed(running, /app client\s+(\w+)/)
        const userPoolId = (yield* printed(running, /user pool\s+(\S+)/))[1]!
        yield* printed(running, /Ctrl-C stops\n/)
        const port = Number(new URL(endpoint!).port)

        const signUp = (username: string, email: string) =>
          Effect.promise(() =>
            send(port, {
              headers: {
                "content-type": "application/x-amz-json-1.1",
                "x-amz-target": "AWSCognitoIdentityProviderService.SignUp"
              },
              body: [
                JSON.stringify({
                  ClientId: clientId,
                  Username: username,
                  Password: "Terminal-Passw0rd!",
                  UserAttributes: [{ Name: "email", Value: email }]
                })
              ]
            })
          )
        // Escape sequences, and bidi controls that reorder what the terminal shows (the pool may refuse some).
        const hostile = [
          {
            username: "terminal-escape",
            email: "esc\u001b[2J\u001b]0;owned\u0007@example.com",
            shown: "esc\\u001b[2J\\u001b]0;owned\\u0007@example.com"
          },
          {
            username: "terminal-bidi",
            email: "bidi\u202eevil\u2066@example.com",
            shown: "bidi\\u202eevil\\u2066@example.com"
          }
        ]
        const accepted: Array<string> = []
        for (const { email, shown, username } of hostile)
          if ((yield* signUp(username, email)).status === 200) accepted.push(shown)
        const plain = yield* signUp("terminal-plain", "plain@example.com")
        assert.strictEqual(plain.status, 200, plain.text)
        // The plain user's code comes after the others' (those that were accepted).
        const [plainLine, plainCode] = yield* printed(
          running,
          /EMAIL to plain@example\.com .*terminal-plain.*: (\d+)(?=\n)/
        )
        // The line `effect-cognito local` prints for the same delivery: one format for both servers.
        assert.strictEqual(
          plainLine,
          LocalCognito.formatDelivery({
            userPoolId,
            message: {
              username: "terminal-plain",
              medium: "EMAIL",
              destination: "plain@example.com",
              purpose: "SignUp",
              code: Redacted.make(plainCode!),
              at: 0
            }
          })
        )
        assert.notMatch(running.output.stdout, raw, "no raw control character on the terminal")
        for (const shown of accepted) assert.include(running.output.stdout, `EMAIL to ${shown} (`)
        assert.include(running.output.stdout, pageOrigin, "the banner names the allowed origin")

        const preflight = yield* Effect.promise(() =>
          send(port, {
            method: "OPTIONS",
            headers: { origin: pageOrigin, "access-control-request-method": "POST" }
          })
        )
        assert.strictEqual(preflight.status, 204)
        assert.strictEqual(preflight.headers["access-control-allow-origin"], pageOrigin)
        const foreign = yield* Effect.promise(() =>
          send(port, {
            method: "OPTIONS",
            headers: { origin: "https://evil.example", "access-control-request-method": "POST" }
          })
        )
        assert.strictEqual(foreign.status, 403)
      }).pipe(Effect.scoped),
    { timeout: 60_000 }
  )
})
