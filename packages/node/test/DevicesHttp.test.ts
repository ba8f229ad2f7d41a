/**
 * Devices end to end over HTTP with our own client: `NodeAuth.layer` (undici, the file token
 * store in a temp directory) against the local Cognito, on a pool that tracks devices
 * (remembered on the user's word) and requires TOTP. The first sign-in asks for TOTP and
 * confirms the device; once remembered, a sign-in asks for the password alone and the pool's
 * request log shows DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER, every request naming the
 * device; refreshes (REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken) carry `DEVICE_KEY`;
 * after `forgetDevice` TOTP is asked again; a restart over the same directory keeps the
 * device, whose file is 0600.
 *
 * And the verifier our client sends with ConfirmDevice is checked by an independent
 * client's math: amazon-cognito-identity-js, given the device our client confirmed (its
 * keys and password, as that library keeps them), signs in with device SRP and skips TOTP.
 */
import { randomUUID } from "node:crypto"
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Auth from "@effect-cognito/core/Auth"
import type * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import type * as TestCognito from "@effect-cognito/test-kit/TestCognito"
import { assert, layer } from "@effect/vitest"
import { AuthenticationDetails, CognitoUser, CognitoUserPool, type ICognitoStorage } from "amazon-cognito-identity-js"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as NodeAuth from "../src/NodeAuth.js"
import * as LocalCognito from "../src/LocalCognito.js"
import { createPoolWithClient } from "./localSdk.js"

const password = "First-Passw0rd!"
/** amazon-cognito-identity-js does its SRP math in pure JavaScript: generous on a loaded machine. */
const timeout = 90_000

/** A pool that tracks devices, remembered only when the user asks, with TOTP required; a user with an authenticator. */
const trackingPool = Effect.gen(function* () {
  const local = yield* LocalCognito.LocalCognito
  const { userPoolId, clientId } = yield* createPoolWithClient(
    local,
    {
      PoolName: `devices-http-${randomUUID().slice(0, 6)}`,
      MfaConfiguration: "ON",
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true }
    },
    "devices-http",
    ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  )
  const cognito = yield* local.pool(userPoolId)
  const username = `user-${randomUUID().slice(0, 8)}`
  yield* cognito.adminCreateUser({
    username,
    messageAction: "SUPPRESS",
    userAttributes: { email: `${username}@example.com` }
  })
  yield* cognito.adminSetUserPassword(username, Redacted.make(password), { permanent: true })
  const secret = yield* cognito.adminEnableTotp(username)
  const config: AuthConfig.Input = {
    region: local.defaultPool.region,
    userPoolId,
    clientId,
    endpoints: { identityProvider: local.endpoint, identityPool: local.endpoint }
  }
  const directory = yield* Effect.acquireRelease(
    Effect.promise(() => mkdtemp(join(tmpdir(), "effect-cognito-devices-http-"))),
    (directory) => Effect.promise(() => rm(directory, { recursive: true, force: true }))
  )
  let steps = 0
  /** A TOTP code by the server's clock, a step (30 s) later each time: Cognito accepts a code once. */
  const nextCode = Effect.gen(function* () {
    yield* cognito.setClockOffset(`${30 * steps++} seconds`)
    return yield* cognito.totpCode(secret)
  })
  return { local, cognito, config, directory, username, nextCode }
})

/** `Auth` and its store over the file store in `directory`: a fresh layer, as a restarted process builds it. */
const app = (config: AuthConfig.Input, directory: string) =>
  Effect.map(
    Layer.build(
      Layer.fresh(NodeAuth.layer(config, { store: { _tag: "FileSystem", directory }, deviceName: "test laptop" }))
    ),
    (context) => ({ auth: Context.get(context, Auth.Auth), store: Context.get(context, TokenStore.TokenStore) })
  )

/** Signs in; with `code`, answering the TOTP challenge, which must come. */
const signIn = (auth: Auth.Auth.Service, username: string, code?: Effect.Effect<Redacted.Redacted<string>>) =>
  Effect.gen(function* () {
    const first = yield* auth.signIn({ username, password: Redacted.make(password) })
    if (code === undefined) return assert.strictEqual(first._tag, "SignedIn")
    assert.strictEqual(first._tag, "SoftwareTokenMfa")
    const done = yield* auth.confirmSignIn({ challengeResponse: yield* code })
    assert.strictEqual(done._tag, "SignedIn")
  })

/** The requests the pool served from `from` on. */
const requestsFrom = (cognito: TestCognito.TestCognito.Service, from: number) =>
  Effect.map(cognito.requests, (requests) => requests.slice(from))

const requestCount = (cognito: TestCognito.TestCognito.Service) => Effect.map(cognito.requests, (r) => r.length)

const challengesOf = (requests: ReadonlyArray<TestCognito.Request>) =>
  requests.flatMap((r) => (r.challengeName === undefined ? [] : [r.challengeName]))

