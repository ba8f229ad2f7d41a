import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as AuthError from "../src/AuthError.js"
import type * as CognitoIdentityProvider from "../src/CognitoIdentityProvider.js"
import type * as IdentityProvider from "../src/IdentityProvider.js"
import * as FakeHttpClient from "./FakeHttpClient.js"
import { checkWireCase, setup, type WireCase } from "./identityProviderFixtures.js"

const secret = Redacted.make
const accessToken = FakeHttpClient.jwt({ token_use: "access", iat: 1_000, exp: 4_600, username: "alice" })
const deviceKey = "eu-west-1_0b7a8c4e-3f2d-4e1a-9c6b-5d4e3f2a1b0c"
const password = "Pa55word!only-in-the-request"
const refreshToken = "refresh-token-only-in-the-request"

/** A device as Cognito sends it: dates in epoch seconds, some with a fraction. */
const deviceWire = {
  DeviceKey: deviceKey,
  DeviceAttributes: [
    { Name: "device_status", Value: "valid" },
    { Name: "device_name", Value: "build-7 (Node 22.19.0)" },
    { Name: "device_remembered_status", Value: "remembered" },
    { Name: "last_ip", Value: "203.0.113.7" },
    { Name: "no_value" }
  ],
  DeviceCreateDate: 1_795_000_000,
  DeviceLastModifiedDate: 1_795_000_100.5,
  DeviceLastAuthenticatedDate: 1_795_000_200.25
}

const device = {
  deviceKey,
  deviceAttributes: {
    device_status: "valid",
    device_name: "build-7 (Node 22.19.0)",
    device_remembered_status: "remembered",
    last_ip: "203.0.113.7"
  },
  deviceCreateDate: new Date(1_795_000_000_000),
  deviceLastModifiedDate: new Date(1_795_000_100_500),
  deviceLastAuthenticatedDate: new Date(1_795_000_200_250)
}

const tokensWire = {
  AccessToken: accessToken,
  IdToken: FakeHttpClient.jwt({ token_use: "id", iat: 1_000, exp: 4_600, "cognito:username": "alice" }),
  ExpiresIn: 3600,
  TokenType: "Bearer"
}

/** `tokensWire` decoded: what an answer with tokens (and no refresh token) gives. */
const authenticated = {
  _tag: "Authenticated",
  tokens: {
    accessToken: { redacted: accessToken },
    idToken: { redacted: tokensWire.IdToken },
    expiresIn: 3600,
    tokenType: "Bearer"
  }
}

