/**
 * This client's device on a pool that tracks devices, as amazon-cognito-identity-js and
 * Amplify keep it: a sign-in that brings `NewDeviceMetadata` confirms the device (a random
 * device password, a salt and their SRP verifier, `ConfirmDevice`) and stores it beside the
 * session, one per user; later sign-ins send its key as `DEVICE_KEY` and answer
 * `DEVICE_SRP_AUTH` / `DEVICE_PASSWORD_VERIFIER` with its password, so a remembered device
 * skips MFA with no step the app sees; refreshes send the key the refresh token is bound to.
 *
 * Nothing here fails a sign-in on the device's account: a store that cannot be read offers
 * no device, one that cannot be written is logged, a failed `ConfirmDevice` is logged and the
 * next sign-in goes as a new device (Cognito sends new metadata to a sign-in without a
 * confirmed `DEVICE_KEY`). A device the pool no longer knows is refused with
 * `ResourceNotFoundException` ("Device does not exist."); the caller drops it and goes on
 * as a new device ({@link DeviceRefused}).
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Auth from "../Auth.js"
import * as AuthError from "../AuthError.js"
import type * as IdentityProvider from "../IdentityProvider.js"
import type * as SecureRandom from "../SecureRandom.js"
import * as Srp from "../Srp.js"
import * as SrpMath from "../SrpMath.js"
import * as TokenStore from "../TokenStore.js"
import * as Challenge from "./challenge.js"
import type * as ClientAuth from "./clientAuth.js"
import * as tags from "./tags.js"

type Response = IdentityProvider.AuthResponse
type ChallengeResponse = Extract<Response, { readonly _tag: "Challenge" }>

/**
 * The pool refused this client's device during a sign-in: it does not know the key any more
 * (forgotten, or never confirmed), or the device password does not match. The device is
 * dropped by then; a sign-in that still has the password starts over as a new device.
 */
export class DeviceRefused extends Data.TaggedError("DeviceRefused")<{ readonly error: AuthError.AuthError }> {}

/** Whether a failure says the pool does not know the `DEVICE_KEY` sent: `ResourceNotFoundException` "Device does not exist.". */
export const isUnknownDevice = (error: AuthError.AuthError): boolean =>
  error.reason === "ResourceNotFound" && (error.description === undefined || /device/i.test(error.description))

/** The default `DeviceName`, when the platform's is empty. */
export const defaultDeviceName = "effect-cognito"

/** A device name as Cognito takes it: control characters out, trimmed, at most 1024 characters, never empty. */
export const deviceNameOf = (name: string): string => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const cleaned = Array.from(name.replace(/[\u0000-\u001f\u007f]/g, " ").trim())
    .slice(0, 1024)
    .join("")
  return cleaned === "" ? defaultDeviceName : cleaned
}

const rememberedStatuses: ReadonlySet<string> = new Set<IdentityProvider.DeviceRememberedStatus>([
  "remembered",
  "not_remembered"
])

/** The app's model of a device Cognito tracks. */
export const toDevice = (device: IdentityProvider.Device): Auth.Device => {
  const attributes = device.deviceAttributes
  const status = attributes.device_remembered_status
  return {
    key: device.deviceKey,
    name: attributes.device_name,
    rememberedStatus:
      status !== undefined && rememberedStatuses.has(status)
        ? (status as IdentityProvider.DeviceRememberedStatus)
        : undefined,
    lastAuthenticatedAt: device.deviceLastAuthenticatedDate,
    createdAt: device.deviceCreateDate,
    lastModifiedAt: device.deviceLastModifiedDate,
    attributes
  }
}

/** What the device needs. */
export interface Options {
  readonly client: ClientAuth.Client
  readonly store: TokenStore.TokenStore.Service
  readonly random: SecureRandom.SecureRandom.Service
  readonly srpMath: SrpMath.SrpMath.Service
  /** The `DeviceName` a new device is confirmed with. */
  readonly deviceName: string
}

