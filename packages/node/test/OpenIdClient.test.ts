/**
 * openid-client (v6), a certified OpenID Connect relying party, as an independent referee of
 * the local Cognito's domain over HTTP: discovery at the pool's issuer, the authorization
 * code flow with PKCE through the login page (driven with fetch: the authorize URL, the login
 * page, the form posted with its cookie, the code read from the redirect), the id token
 * validated by openid-client (signature by the JWKS, nonce, issuer, audience), userinfo,
 * refresh, revocation (the refresh token then refused), and client_credentials with a
 * custom scope of a resource server; and the refusals: a redirect URI that is not exact,
 * a scope outside the client's, a wrong PKCE verifier, a code used twice, a client without
 * the code flow, a wrong secret.
 *
 * openid-client refuses http:// issuers unless `allowInsecureRequests` is passed: the
 * local Cognito listens on loopback only, so the tests pass it.
 */
import { layer } from "@effect/vitest"
import { assert } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as client from "openid-client"
import * as LocalCognito from "../src/LocalCognito.js"
import { action, browser, ok, poolWithDomain, signIn } from "./localDomain.js"

const callback = "http://127.0.0.1:5555/callback"

/** The error code of a rejected openid-client call. */
const rejection = (promise: Promise<unknown>) =>
  Effect.promise(() =>
    promise.then(
      () => "succeeded",
      (error: unknown) =>
        typeof error === "object" && error !== null && "error" in error ? String(error.error) : String(error)
    )
  )

/** The pool, its web client (secret, code flow), its service client (client_credentials) and their configurations. */
const setUp = (prefix: string) =>
  Effect.gen(function* () {
    const local = yield* LocalCognito.LocalCognito
    const { userPoolId, domain } = yield* poolWithDomain(local, prefix)
    yield* ok(local, "CreateResourceServer", {
      UserPoolId: userPoolId,
      Identifier: "orders",
      Name: "Orders",
      Scopes: [
        { ScopeName: "read", ScopeDescription: "Read orders" },
        { ScopeName: "write", ScopeDescription: "Write orders" }
      ]
    })
    const web = (yield* ok(local, "CreateUserPoolClient", {
      UserPoolId: userPoolId,
      ClientName: "web",
      GenerateSecret: true,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["openid", "email", "profile"],
      CallbackURLs: [callback],
      SupportedIdentityProviders: ["COGNITO"]
    })).UserPoolClient
    const service = (yield* ok(local, "CreateUserPoolClient", {
      UserPoolId: userPoolId,
      ClientName: "service",
      GenerateSecret: true,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ["client_credentials"],
      AllowedOAuthScopes: ["orders/read", "orders/write"]
    })).UserPoolClient
    const issuer = new URL(`${local.endpoint}${userPoolId}`)
    const discover = (clientId: string, secret: string) =>
      Effect.promise(() =>
        client.discovery(issuer, clientId, undefined, client.ClientSecretBasic(secret), {
          // The id token's signature checked against the pool's JWKS, not only its claims.
          execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks]
        })
      )
    return {
      local,
      userPoolId,
      domain,
      issuer,
      web: { id: web.ClientId as string, secret: web.ClientSecret as string },
      service: { id: service.ClientId as string, secret: service.ClientSecret as string },
      webConfig: yield* discover(web.ClientId, web.ClientSecret),
      serviceConfig: yield* discover(service.ClientId, service.ClientSecret),
      discover
    }
  })

/** An authorization URL of openid-client, with its PKCE verifier, state and nonce. */
const authorization = (config: client.Configuration, parameters: Record<string, string> = {}) =>
  Effect.promise(async () => {
    const verifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const nonce = client.randomNonce()
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: callback,
      scope: "openid email profile",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      nonce,
      ...parameters
    })
    return { url, verifier, state, nonce }
  })

