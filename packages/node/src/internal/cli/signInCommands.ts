/**
 * The sign-in commands. `sign-in` answers each challenge at the prompt (SRP or password,
 * or Cognito's choice-based `USER_AUTH` with `--factor`: an email or SMS code, the
 * password; without a factor, the choices Cognito offers, numbered, on a terminal); with
 * `--save-challenge`, or when standard input ends before an answer, it saves the challenge
 * (`pendingFile.ts`) and prints what to answer. `confirm-sign-in` resumes the saved
 * challenge in a new process, asks for its answer, and signs in, or saves and prints the
 * challenge that follows.
 *
 * @internal
 */
import * as Auth from "@effect-cognito/core/Auth"
import type * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as AuthError from "@effect-cognito/core/AuthError"
import type * as PendingSignIn from "@effect-cognito/core/PendingSignIn"
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as BrowserSignIn from "./browserSignIn.js"
import { printable } from "./console.js"
import { CliError } from "./error.js"
import type * as Io from "./io.js"
import * as PendingFile from "./pendingFile.js"
import { booleanFlag, type Connection, describeDelivery, optionalText, username, withAuth } from "./shared.js"

type Failure = AuthError.AuthError | CliError

/** The first factors `--factor` names, as Cognito names them. Passkeys need a browser: none here. */
export const factors = [
  ["email-otp", "EMAIL_OTP"],
  ["sms-otp", "SMS_OTP"],
  ["password", "PASSWORD"],
  ["password-srp", "PASSWORD_SRP"]
] as const satisfies ReadonlyArray<readonly [string, Auth.FirstFactor]>

/** What each first factor is, for the numbered choices. */
const factorDescriptions: Readonly<Record<Auth.FirstFactor, string>> = {
  EMAIL_OTP: "a code sent by email",
  SMS_OTP: "a code sent by SMS",
  PASSWORD: "the password",
  PASSWORD_SRP: "the password, by SRP (it never leaves this machine)",
  WEB_AUTHN: "a passkey"
}

/** The factors of a `SelectChallenge` the CLI can answer (a passkey needs a browser). */
const usableFactors = (available: ReadonlyArray<Auth.FirstFactor>) => available.filter((f) => f !== "WEB_AUTHN")

/** `email-otp|password` for the factors given. */
const asFlags = (available: ReadonlyArray<Auth.FirstFactor>) =>
  available.map((factor) => factors.find(([, f]) => f === factor)?.[0] ?? factor).join("|")

/** The one line when no factor the CLI can use is offered. */
const onlyPasskey = (available: ReadonlyArray<Auth.FirstFactor>) =>
  new CliError({
    message: `Cognito offers ${available.join(", ")} only; a passkey needs a browser (BrowserAuth), not the command line`
  })

/**
 * The first factor the user picks: a number of the list or a factor's name (`EMAIL_OTP`,
 * `email-otp`). Without a terminal, `sign-in` fails naming the choices and `--factor`;
 * `confirm-sign-in` reads the choice from standard input like any answer.
 */
const chooseFactor = (
  io: Io.Io,
  available: ReadonlyArray<Auth.FirstFactor>,
  options: { readonly fromPipe: boolean }
): Effect.Effect<Auth.FirstFactor, CliError> =>
  Effect.gen(function* () {
    const usable = usableFactors(available)
    if (usable.length === 0) return yield* onlyPasskey(available)
    if (!io.interactive && !options.fromPipe)
      return yield* new CliError({
        message: `Cognito offers ${usable.join(", ")}: choose one with --factor ${asFlags(usable)} (standard input is not a terminal to ask on)`,
        usage: true
      })
    if (io.interactive) {
      yield* io.note("Sign in with:")
      for (const [index, factor] of usable.entries())
        yield* io.note(`  ${index + 1}. ${factor} (${factorDescriptions[factor]})`)
    }
    const answer = (yield* io.line(
      io.interactive ? `Choice (1-${usable.length})` : `First factor (${usable.join(", ")})`
    )).trim()
    const byNumber = /^\d+$/.test(answer) ? usable[Number(answer) - 1] : undefined
    const byName = usable.find(
      (factor) =>
        factor === answer.toUpperCase() || factors.some(([flag, f]) => f === factor && flag === answer.toLowerCase())
    )
    const chosen = byNumber ?? byName
    if (chosen === undefined)
      return yield* new CliError({
        message: `expected ${io.interactive ? `a number from 1 to ${usable.length} or ` : ""}one of ${usable.join(", ")}, found ${printable(JSON.stringify(answer))}`
      })
    return chosen
  })

