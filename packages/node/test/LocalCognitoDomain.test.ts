/**
 * The local Cognito's domain over HTTP beyond what openid-client referees: the admin
 * actions and Cognito's validation of app clients' OAuth settings, the login page's MFA and
 * new-password pages, "Continue with <provider>" through the local OIDC provider (its own
 * login page; the federated user `<Provider>_<sub>` with its `identities`), the provider's
 * refusal passed back as `access_denied`, the default pool ready for hosted sign-in on a
 * loopback callback of any port, and `/logout`.
 */
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as LocalCognito from "../src/LocalCognito.js"
import { action, browser, field, formAction, ok, poolWithDomain, signIn, userPassword } from "./localDomain.js"

const callback = "https://app.example.com/callback"

const decodeJwt = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString())

/** A code client of the pool (no secret) for `providers`. */
const codeClient = (
  local: LocalCognito.LocalCognito.Service,
  userPoolId: string,
  providers: ReadonlyArray<string> = ["COGNITO"]
) =>
  Effect.map(
    ok(local, "CreateUserPoolClient", {
      UserPoolId: userPoolId,
      ClientName: "web",
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["openid", "email", "aws.cognito.signin.user.admin"],
      CallbackURLs: [callback],
      LogoutURLs: ["https://app.example.com/"],
      SupportedIdentityProviders: providers
    }),
    (created) => created.UserPoolClient.ClientId as string
  )

const authorizeUrl = (domain: string, clientId: string, extra: Record<string, string> = {}) =>
  `${domain}/oauth2/authorize?${new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: callback, state: "st", ...extra })}`

