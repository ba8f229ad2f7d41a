/**
 * RevokeToken revokes only the requesting app client's own refresh tokens (Cognito, and
 * RFC 7009 §2.1: the token must have been issued to the client that asks): another
 * client of the pool that presents it is refused with `UnauthorizedException`, and the
 * token, with the access tokens issued beside it, keeps working for its own client.
 */
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { atStart, confirmedUser, password } from "./fixtures.js"

const signIn = (cognito: TestCognito.TestCognito.Service) =>
  Effect.gen(function* () {
    const response = yield* cognito.provider.initiateAuth({
      authFlow: "USER_PASSWORD_AUTH",
      username: "alice",
      password
    })
    if (response._tag !== "Authenticated" || response.tokens.refreshToken === undefined)
      return yield* Effect.die(new Error(`expected tokens, got ${response._tag}`))
    return { ...response.tokens, refreshToken: response.tokens.refreshToken }
  })

describe("RevokeToken and app clients", () => {
  it.effect("RevokeToken with another app client's id does not revoke client A's refresh token", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const clientA = yield* TestCognito.TestCognito
      const clientB = yield* clientA.withClient({ clientId: "secondclient1234" })
      const tokens = yield* signIn(clientA)

      const refused = yield* Effect.flip(clientB.provider.revokeToken({ token: tokens.refreshToken }))
      assert.strictEqual(refused.exception, "UnauthorizedException")
      assert.strictEqual(refused.method, "RevokeToken")
      assert.notInclude(refused.message, Redacted.value(tokens.refreshToken))

      // A's refresh token and access token still work for A.
      const refreshed = yield* clientA.provider.initiateAuth({
        authFlow: "REFRESH_TOKEN_AUTH",
        refreshToken: tokens.refreshToken
      })
      assert.strictEqual(refreshed._tag, "Authenticated")
      assert.strictEqual((yield* clientA.provider.getUser({ accessToken: tokens.accessToken })).username, "alice")

      // A revokes its own token.
      yield* clientA.provider.revokeToken({ token: tokens.refreshToken })
      const revoked = yield* Effect.flip(
        clientA.provider.initiateAuth({ authFlow: "REFRESH_TOKEN_AUTH", refreshToken: tokens.refreshToken })
      )
      assert.strictEqual(revoked.exception, "NotAuthorizedException")
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("a client with a secret cannot revoke another client's token with its own right secret", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* confirmedUser()
      const clientA = yield* TestCognito.TestCognito
      const secret = Redacted.make("the-secret-of-client-b-0123456789")
      const clientB = yield* clientA.withClient({ clientId: "secretclient1234", clientSecret: secret })
      const tokens = yield* signIn(clientA)
      const refused = yield* Effect.flip(
        clientB.provider.revokeToken({ token: tokens.refreshToken, clientSecret: secret })
      )
      assert.strictEqual(refused.exception, "UnauthorizedException")
      const refreshed = yield* clientA.provider.getTokensFromRefreshToken({ refreshToken: tokens.refreshToken })
      assert.isDefined(refreshed.accessToken)
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})