/** The command that answers a saved challenge, with `--local` when the sign-in used it. */
const confirmCommand = (c: Connection) => `effect-cognito confirm-sign-in${c.local ? " --local" : ""}`

/** How long a challenge can be answered, for the user: "3 minutes". */
const lifetime = (pending: PendingSignIn.PendingSignIn) => {
  const minutes = Math.round((pending.expiresAt.getTime() - pending.issuedAt.getTime()) / 60_000)
  return `${minutes} minute${minutes === 1 ? "" : "s"}`
}

/** What to answer next and with which command: the lines `sign-in` and `confirm-sign-in` print. */
export const nextStep = (
  step: Exclude<Auth.SignInResult, { readonly _tag: "SignedIn" }>,
  pending: PendingSignIn.PendingSignIn,
  command: string
): ReadonlyArray<string> => {
  const run = `run \`${command}\` within ${lifetime(pending)}`
  switch (step._tag) {
    case "SmsMfa":
    case "EmailOtp":
    case "SmsOtp":
      return [`${describeDelivery(step.codeDeliveryDetails)}; ${run} to enter it`]
    case "SelectChallenge":
      return [`choose how to sign in (${step.availableChallenges.join(", ")}): ${run}`]
    case "PasswordRequired":
      return [`${run} to enter the password`]
    case "SoftwareTokenMfa":
      return [`${run} to enter the code of your authenticator app`]
    case "SelectMfaType":
      return [`choose an MFA type (${step.allowedMfaTypes.join(", ")}): ${run}`]
    case "MfaSetup":
      return [
        "set up an authenticator app with this URI (or its secret):",
        Auth.totpSetupUri(step.totpSharedSecret, { issuer: "effect-cognito", accountName: pending.username }),
        `then ${run} to enter its code`
      ]
    case "NewPasswordRequired":
      return [
        `a new password is required${
          step.requiredAttributes.length === 0 ? "" : ` (and ${step.requiredAttributes.join(", ")})`
        }: ${run} to set it`
      ]
    case "CustomChallenge":
      return [
        ...Object.entries(step.parameters).map(([name, value]) => printable(`${name}: ${value}`)),
        `${run} to answer`
      ]
  }
}

/**
 * Asks for the answer to one challenge and sends it. `sign-in` says first where a code
 * went; `confirm-sign-in` does not repeat what `sign-in` printed.
 */
