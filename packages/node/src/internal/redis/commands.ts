/**
 * What the Redis token store and session lock share: commands bounded by a timeout, whose
 * failures (a `RedisError`, no answer in time) are `Storage` errors naming the operation
 * and never a value; and the checks of their options.
 *
 * @internal
 */
import * as AuthError from "@effect-cognito/core/AuthError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Redis from "effect/persistence/Redis"

/**
 * Runs one Redis operation: a `RedisError` becomes `Storage` (the client's error as the
 * cause: node-redis' messages hold no command arguments), and past `timeoutMillis` it is
 * abandoned with `Storage`, so a Redis that does not answer never holds a caller longer.
 */
export const run = <A>(
  method: string,
  operation: string,
  timeoutMillis: number,
  effect: Effect.Effect<A, Redis.RedisError>
): Effect.Effect<A, AuthError.AuthError> =>
  effect.pipe(
    Effect.mapError((cause) => AuthError.make("Storage", method, `Redis failed to ${operation}`, { cause })),
    Effect.timeoutOrElse({
      duration: timeoutMillis,
      orElse: () =>
        Effect.fail(AuthError.make("Storage", method, `Redis did not answer within ${timeoutMillis} ms (${operation})`))
    })
  )

/** A duration option in milliseconds: finite and above zero, or `InvalidConfig` naming the option. */
export const positiveMillis = (
  method: string,
  field: string,
  value: Duration.Input | undefined,
  fallbackMillis: number
): Effect.Effect<number, AuthError.AuthError> => {
  if (value === undefined) return Effect.succeed(fallbackMillis)
  const decoded = Duration.fromInput(value)
  const millis = decoded._tag === "Some" && Duration.isFinite(decoded.value) ? Duration.toMillis(decoded.value) : NaN
  return Number.isFinite(millis) && millis >= 1
    ? Effect.succeed(Math.floor(millis))
    : Effect.fail(AuthError.make("InvalidConfig", method, `${field}: expected a finite duration of 1 ms or more`))
}

/** A key prefix: printable ASCII without spaces, at most 128 characters (it names keys and channels). */
export const validPrefix = (method: string, prefix: string | undefined): Effect.Effect<string, AuthError.AuthError> =>
  prefix === undefined
    ? Effect.succeed("")
    : typeof prefix === "string" && /^[\x21-\x7e]{0,128}$/.test(prefix)
      ? Effect.succeed(prefix)
      : Effect.fail(
          AuthError.make("InvalidConfig", method, "prefix: expected up to 128 printable ASCII characters, no spaces")
        )
