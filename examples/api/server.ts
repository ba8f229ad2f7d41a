/**
 * An API that trusts Cognito's tokens: a Node server (`NodeHttpServer`) whose routes are
 * guarded by `CognitoAuthMiddleware`, verifying each Bearer token with a
 * `CognitoJwtVerifier` that fetches the user pool's JWKS.
 *
 *   npm run example:api
 *
 * starts the local Cognito and the API on free loopback ports, signs a user in with
 * `NodeAuth` (SRP, over HTTP) and calls every route, with and without her access token,
 * printing what each answered. The routes:
 *
 * - `GET /health`: public;
 * - `GET /me`: any valid access token of the pool's app client; answers the user;
 * - `GET /profile`: an access token with the `aws.cognito.signin.user.admin` scope (what a
 *   user's own sign-in carries);
 * - `GET /admin`: a user in the `admins` group.
 *
 * Against a real pool, give {@link layer} the pool's id and app client (no `endpoint`):
 * the JWKS then comes from `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`.
 */
import { createServer } from "node:http"
import * as Auth from "@effect-cognito/core/Auth"
import * as CognitoAuthMiddleware from "@effect-cognito/core/CognitoAuthMiddleware"
import * as CognitoJwtVerifier from "@effect-cognito/core/CognitoJwtVerifier"
import { NodeAuth } from "@effect-cognito/node"
import * as LocalCognito from "@effect-cognito/node/LocalCognito"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServer from "effect/http/HttpServer"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"

/** The verified user, as the protected routes answer it. */
const whoAmI = Effect.gen(function* () {
  const user = yield* CognitoAuthMiddleware.CurrentUser
  return HttpServerResponse.jsonUnsafe({ sub: user.sub, username: user.username, groups: user.groups })
})

/** The routes, each behind the middleware with its own requirements. */
export const Routes = Layer.mergeAll(
  HttpRouter.add("GET", "/health", HttpServerResponse.text("ok")),
  HttpRouter.add("GET", "/me", whoAmI).pipe(Layer.provide(CognitoAuthMiddleware.router().layer)),
  HttpRouter.add("GET", "/profile", whoAmI).pipe(
    Layer.provide(CognitoAuthMiddleware.router({ scopes: ["aws.cognito.signin.user.admin"] }).layer)
  ),
  HttpRouter.add("GET", "/admin", HttpServerResponse.text("welcome, admin")).pipe(
    Layer.provide(CognitoAuthMiddleware.router({ groups: ["admins"] }).layer)
  )
)

/**
 * The API on `127.0.0.1:<port>` (default a free port), verifying access tokens of `pool`
 * (with `endpoint`, an emulator's). It provides the `HttpServer`, so a caller can read
 * its address.
 */
export const layer = (options: { readonly pool: CognitoJwtVerifier.UserPool; readonly port?: number | undefined }) => {
  const verifier = CognitoJwtVerifier.layer({ userPools: options.pool, tokenUse: "access" }).pipe(
    Layer.provide(NodeHttpClient.layerUndici)
  )
  return HttpRouter.serve(Routes.pipe(Layer.provide(verifier)), { disableListenLog: true, disableLogger: true }).pipe(
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port: options.port ?? 0, host: "127.0.0.1" }))
  )
}

/** The base URL of the server in context, e.g. `http://127.0.0.1:41234`. */
export const baseUrl = Effect.gen(function* () {
  const { address } = yield* HttpServer.HttpServer
  return address._tag === "UnixPathAddress" ? "http://127.0.0.1" : `http://127.0.0.1:${address.port}`
})

// ---------------------------------------------------------------------------
// Running it
// ---------------------------------------------------------------------------

const password = Redacted.make("Api-Passw0rd!")

/** Alice, created in the local Cognito's default pool and signed in with `Auth` (SRP): her pool and tokens. */
export const signedInAlice = Effect.gen(function* () {
  const local = yield* LocalCognito.LocalCognito
  const pool = yield* local.pool(local.defaultPool.userPoolId)
  yield* pool.adminCreateUser({ username: "alice", messageAction: "SUPPRESS" })
  yield* pool.adminSetUserPassword("alice", password, { permanent: true })
  const tokens = yield* Effect.gen(function* () {
    const auth = yield* Auth.Auth
    yield* auth.signIn({ username: "alice", password })
    return yield* auth.getTokens()
  }).pipe(Effect.provide(NodeAuth.layer(local.config)))
  return { pool, tokens }
})

/** The demo: a user signed in over the local Cognito, then every route called with and without her token. */
export const main = Effect.gen(function* () {
  const local = yield* LocalCognito.LocalCognito
  const { clientId, userPoolId } = local.defaultPool
  yield* Console.log(`local Cognito at ${local.endpoint}, user pool ${userPoolId}`)
  const { tokens } = yield* signedInAlice
  yield* Console.log("alice signed in (SRP) and holds an access token")

  yield* Effect.gen(function* () {
    const url = yield* baseUrl
    yield* Console.log(`API at ${url}`)
    const call = (path: string, label: string, token?: Redacted.Redacted<string>) =>
      Effect.promise(async () => {
        const response = await fetch(`${url}${path}`, {
          headers: token === undefined ? {} : { authorization: `Bearer ${Redacted.value(token)}` }
        })
        const challenge = response.headers.get("www-authenticate")
        return `GET ${path} ${label}: HTTP ${response.status}${challenge === null ? "" : ` (WWW-Authenticate: ${challenge})`}`
      })
    for (const [path, label, token] of [
      ["/health", "without a token", undefined],
      ["/me", "without a token", undefined],
      ["/me", "with her access token", tokens.accessToken],
      ["/me", "with her id token", tokens.idToken],
      ["/profile", "with her access token", tokens.accessToken],
      ["/admin", "with her access token", tokens.accessToken]
    ] as const)
      yield* Console.log(yield* call(path, label, token))
  }).pipe(Effect.provide(layer({ pool: { userPoolId, clientId, endpoint: local.endpoint } })))
}).pipe(Effect.provide(LocalCognito.layer()), Effect.provideService(References.MinimumLogLevel, "Warn"))

if (import.meta.url === `file://${process.argv[1]}`) {
  Effect.runPromiseExit(main).then((exit) => {
    if (exit._tag === "Success") return console.log("example API: done")
    console.error(`example API FAILED: ${String(exit.cause)}`)
    process.exit(1)
  })
}
