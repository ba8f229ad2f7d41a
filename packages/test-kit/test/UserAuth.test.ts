/**
 * Choice-based sign-in (`USER_AUTH`) on TestCognito, over its `IdentityProvider` as a
 * client sees it: password-less sign-up and the sign-in with ConfirmSignUp's session
 * (single use, 3 minutes), SELECT_CHALLENGE and the factors a user can choose, email and
 * SMS codes as first factors, the password factors (then MFA as before), the client's
 * `ALLOW_USER_AUTH`, the pool's tier, and the settings kept in snapshots.
 */
import type * as AuthError from "@effect-cognito/core/AuthError"
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import { TestCognito, TestCognitoSnapshot } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { atStart, password } from "./fixtures.js"

const passwordless = {
  allowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"],
  identityPool: false
} as const satisfies TestCognito.Options

const secret = Redacted.make

/** Fails unless the effect fails with Cognito's exception `name`; returns the error. */
const refused = <A>(effect: Effect.Effect<A, AuthError.AuthError>, name: string) =>
  Effect.gen(function* () {
    const error = yield* Effect.flip(effect)
    assert.strictEqual(error.exception, name, String(error))
    return error
  })

const challengeOf = (response: IdentityProvider.AuthResponse) => {
  assert.strictEqual(response._tag, "Challenge")
  return response as Extract<IdentityProvider.AuthResponse, { readonly _tag: "Challenge" }>
}

const authenticated = (response: IdentityProvider.AuthResponse) => assert.strictEqual(response._tag, "Authenticated")

/** A confirmed user with a password, a verified email and a verified phone number. */
const confirmedWithPassword = (username = "alice") =>
  Effect.gen(function* () {
    const cognito = yield* TestCognito.TestCognito
    yield* cognito.provider.signUp({
      username,
      password,
      userAttributes: { email: `${username}@example.com`, phone_number: "+15555550100" }
    })
    yield* cognito.provider.confirmSignUp({ username, confirmationCode: yield* cognito.lastCodeFor(username) })
    return cognito
  })

/** A user signed up without a password and confirmed by the emailed code; returns ConfirmSignUp's session. */
const passwordlessUser = (username = "bob") =>
  Effect.gen(function* () {
    const cognito = yield* TestCognito.TestCognito
    const signedUp = yield* cognito.provider.signUp({ username, userAttributes: { email: `${username}@example.com` } })
    assert.isFalse(signedUp.userConfirmed)
    const confirmed = yield* cognito.provider.confirmSignUp({
      username,
      confirmationCode: yield* cognito.lastCodeFor(username)
    })
    assert.isDefined(confirmed.session)
    return { cognito, session: confirmed.session! }
  })