const answer = (
  auth: Auth.Auth.Service,
  io: Io.Io,
  step: Auth.SignInResult,
  user: string,
  options: {
    readonly sayWhereCodeWent: boolean
    /** A choice of first factor may come from a pipe (`confirm-sign-in`), or only from a terminal (`sign-in`). */
    readonly choiceFromPipe: boolean
    /** A `USER_AUTH` sign-in, where an email code is the first factor rather than MFA. */
    readonly userAuth?: boolean | undefined
  }
): Effect.Effect<Auth.SignInResult, Failure> =>
  Effect.gen(function* () {
    const send = (label: string, input: Auth.ConfirmSignInInput) => io.spin(label, auth.confirmSignIn(input))
    switch (step._tag) {
      case "SignedIn":
        return step
      case "SmsMfa":
      case "EmailOtp":
        if (options.sayWhereCodeWent) yield* io.note(describeDelivery(step.codeDeliveryDetails))
        return yield* send("Checking the code", {
          challengeResponse: yield* io.secret(options.userAuth === true ? "Sign-in code" : "MFA code")
        })
      case "SmsOtp":
        if (options.sayWhereCodeWent) yield* io.note(describeDelivery(step.codeDeliveryDetails))
        return yield* send("Checking the code", { challengeResponse: yield* io.secret("Sign-in code") })
      case "SelectChallenge": {
        const factor = yield* chooseFactor(io, step.availableChallenges, { fromPipe: options.choiceFromPipe })
        return yield* send(factor === "EMAIL_OTP" || factor === "SMS_OTP" ? "Sending the code" : "Signing in", {
          challengeResponse: Redacted.make(factor)
        })
      }
      case "PasswordRequired":
        return yield* send("Signing in", { challengeResponse: yield* io.secret("Password") })
      case "SoftwareTokenMfa":
        return yield* send("Checking the code", { challengeResponse: yield* io.secret("Authenticator code") })
      case "SelectMfaType": {
        const choice = yield* io.line(`MFA type (${step.allowedMfaTypes.join(", ")})`)
        return yield* send("Sending the code", { challengeResponse: Redacted.make(choice) })
      }
      case "MfaSetup":
        yield* io.note(
          `Set up an authenticator app with this URI (or its secret), then enter its code:\n${Auth.totpSetupUri(
            step.totpSharedSecret,
            { issuer: "effect-cognito", accountName: user }
          )}`
        )
        return yield* send("Checking the code", { challengeResponse: yield* io.secret("Authenticator code") })
      case "NewPasswordRequired": {
        yield* io.note("A new password is required.")
        const password = yield* io.secret("New password")
        const userAttributes: Record<string, string> = {}
        for (const name of step.requiredAttributes) userAttributes[name] = yield* io.line(name)
        return yield* send("Setting the password", { challengeResponse: password, userAttributes })
      }
      case "CustomChallenge": {
        for (const [name, value] of Object.entries(step.parameters)) yield* io.note(printable(`${name}: ${value}`))
        return yield* send("Checking the answer", { challengeResponse: yield* io.secret("Answer") })
      }
    }
  })

/** Saves the pending challenge of `auth` and prints what to answer. */
const saveAndTell = (
  auth: Auth.Auth.Service,
  io: Io.Io,
  config: AuthConfig.Validated,
  step: Exclude<Auth.SignInResult, { readonly _tag: "SignedIn" }>,
  command: string
) =>
  Effect.gen(function* () {
    const pending = yield* auth.pendingSignIn
    if (Option.isNone(pending))
      return yield* new CliError({ message: `Cognito asked for ${step._tag}, but no challenge is pending` })
    yield* PendingFile.save(config, pending.value)
    for (const line of nextStep(step, pending.value, command)) yield* io.out(line)
  })

/** Signed in: the saved challenge goes, and the user is named. */
const signedIn = (auth: Auth.Auth.Service, io: Io.Io, config: AuthConfig.Validated, fallback: string) =>
  Effect.gen(function* () {
    yield* PendingFile.remove(config)
    const who = yield* auth.username
    yield* io.out(`signed in as ${Option.getOrElse(who, () => fallback)}`)
  })

/**
 * The start of a `USER_AUTH` sign-in: the password first for a password factor, nothing
 * for a code (Cognito sends it) or when Cognito is to list the choices.
 */
const userAuthSignIn = (
  auth: Auth.Auth.Service,
  io: Io.Io,
  username: string,
  factor: Auth.FirstFactor | undefined
): Effect.Effect<Auth.SignInResult, Failure> =>
  Effect.gen(function* () {
    const password =
      factor === "PASSWORD" || factor === "PASSWORD_SRP" ? { password: yield* io.secret("Password") } : {}
    return yield* io.spin(
      factor === "EMAIL_OTP" || factor === "SMS_OTP" ? "Sending the code" : "Signing in",
      auth.signIn({
        username,
        flow: "USER_AUTH",
        ...(factor === undefined ? {} : { preferredChallenge: factor }),
        ...password
      })
    )
  })

