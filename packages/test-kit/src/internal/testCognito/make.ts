/**
 * Assembles a TestCognito pool from its parts: the state, the checks, codes, devices, tokens and
 * challenge steps, the actions (account, attributes, sign-in, devices and MFA settings) behind one `IdentityProvider`, and
 * the test-facing admin API; the pool's other app clients and identity pools over the
 * same state; snapshots, and pools restored from them. Also creates the `TestCognito` tag.
 *
 * @internal
 */
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import type * as AuthError from "@effect-cognito/core/AuthError"
import * as IdentityPool from "@effect-cognito/core/IdentityPool"
import * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as TestCognito from "../../TestCognito.js"
import * as Account from "./account.js"
import * as Admin from "./admin.js"
import * as AdminUsers from "./adminUsers.js"
import * as Attributes from "./attributes.js"
import * as Challenges from "./challenges.js"
import * as Clients from "./clients.js"
import * as Codes from "./codes.js"
import * as DeviceActions from "./deviceActions.js"
import * as Devices from "./devices.js"
import * as Identities from "./identityPool.js"
import * as Domain from "./domain.js"
import * as MfaSettings from "./mfaSettings.js"
import * as OAuth from "./oauth.js"
import * as OAuthService from "./oauthService.js"
import * as Mint from "./mint.js"
import * as Passwordless from "./passwordless.js"
import * as Policy from "./policy.js"
import * as SignIn from "./signIn.js"
import * as Snapshot from "./snapshot.js"
import * as State from "./state.js"
import * as Tokens from "./tokens.js"
import * as WebAuthnServer from "./webAuthn.js"

/** The `TestCognito` tag; `TestCognito.ts` re-exports it. */
export const tag = Context.Service<TestCognito.TestCognito, TestCognito.TestCognito.Service>(
  "@effect-cognito/test-kit/TestCognito"
)

/** The actions of a pool as one app client sees it. */
const core = (state: State.State) => {
  const policy = Policy.make(state)
  const codes = Codes.make(state)
  const devices = Devices.make(state)
  const tokens = Tokens.make(state, devices)
  const challenges = Challenges.make(state, codes, tokens)
  const webAuthn = WebAuthnServer.make(state, tokens)
  const passwordless = Passwordless.make(state, policy, codes, tokens, challenges, devices, webAuthn)
  const provider = IdentityProvider.make({
    ...Account.make(state, policy, codes, tokens, challenges, devices, passwordless),
    ...Attributes.make(state, policy, codes, tokens),
    ...SignIn.make(state, policy, codes, tokens, challenges, devices, passwordless, webAuthn),
    ...DeviceActions.make(state, devices, tokens),
    ...MfaSettings.make(state, tokens),
    ...webAuthn.actions
  })
  return { state, policy, codes, devices, tokens, challenges, passwordless, provider }
}

/** The service of a pool as one app client sees it, with `withClient` giving the pool's other clients. */
const assemble = (state: State.State, identities: Identities.IdentityPoolState): TestCognito.TestCognito.Service => {
  const { policy, devices, tokens, challenges, passwordless, provider } = core(state)
  const identityPool = Identities.make(state, identities)
  const oauth = OAuth.make(state)
  const domain = Domain.make(state, oauth, (clientId) => {
    const view = Clients.viewOf(state, clientId)
    return view === undefined ? undefined : core(view)
  })
  return {
    ...OAuthService.make(state, oauth, domain),
    ...Admin.make(state, policy, challenges, devices, provider, { state: identities, service: identityPool }),
    ...AdminUsers.make(state, policy, tokens),
    ...devices.admin,
    ...Mint.make(state),
    ...passwordless.admin,
    snapshot: Snapshot.take(state),
    withClient: (client) =>
      Effect.map(Clients.forClient(state, client), (forClient) => assemble(forClient, identities)),
    withIdentityPool: (options) =>
      Effect.map(Clients.withIdentityPool(state, options), (withPool) =>
        assemble(withPool, Identities.stateFor(withPool, options.identityPoolId))
      )
  }
}

/** A fresh pool, or one restored from `options.restore`: the context of `TestCognito`, its `IdentityProvider` and its `AuthConfig`. */
export const make = (
  options: TestCognito.Options
): Effect.Effect<
  Context.Context<
    TestCognito.TestCognito | IdentityProvider.IdentityProvider | IdentityPool.IdentityPool | AuthConfig.AuthConfig
  >,
  AuthError.AuthError
> =>
  Effect.gen(function* () {
    const state =
      options.restore === undefined ? yield* State.make(options) : yield* Snapshot.restore(options.restore, options)
    const identityPoolId = state.config.identityPoolId
    const service = assemble(
      state,
      identityPoolId === undefined ? Identities.makeState() : Identities.stateFor(state, identityPoolId)
    )
    return Context.make(tag, service).pipe(
      Context.add(IdentityProvider.IdentityProvider, service.provider),
      Context.add(IdentityPool.IdentityPool, service.identityPool),
      Context.add(AuthConfig.AuthConfig, state.config)
    )
  })
