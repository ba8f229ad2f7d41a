/**
 * `Auth` on a TestCognito pool that tracks devices and requires TOTP: the first sign-in
 * asks for the code and confirms the device; once the device is remembered, a sign-in asks
 * for nothing but the password (the pool's request log shows DEVICE_SRP_AUTH and
 * DEVICE_PASSWORD_VERIFIER); refreshes name the device; the device survives sign-out and a
 * restart; `forgetDevice` (or a pool that forgot it) brings MFA back as a new device; a
 * failed ConfirmDevice never fails a sign-in; and the device password shows nowhere.
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as KeyValueStore from "effect/persistence/KeyValueStore"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as TestClock from "effect/testing/TestClock"
import { atStart, confirmedUser, expectReason, password } from "./fixtures.js"

type Options = TestCognito.Options

/** A pool that requires TOTP and tracks devices; confirmed devices wait for `rememberDevice` when `onPrompt`. */
const poolOptions = (onPrompt: boolean): Options => ({
  mfa: "ON",
  mfaTypes: ["TOTP"],
  deviceConfiguration: { challengeRequiredOnNewDevice: true, deviceOnlyRememberedOnUserPrompt: onPrompt },
  identityPool: false
})

/** What `Auth` sent to the pool: each sign-in's and refresh's request, to read their `DEVICE_KEY`. */
interface Sent {
  readonly action: string
  readonly deviceKey: string | undefined
}

/**
 * `Auth` over a TestCognito pool, through an `IdentityProvider` that notes the `DEVICE_KEY`
 * of each InitiateAuth, RespondToAuthChallenge and GetTokensFromRefreshToken it passes on.
 */
const layer = (options: Options, sent: Array<Sent> = []) => {
  const noting = Layer.effect(
    IdentityProvider.IdentityProvider,
    Effect.map(IdentityProvider.IdentityProvider, (pool) => ({
      ...pool,
      initiateAuth: (request: IdentityProvider.InitiateAuthRequest) => {
        sent.push({ action: `InitiateAuth:${request.authFlow}`, deviceKey: request.deviceKey })
        return pool.initiateAuth(request)
      },
      respondToAuthChallenge: (request: IdentityProvider.RespondToAuthChallengeRequest) => {
        const deviceKey = request.challengeResponses.DEVICE_KEY
        sent.push({
          action: `RespondToAuthChallenge:${request.challengeName}`,
          deviceKey: deviceKey === undefined ? undefined : Redacted.value(deviceKey)
        })
        return pool.respondToAuthChallenge(request)
      },
      getTokensFromRefreshToken: (request: Parameters<typeof pool.getTokensFromRefreshToken>[0]) => {
        sent.push({ action: "GetTokensFromRefreshToken", deviceKey: request.deviceKey })
        return pool.getTokensFromRefreshToken(request)
      }
    }))
  )
  return Layer.provideMerge(
    TestCognito.layerAuth(options).pipe(Layer.provide(noting)),
    TestCognito.layerCognito(options)
  )
}

/** alice, confirmed, with an authenticator; returns its TOTP secret. */
const aliceWithTotp = Effect.gen(function* () {
  yield* atStart
  yield* confirmedUser()
  return yield* (yield* TestCognito.TestCognito).adminEnableTotp("alice")
})

/** A TOTP code is accepted once: each answer moves to the next 30-second step. */
const totpCode = (secret: Redacted.Redacted<string>) =>
  Effect.andThen(
    TestClock.adjust("30 seconds"),
    Effect.flatMap(TestCognito.TestCognito, (c) => c.totpCode(secret))
  )

const signIn = Effect.flatMap(Auth.Auth, (auth) => auth.signIn({ username: "alice", password }))
const signOut = (global = false) => Effect.flatMap(Auth.Auth, (auth) => auth.signOut({ global }))

/** A sign-in answered with the authenticator's code; fails unless the code is asked. */
const signInWithTotp = (secret: Redacted.Redacted<string>) =>
  Effect.gen(function* () {
    const auth = yield* Auth.Auth
    const asked = yield* signIn
    assert.strictEqual(asked._tag, "SoftwareTokenMfa")
    const result = yield* auth.confirmSignIn({ challengeResponse: yield* totpCode(secret) })
    assert.strictEqual(result._tag, "SignedIn")
  })

const storedDevice = Effect.flatMap(TokenStore.TokenStore, (store) => store.loadDevice("alice"))
const theDevice = Effect.flatMap(storedDevice, (device) =>
  Option.isSome(device) ? Effect.succeed(device.value) : Effect.die("no device is stored")
)

/** The challenges the pool was answered since `from`, in order. */
const challengesSince = (from: number) =>
  Effect.map(
    Effect.flatMap(TestCognito.TestCognito, (cognito) => cognito.requests),
    (requests) => requests.slice(from).map((request) => request.challengeName ?? request.action)
  )
const requestCount = Effect.flatMap(TestCognito.TestCognito, (cognito) => cognito.requestCount())

