/**
 * Tokens for a handler's tests without a sign-in: an id and an access token signed with
 * the pool's key, with Cognito's claims for a user (the pool's own user, when it has one
 * by that name) and whatever the test chooses on top; and an `HttpClient` that serves the
 * pool's JWKS at its issuer, so a `CognitoJwtVerifier` verifies them as it would verify
 * Cognito's.
 *
 * The ids a minted token carries (`origin_jti`, `event_id`, `jti`, an unknown user's
 * `sub`) come from `crypto.randomUUID`, not from the pool's seeded randomness: minting
 * never shifts the codes and ids a seeded pool hands out afterwards.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import type * as TestCognito from "../../TestCognito.js"
import type { State } from "./state.js"
import { idTokenAttributes } from "./tokens.js"

type Mint = Pick<TestCognito.TestCognito.Service, "mintTokens" | "jwksHttpClient">

const seconds = (input: Duration.Input | undefined, fallbackMillis: number) =>
  Math.floor((input === undefined ? fallbackMillis : Duration.toMillis(input)) / 1000)

export const make = (state: State): Mint => {
  const { config, issuer, now, signer, users, validity } = state
  const jwksUrl = `${issuer.replace(/\/+$/, "")}/.well-known/jwks.json`
  return {
    mintTokens: (input) =>
      Effect.gen(function* () {
        const iat = Math.floor((yield* now) / 1000)
        const user = users.get(input.username)
        const common = {
          sub: user?.sub ?? crypto.randomUUID(),
          ...(input.groups === undefined ? {} : { "cognito:groups": [...input.groups] }),
          iss: issuer,
          origin_jti: crypto.randomUUID(),
          event_id: crypto.randomUUID(),
          auth_time: iat,
          iat
        }
        const accessToken = yield* signer.sign({
          ...common,
          client_id: config.clientId,
          token_use: "access",
          scope: (input.scopes ?? ["aws.cognito.signin.user.admin"]).join(" "),
          exp: iat + seconds(input.expiresIn, validity.access),
          jti: crypto.randomUUID(),
          username: input.username,
          ...input.accessClaims
        })
        const idToken = yield* signer.sign({
          ...idTokenAttributes(user?.attributes ?? {}),
          ...common,
          "cognito:username": input.username,
          aud: config.clientId,
          token_use: "id",
          exp: iat + seconds(input.expiresIn, validity.id),
          jti: crypto.randomUUID(),
          ...input.idClaims
        })
        return { accessToken, idToken }
      }),
    jwksHttpClient: HttpClient.make((request, url) =>
      Effect.map(signer.jwks, (jwks) =>
        HttpClientResponse.fromWeb(
          request,
          request.method === "GET" && `${url.origin}${url.pathname}` === jwksUrl
            ? new Response(JSON.stringify(jwks), { status: 200, headers: { "content-type": "application/json" } })
            : new Response("Not found", { status: 404 })
        )
      )
    )
  }
}
