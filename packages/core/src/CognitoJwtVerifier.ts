/**
 * Verifies Cognito's id and access tokens on the server that receives them, as
 * aws-jwt-verify does for Node, in any Effect runtime: the JWKS of each user pool is
 * fetched through the abstract `HttpClient` and cached (one fetch shared by every caller,
 * a refetch when an unknown `kid` appears, at most once per `jwks.cooldown`), the
 * signature is RS256 through `effect/jose` on Web Crypto, and time is `Clock`'s.
 *
 * Cognito's knowledge is written once, in `AuthConfig`: a pool id names its region and its
 * issuer (`https://cognito-idp.<region>.amazonaws.com/<userPoolId>`, or the newer
 * `issuer-cognito-idp` form), and the JWKS is at `<issuer>/.well-known/jwks.json`. With an
 * `endpoint` (a local Cognito or cognito-local, whose pool ids may be `local_<id>`), the
 * JWKS is fetched from the endpoint and its issuers are accepted, as `AuthConfig` accepts
 * them for an emulator.
 *
 * Secure by default, weaker only by name: `tokenUse` and each pool's `clientId` must be
 * given, and `null` skips their check. A refused token fails with `JwtVerificationError`,
 * naming the check (see `JwtVerificationError.Check`); a configuration that is not valid
 * fails the layer with `AuthError` reason `InvalidConfig`, naming every field at once.
 *
 * @example
 * ```ts
 * import * as CognitoJwtVerifier from "@effect-cognito/core/CognitoJwtVerifier"
 * import * as Effect from "effect/Effect"
 * import * as FetchHttpClient from "effect/http/FetchHttpClient"
 * import * as Layer from "effect/Layer"
 *
 * const VerifierLive = CognitoJwtVerifier.layer({
 *   userPools: { userPoolId: "eu-west-1_AbC123", clientId: "1example23456789" },
 *   tokenUse: "access"
 * }).pipe(Layer.provide(FetchHttpClient.layer))
 *
 * const subOf = (token: string) =>
 *   Effect.flatMap(CognitoJwtVerifier.CognitoJwtVerifier, (verifier) => verifier.verify(token)).pipe(
 *     Effect.map((verified) => verified.sub),
 *     Effect.provide(VerifierLive)
 *   )
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as AuthError from "./AuthError.js"
import * as internal from "./internal/jwtVerifier.js"
import type * as JwtVerificationError from "./JwtVerificationError.js"

/**
 * A user pool whose tokens are accepted.
 *
 * @since 0.1.0
 */
export interface UserPool {
  /** `<region>_<id>`, or an emulator's `local_<id>` (then `region` and `endpoint` are required). */
  readonly userPoolId: string
  /**
   * The app clients whose tokens are accepted: the access token's `client_id`, the id
   * token's `aud`. `null` accepts any app client of the pool.
   */
  readonly clientId: string | ReadonlyArray<string> | null
  /** The pool's region; by default the one its id names. */
  readonly region?: string | undefined
  /**
   * The identity-provider endpoint of an emulator (the local Cognito, cognito-local), e.g.
   * `http://127.0.0.1:9229/`: the JWKS is fetched from `<endpoint>/<userPoolId>/.well-known/jwks.json`
   * and the issuers an emulator names are accepted (see `AuthConfig`).
   */
  readonly endpoint?: string | undefined
}

/**
 * What a verifier accepts: the pools and app clients, the token use, and the scopes,
 * groups, leeway and JWKS settings.
 *
 * @since 0.1.0
 */
