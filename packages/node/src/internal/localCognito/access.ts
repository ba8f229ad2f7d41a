/**
 * Who may call the local Cognito. It listens on 127.0.0.1 only, but a web page the
 * developer visits can still send requests there: to `127.0.0.1` itself (then the browser
 * names the page in `Origin`), or through a name of its own that it points at 127.0.0.1
 * (DNS rebinding: then `Host` is that name). So a request is answered only when its
 * `Host` is a loopback name with the server's port, and, when it comes from a page (has an
 * `Origin`), only from an origin the developer allowed; CORS grants name that origin,
 * never `*`. Requests without `Origin` (the AWS SDK, `NodeAuth`, curl) are not pages.
 *
 * @internal
 */

/** What is wrong with a request's `Host` or `Origin`, as the 403's message says it; `undefined` when it may go on. */
export type Refusal = string | undefined

/** The `Host` values of the server on `port`: its loopback names, and the bare ones on port 80. */
export const loopbackHosts = (port: number): ReadonlySet<string> => {
  const names = ["127.0.0.1", "localhost", "[::1]"]
  return new Set([...names.map((name) => `${name}:${port}`), ...(port === 80 ? names : [])])
}

/**
 * The origins a page can have (`http:` or `https:`, a host, an optional port, nothing
 * else; a trailing `/` is allowed), normalized as browsers send them (`HTTP://App:80/` is
 * `http://app`); the first entry that is not one is reported.
 */
export const parseOrigins = (
  origins: ReadonlyArray<string>
):
  | { readonly _tag: "Origins"; readonly origins: ReadonlySet<string> }
  | { readonly _tag: "Invalid"; readonly origin: string } => {
  const parsed = new Set<string>()
  for (const origin of origins) {
    const url = URL.canParse(origin) ? new URL(origin) : undefined
    if (
      url === undefined ||
      (url.protocol !== "http:" && url.protocol !== "https:") ||
      url.username !== "" ||
      url.password !== "" ||
      url.pathname !== "/" ||
      url.search !== "" ||
      url.hash !== ""
    )
      return { _tag: "Invalid", origin }
    parsed.add(url.origin)
  }
  return { _tag: "Origins", origins: parsed }
}

/** Why a request with these headers is refused, if it is. */
export const refusal = (
  headers: { readonly host?: string | undefined; readonly origin?: string | undefined },
  hosts: ReadonlySet<string>,
  origins: ReadonlySet<string>,
  port: number
): Refusal => {
  const host = headers.host?.toLowerCase()
  if (host === undefined || !hosts.has(host))
    return `The local Cognito answers only requests for 127.0.0.1:${port}, localhost:${port} or [::1]:${port}, not for Host ${JSON.stringify(headers.host ?? "")}: a web page may not reach it through a name of its own (DNS rebinding).`
  const origin = headers.origin
  if (origin !== undefined && !origins.has(origin))
    return `Requests from the web page at ${JSON.stringify(origin)} are refused: the local Cognito answers only the origins it was started with (allowedOrigins of LocalCognito.layer, --allow-origin of the script), ${origins.size === 0 ? "none" : [...origins].join(", ")}.`
  return undefined
}
