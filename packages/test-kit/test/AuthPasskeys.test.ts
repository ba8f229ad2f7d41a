/**
 * `Auth`'s passkeys over TestCognito with the test-kit's software authenticator: register
 * (`associateWebAuthnCredential`), list (paginated), delete, and sign in with a passkey and
 * no password, preferred or chosen; refusals (a tampered signature, a wrong origin, a
 * deleted passkey) and an `Auth` without a `WebAuthn` service.
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as WebAuthn from "@effect-cognito/core/WebAuthn"
import { SoftwareAuthenticator, TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { atStart, confirmedUser, expectReason, password, start } from "./fixtures.js"

const origin = "https://example.com"
const options = {
  allowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"],
  webAuthn: { relyingPartyId: "example.com", userVerification: "required" },
  identityPool: false
} as const satisfies TestCognito.Options

const secret = Redacted.make

/**
 * Runs `program` with an `Auth` whose `WebAuthn` is the authenticator in `current` (a test
 * can swap in another device), the pool and the authenticator at hand.
 */
const withPasskeys = <A, E>(
  program: (devices: {
    readonly authenticator: SoftwareAuthenticator.SoftwareAuthenticator
    readonly use: (authenticator: SoftwareAuthenticator.SoftwareAuthenticator) => Effect.Effect<void>
  }) => Effect.Effect<A, E, Layer.Success<ReturnType<typeof TestCognito.layer>>>
) =>
  Effect.gen(function* () {
    const authenticator = yield* SoftwareAuthenticator.make({ origin })
    const current = yield* Ref.make(authenticator)
    const service: WebAuthn.WebAuthn.Service = {
      create: (creation) => Effect.flatMap(Ref.get(current), (device) => device.create(creation)),
      get: (request) => Effect.flatMap(Ref.get(current), (device) => device.get(request))
    }
    const layer = TestCognito.layer(options).pipe(Layer.provide(Layer.succeed(WebAuthn.WebAuthn, service)))
    return yield* program({ authenticator, use: (device) => Ref.set(current, device) }).pipe(Effect.provide(layer))
  })

/** alice, confirmed with a password and signed in by it. */
const aliceSignedIn = Effect.gen(function* () {
  yield* atStart
  yield* confirmedUser()
  yield* (yield* Auth.Auth).signIn({ username: "alice", password })
})

const passkeySignIn = (auth: Auth.Auth.Service) =>
  auth.signIn({ username: "alice", flow: "USER_AUTH", preferredChallenge: "WEB_AUTHN" })

