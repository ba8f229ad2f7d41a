/**
 * The local Cognito's protocol, request by request: routing by `X-Amz-Target`, AWS's
 * exception names and status codes for malformed or refused requests, the setup and admin
 * actions, the JWKS URL, and identity-pool actions routed to a plugged-in `IdentityPool`.
 */
import * as IdentityPool from "@effect-cognito/core/IdentityPool"
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as LocalCognito from "../src/LocalCognito.js"

interface Answer {
  readonly status: number
  readonly json: Record<string, unknown>
  readonly errorType: string | null
  readonly text: string
}

const post = (endpoint: string, target: string, body: string): Effect.Effect<Answer> =>
  Effect.promise(async () => {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
      body
    })
    const text = await response.text()
    assert.strictEqual(response.headers.get("content-type"), "application/x-amz-json-1.1")
    return {
      status: response.status,
      json: JSON.parse(text) as Record<string, unknown>,
      errorType: response.headers.get("x-amzn-errortype"),
      text
    }
  })

const idp = (local: LocalCognito.LocalCognito.Service, action: string, body: unknown) =>
  post(local.endpoint, `AWSCognitoIdentityProviderService.${action}`, JSON.stringify(body))

const identity = (local: LocalCognito.LocalCognito.Service, action: string, body: unknown) =>
  post(local.endpoint, `AWSCognitoIdentityService.${action}`, JSON.stringify(body))

const assertFailure = (answer: Answer, exception: string, status = 400) => {
  assert.strictEqual(answer.status, status, answer.text)
  assert.strictEqual(answer.json.__type, exception, answer.text)
  assert.strictEqual(answer.errorType, exception)
  assert.isString(answer.json.message)
}

const string = (value: unknown, ...path: ReadonlyArray<string>): string => {
  let at = value
  for (const key of path) at = (at as Record<string, unknown>)[key]
  assert.isString(at, path.join("."))
  return at as string
}