/** Redeems a code (public client, no PKCE) for tokens. */
const redeem = (domain: string, clientId: string, location: string) =>
  Effect.promise(async () => {
    const code = new URL(location).searchParams.get("code") ?? ""
    const response = await fetch(`${domain}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", code, client_id: clientId, redirect_uri: callback })
    })
    return (await response.json()) as Record<string, string>
  })

layer(LocalCognito.layer(), { excludeTestServices: true })("LocalCognito domain", (it) => {
  it.effect("creates, describes and deletes a domain, and checks app clients' OAuth settings as Cognito does", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const { userPoolId, domain } = yield* poolWithDomain(local, "admin-checks")
      assert.strictEqual(domain, `${local.endpoint}domain/admin-checks`)
      const described = yield* ok(local, "DescribeUserPoolDomain", { Domain: "admin-checks" })
      assert.deepInclude(described.DomainDescription, { UserPoolId: userPoolId, Status: "ACTIVE" })
      assert.deepStrictEqual((yield* ok(local, "DescribeUserPoolDomain", { Domain: "nowhere" })).DomainDescription, {})
      const taken = yield* action(local, "CreateUserPoolDomain", { UserPoolId: userPoolId, Domain: "admin-checks" })
      assert.strictEqual(taken.json.__type, "InvalidParameterException")
      const reserved = yield* action(local, "CreateUserPoolDomain", { UserPoolId: userPoolId, Domain: "my-cognito" })
      assert.strictEqual(reserved.json.__type, "InvalidParameterException")

      const create = (fields: Record<string, unknown>) =>
        action(local, "CreateUserPoolClient", { UserPoolId: userPoolId, ClientName: "c", ...fields })
      const noSecret = yield* create({
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ["client_credentials"],
        AllowedOAuthScopes: ["openid"]
      })
      assert.strictEqual(noSecret.json.__type, "InvalidParameterException")
      const unknownScope = yield* create({
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ["code"],
        AllowedOAuthScopes: ["orders/read"],
        CallbackURLs: [callback]
      })
      assert.strictEqual(unknownScope.json.__type, "ScopeDoesNotExistException")
      const httpCallback = yield* create({
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ["code"],
        AllowedOAuthScopes: ["openid"],
        CallbackURLs: ["http://app.example.com/callback"]
      })
      assert.strictEqual(httpCallback.json.__type, "InvalidParameterException")
      const unknownProvider = yield* create({ SupportedIdentityProviders: ["Nobody"] })
      assert.strictEqual(unknownProvider.json.__type, "InvalidParameterException")

      const clientId = yield* codeClient(local, userPoolId)
      const client = (yield* ok(local, "DescribeUserPoolClient", { UserPoolId: userPoolId, ClientId: clientId }))
        .UserPoolClient
      assert.deepInclude(client, {
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ["code"],
        CallbackURLs: [callback],
        SupportedIdentityProviders: ["COGNITO"]
      })
      // UpdateUserPoolClient replaces the settings: what it leaves out is emptied.
      const updated = (yield* ok(local, "UpdateUserPoolClient", {
        UserPoolId: userPoolId,
        ClientId: clientId,
        ClientName: "renamed"
      })).UserPoolClient
      assert.deepInclude(updated, { ClientName: "renamed", AllowedOAuthFlowsUserPoolClient: false })
      assert.notProperty(updated, "CallbackURLs")

      yield* ok(local, "CreateResourceServer", {
        UserPoolId: userPoolId,
        Identifier: "https://api.example.com",
        Name: "API",
        Scopes: [{ ScopeName: "read", ScopeDescription: "Read" }]
      })
      const servers = yield* ok(local, "ListResourceServers", { UserPoolId: userPoolId, MaxResults: 10 })
      assert.deepStrictEqual(
        servers.ResourceServers.map((s: { Identifier: string }) => s.Identifier),
        ["https://api.example.com"]
      )
      yield* ok(local, "DeleteUserPoolDomain", { UserPoolId: userPoolId, Domain: "admin-checks" })
      const gone = yield* browser().send(authorizeUrl(domain, clientId))
      assert.strictEqual(gone.status, 404)
    })
  )

  it.effect("asks for the authenticator code, then for a new password, on pages after the login page", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const { userPoolId, domain } = yield* poolWithDomain(local, "challenges")
      const clientId = yield* codeClient(local, userPoolId)
      const pool = yield* local.pool(userPoolId)
      const secret = yield* pool.adminEnableTotp("alice")
      yield* pool.adminSetUserMfa("alice", { totp: true, preferred: "TOTP" })
      const { b, posted } = yield* signIn(authorizeUrl(domain, clientId))
      assert.strictEqual(posted.status, 200)
      assert.include(posted.body, 'name="mfaForm"')
      const wrong = yield* b.send(formAction(posted.body), {
        _csrf: field(posted.body, "_csrf")!,
        session: field(posted.body, "session")!,
        code: "000000"
      })
      assert.strictEqual(wrong.status, 200)
      assert.include(wrong.body, "loginErrorMessage")
      const second = yield* signIn(authorizeUrl(domain, clientId))
      const done = yield* second.b.send(formAction(second.posted.body), {
        _csrf: field(second.posted.body, "_csrf")!,
        session: field(second.posted.body, "session")!,
        code: Redacted.value(yield* pool.totpCode(secret))
      })
      assert.strictEqual(done.status, 302, done.body)
      assert.strictEqual(
        decodeJwt((yield* redeem(domain, clientId, done.location!)).id_token!)["cognito:username"],
        "alice"
      )

      // A user with a temporary password sets a new one on the next page, then is back at the app.
      yield* ok(local, "AdminCreateUser", {
        UserPoolId: userPoolId,
        Username: "bob",
        TemporaryPassword: "Temporary-Passw0rd!",
        MessageAction: "SUPPRESS",
        UserAttributes: [{ Name: "email", Value: "bob@example.com" }]
      })
      const bob = yield* signIn(authorizeUrl(domain, clientId), { username: "bob", password: "Temporary-Passw0rd!" })
      assert.include(bob.posted.body, 'name="newPasswordForm"')
      const changed = yield* bob.b.send(formAction(bob.posted.body), {
        _csrf: field(bob.posted.body, "_csrf")!,
        session: field(bob.posted.body, "session")!,
        password: "Brand-New-Passw0rd!"
      })
      assert.strictEqual(changed.status, 302, changed.body)
      assert.isTrue(changed.location!.startsWith(`${callback}?code=`))
      const tokens = yield* redeem(domain, clientId, changed.location!)
      assert.strictEqual(decodeJwt(tokens.id_token!)["cognito:username"], "bob")
    })
  )

  it.effect("signs in through the local OIDC provider as the federated user <Provider>_<sub>", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const { userPoolId, domain } = yield* poolWithDomain(local, "federation")
      const provider = local.oidcProvider
      yield* provider.addUser({
        username: "carol",
        password: Redacted.make("carol-at-acme"),
        claims: { email: "carol@acme.example", email_verified: true }
      })
      yield* ok(local, "CreateIdentityProvider", {
        UserPoolId: userPoolId,
        ProviderName: "Acme",
        ProviderType: "OIDC",
        ProviderDetails: {
          client_id: provider.clientId,
          client_secret: Redacted.value(provider.clientSecret),
          oidc_issuer: provider.issuer,
          authorize_scopes: "openid email",
          attributes_request_method: "GET"
        },
        AttributeMapping: { email: "email" }
      })
      const described = yield* ok(local, "DescribeIdentityProvider", { UserPoolId: userPoolId, ProviderName: "Acme" })
      assert.notProperty(described.IdentityProvider.ProviderDetails, "client_secret")
      const clientId = yield* codeClient(local, userPoolId, ["COGNITO", "Acme"])
      const b = browser()
      const login = yield* b.send((yield* b.send(authorizeUrl(domain, clientId))).location!)
      const button = /id="provider-Acme" href="([^"]*)"/.exec(login.body)?.[1]?.replaceAll("&amp;", "&")
      assert.isDefined(button)
      const toProvider = yield* b.send(button!)
      assert.isTrue(toProvider.location!.startsWith(`${provider.issuer}/authorize?`))
      const providerPage = yield* b.send(toProvider.location!)
      assert.include(providerPage.body, 'name="providerSignInForm"')
      const refused = yield* b.send(formAction(providerPage.body), {
        username: "carol",
        password: "wrong",
        _csrf: field(providerPage.body, "_csrf")!
      })
      assert.include(refused.body, "Incorrect username or password.")
      const back = yield* b.send(formAction(refused.body), {
        username: "carol",
        password: "carol-at-acme",
        action: "signIn",
        _csrf: field(refused.body, "_csrf")!
      })
      assert.isTrue(back.location!.startsWith(`${domain}/oauth2/idpresponse?`))
      const app = yield* b.send(back.location!)
      assert.strictEqual(app.status, 302, app.body)
      assert.strictEqual(new URL(app.location!).searchParams.get("state"), "st")
      const id = decodeJwt((yield* redeem(domain, clientId, app.location!)).id_token!)
      assert.strictEqual(id["cognito:username"], "Acme_carol")
      assert.strictEqual(id.email, "carol@acme.example")
      assert.deepInclude(id.identities[0], { userId: "carol", providerName: "Acme", providerType: "OIDC" })
      const user = yield* ok(local, "AdminGetUser", { UserPoolId: userPoolId, Username: "Acme_carol" })
      assert.strictEqual(user.UserStatus, "EXTERNAL_PROVIDER")
      // The federated user has no password to sign in with.
      const { posted } = yield* signIn(authorizeUrl(domain, clientId), {
        username: "Acme_carol",
        password: userPassword
      })
      assert.include(posted.body, "Incorrect username or password.")

      // Straight to the provider with identity_provider; "Cancel" there is access_denied at the app.
      const direct = yield* browser().send(authorizeUrl(domain, clientId, { identity_provider: "Acme" }))
      const page = yield* b.send(direct.location!)
      const cancelled = yield* b.send(formAction(page.body), { action: "cancel", _csrf: field(page.body, "_csrf")! })
      const denied = yield* b.send(cancelled.location!)
      const error = new URL(denied.location!)
      assert.deepStrictEqual(
        [error.searchParams.get("error"), error.searchParams.get("state")],
        ["access_denied", "st"]
      )
    })
  )

  it.effect(
    "serves the default pool's domain to a loopback callback on any port, and ends its session at /logout",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const { userPoolId, clientId } = local.defaultPool
        const domain = yield* local.domainUrl(userPoolId)
        assert.strictEqual(domain, `${local.endpoint}domain/local`)
        const pool = yield* local.pool(userPoolId)
        yield* pool.adminCreateUser({ username: "dora", temporaryPassword: Redacted.make("Temporary-Passw0rd!") })
        yield* pool.adminSetUserPassword("dora", Redacted.make(userPassword), { permanent: true })
        const redirect = "http://127.0.0.1:49152/callback"
        const url = `${domain}/oauth2/authorize?${new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: redirect, scope: "openid aws.cognito.signin.user.admin" })}`
        const { b, posted } = yield* signIn(url, { username: "dora", password: userPassword })
        assert.isTrue(posted.location!.startsWith(`${redirect}?code=`))
        assert.isTrue(b.jar.has("cognito"))
        const silent = yield* b.send(url)
        assert.isTrue(silent.location!.startsWith(`${redirect}?code=`))
        const out = yield* b.send(
          `${domain}/logout?client_id=${clientId}&logout_uri=${encodeURIComponent("http://127.0.0.1/")}`
        )
        assert.strictEqual(out.location, "http://127.0.0.1/")
        assert.isFalse(b.jar.has("cognito"))
        assert.isTrue((yield* b.send(url)).location!.startsWith(`${domain}/login?`))
      })
  )
})
