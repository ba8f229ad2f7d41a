import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/testing/TestClock"
import * as AuthError from "../src/AuthError.js"
import type * as CognitoIdentityProvider from "../src/CognitoIdentityProvider.js"
import type * as IdentityProvider from "../src/IdentityProvider.js"
import * as FakeHttpClient from "./FakeHttpClient.js"
import { checkWireCase, config, endpoint, reveal, setup, type WireCase } from "./identityProviderFixtures.js"

const secret = Redacted.make
const password = "Pa55word!only-in-the-request"
const newPassword = "N3wPa55word!only-in-the-request"
const secretHash = "c2VjcmV0LWhhc2gtb25seS1pbi10aGUtcmVxdWVzdA=="
const clientSecret = "client-secret-only-in-the-request"
const code = "864209"
const accessToken = FakeHttpClient.jwt({ token_use: "access", iat: 1_000, exp: 4_600, username: "alice" })
const idToken = FakeHttpClient.jwt({ token_use: "id", iat: 1_000, exp: 4_600, "cognito:username": "alice" })
const refreshToken = "refresh-token-only-in-the-request"
const session = "session-only-in-the-request"

const tokensWire = {
  AccessToken: accessToken,
  IdToken: idToken,
  RefreshToken: refreshToken,
  ExpiresIn: 3600,
  TokenType: "Bearer"
}
const tokens = {
  accessToken: { redacted: accessToken },
  idToken: { redacted: idToken },
  refreshToken: { redacted: refreshToken },
  expiresIn: 3600,
  tokenType: "Bearer"
}

