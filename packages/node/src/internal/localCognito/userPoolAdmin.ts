/**
 * The user-pool admin actions of the local Cognito: AdminCreateUser, AdminGetUser,
 * ListUsers (with its filter and pages), MFA preferences, passwords, sign-out, disable,
 * delete, and a user's devices (AdminListDevices, AdminGetDevice, AdminUpdateDeviceStatus,
 * AdminForgetDevice).
 *
 * @internal
 */
import type * as TestCognito from "@effect-cognito/test-kit/TestCognito"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { AttributeList, attributeList, attributes, decode, invalidParameter, MfaSettings, optional } from "./wire.js"
import { devicePage, deviceType } from "./wireResponses.js"
import * as State from "./registryState.js"
import { seconds } from "./registryState.js"

const UserRef = Schema.Struct({ UserPoolId: Schema.String, Username: Schema.String })

const AdminCreateUser = Schema.Struct({
  UserPoolId: Schema.String,
  Username: Schema.String,
  TemporaryPassword: optional(Schema.RedactedFromValue(Schema.String)),
  UserAttributes: optional(AttributeList),
  MessageAction: optional(Schema.Literals(["RESEND", "SUPPRESS"])),
  DesiredDeliveryMediums: optional(Schema.Array(Schema.Literals(["EMAIL", "SMS"])))
})

const AdminSetUserPassword = Schema.Struct({
  UserPoolId: Schema.String,
  Username: Schema.String,
  Password: Schema.RedactedFromValue(Schema.String),
  Permanent: optional(Schema.Boolean)
})

const ListUsers = Schema.Struct({
  UserPoolId: Schema.String,
  AttributesToGet: optional(Schema.Array(Schema.String)),
  Limit: optional(Schema.Number),
  PaginationToken: optional(Schema.String),
  Filter: optional(Schema.String)
})

const AdminListDevices = Schema.Struct({
  UserPoolId: Schema.String,
  Username: Schema.String,
  Limit: optional(Schema.Number),
  PaginationToken: optional(Schema.String)
})

const DeviceRef = Schema.Struct({ UserPoolId: Schema.String, Username: Schema.String, DeviceKey: Schema.String })

const AdminUpdateDeviceStatus = Schema.Struct({
  UserPoolId: Schema.String,
  Username: Schema.String,
  DeviceKey: Schema.String,
  DeviceRememberedStatus: Schema.Literals(["remembered", "not_remembered"])
})

const AdminSetUserMFAPreference = Schema.Struct({
  UserPoolId: Schema.String,
  Username: Schema.String,
  SMSMfaSettings: optional(MfaSettings),
  SoftwareTokenMfaSettings: optional(MfaSettings),
  EmailMfaSettings: optional(MfaSettings)
})

/** `Filter` of ListUsers: `name = "value"` (exact) or `name ^= "value"` (prefix). */
const filterPattern = /^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/

/** The value ListUsers filters on for a name: the username, the status, or an attribute. */
const filterValue = (user: TestCognito.UserView, name: string): string | undefined =>
  name === "username"
    ? user.username
    : name === "cognito:user_status"
      ? user.status
      : name === "status"
        ? user.enabled
          ? "Enabled"
          : "Disabled"
        : user.attributes[name]

