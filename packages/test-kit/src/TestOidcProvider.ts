/**
 * A small external OpenID Connect provider for tests of "Continue with <provider>": its
 * discovery document at `<issuer>/.well-known/openid-configuration`, its keys, a login page
 * (a form with `username` and `password`, and a "Cancel" button that answers
 * `error=access_denied`), an authorization endpoint, a token endpoint that issues RS256 id
 * tokens carrying the `nonce`, and userinfo. Give it to a `TestCognito` pool as its
 * `upstreamHttpClient`, and point `createIdentityProvider` (type OIDC) at its `issuer`
 * with its `clientId` and `clientSecret`; the local Cognito serves one over HTTP.
 *
 * @example
 * ```ts
 * import * as TestOidcProvider from "@effect-cognito/test-kit/TestOidcProvider"
 * import * as Redacted from "effect/Redacted"
 *
 * const provider = TestOidcProvider.make({
 *   issuer: "https://idp.example.com",
 *   users: [{ username: "bob", password: Redacted.make("bob-password"), claims: { email: "bob@example.com" } }]
 * })
 * // TestCognito.layer({ upstreamHttpClient: provider.httpClient })
 * ```
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import type * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import * as internal from "./internal/oidcProvider.js"

/** A user of the provider: `sub` is the username unless `claims` names another. */
export interface User {
  readonly username: string
  readonly password: Redacted.Redacted<string>
  /** Claims of the id token and userinfo (`email`, `name`, `sub`…). */
  readonly claims?: Readonly<Record<string, Schema.Json>> | undefined
}

/** The provider's issuer, its one app client, and its users. */
export interface Options {
  /** The issuer URL; every endpoint is under it. */
  readonly issuer: string
  /** Default `test-oidc-client`. */
  readonly clientId?: string | undefined
  /** Default a random one. */
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  readonly users?: ReadonlyArray<User> | undefined
  /**
   * The app client's registered redirect URIs, matched whole (or a test of one). Default:
   * the `/oauth2/idpresponse` of any Cognito domain (`https://<prefix>.auth.<region>.amazoncognito.com`).
   */
  readonly redirectUris?: ReadonlyArray<string> | ((redirectUri: string) => boolean) | undefined
}

/** A request to the provider, and its answer (the local Cognito serves it through these). */
export interface Request {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: string
}

/** The provider's answer to a request. */
export interface Response {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** A running provider. */
export interface TestOidcProvider {
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  /** Adds (or replaces) a user. */
  readonly addUser: (user: User) => Effect.Effect<void>
  /** Answers a request under the issuer; `undefined` for any other URL. */
  readonly serve: (request: Request) => Effect.Effect<Response | undefined>
  /** An `HttpClient` that serves the provider in memory (404 outside the issuer). */
  readonly httpClient: HttpClient.HttpClient
}

/** A provider at `options.issuer`. */
export const make: (options: Options) => TestOidcProvider = internal.make
