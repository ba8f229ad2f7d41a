/** A browser-like driver of a pool's Cognito domain in memory: cookies kept, redirects read, forms posted. */
import type { TestCognito } from "@effect-cognito/test-kit"
import * as Effect from "effect/Effect"
import * as HttpClientRequest from "effect/http/HttpClientRequest"

export interface Answer {
  readonly status: number
  readonly location: string | undefined
  readonly setCookie: string | undefined
  readonly body: string
}

/** A PKCE pair (RFC 7636, S256). */
export const pkce = (verifier = "verifier-of-pkce-with-forty-three-characters-at-least") =>
  Effect.promise(async () => {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)))
    let binary = ""
    for (const byte of digest) binary += String.fromCharCode(byte)
    return { verifier, challenge: btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "") }
  })

/** One browser: sends requests to the domain with the cookies it was given. */
export const browser = (pool: TestCognito.TestCognito.Service) => {
  const jar = new Map<string, string>()
  const send = (
    method: "GET" | "POST",
    url: string,
    options: { readonly form?: Record<string, string>; readonly headers?: Record<string, string> } = {}
  ) =>
    Effect.gen(function* () {
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ")
      let request = HttpClientRequest.make(method)(url).pipe(
        HttpClientRequest.setHeaders({ ...(cookie === "" ? {} : { cookie }), ...options.headers })
      )
      if (options.form !== undefined) request = HttpClientRequest.bodyUrlParams(request, options.form)
      const response = yield* Effect.orDie(pool.domainHttpClient.execute(request))
      const setCookie = response.headers["set-cookie"]
      if (setCookie !== undefined) {
        const [pair] = setCookie.split(";")
        const eq = pair!.indexOf("=")
        const value = pair!.slice(eq + 1)
        if (setCookie.includes("Max-Age=0")) jar.delete(pair!.slice(0, eq))
        else jar.set(pair!.slice(0, eq), value)
      }
      return {
        status: response.status,
        location: response.headers.location,
        setCookie,
        body: yield* Effect.orDie(response.text)
      } satisfies Answer
    })
  return { send, jar }
}

/** The hidden `_csrf` (or another field) of a page's form. */
export const field = (page: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1]

/** The form's `action` of a page (HTML-unescaped). */
export const formAction = (page: string) =>
  (/<form method="post" action="([^"]*)"/.exec(page)?.[1] ?? "").replaceAll("&amp;", "&")