const wireCases: ReadonlyArray<WireCase> = [
  {
    name: "ConfirmDevice with the verifier config and the device name",
    action: "ConfirmDevice",
    run: (p) =>
      p.confirmDevice({
        accessToken: secret(accessToken),
        deviceKey,
        deviceSecretVerifierConfig: { passwordVerifier: "dmVyaWZpZXI=", salt: "c2FsdA==" },
        deviceName: "build-7 (Node 22.19.0)"
      }),
    body: {
      AccessToken: accessToken,
      DeviceKey: deviceKey,
      DeviceSecretVerifierConfig: { PasswordVerifier: "dmVyaWZpZXI=", Salt: "c2FsdA==" },
      DeviceName: "build-7 (Node 22.19.0)"
    },
    response: { UserConfirmationNecessary: true },
    result: { userConfirmationNecessary: true }
  },
  {
    name: "ConfirmDevice answered without UserConfirmationNecessary",
    action: "ConfirmDevice",
    run: (p) =>
      p.confirmDevice({
        accessToken: secret(accessToken),
        deviceKey,
        deviceSecretVerifierConfig: { passwordVerifier: "dmVyaWZpZXI=", salt: "c2FsdA==" }
      }),
    body: {
      AccessToken: accessToken,
      DeviceKey: deviceKey,
      DeviceSecretVerifierConfig: { PasswordVerifier: "dmVyaWZpZXI=", Salt: "c2FsdA==" }
    },
    response: {},
    result: { userConfirmationNecessary: false }
  },
  {
    name: "ListDevices with Limit and PaginationToken",
    action: "ListDevices",
    run: (p) => p.listDevices({ accessToken: secret(accessToken), limit: 2, paginationToken: "page-2" }),
    body: { AccessToken: accessToken, Limit: 2, PaginationToken: "page-2" },
    response: { Devices: [deviceWire, { DeviceKey: "eu-west-1_1" }], PaginationToken: "page-3" },
    result: { devices: [device, { deviceKey: "eu-west-1_1", deviceAttributes: {} }], paginationToken: "page-3" }
  },
  {
    name: "ListDevices of a user with no devices (no Devices member)",
    action: "ListDevices",
    run: (p) => p.listDevices({ accessToken: secret(accessToken) }),
    body: { AccessToken: accessToken },
    response: {},
    result: { devices: [] }
  },
  {
    name: "GetDevice",
    action: "GetDevice",
    run: (p) => p.getDevice({ accessToken: secret(accessToken), deviceKey }),
    body: { AccessToken: accessToken, DeviceKey: deviceKey },
    response: { Device: deviceWire },
    result: device
  },
  {
    name: "UpdateDeviceStatus",
    action: "UpdateDeviceStatus",
    run: (p) =>
      p.updateDeviceStatus({ accessToken: secret(accessToken), deviceKey, deviceRememberedStatus: "remembered" }),
    body: { AccessToken: accessToken, DeviceKey: deviceKey, DeviceRememberedStatus: "remembered" },
    response: {},
    result: undefined
  },
  {
    name: "ForgetDevice",
    action: "ForgetDevice",
    run: (p) => p.forgetDevice({ accessToken: secret(accessToken), deviceKey }),
    body: { AccessToken: accessToken, DeviceKey: deviceKey },
    response: {},
    result: undefined
  },
  {
    name: "SetUserMFAPreference with the three settings",
    action: "SetUserMFAPreference",
    run: (p) =>
      p.setUserMfaPreference({
        accessToken: secret(accessToken),
        smsMfaSettings: { enabled: false },
        softwareTokenMfaSettings: { enabled: true, preferredMfa: true },
        emailMfaSettings: { enabled: true, preferredMfa: false }
      }),
    body: {
      AccessToken: accessToken,
      SMSMfaSettings: { Enabled: false },
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      EmailMfaSettings: { Enabled: true, PreferredMfa: false }
    },
    response: {},
    result: undefined
  },
  {
    name: "SetUserMFAPreference leaves out the methods not given",
    action: "SetUserMFAPreference",
    run: (p) =>
      p.setUserMfaPreference({ accessToken: secret(accessToken), softwareTokenMfaSettings: { enabled: true } }),
    body: { AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: true } },
    response: {},
    result: undefined
  },
  {
    name: "DeleteUserAttributes",
    action: "DeleteUserAttributes",
    run: (p) =>
      p.deleteUserAttributes({ accessToken: secret(accessToken), userAttributeNames: ["nickname", "custom:team"] }),
    body: { AccessToken: accessToken, UserAttributeNames: ["nickname", "custom:team"] },
    response: {},
    result: undefined
  },
  {
    name: "InitiateAuth USER_PASSWORD_AUTH with DEVICE_KEY",
    action: "InitiateAuth",
    run: (p) =>
      p.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username: "alice", password: secret(password), deviceKey }),
    body: {
      ClientId: "client123",
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: "alice", PASSWORD: password, DEVICE_KEY: deviceKey }
    },
    response: { ChallengeName: "DEVICE_SRP_AUTH", Session: "s", ChallengeParameters: {} },
    result: { _tag: "Challenge", challengeName: "DEVICE_SRP_AUTH", session: { redacted: "s" }, parameters: {} }
  },
  {
    name: "InitiateAuth USER_SRP_AUTH with DEVICE_KEY",
    action: "InitiateAuth",
    run: (p) => p.initiateAuth({ authFlow: "USER_SRP_AUTH", username: "alice", srpA: "abc", deviceKey }),
    body: {
      ClientId: "client123",
      AuthFlow: "USER_SRP_AUTH",
      AuthParameters: { USERNAME: "alice", SRP_A: "abc", DEVICE_KEY: deviceKey }
    },
    response: { ChallengeName: "PASSWORD_VERIFIER", ChallengeParameters: { SALT: "01" } },
    result: { _tag: "Challenge", challengeName: "PASSWORD_VERIFIER", parameters: { SALT: "01" } }
  },
  {
    name: "InitiateAuth CUSTOM_AUTH with and without SRP, each with DEVICE_KEY",
    action: "InitiateAuth",
    run: (p) => p.initiateAuth({ authFlow: "CUSTOM_AUTH", username: "alice", deviceKey }),
    body: {
      ClientId: "client123",
      AuthFlow: "CUSTOM_AUTH",
      AuthParameters: { USERNAME: "alice", DEVICE_KEY: deviceKey }
    },
    response: { ChallengeName: "CUSTOM_CHALLENGE", ChallengeParameters: {} },
    result: { _tag: "Challenge", challengeName: "CUSTOM_CHALLENGE", parameters: {} }
  },
  {
    name: "InitiateAuth CUSTOM_AUTH with SRP_A and DEVICE_KEY",
    action: "InitiateAuth",
    run: (p) => p.initiateAuth({ authFlow: "CUSTOM_AUTH", username: "alice", srpA: "abc", deviceKey }),
    body: {
      ClientId: "client123",
      AuthFlow: "CUSTOM_AUTH",
      AuthParameters: { USERNAME: "alice", SRP_A: "abc", CHALLENGE_NAME: "SRP_A", DEVICE_KEY: deviceKey }
    },
    response: { ChallengeName: "PASSWORD_VERIFIER", ChallengeParameters: {} },
    result: { _tag: "Challenge", challengeName: "PASSWORD_VERIFIER", parameters: {} }
  },
  {
    name: "InitiateAuth REFRESH_TOKEN_AUTH with DEVICE_KEY",
    action: "InitiateAuth",
    run: (p) => p.initiateAuth({ authFlow: "REFRESH_TOKEN_AUTH", refreshToken: secret(refreshToken), deviceKey }),
    body: {
      ClientId: "client123",
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: refreshToken, DEVICE_KEY: deviceKey }
    },
    response: { AuthenticationResult: tokensWire },
    result: authenticated
  },
  {
    name: "GetTokensFromRefreshToken with DeviceKey",
    action: "GetTokensFromRefreshToken",
    run: (p) => p.getTokensFromRefreshToken({ refreshToken: secret(refreshToken), deviceKey }),
    body: { ClientId: "client123", RefreshToken: refreshToken, DeviceKey: deviceKey },
    response: { AuthenticationResult: { ...tokensWire, RefreshToken: "rotated" } },
    result: {
      accessToken: { redacted: accessToken },
      idToken: { redacted: tokensWire.IdToken },
      refreshToken: { redacted: "rotated" },
      expiresIn: 3600,
      tokenType: "Bearer"
    }
  },
  {
    name: "RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER answered with tokens",
    action: "RespondToAuthChallenge",
    run: (p) =>
      p.respondToAuthChallenge({
        challengeName: "DEVICE_PASSWORD_VERIFIER",
        session: secret("s"),
        challengeResponses: {
          USERNAME: secret("alice"),
          DEVICE_KEY: secret(deviceKey),
          PASSWORD_CLAIM_SECRET_BLOCK: secret("block"),
          TIMESTAMP: secret("Tue Nov 3 07:05:09 UTC 2026"),
          PASSWORD_CLAIM_SIGNATURE: secret("sig")
        }
      }),
    body: {
      ClientId: "client123",
      ChallengeName: "DEVICE_PASSWORD_VERIFIER",
      Session: "s",
      ChallengeResponses: {
        USERNAME: "alice",
        DEVICE_KEY: deviceKey,
        PASSWORD_CLAIM_SECRET_BLOCK: "block",
        TIMESTAMP: "Tue Nov 3 07:05:09 UTC 2026",
        PASSWORD_CLAIM_SIGNATURE: "sig"
      }
    },
    response: { AuthenticationResult: tokensWire, ChallengeParameters: {} },
    result: authenticated
  }
]

