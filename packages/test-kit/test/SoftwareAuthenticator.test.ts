/**
 * The software authenticator against an independent WebAuthn server library
 * (`@simplewebauthn/server`) with no TestCognito in between: its `none` attestation and
 * COSE key decode and verify, its assertions verify with the registered key and count up,
 * a resident credential answers without `allowCredentials`, and the hooks break exactly
 * what they say (signature, origin, relying party, sign count, replay, UV flag). As a
 * browser would, it refuses a relying party the origin cannot claim and a credential of
 * `excludeCredentials`. Its layer provides core's `WebAuthn`.
 */
import * as WebAuthn from "@effect-cognito/core/WebAuthn"
import { SoftwareAuthenticator } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import {
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type WebAuthnCredential
} from "@simplewebauthn/server"
import * as Effect from "effect/Effect"

const origin = "https://login.example.com"
const rpId = "example.com"

const creation = (challenge: string, exclude: ReadonlyArray<string> = []): WebAuthn.CredentialCreationOptionsJson => ({
  rp: { id: rpId, name: "Example" },
  user: { id: WebAuthn.toBase64Url(new TextEncoder().encode("user-1")), name: "alice", displayName: "Alice" },
  challenge,
  pubKeyCredParams: [{ type: "public-key", alg: -7 }],
  excludeCredentials: exclude.map((id) => ({ type: "public-key", id })),
  authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
  attestation: "none"
})

/** A response as a server receives it: its JSON text, parsed. */
const overTheWire = (response: unknown) => JSON.parse(JSON.stringify(response))

const challengeOf = (text: string) => WebAuthn.toBase64Url(new TextEncoder().encode(text))

/** Registers with the authenticator and verifies the attestation with the library: the credential it would store. */
const registered = (authenticator: SoftwareAuthenticator.SoftwareAuthenticator) =>
  Effect.gen(function* () {
    const challenge = challengeOf("registration challenge")
    const response = yield* authenticator.create(creation(challenge))
    const verified = yield* Effect.promise(() =>
      verifyRegistrationResponse({
        response: overTheWire(response),
        expectedChallenge: challenge,
        expectedOrigin: origin,
        expectedRPID: rpId,
        requireUserVerification: true
      })
    )
    assert.isTrue(verified.verified)
    return { response, credential: verified.registrationInfo!.credential }
  })

/** An assertion for `challenge`, verified by the library against `credential`; the library's verdict or its refusal. */
const verifyAssertion = (
  authenticator: SoftwareAuthenticator.SoftwareAuthenticator,
  credential: WebAuthnCredential,
  challenge = challengeOf("sign-in challenge"),
  request: Partial<WebAuthn.CredentialRequestOptionsJson> = {
    allowCredentials: [{ type: "public-key", id: credential.id }]
  }
) =>
  Effect.gen(function* () {
    const assertion = yield* authenticator.get({ challenge, rpId, userVerification: "required", ...request })
    return yield* Effect.promise(() =>
      verifyAuthenticationResponse({
        response: overTheWire(assertion),
        expectedChallenge: challenge,
        expectedOrigin: origin,
        expectedRPID: rpId,
        credential,
        requireUserVerification: true
      }).then(
        (verdict) => (verdict.verified ? { counter: verdict.authenticationInfo.newCounter } : "unverified"),
        (error: unknown) => (error instanceof Error ? error.message : String(error))
      )
    )
  })

describe("SoftwareAuthenticator", () => {
  it.effect("makes ES256 credentials whose none attestation an independent server verifies", () =>
    Effect.gen(function* () {
      const authenticator = yield* SoftwareAuthenticator.make({ origin })
      const { response, credential } = yield* registered(authenticator)
      assert.strictEqual(response.id, credential.id)
      assert.strictEqual(response.response.publicKeyAlgorithm, -7)
      assert.strictEqual(credential.counter, 0)
      const [held] = yield* authenticator.credentials
      assert.deepStrictEqual(
        { id: held!.credentialId, rpId: held!.rpId, user: held!.userName, count: held!.signCount },
        { id: credential.id, rpId, user: "alice", count: 0 }
      )
    })
  )

  it.effect(
    "signs assertions that verify, counting up, and answers for a resident credential without allowCredentials",
    () =>
      Effect.gen(function* () {
        const authenticator = yield* SoftwareAuthenticator.make({ origin })
        const { credential } = yield* registered(authenticator)
        assert.deepStrictEqual(yield* verifyAssertion(authenticator, credential), { counter: 1 })
        assert.deepStrictEqual(yield* verifyAssertion(authenticator, credential, undefined, {}), { counter: 2 })
      })
  )

  it.effect(
    "breaks what its hooks say: the signature, the origin, the relying party, the count, a replay, the UV flag",
    () =>
      Effect.gen(function* () {
        const authenticator = yield* SoftwareAuthenticator.make({ origin })
        const { credential } = yield* registered(authenticator)
        yield* authenticator.tamperNextSignature
        assert.strictEqual(yield* verifyAssertion(authenticator, credential), "unverified")
        yield* authenticator.useOrigin("https://evil.example.com")
        assert.match(String(yield* verifyAssertion(authenticator, credential)), /origin/)
        yield* authenticator.useOrigin(origin)
        yield* authenticator.useRpId("other.com")
        assert.match(String(yield* verifyAssertion(authenticator, credential)), /RP ID/)
        yield* authenticator.useRpId(undefined)
        const counted = { ...credential, counter: 5 }
        yield* authenticator.setSignCount(credential.id, 3)
        assert.match(String(yield* verifyAssertion(authenticator, counted)), /counter/)
        assert.deepStrictEqual(yield* verifyAssertion(authenticator, credential, challengeOf("first")), { counter: 5 })
        yield* authenticator.replayNext
        assert.match(String(yield* verifyAssertion(authenticator, credential, challengeOf("second"))), /challenge/)
        yield* authenticator.setUserVerification(false)
        assert.match(String(yield* verifyAssertion(authenticator, credential)), /verif/i)
      })
  )

  it.effect("refuses, as a browser does, a relying party the origin cannot claim and an excluded credential", () =>
    Effect.gen(function* () {
      const authenticator = yield* SoftwareAuthenticator.make({ origin })
      const foreign = yield* Effect.flip(
        authenticator.create({ ...creation(challengeOf("x")), rp: { id: "other.com", name: "Other" } })
      )
      assert.strictEqual(foreign.reason, "WebAuthnRelyingPartyMismatch")
      const { credential } = yield* registered(authenticator)
      const excluded = yield* Effect.flip(authenticator.create(creation(challengeOf("y"), [credential.id])))
      assert.strictEqual(excluded.reason, "WebAuthnCredentialExists")
      const none = yield* Effect.flip(
        authenticator.get({ challenge: challengeOf("z"), rpId, allowCredentials: [{ type: "public-key", id: "AAAA" }] })
      )
      assert.strictEqual(none.reason, "WebAuthnCancelled")
    })
  )

  it.effect("provides core's WebAuthn service", () =>
    Effect.gen(function* () {
      const authenticator = yield* SoftwareAuthenticator.make({ origin })
      const response = yield* Effect.gen(function* () {
        const webAuthn = yield* WebAuthn.WebAuthn
        return yield* webAuthn.create(creation(challengeOf("via the service")))
      }).pipe(Effect.provide(SoftwareAuthenticator.layer(authenticator)))
      assert.strictEqual((yield* authenticator.credentials)[0]!.credentialId, response.id)
    })
  )
})