layer(LocalCognito.layer(), { excludeTestServices: true })("LocalCognito protocol", (it) => {
  it.effect("fails an unknown target, a body that is not JSON and a missing member as AWS does", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      assertFailure(yield* idp(local, "NoSuchAction", {}), "UnknownOperationException")
      assertFailure(yield* post(local.endpoint, "SomeOtherService.SignUp", "{}"), "UnknownOperationException")
      assertFailure(
        yield* post(local.endpoint, "AWSCognitoIdentityProviderService.SignUp", "{not json"),
        "SerializationException"
      )
      const missing = yield* idp(local, "SignUp", { Username: "someone", Password: "Secret-Passw0rd!" })
      assertFailure(missing, "InvalidParameterException")
      assert.include(missing.json.message, "ClientId")
      assert.notInclude(missing.text, "Secret-Passw0rd!")
    })
  )

  it.effect(
    "fails an unknown app client with ResourceNotFoundException and a forged access token with NotAuthorized",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        assertFailure(
          yield* idp(local, "InitiateAuth", {
            ClientId: "nosuchclient",
            AuthFlow: "USER_PASSWORD_AUTH",
            AuthParameters: { USERNAME: "a", PASSWORD: "b" }
          }),
          "ResourceNotFoundException"
        )
        assertFailure(yield* idp(local, "GetUser", { AccessToken: "not-a-jwt" }), "NotAuthorizedException")
      })
  )

  it.effect(
    "creates and describes a pool and an app client, and enforces the pool's rules and the client's flows",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const created = yield* idp(local, "CreateUserPool", {
          PoolName: "strict",
          Policies: { PasswordPolicy: { MinimumLength: 12, RequireSymbols: false } },
          Schema: [
            { Name: "email", AttributeDataType: "String", Required: true },
            { Name: "badge", AttributeDataType: "String", Mutable: true }
          ],
          MfaConfiguration: "OFF"
        })
        assert.strictEqual(created.status, 200, created.text)
        const userPoolId = string(created.json, "UserPool", "Id")
        assert.match(userPoolId, /^us-east-1_[0-9A-Za-z]+$/)
        const described = yield* idp(local, "DescribeUserPool", { UserPoolId: userPoolId })
        assert.deepInclude(described.json.UserPool as object, {
          Id: userPoolId,
          Name: "strict",
          MfaConfiguration: "OFF"
        })
        const policy = (described.json.UserPool as { Policies: { PasswordPolicy: object } }).Policies.PasswordPolicy
        assert.deepStrictEqual(policy, {
          MinimumLength: 12,
          RequireUppercase: true,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: false,
          TemporaryPasswordValidityDays: 7
        })
        const attributes = (described.json.UserPool as { SchemaAttributes: Array<{ Name: string }> }).SchemaAttributes
        assert.isTrue(attributes.some((a) => a.Name === "custom:badge"))
        for (const PasswordPolicy of [
          { MinimumLength: 5 },
          { MinimumLength: 7.5 },
          { MinimumLength: 100 },
          { TemporaryPasswordValidityDays: -1 },
          { TemporaryPasswordValidityDays: 1e306 }
        ])
          assertFailure(
            yield* idp(local, "CreateUserPool", { PoolName: "out-of-range", Policies: { PasswordPolicy } }),
            "InvalidParameterException"
          )

        assertFailure(
          yield* idp(local, "CreateUserPoolClient", {
            UserPoolId: userPoolId,
            ClientName: "too-short",
            AccessTokenValidity: 1,
            TokenValidityUnits: { AccessToken: "minutes" }
          }),
          "InvalidParameterException"
        )
        const client = yield* idp(local, "CreateUserPoolClient", { UserPoolId: userPoolId, ClientName: "srp-only" })
        const clientId = string(client.json, "UserPoolClient", "ClientId")
        const describedClient = yield* idp(local, "DescribeUserPoolClient", {
          UserPoolId: userPoolId,
          ClientId: clientId
        })
        assert.deepInclude(describedClient.json.UserPoolClient as object, {
          ClientId: clientId,
          ClientName: "srp-only",
          UserPoolId: userPoolId,
          ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]
        })
        assert.notProperty(describedClient.json.UserPoolClient as object, "ClientSecret")

        const signUp = (password: string, attributes: ReadonlyArray<{ Name: string; Value: string }>) =>
          idp(local, "SignUp", {
            ClientId: clientId,
            Username: "carol",
            Password: password,
            UserAttributes: attributes
          })
        assertFailure(
          yield* signUp("Short-Pass1", [{ Name: "email", Value: "c@example.com" }]),
          "InvalidPasswordException"
        )
        assertFailure(yield* signUp("Long-Enough-Pass1", []), "InvalidParameterException")
        const ok = yield* signUp("LongEnoughPass1", [{ Name: "email", Value: "c@example.com" }])
        assert.strictEqual(ok.status, 200, ok.text)
        const refused = yield* idp(local, "InitiateAuth", {
          ClientId: clientId,
          AuthFlow: "USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: "carol", PASSWORD: "LongEnoughPass1" }
        })
        assertFailure(refused, "InvalidParameterException")
        assert.include(refused.json.message, "USER_PASSWORD_AUTH flow not enabled for this client")
        assertFailure(
          yield* idp(local, "DescribeUserPool", { UserPoolId: "us-east-1_nosuchpool" }),
          "ResourceNotFoundException"
        )
      })
  )

  it.effect("keeps UserAttributeUpdateSettings, which needs its attributes auto-verified, as AWS does", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const UserAttributeUpdateSettings = { AttributesRequireVerificationBeforeUpdate: ["email"] }
      assertFailure(
        yield* idp(local, "CreateUserPool", { PoolName: "unverified", UserAttributeUpdateSettings }),
        "InvalidParameterException"
      )
      const created = yield* idp(local, "CreateUserPool", {
        PoolName: "verify-first",
        AutoVerifiedAttributes: ["email"],
        UserAttributeUpdateSettings
      })
      assert.strictEqual(created.status, 200, created.text)
      const described = yield* idp(local, "DescribeUserPool", { UserPoolId: string(created.json, "UserPool", "Id") })
      assert.deepStrictEqual(
        (described.json.UserPool as { UserAttributeUpdateSettings: unknown }).UserAttributeUpdateSettings,
        UserAttributeUpdateSettings
      )
    })
  )

  it.effect("admin actions create, disable and delete users unsigned", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const UserPoolId = local.defaultPool.userPoolId
      const created = yield* idp(local, "AdminCreateUser", {
        UserPoolId,
        Username: "dave",
        TemporaryPassword: "Temp-Passw0rd!",
        UserAttributes: [{ Name: "email", Value: "dave@example.com" }]
      })
      assert.strictEqual(created.status, 200, created.text)
      assert.deepInclude(created.json.User as object, { Username: "dave", UserStatus: "FORCE_CHANGE_PASSWORD" })
      assertFailure(
        yield* idp(local, "AdminCreateUser", { UserPoolId, Username: "dave", TemporaryPassword: "Temp-Passw0rd!" }),
        "UsernameExistsException"
      )
      assert.strictEqual((yield* idp(local, "AdminDisableUser", { UserPoolId, Username: "dave" })).status, 200)
      const disabled = yield* idp(local, "AdminGetUser", { UserPoolId, Username: "dave" })
      assert.strictEqual(disabled.json.Enabled, false)
      assert.strictEqual((yield* idp(local, "AdminDeleteUser", { UserPoolId, Username: "dave" })).status, 200)
      assertFailure(yield* idp(local, "AdminGetUser", { UserPoolId, Username: "dave" }), "UserNotFoundException")
    })
  )

  it.effect("AdminCreateUser without TemporaryPassword generates one and delivers it as an invitation", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const UserPoolId = local.defaultPool.userPoolId
      const before = (yield* local.deliveries).length
      const created = yield* idp(local, "AdminCreateUser", {
        UserPoolId,
        Username: "erin",
        DesiredDeliveryMediums: ["EMAIL"],
        UserAttributes: [{ Name: "email", Value: "erin@example.com" }]
      })
      assert.strictEqual(created.status, 200, created.text)
      assert.deepInclude(created.json.User as object, { Username: "erin", UserStatus: "FORCE_CHANGE_PASSWORD" })
      const invitations = (yield* local.deliveries).slice(before)
      assert.strictEqual(invitations.length, 1)
      const invitation = invitations[0]!.message
      assert.deepInclude(invitation, {
        username: "erin",
        medium: "EMAIL",
        destination: "erin@example.com",
        purpose: "Invitation"
      })
      const temporary = Redacted.value(invitation.code)
      assert.match(temporary, /[A-Z]/)
      assert.match(temporary, /[a-z]/)
      assert.match(temporary, /\d/)
      assert.match(temporary, /[^A-Za-z0-9]/)
      assert.isAtLeast(temporary.length, 12)
      assert.notInclude(created.text, temporary)
      // The delivered temporary password signs in and asks for a new one.
      const signIn = yield* idp(local, "InitiateAuth", {
        ClientId: local.defaultPool.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: "erin", PASSWORD: temporary }
      })
      assert.strictEqual(signIn.json.ChallengeName, "NEW_PASSWORD_REQUIRED", signIn.text)
      // SUPPRESS sends nothing; SMS (the default medium) goes nowhere without a phone number.
      yield* idp(local, "AdminCreateUser", {
        UserPoolId,
        Username: "frank",
        MessageAction: "SUPPRESS",
        DesiredDeliveryMediums: ["EMAIL"],
        UserAttributes: [{ Name: "email", Value: "frank@example.com" }]
      })
      const grace = yield* idp(local, "AdminCreateUser", {
        UserPoolId,
        Username: "grace",
        UserAttributes: [{ Name: "phone_number", Value: "+15555550123" }]
      })
      assert.strictEqual(grace.status, 200, grace.text)
      const after = (yield* local.deliveries).slice(before + 1).map((d) => [d.message.username, d.message.medium])
      assert.deepStrictEqual(after, [["grace", "SMS"]])
    })
  )

  it.effect("AdminCreateUser RESEND sends a new temporary password; a missing or confirmed user is refused", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const UserPoolId = local.defaultPool.userPoolId
      const invitations = Effect.map(local.deliveries, (all) =>
        all.filter((d) => d.message.username === "hana" && d.message.purpose === "Invitation")
      )
      const create = (body: Record<string, unknown>) => idp(local, "AdminCreateUser", { UserPoolId, ...body })
      const email = {
        DesiredDeliveryMediums: ["EMAIL"],
        UserAttributes: [{ Name: "email", Value: "hana@example.com" }]
      }
      assert.strictEqual((yield* create({ Username: "hana", ...email })).status, 200)
      const resent = yield* create({ Username: "hana", MessageAction: "RESEND", DesiredDeliveryMediums: ["EMAIL"] })
      assert.strictEqual(resent.status, 200, resent.text)
      assert.deepInclude(resent.json.User as object, { Username: "hana", UserStatus: "FORCE_CHANGE_PASSWORD" })
      const [first, second] = (yield* invitations).map((d) => Redacted.value(d.message.code))
      assert.isDefined(second)
      assert.notStrictEqual(second, first)
      const signIn = (password: string) =>
        idp(local, "InitiateAuth", {
          ClientId: local.defaultPool.clientId,
          AuthFlow: "USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: "hana", PASSWORD: password }
        })
      assertFailure(yield* signIn(first!), "NotAuthorizedException")
      const challenge = yield* signIn(second!)
      assert.strictEqual(challenge.json.ChallengeName, "NEW_PASSWORD_REQUIRED", challenge.text)

      assertFailure(yield* create({ Username: "nobody", MessageAction: "RESEND" }), "UserNotFoundException")
      yield* idp(local, "AdminSetUserPassword", {
        UserPoolId,
        Username: "hana",
        Password: "Final-Passw0rd!",
        Permanent: true
      })
      const confirmed = yield* create({ Username: "hana", MessageAction: "RESEND" })
      assertFailure(confirmed, "UnsupportedUserStateException")
      assert.include(confirmed.json.message, "FORCE_CHANGE_PASSWORD")
    })
  )

  it.effect(
    "an identity pool with several user-pool providers accepts logins from each and refuses other providers",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        /** A user pool with a password-flow client and a confirmed user; the provider name and the user's id token. */
        const poolWithUser = (name: string) =>
          Effect.gen(function* () {
            const UserPoolId = string((yield* idp(local, "CreateUserPool", { PoolName: name })).json, "UserPool", "Id")
            const client = yield* idp(local, "CreateUserPoolClient", {
              UserPoolId,
              ClientName: name,
              ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
            })
            const ClientId = string(client.json, "UserPoolClient", "ClientId")
            yield* idp(local, "AdminCreateUser", { UserPoolId, Username: "ivy", MessageAction: "SUPPRESS" })
            yield* idp(local, "AdminSetUserPassword", {
              UserPoolId,
              Username: "ivy",
              Password: "Ivy-Passw0rd!",
              Permanent: true
            })
            const signIn = yield* idp(local, "InitiateAuth", {
              ClientId,
              AuthFlow: "USER_PASSWORD_AUTH",
              AuthParameters: { USERNAME: "ivy", PASSWORD: "Ivy-Passw0rd!" }
            })
            return {
              ProviderName: `cognito-idp.us-east-1.amazonaws.com/${UserPoolId}`,
              ClientId,
              idToken: string(signIn.json, "AuthenticationResult", "IdToken")
            }
          })
        const north = yield* poolWithUser("north")
        const south = yield* poolWithUser("south")
        const stranger = yield* poolWithUser("stranger")
        const created = yield* identity(local, "CreateIdentityPool", {
          IdentityPoolName: "both",
          AllowUnauthenticatedIdentities: false,
          CognitoIdentityProviders: [
            { ProviderName: north.ProviderName, ClientId: north.ClientId },
            { ProviderName: south.ProviderName, ClientId: south.ClientId }
          ]
        })
        const IdentityPoolId = string(created.json, "IdentityPoolId")
        const login = (pool: { ProviderName: string }, token: string) => ({ [pool.ProviderName]: token })

        const ids: Array<string> = []
        for (const pool of [north, south]) {
          const id = yield* identity(local, "GetId", { IdentityPoolId, Logins: login(pool, pool.idToken) })
          assert.strictEqual(id.status, 200, id.text)
          const IdentityId = string(id.json, "IdentityId")
          const credentials = yield* identity(local, "GetCredentialsForIdentity", {
            IdentityId,
            Logins: login(pool, pool.idToken)
          })
          assert.strictEqual(credentials.status, 200, credentials.text)
          assert.isString((credentials.json.Credentials as { AccessKeyId?: unknown }).AccessKeyId)
          ids.push(IdentityId)
        }
        assert.notStrictEqual(ids[0], ids[1])
        // A pool that is not a provider; a provider's name with another pool's token; no login at all.
        assertFailure(
          yield* identity(local, "GetId", { IdentityPoolId, Logins: login(stranger, stranger.idToken) }),
          "NotAuthorizedException"
        )
        assertFailure(
          yield* identity(local, "GetId", { IdentityPoolId, Logins: login(south, north.idToken) }),
          "NotAuthorizedException"
        )
        assertFailure(
          yield* identity(local, "GetCredentialsForIdentity", {
            IdentityId: ids[1],
            Logins: login(north, north.idToken)
          }),
          "NotAuthorizedException"
        )
        assertFailure(yield* identity(local, "GetId", { IdentityPoolId }), "NotAuthorizedException")
      })
  )

  it.effect("sets up TOTP MFA through the challenge session: the session finds its app client", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const pool = yield* idp(local, "CreateUserPool", { PoolName: "mfa-on", MfaConfiguration: "ON" })
      const UserPoolId = string(pool.json, "UserPool", "Id")
      const client = yield* idp(local, "CreateUserPoolClient", {
        UserPoolId,
        ClientName: "app",
        ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
      })
      const ClientId = string(client.json, "UserPoolClient", "ClientId")
      const Password = "Totp-Passw0rd!"
      yield* idp(local, "SignUp", {
        ClientId,
        Username: "erin",
        Password,
        UserAttributes: [{ Name: "email", Value: "erin@example.com" }]
      })
      const code = Redacted.value(
        (yield* local.deliveries).filter((d) => d.userPoolId === UserPoolId && d.message.username === "erin")[0]!
          .message.code
      )
      assert.strictEqual(
        (yield* idp(local, "ConfirmSignUp", { ClientId, Username: "erin", ConfirmationCode: code })).status,
        200
      )

      const started = yield* idp(local, "InitiateAuth", {
        ClientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: "erin", PASSWORD: Password }
      })
      assert.strictEqual(started.json.ChallengeName, "MFA_SETUP", started.text)
      const associated = yield* idp(local, "AssociateSoftwareToken", { Session: string(started.json, "Session") })
      const secret = Redacted.make(string(associated.json, "SecretCode"))
      const cognito = yield* local.pool(UserPoolId)
      const verified = yield* idp(local, "VerifySoftwareToken", {
        Session: string(associated.json, "Session"),
        UserCode: Redacted.value(yield* cognito.totpCode(secret))
      })
      assert.strictEqual(verified.json.Status, "SUCCESS", verified.text)
      const done = yield* idp(local, "RespondToAuthChallenge", {
        ClientId,
        ChallengeName: "MFA_SETUP",
        Session: string(verified.json, "Session"),
        ChallengeResponses: { USERNAME: "erin" }
      })
      assert.isString((done.json.AuthenticationResult as { AccessToken?: unknown } | undefined)?.AccessToken, done.text)
      assertFailure(yield* idp(local, "AssociateSoftwareToken", { Session: "forged" }), "NotAuthorizedException")
    })
  )

  it.effect("publishes each pool's JWKS at <userPoolId>/.well-known/jwks.json and nothing elsewhere", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const jwks = yield* Effect.promise(() =>
        fetch(`${local.endpoint}${local.defaultPool.userPoolId}/.well-known/jwks.json`).then((r) => r.json())
      )
      const keys = (jwks as { keys: Array<Record<string, unknown>> }).keys
      assert.lengthOf(keys, 1)
      assert.deepInclude(keys[0], { kty: "RSA", alg: "RS256", use: "sig" })
      assert.notProperty(keys[0], "d")
      const missing = yield* Effect.promise(() =>
        fetch(`${local.endpoint}us-east-1_nosuchpool/.well-known/jwks.json`).then((r) => r.status)
      )
      assert.strictEqual(missing, 404)
    })
  )

  it.effect(
    "holds identity pools; GetId on one without a user pool among its providers fails with a configuration error",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const described = yield* identity(local, "DescribeIdentityPool", {
          IdentityPoolId: local.defaultPool.identityPoolId
        })
        assert.deepInclude(described.json, {
          IdentityPoolId: local.defaultPool.identityPoolId,
          AllowUnauthenticatedIdentities: true
        })
        const guest = yield* identity(local, "GetId", { IdentityPoolId: local.defaultPool.identityPoolId })
        assert.strictEqual(guest.status, 200, guest.text)
        assert.match(string(guest.json, "IdentityId"), /^us-east-1:/)
        const bare = yield* identity(local, "CreateIdentityPool", {
          IdentityPoolName: "bare",
          AllowUnauthenticatedIdentities: true
        })
        assertFailure(
          yield* identity(local, "GetId", { IdentityPoolId: string(bare.json, "IdentityPoolId") }),
          "InvalidIdentityPoolConfigurationException"
        )
        assertFailure(
          yield* identity(local, "DescribeIdentityPool", { IdentityPoolId: "us-east-1:nope" }),
          "ResourceNotFoundException"
        )
      })
  )
})

