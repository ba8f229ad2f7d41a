/**
 * `Auth` on a user pool that tracks devices, over `CognitoIdentityProvider` and a scripted
 * Cognito (`FakeCognito`) that checks device SRP with the server's formula: a new device is
 * confirmed and kept beside the session, a remembered one skips MFA by answering
 * DEVICE_SRP_AUTH inside `signIn`, every sign-in request and refresh names it, a device the
 * pool refuses is dropped and the sign-in goes on as a new device, a failed ConfirmDevice
 * never fails a sign-in, and the device survives sign-out until it is forgotten.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as TestClock from "effect/testing/TestClock"
import * as Auth from "../src/Auth.js"
import * as AuthError from "../src/AuthError.js"
import * as Devices from "../src/internal/devices.js"
import * as encoding from "../src/internal/encoding.js"
import * as PendingSignIn from "../src/PendingSignIn.js"
import * as Srp from "../src/Srp.js"
import * as TokenStore from "../src/TokenStore.js"
import * as FakeCognito from "./FakeCognito.js"
import * as FakeHttpClient from "./FakeHttpClient.js"

const password = Redacted.make("Passw0rd!")
const start = Effect.andThen(TestClock.setTime(FakeCognito.startSeconds * 1000), Auth.Auth)

const signIn = (flow?: Auth.SignInFlow) =>
  Effect.flatMap(Auth.Auth, (auth) => auth.signIn({ username: "alice", password, flow }))
const confirmTotp = Effect.flatMap(Auth.Auth, (auth) =>
  auth.confirmSignIn({ challengeResponse: Redacted.make(FakeCognito.totpCode) })
)
const signOut = (global = false) => Effect.flatMap(Auth.Auth, (auth) => auth.signOut({ global }))
const storedDevice = Effect.flatMap(TokenStore.TokenStore, (store) => store.loadDevice("alice"))
const theDevice = Effect.flatMap(storedDevice, (device) =>
  Option.isSome(device) ? Effect.succeed(device.value) : Effect.die("no device is stored")
)

/** From the start: a sign-in answering TOTP (the device is confirmed), then a local sign-out. */
const signedInWithTotpAndOut = Effect.gen(function* () {
  yield* start
  yield* signIn()
  yield* confirmTotp
  yield* signOut()
})
/** From the start: a sign-in, then a local sign-out; the stored device. */
const signedInAndOut = Effect.gen(function* () {
  yield* start
  yield* signIn()
  yield* signOut()
  return yield* theDevice
})

/** The failure of an effect, which must be an `AuthError` of `reason`. */
const failure = <A>(effect: Effect.Effect<A, AuthError.AuthError>, reason: AuthError.Reason) =>
  Effect.gen(function* () {
    const error = yield* Effect.flip(effect)
    assert.strictEqual(error.reason, reason, error.message)
    return error
  })

/** Every log line (message and annotations) an effect writes. */
const logged = <A, E, R>(effect: Effect.Effect<A, E, R>, lines: Array<string>) =>
  effect.pipe(
    Effect.provide(
      Logger.layer([
        Logger.make(({ fiber, message }) => {
          lines.push(JSON.stringify({ message, annotations: fiber.getRef(References.CurrentLogAnnotations) }))
        })
      ])
    ),
    Effect.provideService(References.MinimumLogLevel, "All")
  )

const parameters = (entry: FakeCognito.Logged | undefined) =>
  (entry?.body.AuthParameters ?? entry?.body.ChallengeResponses ?? {}) as Record<string, string | undefined>

type Pool = ReturnType<typeof FakeCognito.make>
type PoolLayer = ReturnType<Pool["layer"]>

/** A test over a fresh scripted pool: `body` runs with `Auth` over it (by default, `cognito.layer()`). */
const onPool = <A, E>(
  options: FakeCognito.Options,
  body: (cognito: Pool) => Effect.Effect<A, E, Layer.Success<PoolLayer>>,
  layer: (cognito: Pool) => PoolLayer = (cognito) => cognito.layer()
) => {
  const cognito = FakeCognito.make(options)
  return body(cognito).pipe(Effect.provide(layer(cognito)))
}

