/**
 * Whose AWS credentials a call asks for ({@link Login}: the signed-in user, a federated
 * identity or a guest), the pure decisions about them (fresh enough? refused by the pool?)
 * and the one fetch behind them: GetId unless the identity id is known, then
 * GetCredentialsForIdentity. `./credentials.js` caches and shares these fetches.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type * as AuthError from "../AuthError.js"
import type * as AwsCredentials from "../AwsCredentials.js"
import type * as IdentityPool from "../IdentityPool.js"

type Secret = Redacted.Redacted<string>

/** What `federatedSignIn` takes. */
export interface FederatedSignInInput {
  /** The provider's name in the identity pool: `accounts.google.com`, an OIDC or SAML provider, a developer provider… */
  readonly provider: string
  /** The provider's token (an OIDC id token, a SAML assertion, an OAuth access token). */
  readonly token: Secret
  /** The role to assume, when the pool lets the provider choose. */
  readonly customRoleArn?: string | undefined
}

/** Whose credentials a call asks for. `key` identifies the login and its token. */
export type Login =
  | {
      readonly _tag: "User"
      readonly key: string
      readonly username: string
      readonly logins: IdentityPool.Logins
      readonly identityId: string | undefined
      /** The identity id is the guest's (stored from an earlier run, perhaps linked to a login since). */
      readonly fromGuest: boolean
      readonly skewMillis: number
    }
  | {
      readonly _tag: "Federated"
      readonly key: string
      readonly federated: Federated
      readonly logins: IdentityPool.Logins
      readonly identityId: string | undefined
      /** The identity id is the guest's (stored from an earlier run, perhaps linked to a login since). */
      readonly fromGuest: boolean
      readonly skewMillis: number
    }
  | {
      readonly _tag: "Guest"
      readonly key: string
      readonly identityId: string | undefined
      /** The identity id is the guest's (stored from an earlier run, perhaps linked to a login since). */
      readonly fromGuest: boolean
      readonly skewMillis: number
    }

export interface Federated {
  readonly provider: string
  readonly token: Secret
  readonly customRoleArn: string | undefined
  /** Set once the pool accepted the token (the sign-in succeeded). */
  confirmed: boolean
  identityId: string | undefined
}

/** Are the credentials good to hand out at `serverNowMillis`, renewing `marginMillis` before expiration? */
export const isFresh = (
  credentials: { readonly expiration: Date },
  serverNowMillis: number,
  marginMillis: number
): boolean => serverNowMillis < credentials.expiration.getTime() - marginMillis

/** Has the identity pool refused the logins themselves (not a transient failure)? */
export const rejectsLogin = (error: AuthError.AuthError): boolean => error.reason === "NotAuthorized"

/**
 * GetId (unless the identity id is known), then GetCredentialsForIdentity. A known id the
 * pool does not have any more (deleted, merged away) is asked for again with GetId; so is
 * a guest's id the pool refuses (linked to a login since, in another tab or run), after
 * `dropGuest` forgets it.
 */
export const fetchOnce = (
  pool: IdentityPool.IdentityPool.Service,
  login: Login,
  dropGuest: Effect.Effect<void>
): Effect.Effect<AwsCredentials.AwsCredentials, AuthError.AuthError> => {
  const logins = login._tag === "Guest" ? undefined : login.logins
  const customRoleArn = login._tag === "Federated" ? login.federated.customRoleArn : undefined
  const forIdentity = (identityId: string) =>
    Effect.map(
      pool.getCredentialsForIdentity({ identityId, logins, customRoleArn }),
      (result): AwsCredentials.AwsCredentials => ({ ...result.credentials, identityId: result.identityId })
    )
  const fresh = Effect.flatMap(pool.getId({ logins }), (result) => forIdentity(result.identityId))
  if (login.identityId === undefined) return fresh
  return Effect.catchIf(
    forIdentity(login.identityId),
    (error) => error.reason === "ResourceNotFound" || (login.fromGuest && error.reason === "NotAuthorized"),
    (error) => (error.reason === "NotAuthorized" ? Effect.andThen(dropGuest, fresh) : fresh)
  )
}
