/**
 * A local Cognito over HTTP: `TestCognito` user pools served on a loopback port in
 * Cognito's own protocol (AWS JSON 1.1, `X-Amz-Target` routing, AWS's exception names
 * and status codes), with each pool's JWKS at `/<userPoolId>/.well-known/jwks.json` and its
 * OpenID discovery document at `/<userPoolId>/.well-known/openid-configuration`. A pool's
 * Cognito domain (`CreateUserPoolDomain`) is served at `/domain/<prefix>` (`domainUrl`):
 * the login page, `/oauth2/authorize`, `/oauth2/token`, `/oauth2/userInfo`,
 * `/oauth2/revoke`, `/logout`, and sign-in through OIDC identity providers such as the
 * server's own `oidcProvider` (at `/oidc`).
 * AWS's clients (amazon-cognito-identity-js, the AWS SDK) and this project's
 * `NodeAuth` talk to it as to Cognito; what a public client sends is checked as
 * Cognito checks it (SRP proofs, codes, secret hashes, token signatures), while the
 * setup and admin actions are accepted unsigned.
 *
 * It starts with a ready default user pool (MFA optional; passwords, email and SMS codes and
 * passkeys as first factors of choice-based sign-in, `USER_AUTH`; the passkey relying party
 * `localhost`, so a page at `http://localhost:<port>` registers passkeys), an app client
 * without a secret that allows every sign-in flow, and an identity pool with guest access that
 * hands out credentials for the default pool's users (TestCognito's identity pool); more
 * are created with `CreateUserPool`, `CreateUserPoolClient` and `CreateIdentityPool`.
 * Codes that Cognito would mail or text are kept in `deliveries` and passed to
 * `onDelivery` (`formatDelivery` writes one as a line safe to print).
 *
 * No web page can drive it: it answers only requests whose `Host` is 127.0.0.1,
 * localhost or [::1] with its port (so DNS rebinding cannot reach it), and of requests
 * that browsers send, only those of the origins in `allowedOrigins` (a page's CORS grant
 * names its origin, never `*`); others get a 403 `ForbiddenException` before any action
 * runs. Requests without an `Origin` (the AWS SDK, `NodeAuth`, curl) are unaffected. As
 * on AWS, what a client sends fails a request, never the server: a body over 1 MiB is
 * refused with 413 `SerializationException` without being read whole, and JSON nested
 * deeper than 64 levels with 400 `SerializationException`.
 *
 * @example
 * ```ts
 * import * as Auth from "@effect-cognito/core/Auth"
 * import { NodeAuth } from "@effect-cognito/node"
 * import * as LocalCognito from "@effect-cognito/node/LocalCognito"
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 *
 * const program = Effect.gen(function* () {
 *   const local = yield* LocalCognito.LocalCognito
 *   const signIn = Effect.flatMap(Auth.Auth, (auth) =>
 *     auth.signIn({ username: "alice", password: Redacted.make("Abc@123!x") })
 *   )
 *   return yield* signIn.pipe(Effect.provide(NodeAuth.layer(local.config)))
 * }).pipe(Effect.provide(LocalCognito.layer()))
 * ```
 *
 * @since 0.1.0
 */
import type * as AuthConfig from "@effect-cognito/core/AuthConfig"
import type * as AuthError from "@effect-cognito/core/AuthError"
import type * as IdentityPool from "@effect-cognito/core/IdentityPool"
import type * as TestCognito from "@effect-cognito/test-kit/TestCognito"
import type * as TestOidcProvider from "@effect-cognito/test-kit/TestOidcProvider"
import type * as HttpServerError from "effect/http/HttpServerError"
import type * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Printable from "./internal/localCognito/printable.js"
import * as internal from "./internal/localCognito/start.js"

/** A code the local Cognito "sent": the pool and the message, as in `TestCognito`'s outbox. */
export interface Delivery {
  readonly userPoolId: string
  readonly message: TestCognito.Message
}

/** How the local Cognito starts: port, region, delivery callback, browser origins, state file, identity pools. */
export interface Options {
  /** The port on 127.0.0.1. Default 0: a free port. */
  readonly port?: number | undefined
  /** The region of the pools' ids. Default `us-east-1`. */
  readonly region?: string | undefined
  /**
   * Called with each code as it is delivered. Its values are what clients chose (a username,
   * an email address): print them with `formatDelivery`, which escapes control characters.
   */
  readonly onDelivery?: ((delivery: Delivery) => Effect.Effect<void>) | undefined
  /**
   * The origins of the web pages that may call the server from a browser, such as
   * `http://127.0.0.1:5173` for an app in development (`http` or `https`, a host, an
   * optional port, no path; `*` is not one). Their requests get a CORS grant naming their
   * origin; requests from any other page get a 403 `ForbiddenException` and run nothing.
   * Default: none. An entry that is not an origin fails the start with `InvalidConfig`.
   */
  readonly allowedOrigins?: ReadonlyArray<string> | undefined
  /**
   * Keeps the state in this file, so a restart keeps the pools, app clients, users,
   * identities and signing keys (tokens issued before still verify; refresh tokens still
   * work). Read at start when it exists: a file that cannot be read or decoded fails the
   * layer with a `Storage` error and is left as it is. Written (atomically, mode 0600: it
   * holds secrets) at start, after each request that may change state, and when the
   * server stops. One server per file. Tokens name the server's URL as their issuer:
   * restart on the same port to keep them valid for verifiers that check it.
   */
  readonly stateFile?: string | undefined
  /**
   * What answers `GetId` and `GetCredentialsForIdentity` for each identity pool created
   * (the default one included). By default TestCognito's identity pool over the user pools
   * among the pool's `CognitoIdentityProviders`: it checks each pool's id tokens (for that
   * provider's app clients), refuses logins of any other provider with
   * `NotAuthorizedException`, and hands out random credentials; an identity pool with no
   * user pool among its providers then fails those two actions with
   * `InvalidIdentityPoolConfigurationException`.
   */
  readonly identityPools?:
    | ((config: IdentityPoolConfig) => Effect.Effect<IdentityPool.IdentityPool.Service, AuthError.AuthError>)
    | undefined
  /**
   * Wraps the serving of each action: called with the action's name (e.g.
   * `"GetTokensFromRefreshToken"`) and the effect that serves it, it returns the effect to
   * run, so a test can hold an action before Cognito sees it or hold its answer after, until
   * the test says so. A held request is served once released, whether or not its client
   * is still there (as Cognito serves what reached it), and the server waits for it when it
   * stops. Default: each action served as it comes.
   */
  readonly serveAction?: (<A, E>(action: string, serve: Effect.Effect<A, E>) => Effect.Effect<A, E>) | undefined
}

