/**
 * Several app clients of one pool: each client's view of the pool's state, with its own
 * id, secret and token lifetimes, over the same users, challenge sessions, tokens,
 * outbox and request log. Refresh tokens stay with the client that received them. Also
 * the view of a pool with another identity pool beside it.
 *
 * @internal
 */
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import type * as AuthError from "@effect-cognito/core/AuthError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as TestCognito from "../../TestCognito.js"
import type { State } from "./state.js"

const millis = (input: Duration.Input | undefined, fallback: number) =>
  input === undefined ? fallback : Duration.toMillis(input)

/**
 * The state of a pool as another app client sees it; the client id is validated as
 * `AuthConfig` does. The client is registered with the pool, so a snapshot keeps it.
 */
export const forClient = (state: State, client: TestCognito.Client): Effect.Effect<State, AuthError.AuthError> =>
  Effect.map(
    AuthConfig.make({
      ...state.options.config,
      region: state.config.region,
      userPoolId: state.config.userPoolId,
      clientId: client.clientId,
      clientSecret: client.clientSecret
    }),
    (config): State => {
      const validity = {
        access: millis(client.tokenValidity?.accessToken, state.validity.access),
        id: millis(client.tokenValidity?.idToken, state.validity.id),
        refresh: millis(client.tokenValidity?.refreshToken, state.validity.refresh)
      }
      state.clients.set(client.clientId, { clientId: client.clientId, clientSecret: client.clientSecret, validity })
      return {
        ...state,
        options: {
          ...state.options,
          clientId: client.clientId,
          clientSecret: client.clientSecret,
          tokenValidity: client.tokenValidity ?? state.options.tokenValidity,
          explicitAuthFlows: client.explicitAuthFlows
        },
        config,
        validity: { ...state.validity, ...validity }
      }
    }
  )

/** The state of a pool with another identity pool beside it; the id is validated as `AuthConfig` does. */
export const withIdentityPool = (
  state: State,
  options: TestCognito.IdentityPoolOptions & { readonly identityPoolId: string }
): Effect.Effect<State, AuthError.AuthError> =>
  Effect.map(
    AuthConfig.make({
      ...state.options.config,
      region: state.config.region,
      userPoolId: state.config.userPoolId,
      clientId: state.config.clientId,
      clientSecret: state.config.clientSecret,
      identityPoolId: options.identityPoolId
    }),
    (config): State => ({ ...state, config, identityPoolOptions: options })
  )

/**
 * The state of the pool as one of its app clients sees it (the pool's own client or one
 * `withClient` registered), without registering anything; `undefined` for another id.
 */
export const viewOf = (state: State, clientId: string): State | undefined => {
  const root = state.settings
  const client =
    clientId === root.clientId
      ? {
          clientSecret: root.clientSecret,
          validity: { access: root.validity.access, id: root.validity.id, refresh: root.validity.refresh }
        }
      : state.clients.get(clientId)
  if (client === undefined) return undefined
  return {
    ...state,
    options: { ...state.options, clientId, clientSecret: client.clientSecret },
    config: { ...state.config, clientId, clientSecret: client.clientSecret },
    validity: { ...state.validity, ...client.validity }
  }
}
