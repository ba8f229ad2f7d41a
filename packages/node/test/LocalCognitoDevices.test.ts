/**
 * Devices and MFA settings on the local Cognito, proven over loopback HTTP by AWS's own
 * clients: the AWS SDK v3's device, MFA-preference and attribute commands (ConfirmDevice
 * with a verifier made by the test from core's public SRP math), and
 * amazon-cognito-identity-js, which confirms its device itself, remembers it, and signs in
 * with device SRP (its math against the server's) instead of TOTP. Refusals carry
 * Cognito's exception names and no device secret.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Srp from "@effect-cognito/core/Srp"
import {
  AdminConfirmSignUpCommand,
  AdminForgetDeviceCommand,
  AdminGetDeviceCommand,
  AdminListDevicesCommand,
  AdminUpdateDeviceStatusCommand,
  AssociateSoftwareTokenCommand,
  type AuthenticationResultType,
  ConfirmDeviceCommand,
  type CreateUserPoolCommandInput,
  DeleteUserAttributesCommand,
  DescribeUserPoolCommand,
  ForgetDeviceCommand,
  GetDeviceCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListDevicesCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  UpdateDeviceStatusCommand,
  VerifySoftwareTokenCommand
} from "@aws-sdk/client-cognito-identity-provider"
import { assert, layer } from "@effect/vitest"
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
  type ICognitoStorage
} from "amazon-cognito-identity-js"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as TestCognitoSnapshot from "@effect-cognito/test-kit/TestCognitoSnapshot"
import * as LocalCognito from "../src/LocalCognito.js"
import {
  createPoolWithClient,
  newUsername,
  password,
  sdk,
  sdkFailure,
  sdkPasswordSignIn,
  signUp,
  timeout
} from "./localSdk.js"

interface Pool {
  readonly userPoolId: string
  readonly clientId: string
}

/** A user pool (with `settings`) and an app client that allows SRP, password and refresh sign-ins. */
const createPool = (local: LocalCognito.LocalCognito.Service, settings: Omit<CreateUserPoolCommandInput, "PoolName">) =>
  createPoolWithClient(local, { PoolName: `devices-${randomUUID().slice(0, 6)}`, ...settings }, "devices", [
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH"
  ])

/** A confirmed user of the pool, with an email (and whatever else is given). */
const confirmedUser = (
  local: LocalCognito.LocalCognito.Service,
  pool: Pool,
  attributes: Readonly<Record<string, string>> = {}
) =>
  Effect.gen(function* () {
    const username = newUsername()
    yield* signUp(local, pool.clientId, username, attributes)
    yield* Effect.promise(() =>
      sdk(local).send(new AdminConfirmSignUpCommand({ UserPoolId: pool.userPoolId, Username: username }))
    )
    return username
  })

const passwordSignIn = (local: LocalCognito.LocalCognito.Service, pool: Pool, username: string, deviceKey?: string) =>
  sdkPasswordSignIn(local, { clientId: pool.clientId, username, deviceKey })

const tokensOf = (result: AuthenticationResultType | undefined) => result ?? assert.fail("expected tokens")

/**
 * ConfirmDevice's verifier for a device password, from core's public SRP math and
 * node:crypto: x = H(padHex(salt) | H(groupKey | deviceKey | ":" | password)), v = g^x mod N.
 */
const deviceVerifier = (deviceGroupKey: string, deviceKey: string, devicePassword: string) => {
  const salt = Srp.padHex(BigInt(`0x${randomBytes(16).toString("hex")}`))
  const inner = createHash("sha256").update(`${deviceGroupKey}${deviceKey}:${devicePassword}`).digest()
  const x = BigInt(
    `0x${createHash("sha256")
      .update(Buffer.concat([Buffer.from(salt, "hex"), inner]))
      .digest("hex")}`
  )
  const verifier = Srp.modPow(Srp.g, x, Srp.N)
  return {
    config: {
      PasswordVerifier: Buffer.from(Srp.padHex(verifier), "hex").toString("base64"),
      Salt: Buffer.from(salt, "hex").toString("base64")
    },
    verifier
  }
}

