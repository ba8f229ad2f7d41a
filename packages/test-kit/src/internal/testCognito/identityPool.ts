/**
 * The identity-pool side of a TestCognito pool (Cognito Identity): GetId and
 * GetCredentialsForIdentity over the pool's identities, checking every login as Cognito
 * does: the id tokens of the user pool and of the other user pools it trusts (signature,
 * by the pool's own key or the other pool's JWKS; `token_use`, issuer, an app client the
 * identity pool trusts, not expired by the server's clock), and the federated providers
 * the pool trusts (by the options' check of their tokens); a login from any other
 * provider is NotAuthorized. Guests when the pool allows them;
 * a guest identity presented with logins on GetCredentialsForIdentity is linked to them,
 * or merged into the identity they already belong to. Credentials are random, with the
 * lifetime the options set, and logged for tests to inspect.
 *
 * {@link make} builds the `IdentityPool.Service` of one pool, so an HTTP front can route
 * `AWSCognitoIdentityService.*` to it.
 *
 * @internal
 */
import * as IdentityPool from "@effect-cognito/core/IdentityPool"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as TestCognito from "../../TestCognito.js"
import { verifyWithJwks } from "../jwt.js"
import type { State } from "./state.js"

/** An identity of the pool: authenticated once a login is linked to it. */
export interface Identity {
  readonly identityId: string
  /** `provider|subject` of each linked login. */
  readonly logins: Set<string>
}

/** The identity pool's state, kept beside the user pool's. */
export interface IdentityPoolState {
  readonly identities: Map<string, Identity>
  /** `provider|subject` → identity id. */
  readonly byLogin: Map<string, string>
  readonly issued: Array<TestCognito.IssuedCredentials>
  /** The secret key and session token of issued credentials by access key id, for verifying signatures. */
  readonly secrets: Map<
    string,
    { readonly secretAccessKey: Redacted.Redacted<string>; readonly sessionToken: Redacted.Redacted<string> }
  >
}

export const makeState = (): IdentityPoolState => ({
  identities: new Map(),
  byLogin: new Map(),
  issued: [],
  secrets: new Map()
})

/** The identity pool's state for its id: the one kept in the pool's state, or a new one kept there. */
export const stateFor = (state: State, identityPoolId: string): IdentityPoolState => {
  const existing = state.identityPools.get(identityPoolId)
  if (existing !== undefined) return existing
  const created = makeState()
  state.identityPools.set(identityPoolId, created)
  return created
}

const invalidToken = "Invalid login token."

/** A user pool whose id tokens the identity pool accepts. */
interface TrustedUserPool {
  readonly issuer: string
  readonly clientIds: ReadonlySet<string>
  readonly verify: (token: string) => Effect.Effect<Record<string, unknown> | undefined>
}

