/**
 * TestCognito's MFA settings and attribute deletion for a signed-in user, driven through
 * its `IdentityProvider`: SetUserMFAPreference as Cognito checks it (TOTP only after a
 * verified authenticator, preferred implies enabled, one preferred method), GetUser's
 * `UserMFASettingList` and `PreferredMfaSetting`, a TOTP code accepted once, and
 * DeleteUserAttributes (email and phone number take their `_verified` flags with them;
 * `sub` and required attributes stay).
 */
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { expectChallenge, expectTokens } from "./deviceClient.js"
import { atStart } from "./fixtures.js"

const password = Redacted.make("Abc@123!x")

const pool = TestCognito.layerCognito({ mfa: "OPTIONAL", requiredAttributes: ["email"], identityPool: false })

/** A user signed up, confirmed with the code sent to the email, and signed in (no MFA yet); returns the access token. */
const signedIn = (username: string, attributes: Readonly<Record<string, string>> = {}) =>
  Effect.gen(function* () {
    const cognito = yield* TestCognito.TestCognito
    yield* cognito.provider.signUp({
      username,
      password,
      userAttributes: { email: `${username}@example.com`, ...attributes }
    })
    yield* cognito.provider.confirmSignUp({ username, confirmationCode: yield* cognito.lastCodeFor(username) })
    const tokens = expectTokens(
      yield* cognito.provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username, password })
    )
    return tokens.accessToken
  })

const exceptionOf = <A, R>(effect: Effect.Effect<A, { readonly exception?: string | undefined }, R>) =>
  Effect.map(Effect.flip(effect), (error) => error.exception)

const failureOf = <A, R>(
  effect: Effect.Effect<A, { readonly exception?: string | undefined; readonly description?: string | undefined }, R>
) => Effect.map(Effect.flip(effect), (error) => [error.exception, error.description])

const settingsOf = (accessToken: Redacted.Redacted<string>) =>
  Effect.flatMap(TestCognito.TestCognito, (cognito) =>
    Effect.map(cognito.provider.getUser({ accessToken }), (user) => ({
      list: user.userMfaSettingList,
      preferred: user.preferredMfaSetting
    }))
  )

/** The signed-in user registers an authenticator (AssociateSoftwareToken, VerifySoftwareToken); returns its secret. */
const registerTotp = (accessToken: Redacted.Redacted<string>) =>
  Effect.gen(function* () {
    const cognito = yield* TestCognito.TestCognito
    const { secretCode } = yield* cognito.provider.associateSoftwareToken({ accessToken })
    const verified = yield* cognito.provider.verifySoftwareToken({
      accessToken,
      userCode: yield* cognito.totpCode(secretCode)
    })
    assert.strictEqual(verified.status, "SUCCESS")
    return secretCode
  })

/** A USER_PASSWORD_AUTH sign-in that must stop at SOFTWARE_TOKEN_MFA, and its answer. */
const totpAnswer = (username: string) =>
  Effect.gen(function* () {
    const cognito = yield* TestCognito.TestCognito
    const started = expectChallenge(
      yield* cognito.provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username, password }),
      "SOFTWARE_TOKEN_MFA"
    )
    return (code: Redacted.Redacted<string>) =>
      cognito.provider.respondToAuthChallenge({
        challengeName: "SOFTWARE_TOKEN_MFA",
        session: started.session,
        challengeResponses: { USERNAME: Redacted.make(username), SOFTWARE_TOKEN_MFA_CODE: code }
      })
  })

