/**
 * Choice-based sign-in (`USER_AUTH`) as pure rules, and the session `confirmSignUp` leaves
 * for `autoSignIn`.
 *
 * `SELECT_CHALLENGE` lists its factors in the response's top-level `AvailableChallenges`;
 * the client keeps them among the challenge's parameters as {@link availableChallengesKey}
 * (a JSON list), so a pending (or saved) selection still knows them.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Result from "effect/Result"
import * as AuthError from "../AuthError.js"
import * as IdentityProvider from "../IdentityProvider.js"
import { parseStringList } from "./encoding.js"

type Parameters = Readonly<Record<string, string>>
type FirstFactor = IdentityProvider.FirstFactor

/** The parameter that keeps `SELECT_CHALLENGE`'s `AvailableChallenges`. */
export const availableChallengesKey = "AVAILABLE_CHALLENGES"

/** The first factor a string names, if it names one. */
export const firstFactorOf = (value: string): FirstFactor | undefined =>
  (IdentityProvider.firstFactors as ReadonlyArray<string>).includes(value) ? (value as FirstFactor) : undefined

/** The first factors a challenge's parameters offer (names this client does not know are skipped). */
export const availableFactors = (parameters: Parameters): ReadonlyArray<FirstFactor> =>
  parseStringList(parameters[availableChallengesKey]).flatMap((name) => {
    const factor = firstFactorOf(name)
    return factor === undefined ? [] : [factor]
  })

/** A challenge's parameters with its top-level `AvailableChallenges` kept among them. */
export const parametersOf = (response: {
  readonly parameters: Parameters
  readonly availableChallenges?: ReadonlyArray<string> | undefined
}): Parameters =>
  response.availableChallenges === undefined
    ? response.parameters
    : { ...response.parameters, [availableChallengesKey]: JSON.stringify(response.availableChallenges) }

/**
 * The factor to prefer: the caller's, else `PASSWORD_SRP` when a password was given (it
 * never leaves the process), else none (Cognito answers `SELECT_CHALLENGE`).
 */
export const preferredFactor = (preferred: FirstFactor | undefined, hasPassword: boolean): FirstFactor | undefined =>
  preferred ?? (hasPassword ? "PASSWORD_SRP" : undefined)

/** Is this factor answered with the password? */
export const isPasswordFactor = (factor: FirstFactor | undefined): factor is "PASSWORD" | "PASSWORD_SRP" =>
  factor === "PASSWORD" || factor === "PASSWORD_SRP"

/** ConfirmSignUp's session, kept in memory for `autoSignIn`. */
export interface AutoSignInSession {
  readonly username: string
  readonly session: Redacted.Redacted<string>
  /** Epoch milliseconds, by `Clock`. */
  readonly expiresAt: number
}

/** The kept session: set by `confirmSignUp`, taken once by `autoSignIn`. */
export interface AutoSignInCell {
  readonly keep: (username: string, session: Redacted.Redacted<string>) => Effect.Effect<void>
  /**
   * Takes the session (it is single-use): `AutoSignInUnavailable` when there is none or it
   * was kept for another user, `SessionExpired` once expired.
   */
  readonly take: (username: string | undefined) => Effect.Effect<AutoSignInSession, AuthError.AuthError>
  readonly clear: Effect.Effect<void>
}

/** A new cell; an `Auth` session makes it at its first `confirmSignUp` that brings a session. */
export const makeAutoSignInCell = (validity: Duration.Duration): AutoSignInCell => {
  const ref = Ref.makeUnsafe<AutoSignInSession | undefined>(undefined)
  return {
    keep: (username, session) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Ref.set(ref, { username, session, expiresAt: now + Duration.toMillis(validity) })
      ),
    take: (username) =>
      Effect.gen(function* () {
        const method = "autoSignIn"
        const kept = yield* Ref.getAndSet(ref, undefined)
        if (kept === undefined)
          return yield* Effect.fail(
            AuthError.make(
              "AutoSignInUnavailable",
              method,
              "no confirmed sign-up left a session to sign in with (or it was used); sign in"
            )
          )
        if (username !== undefined && username !== kept.username) {
          yield* Ref.set(ref, kept)
          return yield* Effect.fail(
            AuthError.make("AutoSignInUnavailable", method, "the confirmed sign-up was another user's; sign in")
          )
        }
        if ((yield* Clock.currentTimeMillis) >= kept.expiresAt)
          return yield* Effect.fail(
            AuthError.make("SessionExpired", method, "the session of the confirmed sign-up expired; sign in")
          )
        return kept
      }),
    clear: Ref.set(ref, undefined)
  }
}

/**
 * The factor `signIn` prefers for `USER_AUTH` (see {@link preferredFactor}); a
 * `preferredChallenge` that is not a first factor, or a password with a factor that takes
 * none, is `InvalidInput`.
 */
export const preferredOf = (
  method: string,
  input: { readonly preferredChallenge?: unknown; readonly password?: unknown }
): Result.Result<FirstFactor | undefined, AuthError.AuthError> => {
  const preferred = input.preferredChallenge
  if (preferred !== undefined && (typeof preferred !== "string" || firstFactorOf(preferred) === undefined))
    return Result.fail(
      AuthError.make(
        "InvalidInput",
        method,
        `preferredChallenge: expected one of ${IdentityProvider.firstFactors.join(", ")}`
      )
    )
  const factor = preferredFactor(preferred as FirstFactor | undefined, input.password !== undefined)
  if (input.password !== undefined && !isPasswordFactor(factor))
    return Result.fail(
      AuthError.make("InvalidInput", method, `a password goes with the PASSWORD or PASSWORD_SRP factor, not ${factor}`)
    )
  return Result.succeed(factor)
}
