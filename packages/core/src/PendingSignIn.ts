/**
 * A sign-in that waits for an answer, as a value to save and resume: `auth.pendingSignIn`
 * reads it after `signIn` (or `confirmSignIn`) returned a challenge, and
 * `auth.resumeSignIn(pending)` makes it the pending challenge of another `Auth` (another
 * process, another request of a stateless server), so `confirmSignIn` answers it there.
 *
 * Cognito answers a challenge for a few minutes only (the app client's
 * `AuthSessionValidity`, 3 minutes unless changed; `AuthConfig.authSessionValidity`):
 * a pending sign-in carries when it was issued and when it expires, by `Clock`, and an
 * expired one gives `SessionExpired` without a request.
 *
 * **The encoded form holds Cognito's `Session` in clear** — it must, to be answered — so
 * whoever reads it can answer the challenge until it expires. Keep it as private as the
 * tokens (a file of mode 0600, a server-side session; never a URL, a log or a shared
 * cache) and delete it once answered. It never holds the password, an answer, or the
 * TOTP secret of an MFA setup (that is shown once, in `SignInResult.MfaSetup`). In memory
 * the session is `Redacted`: `String(pending)` and `JSON.stringify(pending)` hide it.
 *
 * @example
 * ```ts
 * import * as Auth from "@effect-cognito/core/Auth"
 * import * as PendingSignIn from "@effect-cognito/core/PendingSignIn"
 * import * as Effect from "effect/Effect"
 * import * as Option from "effect/Option"
 * import type * as Redacted from "effect/Redacted"
 *
 * // After `signIn` returned a challenge: the text to keep, privately (none when nothing is pending).
 * const save = Effect.gen(function* () {
 *   const pending = yield* (yield* Auth.Auth).pendingSignIn
 *   return Option.isSome(pending) ? Option.some(yield* PendingSignIn.toJson(pending.value)) : Option.none<string>()
 * })
 *
 * // Later, in a fresh `Auth` (another request, another process): answer it.
 * const answer = (text: string, code: Redacted.Redacted<string>) =>
 *   Effect.gen(function* () {
 *     const auth = yield* Auth.Auth
 *     yield* auth.resumeSignIn(yield* PendingSignIn.fromJson(text))
 *     return yield* auth.confirmSignIn({ challengeResponse: code })
 *   })
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaTransformation from "effect/SchemaTransformation"
import * as AuthError from "./AuthError.js"
import { challengeNames } from "./IdentityProvider.js"
import * as SchemaIssues from "./internal/schemaIssues.js"
import { describeProblem } from "./TokenStore.js"

/**
 * A `Date` as an ISO string. Its validity is a check, not part of its type (as with
 * Effect 3's `Schema.Date`): a value built with `disableChecks` may hold an invalid date,
 * and {@link toJson} refuses it instead of the constructor throwing.
 */
const IsoDate = Schema.String.pipe(
  Schema.decodeTo(
    Schema.instanceOf(globalThis.Date).check(
      Schema.makeFilter((date: Date) => !Number.isNaN(date.getTime()), { expected: "a valid Date" })
    ),
    SchemaTransformation.dateFromString
  )
)

/** A challenge waiting for `confirmSignIn`. */
export class PendingSignIn extends Schema.Class<PendingSignIn>("@effect-cognito/core/PendingSignIn")({
  /** The user pool the sign-in was started with. */
  userPoolId: Schema.String,
  /** The app client the sign-in was started with; only that client can answer it. */
  clientId: Schema.String,
  /** Cognito's username (the `USERNAME` the answer carries), not an alias the user typed. */
  username: Schema.String,
  /** The challenge to answer. */
  challengeName: Schema.Literals(challengeNames),
  /** Cognito's `Session` of the challenge: a secret until it expires. */
  session: Schema.optional(Schema.RedactedFromValue(Schema.String)),
  /**
   * Cognito's public parameters of the challenge (where a code went, the MFA types to
   * choose from, the required attributes, a custom challenge's public parameters), from
   * which `resumeSignIn` tells what to answer.
   */
  challengeParameters: Schema.Record(Schema.String, Schema.String),
  /** When the challenge arrived, by `Clock`. */
  issuedAt: IsoDate,
  /** When Cognito stops answering it: `issuedAt` plus the app client's `AuthSessionValidity`. */
  expiresAt: IsoDate
}) {}

/** The current format of {@link toJson}. */
export const version = 1

const Stored = Schema.fromJsonString(Schema.Struct({ version: Schema.Literal(version), pendingSignIn: PendingSignIn }))

/** Refuses text nested deeper than the JSON depth bound before parsing it. */
const decodeStored = SchemaIssues.jsonTextDecoder(Stored)

/** Is the challenge past its expiry at `nowMillis` (epoch milliseconds, from `Clock`)? */
export const isExpired = (pending: PendingSignIn, nowMillis: number): boolean =>
  nowMillis >= pending.expiresAt.getTime()

/**
 * The JSON to save: `{ "version": 1, "pendingSignIn": { … } }`. It holds the session in
 * clear (see the module comment). Fails with `InvalidInput` for a value that is not a
 * valid `PendingSignIn` (built by hand with an invalid date, say).
 */
export const toJson = (pending: PendingSignIn): Effect.Effect<string, AuthError.AuthError> =>
  Schema.encodeEffect(Stored)({ version, pendingSignIn: pending }).pipe(
    Effect.mapError((error) =>
      AuthError.make("InvalidInput", "PendingSignIn.toJson", `not a valid pending sign-in: ${describeProblem(error)}`)
    )
  )

/**
 * Reads what {@link toJson} wrote. Anything else (not JSON, JSON nested deeper than 64
 * levels, another version, a missing or malformed field) fails with `InvalidInput`, saying
 * where it is wrong, never what it holds.
 */
export const fromJson = (text: string): Effect.Effect<PendingSignIn, AuthError.AuthError> =>
  Effect.suspend(() => {
    const decoded = decodeStored(text)
    return Result.isSuccess(decoded)
      ? Effect.succeed(decoded.success.pendingSignIn)
      : Effect.fail(
          AuthError.make(
            "InvalidInput",
            "PendingSignIn.fromJson",
            `not a saved sign-in (${decoded.failure}); sign in again`
          )
        )
  })
