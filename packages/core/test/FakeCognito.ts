/**
 * A small scripted Cognito for core's `Auth` tests of devices and MFA settings, over
 * `FakeHttpClient`: one user ("alice"), a pool that tracks devices, optional TOTP MFA, and
 * device SRP checked with the server's own formula (S = (A·v^u)^b, against the verifier the
 * client sent in ConfirmDevice), so a claim passes only when the client's verifier and its
 * answer agree. The user's own SRP proof is not checked here (TestCognito does that).
 * Every request is logged with its action, challenge name and body; a fault can be queued
 * for the next call of an action.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as HttpClient from "effect/http/HttpClient"
import * as Schedule from "effect/Schedule"
import * as Auth from "../src/Auth.js"
import * as AuthConfig from "../src/AuthConfig.js"
import * as CognitoIdentityProvider from "../src/CognitoIdentityProvider.js"
import * as encoding from "../src/internal/encoding.js"
import * as SrpInternal from "../src/internal/srp.js"
import * as webCrypto from "../src/internal/webCrypto.js"
import * as SecureRandom from "../src/SecureRandom.js"
import * as Srp from "../src/Srp.js"
import * as TokenStore from "../src/TokenStore.js"
import * as FakeHttpClient from "./FakeHttpClient.js"

export const region = "eu-west-1"
export const userPoolId = "eu-west-1_DevIces1"
export const clientId = "deviceclient"
export const issuer = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`
/** 2026-11-26T09:30:00Z, in seconds. */
export const startSeconds = 1_795_685_400
export const totpCode = "123456"
export const totpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

/** Cognito's tokens for alice, issued at {@link startSeconds}. */
const tokens = (refreshToken: string | undefined, newDevice: { key: string; group: string } | undefined) => {
  const common = { sub: "sub-alice", iss: issuer, iat: startSeconds, exp: startSeconds + 3600 }
  return {
    AccessToken: FakeHttpClient.jwt({ ...common, client_id: clientId, token_use: "access", username: "alice" }),
    IdToken: FakeHttpClient.jwt({ ...common, aud: clientId, token_use: "id", "cognito:username": "alice" }),
    ...(refreshToken === undefined ? {} : { RefreshToken: refreshToken }),
    ExpiresIn: 3600,
    TokenType: "Bearer",
    ...(newDevice === undefined
      ? {}
      : { NewDeviceMetadata: { DeviceKey: newDevice.key, DeviceGroupKey: newDevice.group } })
  }
}

/** A device as the pool keeps it. */
export interface ServerDevice {
  readonly key: string
  readonly group: string
  confirmed: boolean
  remembered: boolean
  verifier: bigint
  salt: string
  name: string | undefined
}

/** A logged request. */
export interface Logged {
  readonly action: string
  readonly challengeName: string | undefined
  readonly body: Record<string, unknown>
}

export interface Options {
  /** Ask TOTP at every sign-in that does not come from a remembered device. */
  readonly mfa?: boolean | undefined
  /** Cognito's `DeviceOnlyRememberedOnUserPrompt`: confirmed devices wait for UpdateDeviceStatus. Default false. */
  readonly rememberOnPrompt?: boolean | undefined
  /** Whether the pool tracks devices (returns `NewDeviceMetadata`). Default true. */
  readonly tracking?: boolean | undefined
}

const unknownDevice = FakeHttpClient.awsError(400, "ResourceNotFoundException", "Device does not exist.")
const refused = FakeHttpClient.awsError(400, "NotAuthorizedException", "Incorrect username or password.")

const deviceWire = (device: ServerDevice) => ({
  DeviceKey: device.key,
  DeviceAttributes: [
    { Name: "device_status", Value: "valid" },
    { Name: "device_remembered_status", Value: device.remembered ? "remembered" : "not_remembered" },
    ...(device.name === undefined ? [] : [{ Name: "device_name", Value: device.name }])
  ],
  DeviceCreateDate: startSeconds,
  DeviceLastModifiedDate: startSeconds + 60,
  DeviceLastAuthenticatedDate: startSeconds + 120
})

