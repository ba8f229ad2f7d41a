/**
 * What the local Cognito needs from a pool beyond one app client: several app clients
 * over the same users, the admin actions of setup scripts (confirm, set password, global
 * sign-out, list), a configurable issuer, and Cognito's claim types in the id token.
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as Srp from "@effect-cognito/core/Srp"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { alice, atStart, confirmedUser, expectReason, otherPassword, password } from "./fixtures.js"

const claims = (token: Redacted.Redacted<string>) =>
  JSON.parse(Buffer.from(Redacted.value(token).split(".")[1] ?? "", "base64url").toString("utf8")) as Record<
    string,
    unknown
  >

describe("TestCognito app clients", () => {
  it.effect("another client shares the users, checks its own secret, and keeps refresh tokens to itself", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const cognito = yield* TestCognito.TestCognito
      const secret = Redacted.make("s3cr3t-of-the-second-client")
      const other = yield* cognito.withClient({
        clientId: "secondclient1234",
        clientSecret: secret,
        tokenValidity: { accessToken: "5 minutes" }
      })
      const signIn = (secretHash?: Redacted.Redacted<string>) =>
        other.provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username: "alice", password, secretHash })
      yield* expectReason(signIn(), "NotAuthorized")
      const response = yield* signIn(yield* Srp.secretHash("alice", "secondclient1234", secret))
      if (response._tag !== "Authenticated") return assert.fail(`expected tokens, got ${response._tag}`)
      assert.strictEqual(response.tokens.expiresIn, 300)
      assert.strictEqual(claims(response.tokens.accessToken).client_id, "secondclient1234")
      assert.strictEqual(claims(response.tokens.idToken).aud, "secondclient1234")
      const refreshToken = response.tokens.refreshToken
      if (refreshToken === undefined) return assert.fail("no refresh token")
      yield* expectReason(
        cognito.provider.initiateAuth({ authFlow: "REFRESH_TOKEN_AUTH", refreshToken }),
        "NotAuthorized"
      )
      yield* expectReason(other.withClient({ clientId: "not a client id" }), "InvalidConfig")
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})

describe("TestCognito admin actions", () => {
  it.effect("adminConfirmSignUp confirms without a code, once", () =>
    Effect.gen(function* () {
      yield* atStart
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      yield* auth.signUp(alice)
      yield* cognito.adminConfirmSignUp("alice")
      assert.strictEqual((yield* cognito.adminGetUser("alice")).status, "CONFIRMED")
      yield* expectReason(cognito.adminConfirmSignUp("alice"), "NotAuthorized")
      yield* expectReason(cognito.adminConfirmSignUp("nobody"), "UserNotFound")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("adminSetUserPassword: temporary asks for a new password, permanent signs in, weak is refused", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      yield* expectReason(
        cognito.adminSetUserPassword("alice", Redacted.make("weak"), { permanent: true }),
        "InvalidPassword"
      )
      yield* cognito.adminSetUserPassword("alice", otherPassword, { permanent: false })
      assert.strictEqual((yield* cognito.adminGetUser("alice")).status, "FORCE_CHANGE_PASSWORD")
      assert.strictEqual(
        (yield* auth.signIn({ username: "alice", password: otherPassword }))._tag,
        "NewPasswordRequired"
      )
      yield* cognito.adminSetUserPassword("alice", password, { permanent: true })
      assert.strictEqual((yield* cognito.adminGetUser("alice")).status, "CONFIRMED")
      yield* expectReason(auth.signIn({ username: "alice", password: otherPassword }), "NotAuthorized")
      assert.strictEqual((yield* auth.signIn({ username: "alice", password }))._tag, "SignedIn")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("adminUserGlobalSignOut ends every session of the user; listUsers lists the pool", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      yield* auth.signIn({ username: "alice", password })
      yield* cognito.adminUserGlobalSignOut("alice")
      yield* expectReason(auth.getTokens({ forceRefresh: true }), "SessionExpired")
      yield* cognito.adminCreateUser({ username: "bob", temporaryPassword: otherPassword })
      const users = yield* cognito.listUsers
      assert.deepStrictEqual(
        users.map((u) => [u.username, u.status, u.enabled]),
        [
          ["alice", "CONFIRMED", true],
          ["bob", "FORCE_CHANGE_PASSWORD", true]
        ]
      )
      yield* expectReason(cognito.adminUserGlobalSignOut("nobody"), "UserNotFound")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect(
    "a temporary password expires after 7 days; RESEND sets a new one, restarts its validity and invites again",
    () =>
      Effect.gen(function* () {
        yield* atStart
        const auth = yield* Auth.Auth
        const cognito = yield* TestCognito.TestCognito
        const invitations = Effect.map(cognito.outbox, (outbox) =>
          outbox.filter((m) => m.username === "carol" && m.purpose === "Invitation")
        )
        yield* cognito.adminCreateUser({
          username: "carol",
          userAttributes: { email: "carol@example.com" },
          desiredDeliveryMediums: ["EMAIL"]
        })
        const first = (yield* invitations)[0]!.code
        yield* TestClock.adjust("7 days")
        const expired = yield* expectReason(auth.signIn({ username: "carol", password: first }), "NotAuthorized")
        assert.include(expired.message, "Temporary password has expired")

        yield* cognito.adminCreateUser({
          username: "carol",
          messageAction: "RESEND",
          desiredDeliveryMediums: ["EMAIL"]
        })
        const sent = yield* invitations
        assert.strictEqual(sent.length, 2)
        assert.deepInclude(sent[1], { medium: "EMAIL", destination: "carol@example.com" })
        const second = sent[1]!.code
        assert.notStrictEqual(Redacted.value(second), Redacted.value(first))
        yield* expectReason(auth.signIn({ username: "carol", password: first }), "NotAuthorized")
        yield* TestClock.adjust("6 days")
        assert.strictEqual((yield* auth.signIn({ username: "carol", password: second }))._tag, "NewPasswordRequired")

        // A given temporary password is used as it is.
        yield* cognito.adminCreateUser({ username: "carol", messageAction: "RESEND", temporaryPassword: otherPassword })
        assert.strictEqual((yield* invitations).length, 2, "SMS is the default medium and carol has no phone")
        assert.strictEqual(
          (yield* auth.signIn({ username: "carol", password: otherPassword }))._tag,
          "NewPasswordRequired"
        )
        assert.strictEqual((yield* auth.confirmSignIn({ challengeResponse: password }))._tag, "SignedIn")

        // Cognito's answers for a user who does not exist and one who set a password.
        yield* expectReason(cognito.adminCreateUser({ username: "nobody", messageAction: "RESEND" }), "UserNotFound")
        const confirmed = yield* expectReason(
          cognito.adminCreateUser({ username: "carol", messageAction: "RESEND" }),
          "UnsupportedOperation"
        )
        assert.strictEqual(confirmed.exception, "UnsupportedUserStateException")
      }).pipe(Effect.provide(TestCognito.layer({ mfa: "OFF" })))
  )
})

describe("TestCognito id tokens", () => {
  it.effect("carry email_verified and phone_number_verified as JSON booleans and the configured issuer", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const cognito = yield* TestCognito.TestCognito
      const response = yield* cognito.provider.initiateAuth({
        authFlow: "USER_PASSWORD_AUTH",
        username: "alice",
        password
      })
      if (response._tag !== "Authenticated") return assert.fail(`expected tokens, got ${response._tag}`)
      const id = claims(response.tokens.idToken)
      assert.strictEqual(id.email_verified, true)
      assert.strictEqual(id.phone_number_verified, false)
      assert.strictEqual(id.iss, "http://127.0.0.1:9229/us-east-1_TestPool1")
      assert.strictEqual(cognito.issuer, "http://127.0.0.1:9229/us-east-1_TestPool1")
    }).pipe(Effect.provide(TestCognito.layer({ mfa: "OFF", issuer: "http://127.0.0.1:9229/us-east-1_TestPool1" })))
  )
})