describe("TestCognito USER_AUTH", () => {
  it.effect("signs a password-less user in with ConfirmSignUp's session, once", () =>
    Effect.gen(function* () {
      yield* atStart
      const { cognito, session } = yield* passwordlessUser()
      assert.notInclude(JSON.stringify({ session }), Redacted.value(session))
      authenticated(yield* cognito.provider.initiateAuth({ authFlow: "USER_AUTH", username: "bob", session }))
      yield* refused(
        cognito.provider.initiateAuth({ authFlow: "USER_AUTH", username: "bob", session }),
        "NotAuthorizedException"
      )
    }).pipe(Effect.provide(TestCognito.layerCognito(passwordless)))
  )

  it.effect("refuses ConfirmSignUp's session after 3 minutes and for another user", () =>
    Effect.gen(function* () {
      yield* atStart
      const { cognito, session } = yield* passwordlessUser()
      yield* refused(
        cognito.provider.initiateAuth({ authFlow: "USER_AUTH", username: "alice", session }),
        "NotAuthorizedException"
      )
      yield* TestClock.adjust("3 minutes")
      yield* refused(
        cognito.provider.initiateAuth({ authFlow: "USER_AUTH", username: "bob", session }),
        "NotAuthorizedException"
      )
    }).pipe(Effect.provide(TestCognito.layerCognito(passwordless)))
  )

  it.effect("refuses a sign-up without a password when the pool allows only PASSWORD", () =>
    Effect.gen(function* () {
      const cognito = yield* TestCognito.TestCognito
      yield* refused(
        cognito.provider.signUp({ username: "bob", userAttributes: { email: "bob@example.com" } }),
        "InvalidParameterException"
      )
    }).pipe(Effect.provide(TestCognito.layerCognito({ identityPool: false })))
  )

  it.effect("offers the factors the pool allows and the user can use, then an emailed code signs in", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* confirmedWithPassword()
      const select = challengeOf(yield* cognito.provider.initiateAuth({ authFlow: "USER_AUTH", username: "alice" }))
      assert.strictEqual(select.challengeName, "SELECT_CHALLENGE")
      // A phone number that was never verified is no SMS_OTP factor; no passkey, no WEB_AUTHN.
      assert.deepStrictEqual(select.availableChallenges, ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"])
      const otp = challengeOf(
        yield* cognito.provider.respondToAuthChallenge({
          challengeName: "SELECT_CHALLENGE",
          session: select.session,
          challengeResponses: { USERNAME: secret("alice"), ANSWER: secret("EMAIL_OTP") }
        })
      )
      assert.strictEqual(otp.challengeName, "EMAIL_OTP")
      assert.strictEqual(otp.parameters.CODE_DELIVERY_DELIVERY_MEDIUM, "EMAIL")
      assert.strictEqual(otp.parameters.CODE_DELIVERY_DESTINATION, "a***@e***")
      const code = yield* cognito.lastCodeFor("alice")
      const answer = (value: string) =>
        cognito.provider.respondToAuthChallenge({
          challengeName: "EMAIL_OTP",
          session: otp.session,
          challengeResponses: { USERNAME: secret("alice"), EMAIL_OTP_CODE: secret(value) }
        })
      yield* refused(answer(Redacted.value(code) === "000000" ? "111111" : "000000"), "CodeMismatchException")
      authenticated(yield* answer(Redacted.value(code)))
      const sent = (yield* cognito.outbox).at(-1)!
      assert.deepStrictEqual([sent.purpose, sent.medium], ["Mfa", "EMAIL"])
    }).pipe(Effect.provide(TestCognito.layerCognito(passwordless)))
  )

  it.effect("refuses an answer SELECT_CHALLENGE did not offer", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* confirmedWithPassword()
      const select = challengeOf(yield* cognito.provider.initiateAuth({ authFlow: "USER_AUTH", username: "alice" }))
      yield* refused(
        cognito.provider.respondToAuthChallenge({
          challengeName: "SELECT_CHALLENGE",
          session: select.session,
          challengeResponses: { USERNAME: secret("alice"), ANSWER: secret("SMS_OTP") }
        }),
        "InvalidParameterException"
      )
    }).pipe(Effect.provide(TestCognito.layerCognito(passwordless)))
  )

  it.effect("starts with the preferred factor: an emailed code, or an SMS code to a verified phone", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* confirmedWithPassword()
      const email = challengeOf(
        yield* cognito.provider.initiateAuth({
          authFlow: "USER_AUTH",
          username: "alice",
          preferredChallenge: "EMAIL_OTP"
        })
      )
      assert.strictEqual(email.challengeName, "EMAIL_OTP")
      yield* cognito.adminCreateUser({
        username: "carol",
        userAttributes: { phone_number: "+15555550111" },
        messageAction: "SUPPRESS"
      })
      yield* cognito.adminSetUserPassword("carol", password, { permanent: true })
      const sms = challengeOf(
        yield* cognito.provider.initiateAuth({
          authFlow: "USER_AUTH",
          username: "carol",
          preferredChallenge: "SMS_OTP"
        })
      )
      assert.strictEqual(sms.challengeName, "SMS_OTP")
      assert.strictEqual(sms.parameters.CODE_DELIVERY_DELIVERY_MEDIUM, "SMS")
      authenticated(
        yield* cognito.provider.respondToAuthChallenge({
          challengeName: "SMS_OTP",
          session: sms.session,
          challengeResponses: { USERNAME: secret("carol"), SMS_OTP_CODE: yield* cognito.lastCodeFor("carol") }
        })
      )
    }).pipe(Effect.provide(TestCognito.layerCognito(passwordless)))
  )

  it.effect("falls back to SELECT_CHALLENGE when the user cannot use the preferred factor", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* confirmedWithPassword()
      const select = challengeOf(
        yield* cognito.provider.initiateAuth({
          authFlow: "USER_AUTH",
          username: "alice",
          preferredChallenge: "WEB_AUTHN"
        })
      )
      assert.strictEqual(select.challengeName, "SELECT_CHALLENGE")
    }).pipe(Effect.provide(TestCognito.layerCognito({ ...passwordless, webAuthn: { relyingPartyId: "example.com" } })))
  )

  it.effect("takes a password first factor, then asks for MFA as before", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* confirmedWithPassword()
      yield* refused(
        cognito.provider.initiateAuth({
          authFlow: "USER_AUTH",
          username: "alice",
          preferredChallenge: "PASSWORD",
          password: secret("Wrong@123!x")
        }),
        "NotAuthorizedException"
      )
      authenticated(
        yield* cognito.provider.initiateAuth({
          authFlow: "USER_AUTH",
          username: "alice",
          preferredChallenge: "PASSWORD",
          password
        })
      )
      yield* cognito.adminSetUserMfa("alice", { email: true, preferred: "EMAIL" })
      const mfa = challengeOf(
        yield* cognito.provider.initiateAuth({
          authFlow: "USER_AUTH",
          username: "alice",
          preferredChallenge: "PASSWORD",
          password
        })
      )
      assert.strictEqual(mfa.challengeName, "EMAIL_OTP")
      const srp = challengeOf(
        yield* cognito.provider.initiateAuth({
          authFlow: "USER_AUTH",
          username: "alice",
          preferredChallenge: "PASSWORD_SRP",
          srpA: "0a"
        })
      )
      assert.strictEqual(srp.challengeName, "PASSWORD_VERIFIER")
    }).pipe(Effect.provide(TestCognito.layerCognito({ ...passwordless, mfa: "OPTIONAL" })))
  )

  it.effect("answers PASSWORD chosen in SELECT_CHALLENGE with the password given along", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* confirmedWithPassword()
      const select = challengeOf(yield* cognito.provider.initiateAuth({ authFlow: "USER_AUTH", username: "alice" }))
      authenticated(
        yield* cognito.provider.respondToAuthChallenge({
          challengeName: "SELECT_CHALLENGE",
          session: select.session,
          challengeResponses: { USERNAME: secret("alice"), ANSWER: secret("PASSWORD"), PASSWORD: password }
        })
      )
    }).pipe(Effect.provide(TestCognito.layerCognito(passwordless)))
  )

  it.effect("offers a password-less user no password factor", () =>
    Effect.gen(function* () {
      yield* atStart
      const { cognito } = yield* passwordlessUser()
      const select = challengeOf(yield* cognito.provider.initiateAuth({ authFlow: "USER_AUTH", username: "bob" }))
      assert.deepStrictEqual(select.availableChallenges, ["EMAIL_OTP"])
      yield* refused(
        cognito.provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username: "bob", password }),
        "NotAuthorizedException"
      )
    }).pipe(Effect.provide(TestCognito.layerCognito(passwordless)))
  )

  it.effect("refuses USER_AUTH on a client without ALLOW_USER_AUTH", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* confirmedWithPassword()
      const client = yield* cognito.withClient({
        clientId: "srponlyclient123456",
        explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
      })
      const error = yield* refused(
        client.provider.initiateAuth({ authFlow: "USER_AUTH", username: "alice" }),
        "InvalidParameterException"
      )
      assert.strictEqual(error.description, "USER_AUTH flow not enabled for this client")
    }).pipe(Effect.provide(TestCognito.layerCognito(passwordless)))
  )

  it.effect("keeps password-less factors off a LITE pool, and PASSWORD always allowed", () =>
    Effect.gen(function* () {
      const cognito = yield* TestCognito.TestCognito
      yield* refused(
        cognito.setSignInPolicy({ allowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP"], userPoolTier: "LITE" }),
        "FeatureUnavailableInTierException"
      )
      yield* refused(cognito.setSignInPolicy({ allowedFirstAuthFactors: ["EMAIL_OTP"] }), "InvalidParameterException")
      yield* cognito.setSignInPolicy({ allowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP"] })
      assert.deepStrictEqual(yield* cognito.signInPolicy, {
        allowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP"],
        userPoolTier: "ESSENTIALS"
      })
    }).pipe(Effect.provide(TestCognito.layerCognito({ identityPool: false })))
  )

  it.effect(
    "keeps the sign-in policy, the relying party and password-less users in a snapshot; old snapshots load",
    () =>
      Effect.gen(function* () {
        yield* atStart
        const { cognito } = yield* passwordlessUser()
        yield* cognito.setWebAuthnConfiguration({ relyingPartyId: "example.com", userVerification: "required" })
        const json = yield* Effect.flatMap(cognito.snapshot, TestCognitoSnapshot.toJson)
        const restored = yield* Effect.provide(
          TestCognito.TestCognito,
          TestCognito.layerCognito({ restore: yield* TestCognitoSnapshot.fromJson(json) })
        )
        assert.deepStrictEqual(yield* restored.signInPolicy, {
          allowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"],
          userPoolTier: "ESSENTIALS"
        })
        assert.deepStrictEqual(yield* restored.webAuthnConfiguration, {
          relyingPartyId: "example.com",
          userVerification: "required"
        })
        const select = challengeOf(yield* restored.provider.initiateAuth({ authFlow: "USER_AUTH", username: "bob" }))
        assert.deepStrictEqual(select.availableChallenges, ["EMAIL_OTP"])
        // A snapshot written before these settings existed: PASSWORD only, no relying party.
        const old = JSON.parse(json) as { pool: Record<string, unknown>; users: Array<Record<string, unknown>> }
        delete old.pool.allowedFirstAuthFactors
        delete old.pool.userPoolTier
        delete old.pool.webAuthn
        for (const user of old.users) delete user.passwordless
        const before = yield* Effect.provide(
          TestCognito.TestCognito,
          TestCognito.layerCognito({ restore: yield* TestCognitoSnapshot.fromJson(JSON.stringify(old)) })
        )
        assert.deepStrictEqual((yield* before.signInPolicy).allowedFirstAuthFactors, ["PASSWORD"])
        assert.isUndefined(yield* before.webAuthnConfiguration)
      }).pipe(Effect.provide(TestCognito.layerCognito(passwordless)))
  )
})
