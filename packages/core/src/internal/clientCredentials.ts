/**
 * `ClientCredentials`: the options checked once, one cached token, and single flight.
 *
 * The cache is a plain cell read with `Clock` on the hot path. A caller that finds no
 * token good for `renewBefore` more joins the request in flight, or starts one: the
 * request runs in the service's scope (so no caller's interruption cancels it for the
 * others) and completes a `Deferred` every waiting caller reads. A failed request is not
 * cached: the next caller tries again.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpClient from "effect/http/HttpClient"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import type * as Scope from "effect/Scope"
import * as AuthError from "../AuthError.js"
import * as AwsSigning from "../AwsSigning.js"
import type * as ClientCredentials from "../ClientCredentials.js"
import * as check from "./authConfigCheck.js"
import { describeConfigError, scopesFromText } from "./authConfigVariables.js"
import * as Token from "./oauthToken.js"

const method = "ClientCredentials"

/** The options, validated. */
interface Settings {
  readonly endpoint: Token.Endpoint
  readonly scopes: ReadonlyArray<string>
  readonly renewBeforeMillis: number
}

/** Checks the options; `InvalidConfig` names every problem at once (never the secret). */
export const settingsOf = (options: ClientCredentials.Options): Effect.Effect<Settings, AuthError.AuthError> =>
  Effect.suspend(() => {
    const raw: { readonly [K in keyof ClientCredentials.Options]?: unknown } =
      typeof options === "object" && options !== null ? options : {}
    const problems: Array<string> = []
    const take = <A>(result: Result.Result<A, string>): A | undefined => {
      if (Result.isSuccess(result)) return result.success
      problems.push(result.failure)
      return undefined
    }
    let domain: string | undefined
    const domainProblem = check.endpointProblem(raw.domain)
    if (domainProblem !== undefined)
      problems.push(`domain: expected ${domainProblem.expected}, found ${domainProblem.found}`)
    else {
      const url = new URL(raw.domain as string)
      if (url.search !== "" || url.hash !== "")
        problems.push(
          `domain: expected the domain's base URL without a query or fragment, found ${check.show(raw.domain)}`
        )
      else domain = url.href.replace(/\/+$/, "")
    }
    if (typeof raw.clientId !== "string" || !check.clientIdPattern.test(raw.clientId))
      problems.push(`clientId: expected 1 to 128 letters, digits, _ or +, found ${check.show(raw.clientId)}`)
    const secret = raw.clientSecret
    if (!(Redacted.isRedacted(secret) && typeof Redacted.value(secret) === "string" && Redacted.value(secret) !== ""))
      problems.push("clientSecret: expected a Redacted, non-empty secret (not shown)")
    const scopes: Array<string> = []
    if (raw.scopes !== undefined) {
      if (!Array.isArray(raw.scopes))
        problems.push(`scopes: expected a list of scopes, found ${check.show(raw.scopes)}`)
      else
        for (const scope of raw.scopes as ReadonlyArray<unknown>) {
          if (typeof scope !== "string" || !check.scopePattern.test(scope)) {
            problems.push(`scopes: expected scopes of printable characters without spaces, found ${check.show(scope)}`)
            break
          }
          if (!scopes.includes(scope)) scopes.push(scope)
        }
    }
    const renewBefore = take(check.duration("renewBefore", raw.renewBefore, Duration.minutes(1), { positive: false }))
    const timeout = take(check.duration("requestTimeout", raw.requestTimeout, Duration.seconds(10), { positive: true }))
    const maxResponseBytes = take(check.byteCount("maxResponseBytes", raw.maxResponseBytes, 1024 * 1024))
    if (problems.length > 0 || domain === undefined || renewBefore === undefined || timeout === undefined)
      return Effect.fail(AuthError.make("InvalidConfig", method, problems.join("; ")))
    return Effect.succeed({
      endpoint: {
        domain,
        clientId: raw.clientId as string,
        clientSecret: secret as Redacted.Redacted<string>,
        timeout,
        maxResponseBytes: maxResponseBytes!
      },
      scopes,
      renewBeforeMillis: Duration.toMillis(renewBefore)
    })
  })

/** A cached token and when it stops being good (device clock, ms). */
interface Cached {
  readonly token: ClientCredentials.AccessToken
  readonly renewAtMillis: number
}

/** Is the cached token good at `nowMillis`? */
export const isFresh = (cached: Cached | undefined, nowMillis: number): cached is Cached =>
  cached !== undefined && nowMillis < cached.renewAtMillis