const wireCases: ReadonlyArray<WireCase> = [
  {
    name: "SignUp with attributes, validation data, metadata and SecretHash",
    action: "SignUp",
    run: (p) =>
      p.signUp({
        username: "alice",
        password: secret(password),
        userAttributes: { email: "alice@example.com", name: "Alice" },
        validationData: { invite: "x1" },
        clientMetadata: { source: "test" },
        secretHash: secret(secretHash)
      }),
    body: {
      ClientId: "client123",
      Username: "alice",
      Password: password,
      UserAttributes: [
        { Name: "email", Value: "alice@example.com" },
        { Name: "name", Value: "Alice" }
      ],
      ValidationData: [{ Name: "invite", Value: "x1" }],
      ClientMetadata: { source: "test" },
      SecretHash: secretHash
    },
    response: {
      UserConfirmed: false,
      UserSub: "sub-1",
      CodeDeliveryDetails: { DeliveryMedium: "EMAIL", Destination: "a***@e***", AttributeName: "email" }
    },
    result: {
      userConfirmed: false,
      userSub: "sub-1",
      codeDeliveryDetails: { deliveryMedium: "EMAIL", destination: "a***@e***", attributeName: "email" }
    }
  },
  {
    name: "ConfirmSignUp",
    action: "ConfirmSignUp",
    run: (p) =>
      p.confirmSignUp({
        username: "alice",
        confirmationCode: secret(code),
        forceAliasCreation: true,
        secretHash: secret(secretHash)
      }),
    body: {
      ClientId: "client123",
      Username: "alice",
      ConfirmationCode: code,
      ForceAliasCreation: true,
      SecretHash: secretHash
    },
    response: {},
    result: {}
  },
  {
    name: "ResendConfirmationCode",
    action: "ResendConfirmationCode",
    run: (p) => p.resendConfirmationCode({ username: "alice", secretHash: secret(secretHash) }),
    body: { ClientId: "client123", Username: "alice", SecretHash: secretHash },
    response: {
      CodeDeliveryDetails: { DeliveryMedium: "SMS", Destination: "+*******0199", AttributeName: "phone_number" }
    },
    result: {
      codeDeliveryDetails: { deliveryMedium: "SMS", destination: "+*******0199", attributeName: "phone_number" }
    }
  },
  {
    name: "InitiateAuth USER_SRP_AUTH answered by PASSWORD_VERIFIER",
    action: "InitiateAuth",
    run: (p) =>
      p.initiateAuth({
        authFlow: "USER_SRP_AUTH",
        username: "alice",
        srpA: "abc123",
        secretHash: secret(secretHash),
        deviceKey: "eu-west-1_device"
      }),
    body: {
      ClientId: "client123",
      AuthFlow: "USER_SRP_AUTH",
      AuthParameters: { USERNAME: "alice", SRP_A: "abc123", SECRET_HASH: secretHash, DEVICE_KEY: "eu-west-1_device" }
    },
    response: {
      ChallengeName: "PASSWORD_VERIFIER",
      ChallengeParameters: { SALT: "5a17", SRP_B: "b0b", SECRET_BLOCK: "c2VjcmV0", USER_ID_FOR_SRP: "alice" }
    },
    result: {
      _tag: "Challenge",
      challengeName: "PASSWORD_VERIFIER",
      parameters: { SALT: "5a17", SRP_B: "b0b", SECRET_BLOCK: "c2VjcmV0", USER_ID_FOR_SRP: "alice" }
    }
  },
  {
    name: "InitiateAuth USER_PASSWORD_AUTH answered with tokens",
    action: "InitiateAuth",
    run: (p) =>
      p.initiateAuth({
        authFlow: "USER_PASSWORD_AUTH",
        username: "alice",
        password: secret(password),
        secretHash: secret(secretHash),
        clientMetadata: { k: "v" }
      }),
    body: {
      ClientId: "client123",
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: "alice", PASSWORD: password, SECRET_HASH: secretHash },
      ClientMetadata: { k: "v" }
    },
    response: { AuthenticationResult: tokensWire, ChallengeParameters: {} },
    result: { _tag: "Authenticated", tokens }
  },
  {
    name: "InitiateAuth REFRESH_TOKEN_AUTH",
    action: "InitiateAuth",
    run: (p) =>
      p.initiateAuth({
        authFlow: "REFRESH_TOKEN_AUTH",
        refreshToken: secret(refreshToken),
        secretHash: secret(secretHash),
        deviceKey: "eu-west-1_device"
      }),
    body: {
      ClientId: "client123",
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: refreshToken, SECRET_HASH: secretHash, DEVICE_KEY: "eu-west-1_device" }
    },
    response: {
      AuthenticationResult: { AccessToken: accessToken, IdToken: idToken, ExpiresIn: 3600, TokenType: "Bearer" }
    },
    result: {
      _tag: "Authenticated",
      tokens: {
        accessToken: { redacted: accessToken },
        idToken: { redacted: idToken },
        expiresIn: 3600,
        tokenType: "Bearer"
      }
    }
  },
  {
    name: "InitiateAuth CUSTOM_AUTH with SRP_A",
    action: "InitiateAuth",
    run: (p) => p.initiateAuth({ authFlow: "CUSTOM_AUTH", username: "alice", srpA: "abc123" }),
    body: {
      ClientId: "client123",
      AuthFlow: "CUSTOM_AUTH",
      AuthParameters: { USERNAME: "alice", SRP_A: "abc123", CHALLENGE_NAME: "SRP_A" }
    },
    response: { ChallengeName: "CUSTOM_CHALLENGE", Session: session, ChallengeParameters: { question: "2+2" } },
    result: {
      _tag: "Challenge",
      challengeName: "CUSTOM_CHALLENGE",
      session: { redacted: session },
      parameters: { question: "2+2" }
    }
  },
  {
    name: "InitiateAuth CUSTOM_AUTH without SRP",
    action: "InitiateAuth",
    run: (p) => p.initiateAuth({ authFlow: "CUSTOM_AUTH", username: "alice", clientMetadata: { a: "b" } }),
    body: {
      ClientId: "client123",
      AuthFlow: "CUSTOM_AUTH",
      AuthParameters: { USERNAME: "alice" },
      ClientMetadata: { a: "b" }
    },
    response: { ChallengeName: "CUSTOM_CHALLENGE", Session: session },
    result: { _tag: "Challenge", challengeName: "CUSTOM_CHALLENGE", session: { redacted: session }, parameters: {} }
  },
  {
    name: "RespondToAuthChallenge with every response revealed on the wire",
    action: "RespondToAuthChallenge",
    run: (p) =>
      p.respondToAuthChallenge({
        challengeName: "PASSWORD_VERIFIER",
        session: secret(session),
        challengeResponses: {
          USERNAME: secret("alice"),
          PASSWORD_CLAIM_SIGNATURE: secret("c2lnbmF0dXJl"),
          PASSWORD_CLAIM_SECRET_BLOCK: secret("c2VjcmV0"),
          TIMESTAMP: secret("Tue Nov 3 07:05:09 UTC 2026"),
          SECRET_HASH: secret(secretHash)
        },
        clientMetadata: { k: "v" }
      }),
    body: {
      ClientId: "client123",
      ChallengeName: "PASSWORD_VERIFIER",
      Session: session,
      ChallengeResponses: {
        USERNAME: "alice",
        PASSWORD_CLAIM_SIGNATURE: "c2lnbmF0dXJl",
        PASSWORD_CLAIM_SECRET_BLOCK: "c2VjcmV0",
        TIMESTAMP: "Tue Nov 3 07:05:09 UTC 2026",
        SECRET_HASH: secretHash
      },
      ClientMetadata: { k: "v" }
    },
    response: {
      AuthenticationResult: { ...tokensWire, NewDeviceMetadata: { DeviceKey: "dk", DeviceGroupKey: "dgk" } },
      ChallengeParameters: {}
    },
    result: {
      _tag: "Authenticated",
      tokens: { ...tokens, newDeviceMetadata: { deviceKey: "dk", deviceGroupKey: "dgk" } }
    }
  },
  {
    name: "GetTokensFromRefreshToken with ClientSecret",
    action: "GetTokensFromRefreshToken",
    run: (p) =>
      p.getTokensFromRefreshToken({
        refreshToken: secret(refreshToken),
        clientSecret: secret(clientSecret),
        deviceKey: "eu-west-1_device"
      }),
    body: {
      ClientId: "client123",
      RefreshToken: refreshToken,
      ClientSecret: clientSecret,
      DeviceKey: "eu-west-1_device"
    },
    response: { AuthenticationResult: tokensWire },
    result: tokens
  },
  {
    name: "GlobalSignOut",
    action: "GlobalSignOut",
    run: (p) => p.globalSignOut({ accessToken: secret(accessToken) }),
    body: { AccessToken: accessToken },
    response: {},
    result: undefined
  },
  {
    name: "RevokeToken with ClientSecret",
    action: "RevokeToken",
    run: (p) => p.revokeToken({ token: secret(refreshToken), clientSecret: secret(clientSecret) }),
    body: { ClientId: "client123", Token: refreshToken, ClientSecret: clientSecret },
    response: {},
    result: undefined
  },
  {
    name: "ForgotPassword",
    action: "ForgotPassword",
    run: (p) => p.forgotPassword({ username: "alice", secretHash: secret(secretHash), clientMetadata: { k: "v" } }),
    body: { ClientId: "client123", Username: "alice", SecretHash: secretHash, ClientMetadata: { k: "v" } },
    response: { CodeDeliveryDetails: { DeliveryMedium: "EMAIL", Destination: "a***@e***", AttributeName: "email" } },
    result: { codeDeliveryDetails: { deliveryMedium: "EMAIL", destination: "a***@e***", attributeName: "email" } }
  },
  {
    name: "ConfirmForgotPassword",
    action: "ConfirmForgotPassword",
    run: (p) =>
      p.confirmForgotPassword({
        username: "alice",
        confirmationCode: secret(code),
        password: secret(newPassword),
        secretHash: secret(secretHash)
      }),
    body: {
      ClientId: "client123",
      Username: "alice",
      ConfirmationCode: code,
      Password: newPassword,
      SecretHash: secretHash
    },
    response: {},
    result: undefined
  },
  {
    name: "ChangePassword",
    action: "ChangePassword",
    run: (p) =>
      p.changePassword({
        accessToken: secret(accessToken),
        previousPassword: secret(password),
        proposedPassword: secret(newPassword)
      }),
    body: { AccessToken: accessToken, PreviousPassword: password, ProposedPassword: newPassword },
    response: {},
    result: undefined
  },
  {
    name: "GetUser",
    action: "GetUser",
    run: (p) => p.getUser({ accessToken: secret(accessToken) }),
    body: { AccessToken: accessToken },
    response: {
      Username: "alice",
      UserAttributes: [
        { Name: "sub", Value: "sub-1" },
        { Name: "email", Value: "alice@example.com" }
      ],
      PreferredMfaSetting: "SOFTWARE_TOKEN_MFA",
      UserMFASettingList: ["SOFTWARE_TOKEN_MFA"]
    },
    result: {
      username: "alice",
      userAttributes: { sub: "sub-1", email: "alice@example.com" },
      preferredMfaSetting: "SOFTWARE_TOKEN_MFA",
      userMfaSettingList: ["SOFTWARE_TOKEN_MFA"]
    }
  },
  {
    name: "AssociateSoftwareToken with a session",
    action: "AssociateSoftwareToken",
    run: (p) => p.associateSoftwareToken({ session: secret(session) }),
    body: { Session: session },
    response: { SecretCode: "JBSWY3DPEHPK3PXP", Session: "next-session" },
    result: { secretCode: { redacted: "JBSWY3DPEHPK3PXP" }, session: { redacted: "next-session" } }
  },
  {
    name: "VerifySoftwareToken with an access token",
    action: "VerifySoftwareToken",
    run: (p) =>
      p.verifySoftwareToken({ accessToken: secret(accessToken), userCode: secret(code), friendlyDeviceName: "phone" }),
    body: { AccessToken: accessToken, UserCode: code, FriendlyDeviceName: "phone" },
    response: { Status: "SUCCESS" },
    result: { status: "SUCCESS" }
  }
]