/** The `sign-in` command. */
export const signIn = Command.make(
  "sign-in",
  {
    username: username.pipe(Argument.optional),
    flow: Flag.Literals("flow", ["srp", "password", "user-auth"]).pipe(
      Flag.optional,
      Flag.withMetavar("srp|password|user-auth"),
      Flag.withDescription(
        "srp (USER_SRP_AUTH, the default: the password never leaves this machine), password (USER_PASSWORD_AUTH) or user-auth (USER_AUTH: choose among the factors Cognito offers)"
      )
    ),
    factor: Flag.ChoiceWithValue("factor", factors).pipe(
      Flag.optional,
      Flag.withMetavar("email-otp|sms-otp|password|password-srp"),
      Flag.withDescription(
        "Sign in with this first factor (USER_AUTH): a code by email or SMS (no password), or the password; without it, --flow user-auth lists what Cognito offers"
      )
    ),
    saveChallenge: booleanFlag(
      "save-challenge",
      "Ask only for the password: save the challenge that follows (MFA code, new password, TOTP setup) and print what to answer, for `effect-cognito confirm-sign-in`"
    ),
    browser: booleanFlag(
      "browser",
      "Sign in through the user pool's domain (hosted UI, COGNITO_DOMAIN) in a browser: prints the URL, waits for the redirect to http://localhost:<port>/callback (served on 127.0.0.1)"
    ),
    provider: optionalText(
      "provider",
      "With --browser: go straight to this identity provider (Google, an OIDC or SAML provider's name)"
    ).pipe(Flag.withMetavar("name")),
    scope: Flag.String("scope").pipe(
      Flag.atLeast(1),
      Flag.optional,
      Flag.withMetavar("scope"),
      Flag.withDescription(
        "With --browser: a scope to ask for (repeat for more; default COGNITO_SCOPES, else openid aws.cognito.signin.user.admin)"
      )
    ),
    port: Flag.Int("port").pipe(
      Flag.withDefault(0),
      Flag.withMetavar("port"),
      Flag.withDescription(
        "With --browser: the port of the redirect http://localhost:<port>/callback (default 0: a free one; real Cognito needs the registered one)"
      )
    ),
    timeout: Flag.Int("timeout").pipe(
      Flag.withDefault(300),
      Flag.withMetavar("seconds"),
      Flag.withDescription("With --browser: how long to wait for the browser to come back")
    )
  },
  (c) =>
    withAuth((auth, io, config, connection) =>
      Effect.gen(function* () {
        // Signed in already: say so before asking for a password that could not be used.
        const who = yield* auth.username
        if (Option.isSome(who))
          return yield* AuthError.make(
            "AlreadySignedIn",
            "signIn",
            `${printable(who.value)} is signed in; sign out first (effect-cognito sign-out)`
          ).pipe(Effect.fail)
        if (c.browser) {
          if (c.port < 0 || c.port > 65535)
            return yield* new CliError({ message: `--port: expected 0 to 65535, found ${c.port}`, usage: true })
          yield* PendingFile.remove(config)
          return yield* BrowserSignIn.signInWithBrowser(auth, io, config, {
            provider: c.provider,
            scopes: Option.getOrUndefined(c.scope),
            port: c.port,
            timeoutSeconds: c.timeout
          })
        }
        if (Option.isNone(c.username))
          return yield* new CliError({
            message: "sign-in: give a username, or --browser to sign in through the user pool's domain",
            usage: true
          })
        const user = c.username.value
        const flow = Option.getOrElse(c.flow, () => (Option.isSome(c.factor) ? "user-auth" : "srp"))
        if (Option.isSome(c.factor) && flow !== "user-auth")
          return yield* new CliError({
            message: `--factor signs in with USER_AUTH: it does not go with --flow ${flow}`,
            usage: true
          })
        let step = yield* flow === "user-auth"
          ? userAuthSignIn(auth, io, user, Option.getOrUndefined(c.factor))
          : Effect.flatMap(io.secret("Password"), (password) =>
              io.spin(
                "Signing in",
                auth.signIn({
                  username: user,
                  password,
                  flow: flow === "srp" ? "USER_SRP_AUTH" : "USER_PASSWORD_AUTH"
                })
              )
            )
        // Each answer leads to the next step; Cognito ends the chain with SignedIn or a failure.
        while (step._tag !== "SignedIn") {
          if (c.saveChallenge) return yield* saveAndTell(auth, io, config, step, confirmCommand(connection))
          const answered = yield* Effect.result(
            answer(auth, io, step, user, {
              sayWhereCodeWent: true,
              choiceFromPipe: false,
              userAuth: flow === "user-auth"
            })
          )
          if (Result.isSuccess(answered)) {
            step = answered.success
            continue
          }
          const error = answered.failure
          if (!(error instanceof CliError && error.endOfInput === true)) return yield* Effect.fail(error)
          // Piped input ran out before this answer: keep the challenge for confirm-sign-in.
          yield* io.note(`${error.message}: the challenge is saved`)
          return yield* saveAndTell(auth, io, config, step, confirmCommand(connection))
        }
        yield* signedIn(auth, io, config, user)
      })
    )
).pipe(
  Command.withDescription(
    "Sign in; prompts for the password, then for whatever Cognito asks (MFA code, new password, TOTP setup), or saves it for confirm-sign-in (--save-challenge, or when standard input ends first). With --factor email-otp or sms-otp, no password: a code is sent and asked for. With --browser, signs in through the user pool's domain (hosted UI or a provider) in a browser instead"
  ),
  Command.withShortDescription("Sign in, answering MFA and other challenges at the prompt")
)

