/**
 * Passkeys on TestCognito with the test-kit's software authenticator: registration
 * (StartWebAuthnRegistration, the ceremony, CompleteWebAuthnRegistration), the credential
 * list and its pages, deletion, and the WEB_AUTHN sign-in. Each way a ceremony can be
 * wrong is refused with Cognito's exception: a tampered signature, another origin or
 * relying party, a replayed challenge, a sign count that goes backwards, a missing UV flag
 * when the pool requires it.
 */
import type * as AuthError from "@effect-cognito/core/AuthError"
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import { SoftwareAuthenticator, TestCognito, TestCognitoSnapshot } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { atStart, password } from "./fixtures.js"

const origin = "https://example.com"

const pool = (options: Partial<TestCognito.Options> = {}) =>
  TestCognito.layerCognito({
    allowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"],
    webAuthn: { relyingPartyId: "example.com" },
    identityPool: false,
    ...options
  })

/** The effect fails with Cognito's exception `name`; `check`, when given, is what its message names as refused. */
const refused = <A>(effect: Effect.Effect<A, AuthError.AuthError>, name: string, check?: string | RegExp) =>
  Effect.gen(function* () {
    const error = yield* Effect.flip(effect)
    assert.strictEqual(error.exception, name, String(error))
    if (typeof check === "string") assert.strictEqual(error.description, check)
    else if (check !== undefined) assert.match(error.description ?? "", check)
    return error
  })

/** Alice, confirmed and signed in with her password: her access token. */
const signedIn = Effect.gen(function* () {
  yield* atStart
  const cognito = yield* TestCognito.TestCognito
  yield* cognito.provider.signUp({ username: "alice", password, userAttributes: { email: "alice@example.com" } })
  yield* cognito.provider.confirmSignUp({ username: "alice", confirmationCode: yield* cognito.lastCodeFor("alice") })
  const response = yield* cognito.provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username: "alice", password })
  assert.strictEqual(response._tag, "Authenticated")
  const accessToken = response._tag === "Authenticated" ? response.tokens.accessToken : Redacted.make("")
  return { cognito, accessToken }
})

/** The registration ceremony: options from the pool, a credential from the authenticator, back to the pool. */
const register = (
  cognito: TestCognito.TestCognito.Service,
  accessToken: Redacted.Redacted<string>,
  authenticator: SoftwareAuthenticator.SoftwareAuthenticator
) =>
  Effect.gen(function* () {
    const { credentialCreationOptions } = yield* cognito.provider.startWebAuthnRegistration({ accessToken })
    const credential = yield* authenticator.create(credentialCreationOptions)
    yield* cognito.provider.completeWebAuthnRegistration({ accessToken, credential })
    return credential
  })

/** A WEB_AUTHN sign-in: the challenge, the authenticator's assertion, the answer. */
const passkeySignIn = (
  cognito: TestCognito.TestCognito.Service,
  authenticator: SoftwareAuthenticator.SoftwareAuthenticator
) =>
  Effect.gen(function* () {
    const started = yield* cognito.provider.initiateAuth({
      authFlow: "USER_AUTH",
      username: "alice",
      preferredChallenge: "WEB_AUTHN"
    })
    assert.strictEqual(started._tag, "Challenge")
    const challenge = started as Extract<IdentityProvider.AuthResponse, { readonly _tag: "Challenge" }>
    assert.strictEqual(challenge.challengeName, "WEB_AUTHN")
    const assertion = yield* authenticator.get(JSON.parse(challenge.parameters.CREDENTIAL_REQUEST_OPTIONS!))
    return yield* cognito.provider.respondToAuthChallenge({
      challengeName: "WEB_AUTHN",
      session: challenge.session,
      challengeResponses: { USERNAME: Redacted.make("alice"), CREDENTIAL: Redacted.make(JSON.stringify(assertion)) }
    })
  })

