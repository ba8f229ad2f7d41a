/**
 * Cognito Identity (federated identities): identity ids and temporary AWS credentials
 * for signed-in users (by their id token) and for guests.
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type { AuthError } from "./AuthError.js"
import * as tags from "./internal/tags.js"

/** `Logins`: provider name (e.g. `cognito-idp.<region>.amazonaws.com/<poolId>`) to token. */
export type Logins = Readonly<Record<string, Redacted.Redacted<string>>>

/** Temporary AWS credentials. */
export interface Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken: Redacted.Redacted<string>
  readonly expiration: Date
}

/** The types of the `IdentityPool` service. */
export declare namespace IdentityPool {
  /** The identity-pool operations. Each method is one Cognito Identity action. */
  export interface Service {
    /** `GetId`: the identity of these logins (none: a guest identity). */
    readonly getId: (request: {
      readonly logins?: Logins | undefined
    }) => Effect.Effect<{ readonly identityId: string }, AuthError>
    /** `GetCredentialsForIdentity`. */
    readonly getCredentialsForIdentity: (request: {
      readonly identityId: string
      readonly logins?: Logins | undefined
      /** The role to assume, when the pool lets the provider choose among several. */
      readonly customRoleArn?: string | undefined
    }) => Effect.Effect<{ readonly identityId: string; readonly credentials: Credentials }, AuthError>
  }
}

/** The service's identifier in the context. */
export interface IdentityPool {
  readonly _: unique symbol
}

/** The identity-pool service. */
export const IdentityPool: Context.Service<IdentityPool, IdentityPool.Service> = tags.identityPool

/** The action name of each method, as in `X-Amz-Target: AWSCognitoIdentityService.<Action>`. */
export const actions = {
  getId: "GetId",
  getCredentialsForIdentity: "GetCredentialsForIdentity"
} as const satisfies Record<keyof IdentityPool.Service, string>

/** Builds the service; the core adds a span per action named `IdentityPool.<Action>`. */
export const make = (implementation: IdentityPool.Service): IdentityPool.Service => ({
  getId: (request) => Effect.withSpan(implementation.getId(request), "IdentityPool.GetId", { kind: "client" }),
  getCredentialsForIdentity: (request) =>
    Effect.withSpan(implementation.getCredentialsForIdentity(request), "IdentityPool.GetCredentialsForIdentity", {
      kind: "client"
    })
})
