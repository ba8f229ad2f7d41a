/**
 * What TestCognito checks before it acts: the app client's secret (SECRET_HASH, computed
 * here independently of the client, and the client secret itself), the password policy,
 * the attribute schema, and passwords against the stored SRP verifier. Usernames and
 * password lengths go through the client's own `UserInput` checks (Cognito's limits), so
 * the pool refuses exactly what the client refuses, as `InvalidParameterException`.
 *
 * @internal
 */
import type * as AuthError from "@effect-cognito/core/AuthError"
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

/** Cognito's limits: an attribute value's length, and the custom attributes of a schema. */
const maxAttributeLength = 2048
const maxCustomAttributes = 50

const emailFormat = /^[^@\s]+@[^@\s]+$/
const phoneFormat = /^\+\d{4,15}$/

/** More than `max` characters (code points)? A huge string's UTF-16 length decides without counting. */
const longerThan = (value: string, max: number) =>
  value.length > 2 * max || (value.length > max && Array.from(value).length > max)

/** A custom attribute's full name: a schema may name it with or without its `custom:` prefix. */
const customName = (name: string) => (name.startsWith("custom:") ? name : `custom:${name}`)

/** SECRET_HASH, computed here independently of the client's implementation. */
export const expectedSecretHash = async (secret: string, username: string, clientId: string) => {
  const encoder = new TextEncoder()
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign"
  ])
  return toBase64(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(username + clientId))))
}

/** The checks of one pool. */
export const make = (state: State) => {
  const { options, config, policy, users, reservedUsernames, uuid, reject, findUser, withRandom } = state
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

  /** The `custom:` attributes of the pool's schema; `undefined`: the pool declares none and takes any. */
  const declaredCustom =
    options.customAttributes === undefined ? undefined : new Set(options.customAttributes.map(customName))

  const invalidAttribute = (action: string, name: string, problem: string) =>
    reject(action, "InvalidParameterException", `Attributes did not conform to the schema: ${name}: ${problem}`)

  /**
   * User attributes as Cognito checks them: names of 1 to 32 visible characters, standard
   * or `custom:` ones the schema declares (any, when it declares none, up to 50 per user,
   * Cognito's limit of custom attributes in a schema), values of at most 2048 characters
   * without control characters other than tab and line breaks (the client's own
   * `UserInput` rules, so a terminal escape never gets stored), and `email` and
   * `phone_number` in their formats. `current` are the attributes the user already has.
   * A message names the attribute (once its name is valid), never the value.
   */
  const checkAttributes = (
    action: string,
    attributes: Readonly<Record<string, string>>,
    current: Readonly<Record<string, string>> = {}
  ) => {
    for (const [name, value] of Object.entries(attributes)) {
      if (Result.isFailure(UserInput.attributeName(action, name)))
        return reject(
          action,
          "InvalidParameterException",
          "1 validation error detected: Value at 'userAttributes.member.name' failed to satisfy constraint: Member must have length between 1 and 32 and satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
        )
      const custom = name.startsWith("custom:")
      if ((!custom && !standardAttributes.has(name)) || (custom && declaredCustom?.has(name) === false))
        return invalidAttribute(action, name, "Attribute does not exist in the schema.")
      if (Result.isFailure(UserInput.attributeValue(action, value)))
        return invalidAttribute(
          action,
          name,
          longerThan(value, maxAttributeLength)
            ? `Value must have length less than or equal to ${maxAttributeLength}.`
            : "Value must not hold control characters."
        )
      if (name === "email" && !emailFormat.test(value))
        return invalidAttribute(action, name, "Invalid email address format.")
      if (name === "phone_number" && !phoneFormat.test(value))
        return invalidAttribute(action, name, "Invalid phone number format.")
    }
    if (declaredCustom === undefined) {
      const customs = new Set(
        [...Object.keys(current), ...Object.keys(attributes)].filter((n) => n.startsWith("custom:"))
      )
      if (customs.size > maxCustomAttributes)
        return reject(
          action,
          "InvalidParameterException",
          `Attributes did not conform to the schema: a user holds at most ${maxCustomAttributes} custom attributes`
        )
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

  /** Is the name a user's, or claimed by a sign-up (or admin creation) in progress? */
  const usernameTaken = (username: string) => users.has(username) || reservedUsernames.has(username)

  /** Cognito's answer to a name that is taken, as each action words it. */
  const usernameExists = (action: string) =>
    reject(
      action,
      "UsernameExistsException",
      action === "SignUp" ? "User already exists" : "User account already exists"
    )

  /**
   * Stores a new user with a password (none: a password-less user) and a fresh `sub`. The name is checked and claimed
   * in one step before the first await, and released when the user is stored (or the
   * creation fails), so of concurrent creations of one name exactly one succeeds and the
   * others fail with `UsernameExistsException`, as Cognito's.
   */
  const addUser = (
    action: string,
    username: string,
    password: Secret | undefined,
    attributes: Readonly<Record<string, string>>,
    status: TestCognito.UserStatus
  ): Effect.Effect<User, AuthError.AuthError> =>
    Effect.suspend(() => {
      if (usernameTaken(username)) return usernameExists(action)
      reservedUsernames.add(username)
      return Effect.gen(function* () {
        // A password-less user gets a verifier of a random password no one knows.
        const secret = password ?? Redacted.make(yield* state.randomHex(32))
        const { salt, verifier } = yield* setPassword(username, secret)
        const sub = yield* uuid
        const at = yield* state.now
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
          totpUsedStep: undefined,
          failedSignIns: 0,
          codes: {},
          pendingAttributes: {},
          temporaryPasswordExpiresAt: undefined,
          created: at,
          lastModified: at,
          passwordless: password === undefined,
          webAuthnCredentials: [],
          webAuthnRegistration: undefined
        }
        users.set(username, user)
        return user
      }).pipe(
        Effect.ensuring(
          Effect.sync(() => {
            reservedUsernames.delete(username)
          })
        )
      )
    })

  return {
    addUser,
    usernameTaken,
    usernameExists,
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
