/**
 * A backend for frontend over the local Cognito, all over loopback HTTP: a confidential
 * app client (with a secret) signs end users in through the pool's domain. One request
 * builds the authorization URL with an `Auth` of `NodeAuth.makeSession` and keeps the
 * pending value as text (the cookie); the user's browser goes through the real login
 * page; the callback request, in a fresh `Auth` for the same session key, completes it
 * (code exchanged with HTTP Basic, id token verified against the server's JWKS) and the
 * session is stored under that user's key, where the next request finds it and refreshes
 * it. A forged state, a code used twice and `error=access_denied` leave no session. And a
 * service gets a machine-to-machine token through `NodeAuth.layerClientCredentials`.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type * as Auth from "@effect-cognito/core/Auth"
import * as ClientCredentials from "@effect-cognito/core/ClientCredentials"
import * as OAuth from "@effect-cognito/core/OAuth"
import { assert, layer } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as LocalCognito from "../src/LocalCognito.js"
import * as NodeAuth from "../src/NodeAuth.js"

const password = "First-Passw0rd!"
const callback = "https://bff.example.com/auth/callback"

const idp = (local: LocalCognito.LocalCognito.Service, action: string, body: unknown) =>
  Effect.promise(async () => {
    const response = await fetch(local.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `AWSCognitoIdentityProviderService.${action}`
      },
      body: JSON.stringify(body)
    })
    const answer = (await response.json()) as Record<string, unknown>
    assert.strictEqual(response.status, 200, `${action}: ${JSON.stringify(answer)}`)
    return answer
  })

/** A browser: keeps the domain's cookies, never follows a redirect. */
const browser = () => {
  const jar = new Map<string, string>()
  const send = (url: string, form?: Record<string, string>) =>
    Effect.promise(async () => {
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ")
      const response = await fetch(url, {
        method: form === undefined ? "GET" : "POST",
        redirect: "manual",
        headers: {
          ...(cookie === "" ? {} : { cookie }),
          ...(form === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" })
        },
        ...(form === undefined ? {} : { body: new URLSearchParams(form).toString() })
      })
      for (const set of response.headers.getSetCookie()) {
        const [pair] = set.split(";")
        const eq = pair!.indexOf("=")
        jar.set(pair!.slice(0, eq), pair!.slice(eq + 1))
      }
      return {
        status: response.status,
        location: response.headers.get("location") ?? undefined,
        body: await response.text()
      }
    })
  return { send }
}

/** Through the login page as `username`: the URL the domain sends the browser back to. */
const signInAtDomain = (url: string, username: string) =>
  Effect.gen(function* () {
    const b = browser()
    const authorize = yield* b.send(url)
    assert.strictEqual(authorize.status, 302, authorize.body)
    const page = yield* b.send(new URL(authorize.location!, url).href)
    assert.strictEqual(page.status, 200)
    const action = (/<form method="post" action="([^"]*)"/.exec(page.body)?.[1] ?? "").replaceAll("&amp;", "&")
    const csrf = /name="_csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? ""
    const posted = yield* b.send(new URL(action, page.location ?? authorize.location!).href, {
      _csrf: csrf,
      username,
      password
    })
    assert.strictEqual(posted.status, 302, posted.body)
    return posted.location!
  })

