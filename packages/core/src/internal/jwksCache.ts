/**
 * The JWKS of one user pool, fetched through the abstract `HttpClient` and kept for the
 * verifier's life, as aws-jwt-verify keeps it:
 *
 * - one fetch at a time: callers that need the set while it is being fetched wait for
 *   that fetch (1000 verifications at start make one request). The fetch runs in the
 *   verifier's scope, so a caller that gives up (interrupted, timed out) does not cancel
 *   it for the others;
 * - a `kid` the set does not have refetches it (a rotated key is picked up at once), and a
 *   refetch that still lacks the kid (or fails) starts a cooldown during which unknown
 *   kids are refused without a request, so tokens with made-up kids cannot flood the
 *   endpoint. A set never loaded is fetched whenever one is needed;
 * - a fetch that answers anything but 200 with a JSON Web Key Set, a body over
 *   `maxResponseBytes` or nothing within `timeout` (by `Clock`, so `TestClock` drives it)
 *   fails with the `jwks` check and leaves the keys already loaded in place.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as HttpClient from "effect/http/HttpClient"
import * as Jwks from "effect/jose/Jwks"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as JwtVerificationError from "../JwtVerificationError.js"
import { readBody } from "./awsJson.js"
import { decodeJson } from "./encoding.js"
import * as SchemaIssues from "./schemaIssues.js"

/** A key of the set, as `effect/jose` decodes it (keys of other families are kept, never used). */
export type Key = Jwks.KeySet["keys"][number]

export interface Options {
  readonly url: string
  readonly timeout: Duration.Duration
  readonly cooldown: Duration.Duration
  readonly maxResponseBytes: number
}

export interface KeyCache {
  /** The key with this `kid`: from the set, or after one (shared) fetch when the set lacks it. */
  readonly key: (kid: string) => Effect.Effect<Key, JwtVerificationError.JwtVerificationError>
  /** Fetches the set now, or waits for the fetch in flight. */
  readonly load: Effect.Effect<void, JwtVerificationError.JwtVerificationError>
}

const decodeKeySet = Schema.decodeUnknownExit(Jwks.KeySet)

/** The keys of a set by `kid`; the first of several with one `kid` wins, as in aws-jwt-verify. */
const byKid = (keySet: Jwks.KeySet): ReadonlyMap<string, Key> => {
  const keys = new Map<string, Key>()
  for (const key of keySet.keys) if (typeof key.kid === "string" && !keys.has(key.kid)) keys.set(key.kid, key)
  return keys
}

export const make = (client: HttpClient.HttpClient, scope: Scope.Scope, options: Options): KeyCache => {
  const { url } = options
  const failure = (description: string, cause?: unknown) =>
    JwtVerificationError.make("jwks", `the JWKS at ${url}: ${description}`, cause)

  const fetchSet: Effect.Effect<ReadonlyMap<string, Key>, JwtVerificationError.JwtVerificationError> = Effect.gen(
    function* () {
      const response = yield* client.get(url, { headers: { accept: "application/json" } })
      if (response.status !== 200) return yield* Effect.fail(failure(`answered HTTP ${response.status}`))
      const text = yield* Effect.mapError(readBody("JWKS", response, options.maxResponseBytes), (error) =>
        failure(error.description ?? error.message, error.cause)
      )
      const json = decodeJson(text)
      if (Result.isFailure(json)) return yield* Effect.fail(failure("the body is not JSON"))
      const decoded = decodeKeySet(json.success)
      if (Exit.isFailure(decoded))
        return yield* Effect.fail(
          failure(
            `not a JSON Web Key Set (${Option.match(Exit.findErrorOption(decoded), {
              onNone: () => "it does not decode",
              onSome: SchemaIssues.describe
            })})`
          )
        )
      return byKid(decoded.value)
    }
  ).pipe(
    Effect.catchTag("HttpClientError", (error) =>
      Effect.fail(failure(`the request failed (${error.reason._tag})`, error.reason.cause))
    ),
    Effect.timeoutOrElse({
      duration: options.timeout,
      orElse: () => Effect.fail(failure(`no answer within ${Duration.format(options.timeout)}`))
    })
  )

  let keys: ReadonlyMap<string, Key> | undefined
  let inFlight: Deferred.Deferred<ReadonlyMap<string, Key>, JwtVerificationError.JwtVerificationError> | undefined
  /** Until when (ms, by `Clock`) an unknown kid is refused without a refetch. */
  let coolingUntil = Number.NEGATIVE_INFINITY
  const closed = Exit.fail(failure("the verifier was closed"))

  /** The set after a fetch: the one in flight, or a new one forked into the verifier's scope. */
  const fetchShared = Effect.uninterruptibleMask((restore) =>
    Effect.suspend(() => {
      if (inFlight !== undefined) return restore(Deferred.await(inFlight))
      const deferred = Deferred.makeUnsafe<ReadonlyMap<string, Key>, JwtVerificationError.JwtVerificationError>()
      inFlight = deferred
      return fetchSet.pipe(
        Effect.onExit((exit) =>
          Effect.sync(() => {
            inFlight = undefined
            if (Exit.isSuccess(exit)) keys = exit.value
            Deferred.doneUnsafe(deferred, Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause) ? closed : exit)
          })
        ),
        Effect.forkIn(scope),
        Effect.andThen(restore(Deferred.await(deferred)))
      )
    })
  )

  const unknownKid = (kid: string, why: string) =>
    JwtVerificationError.make("kid", `no key of the JWKS at ${url} has kid ${JSON.stringify(kid.slice(0, 200))}${why}`)

  const key = (kid: string): Effect.Effect<Key, JwtVerificationError.JwtVerificationError> =>
    Effect.suspend(() => {
      const found = keys?.get(kid)
      if (found !== undefined) return Effect.succeed(found)
      return Effect.flatMap(Clock.currentTimeMillis, (now) => {
        if (keys !== undefined && now < coolingUntil)
          return Effect.fail(unknownKid(kid, " (not refetched: the last refetch for an unknown kid was too recent)"))
        const hadKeys = keys !== undefined
        return fetchShared.pipe(
          Effect.tapError(() =>
            Effect.sync(() => {
              if (hadKeys) coolingUntil = now + Duration.toMillis(options.cooldown)
            })
          ),
          Effect.flatMap((fetched) => {
            const fresh = fetched.get(kid)
            if (fresh !== undefined) return Effect.succeed(fresh)
            coolingUntil = now + Duration.toMillis(options.cooldown)
            return Effect.fail(unknownKid(kid, ""))
          })
        )
      })
    })

  return { key, load: Effect.asVoid(fetchShared) }
}
