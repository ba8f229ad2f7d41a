/**
 * The client side of devices and sign-in for tests that drive TestCognito's
 * `IdentityProvider` directly: the device verifier ConfirmDevice sends (the math of
 * amazon-cognito-identity-js's `generateHashDevice`, over core's public `Srp` and Web
 * Crypto, apart from the server's code), USER_SRP_AUTH and USER_PASSWORD_AUTH with a
 * `DEVICE_KEY`, and answers to DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER.
 */
import type * as AuthConfig from "@effect-cognito/core/AuthConfig"
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as Srp from "@effect-cognito/core/Srp"
import { assert } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

/** A device as a client keeps it: its keys and the random password only it knows. */
export interface DeviceSecret {
  readonly deviceKey: string
  readonly deviceGroupKey: string
  readonly devicePassword: Redacted.Redacted<string>
}

const encoder = new TextEncoder()

const hexToBytes = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16))
const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")
const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes))
const sha256 = (bytes: Uint8Array<ArrayBuffer>) =>
  Effect.promise(async () => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)))

/**
 * ConfirmDevice's `DeviceSecretVerifierConfig`: salt = padHex of 16 bytes, x = H(salt |
 * H(deviceGroupKey | deviceKey | ":" | password)), verifier = g^x mod N, both sent as base64
 * of their padded hex.
 */
export const verifierConfig = (
  device: DeviceSecret,
  saltBytes: Uint8Array = Uint8Array.from({ length: 16 }, (_, i) => 0x90 + i)
) =>
  Effect.gen(function* () {
    const salt = Srp.padHex(BigInt(`0x${toHex(saltBytes)}`))
    const inner = yield* sha256(
      encoder.encode(`${device.deviceGroupKey}${device.deviceKey}:${Redacted.value(device.devicePassword)}`)
    )
    const x = BigInt(`0x${toHex(yield* sha256(Uint8Array.from([...hexToBytes(salt), ...inner])))}`)
    const verifier = Srp.modPow(Srp.g, x, Srp.N)
    return {
      passwordVerifier: toBase64(hexToBytes(Srp.padHex(verifier))),
      salt: toBase64(hexToBytes(salt))
    } satisfies IdentityProvider.DeviceSecretVerifierConfig
  })

const timestamp = "Tue Nov 3 07:05:09 UTC 2026"

const secret = (value: string) => Redacted.make(value)

/** A response that must be a challenge of this name; returns it. */
export const expectChallenge = (response: IdentityProvider.AuthResponse, name: IdentityProvider.ChallengeName) => {
  if (response._tag !== "Challenge") return assert.fail(`expected ${name}, got tokens`)
  assert.strictEqual(response.challengeName, name)
  return response
}

/** A response that must be tokens; returns them. */
export const expectTokens = (response: IdentityProvider.AuthResponse) => {
  if (response._tag !== "Authenticated") return assert.fail(`expected tokens, got ${response.challengeName}`)
  return response.tokens
}

/** Who signs in with USER_SRP_AUTH: the user, the password and, where the sign-in names one, a device key. */
export interface SrpInput {
  readonly username: string
  readonly password: Redacted.Redacted<string>
  readonly deviceKey?: string | undefined
}

/**
 * USER_SRP_AUTH started (`deviceKey`, if any, sent with InitiateAuth), and its
 * PASSWORD_VERIFIER answer computed with the password (core's client math): `answer` sends
 * it with or without a `DEVICE_KEY`, as amazon-cognito-identity-js does (it sends the key
 * first there, and answers the same challenge again without it when told the device does
 * not exist).
 */
