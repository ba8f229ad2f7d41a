/**
 * The state file keeps what the domain serves from: a restart on the same file finds the
 * pool's domain, its app clients' OAuth settings, resource servers and identity providers,
 * and the refresh tokens the domain issued still refresh. (A restart needs a second server:
 * the only file of the domain's tests with two.)
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as LocalCognito from "../src/LocalCognito.js"
import { ok, poolWithDomain, signIn } from "./localDomain.js"

const callback = "https://app.example.com/callback"

const token = (domain: string, form: Record<string, string>) =>
  Effect.promise(async () => {
    const response = await fetch(`${domain}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form)
    })
    return { status: response.status, json: (await response.json()) as Record<string, string> }
  })

describe("LocalCognito domain state", () => {
  it.live(
    "keeps the domain, clients' OAuth settings, resource servers and the domain's refresh tokens across a restart",
    () =>
      Effect.gen(function* () {
        const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "local-cognito-domain-")))
        const stateFile = join(dir, "state.json")
        const before = yield* Effect.scoped(
          Effect.gen(function* () {
            const local = yield* LocalCognito.make({ stateFile })
            const { userPoolId, domain } = yield* poolWithDomain(local, "kept")
            yield* ok(local, "CreateResourceServer", { UserPoolId: userPoolId, Identifier: "orders", Name: "Orders" })
            const clientId: string = (yield* ok(local, "CreateUserPoolClient", {
              UserPoolId: userPoolId,
              ClientName: "web",
              AllowedOAuthFlowsUserPoolClient: true,
              AllowedOAuthFlows: ["code"],
              AllowedOAuthScopes: ["openid", "email"],
              CallbackURLs: [callback],
              SupportedIdentityProviders: ["COGNITO"]
            })).UserPoolClient.ClientId
            const url = `${domain}/oauth2/authorize?${new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: callback })}`
            const { posted } = yield* signIn(url)
            const tokens = yield* token(domain, {
              grant_type: "authorization_code",
              code: new URL(posted.location!).searchParams.get("code")!,
              client_id: clientId,
              redirect_uri: callback
            })
            assert.strictEqual(tokens.status, 200)
            const client = (yield* ok(local, "DescribeUserPoolClient", { UserPoolId: userPoolId, ClientId: clientId }))
              .UserPoolClient
            return {
              userPoolId,
              clientId,
              client,
              refreshToken: tokens.json.refresh_token!,
              port: Number(new URL(local.endpoint).port)
            }
          })
        )
        yield* Effect.scoped(
          Effect.gen(function* () {
            const local = yield* LocalCognito.make({ stateFile, port: before.port })
            const domain = yield* local.domainUrl(before.userPoolId)
            assert.strictEqual(domain, `${local.endpoint}domain/kept`)
            const client = (yield* ok(local, "DescribeUserPoolClient", {
              UserPoolId: before.userPoolId,
              ClientId: before.clientId
            })).UserPoolClient
            assert.deepStrictEqual(client, before.client)
            const servers = yield* ok(local, "ListResourceServers", { UserPoolId: before.userPoolId, MaxResults: 5 })
            assert.strictEqual(servers.ResourceServers[0].Identifier, "orders")
            const refreshed = yield* token(domain, {
              grant_type: "refresh_token",
              refresh_token: before.refreshToken,
              client_id: before.clientId
            })
            assert.strictEqual(refreshed.status, 200, JSON.stringify(refreshed.json))
            assert.strictEqual(
              JSON.parse(Buffer.from(refreshed.json.access_token!.split(".")[1]!, "base64url").toString()).scope,
              "openid email"
            )
          })
        )
        yield* Effect.promise(() => rm(dir, { recursive: true, force: true }))
      })
  )
})