/** Confirms the new device of a sign-in through the AWS SDK; returns its key. */
const confirmDevice = (local: LocalCognito.LocalCognito.Service, tokens: AuthenticationResultType, name: string) =>
  Effect.gen(function* () {
    const metadata = tokens.NewDeviceMetadata ?? assert.fail("expected NewDeviceMetadata")
    const deviceKey = metadata.DeviceKey!
    const deviceGroupKey = metadata.DeviceGroupKey!
    const devicePassword = randomBytes(40).toString("base64")
    const { config, verifier } = deviceVerifier(deviceGroupKey, deviceKey, devicePassword)
    const confirmed = yield* Effect.promise(() =>
      sdk(local).send(
        new ConfirmDeviceCommand({
          AccessToken: tokens.AccessToken,
          DeviceKey: deviceKey,
          DeviceSecretVerifierConfig: config,
          DeviceName: name
        })
      )
    )
    return {
      deviceKey,
      deviceGroupKey,
      devicePassword,
      verifier,
      userConfirmationNecessary: confirmed.UserConfirmationNecessary
    }
  })

/** amazon-cognito-identity-js's storage, in memory: where it keeps its device key, group key and password. */
const memoryStorage = () => {
  const items = new Map<string, string>()
  const storage: ICognitoStorage = {
    setItem: (key, value) => {
      items.set(key, String(value))
    },
    getItem: (key) => items.get(key) ?? null,
    removeItem: (key) => {
      items.delete(key)
    },
    clear: () => items.clear()
  }
  return { storage, items }
}

type Outcome =
  | {
      readonly _tag: "Success"
      readonly user: CognitoUser
      readonly session: CognitoUserSession
      readonly userConfirmationNecessary: boolean | undefined
    }
  | { readonly _tag: "Failure"; readonly name: string; readonly message: string }
  | { readonly _tag: "Totp"; readonly user: CognitoUser }

const callbacks = (user: CognitoUser, resolve: (outcome: Outcome) => void) => ({
  onSuccess: (session: CognitoUserSession, userConfirmationNecessary?: boolean) =>
    resolve({ _tag: "Success", user, session, userConfirmationNecessary }),
  onFailure: (error: { readonly name?: string; readonly code?: string; readonly message?: string }) =>
    resolve({ _tag: "Failure", name: error.code ?? error.name ?? "unknown", message: error.message ?? "" }),
  totpRequired: () => resolve({ _tag: "Totp", user })
})

/** amazon-cognito-identity-js's USER_SRP_AUTH sign-in, with its device (if it keeps one) in `storage`. */
const jsSignIn = (local: LocalCognito.LocalCognito.Service, pool: Pool, username: string, storage: ICognitoStorage) =>
  Effect.promise(
    () =>
      new Promise<Outcome>((resolve) => {
        const userPool = new CognitoUserPool({
          UserPoolId: pool.userPoolId,
          ClientId: pool.clientId,
          endpoint: local.endpoint,
          Storage: storage
        })
        const user = new CognitoUser({ Username: username, Pool: userPool, Storage: storage })
        user.authenticateUser(
          new AuthenticationDetails({ Username: username, Password: password }),
          callbacks(user, resolve)
        )
      })
  )

const expectTag = <T extends Outcome["_tag"]>(outcome: Outcome, tag: T): Extract<Outcome, { _tag: T }> => {
  if (outcome._tag !== tag) return assert.fail(`expected ${tag}, got ${JSON.stringify(outcome)}`)
  return outcome as Extract<Outcome, { _tag: T }>
}

/** The challenges the pool was answered, in order (its request log). */
const challengesAnswered = (local: LocalCognito.LocalCognito.Service, pool: Pool) =>
  Effect.gen(function* () {
    const cognito = yield* local.pool(pool.userPoolId)
    return (yield* cognito.requests).flatMap((r) => (r.challengeName === undefined ? [] : [r.challengeName]))
  })

const callback = (run: (done: { onSuccess: () => void; onFailure: (error: Error) => void }) => void) =>
  Effect.promise(
    () =>
      new Promise<string>((resolve) =>
        run({
          onSuccess: () => resolve("ok"),
          onFailure: (error: Error & { code?: string }) => resolve(error.code ?? error.name)
        })
      )
  )

