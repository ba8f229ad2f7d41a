/**
 * What TestCognito checks before it acts: the app client's secret (SECRET_HASH, computed
 * here independently of the client, and the client secret itself), the password policy,
 * the attribute schema, and passwords against the stored SRP verifier. Usernames and
 * password lengths go through the client's own `UserInput` checks (Cognito's limits), so
 * the pool refuses exactly what the client refuses, as `InvalidParameterException`.
 *
 * @internal
 */
import * as UserInput from "@effect-cognito/core/UserInput"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import type * as TestCognito from "../../TestCognito.js"
import * as SrpServer from "../srpServer.js"
import { type Secret, type State, type User, toBase64 } from "./state.js"

const standardAttributes = new Set([
  "address",
  "birthdate",
  "email",
  "email_verified",
  "family_name",
  "gender",
  "given_name",
  "locale",
  "middle_name",
  "name",
  "nickname",
  "phone_number",
  "phone_number_verified",
  "picture",
  "preferred_username",
  "profile",
  "updated_at",
  "website",
  "zoneinfo"
])

/** SECRET_HASH, computed here independently of the client's implementation. */
const expectedSecretHash = async (secret: string, username: string, clientId: string) => {
  const encoder = new TextEncoder()
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign"
  ])
  return toBase64(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(username + clientId))))
}

/** The checks of one pool. */
export const make = (state: State) => {
  const { options, config, policy, users, uuid, reject, findUser, withRandom } = state
  const checkSecretHash = (action: string, username: string, given: Secret | undefined) =>
    Effect.gen(function* () {
      const clientSecret = options.clientSecret
      if (clientSecret === undefined) return
      if (given === undefined)
        return yield* reject(
          action,
          "NotAuthorizedException",
          `Client ${config.clientId} is configured with secret but SECRET_HASH was not received`
        )
      const expected = yield* Effect.promise(() =>
        expectedSecretHash(Redacted.value(clientSecret), username, config.clientId)
      )
      if (Redacted.value(given) !== expected)
        return yield* reject(
          action,
          "NotAuthorizedException",
          `Unable to verify secret hash for client ${config.clientId}`
        )
    })

  /** A username as Cognito's API validates it: 1 to 128 visible characters (no spaces, no control characters). */
  const checkUsername = (action: string, username: unknown, field = "username") =>
    Result.isSuccess(UserInput.username(action, username))
      ? Effect.void
      : reject(
          action,
          "InvalidParameterException",
          `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length between 1 and 128 and satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+`
        )

  /** Who a request names, after its parameters and SECRET_HASH are checked, as Cognito checks them. */
  const requestingUser = (action: string, username: string, secretHash: Secret | undefined) =>
    Effect.andThen(
      checkUsername(action, username),
      Effect.andThen(checkSecretHash(action, username, secretHash), findUser(action, username))
    )

  const checkClientSecret = (action: string, given: Secret | undefined) =>
    options.clientSecret !== undefined &&
    (given === undefined || Redacted.value(given) !== Redacted.value(options.clientSecret))
      ? reject(action, "NotAuthorizedException", `Unable to verify the client secret of ${config.clientId}`)
      : Effect.void

  const checkPolicy = (action: string, password: Secret) => {
    const p = Redacted.value(password)
    if (Result.isFailure(UserInput.password(action, password)))
      return reject(
        action,
        "InvalidParameterException",
        "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length between 1 and 256"
      )
    const problems = [
      p.length < policy.minimumLength ? "Password not long enough" : undefined,
      policy.requireUppercase && !/[A-Z]/.test(p) ? "Password must have uppercase characters" : undefined,
      policy.requireLowercase && !/[a-z]/.test(p) ? "Password must have lowercase characters" : undefined,
      policy.requireNumbers && !/[0-9]/.test(p) ? "Password must have numeric characters" : undefined,
      policy.requireSymbols && !/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/.test(p)
        ? "Password must have symbol characters"
        : undefined
    ].filter((x) => x !== undefined)
    return problems.length === 0
      ? Effect.void
      : reject(action, "InvalidPasswordException", `Password did not conform with policy: ${problems[0]}`)
  }

  const checkAttributes = (action: string, attributes: Readonly<Record<string, string>>) => {
    for (const [name, value] of Object.entries(attributes)) {
      if (!name.startsWith("custom:") && !standardAttributes.has(name))
        return reject(
          action,
          "InvalidParameterException",
          `Attributes did not conform to the schema: ${name}: Attribute does not exist in the schema.`
        )
      if (name === "email" && !/^[^@\s]+@[^@\s]+$/.test(value))
        return reject(action, "InvalidParameterException", "Invalid email address format.")
      if (name === "phone_number" && !/^\+\d{4,15}$/.test(value))
        return reject(action, "InvalidParameterException", "Invalid phone number format.")
    }
    return Effect.void
  }

  const setPassword = (username: string, password: Secret) =>
    withRandom(SrpServer.makeVerifier({ poolName: config.poolName, userIdForSrp: username, password }))

  const passwordMatches = (user: User, password: Secret) =>
    SrpServer.checkPassword({
      poolName: config.poolName,
      userIdForSrp: user.username,
      password,
      salt: user.salt,
      verifier: user.verifier
    })

  /** Stores a new user with a password and a fresh `sub`. */
  const addUser = (
    username: string,
    password: Secret,
    attributes: Readonly<Record<string, string>>,
    status: TestCognito.UserStatus
  ) =>
    Effect.gen(function* () {
      const { salt, verifier } = yield* setPassword(username, password)
      const sub = yield* uuid
      const user: User = {
        username,
        sub,
        attributes: { ...attributes, sub },
        status,
        enabled: true,
        salt,
        verifier,
        mfa: { sms: false, totp: false, email: false, preferred: undefined },
        totpSecret: undefined,
        pendingTotpSecret: undefined,
        failedSignIns: 0,
        codes: {},
        pendingAttributes: {},
        temporaryPasswordExpiresAt: undefined
      }
      users.set(username, user)
      return user
    })

  return {
    addUser,
    checkSecretHash,
    checkUsername,
    requestingUser,
    checkClientSecret,
    checkPolicy,
    checkAttributes,
    setPassword,
    passwordMatches
  }
}

/** The checks of a pool. */
export type Policy = ReturnType<typeof make>
