/**
 * The test-facing API of a pool: the outbox and request log, fault injection, the
 * server's clock offset, and the admin actions (create, MFA, disable, delete, reset, get).
 *
 * @internal
 */
import type * as IdentityPool from "@effect-cognito/core/IdentityPool"
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as TestCognito from "../../TestCognito.js"
import { base32Encode, totp } from "../totp.js"
import type { Challenges } from "./challenges.js"
import type { Devices } from "./devices.js"
import type { IdentityPoolState } from "./identityPool.js"
import type { Policy } from "./policy.js"
import type { Secret, State, User } from "./state.js"

/** The service of one pool around its `IdentityProvider`. */
export const make = (
  state: State,
  policy: Policy,
  challenges: Challenges,
  devices: Devices,
  provider: IdentityProvider.IdentityProvider.Service,
  identityPool: { readonly state: IdentityPoolState; readonly service: IdentityPool.IdentityPool.Service }
): Omit<
  TestCognito.TestCognito.Service,
  | "withClient"
  | "withIdentityPool"
  | "adminConfirmSignUp"
  | "adminSetUserPassword"
  | "adminUserGlobalSignOut"
  | "listUsers"
  | "snapshot"
  | "adminListDevices"
  | "adminGetDevice"
  | "adminUpdateDeviceStatus"
  | "adminForgetDevice"
  | "mintTokens"
  | "jwksHttpClient"
  | "signInPolicy"
  | "setSignInPolicy"
  | "webAuthnConfiguration"
  | "setWebAuthnConfiguration"
  | keyof ReturnType<typeof import("./oauthService.js").make>