/** Bodies that are not what the action returns: each is `InvalidResponse`, naming the action. */
const garbage: ReadonlyArray<{
  readonly name: string
  readonly action: IdentityProvider.Action
  readonly run: (provider: IdentityProvider.IdentityProvider.Service) => Effect.Effect<unknown, AuthError.AuthError>
  readonly reply: FakeHttpClient.Reply
  readonly detail: RegExp
}> = [
  {
    name: "a device date sent as text",
    action: "ListDevices",
    run: (p) => p.listDevices({ accessToken: secret(accessToken) }),
    reply: FakeHttpClient.json(200, { Devices: [{ ...deviceWire, DeviceCreateDate: "2026-11-26T09:30:00Z" }] }),
    detail: /DeviceCreateDate/
  },
  {
    name: "a device date before 1970",
    action: "GetDevice",
    run: (p) => p.getDevice({ accessToken: secret(accessToken), deviceKey }),
    reply: FakeHttpClient.json(200, { Device: { ...deviceWire, DeviceLastAuthenticatedDate: -1 } }),
    detail: /DeviceLastAuthenticatedDate is not a time from 1970 to 9999/
  },
  {
    name: "a device date past 9999 (milliseconds sent as seconds, times a thousand)",
    action: "GetDevice",
    run: (p) => p.getDevice({ accessToken: secret(accessToken), deviceKey }),
    reply: FakeHttpClient.json(200, { Device: { ...deviceWire, DeviceLastModifiedDate: 1_795_000_100_500_000 } }),
    detail: /DeviceLastModifiedDate is not a time/
  },
  {
    name: "a GetDevice answer without Device",
    action: "GetDevice",
    run: (p) => p.getDevice({ accessToken: secret(accessToken), deviceKey }),
    reply: FakeHttpClient.json(200, {}),
    detail: /Device/
  },
  {
    name: "a device without DeviceKey",
    action: "ListDevices",
    run: (p) => p.listDevices({ accessToken: secret(accessToken) }),
    reply: FakeHttpClient.json(200, { Devices: [{ DeviceAttributes: [] }] }),
    detail: /DeviceKey/
  },
  {
    name: "Devices that is not a list",
    action: "ListDevices",
    run: (p) => p.listDevices({ accessToken: secret(accessToken) }),
    reply: FakeHttpClient.json(200, { Devices: { DeviceKey: deviceKey } }),
    detail: /Devices/
  },
  {
    name: "UserConfirmationNecessary that is not a boolean",
    action: "ConfirmDevice",
    run: (p) =>
      p.confirmDevice({
        accessToken: secret(accessToken),
        deviceKey,
        deviceSecretVerifierConfig: { passwordVerifier: "dg==", salt: "cw==" }
      }),
    reply: FakeHttpClient.json(200, { UserConfirmationNecessary: "yes" }),
    detail: /UserConfirmationNecessary/
  },
  {
    name: "an HTML page with 200",
    action: "SetUserMFAPreference",
    run: (p) => p.setUserMfaPreference({ accessToken: secret(accessToken), smsMfaSettings: { enabled: true } }),
    reply: FakeHttpClient.text(200, "<html>Welcome</html>"),
    detail: /not JSON/
  },
  {
    name: "truncated JSON",
    action: "DeleteUserAttributes",
    run: (p) => p.deleteUserAttributes({ accessToken: secret(accessToken), userAttributeNames: ["nickname"] }),
    reply: FakeHttpClient.text(200, '{"', "application/x-amz-json-1.1"),
    detail: /not JSON/
  },
  {
    name: "a device attribute without a name",
    action: "ListDevices",
    run: (p) => p.listDevices({ accessToken: secret(accessToken) }),
    reply: FakeHttpClient.json(200, { Devices: [{ DeviceKey: deviceKey, DeviceAttributes: [{ Value: "x" }] }] }),
    detail: /Name/
  }
]

