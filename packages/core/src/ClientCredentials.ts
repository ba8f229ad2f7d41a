/**
 * Machine-to-machine access tokens: the OAuth 2.0 `client_credentials` grant at the
 * Cognito domain's token endpoint, for an app client with a secret and the custom scopes
 * of a resource server (`<identifier>/<scope>`).
 *
 * The service keeps one token and renews it shortly before it expires (by `Clock`): any
 * number of concurrent callers share one request, and a failed request is not cached.
 * `bearer` is an `HttpClient` transform that adds `Authorization: Bearer <token>` and, when
 * the API answers 401, renews the token once and sends the request again once.
 *
 * Token endpoint errors are `AuthError`s: `InvalidClient` (wrong id or secret),
 * `UnauthorizedClient` (the grant is not allowed for the app client), `InvalidScope`,
 * `Transport`, `InvalidResponse`; the OAuth `error` code is in the error's `exception`.
 * The secret and the token are `Redacted`: never in messages, logs or JSON.
 *
 * @example
 * ```ts
 * import * as ClientCredentials from "@effect-cognito/core/ClientCredentials"
 * import * as Effect from "effect/Effect"
 * import * as FetchHttpClient from "effect/http/FetchHttpClient"
 * import * as HttpClient from "effect/http/HttpClient"
 * import * as Layer from "effect/Layer"
 *
 * // COGNITO_DOMAIN, COGNITO_CLIENT_ID, COGNITO_CLIENT_SECRET, COGNITO_SCOPES from the environment.
 * const M2mLive = ClientCredentials.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 *
 * const orders = Effect.gen(function* () {
 *   const m2m = yield* ClientCredentials.ClientCredentials
 *   const client = m2m.bearer(yield* HttpClient.HttpClient)
 *   return yield* client.get("https://api.example.com/orders")
 * }).pipe(Effect.provide([M2mLive, FetchHttpClient.layer]))
 * ```
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as AuthError from "./AuthError.js"
import * as internal from "./internal/clientCredentials.js"

/**
 * What the service needs.
 *
 * @since 0.1.0
 */
export interface Options {
  /**
   * The domain's base URL: `https://<prefix>.auth.<region>.amazoncognito.com`, a custom
   * domain, or a local Cognito's. The token endpoint is `<domain>/oauth2/token`.
   */
  readonly domain: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  /** The scopes asked for, e.g. `["orders/read"]`; default none (every scope the app client allows). */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** A token is renewed when it expires within this margin (by `Clock`). Default 1 minute. */
  readonly renewBefore?: Duration.Input | undefined
  /** Timeout of a token request. Default 10 seconds. */
  readonly requestTimeout?: Duration.Input | undefined
  /** The largest token answer read, in bytes. Default 1 MiB. */
  readonly maxResponseBytes?: number | undefined
}

/**
 * An access token of the app client.
 *
 * @since 0.1.0
 */
export interface AccessToken {
  readonly accessToken: Redacted.Redacted<string>
  readonly tokenType: string
  /** When it expires, by `Clock` at the time it was received plus `expires_in`. */
  readonly expiresAt: Date
  /** The scopes granted (the token answer's `scope`, else those asked for). */
  readonly scopes: ReadonlyArray<string>
}

/** The types of the `ClientCredentials` service. */
export declare namespace ClientCredentials {
  /**
   * The token and a bearer transform, for one app client.
   *
   * @since 0.1.0
   */
  export interface Service {
    /**
     * The cached token, or a new one when it expires within `renewBefore` (or when forced);
     * concurrent callers share one request.
     */
    readonly token: (options?: {
      readonly forceRefresh?: boolean | undefined
    }) => Effect.Effect<AccessToken, AuthError.AuthError>
    /** Adds `Authorization: Bearer`; on a 401, renews the token once and retries once. */
    readonly bearer: <E, R>(
      client: HttpClient.HttpClient.With<E, R>
    ) => HttpClient.HttpClient.With<E | HttpClientError.HttpClientError | AuthError.AuthError, R>
  }
}

/**
 * The service's tag.
 *
 * @since 0.1.0
 */
export class ClientCredentials extends Context.Service<ClientCredentials, ClientCredentials.Service>()(
  "@effect-cognito/core/ClientCredentials"
) {}

/**
 * Builds the service; the options are checked first (`InvalidConfig` naming every problem).
 * No request is made until the first `token`.
 *
 * @since 0.1.0
 */
export const make: (
  options: Options
) => Effect.Effect<ClientCredentials.Service, AuthError.AuthError, HttpClient.HttpClient | Scope.Scope> = internal.make

/**
 * The service from options, over the `HttpClient` in context.
 *
 * @since 0.1.0
 */
export const layer = (options: Options): Layer.Layer<ClientCredentials, AuthError.AuthError, HttpClient.HttpClient> =>
  Layer.effect(ClientCredentials, make(options))

/**
 * The options from `Config` (by default the environment):
 *
 * | variable | |
 * |---|---|
 * | `COGNITO_DOMAIN` | required: the domain's base URL |
 * | `COGNITO_CLIENT_ID` | required |
 * | `COGNITO_CLIENT_SECRET` | required, read as `Redacted` |
 * | `COGNITO_SCOPES` | optional, separated by spaces or commas |
 *
 * @since 0.1.0
 */
export const config: Config.Config<Options> = internal.config

/**
 * {@link layer} over {@link config}; a missing or malformed variable fails with
 * `InvalidConfig` naming it.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  source: Config.Config<Options> = config
): Layer.Layer<ClientCredentials, AuthError.AuthError, HttpClient.HttpClient> =>
  Layer.effect(ClientCredentials, internal.fromConfig(source))