describe("TestCognito MFA settings", () => {
  it.effect("TOTP cannot be enabled before VerifySoftwareToken succeeded", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      const accessToken = yield* signedIn("alice")
      const enableTotp = cognito.provider.setUserMfaPreference({
        accessToken,
        softwareTokenMfaSettings: { enabled: true, preferredMfa: true }
      })
      assert.deepStrictEqual(yield* failureOf(enableTotp), [
        "InvalidParameterException",
        "User has not verified software token mfa"
      ])
      // Associated but not verified: still refused.
      yield* cognito.provider.associateSoftwareToken({ accessToken })
      assert.strictEqual(yield* exceptionOf(enableTotp), "InvalidParameterException")
      assert.deepStrictEqual(yield* settingsOf(accessToken), { list: [], preferred: undefined })
    }).pipe(Effect.provide(pool))
  )

  it.effect("SetUserMFAPreference enables and prefers methods; GetUser lists them; preferred implies enabled", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      const accessToken = yield* signedIn("alice", { phone_number: "+15555550100" })
      yield* registerTotp(accessToken)
      const set = (
        request: Omit<Parameters<IdentityProvider.IdentityProvider.Service["setUserMfaPreference"]>[0], "accessToken">
      ) => cognito.provider.setUserMfaPreference({ accessToken, ...request })
      yield* set({ softwareTokenMfaSettings: { enabled: false } })
      assert.deepStrictEqual(yield* settingsOf(accessToken), { list: [], preferred: undefined })
      yield* set({ smsMfaSettings: { preferredMfa: true }, emailMfaSettings: { enabled: true } })
      assert.deepStrictEqual(yield* settingsOf(accessToken), {
        list: ["SMS_MFA", "EMAIL_OTP"],
        preferred: "SMS_MFA"
      })
      yield* set({ softwareTokenMfaSettings: { enabled: true, preferredMfa: true } })
      assert.deepStrictEqual(yield* settingsOf(accessToken), {
        list: ["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"],
        preferred: "SOFTWARE_TOKEN_MFA"
      })
      // An absent setting is left as it is; turning the preferred method off clears the preference.
      yield* set({ softwareTokenMfaSettings: { enabled: false } })
      assert.deepStrictEqual(yield* settingsOf(accessToken), { list: ["SMS_MFA", "EMAIL_OTP"], preferred: undefined })
      assert.deepStrictEqual(
        yield* failureOf(
          set({ smsMfaSettings: { preferredMfa: true }, emailMfaSettings: { enabled: true, preferredMfa: true } })
        ),
        ["InvalidParameterException", "Only one MFA method can be preferred."]
      )
      // The sign-in then asks for the methods chosen.
      yield* set({ emailMfaSettings: { preferredMfa: true } })
      const next = yield* cognito.provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username: "alice", password })
      expectChallenge(next, "EMAIL_OTP")
    }).pipe(Effect.provide(pool))
  )

  it.effect("SMS and email MFA need a phone number and an email address", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      const accessToken = yield* signedIn("alice")
      assert.deepStrictEqual(
        yield* failureOf(cognito.provider.setUserMfaPreference({ accessToken, smsMfaSettings: { enabled: true } })),
        ["InvalidParameterException", "User does not have delivery config set to turn on SMS_MFA"]
      )
      // Nothing applied from a refused request.
      assert.strictEqual(
        yield* exceptionOf(
          cognito.provider.setUserMfaPreference({
            accessToken,
            emailMfaSettings: { enabled: true },
            smsMfaSettings: { enabled: true }
          })
        ),
        "InvalidParameterException"
      )
      assert.deepStrictEqual(yield* settingsOf(accessToken), { list: [], preferred: undefined })
      assert.strictEqual(
        yield* exceptionOf(
          cognito.provider.setUserMfaPreference({
            accessToken: Redacted.make("not-a-token"),
            emailMfaSettings: { enabled: true }
          })
        ),
        "NotAuthorizedException"
      )
    }).pipe(Effect.provide(pool))
  )

  it.effect("a TOTP code is accepted once: reused within its step it is CodeMismatchException", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      const accessToken = yield* signedIn("alice")
      const secret = yield* registerTotp(accessToken)
      yield* cognito.provider.setUserMfaPreference({ accessToken, softwareTokenMfaSettings: { preferredMfa: true } })
      // The code that verified the authenticator is used up too.
      const verifiedCode = yield* cognito.totpCode(secret)
      const first = yield* totpAnswer("alice")
      assert.deepStrictEqual(yield* failureOf(first(verifiedCode)), [
        "CodeMismatchException",
        "Invalid code received for user"
      ])
      yield* TestClock.adjust("30 seconds")
      const code = yield* cognito.totpCode(secret)
      expectTokens(yield* first(code))
      const second = yield* totpAnswer("alice")
      assert.strictEqual(yield* exceptionOf(second(code)), "CodeMismatchException")
      // Still in the same step: no code of it works again. The next step's does.
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual(yield* exceptionOf(second(yield* cognito.totpCode(secret))), "CodeMismatchException")
      yield* TestClock.adjust("30 seconds")
      expectTokens(yield* second(yield* cognito.totpCode(secret)))
    }).pipe(Effect.provide(pool))
  )

  it.effect("DeleteUserAttributes removes attributes, email with email_verified; sub and required ones stay", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      const accessToken = yield* signedIn("alice", { phone_number: "+15555550100", nickname: "al" })
      const attributesOf = Effect.map(cognito.provider.getUser({ accessToken }), (u) => u.userAttributes)
      assert.deepStrictEqual(
        yield* failureOf(
          cognito.provider.deleteUserAttributes({ accessToken, userAttributeNames: ["nickname", "sub"] })
        ),
        ["InvalidParameterException", "Cannot delete the required attribute sub"]
      )
      assert.strictEqual(
        yield* exceptionOf(cognito.provider.deleteUserAttributes({ accessToken, userAttributeNames: ["email"] })),
        "InvalidParameterException"
      )
      assert.strictEqual(
        yield* exceptionOf(cognito.provider.deleteUserAttributes({ accessToken, userAttributeNames: ["bad name"] })),
        "InvalidParameterException"
      )
      // Nothing deleted by a refused request.
      assert.strictEqual((yield* attributesOf).nickname, "al")
      yield* cognito.provider.updateUserAttributes({ accessToken, userAttributes: { phone_number: "+15555550111" } })
      yield* cognito.provider.deleteUserAttributes({
        accessToken,
        userAttributeNames: ["nickname", "phone_number", "given_name"]
      })
      const after = yield* attributesOf
      assert.isUndefined(after.nickname)
      assert.isUndefined(after.phone_number)
      assert.isUndefined(after.phone_number_verified)
      assert.strictEqual(after.email, "alice@example.com")
      assert.isDefined(after.sub)
      // The code sent for the deleted number answers nothing any more.
      const code = yield* cognito.lastCodeFor("alice")
      assert.strictEqual(
        yield* exceptionOf(cognito.provider.verifyUserAttribute({ accessToken, attributeName: "phone_number", code })),
        "InvalidParameterException"
      )
    }).pipe(Effect.provide(pool))
  )

  it.effect("a pool that requires no attribute lets the user delete the email, with email_verified", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      const accessToken = yield* signedIn("alice")
      assert.strictEqual((yield* cognito.provider.getUser({ accessToken })).userAttributes.email_verified, "true")
      yield* cognito.provider.deleteUserAttributes({ accessToken, userAttributeNames: ["email"] })
      const attributes = (yield* cognito.provider.getUser({ accessToken })).userAttributes
      assert.deepStrictEqual(Object.keys(attributes), ["sub"])
    }).pipe(Effect.provide(TestCognito.layerCognito({ identityPool: false })))
  )
})
