/**
 * core's `CognitoJwtVerifier` against the local Cognito over loopback HTTP, as against a
 * real pool: configured with the pool id and the server as its endpoint, it fetches the
 * pool's JWKS from `<endpoint>/<userPoolId>/.well-known/jwks.json` through undici and
 * accepts the tokens `NodeAuth` signed in for; another pool's JWKS does not verify them.
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as CognitoJwtVerifier from "@effect-cognito/core/CognitoJwtVerifier"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, layer } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as NodeAuth from "../src/NodeAuth.js"
import * as LocalCognito from "../src/LocalCognito.js"

const password = Redacted.make("First-Passw0rd!")

/** A verifier of `userPoolId`'s tokens from the local Cognito, over undici, for the test's scope. */
const verifierFor = (local: LocalCognito.LocalCognito.Service, userPoolId: string, clientId: string) =>
  Layer.build(
    CognitoJwtVerifier.layer({ userPools: { userPoolId, clientId, endpoint: local.endpoint }, tokenUse: null }).pipe(
      Layer.provide(NodeHttpClient.layerUndici)
    )
  ).pipe(Effect.map(Context.get(CognitoJwtVerifier.CognitoJwtVerifier)))

layer(LocalCognito.layer())("the local Cognito's JWKS, with CognitoJwtVerifier", (it) => {
  it.effect("verifies the id and access tokens of a sign-in over HTTP", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const { clientId, userPoolId } = local.defaultPool
      const pool = yield* local.pool(userPoolId)
      yield* pool.adminCreateUser({ username: "verified-alice", messageAction: "SUPPRESS" })
      yield* pool.adminSetUserPassword("verified-alice", password, { permanent: true })
      const tokens = yield* Effect.gen(function* () {
        const auth = yield* Auth.Auth
        yield* auth.signIn({ username: "verified-alice", password })
        return yield* auth.getTokens()
      }).pipe(Effect.provide(NodeAuth.layer(local.config)))
      const verifier = yield* verifierFor(local, userPoolId, clientId)
      yield* verifier.hydrate
      const access = yield* verifier.verify(tokens.accessToken)
      const id = yield* verifier.verify(tokens.idToken)
      assert.strictEqual(access.tokenUse, "access")
      assert.strictEqual(access.username, "verified-alice")
      assert.strictEqual(access.issuer, `${local.endpoint}${userPoolId}`)
      assert.strictEqual(id.sub, access.sub)
      assert.strictEqual(id.clientId, clientId)
      // The same tokens, checked against another app client of the pool: refused by client_id.
      const other = yield* verifierFor(local, userPoolId, "anotherclient")
      assert.strictEqual((yield* Effect.flip(other.verify(tokens.accessToken))).check, "client_id")
    }).pipe(Effect.scoped)
  )

  it.effect("a JWKS URL the server does not serve is a typed jwks failure", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const verifier = yield* verifierFor(local, "us-east-1_NoSuchPool", "someclient")
      const error = yield* Effect.flip(verifier.hydrate)
      assert.strictEqual(error.check, "jwks")
      assert.include(error.description, "answered HTTP 404")
    }).pipe(Effect.scoped)
  )
})
