/**
 * The signed-in user's attributes: changing them, verifying a changed email or phone
 * number with the code sent to it, and deleting them.
 *
 * @internal
 */
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import { printable } from "./console.js"
import { describeDelivery, withAuth } from "./shared.js"

const attributeName = Argument.String("attribute").pipe(
  Argument.withDescription("The attribute to verify: email or phone_number")
)

/** The `update-attributes` command. */
export const updateAttributes = Command.make(
  "update-attributes",
  {
    attributes: Flag.KeyValuePair("attribute").pipe(
      Flag.withDescription("An attribute to set, name=value (repeat for more), e.g. --attribute email=me@example.org")
    )
  },
  (c) =>
    withAuth((auth, io) =>
      Effect.gen(function* () {
        const userAttributes = { ...c.attributes }
        const sent = yield* io.spin("Updating", auth.updateUserAttributes({ userAttributes }))
        yield* io.out(`updated ${Object.keys(userAttributes).sort().join(", ")}`)
        for (const details of sent)
          yield* io.out(
            `${details.attributeName}: ${describeDelivery(details)}: verify with \`effect-cognito verify-attribute ${details.attributeName}\``
          )
      })
    )
).pipe(
  Command.withDescription("Set the signed-in user's attributes; a changed email or phone number gets a code"),
  Command.withShortDescription("Set the signed-in user's attributes")
)

/** The `send-attribute-code` command. */
export const sendAttributeCode = Command.make("send-attribute-code", { attributeName }, (c) =>
  withAuth((auth, io) =>
    Effect.gen(function* () {
      const details = yield* io.spin(
        "Sending",
        auth.sendUserAttributeVerificationCode({ attributeName: c.attributeName })
      )
      yield* io.out(`${describeDelivery(details)}: verify with \`effect-cognito verify-attribute ${c.attributeName}\``)
    })
  )
).pipe(
  Command.withDescription("Send a new code to verify the signed-in user's email or phone number"),
  Command.withShortDescription("Send a new code to verify an email or phone number")
)

/** The `verify-attribute` command. */
export const verifyAttribute = Command.make("verify-attribute", { attributeName }, (c) =>
  withAuth((auth, io) =>
    Effect.gen(function* () {
      const confirmationCode = yield* io.secret("Verification code")
      yield* io.spin("Verifying", auth.confirmUserAttribute({ attributeName: c.attributeName, confirmationCode }))
      yield* io.out(`${c.attributeName} verified`)
    })
  )
).pipe(
  Command.withDescription("Verify the signed-in user's email or phone number with the code sent to it"),
  Command.withShortDescription("Verify an email or phone number with the code sent to it")
)

/** The `delete-attributes` command. */
export const deleteAttributes = Command.make(
  "delete-attributes",
  {
    names: Argument.String("attribute").pipe(
      Argument.atLeast(1),
      Argument.withDescription("An attribute to delete (one or more), e.g. nickname custom:badge")
    )
  },
  (c) =>
    withAuth((auth, io) =>
      Effect.gen(function* () {
        const attributeNames = [...c.names]
        yield* io.spin("Deleting", auth.deleteUserAttributes({ attributeNames }))
        yield* io.out(`deleted ${attributeNames.map(printable).join(", ")}`)
      })
    )
).pipe(
  Command.withDescription(
    "Delete attributes of the signed-in user (DeleteUserAttributes); required attributes and sub cannot be deleted"
  ),
  Command.withShortDescription("Delete attributes of the signed-in user")
)