/** This client's devices, one per user, in the store. */
export interface Devices {
  /** The user's device, confirmed or not; `undefined` when there is none or the store cannot be read (logged). */
  readonly stored: (username: string) => Effect.Effect<TokenStore.StoredDevice | undefined>
  /** The user's confirmed device, the one a sign-in offers as `DEVICE_KEY`. */
  readonly offered: (username: string) => Effect.Effect<TokenStore.StoredDevice | undefined>
  /** Drops the user's device from the store; a store that fails is logged. */
  readonly drop: (username: string, why: string) => Effect.Effect<void>
  /**
   * Confirms the new device of a sign-in's tokens (`NewDeviceMetadata`) and stores it; never
   * fails. A failed `ConfirmDevice` is logged and the device stored unconfirmed: refreshes
   * send its key (the refresh token is bound to it), the next sign-in goes as a new device.
   */
  readonly confirm: (username: string, tokens: IdentityProvider.AuthenticationResult) => Effect.Effect<void>
  /**
   * Answers `DEVICE_SRP_AUTH` (and the `DEVICE_PASSWORD_VERIFIER` that follows) with the
   * user's device and returns what Cognito answers to the claim. A device the pool does not
   * know, or whose password it refuses, is dropped and reported as {@link DeviceRefused}.
   */
  readonly answer: (
    challenge: ChallengeResponse,
    username: string,
    clientMetadata: Readonly<Record<string, string>> | undefined
  ) => Effect.Effect<Response, AuthError.AuthError | DeviceRefused>
}

const invalidResponse = (description: string) => Effect.fail(AuthError.make("InvalidResponse", "signIn", description))

