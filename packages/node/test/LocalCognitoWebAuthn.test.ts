/**
 * Passkeys on the local Cognito, proven over loopback HTTP by the AWS SDK v3 with the
 * test-kit's software authenticator doing the ceremonies: SetUserPoolMfaConfig's relying
 * party (read back with GetUserPoolMfaConfig), StartWebAuthnRegistration,
 * CompleteWebAuthnRegistration, ListWebAuthnCredentials, a WEB_AUTHN sign-in with no
 * password, DeleteWebAuthnCredential, and the refusals with Cognito's exception names and a
 * message naming the check that refused.
 */
import { randomUUID } from "node:crypto"
import { readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  AdminConfirmSignUpCommand,
  CompleteWebAuthnRegistrationCommand,
  type CompleteWebAuthnRegistrationCommandInput,
  DeleteWebAuthnCredentialCommand,
  GetUserPoolMfaConfigCommand,
  InitiateAuthCommand,
  ListWebAuthnCredentialsCommand,
  RespondToAuthChallengeCommand,
  SetUserPoolMfaConfigCommand,
  StartWebAuthnRegistrationCommand
} from "@aws-sdk/client-cognito-identity-provider"
import * as WebAuthn from "@effect-cognito/core/WebAuthn"
import * as SoftwareAuthenticator from "@effect-cognito/test-kit/SoftwareAuthenticator"
import * as TestCognito from "@effect-cognito/test-kit/TestCognito"
import * as TestCognitoSnapshot from "@effect-cognito/test-kit/TestCognitoSnapshot"
import { afterAll, assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as LocalCognito from "../src/LocalCognito.js"
import { createPoolWithClient, newUsername, sdk, sdkPasswordSignIn, signUp } from "./localSdk.js"

interface Pool {
  readonly userPoolId: string
  readonly clientId: string
}

const origin = "http://localhost:5173"

/** The state file of this file's local Cognito. */
const stateFile = join(tmpdir(), `local-cognito-webauthn-${randomUUID()}.json`)
afterAll(() => rm(stateFile, { force: true }))

/** A pool that allows passkeys, with `localhost` as its relying party (as the demo page runs). */
const createPool = (local: LocalCognito.LocalCognito.Service) =>
  Effect.gen(function* () {
    const pool = yield* createPoolWithClient(
      local,
      {
        PoolName: `passkeys-${randomUUID().slice(0, 6)}`,
        Policies: { SignInPolicy: { AllowedFirstAuthFactors: ["PASSWORD", "WEB_AUTHN"] } }
      },
      "passkeys",
      ["ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )
    const set = yield* Effect.promise(() =>
      sdk(local).send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId: pool.userPoolId,
          WebAuthnConfiguration: { RelyingPartyId: "localhost", UserVerification: "required" }
        })
      )
    )
    assert.deepStrictEqual(set.WebAuthnConfiguration, { RelyingPartyId: "localhost", UserVerification: "required" })
    return pool
  })

/** A confirmed user signed in with a password: the username and access token. */
const signedIn = (local: LocalCognito.LocalCognito.Service, pool: Pool) =>
  Effect.gen(function* () {
    const username = newUsername()
    yield* signUp(local, pool.clientId, username)
    yield* Effect.promise(() =>
      sdk(local).send(new AdminConfirmSignUpCommand({ UserPoolId: pool.userPoolId, Username: username }))
    )
    const response = yield* Effect.promise(() => sdkPasswordSignIn(local, { clientId: pool.clientId, username }))
    return { username, accessToken: response.AuthenticationResult?.AccessToken ?? assert.fail("no tokens") }
  })

/** How a request ended: "succeeded", or the exception's name and the message the server sent. */
const sdkOutcome = (promise: Promise<unknown>) =>
  Effect.promise(() =>
    promise.then(
      () => "succeeded",
      (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error))
    )
  )

/** A JSON value as the SDK's document type. */
const document = (value: unknown): CompleteWebAuthnRegistrationCommandInput["Credential"] =>
  JSON.parse(JSON.stringify(value))

const decodeCreation = Schema.decodeUnknownSync(WebAuthn.CredentialCreationOptionsJson)
const decodeRequest = Schema.decodeUnknownSync(WebAuthn.CredentialRequestOptionsJson)

/** The registration ceremony through the SDK. */
const register = (
  local: LocalCognito.LocalCognito.Service,
  accessToken: string,
  authenticator: SoftwareAuthenticator.SoftwareAuthenticator
) =>
  Effect.gen(function* () {
    const started = yield* Effect.promise(() =>
      sdk(local).send(new StartWebAuthnRegistrationCommand({ AccessToken: accessToken }))
    )
    const credential = yield* authenticator.create(decodeCreation(started.CredentialCreationOptions))
    yield* Effect.promise(() =>
      sdk(local).send(
        new CompleteWebAuthnRegistrationCommand({ AccessToken: accessToken, Credential: document(credential) })
      )
    )
    return credential
  })