/** Every exception name of the table in AuthError.ts. */
const exceptionNames = [
  "UsernameExistsException",
  "UserNotFoundException",
  "NotAuthorizedException",
  "UserNotConfirmedException",
  "PasswordResetRequiredException",
  "CodeMismatchException",
  "ExpiredCodeException",
  "InvalidPasswordException",
  "PasswordHistoryPolicyViolationException",
  "InvalidParameterException",
  "LimitExceededException",
  "TooManyRequestsException",
  "ThrottlingException",
  "TooManyFailedAttemptsException",
  "CodeDeliveryFailureException",
  "AliasExistsException",
  "InvalidUserPoolConfigurationException",
  "InvalidSmsRoleAccessPolicyException",
  "InvalidSmsRoleTrustRelationshipException",
  "InvalidEmailRoleAccessPolicyException",
  "InvalidIdentityPoolConfigurationException",
  "ResourceNotFoundException",
  "MFAMethodNotFoundException",
  "SoftwareTokenMFANotFoundException",
  "EnableSoftwareTokenMFAException",
  "UnsupportedOperationException",
  "UnsupportedUserStateException",
  "UnsupportedTokenTypeException",
  "RefreshTokenReuseException",
  "InvalidLambdaResponseException",
  "UserLambdaValidationException",
  "UnexpectedLambdaException",
  "ForbiddenException",
  "ResourceConflictException",
  "ExternalServiceException",
  "InternalErrorException",
  "InternalServerError",
  "ServiceUnavailableException"
]