/** The admin actions over a registry state. */
export const make = (state: State.State) => {
  const findPool = (action: string, id: string) => State.findPool(state, action, id)

  /** The pool and user of an admin action. */
  const user =
    <S extends Schema.ConstraintDecoder<{ readonly UserPoolId: string; readonly Username: string }>>(
      action: string,
      schema: S
    ) =>
    (body: unknown) =>
      Effect.flatMap(decode(action, schema)(body), (request) =>
        Effect.map(findPool(action, request.UserPoolId), (pool) => ({ request, pool, cognito: pool.cognito }))
      )

  /** A user as Cognito's admin actions describe it; the dates are the pool's, kept from creation and each change. */
  const userType = (
    username: string,
    user: {
      readonly status: string
      readonly enabled: boolean
      readonly attributes: Readonly<Record<string, string>>
      readonly created: number
      readonly lastModified: number
    }
  ) => ({
    Username: username,
    Attributes: attributeList(user.attributes),
    UserCreateDate: seconds(user.created),
    UserLastModifiedDate: seconds(user.lastModified),
    Enabled: user.enabled,
    UserStatus: user.status
  })

  const adminCreateUser = (body: unknown) =>
    Effect.gen(function* () {
      const action = "AdminCreateUser"
      const { request, cognito } = yield* user(action, AdminCreateUser)(body)
      // Without TemporaryPassword the pool generates one; the invitation carries it to the outbox.
      // RESEND: a new temporary password for a user who has not set one, and the invitation again.
      yield* cognito.adminCreateUser({
        username: request.Username,
        temporaryPassword: request.TemporaryPassword,
        userAttributes: attributes(request.UserAttributes),
        messageAction: request.MessageAction,
        desiredDeliveryMediums: request.DesiredDeliveryMediums
      })
      const created = yield* cognito.adminGetUser(request.Username)
      return { User: userType(request.Username, created) }
    })

  const adminGetUser = (body: unknown) =>
    Effect.gen(function* () {
      const { request, cognito } = yield* user("AdminGetUser", UserRef)(body)
      const found = yield* cognito.adminGetUser(request.Username)
      const { Attributes, ...rest } = userType(request.Username, found)
      return { ...rest, UserAttributes: Attributes }
    })

  const adminSetUserMFAPreference = (body: unknown) =>
    Effect.gen(function* () {
      const { request, cognito } = yield* user("AdminSetUserMFAPreference", AdminSetUserMFAPreference)(body)
      const preferred =
        request.SMSMfaSettings?.PreferredMfa === true
          ? "SMS"
          : request.SoftwareTokenMfaSettings?.PreferredMfa === true
            ? "TOTP"
            : request.EmailMfaSettings?.PreferredMfa === true
              ? "EMAIL"
              : undefined
      yield* cognito.adminSetUserMfa(request.Username, {
        ...(request.SMSMfaSettings?.Enabled === undefined ? {} : { sms: request.SMSMfaSettings.Enabled }),
        ...(request.SoftwareTokenMfaSettings?.Enabled === undefined
          ? {}
          : { totp: request.SoftwareTokenMfaSettings.Enabled }),
        ...(request.EmailMfaSettings?.Enabled === undefined ? {} : { email: request.EmailMfaSettings.Enabled }),
        ...(preferred === undefined ? {} : { preferred })
      })
      return {}
    })

  const adminConfirmSignUp = (body: unknown) =>
    Effect.flatMap(user("AdminConfirmSignUp", UserRef)(body), ({ cognito, request }) =>
      Effect.as(cognito.adminConfirmSignUp(request.Username), {})
    )

  const adminSetUserPassword = (body: unknown) =>
    Effect.flatMap(user("AdminSetUserPassword", AdminSetUserPassword)(body), ({ cognito, request }) =>
      Effect.as(
        cognito.adminSetUserPassword(request.Username, request.Password, { permanent: request.Permanent ?? false }),
        {}
      )
    )

  const adminUserGlobalSignOut = (body: unknown) =>
    Effect.flatMap(user("AdminUserGlobalSignOut", UserRef)(body), ({ cognito, request }) =>
      Effect.as(cognito.adminUserGlobalSignOut(request.Username), {})
    )

  const listUsers = (body: unknown) =>
    Effect.gen(function* () {
      const action = "ListUsers"
      const request = yield* decode(action, ListUsers)(body)
      const pool = yield* findPool(action, request.UserPoolId)
      const limit = request.Limit ?? 60
      if (!Number.isInteger(limit) || limit < 1 || limit > 60)
        return yield* invalidParameter(action, "Limit must be an integer from 1 to 60.")
      let users = yield* pool.cognito.listUsers
      if (request.Filter !== undefined && request.Filter !== "") {
        const match = filterPattern.exec(request.Filter)
        if (match === null) return yield* invalidParameter(action, "Error while parsing filter.")
        const [, name = "", operator, quoted = ""] = match
        const value = quoted.replace(/\\(.)/g, "$1")
        users = users.filter((u) => {
          const found = filterValue(u, name)
          return found !== undefined && (operator === "=" ? found === value : found.startsWith(value))
        })
      }
      const start = request.PaginationToken === undefined ? 0 : Number(request.PaginationToken)
      if (!Number.isInteger(start) || start < 0 || start > users.length)
        return yield* invalidParameter(action, "Invalid pagination token.")
      const wanted = request.AttributesToGet
      const page = users.slice(start, start + limit).map((u) => {
        const type = userType(u.username, u)
        return wanted === undefined
          ? type
          : { ...type, Attributes: type.Attributes.filter((a) => wanted.includes(a.Name)) }
      })
      return {
        Users: page,
        ...(start + limit < users.length ? { PaginationToken: String(start + limit) } : {})
      }
    })

  const adminDisableUser = (body: unknown) =>
    Effect.flatMap(user("AdminDisableUser", UserRef)(body), ({ cognito, request }) =>
      Effect.as(cognito.adminDisableUser(request.Username), {})
    )

  const adminDeleteUser = (body: unknown) =>
    Effect.flatMap(user("AdminDeleteUser", UserRef)(body), ({ cognito, request }) =>
      Effect.as(cognito.adminDeleteUser(request.Username), {})
    )

  const adminListDevices = (body: unknown) =>
    Effect.flatMap(user("AdminListDevices", AdminListDevices)(body), ({ cognito, request }) =>
      Effect.map(
        cognito.adminListDevices(request.Username, {
          limit: request.Limit,
          paginationToken: request.PaginationToken
        }),
        devicePage
      )
    )

  const adminGetDevice = (body: unknown) =>
    Effect.flatMap(user("AdminGetDevice", DeviceRef)(body), ({ cognito, request }) =>
      Effect.map(cognito.adminGetDevice(request.Username, request.DeviceKey), (device) => ({
        Device: deviceType(device)
      }))
    )

  const adminUpdateDeviceStatus = (body: unknown) =>
    Effect.flatMap(user("AdminUpdateDeviceStatus", AdminUpdateDeviceStatus)(body), ({ cognito, request }) =>
      Effect.as(
        cognito.adminUpdateDeviceStatus(request.Username, request.DeviceKey, request.DeviceRememberedStatus),
        {}
      )
    )

  const adminForgetDevice = (body: unknown) =>
    Effect.flatMap(user("AdminForgetDevice", DeviceRef)(body), ({ cognito, request }) =>
      Effect.as(cognito.adminForgetDevice(request.Username, request.DeviceKey), {})
    )

  return {
    adminListDevices,
    adminGetDevice,
    adminUpdateDeviceStatus,
    adminForgetDevice,
    adminCreateUser,
    adminConfirmSignUp,
    adminGetUser,
    adminSetUserPassword,
    adminUserGlobalSignOut,
    listUsers,
    adminSetUserMFAPreference,
    adminDisableUser,
    adminDeleteUser
  }
}