/** An identity pool as `CreateIdentityPool` configured it. */
export interface IdentityPoolConfig {
  readonly region: string
  readonly identityPoolId: string
  readonly identityPoolName: string
  /** Guest access. */
  readonly allowUnauthenticatedIdentities: boolean
  /** The user pools whose id tokens it accepts: `cognito-idp.<region>.amazonaws.com/<userPoolId>` and app client. */
  readonly providers: ReadonlyArray<{ readonly providerName: string; readonly clientId: string }>
}

/** The ids of the pools the server starts with. */
export interface DefaultPool {
  readonly region: string
  readonly userPoolId: string
  readonly clientId: string
  readonly identityPoolId: string
}

/** The types of the `LocalCognito` service. */
export declare namespace LocalCognito {
  /** The running server: its endpoint, default pools, the pools behind it and what it delivered. */
  export interface Service {
    /** The base URL, e.g. `http://127.0.0.1:9229/`: both the user-pool and the identity-pool endpoint. */
    readonly endpoint: string
    readonly defaultPool: DefaultPool
    /** The `AuthConfig` input of the default pool's app client, with the endpoints set to this server. */
    readonly config: AuthConfig.Input
    /** The `TestCognito` behind a user pool: its outbox, admin helpers and injected faults. */
    readonly pool: (userPoolId: string) => Effect.Effect<TestCognito.TestCognito.Service, AuthError.AuthError>
    /**
     * The base URL `D` of a pool's Cognito domain on this server, `<endpoint>domain/<prefix>`
     * (the pool's `CreateUserPoolDomain`); `InvalidConfig` for a pool without one. The
     * default pool has the domain `local`, and its app client the code flow to
     * `http://127.0.0.1/callback` or `http://localhost/callback` on any port.
     */
    readonly domainUrl: (userPoolId: string) => Effect.Effect<string, AuthError.AuthError>
    /**
     * An external OpenID Connect provider served at `<endpoint>oidc` (its own login page,
     * keys, discovery and token endpoint), for "Continue with <provider>": create an identity
     * provider of type OIDC with `oidc_issuer` its `issuer`, `client_id` its `clientId` and
     * `client_secret` its `clientSecret`, and add its users with `addUser`. Its users and
     * keys live as long as the server (not in the state file).
     */
    readonly oidcProvider: TestOidcProvider.TestOidcProvider
    /** Every code delivered so far, in order. */
    readonly deliveries: Effect.Effect<ReadonlyArray<Delivery>>
    /**
     * The secret key and session token of credentials an identity pool issued (the default
     * identity pools only), for a local endpoint that verifies SigV4 signatures made with them.
     */
    readonly credentialsOf: (
      accessKeyId: string
    ) => Effect.Effect<
      { readonly secretAccessKey: Redacted.Redacted<string>; readonly sessionToken: Redacted.Redacted<string> },
      Cause.NoSuchElementError
    >
  }
}

/** The running local Cognito. */
export class LocalCognito extends Context.Service<LocalCognito, LocalCognito.Service>()(
  "@effect-cognito/node/LocalCognito"
) {}

/**
 * Starts the server in the scope, with its default pools (or the pools of `stateFile`);
 * it stops when the scope closes.
 */
export const make = (
  options: Options = {}
): Effect.Effect<LocalCognito.Service, AuthError.AuthError | HttpServerError.ServeError, Scope.Scope> =>
  internal.start(options)

/**
 * A delivered code as one line for a terminal, `EMAIL to <destination> (<userPoolId>,
 * <username>, <purpose>): <code>`, with control characters in every value escaped
 * JSON-style (`\u001b`), so a client's username or email address cannot write escape
 * sequences to the developer's terminal.
 */
export const formatDelivery: (delivery: Delivery) => string = Printable.formatDelivery

/** The local Cognito on a free port (or `options.port`), stopped with the layer's scope. */
export const layer = (
  options: Options = {}
): Layer.Layer<LocalCognito, AuthError.AuthError | HttpServerError.ServeError> =>
  Layer.effect(LocalCognito, make(options))