export const make = (
  options: ClientCredentials.Options
): Effect.Effect<
  ClientCredentials.ClientCredentials.Service,
  AuthError.AuthError,
  HttpClient.HttpClient | Scope.Scope
> =>
  Effect.gen(function* () {
    const settings = yield* settingsOf(options)
    const client = yield* HttpClient.HttpClient
    const scope = yield* Effect.scope
    const state: { cached: Cached | undefined; inflight: Deferred.Deferred<Cached, AuthError.AuthError> | undefined } =
      { cached: undefined, inflight: undefined }

    const request = Effect.gen(function* () {
      const answer = yield* Token.requestTokens(client, settings.endpoint, "ClientCredentials.token", {
        grant_type: "client_credentials",
        client_id: settings.endpoint.clientId,
        scope: settings.scopes.length === 0 ? undefined : settings.scopes.join(" ")
      })
      const now = yield* Clock.currentTimeMillis
      const lifetimeMillis = answer.expiresIn * 1000
      // A margin at least the token's lifetime would renew on every call: it is capped at half of it.
      const margin = Math.min(settings.renewBeforeMillis, lifetimeMillis / 2)
      return {
        token: {
          accessToken: answer.accessToken,
          tokenType: answer.tokenType,
          expiresAt: new Date(now + lifetimeMillis),
          scopes: answer.scope === undefined ? settings.scopes : answer.scope.split(" ").filter((s) => s !== "")
        },
        renewAtMillis: now + lifetimeMillis - margin
      } satisfies Cached
    })

    /** Joins the request in flight, or starts one in the service's scope. */
    const renew: Effect.Effect<Cached, AuthError.AuthError> = Effect.suspend(() => {
      const running = state.inflight
      if (running !== undefined) return Deferred.await(running)
      const deferred = Deferred.makeUnsafe<Cached, AuthError.AuthError>()
      state.inflight = deferred
      return request.pipe(
        Effect.onExit((exit) =>
          Effect.suspend(() => {
            state.inflight = undefined
            if (Exit.isSuccess(exit)) state.cached = exit.value
            return Deferred.done(deferred, exit)
          })
        ),
        Effect.forkIn(scope),
        Effect.andThen(Deferred.await(deferred))
      )
    })

    const token: ClientCredentials.ClientCredentials.Service["token"] = (tokenOptions) =>
      Effect.clockWith((clock) => {
        const cached = state.cached
        if (tokenOptions?.forceRefresh !== true && isFresh(cached, clock.currentTimeMillisUnsafe()))
          return Effect.succeed(cached.token)
        return Effect.map(renew, (fresh) => fresh.token)
      })

    return {
      token,
      bearer: (inner) =>
        AwsSigning.bearer(inner, {
          token: "access",
          method: "ClientCredentials.bearer",
          // A refused token renews the cache only while it is still the cached one: concurrent
          // callers refused with the same token share one renewal, later ones take its result.
          getTokens: (forceRefresh, refused) =>
            Effect.suspend(() => {
              const stale =
                refused === undefined ||
                state.inflight !== undefined ||
                (state.cached !== undefined &&
                  Redacted.value(state.cached.token.accessToken) === Redacted.value(refused))
              return Effect.map(token({ forceRefresh: forceRefresh && stale }), (fresh) => ({
                accessToken: fresh.accessToken,
                idToken: fresh.accessToken
              }))
            })
        })
    } satisfies ClientCredentials.ClientCredentials.Service
  })

/** The `COGNITO_*` variables of a client-credentials client. */
export const config: Config.Config<ClientCredentials.Options> = /* @__PURE__ */ (() =>
  Config.all({
    domain: Config.String("COGNITO_DOMAIN"),
    clientId: Config.String("COGNITO_CLIENT_ID"),
    clientSecret: Config.Redacted("COGNITO_CLIENT_SECRET"),
    scopes: Config.option(Config.String("COGNITO_SCOPES"))
  }).pipe(
    Config.map(({ scopes, ...rest }) => ({
      ...rest,
      ...(scopes._tag === "Some" ? { scopes: scopesFromText(scopes.value) } : {})
    }))
  ))()

export const fromConfig = (
  source: Config.Config<ClientCredentials.Options>
): Effect.Effect<
  ClientCredentials.ClientCredentials.Service,
  AuthError.AuthError,
  HttpClient.HttpClient | Scope.Scope
> =>
  Effect.flatMap(
    Effect.mapError(source, (e) => AuthError.make("InvalidConfig", method, describeConfigError(e))),
    make
  )