> => {
  const { config, issuer, signer, users, sessions, outbox, requests, faults, clock, random, now, reject, findUser } =
    state
  const { checkAttributes, addUser, usernameTaken, usernameExists, setPassword } = policy
  const { enableTotp } = challenges
  const admin = (username: string) => findUser("Admin", username)
  /** A temporary password that meets the pool's policy: one of each class, then letters and digits. */
  const generatePassword = Effect.map(random.nextBytes(Math.max(state.policy.minimumLength, 12)), (bytes) => {
    const pick = (alphabet: string, byte: number) => alphabet[byte % alphabet.length]!
    const classes = ["ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "!#$%&*+=?@^"]
    const rest = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    const chars = Array.from(bytes, (byte, i) => pick(i < classes.length ? classes[i]! : rest, byte))
    return Redacted.make(chars.join(""))
  })
  /** The invitation: the temporary password, to each medium the user has an address for. */
  const invite = (user: User, temporaryPassword: Secret, mediums: ReadonlyArray<"EMAIL" | "SMS"> = ["SMS"]) =>
    Effect.map(now, (at) => {
      for (const medium of mediums) {
        const destination = medium === "EMAIL" ? user.attributes.email : user.attributes.phone_number
        if (destination !== undefined)
          outbox.push({
            username: user.username,
            medium,
            destination,
            purpose: "Invitation",
            code: temporaryPassword,
            at
          })
      }
    })
  /**
   * AdminCreateUser with RESEND, as Cognito does it: for a user still waiting to set a
   * password, a new temporary password (the one given, or a generated one), its validity
   * restarted, and the invitation sent again.
   */
  const resendInvitation = (input: Parameters<TestCognito.TestCognito.Service["adminCreateUser"]>[0]) =>
    Effect.gen(function* () {
      const action = "AdminCreateUser"
      const user = users.get(input.username)
      if (user === undefined) return yield* reject(action, "UserNotFoundException", "User does not exist.")
      if (user.status !== "FORCE_CHANGE_PASSWORD")
        return yield* reject(
          action,
          "UnsupportedUserStateException",
          `Resend not possible. ${input.username} status is not FORCE_CHANGE_PASSWORD.`
        )
      const temporaryPassword = input.temporaryPassword ?? (yield* generatePassword)
      const { salt, verifier } = yield* setPassword(user.username, temporaryPassword)
      user.salt = salt
      user.verifier = verifier
      user.failedSignIns = 0
      user.temporaryPasswordExpiresAt = (yield* now) + state.validity.temporaryPassword
      yield* state.touch(user)
      yield* invite(user, temporaryPassword, input.desiredDeliveryMediums)
    })
  return {
    provider,
    config,
    issuer,
    lastCodeFor: (username) =>
      Effect.suspend(() => {
        for (let i = outbox.length - 1; i >= 0; i--)
          if (outbox[i]!.username === username) return Effect.succeed(outbox[i]!.code)
        return Effect.fail(new Cause.NoSuchElementError(`no code was sent to ${username}`))
      }),
    outbox: Effect.sync(() => [...outbox]),
    identityPool: identityPool.service,
    identities: Effect.sync(() =>
      Array.from(identityPool.state.identities.values(), (identity) => ({
        identityId: identity.identityId,
        providers: [...new Set(Array.from(identity.logins, (key) => key.slice(0, key.indexOf("|"))))]
      }))
    ),
    issuedCredentials: Effect.sync(() => [...identityPool.state.issued]),
    credentialsOf: (accessKeyId) =>
      Effect.suspend(() => {
        const secret = identityPool.state.secrets.get(accessKeyId)
        return secret === undefined
          ? Effect.fail(new Cause.NoSuchElementError(`no credentials with access key id ${accessKeyId}`))
          : Effect.succeed(secret)
      }),
    requests: Effect.sync(() => [...requests]),
    requestCount: (action) =>
      Effect.sync(() => (action === undefined ? requests.length : requests.filter((r) => r.action === action).length)),
    pendingSessions: Effect.sync(() => sessions.size),
    failNext: (action, fault, times = 1) =>
      Effect.sync(() => {
        const queue = faults.get(action) ?? []
        for (let i = 0; i < times; i++) queue.push(fault)
        faults.set(action, queue)
      }),
    setClockOffset: (offset) =>
      Effect.sync(() => {
        clock.offset = Duration.toMillis(offset)
      }),
    adminCreateUser: (input) =>
      Effect.gen(function* () {
        const action = "AdminCreateUser"
        if (input.messageAction === "RESEND") return yield* resendInvitation(input)
        if (usernameTaken(input.username)) return yield* usernameExists(action)
        const attributes = input.userAttributes ?? {}
        yield* checkAttributes(action, attributes)
        const temporaryPassword = input.temporaryPassword ?? (yield* generatePassword)
        const user = yield* addUser(
          action,
          input.username,
          temporaryPassword,
          {
            ...attributes,
            ...(attributes.email === undefined ? {} : { email_verified: "true" }),
            ...(attributes.phone_number === undefined ? {} : { phone_number_verified: "true" })
          },
          "FORCE_CHANGE_PASSWORD"
        )
        user.temporaryPasswordExpiresAt = (yield* now) + state.validity.temporaryPassword
        if (input.messageAction !== "SUPPRESS") yield* invite(user, temporaryPassword, input.desiredDeliveryMediums)
      }),
    adminSetUserMfa: (username, settings) =>
      Effect.gen(function* () {
        const user = yield* admin(username)
        if (settings.totp === true && user.totpSecret === undefined)
          return yield* reject(
            "AdminSetUserMFAPreference",
            "InvalidParameterException",
            "User has not set up software token MFA"
          )
        if (settings.sms !== undefined) user.mfa.sms = settings.sms
        if (settings.totp !== undefined) user.mfa.totp = settings.totp
        if (settings.email !== undefined) user.mfa.email = settings.email
        if (settings.preferred !== undefined) user.mfa.preferred = settings.preferred
      }),
    adminEnableTotp: (username) =>
      Effect.gen(function* () {
        const user = yield* admin(username)
        const secret = base32Encode(yield* random.nextBytes(20))
        enableTotp(user, secret)
        return Redacted.make(secret)
      }),
    totpCode: (secret) =>
      Effect.flatMap(now, (at) => Effect.promise(() => totp(Redacted.value(secret), at))).pipe(
        Effect.map(Redacted.make)
      ),
    adminDisableUser: (username) =>
      Effect.flatMap(admin(username), (user) => {
        user.enabled = false
        return state.touch(user)
      }),
    adminDeleteUser: (username) =>
      Effect.map(admin(username), () => {
        devices.dropDevicesOf(username)
        users.delete(username)
      }),
    adminResetUserPassword: (username) =>
      Effect.flatMap(admin(username), (user) => {
        user.status = "RESET_REQUIRED"
        return state.touch(user)
      }),
    adminGetUser: (username) =>
      Effect.map(admin(username), (user) => ({
        status: user.status,
        enabled: user.enabled,
        attributes: { ...user.attributes },
        created: user.created,
        lastModified: user.lastModified
      })),
    jwks: signer.jwks
  }
}
