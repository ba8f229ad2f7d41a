import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as AuthError from "../src/AuthError.js"
import type * as IdentityProvider from "../src/IdentityProvider.js"
import * as FakeHttpClient from "./FakeHttpClient.js"
import { checkWireCase, reveal, setup, type WireCase } from "./identityProviderFixtures.js"

const secret = Redacted.make
const password = "Pa55word!only-in-the-request"
const session = "session-only-in-the-request"
const signUpSession = "confirm-sign-up-session-only-in-the-response"
const accessToken = FakeHttpClient.jwt({ token_use: "access", iat: 1_000, exp: 4_600, username: "alice" })
const idToken = FakeHttpClient.jwt({ token_use: "id", iat: 1_000, exp: 4_600, "cognito:username": "alice" })
const tokensWire = { AccessToken: accessToken, IdToken: idToken, ExpiresIn: 3600, TokenType: "Bearer" }
const tokens = {
  accessToken: { redacted: accessToken },
  idToken: { redacted: idToken },
  expiresIn: 3600,
  tokenType: "Bearer"
}

const creationOptions = {
  rp: { id: "localhost", name: "Demo" },
  user: { id: "dXNlci0x", name: "alice", displayName: "Alice" },
  challenge: "Y2hhbGxlbmdlLTE",
  pubKeyCredParams: [
    { type: "public-key", alg: -7 },
    { type: "public-key", alg: -257 }
  ],
  timeout: 60000,
  excludeCredentials: [{ type: "public-key", id: "Y3JlZC0x", transports: ["internal"] }],
  authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
  attestation: "none",
  extensions: { credProps: true }
}

const registration = {
  id: "Y3JlZC0y",
  rawId: "Y3JlZC0y",
  type: "public-key" as const,
  response: {
    clientDataJSON: "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0",
    attestationObject: "o2NmbXRkbm9uZQ",
    transports: ["internal"],
    publicKeyAlgorithm: -7
  },
  authenticatorAttachment: "platform",
  clientExtensionResults: { credProps: { rk: true } }
}

