/**
 * RevokeToken over HTTP against the local Cognito: a refresh token is revoked only by the
 * app client it was issued to (RFC 7009 §2.1). Another client of the same pool that sends
 * it gets `UnauthorizedException` (400), and the token keeps working for its own client.
 */
import { randomUUID } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as LocalCognito from "../src/LocalCognito.js"

const password = "First-Passw0rd!"

interface Answer {
  readonly status: number
  readonly body: Record<string, unknown>
}

const idp = (local: LocalCognito.LocalCognito.Service, action: string, body: unknown) =>
  Effect.promise(
    (): Promise<Answer> =>
      fetch(local.endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": `AWSCognitoIdentityProviderService.${action}`
        },
        body: JSON.stringify(body)
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as Record<string, unknown>
      }))
  )

const ok = (answer: Answer) => {
  assert.strictEqual(answer.status, 200, JSON.stringify(answer.body))
  return answer.body
}

layer(LocalCognito.layer(), { excludeTestServices: true })("LocalCognito RevokeToken", (it) => {
  it.effect("RevokeToken with another app client's id does not revoke client A's refresh token", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const { userPoolId, clientId } = local.defaultPool
      const other = ok(yield* idp(local, "CreateUserPoolClient", { UserPoolId: userPoolId, ClientName: "other" }))
      const otherClientId = String((other.UserPoolClient as Record<string, unknown>).ClientId)
      const username = `user-${randomUUID().slice(0, 8)}`
      ok(yield* idp(local, "SignUp", { ClientId: clientId, Username: username, Password: password }))
      ok(yield* idp(local, "AdminConfirmSignUp", { UserPoolId: userPoolId, Username: username }))
      const signedIn = ok(
        yield* idp(local, "InitiateAuth", {
          ClientId: clientId,
          AuthFlow: "USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: username, PASSWORD: password }
        })
      )
      const refreshToken = String((signedIn.AuthenticationResult as Record<string, unknown>).RefreshToken)

      const refused = yield* idp(local, "RevokeToken", { ClientId: otherClientId, Token: refreshToken })
      assert.strictEqual(refused.status, 400)
      assert.strictEqual(refused.body.__type, "UnauthorizedException")
      assert.notInclude(String(refused.body.message), refreshToken)

      const refresh = () =>
        idp(local, "InitiateAuth", {
          ClientId: clientId,
          AuthFlow: "REFRESH_TOKEN_AUTH",
          AuthParameters: { REFRESH_TOKEN: refreshToken }
        })
      ok(yield* refresh())
      // Its own client revokes it.
      ok(yield* idp(local, "RevokeToken", { ClientId: clientId, Token: refreshToken }))
      const after = yield* refresh()
      assert.strictEqual(after.status, 400)
      assert.strictEqual(after.body.__type, "NotAuthorizedException")
    })
  )
})
