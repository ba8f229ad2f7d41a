/**
 * The local Cognito proven by AWS's own clients over loopback HTTP:
 * `@aws-sdk/client-cognito-identity-provider`, `@aws-sdk/client-cognito-identity` (GetId,
 * GetCredentialsForIdentity), `amazon-cognito-identity-js` (with its own
 * SRP) and `aws-jwt-verify` against the JWKS the server publishes.
 */
import { randomUUID } from "node:crypto"
import * as Srp from "@effect-cognito/core/Srp"
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  CreateUserPoolClientCommand,
  ListUsersCommand,
  ConfirmSignUpCommand,
  DeleteUserCommand,
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand
} from "@aws-sdk/client-cognito-identity-provider"
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from "@aws-sdk/client-cognito-identity"
import { assert, layer } from "@effect/vitest"
import {
  AuthenticationDetails,
  type CognitoRefreshToken,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession
} from "amazon-cognito-identity-js"
import { JwtRsaVerifier } from "aws-jwt-verify"
import { JwtInvalidSignatureError } from "aws-jwt-verify/error"
import { SimpleJwksCache } from "aws-jwt-verify/jwk"
import type { CognitoIdTokenPayload } from "aws-jwt-verify/jwt-model"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as LocalCognito from "../src/LocalCognito.js"
import { newUsername, password, sdk, sdkFailure, sdkPasswordSignIn, signUp, timeout } from "./localSdk.js"

/** The last code delivered to a user for a purpose. */
const codeFor = (local: LocalCognito.LocalCognito.Service, username: string, purpose: string) =>
  Effect.map(local.deliveries, (deliveries) => {
    const found = deliveries.filter((d) => d.message.username === username && d.message.purpose === purpose).at(-1)
    if (found === undefined) throw new Error(`no ${purpose} code for ${username}`)
    return Redacted.value(found.message.code)
  })

/** USER_PASSWORD_AUTH through the AWS SDK, with the default app client unless another is given. */
const passwordSignIn = (
  local: LocalCognito.LocalCognito.Service,
  username: string,
  pass = password,
  clientId = local.defaultPool.clientId
) => sdkPasswordSignIn(local, { clientId, username, password: pass })

/** A confirmed user with `password`, signed up and confirmed through the AWS SDK. */
const confirmedUser = (local: LocalCognito.LocalCognito.Service, attributes: Record<string, string> = {}) =>
  Effect.gen(function* () {
    const username = newUsername()
    yield* signUp(local, local.defaultPool.clientId, username, attributes)
    const code = yield* codeFor(local, username, "SignUp")
    yield* Effect.promise(() =>
      sdk(local).send(
        new ConfirmSignUpCommand({ ClientId: local.defaultPool.clientId, Username: username, ConfirmationCode: code })
      )
    )
    return username
  })

type SignInOutcome =
  | { readonly _tag: "Success"; readonly session: CognitoUserSession }
  | { readonly _tag: "Failure"; readonly name: string }
  | { readonly _tag: "SmsMfa"; readonly user: CognitoUser }
  | { readonly _tag: "NewPasswordRequired"; readonly user: CognitoUser }

const userPool = (local: LocalCognito.LocalCognito.Service) =>
  new CognitoUserPool({
    UserPoolId: local.defaultPool.userPoolId,
    ClientId: local.defaultPool.clientId,
    endpoint: local.endpoint
  })

const callbacks = (user: CognitoUser, resolve: (outcome: SignInOutcome) => void) => ({
  onSuccess: (session: CognitoUserSession) => resolve({ _tag: "Success", session }),
  onFailure: (error: { readonly name?: string; readonly code?: string }) =>
    resolve({ _tag: "Failure", name: error.code ?? error.name ?? "unknown" }),
  mfaRequired: () => resolve({ _tag: "SmsMfa", user }),
  newPasswordRequired: () => resolve({ _tag: "NewPasswordRequired", user })
})

