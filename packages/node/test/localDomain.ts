/**
 * What the tests of the local Cognito's domain share: its wire actions over `fetch`, a pool
 * with a domain, a user and app clients, and a browser-like driver of the login page
 * (cookies kept, redirects read one by one, forms posted).
 */
import { assert } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as LocalCognito from "../src/LocalCognito.js"

/** A JSON answer of the wire, read loosely: the tests check its members. */
// biome-ignore lint/suspicious/noExplicitAny: a test reads arbitrary members of Cognito's answers
type Json = Record<string, any>

/** A user-pool action on the local server; the JSON answer, or the failure's `__type`. */
export const action = (local: LocalCognito.LocalCognito.Service, name: string, body: unknown) =>
  Effect.promise(async () => {
    const response = await fetch(local.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `AWSCognitoIdentityProviderService.${name}`
      },
      body: JSON.stringify(body)
    })
    return { status: response.status, json: (await response.json()) as Json }
  })

/** The same, failing the test unless it succeeds. */
export const ok = (local: LocalCognito.LocalCognito.Service, name: string, body: unknown) =>
  Effect.map(action(local, name, body), (answer) => {
    assert.strictEqual(answer.status, 200, `${name}: ${JSON.stringify(answer.json)}`)
    return answer.json
  })

export const userPassword = "Domain-Passw0rd!"

/** A fresh pool with the domain `prefix`, the user `alice` (email verified) and nothing else. */
export const poolWithDomain = (local: LocalCognito.LocalCognito.Service, prefix: string) =>
  Effect.gen(function* () {
    const pool = yield* ok(local, "CreateUserPool", { PoolName: prefix, MfaConfiguration: "OPTIONAL" })
    const userPoolId: string = pool.UserPool.Id
    yield* ok(local, "CreateUserPoolDomain", { UserPoolId: userPoolId, Domain: prefix })
    yield* ok(local, "AdminCreateUser", {
      UserPoolId: userPoolId,
      Username: "alice",
      MessageAction: "SUPPRESS",
      UserAttributes: [
        { Name: "email", Value: "alice@example.com" },
        { Name: "email_verified", Value: "true" }
      ]
    })
    yield* ok(local, "AdminSetUserPassword", {
      UserPoolId: userPoolId,
      Username: "alice",
      Password: userPassword,
      Permanent: true
    })
    return { userPoolId, domain: yield* local.domainUrl(userPoolId) }
  })

export interface Answer {
  readonly status: number
  readonly location: string | undefined
  readonly body: string
}

/** A browser: a cookie jar, requests without following redirects. */
export const browser = () => {
  const jar = new Map<string, string>()
  const send = (url: string, form?: Record<string, string>) =>
    Effect.promise(async (): Promise<Answer> => {
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ")
      const response = await fetch(url, {
        method: form === undefined ? "GET" : "POST",
        redirect: "manual",
        headers: {
          ...(cookie === "" ? {} : { cookie }),
          ...(form === undefined
            ? {}
            : { "content-type": "application/x-www-form-urlencoded", origin: new URL(url).origin })
        },
        ...(form === undefined ? {} : { body: new URLSearchParams(form).toString() })
      })
      for (const set of response.headers.getSetCookie()) {
        const [pair] = set.split(";")
        const eq = pair!.indexOf("=")
        if (/Max-Age=0/.test(set)) jar.delete(pair!.slice(0, eq))
        else jar.set(pair!.slice(0, eq), pair!.slice(eq + 1))
      }
      return {
        status: response.status,
        location: response.headers.get("location") ?? undefined,
        body: await response.text()
      }
    })
  return { send, jar }
}

/** A hidden field's value in a page's form. */
export const field = (page: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1]

/** The `action` of a page's form (HTML-unescaped). */
export const formAction = (page: string) =>
  (/<form method="post" action="([^"]*)"/.exec(page)?.[1] ?? "").replaceAll("&amp;", "&")

/** GET the authorization URL, follow to the login page, post alice's password: the last answer. */
export const signIn = (authorizationUrl: string, credentials = { username: "alice", password: userPassword }) =>
  Effect.gen(function* () {
    const b = browser()
    const authorize = yield* b.send(authorizationUrl)
    assert.strictEqual(authorize.status, 302, authorize.body)
    const page = yield* b.send(authorize.location!)
    assert.strictEqual(page.status, 200, page.body)
    const posted = yield* b.send(formAction(page.body), { _csrf: field(page.body, "_csrf")!, ...credentials })
    return { b, posted, page }
  })