const passwordSignIn = (provider: IdentityProvider.IdentityProvider.Service) =>
  provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username: "alice", password: secret(password) })

const refresh = (provider: IdentityProvider.IdentityProvider.Service) =>
  provider.initiateAuth({ authFlow: "REFRESH_TOKEN_AUTH", refreshToken: secret(refreshToken) })

const throttled = FakeHttpClient.awsError(400, "TooManyRequestsException", "Rate exceeded")

describe("CognitoIdentityProvider", () => {
  describe("wire shape", () => {
    for (const c of wireCases) {
      it.effect(`sends ${c.name} as AWS JSON 1.1 with a PascalCase body`, () => checkWireCase(c))
    }

    it.effect("posts to the endpoint from AuthConfig", () =>
      Effect.gen(function* () {
        const { provider, requests } = yield* setup(() => FakeHttpClient.json(200, {}), undefined, {
          ...config,
          endpoints: { identityProvider: "http://127.0.0.1:9229/" }
        })
        yield* provider.globalSignOut({ accessToken: secret(accessToken) })
        assert.strictEqual(requests[0]!.url, "http://127.0.0.1:9229/")
      })
    )

    it.effect("passes challenge parameters that are not strings on as JSON text", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() =>
          FakeHttpClient.json(200, {
            ChallengeName: "MFA_SETUP",
            Session: session,
            ChallengeParameters: { MFAS_CAN_SETUP: ["SOFTWARE_TOKEN_MFA"] }
          })
        )
        const result = yield* passwordSignIn(provider)
        assert.deepStrictEqual(reveal(result), {
          _tag: "Challenge",
          challengeName: "MFA_SETUP",
          session: { redacted: session },
          parameters: { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' }
        })
      })
    )

    it.effect("reads ExpiresIn from the access token and defaults TokenType when the server omits them", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() =>
          FakeHttpClient.json(200, { AuthenticationResult: { AccessToken: accessToken, IdToken: idToken } })
        )
        const result = yield* refresh(provider)
        assert.deepStrictEqual(reveal(result), {
          _tag: "Authenticated",
          tokens: {
            accessToken: { redacted: accessToken },
            idToken: { redacted: idToken },
            expiresIn: 3600,
            tokenType: "Bearer"
          }
        })
      })
    )

    it.effect("treats an empty 200 body as {} for actions without output", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() => FakeHttpClient.text(200, "", "application/x-amz-json-1.1"))
        yield* provider.globalSignOut({ accessToken: secret(accessToken) })
      })
    )
  })

  describe("errors", () => {
    for (const name of exceptionNames) {
      it.effect(`maps ${name} through the table, keeping message, exception and status`, () =>
        Effect.gen(function* () {
          const { provider } = yield* setup(() => FakeHttpClient.awsError(400, name, `Cognito says ${name}`))
          const error = yield* Effect.flip(passwordSignIn(provider))
          const expected = AuthError.reasonFromException(name)
          assert.isDefined(expected)
          assert.strictEqual(error._tag, "AuthError")
          assert.strictEqual(error.reason, expected)
          assert.strictEqual(error.method, "InitiateAuth")
          assert.strictEqual(error.description, `Cognito says ${name}`)
          assert.strictEqual(error.exception, name)
          assert.strictEqual(error.status, 400)
        })
      )
    }

    it.effect("maps a `prefix#Name` __type", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() =>
          FakeHttpClient.awsError(
            400,
            "com.amazonaws.cognito.identity.idp.model#UserNotFoundException",
            "User does not exist."
          )
        )
        const error = yield* Effect.flip(passwordSignIn(provider))
        assert.strictEqual(error.reason, "UserNotFound")
        assert.strictEqual(error.exception, "UserNotFoundException")
        assert.strictEqual(error.description, "User does not exist.")
      })
    )

    it.effect("maps a `Name:suffix` x-amzn-errortype header when the body has no __type", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() =>
          FakeHttpClient.json(
            400,
            { message: "Incorrect username or password." },
            { "x-amzn-errortype": "NotAuthorizedException:http://internal.amazon.com/coral/com.amazon.coral.service/" }
          )
        )
        const error = yield* Effect.flip(passwordSignIn(provider))
        assert.strictEqual(error.reason, "NotAuthorized")
        assert.strictEqual(error.exception, "NotAuthorizedException")
        assert.strictEqual(error.description, "Incorrect username or password.")
      })
    )

    it.effect("prefers the x-amzn-errortype header to __type", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() =>
          FakeHttpClient.awsError(400, "InternalErrorException", "m", { "x-amzn-errortype": "CodeMismatchException" })
        )
        const error = yield* Effect.flip(passwordSignIn(provider))
        assert.strictEqual(error.reason, "CodeMismatch")
      })
    )

    it.effect("fails with InvalidResponse naming the action and status for an unknown exception", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() => FakeHttpClient.awsError(400, "BrandNewException", "Something new"))
        const error = yield* Effect.flip(
          provider.signUp({ username: "alice", password: secret(password), userAttributes: {} })
        )
        assert.strictEqual(error.reason, "InvalidResponse")
        assert.strictEqual(error.method, "SignUp")
        assert.strictEqual(error.status, 400)
        assert.strictEqual(error.exception, "BrandNewException")
        assert.include(error.description, "SignUp")
        assert.include(error.description, "400")
        assert.include(error.description, "BrandNewException")
        assert.isFalse(AuthError.isTransient(error))
      })
    )

    it.effect("fails with InvalidResponse, transient, for an HTML 502 page from a proxy", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() =>
          FakeHttpClient.text(502, "<html><body><h1>502 Bad Gateway</h1></body></html>")
        )
        const error = yield* Effect.flip(provider.getUser({ accessToken: secret(accessToken) }))
        assert.strictEqual(error.reason, "InvalidResponse")
        assert.strictEqual(error.method, "GetUser")
        assert.strictEqual(error.status, 502)
        assert.include(error.description, "GetUser")
        assert.include(error.description, "502")
        assert.isTrue(AuthError.isTransient(error))
      })
    )

    it.effect("fails with InvalidResponse for truncated JSON", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() =>
          FakeHttpClient.text(200, '{"AuthenticationResult":{"AccessToken":"eyJ', "application/x-amz-json-1.1")
        )
        const error = yield* Effect.flip(passwordSignIn(provider))
        assert.strictEqual(error.reason, "InvalidResponse")
        assert.strictEqual(error.status, 200)
        assert.include(error.description, "InitiateAuth")
        assert.include(error.description, "not JSON")
      })
    )

    it.effect("fails with InvalidResponse when AuthenticationResult has no AccessToken", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() =>
          FakeHttpClient.json(200, { AuthenticationResult: { IdToken: idToken, ExpiresIn: 3600, TokenType: "Bearer" } })
        )
        const error = yield* Effect.flip(passwordSignIn(provider))
        assert.strictEqual(error.reason, "InvalidResponse")
        assert.strictEqual(error.method, "InitiateAuth")
        assert.include(error.description, "AuthenticationResult.AccessToken is missing")
        assert.notInclude(error.description, idToken)
      })
    )

    it.effect("fails with InvalidResponse when a response has neither tokens nor a challenge", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() => FakeHttpClient.json(200, { ChallengeParameters: {} }))
        const error = yield* Effect.flip(passwordSignIn(provider))
        assert.strictEqual(error.reason, "InvalidResponse")
        assert.include(error.description, "neither AuthenticationResult nor ChallengeName")
      })
    )

    it.effect("fails with InvalidResponse when ExpiresIn is missing and the access token is no JWT", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() =>
          FakeHttpClient.json(200, { AuthenticationResult: { AccessToken: "opaque", IdToken: idToken } })
        )
        const error = yield* Effect.flip(refresh(provider))
        assert.strictEqual(error.reason, "InvalidResponse")
        assert.include(error.description, "ExpiresIn")
      })
    )

    it.effect("fails with InvalidResponse for an error body without an exception name", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() => FakeHttpClient.json(400, { message: "Missing x-amz-target header" }))
        const error = yield* Effect.flip(passwordSignIn(provider))
        assert.strictEqual(error.reason, "InvalidResponse")
        assert.strictEqual(error.status, 400)
      })
    )

    it.effect("fails with Transport after requestTimeout when the server never answers", () =>
      Effect.gen(function* () {
        const { provider, requests } = yield* setup(() => FakeHttpClient.never)
        const fiber = yield* Effect.forkChild(passwordSignIn(provider))
        yield* TestClock.adjust("9999 millis")
        assert.isUndefined(fiber.pollUnsafe())
        yield* TestClock.adjust("1 millis")
        const error = yield* Effect.flip(Fiber.join(fiber))
        assert.strictEqual(error.reason, "Transport")
        assert.strictEqual(error.method, "InitiateAuth")
        assert.include(error.description, "10s")
        assert.strictEqual(requests.length, 1)
      })
    )

    it.effect("uses the requestTimeout from AuthConfig", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() => FakeHttpClient.never, undefined, {
          ...config,
          requestTimeout: "2 seconds"
        })
        const fiber = yield* Effect.forkChild(passwordSignIn(provider))
        yield* TestClock.adjust("2 seconds")
        const error = yield* Effect.flip(Fiber.join(fiber))
        assert.strictEqual(error.reason, "Transport")
      })
    )

    it.effect("fails with Transport, not a defect, when the connection fails", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() => FakeHttpClient.transportFailure("connect ECONNREFUSED 127.0.0.1:9"))
        const error = yield* Effect.flip(passwordSignIn(provider))
        assert.strictEqual(error.reason, "Transport")
        assert.strictEqual(error.method, "InitiateAuth")
        assert.strictEqual(
          error.description,
          `InitiateAuth request to ${endpoint} failed: connect ECONNREFUSED 127.0.0.1:9`
        )
        assert.instanceOf(error.cause, Error)
        assert.strictEqual((error.cause as Error).message, "connect ECONNREFUSED 127.0.0.1:9")
      })
    )
  })

  describe("retries", () => {
    const fast: CognitoIdentityProvider.Options = { retrySchedule: Schedule.recurs(5) }

    it.effect("retries a throttled REFRESH_TOKEN_AUTH until it succeeds", () =>
      Effect.gen(function* () {
        const { provider, requests } = yield* setup(
          (_, index) => (index < 2 ? throttled : FakeHttpClient.json(200, { AuthenticationResult: tokensWire })),
          fast
        )
        const result = yield* refresh(provider)
        assert.strictEqual(result._tag, "Authenticated")
        assert.strictEqual(requests.length, 3)
      })
    )

    it.effect("retries GetUser after a 503 and after a transport failure", () =>
      Effect.gen(function* () {
        const replies = [
          FakeHttpClient.text(503, "<html>Service Unavailable</html>"),
          FakeHttpClient.transportFailure("socket hang up"),
          FakeHttpClient.json(200, { Username: "alice", UserAttributes: [] })
        ]
        const { provider, requests } = yield* setup((_, index) => replies[index]!, fast)
        const user = yield* provider.getUser({ accessToken: secret(accessToken) })
        assert.strictEqual(user.username, "alice")
        assert.strictEqual(requests.length, 3)
      })
    )

    it.effect("retries GlobalSignOut and RevokeToken on LimitExceeded", () =>
      Effect.gen(function* () {
        const limit = FakeHttpClient.awsError(400, "LimitExceededException", "Attempt limit exceeded")
        const { provider, requests } = yield* setup(
          (_, index) => (index % 2 === 0 ? limit : FakeHttpClient.json(200, {})),
          fast
        )
        yield* provider.globalSignOut({ accessToken: secret(accessToken) })
        yield* provider.revokeToken({ token: secret(refreshToken) })
        assert.strictEqual(requests.length, 4)
      })
    )

    it.effect("does not retry a throttled ConfirmSignUp", () =>
      Effect.gen(function* () {
        const { provider, requests } = yield* setup(() => throttled, fast)
        const error = yield* Effect.flip(provider.confirmSignUp({ username: "alice", confirmationCode: secret(code) }))
        assert.strictEqual(error.reason, "TooManyRequests")
        assert.strictEqual(requests.length, 1)
      })
    )

    const notRetried: ReadonlyArray<
      readonly [string, (p: IdentityProvider.IdentityProvider.Service) => Effect.Effect<unknown, AuthError.AuthError>]
    > = [
      ["SignUp", (p) => p.signUp({ username: "alice", password: secret(password), userAttributes: {} })],
      ["InitiateAuth USER_PASSWORD_AUTH", passwordSignIn],
      [
        "InitiateAuth USER_SRP_AUTH",
        (p) => p.initiateAuth({ authFlow: "USER_SRP_AUTH", username: "alice", srpA: "ab" })
      ],
      ["InitiateAuth CUSTOM_AUTH", (p) => p.initiateAuth({ authFlow: "CUSTOM_AUTH", username: "alice" })],
      [
        "RespondToAuthChallenge",
        (p) =>
          p.respondToAuthChallenge({ challengeName: "SMS_MFA", challengeResponses: { SMS_MFA_CODE: secret(code) } })
      ],
      ["ForgotPassword", (p) => p.forgotPassword({ username: "alice" })],
      ["ResendConfirmationCode", (p) => p.resendConfirmationCode({ username: "alice" })],
      [
        "ConfirmForgotPassword",
        (p) =>
          p.confirmForgotPassword({ username: "alice", confirmationCode: secret(code), password: secret(password) })
      ],
      [
        "ChangePassword",
        (p) =>
          p.changePassword({
            accessToken: secret(accessToken),
            previousPassword: secret(password),
            proposedPassword: secret(newPassword)
          })
      ]
    ]
    for (const [name, run] of notRetried) {
      it.effect(`does not retry ${name} after a 500`, () =>
        Effect.gen(function* () {
          const { provider, requests } = yield* setup(() => FakeHttpClient.text(500, "<html>oops</html>"), fast)
          const error = yield* Effect.flip(run(provider))
          assert.strictEqual(error.reason, "InvalidResponse")
          assert.strictEqual(requests.length, 1)
        })
      )
    }

    it.effect("does not retry a failure that is not transient", () =>
      Effect.gen(function* () {
        const { provider, requests } = yield* setup(
          () => FakeHttpClient.awsError(400, "NotAuthorizedException", "Refresh Token has been revoked"),
          fast
        )
        const error = yield* Effect.flip(refresh(provider))
        assert.strictEqual(error.reason, "NotAuthorized")
        assert.strictEqual(requests.length, 1)
      })
    )

    it.effect("gives up after the maximum attempts of the default schedule, with backoff on the clock", () =>
      Effect.gen(function* () {
        const { provider, requests } = yield* setup(() => throttled, {})
        const fiber = yield* Effect.forkChild(refresh(provider))
        yield* TestClock.adjust("100 millis")
        assert.strictEqual(requests.length, 1, "the first retry waits for the backoff")
        yield* TestClock.adjust("1 minute")
        const error = yield* Effect.flip(Fiber.join(fiber))
        assert.strictEqual(error.reason, "TooManyRequests")
        assert.strictEqual(requests.length, 4)
      })
    )

    it.effect("gives up after the attempts of a custom schedule", () =>
      Effect.gen(function* () {
        const { provider, requests } = yield* setup(() => throttled, { retrySchedule: Schedule.recurs(2) })
        const error = yield* Effect.flip(provider.getTokensFromRefreshToken({ refreshToken: secret(refreshToken) }))
        assert.strictEqual(error.reason, "TooManyRequests")
        assert.strictEqual(requests.length, 3)
      })
    )
  })

  describe("secrets", () => {
    const secrets = [password, newPassword, secretHash, clientSecret, code, accessToken, refreshToken, session]
    const assertNoSecret = (error: AuthError.AuthError) => {
      const shown = [String(error), JSON.stringify(error), error.message, error.description ?? ""]
      for (const text of shown) for (const s of secrets) assert.notInclude(text, s)
    }
    // Emulators echo what they were sent (moto puts the token or the secret hash in the message).
    const echo = (request: FakeHttpClient.Recorded) =>
      FakeHttpClient.awsError(400, "NotAuthorizedException", `rejected ${request.text}`)
    const failures: ReadonlyArray<readonly [string, FakeHttpClient.Reply | typeof echo]> = [
      ["an exception whose message echoes the request", echo],
      ["an unknown exception whose message echoes the request", (r) => FakeHttpClient.awsError(400, "X", r.text)],
      ["an HTML page", FakeHttpClient.text(502, "<html>bad gateway</html>")],
      ["a body of the wrong shape", FakeHttpClient.json(200, null)],
      ["a transport failure", FakeHttpClient.transportFailure("ECONNRESET")]
    ]
    const requestsWithSecrets: ReadonlyArray<
      readonly [string, (p: IdentityProvider.IdentityProvider.Service) => Effect.Effect<unknown, AuthError.AuthError>]
    > = [
      [
        "USER_PASSWORD_AUTH",
        (p) =>
          p.initiateAuth({
            authFlow: "USER_PASSWORD_AUTH",
            username: "alice",
            password: secret(password),
            secretHash: secret(secretHash)
          })
      ],
      [
        "REFRESH_TOKEN_AUTH",
        (p) =>
          p.initiateAuth({
            authFlow: "REFRESH_TOKEN_AUTH",
            refreshToken: secret(refreshToken),
            secretHash: secret(secretHash)
          })
      ],
      [
        "ConfirmForgotPassword",
        (p) =>
          p.confirmForgotPassword({
            username: "alice",
            confirmationCode: secret(code),
            password: secret(newPassword),
            secretHash: secret(secretHash)
          })
      ],
      [
        "ChangePassword",
        (p) =>
          p.changePassword({
            accessToken: secret(accessToken),
            previousPassword: secret(password),
            proposedPassword: secret(newPassword)
          })
      ],
      ["RevokeToken", (p) => p.revokeToken({ token: secret(refreshToken), clientSecret: secret(clientSecret) })],
      [
        "RespondToAuthChallenge",
        (p) =>
          p.respondToAuthChallenge({
            challengeName: "SMS_MFA",
            session: secret(session),
            challengeResponses: { USERNAME: secret("alice"), SMS_MFA_CODE: secret(code) }
          })
      ]
    ]
    for (const [requestName, run] of requestsWithSecrets) {
      for (const [failureName, reply] of failures) {
        it.effect(`keeps the secrets of ${requestName} out of the error for ${failureName}`, () =>
          Effect.gen(function* () {
            const { provider } = yield* setup((request) => (typeof reply === "function" ? reply(request) : reply))
            const error = yield* Effect.flip(run(provider))
            assertNoSecret(error)
          })
        )
      }
    }

    it.effect("keeps secrets out of a timeout error", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() => FakeHttpClient.never)
        const fiber = yield* Effect.forkChild(passwordSignIn(provider))
        yield* TestClock.adjust("10 seconds")
        assertNoSecret(yield* Effect.flip(Fiber.join(fiber)))
      })
    )

    it.effect("replaces an echoed secret with <redacted> and keeps the rest of the message", () =>
      Effect.gen(function* () {
        const { provider } = yield* setup(() => FakeHttpClient.awsError(400, "NotAuthorizedException", accessToken))
        const error = yield* Effect.flip(provider.globalSignOut({ accessToken: secret(accessToken) }))
        assert.strictEqual(error.reason, "NotAuthorized")
        assert.strictEqual(error.description, "<redacted>")
      })
    )
  })
})