describe("Auth devices on TestCognito", () => {
  it.effect("the first sign-in asks for TOTP and confirms the device; once remembered, only the password", () => {
    const sent: Array<Sent> = []
    return Effect.gen(function* () {
      const secret = yield* aliceWithTotp
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      yield* signInWithTotp(secret)
      const device = yield* theDevice
      assert.isTrue(device.confirmed)
      const listed = yield* auth.fetchDevices()
      assert.deepStrictEqual(
        listed.devices.map((d) => [d.key, d.rememberedStatus]),
        [[device.deviceKey, "not_remembered"]]
      )
      yield* auth.rememberDevice()
      assert.strictEqual((yield* auth.getDevice()).rememberedStatus, "remembered")
      yield* signOut()

      const from = yield* requestCount
      sent.length = 0
      const result = yield* signIn
      assert.strictEqual(result._tag, "SignedIn")
      assert.isTrue(yield* auth.isSignedIn)
      const challenges = yield* challengesSince(from)
      assert.includeMembers(challenges, ["DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"])
      assert.notInclude(challenges, "SOFTWARE_TOKEN_MFA")
      for (const request of sent) assert.strictEqual(request.deviceKey, device.deviceKey, request.action)
      assert.deepStrictEqual(yield* theDevice, device)
      assert.strictEqual((yield* cognito.adminListDevices("alice")).devices.length, 1)
    }).pipe(Effect.provide(layer(poolOptions(true), sent)))
  })

  it.effect("a device remembered at once (no user prompt) skips MFA from the second sign-in", () =>
    Effect.gen(function* () {
      const secret = yield* aliceWithTotp
      yield* signInWithTotp(secret)
      yield* signOut()
      assert.strictEqual((yield* signIn)._tag, "SignedIn")
    }).pipe(Effect.provide(layer(poolOptions(false))))
  )

  it.effect("a refresh carries the device key (REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken)", () => {
    const sent: Array<Sent> = []
    const run = Effect.gen(function* () {
      const secret = yield* aliceWithTotp
      yield* signInWithTotp(secret)
      const device = yield* theDevice
      sent.length = 0
      yield* (yield* Auth.Auth).getTokens({ forceRefresh: true })
      assert.strictEqual(sent.length, 1)
      assert.strictEqual(sent[0]?.deviceKey, device.deviceKey)
      return sent[0]?.action
    })
    return Effect.gen(function* () {
      assert.strictEqual(
        yield* run.pipe(Effect.provide(layer(poolOptions(false), sent))),
        "InitiateAuth:REFRESH_TOKEN_AUTH"
      )
      assert.strictEqual(
        yield* run.pipe(Effect.provide(layer({ ...poolOptions(false), config: { refreshTokenRotation: true } }, sent))),
        "GetTokensFromRefreshToken"
      )
    })
  })

  it.effect("the device survives sign-out, local and global", () =>
    Effect.gen(function* () {
      const secret = yield* aliceWithTotp
      yield* signInWithTotp(secret)
      const device = yield* theDevice
      yield* signOut()
      assert.deepStrictEqual(yield* theDevice, device)
      assert.strictEqual((yield* signIn)._tag, "SignedIn")
      yield* signOut(true)
      assert.deepStrictEqual(yield* theDevice, device)
      assert.strictEqual((yield* signIn)._tag, "SignedIn")
    }).pipe(Effect.provide(layer(poolOptions(false))))
  )

  it.effect("a restart over the same store keeps the session and the device", () =>
    Effect.gen(function* () {
      // What outlives a restart: the pool and the store's key-value storage.
      const shared = Layer.merge(
        Layer.succeedContext(yield* Layer.build(KeyValueStore.layerMemory)),
        Layer.succeedContext(yield* Layer.build(TestCognito.layerCognito(poolOptions(false))))
      )
      const app = Layer.provideMerge(
        Auth.layer,
        Layer.merge(TokenStore.layerKeyValueStore, SecureRandom.layerSeeded(9))
      ).pipe(Layer.provideMerge(shared))
      const device = yield* Effect.gen(function* () {
        const secret = yield* aliceWithTotp
        yield* signInWithTotp(secret)
        return yield* theDevice
      }).pipe(Effect.provide(app))
      yield* Effect.gen(function* () {
        assert.isTrue(yield* (yield* Auth.Auth).isSignedIn)
        assert.deepStrictEqual(yield* theDevice, device)
        yield* signOut()
        assert.strictEqual((yield* signIn)._tag, "SignedIn")
      }).pipe(Effect.provide(app))
    }).pipe(Effect.scoped)
  )

  it.effect("after forgetDevice, MFA is asked again and a new device is confirmed", () =>
    Effect.gen(function* () {
      const secret = yield* aliceWithTotp
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      yield* signInWithTotp(secret)
      const forgotten = yield* theDevice
      yield* auth.forgetDevice()
      assert.isTrue(Option.isNone(yield* storedDevice))
      assert.strictEqual((yield* cognito.adminListDevices("alice")).devices.length, 0)
      // The refresh token of the forgotten device refreshes without a key.
      yield* auth.getTokens({ forceRefresh: true })
      yield* signOut()
      yield* signInWithTotp(secret)
      const device = yield* theDevice
      assert.notStrictEqual(device.deviceKey, forgotten.deviceKey)
      assert.isTrue(device.confirmed)
    }).pipe(Effect.provide(layer(poolOptions(false))))
  )

  it.effect("a pool that forgot the device: the sign-in goes on as a new device", () => {
    const sent: Array<Sent> = []
    return Effect.gen(function* () {
      const secret = yield* aliceWithTotp
      const cognito = yield* TestCognito.TestCognito
      yield* signInWithTotp(secret)
      const forgotten = yield* theDevice
      yield* signOut()
      yield* cognito.adminForgetDevice("alice", forgotten.deviceKey)
      sent.length = 0
      yield* signInWithTotp(secret)
      assert.strictEqual(sent[0]?.deviceKey, forgotten.deviceKey)
      assert.isTrue(sent.slice(1).every((request) => request.deviceKey !== forgotten.deviceKey))
      const device = yield* theDevice
      assert.notStrictEqual(device.deviceKey, forgotten.deviceKey)
      assert.deepStrictEqual(
        (yield* cognito.adminListDevices("alice")).devices.map((d) => d.deviceKey),
        [device.deviceKey]
      )
    }).pipe(Effect.provide(layer(poolOptions(false), sent)))
  })

  it.effect("a refresh whose device the pool forgot drops it and refreshes without it", () =>
    Effect.gen(function* () {
      const secret = yield* aliceWithTotp
      const cognito = yield* TestCognito.TestCognito
      const auth = yield* Auth.Auth
      yield* signInWithTotp(secret)
      yield* cognito.adminForgetDevice("alice", (yield* theDevice).deviceKey)
      yield* auth.getTokens({ forceRefresh: true })
      assert.isTrue(yield* auth.isSignedIn)
      assert.isTrue(Option.isNone(yield* storedDevice))
    }).pipe(Effect.provide(layer(poolOptions(false))))
  )

  it.effect("a failed ConfirmDevice does not fail the sign-in; the next sign-in confirms a new device", () =>
    Effect.gen(function* () {
      const secret = yield* aliceWithTotp
      const cognito = yield* TestCognito.TestCognito
      const auth = yield* Auth.Auth
      yield* cognito.failNext("ConfirmDevice", "InternalError")
      yield* signInWithTotp(secret)
      assert.isTrue(yield* auth.isSignedIn)
      const unconfirmed = yield* theDevice
      assert.isFalse(unconfirmed.confirmed)
      // The refresh token is bound to the unconfirmed device: the refresh names it.
      yield* auth.getTokens({ forceRefresh: true })
      yield* expectReason(auth.rememberDevice(), "ResourceNotFound")
      yield* signOut()
      yield* signInWithTotp(secret)
      const device = yield* theDevice
      assert.isTrue(device.confirmed)
      assert.notStrictEqual(device.deviceKey, unconfirmed.deviceKey)
    }).pipe(Effect.provide(layer(poolOptions(false))))
  )

  it.effect("the device password shows in no error, log line or JSON", () => {
    const lines: Array<string> = []
    const logger = Logger.make(({ fiber, message }) => {
      lines.push(JSON.stringify({ message, annotations: fiber.getRef(References.CurrentLogAnnotations) }))
    })
    return Effect.gen(function* () {
      const secret = yield* aliceWithTotp
      const auth = yield* Auth.Auth
      const store = yield* TokenStore.TokenStore
      const cognito = yield* TestCognito.TestCognito
      yield* signInWithTotp(secret)
      const device = yield* theDevice
      const shown = [JSON.stringify(device), String(device), JSON.stringify(yield* auth.fetchDevices())]
      yield* signOut()
      // A device password the pool refuses: the device is dropped and MFA is asked again.
      const wrong = Redacted.make(`${Redacted.value(device.devicePassword)}x`)
      yield* store.saveDevice(new TokenStore.StoredDevice({ ...device, devicePassword: wrong }))
      yield* signInWithTotp(secret)
      const error = yield* expectReason(
        auth.getDevice({ deviceKey: `${device.deviceKey.slice(0, -1)}0` }),
        "ResourceNotFound"
      )
      shown.push(String(error), JSON.stringify(error))
      const snapshot = JSON.stringify(yield* cognito.snapshot)
      for (const password of [device.devicePassword, wrong]) {
        assert.notInclude(lines.join("\n"), Redacted.value(password))
        assert.notInclude(shown.join("\n"), Redacted.value(password))
        assert.notInclude(snapshot, Redacted.value(password))
      }
    }).pipe(
      Effect.provide(layer(poolOptions(false))),
      Effect.provide(Logger.layer([logger])),
      Effect.provideService(References.MinimumLogLevel, "All")
    )
  })
})
