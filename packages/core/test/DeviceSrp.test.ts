/**
 * Device SRP against amazon-cognito-identity-js, the reference client: the verifier
 * `ConfirmDevice` stores (the library's `generateHashDevice`, same password and salt → same
 * verifier and salt on the wire) and the `DEVICE_PASSWORD_VERIFIER` answer (the library's own
 * sign-in on a remembered device, driven through its challenges by a scripted client, gives
 * the same SRP_A, TIMESTAMP and PASSWORD_CLAIM_SIGNATURE as `Srp.deviceClaim`).
 */
import { afterEach, assert, describe, it, vi } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as encoding from "../src/internal/encoding.js"
import * as SecureRandom from "../src/SecureRandom.js"
import * as Srp from "../src/Srp.js"
import { authenticateUntil, generator, type LibraryRequest, library, withLibraryFixed } from "./referenceSrp.js"
import * as Cognito from "amazon-cognito-identity-js"

// ---------------------------------------------------------------------------
// Reproducible cases
// ---------------------------------------------------------------------------

const hex = encoding.bytesToHex
const uuid = (r: ReturnType<typeof generator>) =>
  `${hex(r.bytes(4))}-${hex(r.bytes(2))}-${hex(r.bytes(2))}-${hex(r.bytes(2))}-${hex(r.bytes(6))}`

interface DeviceCase {
  readonly username: string
  readonly deviceKey: string
  readonly deviceGroupKey: string
  readonly devicePassword: string
  readonly a: bigint
  /** The device's salt as the server sends it in DEVICE_PASSWORD_VERIFIER, hex. */
  readonly salt: string
  readonly srpB: string
  readonly secretBlock: string
  readonly date: Date
}

const makeCase = (seed: number): DeviceCase => {
  const r = generator(seed)
  const saltBytes = r.bytes(16)
  // A salt with a leading zero byte every third case: it drops out of the integer, as in Cognito.
  if (seed % 3 === 0) saltBytes[0] = 0
  if (seed % 3 === 1) saltBytes[0] = 0x80 | saltBytes[0]!
  return {
    username: seed % 2 === 0 ? "alice" : uuid(r),
    deviceKey: `eu-west-1_${uuid(r)}`,
    deviceGroupKey: `-${encoding.toBase64Url(r.bytes(6))}`,
    devicePassword: encoding.toBase64(r.bytes(40)),
    a: BigInt(`0x${hex(r.bytes(128))}`) % Srp.N,
    salt: hex(saltBytes),
    srpB: Srp.modPow(Srp.g, BigInt(`0x${hex(r.bytes(32))}`), Srp.N).toString(16),
    secretBlock: encoding.toBase64(r.bytes(1 + r.int(600))),
    date: new Date(Date.UTC(2020, 0, 1) + r.int(20 * 365 * 24 * 3600) * 1000)
  }
}

/** The library's `generateHashDevice`: its random password and salt, and the verifier over them. */
const libraryHashDevice = (deviceGroupKey: string, deviceKey: string) =>
  Effect.callback<{ readonly password: string; readonly salt: string; readonly verifier: string }, unknown>(
    (resume) => {
      const helper = new library.AuthenticationHelper("unused")
      helper.generateHashDevice(deviceGroupKey, deviceKey, (error) =>
        resume(
          error
            ? Effect.fail(error)
            : Effect.succeed({
                password: helper.getRandomPassword(),
                salt: helper.getSaltDevices(),
                verifier: helper.getVerifierDevices()
              })
        )
      )
    }
  )

/**
 * The library's sign-in of a user whose device it remembers (its storage holds the device
 * key, group key and password), against a scripted client: PASSWORD_VERIFIER, then
 * DEVICE_SRP_AUTH, then DEVICE_PASSWORD_VERIFIER with this case's B, salt and secret block.
 * Captures each request's responses; the library's a and clock are fixed.
 */