/** amazon-cognito-identity-js's USER_SRP_AUTH sign-in. */
const jsSignIn = (local: LocalCognito.LocalCognito.Service, username: string, pass: string) =>
  Effect.promise(
    () =>
      new Promise<SignInOutcome>((resolve) => {
        const user = new CognitoUser({ Username: username, Pool: userPool(local) })
        user.authenticateUser(
          new AuthenticationDetails({ Username: username, Password: pass }),
          callbacks(user, resolve)
        )
      })
  )

const success = (outcome: SignInOutcome) => {
  if (outcome._tag !== "Success") throw new Error(`expected Success, got ${JSON.stringify(outcome)}`)
  return outcome.session
}

const verifierFor = (local: LocalCognito.LocalCognito.Service, issuer: string, tokenUse: "id" | "access") =>
  JwtRsaVerifier.create(
    {
      issuer,
      jwksUri: `${local.endpoint}${local.defaultPool.userPoolId}/.well-known/jwks.json`,
      audience: tokenUse === "id" ? local.defaultPool.clientId : null,
      customJwtCheck: ({ payload }) => {
        if (payload.token_use !== tokenUse) throw new Error(`token_use is ${String(payload.token_use)}`)
        if (tokenUse === "access" && payload.client_id !== local.defaultPool.clientId)
          throw new Error("client_id does not match")
      }
    },
    {
      // The JWKS over loopback HTTP: the library's own fetcher speaks HTTPS only.
      jwksCache: new SimpleJwksCache({
        fetcher: { fetch: (uri: string) => fetch(uri).then((response) => response.arrayBuffer()) }
      })
    }
  )

