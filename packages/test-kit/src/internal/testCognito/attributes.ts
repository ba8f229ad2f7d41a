/**
 * A signed-in user's own attributes: UpdateUserAttributes, GetUserAttributeVerificationCode,
 * VerifyUserAttribute and DeleteUserAttributes. A changed `email` or `phone_number` gets a code at its new value.
 * By default the new value applies at once, unverified, and the code marks it verified;
 * for the attributes in the pool's `attributesRequireVerificationBeforeUpdate` the old
 * (verified) value stays and the new one waits, and the code applies it, verified. A
 * deleted `email` or `phone_number` takes its `_verified` flag, a value waiting for its
 * code and the code with it; `sub` and the attributes the pool requires cannot be deleted.
 *
 * @internal
 */
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as UserInput from "@effect-cognito/core/UserInput"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import type { Codes } from "./codes.js"
import type { Policy } from "./policy.js"
import type { State, User } from "./state.js"
import type { Tokens } from "./tokens.js"

type AttributeActions =
  | "updateUserAttributes"
  | "getUserAttributeVerificationCode"
  | "verifyUserAttribute"
  | "deleteUserAttributes"

/** The attributes a code can verify: where the code goes, and where it is kept. */
const verifiable = {
  email: { medium: "EMAIL", slot: "verifyEmail" },
  phone_number: { medium: "SMS", slot: "verifyPhoneNumber" }
} as const satisfies Record<string, { readonly medium: "EMAIL" | "SMS"; readonly slot: keyof User["codes"] }>

type Verifiable = keyof typeof verifiable

const isVerifiable = (name: string): name is Verifiable => name === "email" || name === "phone_number"

/** The attribute actions of one pool. */
export const make = (
  state: State,
  policy: Policy,
  codes: Codes,
  tokens: Tokens
): Pick<IdentityProvider.IdentityProvider.Service, AttributeActions> => {
  const { now, serve, reject, settings } = state
  const waitsForCode = new Set(settings.attributesRequireVerificationBeforeUpdate ?? [])
  const { checkAttributes } = policy
  const { issueCode, checkCode } = codes
  const { validAccessToken } = tokens

  /** The attribute a code is asked for or answered: one the user has (or has waiting), and one a code can verify. */
  const verifiableOf = (action: string, user: User, name: string) => {
    if (!isVerifiable(name))
      return reject(
        action,
        "InvalidParameterException",
        `Attribute ${name} cannot be verified: only email or phone_number`
      )
    const value = user.pendingAttributes[name] ?? user.attributes[name]
    if (value === undefined) return reject(action, "InvalidParameterException", `The user has no ${name} to verify`)
    return Effect.succeed({ name, value, ...verifiable[name] })
  }

  return {
    updateUserAttributes: (request) =>
      serve("UpdateUserAttributes")(
        Effect.gen(function* () {
          const user = yield* validAccessToken("UpdateUserAttributes", request.accessToken)
          // Verified only by a code (or an admin): a user cannot mark their own attribute verified.
          for (const name of ["sub", "email_verified", "phone_number_verified"])
            if (name in request.userAttributes)
              return yield* reject(
                "UpdateUserAttributes",
                "InvalidParameterException",
                `Cannot modify ${name}: it is set by Cognito or an administrator`
              )
          yield* checkAttributes("UpdateUserAttributes", request.userAttributes, user.attributes)
          const changed: Array<Verifiable> = []
          for (const [name, value] of Object.entries(request.userAttributes)) {
            if (!isVerifiable(name)) user.attributes[name] = value
            else if (waitsForCode.has(name) && user.attributes[`${name}_verified`] === "true") {
              // The verified value stays until the code confirms the new one.
              if (user.attributes[name] === value) user.pendingAttributes[name] = undefined
              else if (user.pendingAttributes[name] !== value) {
                user.pendingAttributes[name] = value
                changed.push(name)
              }
            } else if (user.attributes[name] !== value) {
              user.attributes[name] = value
              user.attributes[`${name}_verified`] = "false"
              changed.push(name)
            }
          }
          yield* state.touch(user)
          const codeDeliveryDetailsList: Array<IdentityProvider.CodeDeliveryDetails> = []
          for (const name of changed) {
            const { medium, slot } = verifiable[name]
            const to = user.pendingAttributes[name] ?? user.attributes[name]
            codeDeliveryDetailsList.push((yield* issueCode(user, slot, medium, to)).codeDeliveryDetails)
          }
          return { codeDeliveryDetailsList }
        })
      ),
    getUserAttributeVerificationCode: (request) =>
      serve("GetUserAttributeVerificationCode")(
        Effect.gen(function* () {
          const action = "GetUserAttributeVerificationCode"
          const user = yield* validAccessToken(action, request.accessToken)
          const { medium, slot, value } = yield* verifiableOf(action, user, request.attributeName)
          return yield* issueCode(user, slot, medium, value)
        })
      ),
    verifyUserAttribute: (request) =>
      serve("VerifyUserAttribute")(
        Effect.gen(function* () {
          const action = "VerifyUserAttribute"
          const user = yield* validAccessToken(action, request.accessToken)
          const { name, slot, value } = yield* verifiableOf(action, user, request.attributeName)
          yield* checkCode(action, user.codes[slot], request.code, yield* now)
          user.codes[slot] = undefined
          user.attributes[name] = value
          user.pendingAttributes[name] = undefined
          user.attributes[`${name}_verified`] = "true"
          yield* state.touch(user)
        })
      ),
    deleteUserAttributes: (request) =>
      serve("DeleteUserAttributes")(
        Effect.gen(function* () {
          const action = "DeleteUserAttributes"
          const user = yield* validAccessToken(action, request.accessToken)
          const required = new Set(settings.requiredAttributes)
          // Every name is checked before any attribute goes.
          for (const name of request.userAttributeNames) {
            if (Result.isFailure(UserInput.attributeName(action, name)))
              return yield* reject(
                action,
                "InvalidParameterException",
                "1 validation error detected: Value at 'userAttributeNames.member' failed to satisfy constraint: Member must have length between 1 and 32 and satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
              )
            if (name === "sub" || required.has(name))
              return yield* reject(action, "InvalidParameterException", `Cannot delete the required attribute ${name}`)
          }
          for (const name of request.userAttributeNames) {
            delete user.attributes[name]
            if (isVerifiable(name)) {
              delete user.attributes[`${name}_verified`]
              user.pendingAttributes[name] = undefined
              user.codes[verifiable[name].slot] = undefined
            }
          }
          yield* state.touch(user)
        })
      )
  }
}
