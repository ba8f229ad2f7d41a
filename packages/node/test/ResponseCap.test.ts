/**
 * The response size cap and the request timeout over a real socket: a loopback server
 * answers the undici client with a huge declared body, an endless body and a body that
 * drips one byte at a time. The client must fail with a typed error and close the
 * connection, having taken no more than the cap.
 */
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as CognitoIdentityProvider from "@effect-cognito/core/CognitoIdentityProvider"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"

const cap = 256 * 1024
const chunk = Buffer.alloc(64 * 1024, 0x20)

/** What the server saw of each answer: bytes written, and whether the client hung up. */
interface Answer {
  written: number
  closed: Promise<void>
}
const answers = new Map<string, Answer>()

/** Writes chunks as fast as the client reads them, until the client hangs up. */
const pour = (res: ServerResponse, answer: Answer) => {
  const more = () => {
    while (!res.destroyed) {
      answer.written += chunk.length
      if (!res.write(chunk)) return void res.once("drain", more)
    }
  }
  more()
}

const server = createServer((req, res) => {
  const mode = req.url!.split("/")[1]!
  let resolveClosed!: () => void
  const answer: Answer = { written: 0, closed: new Promise((resolve) => (resolveClosed = resolve)) }
  answers.set(mode, answer)
  res.on("close", () => resolveClosed())
  req.resume()
  req.on("end", () => {
    switch (mode) {
      case "huge":
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1", "content-length": 300 * 1024 * 1024 })
        return pour(res, answer)
      case "endless":
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1" })
        return pour(res, answer)
      case "endless-error":
        res.writeHead(502, { "content-type": "text/html" })
        return pour(res, answer)
      case "drip": {
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1" })
        res.write("{")
        const timer = setInterval(() => {
          answer.written++
          res.write(" ")
        }, 10)
        return res.on("close", () => clearInterval(timer))
      }
      default:
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1" })
        return res.end(JSON.stringify({ Username: "alice", UserAttributes: [] }))
    }
  })
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

/** GetUser through the undici client against the server in `mode`. */
const getUser = (mode: string, requestTimeout: Duration.Input = "30 seconds") =>
  Effect.gen(function* () {
    const provider = yield* CognitoIdentityProvider.makeWith({ retrySchedule: Schedule.recurs(0) })
    return yield* provider.getUser({ accessToken: Redacted.make("access-token") })
  }).pipe(
    Effect.provide(
      AuthConfig.layer({
        region: "us-east-1",
        userPoolId: "us-east-1_Cap1",
        clientId: "capclient",
        endpoints: { identityProvider: `${base}/${mode}/` },
        maxResponseBytes: cap,
        requestTimeout
      })
    ),
    Effect.provide(NodeHttpClient.layerUndici)
  )

describe("response size cap over a socket (undici)", () => {
  it.live("a small answer is read", () =>
    Effect.gen(function* () {
      assert.strictEqual((yield* getUser("ok")).username, "alice")
    })
  )

  for (const [mode, status] of [
    ["huge", 200],
    ["endless", 200],
    ["endless-error", 502]
  ] as const) {
    it.live(
      `a ${mode} body fails with InvalidResponse and the connection is closed after at most the cap and the socket buffers`,
      () =>
        Effect.gen(function* () {
          const error = yield* Effect.flip(getUser(mode))
          assert.strictEqual(error.reason, "InvalidResponse")
          assert.strictEqual(error.status, status)
          assert.include(error.message, `larger than ${cap} bytes`)
          const answer = answers.get(mode)!
          yield* Effect.promise(() => answer.closed)
          // What the server managed to write: the cap plus what the kernel and undici buffer, never the 300 MB.
          assert.isBelow(answer.written, 32 * 1024 * 1024)
        })
    )
  }

  it.live("a body that drips is cut by the request timeout with Transport and the connection closed", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(getUser("drip", "300 millis"))
      assert.strictEqual(error.reason, "Transport")
      assert.include(error.message, "no response within")
      yield* Effect.promise(() => answers.get("drip")!.closed)
    })
  )
})