export interface Options {
  /** One pool, or several (a token is checked against the pool its `iss` names). */
  readonly userPools: UserPool | ReadonlyArray<UserPool>
  /** The token accepted: `"access"`, `"id"`, or `null` for either. */
  readonly tokenUse: "id" | "access" | null
  /** When given, a token must carry at least one of these scopes (`scope`). */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** When given, a token must carry at least one of these groups (`cognito:groups`). */
  readonly groups?: ReadonlyArray<string> | undefined
  /** Tolerance on `exp` and `nbf` for clocks that disagree. Default none. */
  readonly leeway?: Duration.Input | undefined
  /** The longest token read, in characters. Default 16384. */
  readonly maxTokenLength?: number | undefined
  readonly jwks?:
    | {
        /** How long a JWKS request may take, body included. Default 5 seconds. */
        readonly timeout?: Duration.Input | undefined
        /**
         * After a refetch for an unknown `kid` that did not find it (or failed), how long
         * unknown kids are refused without a request. Default 10 seconds.
         */
        readonly cooldown?: Duration.Input | undefined
        /** The largest JWKS body read, in bytes. Default 65536. */
        readonly maxResponseBytes?: number | undefined
      }
    | undefined
}

/**
 * What one verification requires, over the verifier's options.
 *
 * @since 0.1.0
 */
export interface VerifyOptions {
  readonly tokenUse?: "id" | "access" | null | undefined
  /** Replaces the pools' `clientId` for this verification. */
  readonly clientId?: string | ReadonlyArray<string> | null | undefined
  readonly scopes?: ReadonlyArray<string> | undefined
  readonly groups?: ReadonlyArray<string> | undefined
}

/**
 * A verified token: what a server needs to know about its caller, and every claim as
 * Cognito signed it.
 *
 * @since 0.1.0
 */
export interface VerifiedToken {
  readonly tokenUse: "id" | "access"
  /** The user's id in the pool (`sub`). */
  readonly sub: string
  /** Cognito's username: the access token's `username`, the id token's `cognito:username`. */
  readonly username: string | undefined
  /** `cognito:groups` (empty when the user is in none). */
  readonly groups: ReadonlyArray<string>
  /** The access token's `scope`, split (empty for an id token). */
  readonly scopes: ReadonlyArray<string>
  /** The app client: the access token's `client_id`, the id token's `aud`. */
  readonly clientId: string | undefined
  /** The pool that issued the token. */
  readonly userPoolId: string
  readonly issuer: string
  /** `exp`, in seconds since 1970. */
  readonly expiresAt: number
  /** Every claim of the payload (`email`, `custom:…`, `auth_time`…), as signed. */
  readonly claims: Readonly<Record<string, unknown>>
}

/** The types of the verifier service. */
export declare namespace CognitoJwtVerifier {
  /**
   * Verifies tokens and loads the pools' keys.
   *
   * @since 0.1.0
   */
  export interface Service {
    /**
     * Verifies a token (a bare JWT, not `Bearer …`): the claims of a token Cognito issued
     * for a configured pool and app client, valid now, or the check it failed.
     */
    readonly verify: (
      token: string | Redacted.Redacted<string>,
      options?: VerifyOptions
    ) => Effect.Effect<VerifiedToken, JwtVerificationError.JwtVerificationError>
    /** Loads the JWKS of every pool now (run it at start, so the first request does not wait). */
    readonly hydrate: Effect.Effect<void, JwtVerificationError.JwtVerificationError>
  }
}

/**
 * The verifier as a service.
 *
 * @since 0.1.0
 */
export class CognitoJwtVerifier extends Context.Service<CognitoJwtVerifier, CognitoJwtVerifier.Service>()(
  "@effect-cognito/core/CognitoJwtVerifier"
) {}

/**
 * Builds a verifier; its JWKS fetches live in the scope. Fails with `InvalidConfig`
 * naming every field that is wrong.
 *
 * @since 0.1.0
 */
export const make: (
  options: Options
) => Effect.Effect<CognitoJwtVerifier.Service, AuthError.AuthError, HttpClient.HttpClient | Scope.Scope> = internal.make

/**
 * The verifier over the `HttpClient` in context. It fetches nothing until the first
 * verification (or `hydrate`).
 *
 * @since 0.1.0
 */
export const layer = (options: Options): Layer.Layer<CognitoJwtVerifier, AuthError.AuthError, HttpClient.HttpClient> =>
  Layer.effect(CognitoJwtVerifier, make(options))
