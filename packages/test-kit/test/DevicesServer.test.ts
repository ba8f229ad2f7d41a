/**
 * TestCognito's devices, driven through its `IdentityProvider` as a client would: a pool
 * with `DeviceConfiguration` answers a sign-in from an unknown device with
 * `NewDeviceMetadata`, ConfirmDevice stores the device's SRP verifier, a remembered device
 * proves itself by device SRP instead of MFA, refresh tokens are bound to their device,
 * and devices are listed, paged, read, remembered, forgotten (by the user and by an admin)
 * and kept in snapshots. The failures carry Cognito's exception names and no device secret.
 */
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import { TestCognito, TestCognitoSnapshot } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Formatter from "effect/Formatter"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as TestClock from "effect/testing/TestClock"
import {
  type DeviceSecret,
  deviceSrp,
  expectChallenge,
  expectTokens,
  srpSignIn,
  srpStart,
  verifierConfig
} from "./deviceClient.js"
import { atStart } from "./fixtures.js"

const password = Redacted.make("Abc@123!x")

/** A pool that requires TOTP and tracks devices; devices remembered at once unless `onPrompt`. */
const pool = (onPrompt = false) =>
  TestCognito.layerCognito({
    mfa: "ON",
    mfaTypes: ["TOTP"],
    deviceConfiguration: { challengeRequiredOnNewDevice: true, deviceOnlyRememberedOnUserPrompt: onPrompt },
    identityPool: false
  })

/** A confirmed user with an authenticator; returns its TOTP secret. */
const userWithTotp = (username: string) =>
  Effect.gen(function* () {
    const cognito = yield* TestCognito.TestCognito
    yield* cognito.provider.signUp({ username, password, userAttributes: { email: `${username}@example.com` } })
    yield* cognito.adminConfirmSignUp(username)
    return yield* cognito.adminEnableTotp(username)
  })

/** A TOTP code is accepted once: each sign-in that answers one moves to the next 30-second step. */
const nextStep = TestClock.adjust("30 seconds")

/** USER_PASSWORD_AUTH (with `deviceKey` if given) answered with the authenticator's code. */
const totpSignIn = (username: string, secret: Redacted.Redacted<string>, deviceKey?: string) =>
  Effect.gen(function* () {
    const cognito = yield* TestCognito.TestCognito
    yield* nextStep
    const started = expectChallenge(
      yield* cognito.provider.initiateAuth({
        authFlow: "USER_PASSWORD_AUTH",
        username,
        password,
        ...(deviceKey === undefined ? {} : { deviceKey })
      }),
      "SOFTWARE_TOKEN_MFA"
    )
    return expectTokens(
      yield* cognito.provider.respondToAuthChallenge({
        challengeName: "SOFTWARE_TOKEN_MFA",
        session: started.session,
        challengeResponses: {
          USERNAME: Redacted.make(username),
          SOFTWARE_TOKEN_MFA_CODE: yield* cognito.totpCode(secret),
          ...(deviceKey === undefined ? {} : { DEVICE_KEY: Redacted.make(deviceKey) })
        }
      })
    )
  })

/** Confirms the new device of a sign-in's tokens, as a client keeps it. */
const confirmNewDevice = (tokens: IdentityProvider.AuthenticationResult, deviceName = "Test phone") =>
  Effect.gen(function* () {
    const cognito = yield* TestCognito.TestCognito
    const metadata = tokens.newDeviceMetadata ?? assert.fail("expected NewDeviceMetadata")
    const device: DeviceSecret = {
      ...metadata,
      devicePassword: Redacted.make(`device-password-${metadata.deviceKey.slice(-6)}`)
    }
    const confirmed = yield* cognito.provider.confirmDevice({
      accessToken: tokens.accessToken,
      deviceKey: device.deviceKey,
      deviceSecretVerifierConfig: yield* verifierConfig(device),
      deviceName
    })
    return { device, confirmed }
  })

/** A user signed in with TOTP whose new device is confirmed (and so remembered on a pool that remembers at once). */
const withDevice = (username: string) =>
  Effect.gen(function* () {
    const secret = yield* userWithTotp(username)
    const tokens = yield* totpSignIn(username, secret)
    const { device, confirmed } = yield* confirmNewDevice(tokens)
    return { secret, tokens, device, confirmed }
  })