const librarySignIn = (c: DeviceCase) =>
  withLibraryFixed(c, () =>
    Effect.callback<ReadonlyArray<LibraryRequest>, Error>((resume) => {
      const requests: Array<LibraryRequest> = []
      const stop = new Error("captured")
      const client = {
        request: (action: string, params: LibraryRequest, callback: (error: unknown, data?: unknown) => void) => {
          requests.push(params)
          if (action === "InitiateAuth")
            return callback(null, {
              ChallengeName: "PASSWORD_VERIFIER",
              Session: "session-1",
              ChallengeParameters: {
                USERNAME: c.username,
                USER_ID_FOR_SRP: c.username,
                SALT: "0badc0ffee",
                SRP_B: c.srpB,
                SECRET_BLOCK: "c2VjcmV0"
              }
            })
          switch (params.ChallengeName) {
            case "PASSWORD_VERIFIER":
              return callback(null, {
                ChallengeName: "DEVICE_SRP_AUTH",
                Session: "session-2",
                ChallengeParameters: {}
              })
            case "DEVICE_SRP_AUTH":
              return callback(null, {
                ChallengeName: "DEVICE_PASSWORD_VERIFIER",
                Session: "session-3",
                ChallengeParameters: {
                  USERNAME: c.username,
                  DEVICE_KEY: c.deviceKey,
                  SALT: c.salt,
                  SRP_B: c.srpB,
                  SECRET_BLOCK: c.secretBlock
                }
              })
            case "DEVICE_PASSWORD_VERIFIER":
              resume(Effect.succeed(requests))
              return callback(stop)
          }
          resume(Effect.fail(new Error(`unexpected ${action} ${params.ChallengeName}`)))
        }
      }
      const items = new Map<string, string>()
      const prefix = `CognitoIdentityServiceProvider.client.${c.username}`
      items.set(`${prefix}.deviceKey`, c.deviceKey)
      items.set(`${prefix}.deviceGroupKey`, c.deviceGroupKey)
      items.set(`${prefix}.randomPasswordKey`, c.devicePassword)
      const storage = {
        setItem: (key: string, value: string) => items.set(key, value),
        getItem: (key: string) => items.get(key) ?? null,
        removeItem: (key: string) => items.delete(key),
        clear: () => items.clear()
      }
      const pool = new Cognito.CognitoUserPool({
        UserPoolId: "eu-west-1_AbCdEf123",
        ClientId: "client",
        Storage: storage
      })
      Object.assign(pool, { client })
      const user = new Cognito.CognitoUser({ Username: c.username, Pool: pool, Storage: storage })
      authenticateUntil(user, "Passw0rd!", stop, resume)
    })
  )

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

const base64OfHex = (value: string) => encoding.toBase64(encoding.hexToBytes(value))