describe("CognitoIdentityProvider devices and MFA settings", () => {
  describe("wire shape", () => {
    for (const c of wireCases) {
      it.effect(`sends ${c.name} with Cognito's field names`, () => checkWireCase(c))
    }
  })

  describe("responses that are not what the action returns", () => {
    for (const c of garbage) {
      it.effect(`fails ${c.action} with InvalidResponse for ${c.name}`, () =>
        Effect.gen(function* () {
          const { provider } = yield* setup(() => c.reply)
          const error = yield* Effect.flip(c.run(provider))
          assert.strictEqual(error.reason, "InvalidResponse", error.message)
          assert.strictEqual(error.method, c.action)
          assert.match(error.message, c.detail)
          assert.notInclude(error.message, accessToken)
        })
      )
    }
  })

  describe("errors", () => {
    it.effect("maps ResourceNotFoundException for an unknown device, keeping Cognito's message", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() =>
          FakeHttpClient.awsError(400, "ResourceNotFoundException", "Device does not exist.")
        )
        const error = yield* Effect.flip(provider.getDevice({ accessToken: secret(accessToken), deviceKey }))
        assert.strictEqual(error.reason, "ResourceNotFound")
        assert.strictEqual(error.exception, "ResourceNotFoundException")
        assert.strictEqual(error.description, "Device does not exist.")
        assert.strictEqual(error.method, "GetDevice")
      })
    )

    it.effect("maps InvalidParameterException of SetUserMFAPreference before the TOTP is verified", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() =>
          FakeHttpClient.awsError(400, "InvalidParameterException", "User has not verified software token mfa")
        )
        const error = yield* Effect.flip(
          provider.setUserMfaPreference({
            accessToken: secret(accessToken),
            softwareTokenMfaSettings: { enabled: true }
          })
        )
        assert.strictEqual(error.reason, "InvalidParameter")
        assert.strictEqual(error.method, "SetUserMFAPreference")
      })
    )

    it.effect("scrubs the access token from a message that echoes it", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() =>
          FakeHttpClient.awsError(400, "NotAuthorizedException", `Invalid Access Token ${accessToken}`)
        )
        const error = yield* Effect.flip(provider.listDevices({ accessToken: secret(accessToken) }))
        assert.strictEqual(error.reason, "NotAuthorized")
        assert.notInclude(error.message, accessToken)
        assert.notInclude(JSON.stringify(error), accessToken)
      })
    )
  })

  describe("retries", () => {
    const fast: CognitoIdentityProvider.Options = { retrySchedule: Schedule.recurs(5) }
    const throttled = FakeHttpClient.awsError(400, "TooManyRequestsException", "Rate exceeded")

    const retried: ReadonlyArray<
      readonly [string, unknown, (p: IdentityProvider.IdentityProvider.Service) => Effect.Effect<unknown, unknown>]
    > = [
      [
        "ConfirmDevice",
        {},
        (p) =>
          p.confirmDevice({
            accessToken: secret(accessToken),
            deviceKey,
            deviceSecretVerifierConfig: { passwordVerifier: "dg==", salt: "cw==" }
          })
      ],
      ["ListDevices", {}, (p) => p.listDevices({ accessToken: secret(accessToken) })],
      ["GetDevice", { Device: deviceWire }, (p) => p.getDevice({ accessToken: secret(accessToken), deviceKey })],
      [
        "UpdateDeviceStatus",
        {},
        (p) =>
          p.updateDeviceStatus({ accessToken: secret(accessToken), deviceKey, deviceRememberedStatus: "remembered" })
      ],
      [
        "SetUserMFAPreference",
        {},
        (p) => p.setUserMfaPreference({ accessToken: secret(accessToken), emailMfaSettings: { enabled: true } })
      ],
      [
        "DeleteUserAttributes",
        {},
        (p) => p.deleteUserAttributes({ accessToken: secret(accessToken), userAttributeNames: ["nickname"] })
      ]
    ]
    for (const [name, response, run] of retried) {
      it.effect(`retries a throttled ${name}: a repeat sets the same state`, () =>
        Effect.gen(function* () {
          const { provider, requests } = yield* setup(
            (_, index) => (index === 0 ? throttled : FakeHttpClient.json(200, response)),
            fast
          )
          yield* run(provider)
          assert.strictEqual(requests.length, 2)
        })
      )
    }

    it.effect("does not retry a throttled ForgetDevice: a repeat after it succeeded would fail", () =>
      Effect.gen(function* () {
        const { provider, requests } = yield* setup(() => throttled, fast)
        const error = yield* Effect.flip(provider.forgetDevice({ accessToken: secret(accessToken), deviceKey }))
        assert.strictEqual(error.reason, "TooManyRequests")
        assert.strictEqual(requests.length, 1)
      })
    )
  })
})
