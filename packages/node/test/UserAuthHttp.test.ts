/**
 * Choice-based sign-in and passkeys end to end over HTTP with our own client: `NodeAuth.layer`
 * (undici, a memory store) against the local Cognito's default pool (first factors PASSWORD,
 * EMAIL_OTP, SMS_OTP, WEB_AUTHN; relying party `localhost`). Password-less sign-up then
 * `autoSignIn` with ConfirmSignUp's session; SELECT_CHALLENGE then EMAIL_OTP (a wrong code is
 * CodeMismatch, the right one signs in); a preferred EMAIL_OTP; the PASSWORD factor; USER_AUTH
 * refused on an app client without ALLOW_USER_AUTH; and a passkey registered with the test-kit's
 * authenticator (as a page on `http://localhost:<port>` would), listed, used to sign in with no
 * password, then deleted.
 */
import * as Auth from "@effect-cognito/core/Auth"
import type * as AuthConfig from "@effect-cognito/core/AuthConfig"
import { SoftwareAuthenticator } from "@effect-cognito/test-kit"
import { CreateUserPoolClientCommand } from "@aws-sdk/client-cognito-identity-provider"
import { assert, layer } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as WebAuthn from "@effect-cognito/core/WebAuthn"
import * as LocalCognito from "../src/LocalCognito.js"
import * as NodeAuth from "../src/NodeAuth.js"
import { newUsername, password as passwordText, sdk, timeout } from "./localSdk.js"

const password = Redacted.make(passwordText)

/** A fresh `Auth` over the local Cognito (memory store), with a WebAuthn service when given. */
const app = (config: AuthConfig.Input, webAuthn?: Layer.Layer<WebAuthn.WebAuthn>) =>
  Effect.map(
    Layer.build(
      Layer.fresh(
        webAuthn === undefined
          ? NodeAuth.layer(config, { store: { _tag: "Memory" } })
          : NodeAuth.layer(config, { store: { _tag: "Memory" } }).pipe(Layer.provide(webAuthn))
      )
    ),
    (context) => Context.get(context, Auth.Auth)
  )

const setup = Effect.gen(function* () {
  const local = yield* LocalCognito.LocalCognito
  const cognito = yield* local.pool(local.defaultPool.userPoolId)
  return { local, cognito, config: local.config }
})

/** A confirmed user with a password and a verified email, signed up through `auth`. */
const userWithPassword = (
  auth: Auth.Auth.Service,
  codeFor: (username: string) => Effect.Effect<Redacted.Redacted<string>, unknown>
) =>
  Effect.gen(function* () {
    const username = newUsername()
    yield* auth.signUp({ username, password, userAttributes: { email: `${username}@example.com` } })
    yield* auth.confirmSignUp({ username, confirmationCode: yield* codeFor(username) })
    return username
  })

