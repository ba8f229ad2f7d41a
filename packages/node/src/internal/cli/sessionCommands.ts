/**
 * The session commands: sign-in (answering every challenge at the prompt), who is signed
 * in, the tokens, sign-out.
 *
 * @internal
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthError from "@effect-cognito/core/AuthError"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { CliError } from "./error.js"
import type * as Io from "./io.js"
import { connection, json, username, withAuth, describeDelivery, claimsOf } from "./shared.js"

// ---------------------------------------------------------------------------
// Sign-in: answers every challenge at the prompt
// ---------------------------------------------------------------------------

const answerChallenges = (
  auth: Auth.Auth.Service,
  io: Io.Io,
  first: Auth.SignInResult,
  username: string
): Effect.Effect<void, AuthError.AuthError | CliError> =>
  Effect.gen(function* () {
    let result = first
    // Each answer leads to the next step; Cognito ends the chain with SignedIn or a failure.
    for (;;) {
      switch (result._tag) {
        case "SignedIn":
          return
        case "SmsMfa":
        case "EmailOtp": {
          yield* io.note(describeDelivery(result.codeDeliveryDetails))
          const code = yield* io.secret("MFA code")
          result = yield* io.spin("Checking the code", auth.confirmSignIn({ challengeResponse: code }))
          break
        }
        case "SoftwareTokenMfa": {
          const code = yield* io.secret("Authenticator code")
          result = yield* io.spin("Checking the code", auth.confirmSignIn({ challengeResponse: code }))
          break
        }
        case "SelectMfaType": {
          const choice = yield* io.line(`MFA type (${result.allowedMfaTypes.join(", ")})`)
          result = yield* io.spin("Sending the code", auth.confirmSignIn({ challengeResponse: Redacted.make(choice) }))
          break
        }
        case "MfaSetup": {
          if (!result.allowedMfaTypes.includes("TOTP"))
            return yield* new CliError({
              message: `sign-in: the pool asks to set up ${result.allowedMfaTypes.join(" or ")} MFA, which the CLI cannot; only TOTP`
            })
          yield* io.note(
            `Set up an authenticator app with this URI (or its secret), then enter its code:\n${Auth.totpSetupUri(
              result.totpSharedSecret,
              { issuer: "effect-cognito", accountName: username }
            )}`
          )
          const code = yield* io.secret("Authenticator code")
          result = yield* io.spin("Checking the code", auth.confirmSignIn({ challengeResponse: code }))
          break
        }
        case "NewPasswordRequired": {
          yield* io.note("A new password is required.")
          const password = yield* io.secret("New password")
          const userAttributes: Record<string, string> = {}
          for (const name of result.requiredAttributes) userAttributes[name] = yield* io.line(name)
          result = yield* io.spin(
            "Setting the password",
            auth.confirmSignIn({ challengeResponse: password, userAttributes })
          )
          break
        }
        case "CustomChallenge": {
          for (const [name, value] of Object.entries(result.parameters)) yield* io.note(`${name}: ${value}`)
          const answer = yield* io.secret("Answer")
          result = yield* io.spin("Checking the answer", auth.confirmSignIn({ challengeResponse: answer }))
          break
        }
      }
    }
  })

/** The `sign-in` command. */
export const signIn = Command.make(
  "sign-in",
  {
    ...connection,
    username,
    flow: Options.choice("flow", ["srp", "password"]).pipe(
      Options.withDefault("srp" as const),
      Options.withDescription(
        "srp (USER_SRP_AUTH: the password never leaves this machine) or password (USER_PASSWORD_AUTH)"
      )
    )
  },
  (c) =>
    withAuth(c, (auth, io) =>
      Effect.gen(function* () {
        const password = yield* io.secret("Password")
        const flow = c.flow === "srp" ? "USER_SRP_AUTH" : "USER_PASSWORD_AUTH"
        const result = yield* io.spin("Signing in", auth.signIn({ username: c.username, password, flow }))
        yield* answerChallenges(auth, io, result, c.username)
        const signedIn = yield* auth.username
        yield* io.out(`signed in as ${Option.getOrElse(signedIn, () => c.username)}`)
      })
    )
).pipe(
  Command.withDescription(
    "Sign in; prompts for the password, then for whatever Cognito asks (MFA code, new password, TOTP setup)"
  )
)

/** The `whoami` command. */
export const whoami = Command.make("whoami", { ...connection, json }, (c) =>
  withAuth(c, (auth, io) =>
    Effect.gen(function* () {
      const tokens = yield* io.spin("Reading the session", auth.getTokens())
      const attributes = yield* io.spin("Reading the user", auth.getUserAttributes)
      if (c.json) return yield* io.out(JSON.stringify({ username: tokens.username, attributes }, null, 2))
      yield* io.out(tokens.username)
      for (const [name, value] of Object.entries(attributes)) yield* io.out(`  ${name}=${value}`)
    })
  )
).pipe(Command.withDescription("The signed-in user and their attributes"))

/** The `tokens` command. */
export const tokens = Command.make(
  "tokens",
  {
    ...connection,
    json,
    decode: Options.boolean("decode").pipe(
      Options.withDescription("Print the claims of the id and access tokens instead of the tokens")
    )
  },
  (c) =>
    withAuth(c, (auth, io) =>
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
).pipe(Command.withDescription("The session's tokens, refreshed first when they are about to expire"))

/** The `sign-out` command. */
export const signOut = Command.make(
  "sign-out",
  {
    ...connection,
    global: Options.boolean("global").pipe(Options.withDescription("Sign out of every device (GlobalSignOut)"))
  },
  (c) =>
    withAuth(c, (auth, io) =>
      Effect.gen(function* () {
        const who = yield* auth.username
        if (Option.isNone(who))
          return yield* AuthError.make("NotSignedIn", "signOut", "no user is signed in").pipe(Effect.fail)
        yield* io.spin("Signing out", auth.signOut({ global: c.global }))
        yield* io.out(`signed out ${who.value}${c.global ? " everywhere" : ""}`)
      })
    )
).pipe(Command.withDescription("Sign out: revoke the refresh token and forget the session"))