export const make = (options: Options): Devices => {
  const { client, store } = options
  const deviceName = deviceNameOf(options.deviceName)

  const stored: Devices["stored"] = (username) =>
    store.loadDevice(username).pipe(
      Effect.map(Option.getOrUndefined),
      Effect.catch((error) =>
        Effect.logWarning("effect-cognito: reading this device from the store failed; going on without it").pipe(
          Effect.annotateLogs({ reason: error.reason }),
          Effect.as(undefined)
        )
      )
    )

  const offered: Devices["offered"] = (username) =>
    Effect.map(stored(username), (device) => (device?.confirmed === true ? device : undefined))

  const drop: Devices["drop"] = (username, why) =>
    Effect.logInfo(`effect-cognito: dropping this device: ${why}`).pipe(
      Effect.andThen(store.clearDevice(username)),
      Effect.catch((error) =>
        Effect.logWarning("effect-cognito: removing this device from the store failed").pipe(
          Effect.annotateLogs({ reason: error.reason })
        )
      )
    )

  const save = (device: TokenStore.StoredDevice) =>
    Effect.catch(store.saveDevice(device), (error) =>
      Effect.logWarning("effect-cognito: storing this device failed; the next sign-in goes as a new device").pipe(
        Effect.annotateLogs({ reason: error.reason })
      )
    )

  const confirm: Devices["confirm"] = (username, tokens) =>
    Effect.gen(function* () {
      const metadata = tokens.newDeviceMetadata
      if (metadata === undefined) return
      const secret = yield* Srp.generateDeviceSecret(metadata).pipe(
        Effect.provideService(tags.secureRandom, options.random),
        Effect.provideService(SrpMath.SrpMath, options.srpMath)
      )
      const confirmed = yield* client
        .confirmDevice({
          accessToken: tokens.accessToken,
          deviceKey: metadata.deviceKey,
          deviceSecretVerifierConfig: secret.verifierConfig,
          deviceName
        })
        .pipe(
          Effect.tap((result) =>
            Effect.logDebug("effect-cognito: confirmed this device").pipe(
              Effect.annotateLogs({ userConfirmationNecessary: result.userConfirmationNecessary })
            )
          ),
          Effect.as(true),
          Effect.catch((error) =>
            Effect.logWarning(
              "effect-cognito: confirming this device failed; the sign-in goes on and the next one tries again"
            ).pipe(Effect.annotateLogs({ reason: error.reason, exception: error.exception ?? "" }), Effect.as(false))
          )
        )
      yield* save(
        new TokenStore.StoredDevice({
          username,
          deviceKey: metadata.deviceKey,
          deviceGroupKey: metadata.deviceGroupKey,
          devicePassword: secret.devicePassword,
          confirmed
        })
      )
    })

  /** Drops the device and reports the refusal, for the failures that say the device is no good. */
  const refusedWhen =
    (username: string, refused: (error: AuthError.AuthError) => boolean, why: string) =>
    <A>(effect: Effect.Effect<A, AuthError.AuthError>) =>
      Effect.catchIf(effect, refused, (error) =>
        Effect.andThen(drop(username, why), Effect.fail(new DeviceRefused({ error })))
      )

  const answer: Devices["answer"] = (challenge, username, clientMetadata) =>
    Effect.gen(function* () {
      const user = Challenge.challengeUsername(challenge.parameters, username)
      const device = yield* offered(user)
      if (device === undefined)
        return yield* invalidResponse("Cognito asked for DEVICE_SRP_AUTH, but no confirmed device is stored here")
      const ephemeral = yield* Srp.generateEphemeral.pipe(
        Effect.provideService(tags.secureRandom, options.random),
        Effect.provideService(SrpMath.SrpMath, options.srpMath)
      )
      const verifier = yield* client
        .respondToAuthChallenge({
          challengeName: "DEVICE_SRP_AUTH",
          username: user,
          session: challenge.session,
          challengeResponses: { DEVICE_KEY: Redacted.make(device.deviceKey), SRP_A: Redacted.make(ephemeral.srpA) },
          clientMetadata
        })
        .pipe(refusedWhen(user, isUnknownDevice, "the user pool does not know it"))
      if (verifier._tag !== "Challenge" || verifier.challengeName !== "DEVICE_PASSWORD_VERIFIER")
        return yield* invalidResponse(
          `DEVICE_SRP_AUTH was answered with ${
            verifier._tag === "Challenge" ? verifier.challengeName : "tokens"
          }, not DEVICE_PASSWORD_VERIFIER`
        )
      const { SRP_B, SALT, SECRET_BLOCK } = verifier.parameters
      if (SRP_B === undefined || SALT === undefined || SECRET_BLOCK === undefined)
        return yield* invalidResponse("DEVICE_PASSWORD_VERIFIER lacks one of SRP_B, SALT, SECRET_BLOCK")
      const timestamp = Srp.formatTimestamp(new Date(yield* Clock.currentTimeMillis))
      const claim = yield* Srp.deviceClaim({
        deviceGroupKey: device.deviceGroupKey,
        deviceKey: device.deviceKey,
        devicePassword: device.devicePassword,
        ephemeral,
        salt: SALT,
        srpB: SRP_B,
        secretBlock: SECRET_BLOCK,
        timestamp
      }).pipe(Effect.provideService(SrpMath.SrpMath, options.srpMath))
      return yield* client
        .respondToAuthChallenge({
          challengeName: "DEVICE_PASSWORD_VERIFIER",
          username: Challenge.challengeUsername(verifier.parameters, user),
          session: verifier.session,
          challengeResponses: {
            DEVICE_KEY: Redacted.make(device.deviceKey),
            PASSWORD_CLAIM_SECRET_BLOCK: Redacted.make(SECRET_BLOCK),
            TIMESTAMP: Redacted.make(timestamp),
            PASSWORD_CLAIM_SIGNATURE: Redacted.make(claim.signature)
          },
          clientMetadata
        })
        .pipe(
          refusedWhen(
            user,
            (error) => isUnknownDevice(error) || error.reason === "NotAuthorized",
            "the user pool refused its device password or does not know it"
          )
        )
    })

  return { stored, offered, drop, confirm, answer }
}