layer(LocalCognito.layer(), { excludeTestServices: true })("LocalCognito devices", (it) => {
  it.effect(
    "the AWS SDK creates a tracking pool, confirms devices, pages ListDevices, reads, remembers and forgets them; the admin lists them",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const client = sdk(local)
        const pool = yield* createPool(local, {
          DeviceConfiguration: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: true }
        })
        const described = yield* Effect.promise(() =>
          client.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId }))
        )
        assert.deepStrictEqual(described.UserPool?.DeviceConfiguration, {
          ChallengeRequiredOnNewDevice: false,
          DeviceOnlyRememberedOnUserPrompt: true
        })
        const username = yield* confirmedUser(local, pool)
        const keys: Array<string> = []
        let accessToken = ""
        for (const name of ["laptop", "phone", "tablet"]) {
          const tokens = tokensOf(
            (yield* Effect.promise(() => passwordSignIn(local, pool, username))).AuthenticationResult
          )
          const confirmed = yield* confirmDevice(local, tokens, name)
          assert.isTrue(confirmed.userConfirmationNecessary)
          keys.push(confirmed.deviceKey)
          accessToken = tokens.AccessToken!
        }
        const first = yield* Effect.promise(() =>
          client.send(new ListDevicesCommand({ AccessToken: accessToken, Limit: 2 }))
        )
        const second = yield* Effect.promise(() =>
          client.send(
            new ListDevicesCommand({ AccessToken: accessToken, Limit: 2, PaginationToken: first.PaginationToken })
          )
        )
        assert.deepStrictEqual(
          [...(first.Devices ?? []), ...(second.Devices ?? [])].map((d) => d.DeviceKey),
          keys
        )
        assert.isUndefined(second.PaginationToken)
        const [laptop] = first.Devices ?? []
        const attributes = Object.fromEntries((laptop?.DeviceAttributes ?? []).map((a) => [a.Name, a.Value]))
        assert.deepStrictEqual(attributes, {
          device_name: "laptop",
          device_status: "valid",
          device_remembered_status: "not_remembered"
        })
        assert.instanceOf(laptop?.DeviceCreateDate, Date)
        assert.isTrue(Math.abs(laptop!.DeviceCreateDate!.getTime() - Date.now()) < 60_000)

        yield* Effect.promise(() =>
          client.send(
            new UpdateDeviceStatusCommand({
              AccessToken: accessToken,
              DeviceKey: keys[0],
              DeviceRememberedStatus: "remembered"
            })
          )
        )
        const read = yield* Effect.promise(() =>
          client.send(new GetDeviceCommand({ AccessToken: accessToken, DeviceKey: keys[0] }))
        )
        assert.strictEqual(
          read.Device?.DeviceAttributes?.find((a) => a.Name === "device_remembered_status")?.Value,
          "remembered"
        )
        yield* Effect.promise(() =>
          client.send(new ForgetDeviceCommand({ AccessToken: accessToken, DeviceKey: keys[1] }))
        )
        assert.strictEqual(
          yield* sdkFailure(client.send(new GetDeviceCommand({ AccessToken: accessToken, DeviceKey: keys[1] }))),
          "ResourceNotFoundException"
        )

        // The admin's view of the same devices.
        const admin = yield* Effect.promise(() =>
          client.send(new AdminListDevicesCommand({ UserPoolId: pool.userPoolId, Username: username }))
        )
        assert.deepStrictEqual(
          admin.Devices?.map((d) => d.DeviceKey),
          [keys[0], keys[2]]
        )
        yield* Effect.promise(() =>
          client.send(
            new AdminUpdateDeviceStatusCommand({
              UserPoolId: pool.userPoolId,
              Username: username,
              DeviceKey: keys[2],
              DeviceRememberedStatus: "remembered"
            })
          )
        )
        const tablet = yield* Effect.promise(() =>
          client.send(
            new AdminGetDeviceCommand({ UserPoolId: pool.userPoolId, Username: username, DeviceKey: keys[2] })
          )
        )
        assert.strictEqual(
          tablet.Device?.DeviceAttributes?.find((a) => a.Name === "device_remembered_status")?.Value,
          "remembered"
        )
        yield* Effect.promise(() =>
          client.send(
            new AdminForgetDeviceCommand({ UserPoolId: pool.userPoolId, Username: username, DeviceKey: keys[2] })
          )
        )
        assert.strictEqual(
          yield* sdkFailure(
            client.send(new AdminListDevicesCommand({ UserPoolId: pool.userPoolId, Username: "nobody" }))
          ),
          "UserNotFoundException"
        )
        assert.strictEqual(
          yield* sdkFailure(client.send(new ListDevicesCommand({ AccessToken: accessToken, Limit: 61 }))),
          "InvalidParameterException"
        )
      }),
    timeout
  )

  it.effect(
    "refresh tokens are bound to their device; a forgotten device key and another user's are ResourceNotFoundException",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const client = sdk(local)
        const pool = yield* createPool(local, { DeviceConfiguration: {} })
        const alice = yield* confirmedUser(local, pool)
        const bob = yield* confirmedUser(local, pool)
        const tokens = tokensOf((yield* Effect.promise(() => passwordSignIn(local, pool, alice))).AuthenticationResult)
        const { deviceKey, userConfirmationNecessary } = yield* confirmDevice(local, tokens, "laptop")
        assert.isFalse(userConfirmationNecessary)
        const refresh = (key?: string) =>
          client.send(
            new InitiateAuthCommand({
              ClientId: pool.clientId,
              AuthFlow: "REFRESH_TOKEN_AUTH",
              AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken!, ...(key === undefined ? {} : { DEVICE_KEY: key }) }
            })
          )
        assert.strictEqual(yield* sdkFailure(refresh()), "NotAuthorizedException")
        const refreshed = yield* Effect.promise(() => refresh(deviceKey))
        assert.isDefined(refreshed.AuthenticationResult?.AccessToken)
        assert.isUndefined(refreshed.AuthenticationResult?.NewDeviceMetadata)

        // Another user's device is not found, as one that never existed.
        const bobTokens = tokensOf((yield* Effect.promise(() => passwordSignIn(local, pool, bob))).AuthenticationResult)
        assert.strictEqual(
          yield* sdkFailure(
            client.send(new GetDeviceCommand({ AccessToken: bobTokens.AccessToken, DeviceKey: deviceKey }))
          ),
          "ResourceNotFoundException"
        )
        assert.strictEqual(yield* sdkFailure(passwordSignIn(local, pool, bob, deviceKey)), "ResourceNotFoundException")

        // Remembered at once: USER_PASSWORD_AUTH with the key goes to device SRP.
        const remembered = yield* Effect.promise(() => passwordSignIn(local, pool, alice, deviceKey))
        assert.strictEqual(remembered.ChallengeName, "DEVICE_SRP_AUTH")

        yield* Effect.promise(() =>
          client.send(new ForgetDeviceCommand({ AccessToken: tokens.AccessToken, DeviceKey: deviceKey }))
        )
        assert.strictEqual(
          yield* sdkFailure(passwordSignIn(local, pool, alice, deviceKey)),
          "ResourceNotFoundException"
        )
        assert.strictEqual(yield* sdkFailure(refresh(deviceKey)), "ResourceNotFoundException")
        // Its device forgotten, the refresh token refreshes without a DEVICE_KEY.
        assert.isDefined((yield* Effect.promise(() => refresh())).AuthenticationResult?.AccessToken)
      }),
    timeout
  )

  it.effect(
    "the AWS SDK sets MFA preferences, GetUser shows them, DeleteUserAttributes removes attributes; a reused TOTP code is CodeMismatchException",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const client = sdk(local)
        const pool = yield* createPool(local, { MfaConfiguration: "OPTIONAL" })
        const cognito = yield* local.pool(pool.userPoolId)
        const username = yield* confirmedUser(local, pool, { phone_number: "+15555550123", nickname: "al" })
        const tokens = tokensOf(
          (yield* Effect.promise(() => passwordSignIn(local, pool, username))).AuthenticationResult
        )
        const AccessToken = tokens.AccessToken!
        const setTotp = () =>
          client.send(
            new SetUserMFAPreferenceCommand({
              AccessToken,
              SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true }
            })
          )
        assert.strictEqual(yield* sdkFailure(setTotp()), "InvalidParameterException")
        const associated = yield* Effect.promise(() => client.send(new AssociateSoftwareTokenCommand({ AccessToken })))
        const secret = Redacted.make(associated.SecretCode!)
        const code = Redacted.value(yield* cognito.totpCode(secret))
        yield* Effect.promise(() => client.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: code })))
        yield* Effect.promise(() => setTotp())
        yield* Effect.promise(() =>
          client.send(new SetUserMFAPreferenceCommand({ AccessToken, SMSMfaSettings: { Enabled: true } }))
        )
        const user = yield* Effect.promise(() => client.send(new GetUserCommand({ AccessToken })))
        assert.deepStrictEqual(user.UserMFASettingList, ["SMS_MFA", "SOFTWARE_TOKEN_MFA"])
        assert.strictEqual(user.PreferredMfaSetting, "SOFTWARE_TOKEN_MFA")

        // The code that verified the authenticator is used up: the sign-in refuses it.
        const started = yield* Effect.promise(() => passwordSignIn(local, pool, username))
        assert.strictEqual(started.ChallengeName, "SOFTWARE_TOKEN_MFA")
        const answer = (given: string) =>
          client.send(
            new RespondToAuthChallengeCommand({
              ClientId: pool.clientId,
              ChallengeName: "SOFTWARE_TOKEN_MFA",
              Session: started.Session,
              ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: given }
            })
          )
        assert.strictEqual(yield* sdkFailure(answer(code)), "CodeMismatchException")
        // The server's next step: a fresh code is accepted.
        yield* cognito.setClockOffset("30 seconds")
        const fresh = Redacted.value(yield* cognito.totpCode(secret))
        assert.isDefined((yield* Effect.promise(() => answer(fresh))).AuthenticationResult?.AccessToken)
        yield* cognito.setClockOffset(0)

        yield* Effect.promise(() =>
          client.send(
            new DeleteUserAttributesCommand({ AccessToken, UserAttributeNames: ["nickname", "phone_number"] })
          )
        )
        const after = yield* Effect.promise(() => client.send(new GetUserCommand({ AccessToken })))
        const names = (after.UserAttributes ?? []).map((a) => a.Name).sort()
        assert.deepStrictEqual(names, ["email", "sub"])
        assert.strictEqual(
          yield* sdkFailure(client.send(new DeleteUserAttributesCommand({ AccessToken, UserAttributeNames: ["sub"] }))),
          "InvalidParameterException"
        )
      }),
    timeout
  )

  it.effect(
    "amazon-cognito-identity-js confirms and remembers its device, signs in again by device SRP without TOTP, and after forgetDevice is asked for TOTP",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const pool = yield* createPool(local, {
          MfaConfiguration: "ON",
          DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true }
        })
        const cognito = yield* local.pool(pool.userPoolId)
        const username = yield* confirmedUser(local, pool)
        const secret = yield* cognito.adminEnableTotp(username)
        const { storage, items } = memoryStorage()

        // First sign-in: TOTP; the library confirms the new device on its own.
        const first = expectTag(yield* jsSignIn(local, pool, username, storage), "Totp")
        const code = Redacted.value(yield* cognito.totpCode(secret))
        const signedIn = expectTag(
          yield* Effect.promise(
            () =>
              new Promise<Outcome>((resolve) =>
                first.user.sendMFACode(code, callbacks(first.user, resolve), "SOFTWARE_TOKEN_MFA")
              )
          ),
          "Success"
        )
        assert.isTrue(signedIn.userConfirmationNecessary)
        const deviceKey = [...items].find(([key]) => key.endsWith(".deviceKey"))?.[1] ?? assert.fail("no device kept")
        const listed = yield* cognito.adminListDevices(username)
        assert.deepStrictEqual(
          listed.devices.map((d) => [d.deviceKey, d.deviceAttributes.device_remembered_status]),
          [[deviceKey, "not_remembered"]]
        )
        assert.strictEqual(yield* callback((done) => signedIn.user.setDeviceStatusRemembered(done)), "ok")

        // Second sign-in: the password, then the device proves itself; no TOTP.
        const before = (yield* challengesAnswered(local, pool)).length
        const again = expectTag(yield* jsSignIn(local, pool, username, storage), "Success")
        assert.strictEqual(again.session.getAccessToken().decodePayload().device_key, deviceKey)
        assert.deepStrictEqual((yield* challengesAnswered(local, pool)).slice(before), [
          "PASSWORD_VERIFIER",
          "DEVICE_SRP_AUTH",
          "DEVICE_PASSWORD_VERIFIER"
        ])
        // Its refresh sends the device key.
        const refreshed = yield* Effect.promise(
          () =>
            new Promise<string>((resolve) =>
              again.user.refreshSession(again.session.getRefreshToken(), (error: { code?: string } | null) =>
                resolve(error === null ? "ok" : (error.code ?? "failed"))
              )
            )
        )
        assert.strictEqual(refreshed, "ok")

        // Forgotten: the next sign-in is a new device, asked for TOTP.
        assert.strictEqual(yield* callback((done) => again.user.forgetDevice(done)), "ok")
        assert.isFalse([...items.keys()].some((key) => key.endsWith(".deviceKey")))
        expectTag(yield* jsSignIn(local, pool, username, storage), "Totp")
        assert.deepStrictEqual((yield* cognito.adminListDevices(username)).devices, [])
      }),
    timeout
  )

  it.effect(
    "a wrong device password is NotAuthorizedException; no device password or verifier shows in an answer or a log line",
    () => {
      const lines: Array<string> = []
      const capture = Logger.map(Logger.formatLogFmt, (line) => {
        lines.push(line)
      })
      return Effect.gen(function* () {
        // A server of its own, whose debug log is captured.
        const local = yield* LocalCognito.make()
        const client = sdk(local)
        const pool = yield* createPool(local, { DeviceConfiguration: {} })
        const username = yield* confirmedUser(local, pool)
        const tokens = tokensOf(
          (yield* Effect.promise(() => passwordSignIn(local, pool, username))).AuthenticationResult
        )
        const { deviceKey, deviceGroupKey, devicePassword, verifier } = yield* confirmDevice(local, tokens, "laptop")
        // DEVICE_SRP_AUTH answered with core's client math, the claim signed with another password.
        const started = yield* Effect.promise(() => passwordSignIn(local, pool, username, deviceKey))
        assert.strictEqual(started.ChallengeName, "DEVICE_SRP_AUTH")
        const ephemeral = Srp.ephemeralFromSecret(BigInt(`0x${randomBytes(32).toString("hex")}`))
        const srp = yield* Effect.promise(() =>
          client.send(
            new RespondToAuthChallengeCommand({
              ClientId: pool.clientId,
              ChallengeName: "DEVICE_SRP_AUTH",
              Session: started.Session,
              ChallengeResponses: { USERNAME: username, DEVICE_KEY: deviceKey, SRP_A: ephemeral.srpA }
            })
          )
        )
        assert.strictEqual(srp.ChallengeName, "DEVICE_PASSWORD_VERIFIER")
        const parameters = srp.ChallengeParameters ?? {}
        const timestamp = Srp.formatTimestamp(new Date())
        const claim = (pass: string) =>
          Srp.passwordClaim({
            poolName: deviceGroupKey,
            userIdForSrp: deviceKey,
            password: Redacted.make(pass),
            ephemeral,
            salt: parameters.SALT!,
            srpB: parameters.SRP_B!,
            secretBlock: parameters.SECRET_BLOCK!,
            timestamp
          })
        const wrong = "not-the-device-password"
        const answer = (signature: string) =>
          client.send(
            new RespondToAuthChallengeCommand({
              ClientId: pool.clientId,
              ChallengeName: "DEVICE_PASSWORD_VERIFIER",
              Session: srp.Session,
              ChallengeResponses: {
                USERNAME: parameters.USERNAME!,
                DEVICE_KEY: deviceKey,
                PASSWORD_CLAIM_SECRET_BLOCK: parameters.SECRET_BLOCK!,
                PASSWORD_CLAIM_SIGNATURE: signature,
                TIMESTAMP: timestamp
              }
            })
          )
        const { signature } = yield* claim(wrong)
        const refused = yield* Effect.promise(() =>
          answer(signature).then(
            () => undefined,
            (error: Error) => error
          )
        )
        assert.strictEqual(refused?.name, "NotAuthorizedException")
        assert.strictEqual(refused?.message, "Incorrect username or password.")
        assert.include((yield* challengesAnswered(local, pool)).join(" "), "DEVICE_PASSWORD_VERIFIER")
        // The verifier as the server keeps it (plain only in the snapshot's JSON, as a password's).
        const snapshot = yield* Effect.flatMap(local.pool(pool.userPoolId), (p) => p.snapshot)
        const stored = JSON.parse(yield* TestCognitoSnapshot.toJson(snapshot)).devices[0].secret.verifier as string
        assert.strictEqual(BigInt(stored), verifier)
        assert.isAbove(lines.length, 5, "the server's debug log was captured")
        assert.include(lines.join("\n"), "ConfirmDevice")
        const haystack = [refused?.message, JSON.stringify(snapshot), ...lines].join("\n")
        for (const secret of [
          devicePassword,
          wrong,
          stored,
          Buffer.from(Srp.padHex(verifier), "hex").toString("base64")
        ])
          assert.notInclude(haystack, secret)
      }).pipe(
        Effect.scoped,
        Effect.provide(Logger.layer([capture])),
        Effect.provideService(References.MinimumLogLevel, "All")
      )
    },
    timeout
  )

  it.effect(
    "the state file keeps the pool's DeviceConfiguration, its devices and their refresh-token binding across a restart",
    () =>
      Effect.gen(function* () {
        const dir = yield* Effect.acquireRelease(
          Effect.promise(() => mkdtemp(join(tmpdir(), "local-cognito-devices-"))),
          (path) => Effect.promise(() => rm(path, { recursive: true, force: true }))
        )
        const stateFile = join(dir, "state.json")
        const before = yield* Effect.scoped(
          Effect.gen(function* () {
            const local = yield* LocalCognito.make({ stateFile })
            const pool = yield* createPool(local, { DeviceConfiguration: { DeviceOnlyRememberedOnUserPrompt: false } })
            const username = yield* confirmedUser(local, pool)
            const tokens = tokensOf(
              (yield* Effect.promise(() => passwordSignIn(local, pool, username))).AuthenticationResult
            )
            const { deviceKey } = yield* confirmDevice(local, tokens, "laptop")
            return { pool, username, deviceKey, refreshToken: tokens.RefreshToken! }
          })
        )
        const local = yield* LocalCognito.make({ stateFile })
        const client = sdk(local)
        const described = yield* Effect.promise(() =>
          client.send(new DescribeUserPoolCommand({ UserPoolId: before.pool.userPoolId }))
        )
        assert.deepStrictEqual(described.UserPool?.DeviceConfiguration, {
          ChallengeRequiredOnNewDevice: false,
          DeviceOnlyRememberedOnUserPrompt: false
        })
        const listed = yield* Effect.promise(() =>
          client.send(new AdminListDevicesCommand({ UserPoolId: before.pool.userPoolId, Username: before.username }))
        )
        assert.deepStrictEqual(
          listed.Devices?.map((d) => d.DeviceKey),
          [before.deviceKey]
        )
        const remembered = yield* Effect.promise(() =>
          passwordSignIn(local, before.pool, before.username, before.deviceKey)
        )
        assert.strictEqual(remembered.ChallengeName, "DEVICE_SRP_AUTH")
        const refresh = (key?: string) =>
          client.send(
            new InitiateAuthCommand({
              ClientId: before.pool.clientId,
              AuthFlow: "REFRESH_TOKEN_AUTH",
              AuthParameters: { REFRESH_TOKEN: before.refreshToken, ...(key === undefined ? {} : { DEVICE_KEY: key }) }
            })
          )
        assert.strictEqual(yield* sdkFailure(refresh()), "NotAuthorizedException")
        assert.isDefined((yield* Effect.promise(() => refresh(before.deviceKey))).AuthenticationResult?.AccessToken)
      }).pipe(Effect.scoped),
    timeout
  )
})