describe("device SRP", () => {
  describe("the verifier of ConfirmDevice, against generateHashDevice", () => {
    for (let seed = 1; seed <= 10; seed++) {
      it.effect(`case ${seed}: the library's password and salt give the library's verifier and salt`, () =>
        Effect.gen(function* () {
          const c = makeCase(seed)
          const theirs = yield* libraryHashDevice(c.deviceGroupKey, c.deviceKey)
          const mine = yield* Srp.deviceVerifier({
            deviceGroupKey: c.deviceGroupKey,
            deviceKey: c.deviceKey,
            devicePassword: Redacted.make(theirs.password),
            salt: encoding.hexToBytes(theirs.salt)
          })
          // What the library puts in DeviceSecretVerifierConfig: base64 of its padded hex.
          assert.strictEqual(mine.passwordVerifier, base64OfHex(theirs.verifier))
          assert.strictEqual(mine.salt, base64OfHex(theirs.salt))
        })
      )
    }

    it.effect("hashes a salt with a leading zero byte without it, as the library's padHex does", () =>
      Effect.gen(function* () {
        const input = { deviceGroupKey: "-group", deviceKey: "eu-west-1_key", devicePassword: Redacted.make("pw") }
        const withZero = yield* Srp.deviceVerifier({ ...input, salt: Uint8Array.of(0, 0x12, 0x34) })
        const without = yield* Srp.deviceVerifier({ ...input, salt: Uint8Array.of(0x12, 0x34) })
        assert.deepStrictEqual(withZero, without)
        assert.strictEqual(withZero.salt, base64OfHex("1234"))
        const high = yield* Srp.deviceVerifier({ ...input, salt: Uint8Array.of(0x92, 0x34) })
        assert.strictEqual(high.salt, base64OfHex("009234"))
      })
    )

    it.effect("generateDeviceSecret draws a 40-byte password and a 16-byte salt from SecureRandom", () =>
      Effect.gen(function* () {
        const drawn: Array<number> = []
        const seeded = SecureRandom.makeSeeded(7)
        const random: SecureRandom.SecureRandom.Service = {
          nextBytes: (size) => Effect.tap(seeded.nextBytes(size), () => Effect.sync(() => drawn.push(size)))
        }
        const replay = SecureRandom.makeSeeded(7)
        const passwordBytes = yield* replay.nextBytes(40)
        const saltBytes = yield* replay.nextBytes(16)
        const secret = yield* Srp.generateDeviceSecret({ deviceGroupKey: "-g", deviceKey: "eu-west-1_k" }).pipe(
          Effect.provideService(SecureRandom.SecureRandom, random)
        )
        assert.deepStrictEqual(drawn, [40, 16])
        assert.strictEqual(Redacted.value(secret.devicePassword), encoding.toBase64(passwordBytes))
        const expected = yield* Srp.deviceVerifier({
          deviceGroupKey: "-g",
          deviceKey: "eu-west-1_k",
          devicePassword: secret.devicePassword,
          salt: saltBytes
        })
        assert.deepStrictEqual(secret.verifierConfig, expected)
        assert.notInclude(JSON.stringify(secret), Redacted.value(secret.devicePassword))
        assert.notInclude(String(secret.devicePassword), Redacted.value(secret.devicePassword))
      })
    )
  })

  describe("the answer to DEVICE_PASSWORD_VERIFIER, against the library's sign-in", () => {
    for (let seed = 1; seed <= 8; seed++) {
      it.effect(`case ${seed}: same SRP_A, TIMESTAMP and PASSWORD_CLAIM_SIGNATURE, with DEVICE_KEY at each step`, () =>
        Effect.gen(function* () {
          const c = makeCase(seed)
          const requests = yield* librarySignIn(c)
          const [, passwordVerifier, deviceSrp, deviceVerifier] = requests
          assert.strictEqual(passwordVerifier?.ChallengeResponses?.DEVICE_KEY, c.deviceKey)
          assert.strictEqual(deviceSrp?.ChallengeResponses?.DEVICE_KEY, c.deviceKey)
          assert.strictEqual(deviceSrp?.ChallengeResponses?.USERNAME, c.username)
          const theirs = deviceVerifier?.ChallengeResponses ?? {}
          const ephemeral = Srp.ephemeralFromSecret(c.a)
          const timestamp = Srp.formatTimestamp(c.date)
          const mine = yield* Srp.deviceClaim({
            deviceGroupKey: c.deviceGroupKey,
            deviceKey: c.deviceKey,
            devicePassword: Redacted.make(c.devicePassword),
            ephemeral,
            salt: c.salt,
            srpB: c.srpB,
            secretBlock: c.secretBlock,
            timestamp
          })
          assert.strictEqual(deviceSrp?.ChallengeResponses?.SRP_A, ephemeral.srpA)
          assert.strictEqual(theirs.TIMESTAMP, timestamp)
          assert.strictEqual(theirs.PASSWORD_CLAIM_SECRET_BLOCK, c.secretBlock)
          assert.strictEqual(theirs.DEVICE_KEY, c.deviceKey)
          assert.strictEqual(theirs.USERNAME, c.username)
          assert.strictEqual(mine.signature, theirs.PASSWORD_CLAIM_SIGNATURE)
        })
      )
    }

    it.effect("a claim over another device password differs (the password enters the signature)", () =>
      Effect.gen(function* () {
        const c = makeCase(5)
        const input = {
          deviceGroupKey: c.deviceGroupKey,
          deviceKey: c.deviceKey,
          ephemeral: Srp.ephemeralFromSecret(c.a),
          salt: c.salt,
          srpB: c.srpB,
          secretBlock: c.secretBlock,
          timestamp: Srp.formatTimestamp(c.date)
        }
        const right = yield* Srp.deviceClaim({ ...input, devicePassword: Redacted.make(c.devicePassword) })
        const wrong = yield* Srp.deviceClaim({ ...input, devicePassword: Redacted.make(`${c.devicePassword}x`) })
        assert.notStrictEqual(right.signature, wrong.signature)
      })
    )

    it.effect(
      "refuses a DEVICE_PASSWORD_VERIFIER whose SRP_B is zero modulo N, without the password in the error",
      () =>
        Effect.gen(function* () {
          const c = makeCase(6)
          const error = yield* Effect.flip(
            Srp.deviceClaim({
              deviceGroupKey: c.deviceGroupKey,
              deviceKey: c.deviceKey,
              devicePassword: Redacted.make(c.devicePassword),
              ephemeral: Srp.ephemeralFromSecret(c.a),
              salt: c.salt,
              srpB: Srp.N.toString(16),
              secretBlock: c.secretBlock,
              timestamp: Srp.formatTimestamp(c.date)
            })
          )
          assert.strictEqual(error.reason, "InvalidResponse")
          assert.notInclude(JSON.stringify(error), c.devicePassword)
          assert.notInclude(String(error), c.devicePassword)
        })
    )
  })
})