describe("Auth devices", () => {
  describe("a new device", () => {
    it.effect("is confirmed after the sign-in with its verifier and kept beside the session", () =>
      onPool({}, (cognito) =>
        Effect.gen(function* () {
          yield* start
          const result = yield* signIn()
          assert.strictEqual(result._tag, "SignedIn")
          assert.deepStrictEqual(cognito.steps(), [
            "InitiateAuth",
            "RespondToAuthChallenge:PASSWORD_VERIFIER",
            "ConfirmDevice"
          ])
          assert.isUndefined(parameters(cognito.log[0]).DEVICE_KEY)
          const device = yield* theDevice
          const [serverDevice] = [...cognito.devices.values()]
          assert.strictEqual(device.deviceKey, serverDevice!.key)
          assert.strictEqual(device.deviceGroupKey, serverDevice!.group)
          assert.isTrue(device.confirmed)
          const confirm = cognito.log[2]!.body
          assert.strictEqual(confirm.DeviceKey, device.deviceKey)
          assert.strictEqual(confirm.DeviceName, "effect-cognito")
          const config = confirm.DeviceSecretVerifierConfig as { PasswordVerifier: string; Salt: string }
          const expected = yield* Srp.deviceVerifier({
            deviceGroupKey: device.deviceGroupKey,
            deviceKey: device.deviceKey,
            devicePassword: device.devicePassword,
            salt: encoding.fromBase64(config.Salt)!
          })
          assert.strictEqual(config.PasswordVerifier, expected.passwordVerifier)
          // 40 random bytes, base64, known only here.
          assert.strictEqual(encoding.fromBase64(Redacted.value(device.devicePassword))?.length, 40)
          assert.notInclude(JSON.stringify(cognito.log), Redacted.value(device.devicePassword))
        })
      )
    )

    it.effect("is confirmed with the DeviceName the layer provides, without control characters", () =>
      onPool(
        {},
        (cognito) =>
          Effect.gen(function* () {
            yield* start
            yield* signIn()
            assert.strictEqual(cognito.log[2]?.body.DeviceName, "Kiosk 4, front desk")
          }),
        (cognito) => cognito.layer().pipe(Layer.provide(Layer.succeed(Auth.DeviceName, "  Kiosk\u00074, front desk\n")))
      )
    )

    it.effect("is confirmed after every sign-in path: USER_PASSWORD_AUTH and an MFA answer", () =>
      onPool({ mfa: true }, (cognito) =>
        Effect.gen(function* () {
          yield* start
          const asked = yield* signIn("USER_PASSWORD_AUTH")
          assert.strictEqual(asked._tag, "SoftwareTokenMfa")
          assert.strictEqual((yield* confirmTotp)._tag, "SignedIn")
          assert.deepStrictEqual(cognito.steps(), [
            "InitiateAuth",
            "RespondToAuthChallenge:SOFTWARE_TOKEN_MFA",
            "ConfirmDevice"
          ])
          assert.isTrue((yield* theDevice).confirmed)
        })
      )
    )

    it.effect("is neither confirmed nor stored on a pool that tracks no devices", () =>
      onPool({ tracking: false }, (cognito) =>
        Effect.gen(function* () {
          yield* start
          yield* signIn()
          assert.deepStrictEqual(cognito.steps(), ["InitiateAuth", "RespondToAuthChallenge:PASSWORD_VERIFIER"])
          assert.isTrue(Option.isNone(yield* storedDevice))
          const auth = yield* Auth.Auth
          yield* failure(auth.rememberDevice(), "ResourceNotFound")
          yield* failure(auth.forgetDevice(), "ResourceNotFound")
          assert.strictEqual(cognito.log.length, 2)
        })
      )
    )
  })

  describe("a remembered device", () => {
    it.effect("skips MFA: DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER answered inside signIn", () =>
      onPool({ mfa: true }, (cognito) =>
        Effect.gen(function* () {
          yield* start
          assert.strictEqual((yield* signIn())._tag, "SoftwareTokenMfa")
          yield* confirmTotp
          const device = yield* theDevice
          yield* signOut()
          const from = cognito.log.length
          const result = yield* signIn()
          assert.strictEqual(result._tag, "SignedIn")
          assert.deepStrictEqual(cognito.steps(from), [
            "InitiateAuth",
            "RespondToAuthChallenge:PASSWORD_VERIFIER",
            "RespondToAuthChallenge:DEVICE_SRP_AUTH",
            "RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER"
          ])
          for (const entry of cognito.log.slice(from))
            assert.strictEqual(parameters(entry).DEVICE_KEY, device.deviceKey)
          assert.strictEqual(parameters(cognito.log[from + 2]).USERNAME, "alice")
          assert.match(parameters(cognito.log[from + 2]).SRP_A ?? "", /^[0-9a-f]+$/)
          assert.isTrue(yield* (yield* Auth.Auth).isSignedIn)
          // No new device: the stored one stays.
          assert.deepStrictEqual(yield* theDevice, device)
        })
      )
    )

    it.effect("with DeviceOnlyRememberedOnUserPrompt, MFA is asked until rememberDevice", () =>
      onPool({ mfa: true, rememberOnPrompt: true }, (cognito) =>
        Effect.gen(function* () {
          yield* signedInWithTotpAndOut
          // Confirmed, not remembered: the device is named, MFA is asked, no new device comes.
          assert.strictEqual((yield* signIn())._tag, "SoftwareTokenMfa")
          const from = cognito.log.length
          yield* confirmTotp
          assert.deepStrictEqual(cognito.steps(from), ["RespondToAuthChallenge:SOFTWARE_TOKEN_MFA"])
          const device = yield* theDevice
          assert.strictEqual(parameters(cognito.log[from]).DEVICE_KEY, device.deviceKey)
          yield* (yield* Auth.Auth).rememberDevice()
          assert.deepStrictEqual(cognito.log.at(-1)?.body, {
            AccessToken: cognito.log.at(-1)?.body.AccessToken,
            DeviceKey: device.deviceKey,
            DeviceRememberedStatus: "remembered"
          })
          yield* signOut()
          assert.strictEqual((yield* signIn())._tag, "SignedIn")
        })
      )
    )

    it.effect("survives sign-out, local and global", () =>
      onPool({}, () =>
        Effect.gen(function* () {
          yield* start
          yield* signIn()
          const device = yield* theDevice
          yield* signOut()
          assert.deepStrictEqual(yield* theDevice, device)
          yield* signIn()
          yield* signOut(true)
          assert.deepStrictEqual(yield* theDevice, device)
          assert.isFalse(yield* (yield* Auth.Auth).isSignedIn)
        })
      )
    )

    it.effect("a wrong device password: the device is dropped and the sign-in starts over as a new device", () =>
      onPool({}, (cognito) =>
        Effect.gen(function* () {
          const lines: Array<string> = []
          const device = yield* signedInAndOut
          const store = yield* TokenStore.TokenStore
          const wrong = Redacted.make(`${Redacted.value(device.devicePassword)}-tampered`)
          yield* store.saveDevice(new TokenStore.StoredDevice({ ...device, devicePassword: wrong }))
          const from = cognito.log.length
          const result = yield* logged(signIn(), lines)
          assert.strictEqual(result._tag, "SignedIn")
          assert.deepStrictEqual(cognito.steps(from), [
            "InitiateAuth",
            "RespondToAuthChallenge:PASSWORD_VERIFIER",
            "RespondToAuthChallenge:DEVICE_SRP_AUTH",
            "RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER",
            "InitiateAuth",
            "RespondToAuthChallenge:PASSWORD_VERIFIER",
            "ConfirmDevice"
          ])
          assert.isUndefined(parameters(cognito.log[from + 4]).DEVICE_KEY)
          assert.notStrictEqual((yield* theDevice).deviceKey, device.deviceKey)
          for (const secret of [wrong, device.devicePassword])
            assert.notInclude(lines.join("\n"), Redacted.value(secret))
        })
      )
    )
  })

  describe("a device the pool no longer knows", () => {
    it.effect("at InitiateAuth: dropped, and the sign-in goes on as a new device", () =>
      onPool({}, (cognito) =>
        Effect.gen(function* () {
          const forgotten = (yield* signedInAndOut).deviceKey
          cognito.devices.delete(forgotten)
          const from = cognito.log.length
          assert.strictEqual((yield* signIn())._tag, "SignedIn")
          assert.deepStrictEqual(cognito.steps(from), [
            "InitiateAuth",
            "InitiateAuth",
            "RespondToAuthChallenge:PASSWORD_VERIFIER",
            "ConfirmDevice"
          ])
          assert.strictEqual(parameters(cognito.log[from]).DEVICE_KEY, forgotten)
          assert.isUndefined(parameters(cognito.log[from + 1]).DEVICE_KEY)
          assert.isUndefined(parameters(cognito.log[from + 2]).DEVICE_KEY)
          const device = yield* theDevice
          assert.notStrictEqual(device.deviceKey, forgotten)
          assert.isTrue(device.confirmed)
        })
      )
    )

    it.effect("at PASSWORD_VERIFIER: dropped, and the sign-in starts over as a new device", () =>
      onPool({}, (cognito) =>
        Effect.gen(function* () {
          const forgotten = (yield* signedInAndOut).deviceKey
          // The pool knows it at InitiateAuth, not at the answer: it was forgotten in between.
          cognito.failNext(
            "RespondToAuthChallenge",
            FakeHttpClient.awsError(400, "ResourceNotFoundException", "Device does not exist.")
          )
          const from = cognito.log.length
          assert.strictEqual((yield* signIn())._tag, "SignedIn")
          assert.deepStrictEqual(cognito.steps(from), [
            "InitiateAuth",
            "RespondToAuthChallenge:PASSWORD_VERIFIER",
            "InitiateAuth",
            "RespondToAuthChallenge:PASSWORD_VERIFIER",
            "ConfirmDevice"
          ])
          assert.isUndefined(parameters(cognito.log[from + 2]).DEVICE_KEY)
          assert.notStrictEqual((yield* theDevice).deviceKey, forgotten)
        })
      )
    )

    it.effect("in confirmSignIn: dropped, and the answer sent again without it", () =>
      onPool({ mfa: true, rememberOnPrompt: true }, (cognito) =>
        Effect.gen(function* () {
          yield* signedInWithTotpAndOut
          assert.strictEqual((yield* signIn())._tag, "SoftwareTokenMfa")
          const forgotten = (yield* theDevice).deviceKey
          cognito.devices.delete(forgotten)
          const from = cognito.log.length
          assert.strictEqual((yield* confirmTotp)._tag, "SignedIn")
          assert.deepStrictEqual(cognito.steps(from), [
            "RespondToAuthChallenge:SOFTWARE_TOKEN_MFA",
            "RespondToAuthChallenge:SOFTWARE_TOKEN_MFA",
            "ConfirmDevice"
          ])
          assert.strictEqual(parameters(cognito.log[from]).DEVICE_KEY, forgotten)
          assert.isUndefined(parameters(cognito.log[from + 1]).DEVICE_KEY)
          assert.notStrictEqual((yield* theDevice).deviceKey, forgotten)
        })
      )
    )

    it.effect("at a refresh: dropped, and the refresh sent again without it", () =>
      onPool({}, (cognito) =>
        Effect.gen(function* () {
          const auth = yield* start
          yield* signIn()
          const device = yield* theDevice
          let from = cognito.log.length
          yield* auth.getTokens({ forceRefresh: true })
          assert.deepStrictEqual(cognito.steps(from), ["InitiateAuth"])
          assert.strictEqual(cognito.log[from]?.body.AuthFlow, "REFRESH_TOKEN_AUTH")
          assert.strictEqual(parameters(cognito.log[from]).DEVICE_KEY, device.deviceKey)
          cognito.devices.delete(device.deviceKey)
          from = cognito.log.length
          yield* auth.getTokens({ forceRefresh: true })
          assert.deepStrictEqual(
            cognito.log.slice(from).map((entry) => parameters(entry).DEVICE_KEY),
            [device.deviceKey, undefined]
          )
          assert.isTrue(Option.isNone(yield* storedDevice))
          assert.isTrue(yield* auth.isSignedIn)
          from = cognito.log.length
          yield* auth.getTokens({ forceRefresh: true })
          assert.deepStrictEqual(
            cognito.log.slice(from).map((entry) => parameters(entry).DEVICE_KEY),
            [undefined]
          )
        })
      )
    )

    it.effect("GetTokensFromRefreshToken (rotation) sends DeviceKey too", () =>
      onPool(
        {},
        (cognito) =>
          Effect.gen(function* () {
            const auth = yield* start
            yield* signIn()
            const device = yield* theDevice
            const from = cognito.log.length
            yield* auth.getTokens({ forceRefresh: true })
            assert.deepStrictEqual(cognito.steps(from), ["GetTokensFromRefreshToken"])
            assert.strictEqual(cognito.log[from]?.body.DeviceKey, device.deviceKey)
          }),
        (cognito) => cognito.layer({ refreshTokenRotation: true })
      )
    )
  })

  describe("a failed ConfirmDevice", () => {
    it.effect("does not fail the sign-in; refreshes send the unconfirmed key and the next sign-in tries again", () =>
      onPool({ mfa: true }, (cognito) =>
        Effect.gen(function* () {
          const lines: Array<string> = []
          const auth = yield* start
          cognito.failNext("ConfirmDevice", FakeHttpClient.awsError(500, "InternalErrorException", "boom"))
          yield* signIn()
          assert.strictEqual((yield* logged(confirmTotp, lines))._tag, "SignedIn")
          assert.isTrue(yield* auth.isSignedIn)
          const unconfirmed = yield* theDevice
          assert.isFalse(unconfirmed.confirmed)
          assert.isTrue(lines.some((line) => line.includes("confirming this device failed")))
          assert.notInclude(lines.join("\n"), Redacted.value(unconfirmed.devicePassword))
          let from = cognito.log.length
          yield* auth.getTokens({ forceRefresh: true })
          assert.strictEqual(parameters(cognito.log[from]).DEVICE_KEY, unconfirmed.deviceKey)
          // Not offered at sign-in and not rememberable: the next sign-in goes as a new device.
          yield* failure(auth.rememberDevice(), "ResourceNotFound")
          yield* signOut()
          from = cognito.log.length
          assert.strictEqual((yield* signIn())._tag, "SoftwareTokenMfa")
          yield* confirmTotp
          assert.deepStrictEqual(cognito.steps(from), [
            "InitiateAuth",
            "RespondToAuthChallenge:PASSWORD_VERIFIER",
            "RespondToAuthChallenge:SOFTWARE_TOKEN_MFA",
            "ConfirmDevice"
          ])
          for (const entry of cognito.log.slice(from)) assert.isUndefined(parameters(entry).DEVICE_KEY)
          const device = yield* theDevice
          assert.isTrue(device.confirmed)
          assert.notStrictEqual(device.deviceKey, unconfirmed.deviceKey)
        })
      )
    )

    it.effect("a store that cannot keep the device does not fail the sign-in either", () => {
      const failingDevices = Layer.effect(
        TokenStore.TokenStore,
        Effect.map(TokenStore.TokenStore, (store) => ({
          ...store,
          saveDevice: () => Effect.fail(TokenStore.storageError("write", new Error("disk full")))
        }))
      ).pipe(Layer.provide(TokenStore.layerMemory))
      return onPool(
        {},
        () =>
          Effect.gen(function* () {
            yield* start
            assert.strictEqual((yield* signIn())._tag, "SignedIn")
            assert.isTrue(Option.isNone(yield* storedDevice))
            assert.isTrue(yield* (yield* Auth.Auth).isSignedIn)
          }),
        (cognito) => cognito.layer({}, failingDevices)
      )
    })
  })

  describe("device methods", () => {
    it.effect("forgetDevice forgets this device and drops it: MFA is asked again", () =>
      onPool({ mfa: true }, (cognito) =>
        Effect.gen(function* () {
          const auth = yield* start
          yield* signIn()
          yield* confirmTotp
          const device = yield* theDevice
          yield* auth.forgetDevice()
          assert.deepStrictEqual(cognito.steps(cognito.log.length - 1), ["ForgetDevice"])
          assert.strictEqual(cognito.log.at(-1)?.body.DeviceKey, device.deviceKey)
          assert.isFalse(cognito.devices.has(device.deviceKey))
          assert.isTrue(Option.isNone(yield* storedDevice))
          yield* signOut()
          assert.strictEqual((yield* signIn())._tag, "SoftwareTokenMfa")
          assert.isUndefined(parameters(cognito.log.at(-1)).DEVICE_KEY)
        })
      )
    )

    it.effect("forgetDevice of this device already gone from the pool drops it and succeeds", () =>
      onPool({}, (cognito) =>
        Effect.gen(function* () {
          const auth = yield* start
          yield* signIn()
          cognito.devices.delete((yield* theDevice).deviceKey)
          yield* auth.forgetDevice()
          assert.isTrue(Option.isNone(yield* storedDevice))
        })
      )
    )

    it.effect("forgetDevice and getDevice of another device by key leave this one; a bad key is InvalidInput", () =>
      onPool({}, (cognito) =>
        Effect.gen(function* () {
          const auth = yield* start
          yield* signIn()
          yield* signOut()
          const other = (yield* theDevice).deviceKey
          // A second sign-in from "another machine": a new device.
          yield* TokenStore.TokenStore.pipe(Effect.flatMap((store) => store.clearDevice("alice")))
          yield* signIn()
          const mine = yield* theDevice
          const seen = yield* auth.getDevice({ deviceKey: other })
          assert.strictEqual(seen.key, other)
          yield* auth.forgetDevice({ deviceKey: other })
          assert.strictEqual(cognito.log.at(-1)?.body.DeviceKey, other)
          assert.deepStrictEqual(yield* theDevice, mine)
          const count = cognito.log.length
          const error = yield* failure(auth.forgetDevice({ deviceKey: "not a key" }), "InvalidInput")
          assert.strictEqual(error.method, "forgetDevice")
          yield* failure(auth.getDevice({ deviceKey: "" }), "InvalidInput")
          assert.strictEqual(cognito.log.length, count)
          const gone = yield* failure(auth.getDevice({ deviceKey: other }), "ResourceNotFound")
          assert.strictEqual(gone.exception, "ResourceNotFoundException")
        })
      )
    )

    it.effect("fetchDevices pages through typed devices; getDevice defaults to this one", () =>
      onPool({}, (cognito) =>
        Effect.gen(function* () {
          const auth = yield* start
          for (let i = 0; i < 3; i++) {
            yield* signIn()
            yield* signOut()
            yield* TokenStore.TokenStore.pipe(Effect.flatMap((store) => store.clearDevice("alice")))
          }
          yield* signIn()
          const first = yield* auth.fetchDevices({ limit: 3 })
          assert.strictEqual(first.devices.length, 3)
          assert.strictEqual(first.nextToken, "3")
          assert.strictEqual(cognito.log.at(-1)?.body.Limit, 3)
          const rest = yield* auth.fetchDevices({ limit: 3, paginationToken: first.nextToken })
          assert.strictEqual(rest.devices.length, 1)
          assert.isUndefined(rest.nextToken)
          assert.strictEqual(cognito.log.at(-1)?.body.PaginationToken, "3")
          const mine = yield* auth.getDevice()
          assert.deepStrictEqual(mine, {
            key: (yield* theDevice).deviceKey,
            name: "effect-cognito",
            rememberedStatus: "remembered",
            lastAuthenticatedAt: new Date((FakeCognito.startSeconds + 120) * 1000),
            createdAt: new Date(FakeCognito.startSeconds * 1000),
            lastModifiedAt: new Date((FakeCognito.startSeconds + 60) * 1000),
            attributes: {
              device_status: "valid",
              device_remembered_status: "remembered",
              device_name: "effect-cognito"
            }
          })
          assert.deepStrictEqual(rest.devices[0], mine)
          const count = cognito.log.length
          yield* failure(auth.fetchDevices({ limit: 61 }), "InvalidInput")
          yield* failure(auth.fetchDevices({ limit: 1.5 }), "InvalidInput")
          yield* failure(auth.fetchDevices({ paginationToken: "" }), "InvalidInput")
          assert.strictEqual(cognito.log.length, count)
        })
      )
    )

    it.effect("fail with NotSignedIn when signed out, without a request", () =>
      onPool({}, (cognito) =>
        Effect.gen(function* () {
          const auth = yield* start
          yield* failure(auth.rememberDevice(), "NotSignedIn")
          yield* failure(auth.forgetDevice(), "NotSignedIn")
          yield* failure(auth.fetchDevices(), "NotSignedIn")
          yield* failure(auth.getDevice(), "NotSignedIn")
          assert.strictEqual(cognito.log.length, 0)
        })
      )
    )
  })

  describe("a saved sign-in", () => {
    it.effect("resumes in another Auth of the same store and answers with the device", () =>
      onPool({ mfa: true, rememberOnPrompt: true }, (cognito) =>
        Effect.gen(function* () {
          yield* signedInWithTotpAndOut
          yield* signIn()
          const device = yield* theDevice
          const saved = yield* Effect.flatMap((yield* Auth.Auth).pendingSignIn, (pending) =>
            Option.isSome(pending) ? PendingSignIn.toJson(pending.value) : Effect.die("nothing pending")
          )
          assert.notInclude(saved, Redacted.value(device.devicePassword))
          const other = yield* Auth.make
          const resumed = yield* other.resumeSignIn(yield* PendingSignIn.fromJson(saved))
          assert.strictEqual(resumed._tag, "SoftwareTokenMfa")
          const from = cognito.log.length
          yield* other.confirmSignIn({ challengeResponse: Redacted.make(FakeCognito.totpCode) })
          assert.deepStrictEqual(cognito.steps(from), ["RespondToAuthChallenge:SOFTWARE_TOKEN_MFA"])
          assert.strictEqual(parameters(cognito.log[from]).DEVICE_KEY, device.deviceKey)
        }).pipe(Effect.scoped)
      )
    )
  })

  describe("the device password", () => {
    it.effect("never leaves the process and never shows in an error, a log line or JSON", () => {
      const cognito = FakeCognito.make({ mfa: true })
      const lines: Array<string> = []
      const shown: Array<string> = []
      const passwords: Array<string> = []
      const keep = Effect.tap(theDevice, (device) =>
        Effect.sync(() => passwords.push(Redacted.value(device.devicePassword)))
      )
      const expectFailure = <A, R>(effect: Effect.Effect<A, AuthError.AuthError, R>) =>
        Effect.flatMap(Effect.flip(effect), (error) =>
          Effect.sync(() => shown.push(String(error), JSON.stringify(error), error.message))
        )
      return logged(
        Effect.gen(function* () {
          const auth = yield* start
          yield* signIn()
          const result = yield* confirmTotp
          yield* keep
          shown.push(JSON.stringify(result), JSON.stringify(yield* theDevice), String(yield* theDevice))
          yield* auth.getTokens({ forceRefresh: true })
          shown.push(JSON.stringify(yield* auth.getDevice()), JSON.stringify(yield* auth.fetchDevices()))
          yield* signOut()
          yield* signIn()
          yield* expectFailure(auth.getDevice({ deviceKey: "eu-west-1_00000000-0000-4000-8000-000000000999" }))
          // A device password the pool refuses, then a ConfirmDevice that fails, then a device the pool forgot.
          yield* signOut()
          const store = yield* TokenStore.TokenStore
          const device = yield* theDevice
          const tampered = Redacted.make(`${Redacted.value(device.devicePassword)}-tampered`)
          passwords.push(Redacted.value(tampered))
          yield* store.saveDevice(new TokenStore.StoredDevice({ ...device, devicePassword: tampered }))
          cognito.failNext("ConfirmDevice", FakeHttpClient.awsError(400, "InvalidParameterException", "bad verifier"))
          yield* signIn()
          yield* confirmTotp
          yield* keep
          cognito.failNext(
            "RespondToAuthChallenge",
            FakeHttpClient.awsError(400, "NotAuthorizedException", "Incorrect username or password.")
          )
          yield* signOut()
          yield* expectFailure(signIn())
          yield* expectFailure(auth.forgetDevice({ deviceKey: "eu-west-1_00000000-0000-4000-8000-000000000999" }))
        }),
        lines
      ).pipe(
        Effect.andThen(
          Effect.sync(() => {
            assert.isAtLeast(passwords.length, 3)
            assert.isAtLeast(lines.length, 20)
            const requests = JSON.stringify(cognito.log)
            for (const password of passwords) {
              assert.notInclude(requests, password)
              assert.notInclude(lines.join("\n"), password)
              assert.notInclude(shown.join("\n"), password)
            }
          })
        ),
        Effect.provide(cognito.layer())
      )
    })
  })

  describe("rules", () => {
    it("a device is unknown on ResourceNotFound naming a device (or naming nothing), not on another resource", () => {
      const make = (reason: AuthError.Reason, description?: string) => AuthError.make(reason, "GetDevice", description)
      assert.isTrue(Devices.isUnknownDevice(make("ResourceNotFound", "Device does not exist.")))
      assert.isTrue(Devices.isUnknownDevice(make("ResourceNotFound")))
      assert.isFalse(Devices.isUnknownDevice(make("ResourceNotFound", "User pool client abc does not exist.")))
      assert.isFalse(Devices.isUnknownDevice(make("NotAuthorized", "Device does not exist.")))
    })

    it("a device name loses control characters, is trimmed, cut at 1024 characters and never empty", () => {
      assert.strictEqual(Devices.deviceNameOf("\tbuild-7 (Node 22.19.0)\n"), "build-7 (Node 22.19.0)")
      assert.strictEqual(Devices.deviceNameOf("a\u0000b"), "a b")
      assert.strictEqual(Devices.deviceNameOf(" \n "), "effect-cognito")
      assert.strictEqual(Devices.deviceNameOf("é".repeat(2000)).length, 1024)
      assert.strictEqual(Array.from(Devices.deviceNameOf("😀".repeat(2000))).length, 1024)
    })

    it("a device's model reads its name, remembered status and dates; an unknown status is left out", () => {
      const device = Devices.toDevice({
        deviceKey: "eu-west-1_k",
        deviceAttributes: { device_name: "phone", device_remembered_status: "sometimes" },
        deviceCreateDate: new Date(0)
      })
      assert.deepStrictEqual(device, {
        key: "eu-west-1_k",
        name: "phone",
        rememberedStatus: undefined,
        lastAuthenticatedAt: undefined,
        createdAt: new Date(0),
        lastModifiedAt: undefined,
        attributes: { device_name: "phone", device_remembered_status: "sometimes" }
      })
    })
  })
})