/** The exception name of a failure. */
const exceptionOf = <A, R>(effect: Effect.Effect<A, { readonly exception?: string | undefined }, R>) =>
  Effect.map(Effect.flip(effect), (error) => error.exception)

describe("TestCognito devices", () => {
  it.effect(
    "a tracking pool returns NewDeviceMetadata; a confirmed, remembered device answers DEVICE_SRP_AUTH instead of TOTP",
    () =>
      Effect.gen(function* () {
        yield* atStart
        const cognito = yield* TestCognito.TestCognito
        const secret = yield* userWithTotp("alice")
        const first = yield* totpSignIn("alice", secret)
        const metadata = first.newDeviceMetadata ?? assert.fail("no NewDeviceMetadata")
        assert.match(
          metadata.deviceKey,
          /^us-east-1_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
        )
        assert.match(metadata.deviceGroupKey, /^-[0-9A-Za-z]{9}$/)
        // Not confirmed yet: not listed.
        assert.deepStrictEqual((yield* cognito.provider.listDevices({ accessToken: first.accessToken })).devices, [])
        const { device, confirmed } = yield* confirmNewDevice(first)
        assert.deepStrictEqual(confirmed, { userConfirmationNecessary: false })
        const listed = yield* cognito.provider.listDevices({ accessToken: first.accessToken })
        assert.deepStrictEqual(
          listed.devices.map((d) => [d.deviceKey, d.deviceAttributes]),
          [
            [
              device.deviceKey,
              { device_name: "Test phone", device_status: "valid", device_remembered_status: "remembered" }
            ]
          ]
        )
        assert.isUndefined(listed.paginationToken)

        // SRP sign-in, DEVICE_KEY first sent with PASSWORD_VERIFIER: device SRP, then tokens, no TOTP.
        yield* nextStep
        const response = yield* srpSignIn(cognito.provider, cognito.config, {
          username: "alice",
          password,
          deviceKey: device.deviceKey
        })
        const { response: done, parameters } = yield* deviceSrp(cognito.provider, response, "alice", device)
        assert.deepStrictEqual(Object.keys(parameters).sort(), [
          "DEVICE_KEY",
          "SALT",
          "SECRET_BLOCK",
          "SRP_B",
          "USERNAME",
          "USER_ID_FOR_SRP"
        ])
        const tokens = expectTokens(done)
        assert.isUndefined(tokens.newDeviceMetadata)
        assert.isDefined(tokens.refreshToken)
        const challenges = (yield* cognito.requests).flatMap((r) =>
          r.challengeName === undefined ? [] : [r.challengeName]
        )
        assert.deepStrictEqual(challenges.slice(-3), [
          "PASSWORD_VERIFIER",
          "DEVICE_SRP_AUTH",
          "DEVICE_PASSWORD_VERIFIER"
        ])
        assert.notInclude(challenges.slice(1), "SOFTWARE_TOKEN_MFA")

        // USER_PASSWORD_AUTH with DEVICE_KEY at the start goes the same way.
        const passwordStart = expectChallenge(
          yield* cognito.provider.initiateAuth({
            authFlow: "USER_PASSWORD_AUTH",
            username: "alice",
            password,
            deviceKey: device.deviceKey
          }),
          "DEVICE_SRP_AUTH"
        )
        assert.isUndefined(
          expectTokens((yield* deviceSrp(cognito.provider, passwordStart, "alice", device)).response).newDeviceMetadata
        )
        const [seen] = (yield* cognito.provider.listDevices({ accessToken: tokens.accessToken })).devices
        assert.isTrue(seen!.deviceLastAuthenticatedDate!.getTime() > seen!.deviceCreateDate!.getTime())
      }).pipe(Effect.provide(pool()))
  )

  it.effect(
    "with DeviceOnlyRememberedOnUserPrompt a confirmed device asks for TOTP until UpdateDeviceStatus remembers it",
    () =>
      Effect.gen(function* () {
        yield* atStart
        const cognito = yield* TestCognito.TestCognito
        const { secret, tokens, device, confirmed } = yield* withDevice("alice")
        assert.deepStrictEqual(confirmed, { userConfirmationNecessary: true })
        const read = yield* cognito.provider.getDevice({ accessToken: tokens.accessToken, deviceKey: device.deviceKey })
        assert.strictEqual(read.deviceAttributes.device_remembered_status, "not_remembered")

        // Known but not remembered: TOTP as usual, and no new device.
        const again = yield* totpSignIn("alice", secret, device.deviceKey)
        assert.isUndefined(again.newDeviceMetadata)

        yield* cognito.provider.updateDeviceStatus({
          accessToken: tokens.accessToken,
          deviceKey: device.deviceKey,
          deviceRememberedStatus: "remembered"
        })
        const remembered = yield* cognito.provider.initiateAuth({
          authFlow: "USER_PASSWORD_AUTH",
          username: "alice",
          password,
          deviceKey: device.deviceKey
        })
        expectTokens((yield* deviceSrp(cognito.provider, remembered, "alice", device)).response)

        yield* cognito.provider.updateDeviceStatus({
          accessToken: tokens.accessToken,
          deviceKey: device.deviceKey,
          deviceRememberedStatus: "not_remembered"
        })
        assert.isUndefined((yield* totpSignIn("alice", secret, device.deviceKey)).newDeviceMetadata)
      }).pipe(Effect.provide(pool(true)))
  )

  it.effect("a wrong device password is NotAuthorizedException, and no device secret shows in errors or logs", () => {
    const lines: Array<string> = []
    const capture = Logger.map(Logger.formatLogFmt, (line) => {
      lines.push(line)
    })
    return Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      const { device } = yield* withDevice("alice")
      const seen: Array<string> = []
      const wrong = Redacted.make("not-the-device-password")
      const started = yield* cognito.provider.initiateAuth({
        authFlow: "USER_PASSWORD_AUTH",
        username: "alice",
        password,
        deviceKey: device.deviceKey
      })
      const error = yield* Effect.flip(deviceSrp(cognito.provider, started, "alice", device, wrong))
      assert.strictEqual(error.exception, "NotAuthorizedException")
      assert.strictEqual(error.description, "Incorrect username or password.")
      seen.push(String(error), error.message, JSON.stringify(error), Formatter.formatJson(error))
      // A malformed verifier is refused without echoing it.
      const tokens = yield* totpSignIn("bob", yield* userWithTotp("bob"))
      const config = yield* verifierConfig(device)
      const malformed = { passwordVerifier: `${config.passwordVerifier}!`, salt: config.salt }
      const refused = yield* Effect.flip(
        cognito.provider.confirmDevice({
          accessToken: tokens.accessToken,
          deviceKey: tokens.newDeviceMetadata!.deviceKey,
          deviceSecretVerifierConfig: malformed
        })
      )
      assert.strictEqual(refused.exception, "InvalidParameterException")
      seen.push(String(refused), JSON.stringify(refused))
      seen.push(JSON.stringify(yield* cognito.snapshot))
      assert.isAbove(lines.length, 5, "the debug log was captured")
      const haystack = [...seen, ...lines].join("\n")
      for (const secret of [Redacted.value(device.devicePassword), Redacted.value(wrong), config.passwordVerifier])
        assert.notInclude(haystack, secret)
    }).pipe(
      Effect.provide(pool()),
      Effect.provide(Logger.layer([capture])),
      Effect.provideService(References.MinimumLogLevel, "All")
    )
  })

  it.effect(
    "a forgotten device key is ResourceNotFoundException at InitiateAuth, PASSWORD_VERIFIER (answered again without it) and GetDevice; TOTP is asked again",
    () =>
      Effect.gen(function* () {
        yield* atStart
        const cognito = yield* TestCognito.TestCognito
        const { secret, tokens, device } = yield* withDevice("alice")
        yield* cognito.provider.forgetDevice({ accessToken: tokens.accessToken, deviceKey: device.deviceKey })
        const notFound = yield* Effect.flip(
          cognito.provider.initiateAuth({
            authFlow: "USER_PASSWORD_AUTH",
            username: "alice",
            password,
            deviceKey: device.deviceKey
          })
        )
        assert.strictEqual(notFound.exception, "ResourceNotFoundException")
        assert.strictEqual(notFound.description, "Device does not exist.")
        assert.strictEqual(
          yield* exceptionOf(
            cognito.provider.getDevice({ accessToken: tokens.accessToken, deviceKey: device.deviceKey })
          ),
          "ResourceNotFoundException"
        )
        assert.strictEqual(
          yield* exceptionOf(
            cognito.provider.forgetDevice({ accessToken: tokens.accessToken, deviceKey: device.deviceKey })
          ),
          "ResourceNotFoundException"
        )
        // As amazon-cognito-identity-js does: PASSWORD_VERIFIER refused for the device, then answered again without it.
        const { answer } = yield* srpStart(cognito.provider, cognito.config, { username: "alice", password })
        assert.strictEqual(yield* exceptionOf(answer(device.deviceKey)), "ResourceNotFoundException")
        expectChallenge(yield* answer(undefined), "SOFTWARE_TOKEN_MFA")
        // The next sign-in gets a new device.
        assert.notStrictEqual((yield* totpSignIn("alice", secret)).newDeviceMetadata?.deviceKey, device.deviceKey)
      }).pipe(Effect.provide(pool()))
  )

  it.effect("another user's device is ResourceNotFoundException, as one that never existed", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      const alice = yield* withDevice("alice")
      const bobSecret = yield* userWithTotp("bob")
      const bob = yield* totpSignIn("bob", bobSecret)
      for (const deviceKey of [alice.device.deviceKey, "us-east-1_00000000-0000-4000-8000-000000000000"]) {
        assert.strictEqual(
          yield* exceptionOf(cognito.provider.getDevice({ accessToken: bob.accessToken, deviceKey })),
          "ResourceNotFoundException"
        )
        assert.strictEqual(
          yield* exceptionOf(
            cognito.provider.updateDeviceStatus({
              accessToken: bob.accessToken,
              deviceKey,
              deviceRememberedStatus: "remembered"
            })
          ),
          "ResourceNotFoundException"
        )
        assert.strictEqual(
          yield* exceptionOf(cognito.provider.forgetDevice({ accessToken: bob.accessToken, deviceKey })),
          "ResourceNotFoundException"
        )
        assert.strictEqual(
          yield* exceptionOf(
            cognito.provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username: "bob", password, deviceKey })
          ),
          "ResourceNotFoundException"
        )
        assert.strictEqual(
          yield* exceptionOf(
            cognito.provider.confirmDevice({
              accessToken: bob.accessToken,
              deviceKey,
              deviceSecretVerifierConfig: yield* verifierConfig({ ...alice.device, deviceKey })
            })
          ),
          "ResourceNotFoundException"
        )
      }
      // Alice's device is still hers.
      const still = yield* cognito.provider.getDevice({
        accessToken: alice.tokens.accessToken,
        deviceKey: alice.device.deviceKey
      })
      assert.strictEqual(still.deviceAttributes.device_remembered_status, "remembered")
    }).pipe(Effect.provide(pool()))
  )

  it.effect(
    "a refresh token is bound to its device: REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken need its DEVICE_KEY until the device is forgotten",
    () =>
      Effect.gen(function* () {
        yield* atStart
        const cognito = yield* TestCognito.TestCognito
        const { tokens, device } = yield* withDevice("alice")
        const refreshToken = tokens.refreshToken!
        const refresh = (deviceKey?: string) =>
          cognito.provider.initiateAuth({
            authFlow: "REFRESH_TOKEN_AUTH",
            refreshToken,
            ...(deviceKey === undefined ? {} : { deviceKey })
          })
        const without = yield* Effect.flip(refresh())
        assert.strictEqual(without.exception, "NotAuthorizedException")
        assert.strictEqual(without.description, "Invalid Refresh Token")
        // Another device of the same user: still not this token's device.
        const other = (yield* totpSignIn("alice", yield* cognito.adminEnableTotp("alice"))).newDeviceMetadata!
        assert.strictEqual(yield* exceptionOf(refresh(other.deviceKey)), "NotAuthorizedException")
        assert.strictEqual(
          yield* exceptionOf(refresh("us-east-1_00000000-0000-4000-8000-000000000000")),
          "ResourceNotFoundException"
        )
        const refreshed = expectTokens(yield* refresh(device.deviceKey))
        assert.isUndefined(refreshed.newDeviceMetadata)
        const claims = JSON.parse(
          atob(Redacted.value(refreshed.accessToken).split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))
        )
        assert.strictEqual(claims.device_key, device.deviceKey)

        // Rotation keeps the binding.
        assert.strictEqual(
          yield* exceptionOf(cognito.provider.getTokensFromRefreshToken({ refreshToken })),
          "NotAuthorizedException"
        )
        const rotated = yield* cognito.provider.getTokensFromRefreshToken({ refreshToken, deviceKey: device.deviceKey })
        assert.strictEqual(
          yield* exceptionOf(cognito.provider.getTokensFromRefreshToken({ refreshToken: rotated.refreshToken! })),
          "NotAuthorizedException"
        )

        // Forgotten: the token refreshes without a DEVICE_KEY, and the forgotten key is unknown.
        yield* cognito.provider.forgetDevice({ accessToken: tokens.accessToken, deviceKey: device.deviceKey })
        const again = (deviceKey?: string) =>
          cognito.provider.initiateAuth({
            authFlow: "REFRESH_TOKEN_AUTH",
            refreshToken: rotated.refreshToken!,
            ...(deviceKey === undefined ? {} : { deviceKey })
          })
        assert.strictEqual(yield* exceptionOf(again(device.deviceKey)), "ResourceNotFoundException")
        expectTokens(yield* again())
        const unbound = yield* cognito.provider.getTokensFromRefreshToken({ refreshToken: rotated.refreshToken! })
        assert.isDefined(unbound.refreshToken)
      }).pipe(Effect.provide(pool()))
  )

  it.effect("ListDevices pages with Limit and PaginationToken, oldest first; bad limits and tokens are refused", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      const secret = yield* userWithTotp("alice")
      const keys: Array<string> = []
      let accessToken = Redacted.make("")
      for (let i = 0; i < 13; i++) {
        const tokens = yield* totpSignIn("alice", secret)
        keys.push((yield* confirmNewDevice(tokens, `device ${i}`)).device.deviceKey)
        accessToken = tokens.accessToken
      }
      // A device a sign-in made but no one confirmed is not listed.
      yield* totpSignIn("alice", secret)
      const first = yield* cognito.provider.listDevices({ accessToken })
      assert.deepStrictEqual(
        first.devices.map((d) => d.deviceKey),
        keys.slice(0, 10)
      )
      const second = yield* cognito.provider.listDevices({ accessToken, paginationToken: first.paginationToken })
      assert.deepStrictEqual(
        second.devices.map((d) => d.deviceKey),
        keys.slice(10)
      )
      assert.isUndefined(second.paginationToken)
      const pages: Array<ReadonlyArray<string>> = []
      let token: string | undefined
      do {
        const page = yield* cognito.provider.listDevices({ accessToken, limit: 5, paginationToken: token })
        pages.push(page.devices.map((d) => d.deviceAttributes.device_name!))
        token = page.paginationToken
      } while (token !== undefined)
      assert.deepStrictEqual(
        pages.map((page) => page.length),
        [5, 5, 3]
      )
      assert.strictEqual(pages[2]![2], "device 12")
      assert.strictEqual(
        yield* exceptionOf(cognito.provider.listDevices({ accessToken, limit: 61 })),
        "InvalidParameterException"
      )
      assert.strictEqual(
        yield* exceptionOf(cognito.provider.listDevices({ accessToken, limit: -1 })),
        "InvalidParameterException"
      )
      assert.strictEqual(
        yield* exceptionOf(cognito.provider.listDevices({ accessToken, paginationToken: "not-a-token" })),
        "InvalidParameterException"
      )
      assert.strictEqual((yield* cognito.provider.listDevices({ accessToken, limit: 60 })).devices.length, 13)
    }).pipe(Effect.provide(pool()))
  )

  it.effect("the admin lists, reads, remembers and forgets a user's devices", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      const { secret, tokens, device } = yield* withDevice("alice")
      const listed = yield* cognito.adminListDevices("alice")
      assert.deepStrictEqual(
        listed.devices.map((d) => d.deviceKey),
        [device.deviceKey]
      )
      assert.strictEqual(
        (yield* cognito.adminGetDevice("alice", device.deviceKey)).deviceAttributes.device_remembered_status,
        "not_remembered"
      )
      yield* cognito.adminUpdateDeviceStatus("alice", device.deviceKey, "remembered")
      const read = yield* cognito.provider.getDevice({ accessToken: tokens.accessToken, deviceKey: device.deviceKey })
      assert.strictEqual(read.deviceAttributes.device_remembered_status, "remembered")
      assert.strictEqual(yield* exceptionOf(cognito.adminListDevices("nobody")), "UserNotFoundException")
      yield* userWithTotp("bob")
      assert.strictEqual(
        yield* exceptionOf(cognito.adminGetDevice("bob", device.deviceKey)),
        "ResourceNotFoundException"
      )
      yield* cognito.adminForgetDevice("alice", device.deviceKey)
      assert.deepStrictEqual((yield* cognito.adminListDevices("alice")).devices, [])
      assert.isDefined((yield* totpSignIn("alice", secret)).newDeviceMetadata)
      // A deleted user's devices go with the user.
      const bobDevice = (yield* withDevice("carol")).device
      yield* cognito.adminDeleteUser("carol")
      assert.strictEqual(
        yield* exceptionOf(cognito.adminGetDevice("alice", bobDevice.deviceKey)),
        "ResourceNotFoundException"
      )
    }).pipe(Effect.provide(pool(true)))
  )

  it.effect(
    "devices and their refresh-token binding survive a snapshot as JSON; the restored pool runs device SRP",
    () =>
      Effect.gen(function* () {
        yield* atStart
        const cognito = yield* TestCognito.TestCognito
        const { tokens, device } = yield* withDevice("alice")
        const json = yield* Effect.flatMap(cognito.snapshot, TestCognitoSnapshot.toJson)
        const snapshot = yield* TestCognitoSnapshot.fromJson(json)
        assert.deepStrictEqual(snapshot.pool.deviceConfiguration, {
          challengeRequiredOnNewDevice: true,
          deviceOnlyRememberedOnUserPrompt: false
        })
        assert.strictEqual(snapshot.devices?.[0]?.deviceKey, device.deviceKey)
        yield* Effect.gen(function* () {
          const restored = yield* TestCognito.TestCognito
          const started = yield* restored.provider.initiateAuth({
            authFlow: "USER_PASSWORD_AUTH",
            username: "alice",
            password,
            deviceKey: device.deviceKey
          })
          expectTokens((yield* deviceSrp(restored.provider, started, "alice", device)).response)
          assert.strictEqual(
            yield* exceptionOf(
              restored.provider.initiateAuth({ authFlow: "REFRESH_TOKEN_AUTH", refreshToken: tokens.refreshToken! })
            ),
            "NotAuthorizedException"
          )
          expectTokens(
            yield* restored.provider.initiateAuth({
              authFlow: "REFRESH_TOKEN_AUTH",
              refreshToken: tokens.refreshToken!,
              deviceKey: device.deviceKey
            })
          )
        }).pipe(Effect.provide(TestCognito.layerCognito({ restore: snapshot }), { local: true }))
      }).pipe(Effect.provide(pool()))
  )

  it.effect("a pool without DeviceConfiguration returns no NewDeviceMetadata and ignores DEVICE_KEY", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      yield* cognito.provider.signUp({ username: "alice", password, userAttributes: { email: "a@example.com" } })
      yield* cognito.adminConfirmSignUp("alice")
      const tokens = expectTokens(
        yield* cognito.provider.initiateAuth({
          authFlow: "USER_PASSWORD_AUTH",
          username: "alice",
          password,
          deviceKey: "us-east-1_00000000-0000-4000-8000-000000000000"
        })
      )
      assert.isUndefined(tokens.newDeviceMetadata)
      assert.deepStrictEqual((yield* cognito.provider.listDevices({ accessToken: tokens.accessToken })).devices, [])
      expectTokens(
        yield* cognito.provider.initiateAuth({
          authFlow: "REFRESH_TOKEN_AUTH",
          refreshToken: tokens.refreshToken!,
          deviceKey: "us-east-1_00000000-0000-4000-8000-000000000000"
        })
      )
      assert.strictEqual((yield* cognito.snapshot).pool.deviceConfiguration, undefined)
    }).pipe(Effect.provide(TestCognito.layerCognito({ mfa: "OFF", identityPool: false })))
  )
})
