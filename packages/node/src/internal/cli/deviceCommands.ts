/**
 * The signed-in user's devices, on a user pool that tracks them: the list (this one
 * marked), remembering this device so the next sign-in here skips MFA, forgetting this one
 * or another.
 *
 * @internal
 */
import type * as Auth from "@effect-cognito/core/Auth"
import * as Command from "effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { printable } from "./console.js"
import { json, optionalText, withAuth } from "./shared.js"

/** Cognito's largest page of `ListDevices`. */
const pageSize = 60

/** Every device of the user, page after page. */
const allDevices = (auth: Auth.Auth.Service) =>
  Effect.gen(function* () {
    const devices: Array<Auth.Device> = []
    let paginationToken: string | undefined
    do {
      const page = yield* auth.fetchDevices({ limit: pageSize, paginationToken })
      devices.push(...page.devices)
      paginationToken = page.nextToken
    } while (paginationToken !== undefined)
    return devices
  })

/** This client's device key, when it keeps one the pool knows; `undefined` otherwise. */
const thisDeviceKey = (auth: Auth.Auth.Service) =>
  auth.getDevice().pipe(
    Effect.map((device): string | undefined => device.key),
    Effect.catchIf(
      (error) => error.reason === "ResourceNotFound",
      () => Effect.succeed(undefined)
    )
  )

const remembered = (device: Auth.Device) =>
  device.rememberedStatus === "remembered"
    ? "remembered"
    : device.rememberedStatus === "not_remembered"
      ? "not remembered"
      : "unknown"

/** One device as a line: key, remembered or not, last used, name; what the pool holds escaped. */
export const deviceLine = (device: Auth.Device, current: boolean): string =>
  [
    printable(device.key),
    remembered(device).padEnd(14),
    `last used ${device.lastAuthenticatedAt?.toISOString() ?? "never"}`,
    printable(device.name ?? "(no name)"),
    ...(current ? ["(this device)"] : [])
  ].join("  ")

/** The `devices` command. */
export const devices = Command.make("devices", { json }, (c) =>
  withAuth((auth, io) =>
    Effect.gen(function* () {
      const all = yield* io.spin("Listing the devices", allDevices(auth))
      const current = all.length === 0 ? undefined : yield* io.spin("Reading this device", thisDeviceKey(auth))
      if (c.json)
        return yield* io.out(
          JSON.stringify(
            all.map((device) => ({
              key: device.key,
              name: device.name ?? null,
              rememberedStatus: device.rememberedStatus ?? null,
              lastAuthenticatedAt: device.lastAuthenticatedAt?.toISOString() ?? null,
              createdAt: device.createdAt?.toISOString() ?? null,
              thisDevice: device.key === current
            })),
            null,
            2
          )
        )
      if (all.length === 0) return yield* io.out("no devices")
      for (const device of all) yield* io.out(deviceLine(device, device.key === current))
    })
  )
).pipe(
  Command.withDescription(
    "The signed-in user's devices (on a user pool that tracks devices): key, remembered or not, last used, name"
  ),
  Command.withShortDescription("List the signed-in user's devices")
)

/** The `remember-device` command. */
export const rememberDevice = Command.make("remember-device", {}, () =>
  withAuth((auth, io) =>
    Effect.gen(function* () {
      yield* io.spin("Remembering this device", auth.rememberDevice())
      yield* io.out("this device is remembered: the next sign-in here skips MFA")
    })
  )
).pipe(
  Command.withDescription("Remember this device, so the next sign-in here skips MFA (UpdateDeviceStatus)"),
  Command.withShortDescription("Remember this device: the next sign-in here skips MFA")
)

/** The `forget-device` command. */
export const forgetDevice = Command.make(
  "forget-device",
  {
    deviceKey: optionalText("device-key", "Another device of the user, by its key (see `effect-cognito devices`)")
  },
  (c) =>
    withAuth((auth, io) =>
      Effect.gen(function* () {
        const deviceKey = Option.getOrUndefined(c.deviceKey)
        yield* io.spin("Forgetting the device", auth.forgetDevice({ deviceKey }))
        yield* io.out(
          deviceKey === undefined
            ? "forgot this device: the next sign-in here is a new device (MFA is asked again)"
            : `forgot device ${printable(deviceKey)}`
        )
      })
    )
).pipe(
  Command.withDescription(
    "Forget this device (or another one with --device-key): a forgotten device no longer skips MFA (ForgetDevice)"
  ),
  Command.withShortDescription("Forget this device or another one")
)