/** The BFF's pool services (NodeAuth.layer with the domain) and a user who can sign in. */
const setUp = Effect.gen(function* () {
  const local = yield* LocalCognito.LocalCognito
  const { region, userPoolId } = local.defaultPool
  const created = yield* idp(local, "CreateUserPoolClient", {
    UserPoolId: userPoolId,
    ClientName: "bff",
    GenerateSecret: true,
    ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ["code"],
    AllowedOAuthScopes: ["openid", "email", "aws.cognito.signin.user.admin"],
    CallbackURLs: [callback],
    LogoutURLs: ["https://bff.example.com/"],
    SupportedIdentityProviders: ["COGNITO"]
  })
  const client = created.UserPoolClient as Record<string, string>
  const username = `bff-${crypto.randomUUID().slice(0, 8)}`
  yield* idp(local, "AdminCreateUser", {
    UserPoolId: userPoolId,
    Username: username,
    UserAttributes: [{ Name: "email", Value: `${username}@example.com` }],
    MessageAction: "SUPPRESS"
  })
  yield* idp(local, "AdminSetUserPassword", {
    UserPoolId: userPoolId,
    Username: username,
    Password: password,
    Permanent: true
  })
  const directory = yield* Effect.acquireRelease(
    Effect.promise(() => mkdtemp(join(tmpdir(), "effect-cognito-bff-"))),
    (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
  )
  const services = yield* Layer.build(
    NodeAuth.layer({
      region,
      userPoolId,
      clientId: client.ClientId!,
      clientSecret: Redacted.make(client.ClientSecret!),
      endpoints: { identityProvider: local.endpoint },
      oauth: {
        domain: yield* local.domainUrl(userPoolId),
        redirectSignIn: callback,
        scopes: ["email", "aws.cognito.signin.user.admin"]
      }
    })
  )
  /** One request of the BFF for a visitor: a fresh `Auth` on that visitor's stored session. */
  const request = <A, E>(visitor: string, f: (auth: Auth.Auth.Service) => Effect.Effect<A, E>) =>
    Effect.scoped(
      Effect.flatMap(NodeAuth.makeSession({ sessionKey: visitor, store: { _tag: "FileSystem", directory } }), f)
    ).pipe(Effect.provide(services))
  return { username, request }
})

layer(LocalCognito.layer(), { excludeTestServices: true })("backend for frontend over the local Cognito", (it) => {
  it.effect(
    "signs a visitor in through the domain across two requests and keeps the session under the visitor's key",
    () =>
      Effect.gen(function* () {
        const { request, username } = yield* setUp
        // Request 1: the authorization URL; the pending value goes into the visitor's cookie.
        const { cookie, url } = yield* request("visitor-1", (auth) =>
          Effect.flatMap(auth.redirectSignInUrl({ customState: "/account" }), ({ pending, url }) =>
            Effect.map(OAuth.toJson(pending), (cookie) => ({ cookie, url }))
          )
        )
        assert.notInclude(url, "code_verifier")
        const callbackUrl = yield* signInAtDomain(url, username)
        assert.isTrue(callbackUrl.startsWith(`${callback}?code=`))
        // Request 2: the callback, in a fresh Auth for the same visitor.
        const result = yield* request("visitor-1", (auth) =>
          Effect.flatMap(OAuth.fromJson(cookie), (pending) => auth.completeRedirectSignIn({ callbackUrl, pending }))
        )
        assert.strictEqual(result.customState, "/account")
        // Request 3: the session is there, calls the user pool, and refreshes with the client's secret.
        const seen = yield* request("visitor-1", (auth) =>
          Effect.gen(function* () {
            const tokens = yield* auth.getTokens()
            const attributes = yield* auth.getUserAttributes
            const refreshed = yield* auth.getTokens({ forceRefresh: true })
            return { tokens, attributes, refreshed }
          })
        )
        assert.strictEqual(seen.tokens.username, username)
        assert.strictEqual(seen.attributes.email, `${username}@example.com`)
        assert.strictEqual(seen.refreshed.username, username)
        // Another visitor is not signed in.
        assert.isFalse(yield* request("visitor-2", (auth) => auth.isSignedIn))
        // The code cannot be used again, even by a signed-out visitor holding the cookie.
        const again = yield* request("visitor-3", (auth) =>
          Effect.flip(
            Effect.flatMap(OAuth.fromJson(cookie), (pending) => auth.completeRedirectSignIn({ callbackUrl, pending }))
          )
        )
        assert.strictEqual(again.reason, "InvalidGrant")
        assert.isFalse(yield* request("visitor-3", (auth) => auth.isSignedIn))
      }).pipe(Effect.scoped),
    60_000
  )

  it.effect(
    "refuses a forged state and error=access_denied without storing a session",
    () =>
      Effect.gen(function* () {
        const { request, username } = yield* setUp
        const { pending, url } = yield* request("visitor-4", (auth) => auth.redirectSignInUrl())
        const callbackUrl = yield* signInAtDomain(url, username)
        const forged = new URL(callbackUrl)
        forged.searchParams.set("state", "forged")
        const mismatch = yield* request("visitor-4", (auth) =>
          Effect.flip(auth.completeRedirectSignIn({ callbackUrl: forged.href, pending }))
        )
        assert.strictEqual(mismatch.reason, "StateMismatch")
        const denied = `${callback}?error=access_denied&state=${encodeURIComponent(pending.state)}`
        const refused = yield* request("visitor-4", (auth) =>
          Effect.flip(auth.completeRedirectSignIn({ callbackUrl: denied, pending }))
        )
        assert.strictEqual(refused.reason, "AccessDenied")
        assert.isFalse(yield* request("visitor-4", (auth) => auth.isSignedIn))
      }).pipe(Effect.scoped),
    60_000
  )

  it.effect(
    "NodeAuth.layerClientCredentials gets a machine-to-machine token from the environment's variables",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const { userPoolId } = local.defaultPool
        const identifier = `reports-${crypto.randomUUID().slice(0, 8)}`
        yield* idp(local, "CreateResourceServer", {
          UserPoolId: userPoolId,
          Identifier: identifier,
          Name: "Reports",
          Scopes: [{ ScopeName: "read", ScopeDescription: "Read reports" }]
        })
        const created = yield* idp(local, "CreateUserPoolClient", {
          UserPoolId: userPoolId,
          ClientName: "reporting-service",
          GenerateSecret: true,
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ["client_credentials"],
          AllowedOAuthScopes: [`${identifier}/read`]
        })
        const client = created.UserPoolClient as Record<string, string>
        const env = ConfigProvider.fromEnvRecord({
          COGNITO_DOMAIN: yield* local.domainUrl(userPoolId),
          COGNITO_CLIENT_ID: client.ClientId!,
          COGNITO_CLIENT_SECRET: client.ClientSecret!,
          COGNITO_SCOPES: `${identifier}/read`
        })
        const token = yield* Effect.flatMap(ClientCredentials.ClientCredentials, (m2m) => m2m.token()).pipe(
          Effect.provide(NodeAuth.layerClientCredentials()),
          Effect.provideService(ConfigProvider.ConfigProvider, env)
        )
        assert.deepStrictEqual(token.scopes, [`${identifier}/read`])
        const payload = JSON.parse(
          Buffer.from(Redacted.value(token.accessToken).split(".")[1]!, "base64url").toString()
        ) as Record<string, unknown>
        assert.strictEqual(payload.client_id, client.ClientId)
        assert.strictEqual(payload.scope, `${identifier}/read`)
      }),
    60_000
  )
})