describe("TestCognito passkeys", () => {
  it.effect("registers a passkey, lists it, and signs in with it and no password", () =>
    Effect.gen(function* () {
      const { cognito, accessToken } = yield* signedIn
      const authenticator = yield* SoftwareAuthenticator.make({ origin })
      const credential = yield* register(cognito, accessToken, authenticator)
      const listed = yield* cognito.provider.listWebAuthnCredentials({ accessToken })
      assert.strictEqual(listed.credentials.length, 1)
      const [passkey] = listed.credentials
      assert.strictEqual(passkey!.credentialId, credential.id)
      assert.strictEqual(passkey!.relyingPartyId, "example.com")
      assert.deepStrictEqual(passkey!.authenticatorTransports, ["internal"])
      assert.strictEqual(passkey!.authenticatorAttachment, "platform")
      assert.strictEqual(passkey!.createdAt.getTime(), Date.parse("2026-11-26T09:30:00Z"))
      assert.strictEqual((yield* passkeySignIn(cognito, authenticator))._tag, "Authenticated")
      assert.strictEqual((yield* passkeySignIn(cognito, authenticator))._tag, "Authenticated")
      assert.strictEqual((yield* authenticator.credentials)[0]!.signCount, 2)
    }).pipe(Effect.provide(pool()))
  )

  it.effect("refuses an assertion with a tampered signature", () =>
    Effect.gen(function* () {
      const { cognito, accessToken } = yield* signedIn
      const authenticator = yield* SoftwareAuthenticator.make({ origin })
      yield* register(cognito, accessToken, authenticator)
      yield* authenticator.tamperNextSignature
      yield* refused(passkeySignIn(cognito, authenticator), "NotAuthorizedException", "Incorrect passkey: signature")
      assert.strictEqual((yield* passkeySignIn(cognito, authenticator))._tag, "Authenticated")
    }).pipe(Effect.provide(pool()))
  )

  it.effect("refuses another origin: WebAuthnOriginNotAllowedException at registration, NotAuthorized at sign-in", () =>
    Effect.gen(function* () {
      const { cognito, accessToken } = yield* signedIn
      const authenticator = yield* SoftwareAuthenticator.make({ origin: "https://evil.example.com" })
      yield* authenticator.useRpId("example.com")
      yield* refused(register(cognito, accessToken, authenticator), "WebAuthnOriginNotAllowedException", /origin/)
      yield* authenticator.useOrigin(origin)
      yield* register(cognito, accessToken, authenticator)
      yield* authenticator.useOrigin("https://evil.example.com")
      yield* refused(
        passkeySignIn(cognito, authenticator),
        "NotAuthorizedException",
        "Incorrect passkey: origin not allowed"
      )
    }).pipe(Effect.provide(pool()))
  )

  it.effect(
    "refuses another relying party: WebAuthnRelyingPartyMismatchException at registration, NotAuthorized at sign-in",
    () =>
      Effect.gen(function* () {
        const { cognito, accessToken } = yield* signedIn
        const authenticator = yield* SoftwareAuthenticator.make({ origin })
        yield* authenticator.useRpId("other.com")
        yield* refused(register(cognito, accessToken, authenticator), "WebAuthnRelyingPartyMismatchException", /RP ID/)
        yield* authenticator.useRpId(undefined)
        yield* register(cognito, accessToken, authenticator)
        yield* authenticator.useRpId("other.com")
        yield* refused(
          passkeySignIn(cognito, authenticator),
          "NotAuthorizedException",
          "Incorrect passkey: relying party"
        )
      }).pipe(Effect.provide(pool()))
  )

  it.effect("refuses a replayed challenge: a registration answered twice, an old assertion for a new sign-in", () =>
    Effect.gen(function* () {
      const { cognito, accessToken } = yield* signedIn
      const authenticator = yield* SoftwareAuthenticator.make({ origin })
      const credential = yield* register(cognito, accessToken, authenticator)
      yield* refused(
        cognito.provider.completeWebAuthnRegistration({ accessToken, credential }),
        "WebAuthnChallengeNotFoundException"
      )
      assert.strictEqual((yield* passkeySignIn(cognito, authenticator))._tag, "Authenticated")
      yield* authenticator.replayNext
      yield* refused(passkeySignIn(cognito, authenticator), "NotAuthorizedException", "Incorrect passkey: challenge")
    }).pipe(Effect.provide(pool()))
  )

  it.effect("refuses a sign count that goes backwards", () =>
    Effect.gen(function* () {
      const { cognito, accessToken } = yield* signedIn
      const authenticator = yield* SoftwareAuthenticator.make({ origin })
      const credential = yield* register(cognito, accessToken, authenticator)
      yield* passkeySignIn(cognito, authenticator)
      yield* passkeySignIn(cognito, authenticator)
      yield* authenticator.setSignCount(credential.id, 0)
      yield* refused(passkeySignIn(cognito, authenticator), "NotAuthorizedException", "Incorrect passkey: sign count")
    }).pipe(Effect.provide(pool()))
  )

  it.effect("names registered credentials in excludeCredentials, so an authenticator does not register twice", () =>
    Effect.gen(function* () {
      const { cognito, accessToken } = yield* signedIn
      const authenticator = yield* SoftwareAuthenticator.make({ origin })
      const credential = yield* register(cognito, accessToken, authenticator)
      const { credentialCreationOptions } = yield* cognito.provider.startWebAuthnRegistration({ accessToken })
      assert.deepStrictEqual(
        credentialCreationOptions.excludeCredentials?.map((c) => c.id),
        [credential.id]
      )
      const error = yield* Effect.flip(authenticator.create(credentialCreationOptions))
      assert.strictEqual(error.reason, "WebAuthnCredentialExists")
      const another = yield* SoftwareAuthenticator.make({ origin, attachment: "cross-platform", transports: ["usb"] })
      yield* register(cognito, accessToken, another)
      assert.strictEqual((yield* cognito.provider.listWebAuthnCredentials({ accessToken })).credentials.length, 2)
    }).pipe(Effect.provide(pool()))
  )

  it.effect("requires the UV flag when the pool requires user verification, and not when it prefers it", () =>
    Effect.gen(function* () {
      const { cognito, accessToken } = yield* signedIn
      const authenticator = yield* SoftwareAuthenticator.make({ origin, userVerification: false })
      yield* cognito.setWebAuthnConfiguration({ relyingPartyId: "example.com", userVerification: "required" })
      yield* refused(register(cognito, accessToken, authenticator), "NotAuthorizedException", /user verification/i)
      yield* cognito.setWebAuthnConfiguration({ relyingPartyId: "example.com", userVerification: "preferred" })
      yield* register(cognito, accessToken, authenticator)
      assert.strictEqual((yield* passkeySignIn(cognito, authenticator))._tag, "Authenticated")
      yield* cognito.setWebAuthnConfiguration({ relyingPartyId: "example.com", userVerification: "required" })
      yield* refused(
        passkeySignIn(cognito, authenticator),
        "NotAuthorizedException",
        "Incorrect passkey: user verification"
      )
      yield* authenticator.setUserVerification(true)
      assert.strictEqual((yield* passkeySignIn(cognito, authenticator))._tag, "Authenticated")
    }).pipe(Effect.provide(pool()))
  )

  it.effect("lists credentials in pages and deletes them; a deleted passkey no longer signs in", () =>
    Effect.gen(function* () {
      const { cognito, accessToken } = yield* signedIn
      const authenticators = yield* Effect.all([1, 2, 3].map(() => SoftwareAuthenticator.make({ origin })))
      for (const authenticator of authenticators) yield* register(cognito, accessToken, authenticator)
      const first = yield* cognito.provider.listWebAuthnCredentials({ accessToken, maxResults: 2 })
      assert.strictEqual(first.credentials.length, 2)
      assert.isDefined(first.nextToken)
      const second = yield* cognito.provider.listWebAuthnCredentials({
        accessToken,
        maxResults: 2,
        nextToken: first.nextToken
      })
      assert.strictEqual(second.credentials.length, 1)
      assert.isUndefined(second.nextToken)
      yield* refused(
        cognito.provider.listWebAuthnCredentials({ accessToken, maxResults: 21 }),
        "InvalidParameterException"
      )
      for (const c of [...first.credentials, ...second.credentials])
        yield* cognito.provider.deleteWebAuthnCredential({ accessToken, credentialId: c.credentialId })
      yield* refused(
        cognito.provider.deleteWebAuthnCredential({ accessToken, credentialId: first.credentials[0]!.credentialId }),
        "ResourceNotFoundException"
      )
      assert.deepStrictEqual((yield* cognito.provider.listWebAuthnCredentials({ accessToken })).credentials, [])
      const fallback = yield* cognito.provider.initiateAuth({
        authFlow: "USER_AUTH",
        username: "alice",
        preferredChallenge: "WEB_AUTHN"
      })
      assert.strictEqual(fallback._tag === "Challenge" ? fallback.challengeName : fallback._tag, "SELECT_CHALLENGE")
    }).pipe(Effect.provide(pool()))
  )

  it.effect("refuses registration without a relying party, or with WEB_AUTHN not allowed", () =>
    Effect.gen(function* () {
      const { cognito, accessToken } = yield* signedIn
      yield* refused(
        cognito.provider.startWebAuthnRegistration({ accessToken }),
        "WebAuthnConfigurationMissingException"
      )
      yield* cognito.setWebAuthnConfiguration({ relyingPartyId: "example.com" })
      yield* cognito.setSignInPolicy({ allowedFirstAuthFactors: ["PASSWORD"] })
      yield* refused(cognito.provider.startWebAuthnRegistration({ accessToken }), "WebAuthnNotEnabledException")
    }).pipe(Effect.provide(pool({ webAuthn: undefined })))
  )

  it.effect("allows any localhost port for the relying party localhost", () =>
    Effect.gen(function* () {
      const { cognito, accessToken } = yield* signedIn
      const authenticator = yield* SoftwareAuthenticator.make({ origin: "http://localhost:5173" })
      yield* register(cognito, accessToken, authenticator)
      yield* authenticator.useOrigin("http://localhost:8080")
      assert.strictEqual((yield* passkeySignIn(cognito, authenticator))._tag, "Authenticated")
    }).pipe(Effect.provide(pool({ webAuthn: { relyingPartyId: "localhost" } })))
  )

  it.effect("keeps passkeys and their sign counts in a snapshot", () =>
    Effect.gen(function* () {
      const { cognito, accessToken } = yield* signedIn
      const authenticator = yield* SoftwareAuthenticator.make({ origin })
      const credential = yield* register(cognito, accessToken, authenticator)
      yield* passkeySignIn(cognito, authenticator)
      const json = yield* Effect.flatMap(cognito.snapshot, TestCognitoSnapshot.toJson)
      const restored = yield* Effect.provide(
        TestCognito.TestCognito,
        TestCognito.layerCognito({ restore: yield* TestCognitoSnapshot.fromJson(json) })
      )
      assert.strictEqual((yield* passkeySignIn(restored, authenticator))._tag, "Authenticated")
      yield* authenticator.setSignCount(credential.id, 1)
      yield* refused(passkeySignIn(restored, authenticator), "NotAuthorizedException", "Incorrect passkey: sign count")
    }).pipe(Effect.provide(pool()))
  )

  it.effect("refuses, and does not throw, when a restored passkey's public key is not one", () =>
    Effect.gen(function* () {
      const { cognito, accessToken } = yield* signedIn
      const authenticator = yield* SoftwareAuthenticator.make({ origin })
      yield* register(cognito, accessToken, authenticator)
      const json = yield* Effect.flatMap(cognito.snapshot, TestCognitoSnapshot.toJson)
      // Not base64url; base64url but not CBOR; CBOR but not a COSE key.
      for (const publicKey of ["not base64url!", "AAAA", "oA"]) {
        const edited = JSON.stringify(JSON.parse(json), (key, value) => (key === "publicKey" ? publicKey : value))
        const restored = yield* Effect.provide(
          TestCognito.TestCognito,
          TestCognito.layerCognito({ restore: yield* TestCognitoSnapshot.fromJson(edited) })
        )
        yield* refused(
          passkeySignIn(restored, authenticator),
          "NotAuthorizedException",
          "Incorrect passkey: unusable credential"
        )
      }
    }).pipe(Effect.provide(pool()))
  )
})