/** The failure of an answer, with what the user can do next. */
const afterFailure = (
  auth: Auth.Auth.Service,
  config: AuthConfig.Validated,
  error: Failure,
  command: string
): Effect.Effect<never, Failure> =>
  Effect.gen(function* () {
    if (!AuthError.isAuthError(error)) return yield* Effect.fail(error)
    const message = error.message.replace(/\.$/, "")
    if (Option.isSome(yield* auth.pendingSignIn))
      return yield* new CliError({ message: `${message}; run \`${command}\` to try again` })
    // Cognito no longer answers this challenge (spent, expired): it goes.
    yield* PendingFile.remove(config)
    return yield* new CliError({
      message: message.endsWith("sign in again") ? message : `${message}; sign in again`
    })
  })

/** The `confirm-sign-in` command. */
export const confirmSignIn = Command.make("confirm-sign-in", {}, () =>
  withAuth((auth, io, config, connection) =>
    Effect.gen(function* () {
      const command = confirmCommand(connection)
      const saved = yield* PendingFile.load(config)
      if (Option.isNone(saved))
        return yield* new CliError({
          message:
            "no sign-in is waiting for an answer; start one with `effect-cognito sign-in <username> --save-challenge`"
        })
      const pending = saved.value
      const step = yield* auth.resumeSignIn(pending).pipe(
        Effect.catch((error) =>
          error.reason === "SessionExpired" ||
          error.reason === "InvalidInput" ||
          error.reason === "UnsupportedOperation"
            ? Effect.andThen(
                PendingFile.remove(config),
                Effect.fail(
                  error.reason === "SessionExpired"
                    ? new CliError({
                        message: `the sign-in of ${pending.username} expired at ${pending.expiresAt.toISOString()} (a challenge can be answered for ${lifetime(
                          pending
                        )}); sign in again with \`effect-cognito sign-in ${pending.username}\``
                      })
                    : error
                )
              )
            : Effect.fail(error)
        )
      )
      const result = yield* answer(auth, io, step, pending.username, {
        sayWhereCodeWent: false,
        choiceFromPipe: true
      }).pipe(Effect.catch((error) => afterFailure(auth, config, error, command)))
      if (result._tag === "SignedIn") return yield* signedIn(auth, io, config, pending.username)
      yield* saveAndTell(auth, io, config, result, command)
    })
  )
).pipe(
  Command.withDescription(
    "Answer the challenge a sign-in saved (a code, an MFA type, a first factor, a password): the answer is read from a hidden prompt or standard input, never from the command line"
  ),
  Command.withShortDescription("Answer the challenge that sign-in --save-challenge saved")
)
