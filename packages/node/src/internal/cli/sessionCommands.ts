/**
 * The session commands: who is signed in, the tokens, sign-out. Sign-in is in
 * `signInCommands.ts`.
 *
 * @internal
 */
import * as AuthError from "@effect-cognito/core/AuthError"
import * as Command from "effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { printable } from "./console.js"
import * as PendingFile from "./pendingFile.js"
import { booleanFlag, claimsOf, json, withAuth } from "./shared.js"

/** The `whoami` command. */
export const whoami = Command.make("whoami", { json }, (c) =>
  withAuth((auth, io) =>
    Effect.gen(function* () {
      const tokens = yield* io.spin("Reading the session", auth.getTokens())
      const attributes = yield* io.spin("Reading the user", auth.getUserAttributes)
      if (c.json) return yield* io.out(JSON.stringify({ username: tokens.username, attributes }, null, 2))
      // What the user pool holds reaches the terminal inert (JSON above escapes it already).
      yield* io.out(printable(tokens.username))
      for (const [name, value] of Object.entries(attributes)) yield* io.out(`  ${printable(name)}=${printable(value)}`)
    })
  )
).pipe(
  Command.withDescription("The signed-in user and their attributes"),
  Command.withShortDescription("Show the signed-in user and their attributes")
)

/** The `tokens` command. */
export const tokens = Command.make(
  "tokens",
  {
    json,
    decode: booleanFlag("decode", "Print the claims of the id and access tokens instead of the tokens")
  },
  (c) =>
    withAuth((auth, io) =>
      Effect.gen(function* () {
        const t = yield* io.spin("Reading the session", auth.getTokens())
        if (c.decode)
          return yield* io.out(
            JSON.stringify({ idToken: claimsOf(t.idToken), accessToken: claimsOf(t.accessToken) }, null, 2)
          )
        if (c.json)
          return yield* io.out(
            JSON.stringify(
              {
                idToken: Redacted.value(t.idToken),
                accessToken: Redacted.value(t.accessToken),
                refreshToken: Redacted.value(t.refreshToken),
                expiresAt: t.expiresAt.toISOString()
              },
              null,
              2
            )
          )
        yield* io.out(`ID_TOKEN=${Redacted.value(t.idToken)}`)
        yield* io.out(`ACCESS_TOKEN=${Redacted.value(t.accessToken)}`)
        yield* io.out(`REFRESH_TOKEN=${Redacted.value(t.refreshToken)}`)
        yield* io.out(`EXPIRES_AT=${t.expiresAt.toISOString()}`)
      })
    )
).pipe(
  Command.withDescription("The session's tokens, refreshed first when they are about to expire"),
  Command.withShortDescription("Print the session's tokens, refreshed when about to expire")
)

/** The `sign-out` command. */
export const signOut = Command.make(
  "sign-out",
  {
    global: booleanFlag("global", "Sign out of every device (GlobalSignOut)")
  },
  (c) =>
    withAuth((auth, io, config) =>
      Effect.gen(function* () {
        // A sign-in waiting for an answer goes too.
        yield* PendingFile.remove(config)
        const who = yield* auth.username
        if (Option.isNone(who))
          return yield* AuthError.make("NotSignedIn", "signOut", "no user is signed in").pipe(Effect.fail)
        yield* io.spin("Signing out", auth.signOut({ global: c.global }))
        yield* io.out(`signed out ${who.value}${c.global ? " everywhere" : ""}`)
      })
    )
).pipe(Command.withDescription("Sign out: revoke the refresh token and forget the session"))