layer(LocalCognito.layer(), { excludeTestServices: true })("LocalCognito", (it) => {
  it.effect(
    "the AWS SDK signs up with attributes, confirms, signs in with USER_PASSWORD_AUTH and reads the user",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const client = sdk(local)
        const username = newUsername()
        const signUp = yield* Effect.promise(() =>
          client.send(
            new SignUpCommand({
              ClientId: local.defaultPool.clientId,
              Username: username,
              Password: password,
              UserAttributes: [
                { Name: "email", Value: `${username}@example.com` },
                { Name: "given_name", Value: "Ada" },
                { Name: "custom:badge", Value: "ABC123" }
              ]
            })
          )
        )
        assert.isFalse(signUp.UserConfirmed)
        assert.strictEqual(signUp.CodeDeliveryDetails?.DeliveryMedium, "EMAIL")
        assert.strictEqual(signUp.CodeDeliveryDetails?.AttributeName, "email")
        assert.isString(signUp.UserSub)
        assert.strictEqual(yield* sdkFailure(passwordSignIn(local, username)), "UserNotConfirmedException")
        const code = yield* codeFor(local, username, "SignUp")
        assert.strictEqual(
          yield* sdkFailure(
            client.send(
              new ConfirmSignUpCommand({
                ClientId: local.defaultPool.clientId,
                Username: username,
                ConfirmationCode: code === "000000" ? "111111" : "000000"
              })
            )
          ),
          "CodeMismatchException"
        )
        yield* Effect.promise(() =>
          client.send(
            new ConfirmSignUpCommand({
              ClientId: local.defaultPool.clientId,
              Username: username,
              ConfirmationCode: code
            })
          )
        )
        const signedIn = yield* Effect.promise(() => passwordSignIn(local, username))
        const tokens = signedIn.AuthenticationResult
        assert.isDefined(tokens?.AccessToken)
        assert.isDefined(tokens?.IdToken)
        assert.isDefined(tokens?.RefreshToken)
        assert.strictEqual(tokens?.ExpiresIn, 3600)
        assert.strictEqual(tokens?.TokenType, "Bearer")

        const user = yield* Effect.promise(() => client.send(new GetUserCommand({ AccessToken: tokens?.AccessToken })))
        assert.strictEqual(user.Username, username)
        const attributes = Object.fromEntries((user.UserAttributes ?? []).map((a) => [a.Name, a.Value]))
        assert.deepInclude(attributes, {
          email: `${username}@example.com`,
          given_name: "Ada",
          "custom:badge": "ABC123",
          email_verified: "true",
          sub: signUp.UserSub
        })

        const admin = yield* Effect.promise(() =>
          client.send(new AdminGetUserCommand({ UserPoolId: local.defaultPool.userPoolId, Username: username }))
        )
        assert.strictEqual(admin.UserStatus, "CONFIRMED")
        assert.isTrue(admin.Enabled)
        assert.deepInclude(Object.fromEntries((admin.UserAttributes ?? []).map((a) => [a.Name, a.Value])), {
          given_name: "Ada"
        })
        assert.strictEqual(
          yield* sdkFailure(
            client.send(new AdminGetUserCommand({ UserPoolId: local.defaultPool.userPoolId, Username: "nobody" }))
          ),
          "UserNotFoundException"
        )
        assert.strictEqual(
          yield* sdkFailure(client.send(new GetUserCommand({ AccessToken: `${tokens?.AccessToken}x` }))),
          "NotAuthorizedException"
        )
      }),
    timeout
  )

  it.effect(
    "aws-jwt-verify verifies the id and access tokens with the pool's published JWKS",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const username = yield* confirmedUser(local, { phone_number: "+15555550100" })
        const session = success(yield* jsSignIn(local, username, password))
        // The issuer is this server, as Cognito's is its own URL: verifiers find the JWKS under it.
        const issuer = `${local.endpoint}${local.defaultPool.userPoolId}`
        const id = yield* Effect.promise(() =>
          verifierFor(local, issuer, "id").verify(session.getIdToken().getJwtToken())
        )
        const access = yield* Effect.promise(() =>
          verifierFor(local, issuer, "access").verify(session.getAccessToken().getJwtToken())
        )
        assert.strictEqual(id.iss, issuer)
        assert.strictEqual(id["cognito:username"], username)
        assert.strictEqual(access.username, username)
        assert.strictEqual(access.sub, id.sub)
        const typed = id as unknown as CognitoIdTokenPayload
        assert.strictEqual(typed.email_verified, true)
        assert.strictEqual(typed.phone_number_verified, false)
        const forged = `${session.getIdToken().getJwtToken().slice(0, -4)}AAAA`
        const rejected = yield* Effect.promise(() =>
          verifierFor(local, issuer, "id")
            .verify(forged)
            .then(
              () => "accepted",
              (error: unknown) =>
                error instanceof JwtInvalidSignatureError ? "JwtInvalidSignatureError" : String(error)
            )
        )
        assert.strictEqual(rejected, "JwtInvalidSignatureError")
      }),
    timeout
  )

  it.effect(
    "amazon-cognito-identity-js signs in with SRP, refreshes, and global sign-out kills the refresh token",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const username = yield* confirmedUser(local)
        const outcome = yield* jsSignIn(local, username, password)
        const session = success(outcome)
        assert.isTrue(session.isValid())
        assert.strictEqual(session.getIdToken().decodePayload()["cognito:username"], username)

        const user = new CognitoUser({ Username: username, Pool: userPool(local) })
        const refresh = (token: CognitoRefreshToken) =>
          Effect.promise(
            () =>
              new Promise<{ readonly error?: string; readonly session?: CognitoUserSession }>((resolve) =>
                user.refreshSession(token, (error: { code?: string } | null, refreshed?: CognitoUserSession) =>
                  resolve(error === null ? { session: refreshed! } : { error: error.code ?? "unknown" })
                )
              )
          )
        const refreshed = yield* refresh(session.getRefreshToken())
        assert.isUndefined(refreshed.error)
        assert.notStrictEqual(refreshed.session?.getIdToken().getJwtToken(), session.getIdToken().getJwtToken())

        user.setSignInUserSession(session)
        const signedOut = yield* Effect.promise(
          () =>
            new Promise<string>((resolve) =>
              user.globalSignOut({
                onSuccess: () => resolve("ok"),
                onFailure: (error: Error & { code?: string }) => resolve(error.code ?? error.name)
              })
            )
        )
        assert.strictEqual(signedOut, "ok")
        // amazon-cognito-identity-js retries a failed refresh for seconds; the AWS SDK asks once.
        assert.strictEqual(
          yield* sdkFailure(
            sdk(local).send(
              new InitiateAuthCommand({
                ClientId: local.defaultPool.clientId,
                AuthFlow: "REFRESH_TOKEN_AUTH",
                AuthParameters: { REFRESH_TOKEN: session.getRefreshToken().getToken() }
              })
            )
          ),
          "NotAuthorizedException"
        )
      }),
    timeout
  )

  it.effect(
    "the AWS SDK changes a user's email, verifies it with the code, and DeleteUser ends the account",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const client = sdk(local)
        const username = yield* confirmedUser(local)
        const signedIn = yield* Effect.promise(() => passwordSignIn(local, username))
        const AccessToken = signedIn.AuthenticationResult?.AccessToken ?? assert.fail("no access token")
        const updated = yield* Effect.promise(() =>
          client.send(
            new UpdateUserAttributesCommand({
              AccessToken,
              UserAttributes: [
                { Name: "email", Value: `${username}@example.org` },
                { Name: "given_name", Value: "Grace" }
              ]
            })
          )
        )
        assert.deepStrictEqual(
          updated.CodeDeliveryDetailsList?.map((d) => [d.AttributeName, d.DeliveryMedium]),
          [["email", "EMAIL"]]
        )
        const first = yield* codeFor(local, username, "VerifyAttribute")
        const resent = yield* Effect.promise(() =>
          client.send(new GetUserAttributeVerificationCodeCommand({ AccessToken, AttributeName: "email" }))
        )
        assert.strictEqual(resent.CodeDeliveryDetails?.AttributeName, "email")
        const second = yield* codeFor(local, username, "VerifyAttribute")
        assert.strictEqual(
          yield* sdkFailure(
            client.send(
              new VerifyUserAttributeCommand({
                AccessToken,
                AttributeName: "email",
                Code: first === second ? "000000" : first
              })
            )
          ),
          "CodeMismatchException"
        )
        yield* Effect.promise(() =>
          client.send(new VerifyUserAttributeCommand({ AccessToken, AttributeName: "email", Code: second }))
        )
        const user = yield* Effect.promise(() => client.send(new GetUserCommand({ AccessToken })))
        const attributes = Object.fromEntries((user.UserAttributes ?? []).map((a) => [a.Name, a.Value]))
        assert.strictEqual(attributes.email, `${username}@example.org`)
        assert.strictEqual(attributes.email_verified, "true")
        assert.strictEqual(attributes.given_name, "Grace")

        // The user deletes the account: the token and a new sign-in are refused.
        yield* Effect.promise(() => client.send(new DeleteUserCommand({ AccessToken })))
        assert.strictEqual(
          yield* sdkFailure(client.send(new GetUserCommand({ AccessToken }))),
          "NotAuthorizedException"
        )
        assert.strictEqual(yield* sdkFailure(passwordSignIn(local, username)), "UserNotFoundException")
      }),
    timeout
  )

  it.effect(
    "amazon-cognito-identity-js gets NotAuthorizedException for a wrong password",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const username = yield* confirmedUser(local)
        const outcome = yield* jsSignIn(local, username, "Wrong-Passw0rd!")
        assert.deepStrictEqual(outcome, { _tag: "Failure", name: "NotAuthorizedException" })
      }),
    timeout
  )

  it.effect(
    "amazon-cognito-identity-js answers SMS MFA with the delivered code",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const username = yield* confirmedUser(local, { phone_number: "+15555550123" })
        yield* Effect.promise(() =>
          sdk(local).send(
            new AdminSetUserMFAPreferenceCommand({
              UserPoolId: local.defaultPool.userPoolId,
              Username: username,
              SMSMfaSettings: { Enabled: true, PreferredMfa: true }
            })
          )
        )
        const outcome = yield* jsSignIn(local, username, password)
        if (outcome._tag !== "SmsMfa") return assert.fail(`expected SmsMfa, got ${outcome._tag}`)
        const code = yield* codeFor(local, username, "Mfa")
        const answer = (given: string) =>
          Effect.promise(
            () =>
              new Promise<SignInOutcome>((resolve) =>
                outcome.user.sendMFACode(given, callbacks(outcome.user, resolve), "SMS_MFA")
              )
          )
        assert.deepStrictEqual(yield* answer(code === "000000" ? "111111" : "000000"), {
          _tag: "Failure",
          name: "CodeMismatchException"
        })
        const session = success(yield* answer(code))
        assert.strictEqual(session.getAccessToken().decodePayload().username, username)
      }),
    timeout
  )

  it.effect(
    "amazon-cognito-identity-js sets a new password for an admin-created user",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const username = newUsername()
        yield* Effect.promise(() =>
          sdk(local).send(
            new AdminCreateUserCommand({
              UserPoolId: local.defaultPool.userPoolId,
              Username: username,
              TemporaryPassword: "Temp-Passw0rd!",
              UserAttributes: [{ Name: "email", Value: `${username}@example.com` }],
              MessageAction: "SUPPRESS"
            })
          )
        )
        const outcome = yield* jsSignIn(local, username, "Temp-Passw0rd!")
        if (outcome._tag !== "NewPasswordRequired")
          return assert.fail(`expected NewPasswordRequired, got ${outcome._tag}`)
        const completed = yield* Effect.promise(
          () =>
            new Promise<SignInOutcome>((resolve) =>
              outcome.user.completeNewPasswordChallenge(
                "Chosen-Passw0rd!",
                { given_name: "Grace" },
                callbacks(outcome.user, resolve)
              )
            )
        )
        success(completed)
        success(yield* jsSignIn(local, username, "Chosen-Passw0rd!"))
        const admin = yield* Effect.promise(() =>
          sdk(local).send(new AdminGetUserCommand({ UserPoolId: local.defaultPool.userPoolId, Username: username }))
        )
        assert.strictEqual(admin.UserStatus, "CONFIRMED")
      }),
    timeout
  )

  it.effect(
    "a PASSWORD_VERIFIER answer with a tampered signature is rejected; the true one is accepted",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const username = yield* confirmedUser(local)
        const client = sdk(local)
        const poolName = local.defaultPool.userPoolId.split("_")[1]!
        const answer = (tamper: boolean) =>
          Effect.gen(function* () {
            const ephemeral = Srp.ephemeralFromSecret(BigInt(`0x${randomUUID().replace(/-/g, "")}`))
            const started = yield* Effect.promise(() =>
              client.send(
                new InitiateAuthCommand({
                  ClientId: local.defaultPool.clientId,
                  AuthFlow: "USER_SRP_AUTH",
                  AuthParameters: { USERNAME: username, SRP_A: ephemeral.srpA }
                })
              )
            )
            assert.strictEqual(started.ChallengeName, "PASSWORD_VERIFIER")
            const parameters = started.ChallengeParameters ?? {}
            const timestamp = Srp.formatTimestamp(new Date())
            const { signature } = yield* Effect.orDie(
              Srp.passwordClaim({
                poolName,
                userIdForSrp: parameters.USER_ID_FOR_SRP!,
                password: Redacted.make(password),
                ephemeral,
                salt: parameters.SALT!,
                srpB: parameters.SRP_B!,
                secretBlock: parameters.SECRET_BLOCK!,
                timestamp
              })
            )
            const sent = tamper ? `${signature[0] === "A" ? "B" : "A"}${signature.slice(1)}` : signature
            const request = new RespondToAuthChallengeCommand({
              ClientId: local.defaultPool.clientId,
              ChallengeName: "PASSWORD_VERIFIER",
              ChallengeResponses: {
                USERNAME: parameters.USER_ID_FOR_SRP!,
                PASSWORD_CLAIM_SECRET_BLOCK: parameters.SECRET_BLOCK!,
                PASSWORD_CLAIM_SIGNATURE: sent,
                TIMESTAMP: timestamp
              }
            })
            return yield* sdkFailure(client.send(request))
          })
        assert.strictEqual(yield* answer(true), "NotAuthorizedException")
        assert.strictEqual(yield* answer(false), "succeeded")
      }),
    timeout
  )

  it.effect(
    "the AWS SDK drives users with admin actions: confirm, set password, list with a filter, global sign-out",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const client = sdk(local)
        const { clientId, userPoolId: UserPoolId } = local.defaultPool
        const username = newUsername()
        yield* Effect.promise(() =>
          client.send(
            new SignUpCommand({
              ClientId: clientId,
              Username: username,
              Password: password,
              UserAttributes: [{ Name: "email", Value: `${username}@example.org` }]
            })
          )
        )
        yield* Effect.promise(() => client.send(new AdminConfirmSignUpCommand({ UserPoolId, Username: username })))
        assert.strictEqual(
          yield* sdkFailure(client.send(new AdminConfirmSignUpCommand({ UserPoolId, Username: username }))),
          "NotAuthorizedException"
        )
        assert.strictEqual(
          yield* sdkFailure(
            client.send(
              new AdminSetUserPasswordCommand({ UserPoolId, Username: username, Password: "weak", Permanent: true })
            )
          ),
          "InvalidPasswordException"
        )
        yield* Effect.promise(() =>
          client.send(
            new AdminSetUserPasswordCommand({
              UserPoolId,
              Username: username,
              Password: "Admin-Set-Passw0rd!",
              Permanent: true
            })
          )
        )
        const signIn = (pass: string) => passwordSignIn(local, username, pass, clientId)
        assert.strictEqual(yield* sdkFailure(signIn(password)), "NotAuthorizedException")
        const tokens = (yield* Effect.promise(() => signIn("Admin-Set-Passw0rd!"))).AuthenticationResult

        const listed = yield* Effect.promise(() =>
          client.send(new ListUsersCommand({ UserPoolId, Filter: `email = "${username}@example.org"` }))
        )
        assert.deepStrictEqual(
          listed.Users?.map((u) => [u.Username, u.UserStatus, u.Enabled]),
          [[username, "CONFIRMED", true]]
        )
        const byPrefix = yield* Effect.promise(() =>
          client.send(new ListUsersCommand({ UserPoolId, Filter: `username ^= "${username.slice(0, 9)}"`, Limit: 1 }))
        )
        assert.lengthOf(byPrefix.Users ?? [], 1)
        assert.strictEqual(
          yield* sdkFailure(client.send(new ListUsersCommand({ UserPoolId, Filter: "email == nothing" }))),
          "InvalidParameterException"
        )

        yield* Effect.promise(() => client.send(new AdminUserGlobalSignOutCommand({ UserPoolId, Username: username })))
        assert.strictEqual(
          yield* sdkFailure(
            client.send(
              new InitiateAuthCommand({
                ClientId: clientId,
                AuthFlow: "REFRESH_TOKEN_AUTH",
                AuthParameters: { REFRESH_TOKEN: tokens?.RefreshToken ?? "" }
              })
            )
          ),
          "NotAuthorizedException"
        )
        assert.strictEqual(
          yield* sdkFailure(client.send(new GetUserCommand({ AccessToken: tokens?.AccessToken }))),
          "NotAuthorizedException"
        )
      }),
    timeout
  )

  it.effect(
    "an app client with a secret requires SECRET_HASH; refresh tokens stay with the client that got them",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const client = sdk(local)
        const created = yield* Effect.promise(() =>
          client.send(
            new CreateUserPoolClientCommand({
              UserPoolId: local.defaultPool.userPoolId,
              ClientName: "confidential",
              GenerateSecret: true,
              ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
              AccessTokenValidity: 5,
              TokenValidityUnits: { AccessToken: "minutes" }
            })
          )
        )
        const clientId = created.UserPoolClient?.ClientId ?? ""
        const clientSecret = created.UserPoolClient?.ClientSecret ?? ""
        assert.isNotEmpty(clientSecret)
        const username = yield* confirmedUser(local)
        const secretHash = Redacted.value(yield* Srp.secretHash(username, clientId, Redacted.make(clientSecret)))
        const signIn = (parameters: Record<string, string>) =>
          client.send(
            new InitiateAuthCommand({
              ClientId: clientId,
              AuthFlow: "USER_PASSWORD_AUTH",
              AuthParameters: { USERNAME: username, PASSWORD: password, ...parameters }
            })
          )
        assert.strictEqual(yield* sdkFailure(signIn({})), "NotAuthorizedException")
        assert.strictEqual(yield* sdkFailure(signIn({ SECRET_HASH: `x${secretHash}` })), "NotAuthorizedException")
        const tokens = (yield* Effect.promise(() => signIn({ SECRET_HASH: secretHash }))).AuthenticationResult
        assert.strictEqual(tokens?.ExpiresIn, 300)
        const user = yield* Effect.promise(() => client.send(new GetUserCommand({ AccessToken: tokens?.AccessToken })))
        assert.strictEqual(user.Username, username)
        // The same user's refresh token, presented by the public client, is not that client's.
        assert.strictEqual(
          yield* sdkFailure(
            client.send(
              new InitiateAuthCommand({
                ClientId: local.defaultPool.clientId,
                AuthFlow: "REFRESH_TOKEN_AUTH",
                AuthParameters: { REFRESH_TOKEN: tokens?.RefreshToken ?? "" }
              })
            )
          ),
          "NotAuthorizedException"
        )
      }),
    timeout
  )

  it.effect(
    "@aws-sdk/client-cognito-identity gets an identity and credentials for a signed-in user and for a guest",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const username = yield* confirmedUser(local)
        const signedIn = yield* Effect.promise(() =>
          sdk(local).send(
            new InitiateAuthCommand({
              ClientId: local.defaultPool.clientId,
              AuthFlow: "USER_PASSWORD_AUTH",
              AuthParameters: { USERNAME: username, PASSWORD: password }
            })
          )
        )
        const idToken = signedIn.AuthenticationResult?.IdToken ?? ""
        const identity = new CognitoIdentityClient({
          region: local.defaultPool.region,
          endpoint: local.endpoint,
          credentials: { accessKeyId: "local", secretAccessKey: "local" }
        })
        const IdentityPoolId = local.defaultPool.identityPoolId
        const Logins = {
          [`cognito-idp.${local.defaultPool.region}.amazonaws.com/${local.defaultPool.userPoolId}`]: idToken
        }
        const { IdentityId } = yield* Effect.promise(() => identity.send(new GetIdCommand({ IdentityPoolId, Logins })))
        assert.match(IdentityId ?? "", /^us-east-1:[0-9a-f-]{36}$/)
        // The same login finds the same identity.
        const again = yield* Effect.promise(() => identity.send(new GetIdCommand({ IdentityPoolId, Logins })))
        assert.strictEqual(again.IdentityId, IdentityId)
        const answer = yield* Effect.promise(() =>
          identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins }))
        )
        assert.strictEqual(answer.IdentityId, IdentityId)
        const credentials = answer.Credentials
        assert.isString(credentials?.AccessKeyId)
        assert.instanceOf(credentials?.Expiration, Date)
        // The server keeps the secret half, so a local endpoint can verify signatures made with it.
        const kept = yield* local.credentialsOf(credentials?.AccessKeyId ?? "")
        assert.strictEqual(Redacted.value(kept.secretAccessKey), credentials?.SecretKey)
        assert.strictEqual(Redacted.value(kept.sessionToken), credentials?.SessionToken)
        // A tampered id token is refused, as Cognito refuses it.
        const tampered = { [Object.keys(Logins)[0]!]: `${idToken.slice(0, -4)}AAAA` }
        assert.strictEqual(
          yield* sdkFailure(identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: tampered }))),
          "NotAuthorizedException"
        )
        // The default identity pool allows guests: an identity without logins, and its credentials.
        const guest = yield* Effect.promise(() => identity.send(new GetIdCommand({ IdentityPoolId })))
        assert.notStrictEqual(guest.IdentityId, IdentityId)
        const guestCredentials = yield* Effect.promise(() =>
          identity.send(new GetCredentialsForIdentityCommand({ IdentityId: guest.IdentityId }))
        )
        assert.isString(guestCredentials.Credentials?.AccessKeyId)
      }),
    timeout
  )
})