describe("Auth passkeys", () => {
  it.effect("registers a passkey, lists it, and signs in with it and no password", () =>
    withPasskeys(({ authenticator }) =>
      Effect.gen(function* () {
        yield* aliceSignedIn
        const auth = yield* Auth.Auth
        yield* auth.associateWebAuthnCredential()
        const [held] = yield* authenticator.credentials
        assert.isDefined(held)
        const listed = yield* auth.listWebAuthnCredentials()
        assert.strictEqual(listed.credentials.length, 1)
        const [credential] = listed.credentials
        assert.strictEqual(credential?.credentialId, held?.credentialId)
        assert.strictEqual(credential?.relyingPartyId, "example.com")
        assert.deepStrictEqual(credential?.transports, ["internal"])
        assert.strictEqual(credential?.authenticatorAttachment, "platform")
        assert.strictEqual(credential?.createdAt.getTime(), start)
        assert.isUndefined(listed.nextToken)
        yield* auth.signOut()

        assert.strictEqual((yield* passkeySignIn(auth))._tag, "SignedIn")
        assert.deepStrictEqual(yield* auth.username, Option.some("alice"))
        const [after] = yield* authenticator.credentials
        assert.isAbove(after?.signCount ?? 0, 0)
      })
    )
  )

  it.effect("signs in with a passkey chosen at SelectChallenge", () =>
    withPasskeys(() =>
      Effect.gen(function* () {
        yield* aliceSignedIn
        const auth = yield* Auth.Auth
        yield* auth.associateWebAuthnCredential()
        yield* auth.signOut()
        const select = yield* auth.signIn({ username: "alice", flow: "USER_AUTH" })
        assert.strictEqual(select._tag, "SelectChallenge")
        if (select._tag === "SelectChallenge") assert.include([...select.availableChallenges], "WEB_AUTHN")
        assert.strictEqual((yield* auth.confirmSignIn({ challengeResponse: secret("WEB_AUTHN") }))._tag, "SignedIn")
        assert.isTrue(Option.isNone(yield* auth.pendingSignIn))
      })
    )
  )

  it.effect("refuses a passkey sign-in after the passkey is deleted", () =>
    withPasskeys(() =>
      Effect.gen(function* () {
        yield* aliceSignedIn
        const auth = yield* Auth.Auth
        yield* auth.associateWebAuthnCredential()
        const [credential] = (yield* auth.listWebAuthnCredentials()).credentials
        yield* auth.deleteWebAuthnCredential({ credentialId: credential!.credentialId })
        assert.deepStrictEqual((yield* auth.listWebAuthnCredentials()).credentials, [])
        yield* auth.signOut()
        // No passkey left: Cognito does not offer WEB_AUTHN, and choosing it is refused.
        const step = yield* passkeySignIn(auth)
        assert.strictEqual(step._tag, "SelectChallenge")
        if (step._tag === "SelectChallenge") assert.notInclude([...step.availableChallenges], "WEB_AUTHN")
        yield* expectReason(auth.confirmSignIn({ challengeResponse: secret("WEB_AUTHN") }), "InvalidInput")
        assert.isFalse(yield* auth.isSignedIn)
      })
    )
  )

  it.effect("refuses a tampered assertion with NotAuthorized and leaves nothing pending", () =>
    withPasskeys(({ authenticator }) =>
      Effect.gen(function* () {
        yield* aliceSignedIn
        const auth = yield* Auth.Auth
        yield* auth.associateWebAuthnCredential()
        yield* auth.signOut()
        yield* authenticator.tamperNextSignature
        const error = yield* expectReason(passkeySignIn(auth), "NotAuthorized")
        assert.strictEqual(error.exception, "NotAuthorizedException")
        assert.strictEqual(error.description, "Incorrect passkey: signature")
        assert.isTrue(Option.isNone(yield* auth.pendingSignIn))
        assert.isFalse(yield* auth.isSignedIn)
        assert.strictEqual((yield* passkeySignIn(auth))._tag, "SignedIn")
      })
    )
  )

  it.effect(
    "refuses a registration from another origin: the browser with WebAuthnRelyingPartyMismatch, Cognito with WebAuthnOriginNotAllowed",
    () =>
      withPasskeys(({ authenticator }) =>
        Effect.gen(function* () {
          yield* aliceSignedIn
          const auth = yield* Auth.Auth
          yield* authenticator.useOrigin("https://evil.example")
          // A browser refuses first: the relying party does not fit the page's origin.
          yield* expectReason(auth.associateWebAuthnCredential(), "WebAuthnRelyingPartyMismatch")
          // Past the browser's check, Cognito refuses the origin in the client data.
          yield* authenticator.useRpId("example.com")
          const error = yield* expectReason(auth.associateWebAuthnCredential(), "WebAuthnOriginNotAllowed")
          assert.strictEqual(error.exception, "WebAuthnOriginNotAllowedException")
          assert.deepStrictEqual((yield* auth.listWebAuthnCredentials()).credentials, [])
        })
      )
  )

  it.effect("a second registration on the same authenticator is refused by it (WebAuthnCredentialExists)", () =>
    withPasskeys(() =>
      Effect.gen(function* () {
        yield* aliceSignedIn
        const auth = yield* Auth.Auth
        yield* auth.associateWebAuthnCredential()
        yield* expectReason(auth.associateWebAuthnCredential(), "WebAuthnCredentialExists")
      })
    )
  )

  it.effect("lists passkeys page by page", () =>
    withPasskeys(({ use }) =>
      Effect.gen(function* () {
        yield* aliceSignedIn
        const auth = yield* Auth.Auth
        for (let i = 0; i < 3; i++) {
          yield* use(yield* SoftwareAuthenticator.make({ origin }))
          yield* auth.associateWebAuthnCredential()
        }
        const first = yield* auth.listWebAuthnCredentials({ limit: 2 })
        assert.strictEqual(first.credentials.length, 2)
        assert.isDefined(first.nextToken)
        const second = yield* auth.listWebAuthnCredentials({ limit: 2, nextToken: first.nextToken })
        assert.strictEqual(second.credentials.length, 1)
        assert.isUndefined(second.nextToken)
        const ids = [...first.credentials, ...second.credentials].map((c) => c.credentialId)
        assert.strictEqual(new Set(ids).size, 3)
        yield* expectReason(auth.listWebAuthnCredentials({ limit: 21 }), "InvalidInput")
        yield* expectReason(auth.listWebAuthnCredentials({ nextToken: "" }), "InvalidInput")
        yield* expectReason(auth.deleteWebAuthnCredential({ credentialId: "" }), "InvalidInput")
      })
    )
  )

  it.effect("the passkey methods need a signed-in user", () =>
    withPasskeys(() =>
      Effect.gen(function* () {
        const auth = yield* Auth.Auth
        yield* expectReason(auth.associateWebAuthnCredential(), "NotSignedIn")
        yield* expectReason(auth.listWebAuthnCredentials(), "NotSignedIn")
        yield* expectReason(auth.deleteWebAuthnCredential({ credentialId: "Y3JlZC0x" }), "NotSignedIn")
      })
    )
  )

  it.effect("without a WebAuthn service, registering and a passkey step fail with WebAuthnUnavailable", () =>
    withPasskeys(() =>
      Effect.gen(function* () {
        yield* aliceSignedIn
        yield* (yield* Auth.Auth).associateWebAuthnCredential()
        // Another Auth over the same pool, built with no WebAuthn service.
        const bare = yield* Effect.provide(Auth.Auth, TestCognito.layerAuth(options))
        yield* bare.signIn({ username: "alice", password })
        yield* expectReason(bare.associateWebAuthnCredential(), "WebAuthnUnavailable")
        yield* bare.signOut()
        yield* expectReason(passkeySignIn(bare), "WebAuthnUnavailable")
        assert.isTrue(Option.isNone(yield* bare.pendingSignIn))
      })
    )
  )
})