layer(LocalCognito.layer(), { excludeTestServices: true })("USER_AUTH over HTTP with NodeAuth", (it) => {
  it.effect(
    "signs up without a password and signs in with ConfirmSignUp's session (autoSignIn), once",
    () =>
      Effect.gen(function* () {
        const { cognito, config } = yield* setup
        const auth = yield* app(config)
        const username = newUsername()
        const signedUp = yield* auth.signUp({ username, userAttributes: { email: `${username}@example.com` } })
        assert.strictEqual(signedUp.confirmationState, "Unconfirmed")
        const confirmed = yield* auth.confirmSignUp({
          username,
          confirmationCode: yield* cognito.lastCodeFor(username)
        })
        assert.deepStrictEqual(confirmed, { confirmationState: "Confirmed", nextStep: "AutoSignIn" })
        assert.strictEqual((yield* auth.autoSignIn())._tag, "SignedIn")
        assert.deepStrictEqual(yield* auth.username, Option.some(username))
        yield* auth.signOut()
        const again = yield* Effect.flip(auth.autoSignIn())
        assert.strictEqual(again.reason, "AutoSignInUnavailable")
      }),
    timeout
  )

  it.effect(
    "SELECT_CHALLENGE then EMAIL_OTP: a wrong code is CodeMismatch, the right one signs in; a preferred EMAIL_OTP; the PASSWORD factor",
    () =>
      Effect.gen(function* () {
        const { cognito, config } = yield* setup
        const auth = yield* app(config)
        const username = yield* userWithPassword(auth, cognito.lastCodeFor)

        const select = yield* auth.signIn({ username, flow: "USER_AUTH" })
        assert.strictEqual(select._tag, "SelectChallenge")
        if (select._tag === "SelectChallenge")
          assert.includeMembers([...select.availableChallenges], ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"])
        assert.strictEqual(
          (yield* auth.confirmSignIn({ challengeResponse: Redacted.make("EMAIL_OTP") }))._tag,
          "EmailOtp"
        )
        const wrong = yield* Effect.flip(auth.confirmSignIn({ challengeResponse: Redacted.make("00000000") }))
        assert.strictEqual(wrong.reason, "CodeMismatch")
        assert.strictEqual(wrong.exception, "CodeMismatchException")
        const done = yield* auth.confirmSignIn({ challengeResponse: yield* cognito.lastCodeFor(username) })
        assert.strictEqual(done._tag, "SignedIn")
        yield* auth.signOut()

        const preferred = yield* auth.signIn({ username, flow: "USER_AUTH", preferredChallenge: "EMAIL_OTP" })
        assert.strictEqual(preferred._tag, "EmailOtp")
        assert.strictEqual(
          (yield* auth.confirmSignIn({ challengeResponse: yield* cognito.lastCodeFor(username) }))._tag,
          "SignedIn"
        )
        yield* auth.signOut()

        for (const factor of ["PASSWORD", "PASSWORD_SRP"] as const) {
          const step = yield* auth.signIn({ username, password, flow: "USER_AUTH", preferredChallenge: factor })
          assert.strictEqual(step._tag, "SignedIn", factor)
          yield* auth.signOut()
        }
      }),
    timeout
  )

  it.effect(
    "refuses USER_AUTH on an app client without ALLOW_USER_AUTH",
    () =>
      Effect.gen(function* () {
        const { local, cognito, config } = yield* setup
        const created = yield* Effect.promise(() =>
          sdk(local).send(
            new CreateUserPoolClientCommand({
              UserPoolId: local.defaultPool.userPoolId,
              ClientName: "no-user-auth",
              ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
            })
          )
        )
        const clientId = created.UserPoolClient?.ClientId ?? assert.fail("no client id")
        const username = yield* userWithPassword(yield* app(config), cognito.lastCodeFor)
        const auth = yield* app({ ...config, clientId })
        const error = yield* Effect.flip(auth.signIn({ username, flow: "USER_AUTH" }))
        assert.strictEqual(error.reason, "InvalidParameter")
        assert.strictEqual(error.exception, "InvalidParameterException")
        assert.include(error.description ?? "", "USER_AUTH")
        assert.strictEqual((yield* auth.signIn({ username, password }))._tag, "SignedIn")
      }),
    timeout
  )

  it.effect(
    "a passkey: registered, listed, used to sign in with no password, deleted, then refused",
    () =>
      Effect.gen(function* () {
        const { cognito, config } = yield* setup
        const authenticator = yield* SoftwareAuthenticator.make({ origin: "http://localhost:5173" })
        const auth = yield* app(config, SoftwareAuthenticator.layer(authenticator))
        const username = yield* userWithPassword(auth, cognito.lastCodeFor)
        yield* auth.signIn({ username, password })
        yield* auth.associateWebAuthnCredential()
        const listed = yield* auth.listWebAuthnCredentials()
        assert.strictEqual(listed.credentials.length, 1)
        const credential = listed.credentials[0]!
        assert.strictEqual(credential.relyingPartyId, "localhost")
        assert.strictEqual(credential.credentialId, (yield* authenticator.credentials)[0]?.credentialId)
        yield* auth.signOut()

        const passkey = yield* auth.signIn({ username, flow: "USER_AUTH", preferredChallenge: "WEB_AUTHN" })
        assert.strictEqual(passkey._tag, "SignedIn")
        yield* auth.deleteWebAuthnCredential({ credentialId: credential.credentialId })
        assert.deepStrictEqual((yield* auth.listWebAuthnCredentials()).credentials, [])
        yield* auth.signOut()

        const after = yield* auth.signIn({ username, flow: "USER_AUTH", preferredChallenge: "WEB_AUTHN" })
        assert.strictEqual(after._tag, "SelectChallenge")
        if (after._tag === "SelectChallenge") assert.notInclude([...after.availableChallenges], "WEB_AUTHN")
        const refused = yield* Effect.flip(auth.confirmSignIn({ challengeResponse: Redacted.make("WEB_AUTHN") }))
        assert.strictEqual(refused.reason, "InvalidInput")
        assert.isFalse(yield* auth.isSignedIn)
      }),
    timeout
  )
})