/** The scripted pool and the layer of `Auth` over it (memory store, seeded randomness). */
export const make = (options: Options = {}) => {
  const tracking = options.tracking ?? true
  const devices = new Map<string, ServerDevice>()
  const log: Array<Logged> = []
  const faults = new Map<string, FakeHttpClient.Reply>()
  const mfaPreference = { enabled: [] as Array<string>, preferred: undefined as string | undefined }
  const deletedAttributes: Array<string> = []
  let issued = 0
  let deviceSrp:
    | { readonly device: ServerDevice; readonly b: bigint; readonly B: bigint; readonly A: string }
    | undefined

  /** Tokens for a sign-in that named `deviceKey`: a new device unless that one is confirmed. */
  const signedIn = (deviceKey: string | undefined) => {
    issued++
    const known = deviceKey === undefined ? undefined : devices.get(deviceKey)
    let created: { key: string; group: string } | undefined
    if (tracking && known?.confirmed !== true) {
      const key = `${region}_00000000-0000-4000-8000-${String(issued).padStart(12, "0")}`
      created = { key, group: `-group${issued}` }
      devices.set(key, {
        key,
        group: created.group,
        confirmed: false,
        remembered: false,
        verifier: 0n,
        salt: "",
        name: undefined
      })
    }
    return FakeHttpClient.json(200, {
      AuthenticationResult: tokens(`refresh-${issued}`, created),
      ChallengeParameters: {}
    })
  }

  /** What follows a verified password: device SRP for a remembered device, else MFA or tokens. */
  const afterPassword = (deviceKey: string | undefined) => {
    const device = deviceKey === undefined ? undefined : devices.get(deviceKey)
    if (device?.remembered === true)
      return FakeHttpClient.json(200, {
        ChallengeName: "DEVICE_SRP_AUTH",
        Session: "session-device",
        ChallengeParameters: {}
      })
    if (options.mfa === true)
      return FakeHttpClient.json(200, {
        ChallengeName: "SOFTWARE_TOKEN_MFA",
        Session: "session-mfa",
        ChallengeParameters: { USERNAME: "alice" }
      })
    return signedIn(deviceKey)
  }

  /** A named device the pool does not know: Cognito's ResourceNotFoundException. */
  const unknown = (deviceKey: unknown) => typeof deviceKey === "string" && !devices.has(deviceKey)

  const answer = (action: string, body: Record<string, unknown>): Effect.Effect<FakeHttpClient.Reply> =>
    Effect.gen(function* () {
      const parameters = (body.AuthParameters ?? {}) as Record<string, string>
      const responses = (body.ChallengeResponses ?? {}) as Record<string, string>
      switch (action) {
        case "InitiateAuth": {
          if (unknown(parameters.DEVICE_KEY)) return unknownDevice
          if (body.AuthFlow === "REFRESH_TOKEN_AUTH")
            return FakeHttpClient.json(200, { AuthenticationResult: tokens(undefined, undefined) })
          if (body.AuthFlow === "USER_PASSWORD_AUTH") return afterPassword(parameters.DEVICE_KEY)
          return FakeHttpClient.json(200, {
            ChallengeName: "PASSWORD_VERIFIER",
            Session: "session-password",
            ChallengeParameters: {
              USERNAME: "alice",
              USER_ID_FOR_SRP: "alice",
              SALT: "0a1b2c3d",
              SRP_B: Srp.gPow(12345n).toString(16),
              SECRET_BLOCK: "c2VjcmV0LWJsb2Nr"
            }
          })
        }
        case "GetTokensFromRefreshToken":
          if (unknown(body.DeviceKey)) return unknownDevice
          return FakeHttpClient.json(200, { AuthenticationResult: tokens("rotated", undefined) })
        case "RespondToAuthChallenge": {
          if (body.ChallengeName !== "DEVICE_PASSWORD_VERIFIER" && unknown(responses.DEVICE_KEY)) return unknownDevice
          switch (body.ChallengeName) {
            case "PASSWORD_VERIFIER":
              return afterPassword(responses.DEVICE_KEY)
            case "SOFTWARE_TOKEN_MFA":
              return responses.SOFTWARE_TOKEN_MFA_CODE === totpCode
                ? signedIn(responses.DEVICE_KEY)
                : FakeHttpClient.awsError(400, "CodeMismatchException", "Invalid code received for user")
            case "DEVICE_SRP_AUTH": {
              const device = devices.get(responses.DEVICE_KEY ?? "")
              if (device?.remembered !== true) return refused
              const b = 987654321987654321n
              const B = ((yield* SrpInternal.k) * device.verifier + Srp.gPow(b)) % Srp.N
              deviceSrp = { device, b, B, A: responses.SRP_A ?? "" }
              return FakeHttpClient.json(200, {
                ChallengeName: "DEVICE_PASSWORD_VERIFIER",
                Session: "session-device-verifier",
                ChallengeParameters: {
                  USERNAME: "alice",
                  DEVICE_KEY: device.key,
                  SRP_B: B.toString(16),
                  SALT: device.salt,
                  SECRET_BLOCK: "ZGV2aWNlLWJsb2Nr"
                }
              })
            }
            case "DEVICE_PASSWORD_VERIFIER": {
              const pending = deviceSrp
              deviceSrp = undefined
              if (pending === undefined || responses.DEVICE_KEY !== pending.device.key) return unknownDevice
              const A = BigInt(`0x${pending.A}`)
              const u = yield* SrpInternal.computeU(A, pending.B)
              const S = Srp.modPow(A * Srp.modPow(pending.device.verifier, u, Srp.N), pending.b, Srp.N)
              const key = yield* webCrypto.hkdf(
                SrpInternal.padBytes(S),
                SrpInternal.padBytes(u),
                encoding.utf8("Caldera Derived Key"),
                128
              )
              const expected = yield* webCrypto.hmacSha256(
                key,
                encoding.concat(
                  encoding.utf8(pending.device.group),
                  encoding.utf8(pending.device.key),
                  encoding.fromBase64("ZGV2aWNlLWJsb2Nr")!,
                  encoding.utf8(responses.TIMESTAMP ?? "")
                )
              )
              if (encoding.toBase64(expected) !== responses.PASSWORD_CLAIM_SIGNATURE) return refused
              issued++
              return FakeHttpClient.json(200, { AuthenticationResult: tokens(`refresh-${issued}`, undefined) })
            }
          }
          return FakeHttpClient.awsError(400, "InvalidParameterException", `unexpected ${String(body.ChallengeName)}`)
        }
        case "ConfirmDevice": {
          const device = devices.get(String(body.DeviceKey))
          if (device === undefined) return unknownDevice
          const config = body.DeviceSecretVerifierConfig as { PasswordVerifier: string; Salt: string }
          device.verifier = SrpInternal.bytesToBigInt(encoding.fromBase64(config.PasswordVerifier)!)
          device.salt = encoding.bytesToHex(encoding.fromBase64(config.Salt)!)
          device.name = body.DeviceName as string | undefined
          device.confirmed = true
          device.remembered = options.rememberOnPrompt !== true
          return FakeHttpClient.json(200, { UserConfirmationNecessary: options.rememberOnPrompt === true })
        }
        case "UpdateDeviceStatus": {
          const device = devices.get(String(body.DeviceKey))
          if (device === undefined) return unknownDevice
          device.remembered = body.DeviceRememberedStatus === "remembered"
          return FakeHttpClient.json(200, {})
        }
        case "ForgetDevice":
          return devices.delete(String(body.DeviceKey)) ? FakeHttpClient.json(200, {}) : unknownDevice
        case "GetDevice": {
          const device = devices.get(String(body.DeviceKey))
          return device === undefined ? unknownDevice : FakeHttpClient.json(200, { Device: deviceWire(device) })
        }
        case "ListDevices": {
          const all = [...devices.values()].filter((device) => device.confirmed)
          const from = body.PaginationToken === undefined ? 0 : Number(body.PaginationToken)
          const limit = typeof body.Limit === "number" ? body.Limit : 10
          const page = all.slice(from, from + limit)
          return FakeHttpClient.json(200, {
            Devices: page.map(deviceWire),
            ...(from + limit < all.length ? { PaginationToken: String(from + limit) } : {})
          })
        }
        case "AssociateSoftwareToken":
          return FakeHttpClient.json(200, { SecretCode: totpSecret })
        case "VerifySoftwareToken":
          return FakeHttpClient.json(200, { Status: body.UserCode === totpCode ? "SUCCESS" : "ERROR" })
        case "SetUserMFAPreference": {
          const settings = [
            ["SMS_MFA", body.SMSMfaSettings],
            ["SOFTWARE_TOKEN_MFA", body.SoftwareTokenMfaSettings],
            ["EMAIL_OTP", body.EmailMfaSettings]
          ] as const
          for (const [name, setting] of settings) {
            const value = setting as { Enabled?: boolean; PreferredMfa?: boolean } | undefined
            if (value === undefined) continue
            mfaPreference.enabled = mfaPreference.enabled.filter((n) => n !== name)
            if (value.Enabled === true) mfaPreference.enabled.push(name)
            if (value.PreferredMfa === true) mfaPreference.preferred = name
            else if (mfaPreference.preferred === name) mfaPreference.preferred = undefined
          }
          return FakeHttpClient.json(200, {})
        }
        case "GetUser":
          return FakeHttpClient.json(200, {
            Username: "alice",
            UserAttributes: [{ Name: "sub", Value: "sub-alice" }],
            UserMFASettingList: mfaPreference.enabled,
            ...(mfaPreference.preferred === undefined ? {} : { PreferredMfaSetting: mfaPreference.preferred })
          })
        case "DeleteUserAttributes":
          deletedAttributes.push(...(body.UserAttributeNames as Array<string>))
          return FakeHttpClient.json(200, {})
        case "RevokeToken":
        case "GlobalSignOut":
        case "DeleteUser":
          return FakeHttpClient.json(200, {})
      }
      return FakeHttpClient.awsError(400, "InvalidParameterException", `unexpected ${action}`)
    })

  const fake = FakeHttpClient.makeEffect((request) => {
    const action = (request.headers["x-amz-target"] ?? "").split(".").pop() ?? ""
    const body = (request.body ?? {}) as Record<string, unknown>
    const challengeName = typeof body.ChallengeName === "string" ? body.ChallengeName : undefined
    log.push({ action, challengeName, body })
    const fault = faults.get(action)
    if (fault !== undefined) {
      faults.delete(action)
      return Effect.succeed(fault)
    }
    return answer(action, body)
  })

  /** `Auth` with its store and randomness, over this pool. */
  const layer = (
    config: Partial<AuthConfig.Input> = {},
    store: Layer.Layer<TokenStore.TokenStore, never, AuthConfig.AuthConfig> = TokenStore.layerMemory
  ) =>
    Auth.layer.pipe(
      Layer.provideMerge(
        Layer.mergeAll(
          CognitoIdentityProvider.layerWith({ retrySchedule: Schedule.recurs(0) }),
          store,
          SecureRandom.layerSeeded(5)
        )
      ),
      Layer.provideMerge(AuthConfig.layer({ region, userPoolId, clientId, ...config })),
      Layer.provide(Layer.succeed(HttpClient.HttpClient, fake.client))
    )

  return {
    devices,
    log,
    mfaPreference,
    deletedAttributes,
    layer,
    /** The next call of `action` gets `reply`. */
    failNext: (action: string, reply: FakeHttpClient.Reply) => faults.set(action, reply),
    /** Requests logged since `from`, as `Action` or `RespondToAuthChallenge:<challenge>`. */
    steps: (from = 0) =>
      log
        .slice(from)
        .map((entry) => (entry.challengeName === undefined ? entry.action : `${entry.action}:${entry.challengeName}`))
  }
}