/** The `IdentityPool.Service` of a pool. */
export const make = (state: State, pool: IdentityPoolState): IdentityPool.IdentityPool.Service => {
  const { config, issuer, signer, now, reject, serve, uuid, randomHex } = state
  const options = state.identityPoolOptions
  const allowGuests = options.allowUnauthenticated ?? true
  /** The user pools by provider name: this one, and the others the options name. */
  const userPools = new Map<string, TrustedUserPool>([
    ...(options.userPools ?? []).map(({ pool: other, clientIds }): [string, TrustedUserPool] => [
      other.config.loginProvider,
      {
        issuer: other.issuer,
        clientIds: new Set(clientIds),
        verify: (token) => Effect.flatMap(other.jwks, (jwks) => verifyWithJwks(jwks, token))
      }
    ]),
    [
      config.loginProvider,
      {
        issuer,
        clientIds: new Set(options.clientIds ?? [config.clientId]),
        verify: signer.verify
      }
    ]
  ])
  const providers = options.federatedProviders ?? {}
  const validityMillis = Duration.toMillis(options.credentialsValidity ?? "1 hour")
  const { actions } = IdentityPool

  const configured = (action: string) =>
    config.identityPoolId === undefined
      ? reject(action, "ResourceNotFoundException", "IdentityPool not found (no identity pool is configured)")
      : Effect.void

  /** The `provider|subject` of one login, or NotAuthorized. */
  const verifyLogin = (action: string, provider: string, token: string) =>
    Effect.gen(function* () {
      const userPool = userPools.get(provider)
      if (userPool !== undefined) {
        const claims = yield* userPool.verify(token)
        if (claims === undefined || claims.token_use !== "id" || claims.iss !== userPool.issuer)
          return yield* reject(action, "NotAuthorizedException", `${invalidToken} Not a valid id token.`)
        if (typeof claims.aud !== "string" || !userPool.clientIds.has(claims.aud))
          return yield* reject(action, "NotAuthorizedException", `${invalidToken} Incorrect token audience.`)
        if (typeof claims.exp !== "number" || (yield* now) >= claims.exp * 1000)
          return yield* reject(action, "NotAuthorizedException", `${invalidToken} Token expired.`)
        return `${provider}|${String(claims.sub)}`
      }
      const check = providers[provider]
      if (check === undefined)
        return yield* reject(action, "NotAuthorizedException", `${invalidToken} The provider is not trusted.`)
      const subject = check(token)
      if (subject === undefined)
        return yield* reject(action, "NotAuthorizedException", `${invalidToken} The provider rejected the token.`)
      return `${provider}|${subject}`
    })

  const verifyLogins = (action: string, logins: IdentityPool.Logins | undefined) =>
    Effect.forEach(Object.entries(logins ?? {}), ([provider, token]) =>
      verifyLogin(action, provider, Redacted.value(token))
    )

  const newIdentity = Effect.map(uuid, (id) => {
    const identity: Identity = { identityId: `${config.region}:${id}`, logins: new Set() }
    pool.identities.set(identity.identityId, identity)
    return identity
  })

  const link = (identity: Identity, keys: ReadonlyArray<string>) => {
    for (const key of keys) {
      identity.logins.add(key)
      pool.byLogin.set(key, identity.identityId)
    }
  }

  const guestsRefused = (action: string) =>
    reject(action, "NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.")

  const getId: IdentityPool.IdentityPool.Service["getId"] = (request) =>
    serve(actions.getId)(
      Effect.gen(function* () {
        yield* configured(actions.getId)
        const keys = yield* verifyLogins(actions.getId, request.logins)
        if (keys.length === 0) {
          if (!allowGuests) return yield* guestsRefused(actions.getId)
          return { identityId: (yield* newIdentity).identityId }
        }
        for (const key of keys) {
          const existing = pool.byLogin.get(key)
          if (existing !== undefined) {
            link(pool.identities.get(existing)!, keys)
            return { identityId: existing }
          }
        }
        const identity = yield* newIdentity
        link(identity, keys)
        return { identityId: identity.identityId }
      })
    )

  const credentials = (identityId: string, roleArn: string | undefined) =>
    Effect.gen(function* () {
      const at = yield* now
      const accessKeyId = `ASIA${(yield* randomHex(8)).toUpperCase()}`
      const secretAccessKey = Redacted.make(yield* randomHex(20))
      const sessionToken = Redacted.make(yield* randomHex(48))
      // Cognito answers whole seconds.
      const expiration = new Date(Math.floor((at + validityMillis) / 1000) * 1000)
      pool.secrets.set(accessKeyId, { secretAccessKey, sessionToken })
      pool.issued.push({ identityId, accessKeyId, roleArn, expiration, at })
      return { identityId, credentials: { accessKeyId, secretAccessKey, sessionToken, expiration } }
    })

  const getCredentialsForIdentity: IdentityPool.IdentityPool.Service["getCredentialsForIdentity"] = (request) =>
    serve(actions.getCredentialsForIdentity)(
      Effect.gen(function* () {
        const action = actions.getCredentialsForIdentity
        yield* configured(action)
        const identity = pool.identities.get(request.identityId)
        if (identity === undefined)
          return yield* reject(action, "ResourceNotFoundException", `Identity '${request.identityId}' not found.`)
        const keys = yield* verifyLogins(action, request.logins)
        if (keys.length === 0) {
          if (identity.logins.size > 0)
            return yield* reject(
              action,
              "NotAuthorizedException",
              "Logins don't match. Please include at least one valid login for this identity or identity pool."
            )
          if (!allowGuests) return yield* guestsRefused(action)
          return yield* credentials(identity.identityId, undefined)
        }
        const roleArn = request.customRoleArn
        if (identity.logins.size > 0) {
          if (!keys.some((key) => identity.logins.has(key)))
            return yield* reject(
              action,
              "NotAuthorizedException",
              "Logins don't match. Please include at least one valid login for this identity or identity pool."
            )
          link(identity, keys)
          return yield* credentials(identity.identityId, roleArn)
        }
        // A guest identity signing in: linked to the logins, or merged into the identity they belong to.
        for (const key of keys) {
          const owner = pool.byLogin.get(key)
          if (owner !== undefined && owner !== identity.identityId) {
            pool.identities.delete(identity.identityId)
            link(pool.identities.get(owner)!, keys)
            return yield* credentials(owner, roleArn)
          }
        }
        link(identity, keys)
        return yield* credentials(identity.identityId, roleArn)
      })
    )

  return IdentityPool.make({ getId, getCredentialsForIdentity })
}
