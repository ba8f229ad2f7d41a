/**
 * The loopback redirect of `sign-in --browser` (RFC 8252, section 7.3): an HTTP server on
 * 127.0.0.1 (a free port unless one is asked for), reached as `http://localhost:<port>/callback`
 * (real Cognito allows plain http only for `localhost`), that takes the one redirect the
 * browser brings back from the Cognito domain with the pending authorization's `state`
 * (any other `/callback` gets 400, and the receiver keeps waiting), and answers the browser
 * with a short page once the CLI knows how the sign-in ended. It listens for the scope it is acquired in.
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { CliError } from "./error.js"
import { errorCode } from "./shared.js"

/** The path of the redirect URI on the loopback server. */
export const callbackPath = "/callback"

/** How a sign-in ended, for the page the browser shows. */
export interface Outcome {
  readonly ok: boolean
  readonly text: string
}

/** A listening loopback receiver. */
export interface Receiver {
  /**
   * `http://localhost:<port>/callback`: the redirect URI to send to the authorize endpoint
   * (real Cognito allows plain http only for `localhost`; the server listens on 127.0.0.1).
   */
  readonly redirectUri: string
  /**
   * The first redirect the browser brings back with `state` (the pending authorization's):
   * its full URL (code or error, and state). Redirects of another state are refused.
   */
  readonly callback: (state: string) => Effect.Effect<string>
  /** Answers the browser that brought the redirect (once); later calls do nothing. */
  readonly reply: (outcome: Outcome) => Effect.Effect<void>
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** The page the browser shows at the end: what happened, and that the tab can be closed. */
export const page = (outcome: Outcome) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>effect-cognito</title></head><body>` +
  `<h1 id="outcome" data-ok="${outcome.ok}">${outcome.ok ? "Signed in" : "Sign-in failed"}</h1>` +
  `<p>${escapeHtml(outcome.text)}</p><p>You can close this tab and return to the terminal.</p></body></html>`

/** Listens on 127.0.0.1:`port` (0: a free port) for the scope. */
export const listen = (port: number): Effect.Effect<Receiver, CliError, Scope.Scope> =>
  Effect.gen(function* () {
    const arrived = yield* Deferred.make<string>()
    let waiting: ServerResponse | undefined
    let answered = false
    let expected: string | undefined
    const server = yield* Effect.acquireRelease(
      Effect.callback<ReturnType<typeof createServer>, CliError>((resume) => {
        const server = createServer((request, response) => {
          const url = new URL(request.url ?? "/", "http://127.0.0.1")
          const isRedirect =
            request.method === "GET" &&
            url.pathname === callbackPath &&
            (url.searchParams.has("code") || url.searchParams.has("error"))
          if (!isRedirect) {
            response.writeHead(404, { "content-type": "text/plain" }).end("not found")
            return
          }
          // One sign-in, one redirect: a second one (a reload, another tab) is not taken.
          if (waiting !== undefined || answered) {
            response
              .writeHead(409, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" })
              .end(page({ ok: false, text: "This sign-in has already received its redirect." }))
            return
          }
          // Not the answer to this sign-in (a stray or forged redirect): refused, and the wait goes on.
          if (expected === undefined || url.searchParams.get("state") !== expected) {
            response
              .writeHead(400, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" })
              .end(page({ ok: false, text: "This redirect is not the answer to the sign-in in progress." }))
            return
          }
          waiting = response
          Deferred.doneUnsafe(arrived, Effect.succeed(`http://localhost:${port}${request.url ?? "/"}`))
        })
        server.once("error", (cause) =>
          resume(Effect.fail(new CliError({ message: `cannot listen on 127.0.0.1:${port}${errorCode(cause)}` })))
        )
        server.listen(port, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.callback<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    port = (server.address() as AddressInfo).port
    return {
      redirectUri: `http://localhost:${port}${callbackPath}`,
      callback: (state) =>
        Effect.suspend(() => {
          expected = state
          return Deferred.await(arrived)
        }),
      reply: (outcome) =>
        Effect.callback<void>((resume) => {
          const response = waiting
          if (response === undefined || answered) return resume(Effect.void)
          answered = true
          response
            .writeHead(outcome.ok ? 200 : 400, {
              "content-type": "text/html; charset=utf-8",
              "cache-control": "no-store"
            })
            .end(page(outcome), () => resume(Effect.void))
        })
    }
  })