/** A WEB_AUTHN sign-in through the SDK, answered by the authenticator: the answer's pending promise. */
const passkeySignIn = (
  local: LocalCognito.LocalCognito.Service,
  pool: Pool,
  username: string,
  authenticator: SoftwareAuthenticator.SoftwareAuthenticator
) =>
  Effect.gen(function* () {
    const started = yield* Effect.promise(() =>
      sdk(local).send(
        new InitiateAuthCommand({
          ClientId: pool.clientId,
          AuthFlow: "USER_AUTH",
          AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: "WEB_AUTHN" }
        })
      )
    )
    assert.strictEqual(started.ChallengeName, "WEB_AUTHN")
    const options = decodeRequest(JSON.parse(started.ChallengeParameters?.CREDENTIAL_REQUEST_OPTIONS ?? "null"))
    const assertion = yield* authenticator.get(options)
    return sdk(local).send(
      new RespondToAuthChallengeCommand({
        ClientId: pool.clientId,
        ChallengeName: "WEB_AUTHN",
        Session: started.Session,
        ChallengeResponses: { USERNAME: username, CREDENTIAL: JSON.stringify(assertion) }
      })
    )
  })

layer(LocalCognito.layer({ stateFile }), { excludeTestServices: true })("LocalCognito passkeys over HTTP", (it) => {
  it.effect("registers a passkey, lists it, signs in with it, and deletes it", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const pool = yield* createPool(local)
      const config = yield* Effect.promise(() =>
        sdk(local).send(new GetUserPoolMfaConfigCommand({ UserPoolId: pool.userPoolId }))
      )
      assert.deepStrictEqual(config.WebAuthnConfiguration, {
        RelyingPartyId: "localhost",
        UserVerification: "required"
      })
      const { username, accessToken } = yield* signedIn(local, pool)
      const authenticator = yield* SoftwareAuthenticator.make({ origin })
      const credential = yield* register(local, accessToken, authenticator)
      const listed = yield* Effect.promise(() =>
        sdk(local).send(new ListWebAuthnCredentialsCommand({ AccessToken: accessToken }))
      )
      assert.strictEqual(listed.Credentials?.length, 1)
      const passkey = listed.Credentials![0]!
      assert.strictEqual(passkey.CredentialId, credential.id)
      assert.strictEqual(passkey.RelyingPartyId, "localhost")
      assert.deepStrictEqual(passkey.AuthenticatorTransports, ["internal"])
      assert.instanceOf(passkey.CreatedAt, Date)
      const signIn = yield* passkeySignIn(local, pool, username, authenticator)
      const tokens = yield* Effect.promise(() => signIn)
      assert.isString(tokens.AuthenticationResult?.AccessToken)
      yield* Effect.promise(() =>
        sdk(local).send(new DeleteWebAuthnCredentialCommand({ AccessToken: accessToken, CredentialId: credential.id }))
      )
      const after = yield* Effect.promise(() =>
        sdk(local).send(new ListWebAuthnCredentialsCommand({ AccessToken: accessToken }))
      )
      assert.deepStrictEqual(after.Credentials, [])
      // Without a passkey, WEB_AUTHN is no factor of this user: Cognito offers the others.
      const fallback = yield* Effect.promise(() =>
        sdk(local).send(
          new InitiateAuthCommand({
            ClientId: pool.clientId,
            AuthFlow: "USER_AUTH",
            AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: "WEB_AUTHN" }
          })
        )
      )
      assert.strictEqual(fallback.ChallengeName, "SELECT_CHALLENGE")
    })
  )

  it.effect(
    "refuses a tampered signature, a replayed assertion, a sign count that goes backwards, another origin or relying party",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const pool = yield* createPool(local)
        const { username, accessToken } = yield* signedIn(local, pool)
        const authenticator = yield* SoftwareAuthenticator.make({ origin })
        const credential = yield* register(local, accessToken, authenticator)
        const attempt = Effect.flatMap(passkeySignIn(local, pool, username, authenticator), sdkOutcome)
        yield* authenticator.tamperNextSignature
        assert.strictEqual(yield* attempt, "NotAuthorizedException: Incorrect passkey: signature")
        assert.strictEqual(yield* attempt, "succeeded")
        yield* authenticator.replayNext
        assert.strictEqual(yield* attempt, "NotAuthorizedException: Incorrect passkey: challenge")
        yield* authenticator.setSignCount(credential.id, 0)
        assert.strictEqual(yield* attempt, "NotAuthorizedException: Incorrect passkey: sign count")
        // The hook skips the browser's check (localhost does not fit evil.example): the local Cognito refuses.
        yield* authenticator.useOrigin("http://evil.example")
        yield* authenticator.useRpId("localhost")
        assert.strictEqual(yield* attempt, "NotAuthorizedException: Incorrect passkey: origin not allowed")
        yield* authenticator.useOrigin(origin)
        yield* authenticator.useRpId("example.com")
        assert.strictEqual(yield* attempt, "NotAuthorizedException: Incorrect passkey: relying party")
      })
  )

  it.effect("refuses a registration from another origin, for another relying party, or without user verification", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const pool = yield* createPool(local)
      const { accessToken } = yield* signedIn(local, pool)
      const attempt = (authenticator: SoftwareAuthenticator.SoftwareAuthenticator) =>
        Effect.flatMap(
          Effect.promise(() => sdk(local).send(new StartWebAuthnRegistrationCommand({ AccessToken: accessToken }))),
          (started) =>
            Effect.flatMap(authenticator.create(decodeCreation(started.CredentialCreationOptions)), (credential) =>
              sdkOutcome(
                sdk(local).send(
                  new CompleteWebAuthnRegistrationCommand({
                    AccessToken: accessToken,
                    Credential: document(credential)
                  })
                )
              )
            )
        )
      const elsewhere = yield* SoftwareAuthenticator.make({ origin: "https://evil.example" })
      yield* elsewhere.useRpId("localhost")
      assert.match(yield* attempt(elsewhere), /^WebAuthnOriginNotAllowedException: The origin https:\/\/evil\.example /)
      const otherParty = yield* SoftwareAuthenticator.make({ origin })
      yield* otherParty.useRpId("example.com")
      assert.match(yield* attempt(otherParty), /^WebAuthnRelyingPartyMismatchException: .*RP ID/)
      const unverified = yield* SoftwareAuthenticator.make({ origin, userVerification: false })
      assert.match(yield* attempt(unverified), /^NotAuthorizedException: .*user verification/i)
      assert.strictEqual(yield* attempt(yield* SoftwareAuthenticator.make({ origin })), "succeeded")
    })
  )

  it.effect("keeps passkeys, the relying party and the sign-in policy in the state file", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const pool = yield* createPool(local)
      const { username, accessToken } = yield* signedIn(local, pool)
      const authenticator = yield* SoftwareAuthenticator.make({ origin })
      yield* register(local, accessToken, authenticator)
      const stored = JSON.parse(yield* Effect.promise(() => readFile(stateFile, "utf8"))) as {
        readonly userPools: ReadonlyArray<{
          readonly id: string
          readonly settings: { readonly Policies?: { readonly SignInPolicy?: unknown } }
          readonly cognito: unknown
        }>
      }
      const entry = stored.userPools.find((p) => p.id === pool.userPoolId) ?? assert.fail("pool not in the state file")
      assert.deepStrictEqual(entry.settings.Policies?.SignInPolicy, {
        AllowedFirstAuthFactors: ["PASSWORD", "WEB_AUTHN"]
      })
      // The pool's snapshot, restored in memory, signs the user in with the passkey.
      const restored = yield* Effect.provide(
        TestCognito.TestCognito,
        TestCognito.layerCognito({
          restore: yield* TestCognitoSnapshot.fromJson(JSON.stringify(entry.cognito)).pipe(Effect.orDie)
        })
      ).pipe(Effect.orDie)
      assert.deepStrictEqual(yield* restored.webAuthnConfiguration, {
        relyingPartyId: "localhost",
        userVerification: "required"
      })
      const started = yield* restored.provider
        .initiateAuth({ authFlow: "USER_AUTH", username, preferredChallenge: "WEB_AUTHN" })
        .pipe(Effect.orDie)
      assert.strictEqual(started._tag === "Challenge" ? started.challengeName : started._tag, "WEB_AUTHN")
      const parameters = started._tag === "Challenge" ? started.parameters : {}
      const assertion = yield* authenticator.get(
        decodeRequest(JSON.parse(parameters.CREDENTIAL_REQUEST_OPTIONS ?? "null"))
      )
      const answered = yield* restored.provider
        .respondToAuthChallenge({
          challengeName: "WEB_AUTHN",
          session: started._tag === "Challenge" ? started.session : undefined,
          challengeResponses: {
            USERNAME: Redacted.make(username),
            CREDENTIAL: Redacted.make(JSON.stringify(assertion))
          }
        })
        .pipe(Effect.orDie)
      assert.strictEqual(answered._tag, "Authenticated")
    })
  )
})
