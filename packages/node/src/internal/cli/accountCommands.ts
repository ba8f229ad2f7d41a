/**
 * The account commands: sign-up (with a password, or without one where the pool allows
 * a password-less first factor) and its confirmation (which can sign the user in with the
 * session Cognito gives, as `sign-in` would), a new code, a forgotten password, a password
 * change, deleting the account.
 *
 * @internal
 */
import * as AuthError from "@effect-cognito/core/AuthError"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { printable } from "./console.js"
import { CliError } from "./error.js"
import * as PendingFile from "./pendingFile.js"
import { booleanFlag, describeDelivery, username, withAuth } from "./shared.js"

/** The `sign-up` command. */
export const signUp = Command.make(
  "sign-up",
  {
    username,
    attributes: Flag.KeyValuePair("attribute").pipe(
      Flag.optional,
      Flag.withDescription("A user attribute, name=value (repeat for more), e.g. --attribute email=me@example.com")
    ),
    passwordless: booleanFlag(
      "passwordless",
      "No password: the user signs in with email or SMS codes (or passkeys), where the pool allows them"
    )
  },
  (c) =>
    withAuth((auth, io) =>
      Effect.gen(function* () {
        const password = c.passwordless ? {} : { password: yield* io.secret("Password") }
        const userAttributes = Option.getOrElse(c.attributes, () => ({}))
        const result = yield* io.spin("Signing up", auth.signUp({ username: c.username, ...password, userAttributes }))
        const confirm = `effect-cognito confirm-sign-up ${c.username}${c.passwordless ? " --sign-in" : ""}`
        yield* io.out(
          result.confirmationState === "Confirmed"
            ? `signed up ${c.username} (confirmed)`
            : `signed up ${c.username}; ${describeDelivery(result.codeDeliveryDetails)}: confirm with \`${confirm}\``
        )
      })
    )
).pipe(
  Command.withDescription(
    "Create a user; the password is read from a prompt or standard input (none with --passwordless)"
  ),
  Command.withShortDescription("Create a user")
)

/** The `confirm-sign-up` command. */
export const confirmSignUp = Command.make(
  "confirm-sign-up",
  {
    username,
    signIn: booleanFlag(
      "sign-in",
      "Then sign in with the session Cognito gives on confirmation: no password, no second code"
    )
  },
  (c) =>
    withAuth((auth, io, config) =>
      Effect.gen(function* () {
        // Signed in already: say so before the code is spent.
        const who = yield* auth.username
        if (c.signIn && Option.isSome(who))
          return yield* AuthError.make(
            "AlreadySignedIn",
            "autoSignIn",
            `${printable(who.value)} is signed in; sign out first (effect-cognito sign-out)`
          ).pipe(Effect.fail)
        const confirmationCode = yield* io.secret("Confirmation code")
        const result = yield* io.spin("Confirming", auth.confirmSignUp({ username: c.username, confirmationCode }))
        if (!c.signIn) return yield* io.out(`confirmed ${c.username}`)
        if (result.nextStep !== "AutoSignIn")
          return yield* new CliError({
            message: `confirmed ${c.username}, but Cognito gave no session to sign in with; sign in with \`effect-cognito sign-in ${c.username}\``
          })
        const step = yield* io.spin("Signing in", auth.autoSignIn())
        if (step._tag !== "SignedIn")
          return yield* new CliError({
            message: `confirmed ${c.username}, but Cognito asked for ${step._tag}; sign in with \`effect-cognito sign-in ${c.username}\``
          })
        // Signed in as sign-in does: the session is stored, any saved challenge goes.
        yield* PendingFile.remove(config)
        yield* io.out(
          `confirmed ${c.username}; signed in as ${Option.getOrElse(yield* auth.username, () => c.username)}`
        )
      })
    )
).pipe(
  Command.withDescription(
    "Confirm a sign-up with the code sent to the user; with --sign-in, then sign in with the session Cognito gives (no password, no second code)"
  ),
  Command.withShortDescription("Confirm a sign-up with the code sent to the user")
)

/** The `resend-code` command. */
export const resendCode = Command.make("resend-code", { username }, (c) =>
  withAuth((auth, io) =>
    Effect.gen(function* () {
      const details = yield* io.spin("Sending", auth.resendSignUpCode({ username: c.username }))
      yield* io.out(describeDelivery(details))
    })
  )
).pipe(Command.withDescription("Send the sign-up confirmation code again"))

/** The `forgot-password` command. */
export const forgotPassword = Command.make("forgot-password", { username }, (c) =>
  withAuth((auth, io) =>
    Effect.gen(function* () {
      const result = yield* io.spin("Sending", auth.forgotPassword({ username: c.username }))
      yield* io.out(
        `${describeDelivery(result.codeDeliveryDetails)}: set a new password with \`effect-cognito confirm-forgot-password ${c.username}\``
      )
    })
  )
).pipe(Command.withDescription("Send a code to reset a forgotten password"))

/** The `confirm-forgot-password` command. */
export const confirmForgotPassword = Command.make("confirm-forgot-password", { username }, (c) =>
  withAuth((auth, io) =>
    Effect.gen(function* () {
      const confirmationCode = yield* io.secret("Confirmation code")
      const newPassword = yield* io.secret("New password")
      yield* io.spin(
        "Setting the password",
        auth.confirmForgotPassword({ username: c.username, confirmationCode, newPassword })
      )
      yield* io.out(`password of ${c.username} set`)
    })
  )
).pipe(Command.withDescription("Set a new password with the code from forgot-password"))

/** The `change-password` command. */
export const changePassword = Command.make("change-password", {}, () =>
  withAuth((auth, io) =>
    Effect.gen(function* () {
      const currentPassword = yield* io.secret("Current password")
      const proposedPassword = yield* io.secret("New password")
      yield* io.spin("Changing the password", auth.changePassword({ currentPassword, proposedPassword }))
      yield* io.out("password changed")
    })
  )
).pipe(Command.withDescription("Change the signed-in user's password"))

/** The `delete-user` command. */
export const deleteUser = Command.make(
  "delete-user",
  {
    yes: booleanFlag("yes", "Confirm: the account and its data are gone for good")
  },
  (c) =>
    withAuth((auth, io) =>
      Effect.gen(function* () {
        const username = yield* auth.username
        if (!c.yes)
          return yield* Effect.fail(
            new CliError({
              message: `delete-user: pass --yes to delete ${Option.getOrElse(username, () => "the signed-in user")} for good`,
              usage: true
            })
          )
        yield* io.spin("Deleting the account", auth.deleteUser)
        yield* io.out(`deleted ${Option.getOrElse(username, () => "the account")}; signed out`)
      })
    )
).pipe(
  Command.withDescription("Delete the signed-in user's account (needs --yes), then sign out"),
  Command.withShortDescription("Delete the signed-in user's account, then sign out")
)
