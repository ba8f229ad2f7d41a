/**
 * The device actions of a signed-in user: ConfirmDevice (the SRP verifier of a device a
 * sign-in made), ListDevices, GetDevice, UpdateDeviceStatus and ForgetDevice. A device
 * shows once it is confirmed; with `DeviceOnlyRememberedOnUserPrompt` it is remembered
 * only after UpdateDeviceStatus, otherwise at once. The verifier is kept like a password's:
 * never in a message or a log.
 *
 * @internal
 */
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as Effect from "effect/Effect"
import * as SrpServer from "../srpServer.js"
import { type Devices, deviceType } from "./devices.js"
import type { Secret, State } from "./state.js"
import type { Tokens } from "./tokens.js"

type DeviceActions = "confirmDevice" | "listDevices" | "getDevice" | "updateDeviceStatus" | "forgetDevice"

/** Cognito's bounds of a `DeviceName`. */
const maxDeviceName = 1024

/** The device actions of one pool. */
export const make = (
  state: State,
  devices: Devices,
  tokens: Tokens
): Pick<IdentityProvider.IdentityProvider.Service, DeviceActions> => {
  const { serve, reject, now, deviceConfiguration } = state
  const { validAccessToken } = tokens
  const { userDevice, page, setStatus } = devices

  /** The signed-in user and one of their confirmed devices. */
  const ownDevice = (action: string, request: { readonly accessToken: Secret; readonly deviceKey: string }) =>
    Effect.flatMap(validAccessToken(action, request.accessToken), (user) => userDevice(action, user, request.deviceKey))

  return {
    confirmDevice: (request) =>
      serve("ConfirmDevice")(
        Effect.gen(function* () {
          const action = "ConfirmDevice"
          const user = yield* validAccessToken(action, request.accessToken)
          const device = state.devices.get(request.deviceKey)
          if (deviceConfiguration === undefined || device === undefined || device.username !== user.username)
            return yield* reject(action, "ResourceNotFoundException", "Device does not exist.")
          const name = request.deviceName
          if (name !== undefined && (name.length === 0 || name.length > maxDeviceName))
            return yield* reject(
              action,
              "InvalidParameterException",
              `1 validation error detected: Value at 'deviceName' failed to satisfy constraint: Member must have length between 1 and ${maxDeviceName}`
            )
          const secret = SrpServer.deviceVerifier(request.deviceSecretVerifierConfig)
          if (secret === undefined)
            return yield* reject(
              action,
              "InvalidParameterException",
              "DeviceSecretVerifierConfig is invalid: PasswordVerifier and Salt must be base64 of an SRP verifier and its salt"
            )
          // Confirmed again (a client retrying a confirmation it did not see succeed): the new verifier wins.
          device.secret = secret
          device.name = name
          device.remembered = !deviceConfiguration.deviceOnlyRememberedOnUserPrompt
          device.lastModified = yield* now
          return { userConfirmationNecessary: deviceConfiguration.deviceOnlyRememberedOnUserPrompt }
        })
      ),
    listDevices: (request) =>
      serve("ListDevices")(
        Effect.flatMap(validAccessToken("ListDevices", request.accessToken), (user) =>
          page("ListDevices", user.username, request)
        )
      ),
    getDevice: (request) => serve("GetDevice")(Effect.map(ownDevice("GetDevice", request), deviceType)),
    updateDeviceStatus: (request) =>
      serve("UpdateDeviceStatus")(
        Effect.flatMap(ownDevice("UpdateDeviceStatus", request), (device) =>
          setStatus(device, request.deviceRememberedStatus)
        )
      ),
    forgetDevice: (request) =>
      serve("ForgetDevice")(
        Effect.map(ownDevice("ForgetDevice", request), (device) => {
          state.devices.delete(device.deviceKey)
        })
      )
  }
}