const wireCases: ReadonlyArray<WireCase> = [
  {
    name: "SignUp without a password",
    action: "SignUp",
    run: (p) => p.signUp({ username: "alice", userAttributes: { email: "alice@example.com" } }),
    body: { ClientId: "client123", Username: "alice", UserAttributes: [{ Name: "email", Value: "alice@example.com" }] },
    response: { UserConfirmed: false, UserSub: "sub-1" },
    result: { userConfirmed: false, userSub: "sub-1" }
  },
  {
    name: "ConfirmSignUp answered with a Session",
    action: "ConfirmSignUp",
    run: (p) => p.confirmSignUp({ username: "alice", confirmationCode: secret("12345678") }),
    body: { ClientId: "client123", Username: "alice", ConfirmationCode: "12345678" },
    response: { Session: signUpSession },
    result: { session: { redacted: signUpSession } }
  },
  {
    name: "InitiateAuth USER_AUTH preferring EMAIL_OTP, answered by EMAIL_OTP",
    action: "InitiateAuth",
    run: (p) =>
      p.initiateAuth({
        authFlow: "USER_AUTH",
        username: "alice",
        preferredChallenge: "EMAIL_OTP",
        secretHash: secret("hash"),
        deviceKey: "eu-west-1_device"
      }),
    body: {
      ClientId: "client123",
      AuthFlow: "USER_AUTH",
      AuthParameters: {
        USERNAME: "alice",
        PREFERRED_CHALLENGE: "EMAIL_OTP",
        SECRET_HASH: "hash",
        DEVICE_KEY: "eu-west-1_device"
      }
    },
    response: {
      ChallengeName: "EMAIL_OTP",
      Session: session,
      ChallengeParameters: { CODE_DELIVERY_DELIVERY_MEDIUM: "EMAIL", CODE_DELIVERY_DESTINATION: "a***@e***" }
    },
    result: {
      _tag: "Challenge",
      challengeName: "EMAIL_OTP",
      session: { redacted: session },
      parameters: { CODE_DELIVERY_DELIVERY_MEDIUM: "EMAIL", CODE_DELIVERY_DESTINATION: "a***@e***" }
    }
  },
  {
    name: "InitiateAuth USER_AUTH with the PASSWORD factor, answered with tokens",
    action: "InitiateAuth",
    run: (p) =>
      p.initiateAuth({
        authFlow: "USER_AUTH",
        username: "alice",
        preferredChallenge: "PASSWORD",
        password: secret(password)
      }),
    body: {
      ClientId: "client123",
      AuthFlow: "USER_AUTH",
      AuthParameters: { USERNAME: "alice", PREFERRED_CHALLENGE: "PASSWORD", PASSWORD: password }
    },
    response: { AuthenticationResult: tokensWire },
    result: { _tag: "Authenticated", tokens }
  },
  {
    name: "InitiateAuth USER_AUTH with PASSWORD_SRP and SRP_A",
    action: "InitiateAuth",
    run: (p) =>
      p.initiateAuth({ authFlow: "USER_AUTH", username: "alice", preferredChallenge: "PASSWORD_SRP", srpA: "abc" }),
    body: {
      ClientId: "client123",
      AuthFlow: "USER_AUTH",
      AuthParameters: { USERNAME: "alice", PREFERRED_CHALLENGE: "PASSWORD_SRP", SRP_A: "abc" }
    },
    response: { ChallengeName: "PASSWORD_VERIFIER", ChallengeParameters: { SRP_B: "0f" } },
    result: { _tag: "Challenge", challengeName: "PASSWORD_VERIFIER", parameters: { SRP_B: "0f" } }
  },
  {
    name: "InitiateAuth USER_AUTH with ConfirmSignUp's Session at the top level",
    action: "InitiateAuth",
    run: (p) => p.initiateAuth({ authFlow: "USER_AUTH", username: "alice", session: secret(signUpSession) }),
    body: {
      ClientId: "client123",
      AuthFlow: "USER_AUTH",
      AuthParameters: { USERNAME: "alice" },
      Session: signUpSession
    },
    response: { AuthenticationResult: tokensWire },
    result: { _tag: "Authenticated", tokens }
  },
  {
    name: "InitiateAuth USER_AUTH answered by SELECT_CHALLENGE with AvailableChallenges",
    action: "InitiateAuth",
    run: (p) => p.initiateAuth({ authFlow: "USER_AUTH", username: "alice" }),
    body: { ClientId: "client123", AuthFlow: "USER_AUTH", AuthParameters: { USERNAME: "alice" } },
    response: {
      ChallengeName: "SELECT_CHALLENGE",
      Session: session,
      ChallengeParameters: {},
      AvailableChallenges: ["PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN"]
    },
    result: {
      _tag: "Challenge",
      challengeName: "SELECT_CHALLENGE",
      session: { redacted: session },
      parameters: {},
      availableChallenges: ["PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN"]
    }
  },
  {
    name: "RespondToAuthChallenge SELECT_CHALLENGE answered by SMS_OTP",
    action: "RespondToAuthChallenge",
    run: (p) =>
      p.respondToAuthChallenge({
        challengeName: "SELECT_CHALLENGE",
        session: secret(session),
        challengeResponses: { USERNAME: secret("alice"), ANSWER: secret("SMS_OTP") }
      }),
    body: {
      ClientId: "client123",
      ChallengeName: "SELECT_CHALLENGE",
      Session: session,
      ChallengeResponses: { USERNAME: "alice", ANSWER: "SMS_OTP" }
    },
    response: {
      ChallengeName: "SMS_OTP",
      Session: session,
      ChallengeParameters: { CODE_DELIVERY_DELIVERY_MEDIUM: "SMS", CODE_DELIVERY_DESTINATION: "+*******0199" }
    },
    result: {
      _tag: "Challenge",
      challengeName: "SMS_OTP",
      session: { redacted: session },
      parameters: { CODE_DELIVERY_DELIVERY_MEDIUM: "SMS", CODE_DELIVERY_DESTINATION: "+*******0199" }
    }
  },
  {
    name: "StartWebAuthnRegistration",
    action: "StartWebAuthnRegistration",
    run: (p) => p.startWebAuthnRegistration({ accessToken: secret(accessToken) }),
    body: { AccessToken: accessToken },
    response: { CredentialCreationOptions: creationOptions },
    result: { credentialCreationOptions: creationOptions }
  },
  {
    name: "CompleteWebAuthnRegistration with the credential as a JSON object",
    action: "CompleteWebAuthnRegistration",
    run: (p) => p.completeWebAuthnRegistration({ accessToken: secret(accessToken), credential: registration }),
    body: { AccessToken: accessToken, Credential: registration },
    response: {},
    result: undefined
  },
  {
    name: "ListWebAuthnCredentials with a page size and token",
    action: "ListWebAuthnCredentials",
    run: (p) => p.listWebAuthnCredentials({ accessToken: secret(accessToken), maxResults: 2, nextToken: "page-2" }),
    body: { AccessToken: accessToken, MaxResults: 2, NextToken: "page-2" },
    response: {
      Credentials: [
        {
          CredentialId: "Y3JlZC0x",
          FriendlyCredentialName: "Laptop",
          RelyingPartyId: "localhost",
          AuthenticatorAttachment: "platform",
          AuthenticatorTransports: ["internal"],
          CreatedAt: 1_700_000_000.5
        },
        { CredentialId: "Y3JlZC0y", RelyingPartyId: "localhost", CreatedAt: 1_700_000_100 }
      ],
      NextToken: "page-3"
    },
    result: {
      credentials: [
        {
          credentialId: "Y3JlZC0x",
          friendlyCredentialName: "Laptop",
          relyingPartyId: "localhost",
          authenticatorAttachment: "platform",
          authenticatorTransports: ["internal"],
          createdAt: new Date(1_700_000_000_500)
        },
        {
          credentialId: "Y3JlZC0y",
          relyingPartyId: "localhost",
          authenticatorTransports: [],
          createdAt: new Date(1_700_000_100_000)
        }
      ],
      nextToken: "page-3"
    }
  },
  {
    name: "DeleteWebAuthnCredential",
    action: "DeleteWebAuthnCredential",
    run: (p) => p.deleteWebAuthnCredential({ accessToken: secret(accessToken), credentialId: "Y3JlZC0x" }),
    body: { AccessToken: accessToken, CredentialId: "Y3JlZC0x" },
    response: {},
    result: undefined
  }
]