layer(LocalCognito.layer(), { excludeTestServices: true })("openid-client against the local Cognito", (it) => {
  it.effect(
    "discovers the domain, signs in with PKCE through the login page, validates the id token, and uses userinfo, refresh and revoke",
    () =>
      Effect.gen(function* () {
        const { domain, issuer, web, webConfig, local } = yield* setUp("referee-code")
        const metadata = webConfig.serverMetadata()
        assert.strictEqual(metadata.issuer, issuer.href)
        assert.strictEqual(metadata.authorization_endpoint, `${domain}/oauth2/authorize`)
        assert.strictEqual(metadata.token_endpoint, `${domain}/oauth2/token`)
        assert.isTrue(webConfig.serverMetadata().supportsPKCE())

        const { url, verifier, state, nonce } = yield* authorization(webConfig)
        const { posted } = yield* signIn(url.href)
        assert.strictEqual(posted.status, 302, posted.body)
        assert.isTrue(posted.location!.startsWith(`${callback}?code=`))
        const tokens = yield* Effect.promise(() =>
          client.authorizationCodeGrant(webConfig, new URL(posted.location!), {
            pkceCodeVerifier: verifier,
            expectedState: state,
            expectedNonce: nonce,
            idTokenExpected: true
          })
        )
        const claims = tokens.claims()!
        assert.strictEqual(claims.iss, issuer.href)
        assert.strictEqual(claims.aud, web.id)
        assert.strictEqual(claims.nonce, nonce)
        assert.strictEqual(claims["cognito:username"], "alice")
        assert.strictEqual(tokens.token_type, "bearer")
        assert.isDefined(client.getJwksCache(webConfig), "the JWKS was fetched to check the id token's signature")
        // Cognito's code grant answer has no `scope` (its documented fields); the access token carries them.
        assert.isUndefined(tokens.scope)
        const [, payload] = tokens.access_token.split(".")
        assert.strictEqual(JSON.parse(Buffer.from(payload!, "base64url").toString()).scope, "openid email profile")

        const info = yield* Effect.promise(() => client.fetchUserInfo(webConfig, tokens.access_token, claims.sub))
        assert.strictEqual(info.email, "alice@example.com")

        const refreshToken = tokens.refresh_token!
        const refreshed = yield* Effect.promise(() => client.refreshTokenGrant(webConfig, refreshToken))
        assert.strictEqual(refreshed.claims()!.sub, claims.sub)
        assert.notStrictEqual(refreshed.access_token, tokens.access_token)

        yield* Effect.promise(() => client.tokenRevocation(webConfig, refreshToken))
        assert.strictEqual(yield* rejection(client.refreshTokenGrant(webConfig, refreshToken)), "invalid_grant")
        // …and by the user-pool API too.
        const api = yield* action(local, "InitiateAuth", {
          ClientId: web.id,
          AuthFlow: "REFRESH_TOKEN_AUTH",
          AuthParameters: { REFRESH_TOKEN: refreshToken }
        })
        assert.strictEqual(api.json.__type, "NotAuthorizedException")
      })
  )

  it.effect("issues client_credentials tokens with a custom scope of a resource server", () =>
    Effect.gen(function* () {
      const { serviceConfig, service, issuer, discover } = yield* setUp("referee-m2m")
      const token = yield* Effect.promise(() => client.clientCredentialsGrant(serviceConfig, { scope: "orders/read" }))
      const [, payload] = token.access_token.split(".")
      const claims = JSON.parse(Buffer.from(payload!, "base64url").toString())
      assert.deepInclude(claims, { client_id: service.id, sub: service.id, scope: "orders/read", iss: issuer.href })
      assert.isUndefined(token.refresh_token)
      assert.strictEqual(
        yield* rejection(client.clientCredentialsGrant(serviceConfig, { scope: "orders/delete" })),
        "invalid_scope"
      )
      const wrongSecret = yield* discover(service.id, "not-the-secret")
      assert.strictEqual(
        yield* rejection(client.clientCredentialsGrant(wrongSecret, { scope: "orders/read" })),
        "invalid_client"
      )
    })
  )

  it.effect(
    "refuses a redirect URI that is not exact, a scope outside the client's, a wrong verifier, a used code and a client without the flow",
    () =>
      Effect.gen(function* () {
        const { webConfig, serviceConfig } = yield* setUp("referee-refusals")
        const b = browser()
        const otherPort = yield* authorization(webConfig, { redirect_uri: "http://127.0.0.1:5556/callback" })
        const mismatch = yield* b.send(otherPort.url.href)
        assert.strictEqual(mismatch.status, 400)
        assert.isUndefined(mismatch.location)
        assert.include(mismatch.body, "redirect_mismatch")

        const phone = yield* authorization(webConfig, { scope: "openid phone" })
        const scopeError = new URL((yield* b.send(phone.url.href)).location!)
        assert.strictEqual(scopeError.searchParams.get("error"), "invalid_scope")
        assert.strictEqual(scopeError.searchParams.get("state"), phone.state)

        const first = yield* authorization(webConfig)
        const { posted } = yield* signIn(first.url.href)
        const wrongVerifier = yield* rejection(
          client.authorizationCodeGrant(webConfig, new URL(posted.location!), {
            pkceCodeVerifier: client.randomPKCECodeVerifier(),
            expectedState: first.state,
            expectedNonce: first.nonce
          })
        )
        assert.strictEqual(wrongVerifier, "invalid_grant")

        const second = yield* authorization(webConfig)
        const again = yield* signIn(second.url.href)
        const grant = (config: client.Configuration) =>
          client.authorizationCodeGrant(config, new URL(again.posted.location!), {
            pkceCodeVerifier: second.verifier,
            expectedState: second.state,
            expectedNonce: second.nonce
          })
        // The service client may not redeem a code (no code flow), and does not spend it.
        assert.strictEqual(yield* rejection(grant(serviceConfig)), "unauthorized_client")
        assert.strictEqual(yield* rejection(grant(webConfig)), "succeeded")
        assert.strictEqual(yield* rejection(grant(webConfig)), "invalid_grant")
        // The web client may not use client_credentials.
        assert.strictEqual(yield* rejection(client.clientCredentialsGrant(webConfig)), "unauthorized_client")
      })
  )
})
