/**
 * A loopback HTTP server for tests that answers 200 only for requests correctly
 * signed with SigV4 for the given credentials (checked by test-kit's independent
 * `SigV4Verifier`), and an AWS-shaped error naming the wrong part otherwise (by
 * default 403 `InvalidSignatureException`). It records every request and verdict.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import * as SigV4Verifier from "@effect-cognito/test-kit/SigV4Verifier"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

/** The answer to a correctly signed request. */
export interface Answer {
  readonly status: number
  readonly contentType: string
  readonly body: string
}

/** The answer to a request that is not correctly signed. */
export interface Rejection {
  readonly status: number
  /** AWS's error code, sent as `x-amzn-errortype` and `__type`. */
  readonly code: string
}

/** By default: 403 `InvalidSignatureException`. */
export const defaultRejection = (): Rejection => ({ status: 403, code: "InvalidSignatureException" })

/** A running server. */
export interface SigV4Server {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** One verdict per request received, in order. */
  readonly verdicts: ReadonlyArray<SigV4Verifier.Verdict>
  /** The requests received, in order. */
  readonly requests: ReadonlyArray<SigV4Verifier.Request>
}

const readBody = (request: IncomingMessage): Promise<Uint8Array> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Uint8Array> = []
    request.on("data", (chunk: Uint8Array) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks)))
    request.on("error", reject)
  })

/** Starts the server on 127.0.0.1 (a free port) for the scope. */
export const make = (
  options: SigV4Verifier.Options,
  answer: (request: SigV4Verifier.Request) => Answer = () => ({
    status: 200,
    contentType: "text/plain",
    body: "signed"
  }),
  reject: (verdict: SigV4Verifier.Verdict & { readonly _tag: "Invalid" }) => Rejection = defaultRejection
): Effect.Effect<SigV4Server, never, Scope.Scope> =>
  Effect.gen(function* () {
    const verdicts: Array<SigV4Verifier.Verdict> = []
    const requests: Array<SigV4Verifier.Request> = []
    const respond = async (incoming: IncomingMessage, outgoing: ServerResponse) => {
      const request: SigV4Verifier.Request = {
        method: incoming.method ?? "GET",
        url: `http://${incoming.headers.host ?? "127.0.0.1"}${incoming.url ?? "/"}`,
        headers: incoming.headers,
        body: await readBody(incoming)
      }
      requests.push(request)
      const verdict = await Effect.runPromise(SigV4Verifier.verify(request, options))
      verdicts.push(verdict)
      if (verdict._tag === "Valid") {
        const reply = answer(request)
        outgoing.writeHead(reply.status, { "content-type": reply.contentType }).end(reply.body)
      } else {
        const rejection = reject(verdict)
        outgoing
          .writeHead(rejection.status, { "content-type": "application/json", "x-amzn-errortype": rejection.code })
          .end(JSON.stringify({ __type: rejection.code, message: `${verdict.part} mismatch` }))
      }
    }
    const server = createServer((incoming, outgoing) => {
      respond(incoming, outgoing).catch(() => outgoing.writeHead(400).end())
    })
    yield* Effect.acquireRelease(
      Effect.callback<void>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.void))
      }),
      () =>
        Effect.callback<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    const address = server.address()
    if (address === null || typeof address === "string") return yield* Effect.die("the server has no TCP address")
    return { url: `http://127.0.0.1:${address.port}`, verdicts, requests }
  })
