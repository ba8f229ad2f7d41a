/**
 * An identity pool with several user-pool providers: it accepts the id tokens of each
 * user pool it names (for the app clients it names) and refuses logins from any other
 * provider, as Cognito does, with NotAuthorized.
 */
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import { atStart, expectReason, password } from "./fixtures.js"

/** Another pool: its service, built beside the test's. */
const pool = (userPoolId: string, clientId: string, seed: number) =>
  Effect.provide(TestCognito.TestCognito, TestCognito.layerCognito({ userPoolId, clientId, seed, mfa: "OFF" }))

/** A confirmed user of `cognito` signed in by password; their id token. */
const idToken = (cognito: TestCognito.TestCognito.Service, username: string) =>
  Effect.gen(function* () {
    yield* cognito.provider.signUp({ username, password, userAttributes: { email: `${username}@example.com` } })
    yield* cognito.adminConfirmSignUp(username)
    const response = yield* cognito.provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username, password })
    if (response._tag !== "Authenticated") return yield* Effect.die(new Error(`expected tokens, got ${response._tag}`))
    return response.tokens.idToken
  })

describe("an identity pool over several user pools", () => {
  it.effect("accepts the id tokens of every user pool it names and refuses the others with NotAuthorized", () =>
    Effect.gen(function* () {
      yield* atStart
      const first = yield* TestCognito.TestCognito
      const second = yield* pool("us-east-1_SecondPool", "secondclient1234", 7)
      const stranger = yield* pool("us-east-1_StrangerPool", "strangerclient12", 9)
      const identityPool = yield* first.withIdentityPool({
        identityPoolId: "us-east-1:11111111-2222-4333-8444-555555555555",
        allowUnauthenticated: false,
        userPools: [{ pool: second, clientIds: ["secondclient1234"] }]
      })
      const service = identityPool.identityPool
      const login = (cognito: TestCognito.TestCognito.Service, token: Redacted.Redacted<string>) => ({
        logins: { [cognito.config.loginProvider]: token }
      })

      const alice = yield* service.getId(login(first, yield* idToken(first, "alice")))
      const bobToken = yield* idToken(second, "bob")
      const bob = yield* service.getId(login(second, bobToken))
      assert.notStrictEqual(bob.identityId, alice.identityId)
      const credentials = yield* service.getCredentialsForIdentity({
        identityId: bob.identityId,
        ...login(second, bobToken)
      })
      assert.strictEqual(credentials.identityId, bob.identityId)
      assert.deepStrictEqual(yield* identityPool.identities, [
        { identityId: alice.identityId, providers: [first.config.loginProvider] },
        { identityId: bob.identityId, providers: [second.config.loginProvider] }
      ])

      // A user pool the identity pool does not name, under its own provider name.
      const strangerToken = yield* idToken(stranger, "carol")
      yield* expectReason(service.getId(login(stranger, strangerToken)), "NotAuthorized")
      // A named pool's provider with another pool's token: not that pool's issuer.
      yield* expectReason(service.getId(login(second, strangerToken)), "NotAuthorized")
      // A named pool's token for an app client the identity pool does not name.
      const otherClient = yield* second.withClient({ clientId: "unlistedclient12" })
      const response = yield* otherClient.provider.initiateAuth({
        authFlow: "USER_PASSWORD_AUTH",
        username: "bob",
        password
      })
      if (response._tag !== "Authenticated") return assert.fail(`expected tokens, got ${response._tag}`)
      const audience = yield* expectReason(service.getId(login(second, response.tokens.idToken)), "NotAuthorized")
      assert.include(audience.message, "audience")
      // The identity pool of the first pool alone still refuses the second pool's tokens.
      yield* expectReason(first.identityPool.getId(login(second, bobToken)), "NotAuthorized")
    }).pipe(Effect.provide(TestCognito.layer({ mfa: "OFF" })))
  )
})