/** An `IdentityPool` for the plug: one identity per pool, credentials naming the logins it was given. */
const recordingPool = (config: LocalCognito.IdentityPoolConfig) =>
  Effect.succeed(
    IdentityPool.make({
      getId: (request) =>
        Effect.succeed({
          identityId: `${config.region}:${request.logins === undefined ? "guest" : "user"}-${config.identityPoolName}`
        }),
      getCredentialsForIdentity: (request) =>
        Effect.succeed({
          identityId: request.identityId,
          credentials: {
            accessKeyId: `AKID${Object.keys(request.logins ?? {}).length}`,
            secretAccessKey: Redacted.make("secret"),
            sessionToken: Redacted.make("session"),
            expiration: new Date(1_800_000_000_000)
          }
        })
    })
  )

layer(LocalCognito.layer({ identityPools: recordingPool }), { excludeTestServices: true })(
  "LocalCognito identity pools",
  (it) => {
    it.effect("routes GetId and GetCredentialsForIdentity to the plugged-in IdentityPool", () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const logins = { [`cognito-idp.us-east-1.amazonaws.com/${local.defaultPool.userPoolId}`]: "a.b.c" }
        const id = yield* identity(local, "GetId", { IdentityPoolId: local.defaultPool.identityPoolId, Logins: logins })
        assert.deepStrictEqual(id.json, { IdentityId: "us-east-1:user-local" })
        const credentials = yield* identity(local, "GetCredentialsForIdentity", {
          IdentityId: "us-east-1:user-local",
          Logins: logins
        })
        assert.deepStrictEqual(credentials.json, {
          IdentityId: "us-east-1:user-local",
          Credentials: { AccessKeyId: "AKID1", SecretKey: "secret", SessionToken: "session", Expiration: 1_800_000_000 }
        })
        assertFailure(
          yield* identity(local, "GetCredentialsForIdentity", { IdentityId: "us-east-1:unknown" }),
          "ResourceNotFoundException"
        )
      })
    )
  }
)
