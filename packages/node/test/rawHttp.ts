/**
 * Raw HTTP/1.1 requests to a loopback server, for what `fetch` will not send: any `Host`
 * or `Origin`, a `Content-Length` the body does not reach, a chunked body sent piece by
 * piece. The answer is taken as soon as it arrives, even while the body is still being
 * sent (the rest of the body is then dropped), so a server that answers early is seen
 * answering early and one that waits for the whole body makes the request hang.
 */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http"

export interface RawAnswer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly text: string
}

export interface RawRequest {
  readonly method?: string
  readonly path?: string
  readonly headers?: Readonly<Record<string, string>>
  /** The body, in the pieces to write; without `content-length` in `headers` it is sent chunked. */
  readonly body?: Iterable<Uint8Array | string>
  /** Leave the body unfinished (no end): only an early answer ends the request. */
  readonly open?: boolean
}

/** Sends `request` to 127.0.0.1:`port`; resolves with the first answer. */
export const send = (port: number, request: RawRequest): Promise<RawAnswer> =>
  new Promise<RawAnswer>((resolve, reject) => {
    let answered = false
    const req = httpRequest({
      host: "127.0.0.1",
      port,
      method: request.method ?? "POST",
      path: request.path ?? "/",
      headers: { host: `127.0.0.1:${port}`, ...request.headers },
      agent: false,
      setHost: false
    })
    req.on("response", (response) => {
      answered = true
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("error", () => {})
      response.on("end", () => {
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString("utf8")
        })
        req.destroy()
      })
    })
    // A server that answered early may close the connection while the body is still going out.
    req.on("error", (error) => {
      if (!answered) reject(error)
    })
    const pieces = (request.body ?? [])[Symbol.iterator]()
    const pump = () => {
      while (!answered && !req.destroyed) {
        const next = pieces.next()
        if (next.done === true) {
          if (request.open !== true) req.end()
          return
        }
        if (!req.write(next.value)) {
          req.once("drain", pump)
          return
        }
      }
    }
    pump()
  })

/** The answer's JSON body, or `undefined` when it is not JSON. */
export const jsonOf = (answer: RawAnswer): unknown => {
  try {
    return JSON.parse(answer.text)
  } catch {
    return undefined
  }
}
