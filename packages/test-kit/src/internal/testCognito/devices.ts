/**
 * Devices, on a pool that tracks them (`DeviceConfiguration`): the device a sign-in from an
 * unknown device makes (`NewDeviceMetadata`), the check of a `DEVICE_KEY` a client sends, a
 * device as Cognito describes it (`DeviceType`), pages of a user's devices, and the admin
 * actions on them. A device is the user's own: a key of another user's device is answered
 * as a key the pool does not know (`ResourceNotFoundException`), as Cognito does.
 *
 * @internal
 */
import type * as AuthError from "@effect-cognito/core/AuthError"
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as Effect from "effect/Effect"
import type * as TestCognito from "../../TestCognito.js"
import type { Device, State, User } from "./state.js"

/** Cognito's page size of ListDevices when `Limit` is absent (or 0), and its largest. */
const defaultLimit = 10
const maxLimit = 60

const groupKeyAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/** A device as `ListDevices` and `GetDevice` describe it. */
export const deviceType = (device: Device): IdentityProvider.Device => ({
  deviceKey: device.deviceKey,
  deviceAttributes: {
    ...(device.name === undefined ? {} : { device_name: device.name }),
    device_status: "valid",
    device_remembered_status: device.remembered ? "remembered" : "not_remembered"
  },
  deviceCreateDate: new Date(device.created),
  deviceLastModifiedDate: new Date(device.lastModified),
  deviceLastAuthenticatedDate: new Date(device.lastAuthenticated)
})

/** The device rules of one pool. */
export const make = (state: State) => {
  const { config, devices, deviceConfiguration, random, uuid, now, reject, findUser } = state

  const notFound = (action: string) => reject(action, "ResourceNotFoundException", "Device does not exist.")

  /** A confirmed device of this user, or `ResourceNotFoundException`. */
  const userDevice = (action: string, user: User, deviceKey: string): Effect.Effect<Device, AuthError.AuthError> => {
    const device = devices.get(deviceKey)
    return device === undefined || device.username !== user.username || device.secret === undefined
      ? notFound(action)
      : Effect.succeed(device)
  }

  /**
   * The device a sign-in names with `DEVICE_KEY`: none when it names none or the pool tracks
   * no device; a confirmed device of the user; otherwise `ResourceNotFoundException`, on
   * which clients drop the key and sign in again as a new device.
   */
  const knownDevice = (
    action: string,
    user: User,
    deviceKey: string | undefined
  ): Effect.Effect<Device | undefined, AuthError.AuthError> =>
    deviceConfiguration === undefined || deviceKey === undefined
      ? Effect.succeed(undefined)
      : userDevice(action, user, deviceKey)

  /** A device a sign-in made, not yet confirmed: `<region>_<uuid>` in a group of its own (`-` and 9 characters). */
  const newDevice = (user: User): Effect.Effect<Device> =>
    Effect.gen(function* () {
      const deviceKey = `${config.region}_${yield* uuid}`
      const bytes = yield* random.nextBytes(9)
      const deviceGroupKey = `-${Array.from(bytes, (b) => groupKeyAlphabet[b % groupKeyAlphabet.length]).join("")}`
      const at = yield* now
      const device: Device = {
        deviceKey,
        deviceGroupKey,
        username: user.username,
        secret: undefined,
        name: undefined,
        remembered: false,
        created: at,
        lastModified: at,
        lastAuthenticated: at
      }
      devices.set(deviceKey, device)
      return device
    })

  /**
   * The device a refresh runs on. A `DEVICE_KEY` must name a device of the user; a token
   * issued to a device that still exists needs that device's key ("Invalid Refresh Token"
   * without it, or with another), and one whose device was forgotten refreshes without.
   */
  const refreshDevice = (
    action: string,
    record: { readonly username: string; readonly deviceKey?: string | undefined },
    deviceKey: string | undefined
  ): Effect.Effect<Device | undefined, AuthError.AuthError> =>
    Effect.gen(function* () {
      if (deviceConfiguration === undefined) return undefined
      const given = deviceKey === undefined ? undefined : devices.get(deviceKey)
      if (deviceKey !== undefined && given?.username !== record.username) return yield* notFound(action)
      const bound = record.deviceKey === undefined ? undefined : devices.get(record.deviceKey)
      if (bound !== undefined && given !== bound)
        return yield* reject(action, "NotAuthorizedException", "Invalid Refresh Token")
      const device = bound ?? given
      if (device !== undefined) device.lastAuthenticated = yield* now
      return device
    })

  /** A page of the user's confirmed devices, oldest first; the token names the first device of the next page. */
  const page = (
    action: string,
    username: string,
    request: { readonly limit?: number | undefined; readonly paginationToken?: string | undefined }
  ) =>
    Effect.gen(function* () {
      const limit = request.limit ?? defaultLimit
      if (!Number.isInteger(limit) || limit < 0 || limit > maxLimit)
        return yield* reject(
          action,
          "InvalidParameterException",
          `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value ${limit < 0 ? "greater than or equal to 0" : `less than or equal to ${maxLimit}`}`
        )
      const size = limit === 0 ? defaultLimit : limit
      const all = Array.from(devices.values()).filter((d) => d.username === username && d.secret !== undefined)
      const start =
        request.paginationToken === undefined ? 0 : all.findIndex((d) => d.deviceKey === request.paginationToken)
      if (start === -1) return yield* reject(action, "InvalidParameterException", "Invalid pagination token.")
      const next = all[start + size]
      return {
        devices: all.slice(start, start + size).map(deviceType),
        ...(next === undefined ? {} : { paginationToken: next.deviceKey })
      }
    })

  /** Remembers a confirmed device or stops remembering it. */
  const setStatus = (device: Device, status: IdentityProvider.DeviceRememberedStatus) =>
    Effect.map(now, (at) => {
      device.remembered = status === "remembered"
      device.lastModified = at
    })

  /** Drops every device of a user (the user was deleted). */
  const dropDevicesOf = (username: string) => {
    for (const [key, device] of devices) if (device.username === username) devices.delete(key)
  }

  const adminDevice = (action: string, username: string, deviceKey: string) =>
    Effect.flatMap(findUser(action, username), (user) => userDevice(action, user, deviceKey))

  const admin: Pick<
    TestCognito.TestCognito.Service,
    "adminListDevices" | "adminGetDevice" | "adminUpdateDeviceStatus" | "adminForgetDevice"
  > = {
    adminListDevices: (username, options = {}) =>
      Effect.flatMap(findUser("AdminListDevices", username), (user) =>
        page("AdminListDevices", user.username, options)
      ),
    adminGetDevice: (username, deviceKey) => Effect.map(adminDevice("AdminGetDevice", username, deviceKey), deviceType),
    adminUpdateDeviceStatus: (username, deviceKey, status) =>
      Effect.flatMap(adminDevice("AdminUpdateDeviceStatus", username, deviceKey), (device) =>
        setStatus(device, status)
      ),
    adminForgetDevice: (username, deviceKey) =>
      Effect.map(adminDevice("AdminForgetDevice", username, deviceKey), (device) => {
        devices.delete(device.deviceKey)
      })
  }

  return { userDevice, knownDevice, newDevice, refreshDevice, page, setStatus, dropDevicesOf, admin }
}

/** The device rules of a pool. */
export type Devices = ReturnType<typeof make>