/** The claims of a JWT (not verified: the server that issued it is in this process). */
const claims = (token: Redacted.Redacted<string>) =>
  JSON.parse(Buffer.from(Redacted.value(token).split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>

/** The device records in the store's directory: file name and mode. */
const deviceFiles = (directory: string) =>
  Effect.promise(async () => {
    const names = (await readdir(directory)).filter((name) => name.includes(".device."))
    return Promise.all(names.map(async (name) => ({ name, mode: (await stat(join(directory, name))).mode & 0o777 })))
  })

layer(LocalCognito.layer(), { excludeTestServices: true })("devices over HTTP with NodeAuth", (it) => {
  it.effect(
    "TOTP, then the device is confirmed; remembered, the password alone signs in by device SRP; refresh names the device; forgotten, TOTP again",
    () =>
      Effect.gen(function* () {
        const { cognito, config, directory, username, nextCode } = yield* trackingPool
        const { auth } = yield* app(config, directory)

        // A new device: TOTP is asked, and the device confirmed (not remembered: the pool waits for the user).
        let from = yield* requestCount(cognito)
        yield* signIn(auth, username, nextCode)
        const firstSignIn = yield* requestsFrom(cognito, from)
        assert.deepStrictEqual(challengesOf(firstSignIn), ["PASSWORD_VERIFIER", "SOFTWARE_TOKEN_MFA"])
        assert.deepStrictEqual(
          firstSignIn.map((r) => r.action),
          ["InitiateAuth", "RespondToAuthChallenge", "RespondToAuthChallenge", "ConfirmDevice"]
        )
        const device = yield* auth.getDevice()
        assert.strictEqual(device.name, "test laptop")
        assert.strictEqual(device.rememberedStatus, "not_remembered")
        assert.deepStrictEqual(
          (yield* cognito.adminListDevices(username)).devices.map((d) => d.deviceKey),
          [device.key]
        )
        const files = yield* deviceFiles(directory)
        assert.deepStrictEqual(
          files.map((file) => file.mode),
          [0o600]
        )

        // Confirmed, not remembered: TOTP is still asked, and the sign-in names the device.
        yield* auth.signOut()
        from = yield* requestCount(cognito)
        yield* signIn(auth, username, nextCode)
        const notRemembered = yield* requestsFrom(cognito, from)
        assert.deepStrictEqual(challengesOf(notRemembered), ["PASSWORD_VERIFIER", "SOFTWARE_TOKEN_MFA"])
        assert.isTrue(notRemembered.every((r) => r.deviceKey === device.key))

        // Remembered: the password, then the device proves itself; no TOTP, no new device.
        yield* auth.rememberDevice()
        assert.strictEqual((yield* auth.getDevice()).rememberedStatus, "remembered")
        yield* auth.signOut()
        from = yield* requestCount(cognito)
        yield* signIn(auth, username)
        const remembered = yield* requestsFrom(cognito, from)
        assert.deepStrictEqual(challengesOf(remembered), [
          "PASSWORD_VERIFIER",
          "DEVICE_SRP_AUTH",
          "DEVICE_PASSWORD_VERIFIER"
        ])
        assert.deepStrictEqual(
          remembered.map((r) => [r.action, r.deviceKey]),
          [
            ["InitiateAuth", device.key],
            ["RespondToAuthChallenge", device.key],
            ["RespondToAuthChallenge", device.key],
            ["RespondToAuthChallenge", device.key]
          ]
        )
        const tokens = yield* auth.getTokens()
        assert.strictEqual(claims(tokens.accessToken).device_key, device.key)

        // A refresh sends DEVICE_KEY: the refresh token is bound to the device.
        from = yield* requestCount(cognito)
        const refreshed = yield* auth.getTokens({ forceRefresh: true })
        assert.notStrictEqual(Redacted.value(refreshed.accessToken), Redacted.value(tokens.accessToken))
        assert.deepStrictEqual(
          (yield* requestsFrom(cognito, from)).map((r) => [r.action, r.deviceKey]),
          [["InitiateAuth", device.key]]
        )

        // Forgotten: gone from the pool and the store; the next sign-in is a new device, asked for TOTP.
        yield* auth.forgetDevice()
        assert.deepStrictEqual((yield* cognito.adminListDevices(username)).devices, [])
        assert.deepStrictEqual(yield* deviceFiles(directory), [])
        yield* auth.signOut()
        from = yield* requestCount(cognito)
        yield* signIn(auth, username, nextCode)
        const afterForget = yield* requestsFrom(cognito, from)
        assert.deepStrictEqual(challengesOf(afterForget), ["PASSWORD_VERIFIER", "SOFTWARE_TOKEN_MFA"])
        assert.isTrue(afterForget.every((r) => r.action === "ConfirmDevice" || r.deviceKey === undefined))
        const next = yield* auth.getDevice()
        assert.notStrictEqual(next.key, device.key)
      }).pipe(Effect.scoped),
    timeout
  )

  it.effect(
    "a restart over the same directory keeps the device: signed in, its refresh names it (GetTokensFromRefreshToken too); signed out, the next sign-in skips TOTP",
    () =>
      Effect.gen(function* () {
        const { cognito, config, directory, username, nextCode } = yield* trackingPool
        const deviceKey = yield* Effect.scoped(
          Effect.gen(function* () {
            const { auth } = yield* app(config, directory)
            yield* signIn(auth, username, nextCode)
            yield* auth.rememberDevice()
            return (yield* auth.getDevice()).key
          })
        )
        const files = yield* deviceFiles(directory)
        assert.strictEqual(files.length, 1)
        assert.strictEqual(files[0]!.mode, 0o600, files[0]!.name)
        assert.strictEqual((yield* Effect.promise(() => stat(directory))).mode & 0o777, 0o700)

        // Restarted while signed in, with refresh-token rotation: the refresh names the device.
        yield* Effect.scoped(
          Effect.gen(function* () {
            const { auth } = yield* app({ ...config, refreshTokenRotation: true }, directory)
            const from = yield* requestCount(cognito)
            yield* auth.getTokens({ forceRefresh: true })
            assert.deepStrictEqual(
              (yield* requestsFrom(cognito, from)).map((r) => [r.action, r.deviceKey]),
              [["GetTokensFromRefreshToken", deviceKey]]
            )
            yield* auth.signOut()
          })
        )

        // Restarted signed out: the device is still here, and spares the user TOTP.
        yield* Effect.scoped(
          Effect.gen(function* () {
            const { auth } = yield* app(config, directory)
            const from = yield* requestCount(cognito)
            yield* signIn(auth, username)
            assert.deepStrictEqual(challengesOf(yield* requestsFrom(cognito, from)), [
              "PASSWORD_VERIFIER",
              "DEVICE_SRP_AUTH",
              "DEVICE_PASSWORD_VERIFIER"
            ])
            assert.strictEqual((yield* auth.getDevice()).key, deviceKey)
          })
        )
      }).pipe(Effect.scoped),
    timeout
  )

  it.effect(
    "the verifier our client confirmed the device with is checked by amazon-cognito-identity-js's device SRP: it signs in without TOTP",
    () =>
      Effect.gen(function* () {
        const { local, cognito, config, directory, username, nextCode } = yield* trackingPool
        const { auth, store } = yield* app(config, directory)
        yield* signIn(auth, username, nextCode)
        yield* auth.rememberDevice()
        const device = Option.getOrThrow(yield* store.loadDevice(username))
        assert.isTrue(device.confirmed)
        // The device file holds the password; nothing our client returns or logs does.
        const [record] = yield* deviceFiles(directory)
        const file = yield* Effect.promise(() => readFile(join(directory, record!.name), "utf8"))
        assert.include(file, Redacted.value(device.devicePassword))
        assert.notInclude(JSON.stringify(device), Redacted.value(device.devicePassword))

        // amazon-cognito-identity-js keeps a device as three items under its client and user.
        const items = new Map<string, string>()
        const prefix = `CognitoIdentityServiceProvider.${config.clientId}.${username}`
        items.set(`${prefix}.deviceKey`, device.deviceKey)
        items.set(`${prefix}.deviceGroupKey`, device.deviceGroupKey)
        items.set(`${prefix}.randomPasswordKey`, Redacted.value(device.devicePassword))
        const storage: ICognitoStorage = {
          setItem: (key, value) => void items.set(key, String(value)),
          getItem: (key) => items.get(key) ?? null,
          removeItem: (key) => void items.delete(key),
          clear: () => items.clear()
        }
        const from = yield* requestCount(cognito)
        const outcome = yield* Effect.promise(
          () =>
            new Promise<string>((resolve) => {
              const pool = new CognitoUserPool({
                UserPoolId: config.userPoolId,
                ClientId: config.clientId,
                endpoint: local.endpoint,
                Storage: storage
              })
              const user = new CognitoUser({ Username: username, Pool: pool, Storage: storage })
              user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
                onSuccess: (session) => resolve(`signed in: ${session.getAccessToken().decodePayload().device_key}`),
                onFailure: (error: { code?: string; message?: string }) =>
                  resolve(`failed: ${error.code} ${error.message}`),
                totpRequired: () => resolve("asked for TOTP"),
                mfaRequired: () => resolve("asked for MFA")
              })
            })
        )
        assert.strictEqual(outcome, `signed in: ${device.deviceKey}`)
        assert.deepStrictEqual(challengesOf(yield* requestsFrom(cognito, from)), [
          "PASSWORD_VERIFIER",
          "DEVICE_SRP_AUTH",
          "DEVICE_PASSWORD_VERIFIER"
        ])
      }).pipe(Effect.scoped),
    timeout
  )
})