/** A provider answering every request with `body` (status 200). */
const answering = (body: unknown) => setup(() => FakeHttpClient.json(200, body))

const invalid = <A>(effect: Effect.Effect<A, AuthError.AuthError>, method: string) =>
  Effect.gen(function* () {
    const error = yield* Effect.flip(effect)
    assert.strictEqual(error.reason, "InvalidResponse")
    assert.strictEqual(error.method, method)
    return error
  })

const start = (p: IdentityProvider.IdentityProvider.Service) =>
  p.startWebAuthnRegistration({ accessToken: secret(accessToken) })
const list = (p: IdentityProvider.IdentityProvider.Service) =>
  p.listWebAuthnCredentials({ accessToken: secret(accessToken) })
const choose = (p: IdentityProvider.IdentityProvider.Service) =>
  p.initiateAuth({ authFlow: "USER_AUTH", username: "alice" })

describe("CognitoIdentityProvider: USER_AUTH and passkeys", () => {
  describe("wire shape", () => {
    for (const c of wireCases) {
      it.effect(`sends ${c.name} and reads the answer`, () => checkWireCase(c))
    }
  })

  describe("garbage answers are InvalidResponse", () => {
    it.effect("creation options without a challenge, or with one that is not base64url", () =>
      Effect.gen(function* () {
        const { challenge: _, ...withoutChallenge } = creationOptions
        const missing = yield* invalid(
          Effect.flatMap(answering({ CredentialCreationOptions: withoutChallenge }), ({ provider }) => start(provider)),
          "StartWebAuthnRegistration"
        )
        assert.include(missing.description ?? "", "challenge")
        yield* invalid(
          Effect.flatMap(
            answering({ CredentialCreationOptions: { ...creationOptions, challenge: "not base64url!" } }),
            ({ provider }) => start(provider)
          ),
          "StartWebAuthnRegistration"
        )
        yield* invalid(
          Effect.flatMap(answering({ CredentialCreationOptions: "{}" }), ({ provider }) => start(provider)),
          "StartWebAuthnRegistration"
        )
        yield* invalid(
          Effect.flatMap(answering({}), ({ provider }) => start(provider)),
          "StartWebAuthnRegistration"
        )
      })
    )

    it.effect(
      "passkey lists without Credentials, with a CreatedAt out of range, or a transport list that is not one",
      () =>
        Effect.gen(function* () {
          const entry = { CredentialId: "Y3JlZC0x", RelyingPartyId: "localhost", CreatedAt: 1_700_000_000 }
          for (const body of [
            {},
            { Credentials: [{ ...entry, CreatedAt: -1 }] },
            { Credentials: [{ ...entry, CreatedAt: 1e15 }] },
            { Credentials: [{ ...entry, CreatedAt: "yesterday" }] },
            { Credentials: [{ ...entry, AuthenticatorTransports: "usb" }] },
            { Credentials: [{ RelyingPartyId: "localhost", CreatedAt: 1 }] }
          ]) {
            yield* invalid(
              Effect.flatMap(answering(body), ({ provider }) => list(provider)),
              "ListWebAuthnCredentials"
            )
          }
        })
    )

    it.effect("AvailableChallenges that is not a list of strings, and an HTML page", () =>
      Effect.gen(function* () {
        yield* invalid(
          Effect.flatMap(
            answering({ ChallengeName: "SELECT_CHALLENGE", AvailableChallenges: "EMAIL_OTP" }),
            ({ provider }) => choose(provider)
          ),
          "InitiateAuth"
        )
        const { provider } = yield* setup(() => FakeHttpClient.text(200, "<html>proxy</html>"))
        yield* invalid(choose(provider), "InitiateAuth")
        yield* invalid(start(provider), "StartWebAuthnRegistration")
      })
    )

    it.effect("a ConfirmSignUp Session that is not a string", () =>
      Effect.gen(function* () {
        const { provider } = yield* answering({ Session: 42 })
        yield* invalid(
          provider.confirmSignUp({ username: "alice", confirmationCode: secret("123456") }),
          "ConfirmSignUp"
        )
      })
    )
  })

  describe("errors", () => {
    const names = [
      ["WebAuthnNotEnabledException", "WebAuthnNotEnabled"],
      ["WebAuthnChallengeNotFoundException", "WebAuthnChallengeNotFound"],
      ["WebAuthnRelyingPartyMismatchException", "WebAuthnRelyingPartyMismatch"],
      ["WebAuthnOriginNotAllowedException", "WebAuthnOriginNotAllowed"],
      ["WebAuthnClientMismatchException", "WebAuthnClientMismatch"],
      ["WebAuthnCredentialNotSupportedException", "WebAuthnCredentialNotSupported"],
      ["WebAuthnConfigurationMissingException", "WebAuthnConfigurationMissing"]
    ] as const
    for (const [exception, reason] of names) {
      it.effect(`maps ${exception} to ${reason}, and back`, () =>
        Effect.gen(function* () {
          const { provider } = yield* setup(() =>
            FakeHttpClient.awsError(400, `com.amazonaws.cognito#${exception}`, "Cognito says no")
          )
          const error = yield* Effect.flip(start(provider))
          assert.strictEqual(error.reason, reason)
          assert.strictEqual(error.exception, exception)
          assert.strictEqual(error.description, "Cognito says no")
          assert.strictEqual(AuthError.exceptionForReason(reason), exception)
        })
      )
    }

    it.effect("USER_AUTH on a client without ALLOW_USER_AUTH is InvalidParameter", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() =>
          FakeHttpClient.awsError(400, "InvalidParameterException", "USER_AUTH flow not enabled for this client")
        )
        const error = yield* Effect.flip(choose(provider))
        assert.strictEqual(error.reason, "InvalidParameter")
        assert.strictEqual(error.method, "InitiateAuth")
      })
    )
  })

  describe("secrets", () => {
    it.effect("ConfirmSignUp's session is Redacted: not in String() or JSON of the result", () =>
      Effect.gen(function* () {
        const { provider } = yield* answering({ Session: signUpSession })
        const result = yield* provider.confirmSignUp({ username: "alice", confirmationCode: secret("12345678") })
        assert.isTrue(result.session !== undefined && Redacted.isRedacted(result.session))
        assert.notInclude(JSON.stringify(result), signUpSession)
        assert.notInclude(String(result.session), signUpSession)
        assert.deepStrictEqual(reveal(result), { session: { redacted: signUpSession } })
      })
    )
  })
})
