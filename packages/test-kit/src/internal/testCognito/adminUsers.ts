/**
 * The admin actions on users that setup scripts drive a pool with, beyond creating
 * them: confirm a sign-up, set a password (temporary or permanent), sign a user out
 * everywhere, and list the users.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as TestCognito from "../../TestCognito.js"
import type { Policy } from "./policy.js"
import type { State, User } from "./state.js"
import type { Tokens } from "./tokens.js"

type AdminUsers = Pick<
  TestCognito.TestCognito.Service,
  "adminConfirmSignUp" | "adminSetUserPassword" | "adminUserGlobalSignOut" | "listUsers"
>

const view = (user: User): TestCognito.UserView => ({
  username: user.username,
  status: user.status,
  enabled: user.enabled,
  attributes: { ...user.attributes },
  created: user.created,
  lastModified: user.lastModified
})

/** The admin actions on the users of a pool. */
export const make = (state: State, policy: Policy, tokens: Tokens): AdminUsers => {
  const { findUser, reject, users } = state
  return {
    adminConfirmSignUp: (username) =>
      Effect.gen(function* () {
        const user = yield* findUser("AdminConfirmSignUp", username)
        if (user.status !== "UNCONFIRMED")
          return yield* reject(
            "AdminConfirmSignUp",
            "NotAuthorizedException",
            `User cannot be confirmed. Current status is ${user.status}`
          )
        user.status = "CONFIRMED"
        user.codes.signUp = undefined
        yield* state.touch(user)
      }),
    adminSetUserPassword: (username, password, options) =>
      Effect.gen(function* () {
        const user = yield* findUser("AdminSetUserPassword", username)
        yield* policy.checkPolicy("AdminSetUserPassword", password)
        const { salt, verifier } = yield* policy.setPassword(user.username, password)
        user.salt = salt
        user.verifier = verifier
        user.passwordless = false
        user.failedSignIns = 0
        user.codes.forgotPassword = undefined
        user.status = options.permanent ? "CONFIRMED" : "FORCE_CHANGE_PASSWORD"
        user.temporaryPasswordExpiresAt = options.permanent
          ? undefined
          : (yield* state.now) + state.validity.temporaryPassword
        yield* state.touch(user)
      }),
    adminUserGlobalSignOut: (username) =>
      Effect.map(findUser("AdminUserGlobalSignOut", username), (user) => tokens.revokeUserTokens(user.username)),
    listUsers: Effect.sync(() => Array.from(users.values(), view))
  }
}