export const srpStart = (
  provider: IdentityProvider.IdentityProvider.Service,
  config: AuthConfig.Validated,
  input: SrpInput
) =>
  Effect.gen(function* () {
    const ephemeral = yield* Srp.generateEphemeral
    const started = expectChallenge(
      yield* provider.initiateAuth({
        authFlow: "USER_SRP_AUTH",
        username: input.username,
        srpA: ephemeral.srpA,
        ...(input.deviceKey === undefined ? {} : { deviceKey: input.deviceKey })
      }),
      "PASSWORD_VERIFIER"
    )
    const parameters = started.parameters
    const { signature } = yield* Srp.passwordClaim({
      poolName: config.poolName,
      userIdForSrp: parameters.USER_ID_FOR_SRP!,
      password: input.password,
      ephemeral,
      salt: parameters.SALT!,
      srpB: parameters.SRP_B!,
      secretBlock: parameters.SECRET_BLOCK!,
      timestamp
    })
    const answer = (deviceKey: string | undefined) =>
      provider.respondToAuthChallenge({
        challengeName: "PASSWORD_VERIFIER",
        challengeResponses: {
          USERNAME: secret(parameters.USER_ID_FOR_SRP!),
          PASSWORD_CLAIM_SECRET_BLOCK: secret(parameters.SECRET_BLOCK!),
          PASSWORD_CLAIM_SIGNATURE: secret(signature),
          TIMESTAMP: secret(timestamp),
          ...(deviceKey === undefined ? {} : { DEVICE_KEY: secret(deviceKey) })
        }
      })
    return { answer }
  }).pipe(Effect.provide(SecureRandom.layerSeeded(11)))

/** USER_SRP_AUTH with the password, `DEVICE_KEY` (if any) sent with the PASSWORD_VERIFIER answer. */
export const srpSignIn = (
  provider: IdentityProvider.IdentityProvider.Service,
  config: AuthConfig.Validated,
  input: SrpInput
) =>
  Effect.flatMap(srpStart(provider, config, { username: input.username, password: input.password }), ({ answer }) =>
    answer(input.deviceKey)
  )

/**
 * Answers DEVICE_SRP_AUTH and then DEVICE_PASSWORD_VERIFIER with the device's password:
 * the user-SRP claim with the device group key as the pool and the device key as the user.
 * Returns the final answer and the DEVICE_PASSWORD_VERIFIER challenge's parameters.
 */
export const deviceSrp = (
  provider: IdentityProvider.IdentityProvider.Service,
  challenge: IdentityProvider.AuthResponse,
  username: string,
  device: DeviceSecret,
  devicePassword: Redacted.Redacted<string> = device.devicePassword
) =>
  Effect.gen(function* () {
    const srpAuth = expectChallenge(challenge, "DEVICE_SRP_AUTH")
    const ephemeral = yield* Srp.generateEphemeral
    const verifier = expectChallenge(
      yield* provider.respondToAuthChallenge({
        challengeName: "DEVICE_SRP_AUTH",
        session: srpAuth.session,
        challengeResponses: {
          USERNAME: secret(username),
          DEVICE_KEY: secret(device.deviceKey),
          SRP_A: secret(ephemeral.srpA)
        }
      }),
      "DEVICE_PASSWORD_VERIFIER"
    )
    const parameters = verifier.parameters
    const { signature } = yield* Srp.passwordClaim({
      poolName: device.deviceGroupKey,
      userIdForSrp: device.deviceKey,
      password: devicePassword,
      ephemeral,
      salt: parameters.SALT!,
      srpB: parameters.SRP_B!,
      secretBlock: parameters.SECRET_BLOCK!,
      timestamp
    })
    const response = yield* provider.respondToAuthChallenge({
      challengeName: "DEVICE_PASSWORD_VERIFIER",
      session: verifier.session,
      challengeResponses: {
        USERNAME: secret(parameters.USERNAME!),
        DEVICE_KEY: secret(device.deviceKey),
        PASSWORD_CLAIM_SECRET_BLOCK: secret(parameters.SECRET_BLOCK!),
        PASSWORD_CLAIM_SIGNATURE: secret(signature),
        TIMESTAMP: secret(timestamp)
      }
    })
    return { response, parameters }
  }).pipe(Effect.provide(SecureRandom.layerSeeded(13)))
