/**
 * The pending challenge of a sign-in: remembered when Cognito asks one, taken by
 * `confirmSignIn` (refused once expired, by `Clock`), read out as a `PendingSignIn` to
 * save, and set again from a saved one by `resumeSignIn`. Pure rules beside it: which
 * parameters are kept ({@link publicParameters}) and what a resumed challenge asks
 * ({@link stepOf}).
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as Auth from "../Auth.js"
import type * as AuthConfig from "../AuthConfig.js"
import * as AuthError from "../AuthError.js"
import type * as IdentityProvider from "../IdentityProvider.js"
import * as PendingSignIn from "../PendingSignIn.js"
import * as Challenge from "./challenge.js"

type Parameters = Readonly<Record<string, string>>

/**
 * The parameters of SRP's password proof. No challenge that waits for an answer carries
 * them; they are dropped all the same, so a saved sign-in never holds one.
 */
const srpParameters: ReadonlySet<string> = new Set(["SRP_B", "SALT", "SECRET_BLOCK"])

/** The challenge parameters a pending sign-in keeps. */
export const publicParameters = (parameters: Parameters): Parameters =>
  Object.fromEntries(Object.entries(parameters).filter(([name]) => !srpParameters.has(name)))

/**
 * What a resumed challenge asks for, as `signIn` would have returned it. A TOTP setup
 * resumes as `SoftwareTokenMfa`: its secret was shown when it was issued and is never
 * saved, so what is left is the authenticator's code.
 */
export const stepOf = (pending: PendingSignIn.PendingSignIn): Auth.SignInResult | Challenge.Refusal => {
  const interpretation = Challenge.interpret(pending.challengeName, pending.challengeParameters)
  switch (interpretation._tag) {
    case "Wait":
      return interpretation.result
    case "SetUpTotp":
      return Challenge.SignInResult.SoftwareTokenMfa()
    case "WebAuthn":
      // Answered by the authenticator the moment it arrives, so it is never pending.
      return {
        _tag: "Refusal",
        reason: "UnsupportedOperation",
        description: "a passkey step cannot be resumed; sign in again"
      }
    case "Refusal":
      return interpretation
  }
}

/** How the session's lifetime reads in a message: "3 minutes", "90 seconds". */
const lifetime = (validity: Duration.Duration) => {
  const seconds = Math.round(Duration.toSeconds(validity))
  return seconds % 60 === 0 ? `${seconds / 60} minute${seconds === 60 ? "" : "s"}` : `${seconds} seconds`
}

/** The cell of the pending challenge. */
export interface Cell {
  /** The pending challenge, expired or not. */
  readonly get: Effect.Effect<Option.Option<PendingSignIn.PendingSignIn>>
  /** Remembers the challenge Cognito just asked, issued now. */
  readonly remember: (challenge: {
    readonly username: string
    readonly challengeName: IdentityProvider.ChallengeName
    readonly session: Redacted.Redacted<string> | undefined
    readonly parameters: Parameters
  }) => Effect.Effect<void>
  /** The challenge to answer: `NoPendingChallenge` when none, `SessionExpired` (and dropped) once expired. */
  readonly take: (method: string) => Effect.Effect<PendingSignIn.PendingSignIn, AuthError.AuthError>
  /** Makes a saved challenge the pending one and says what it asks. */
  readonly resume: (pending: PendingSignIn.PendingSignIn) => Effect.Effect<Auth.SignInResult, AuthError.AuthError>
  readonly cancel: Effect.Effect<void>
}

export const make = (config: AuthConfig.Validated): Effect.Effect<Cell> =>
  Effect.gen(function* () {
    const ref = yield* Ref.make(Option.none<PendingSignIn.PendingSignIn>())
    const cancel = Ref.set(ref, Option.none())
    const expired = (method: string, pending: PendingSignIn.PendingSignIn) =>
      AuthError.make(
        "SessionExpired",
        method,
        `the ${pending.challengeName} challenge expired at ${pending.expiresAt.toISOString()} (Cognito answers one for ${lifetime(
          config.authSessionValidity
        )}); sign in again`
      )

    const remember: Cell["remember"] = (challenge) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Ref.set(
          ref,
          Option.some(
            new PendingSignIn.PendingSignIn({
              userPoolId: config.userPoolId,
              clientId: config.clientId,
              username: challenge.username,
              challengeName: challenge.challengeName,
              ...(challenge.session === undefined ? {} : { session: challenge.session }),
              challengeParameters: publicParameters(challenge.parameters),
              issuedAt: new Date(now),
              expiresAt: new Date(now + Duration.toMillis(config.authSessionValidity))
            })
          )
        )
      )

    const take: Cell["take"] = (method) =>
      Effect.gen(function* () {
        const waiting = yield* Ref.get(ref)
        if (Option.isNone(waiting))
          return yield* Effect.fail(
            AuthError.make("NoPendingChallenge", method, "no sign-in is waiting for an answer; sign in first")
          )
        if (PendingSignIn.isExpired(waiting.value, yield* Clock.currentTimeMillis)) {
          yield* cancel
          return yield* Effect.fail(expired(method, waiting.value))
        }
        return waiting.value
      })

    const resume: Cell["resume"] = (pending) =>
      Effect.gen(function* () {
        const method = "resumeSignIn"
        if (pending.userPoolId !== config.userPoolId || pending.clientId !== config.clientId)
          return yield* Effect.fail(
            AuthError.make(
              "InvalidInput",
              method,
              `the sign-in was started with app client ${pending.clientId} of ${pending.userPoolId}, not ${config.clientId} of ${config.userPoolId}`
            )
          )
        if (PendingSignIn.isExpired(pending, yield* Clock.currentTimeMillis))
          return yield* Effect.fail(expired(method, pending))
        const step = stepOf(pending)
        if (step._tag === "Refusal") return yield* Effect.fail(AuthError.make(step.reason, method, step.description))
        yield* Ref.set(ref, Option.some(pending))
        return step
      })

    return { get: Ref.get(ref), remember, take, resume, cancel }
  })
