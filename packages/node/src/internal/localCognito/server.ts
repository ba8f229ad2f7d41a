/**
 * The local Cognito's HTTP server: `POST /` routed by `X-Amz-Target`
 * (`AWSCognitoIdentityProviderService.*`, `AWSCognitoIdentityService.*`) in AWS JSON 1.1,
 * and `GET /<userPoolId>/.well-known/jwks.json` like Cognito's issuer URL. Public
 * user-pool actions are answered by the pool's `TestCognito` provider, which checks them
 * as Cognito does (passwords by SRP, codes, secret hashes, token signatures); the app
 * client is found by `ClientId`, by the `client_id` of an access token, or by the
 * challenge session it issued.
 *
 * @internal
 */
import { createServer } from "node:http"
import type * as AuthError from "@effect-cognito/core/AuthError"
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as LocalCognito from "../../LocalCognito.js"
import * as Registry from "./registry.js"
import { allowFlow, decode, errorBody, failure, initiateAuthRequest, Requests, Responses, attributes } from "./wire.js"

type Secret = Redacted.Redacted<string>
type Handler = (body: unknown) => Effect.Effect<unknown, AuthError.AuthError>

const contentType = "application/x-amz-json-1.1"
const userPoolTarget = "AWSCognitoIdentityProviderService"
const identityTarget = "AWSCognitoIdentityService"
const jwksPath = /^\/([a-z]{2}(?:-[a-z]+)+-\d+_[0-9A-Za-z]+)\/\.well-known\/jwks\.json$/

const cors = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-expose-headers": "x-amzn-requestid, x-amzn-errortype"
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  HttpServerResponse.text(JSON.stringify(body), {
    status,
    contentType,
    headers: { ...cors, "x-amzn-requestid": crypto.randomUUID(), ...headers }
  })

/** Cognito's error answer: `__type` and `message` in the body, the exception also in `x-amzn-ErrorType`. */
const failureJson = (status: number, exception: string, message: string) =>
  json(status, { __type: exception, message }, { "x-amzn-errortype": exception })

/** The claims of a JWT, unverified: only to find the app client that issued it. */
const unverifiedClaims = (token: string): Record<string, unknown> | undefined => {
  const payload = token.split(".")[1]
  if (payload === undefined) return undefined
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"))
    return typeof claims === "object" && claims !== null ? (claims as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** Starts the server on loopback and serves until the scope closes. */
export const make = (
  options: LocalCognito.Options
): Effect.Effect<
  {
    readonly endpoint: string
    readonly registry: Registry.Registry
    readonly deliveries: Effect.Effect<ReadonlyArray<LocalCognito.Delivery>>
  },
  HttpServerError.ServeError,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const server = yield* NodeHttpServer.make(() => createServer(), { port: options.port ?? 0, host: "127.0.0.1" })
    const address = server.address
    const port = address._tag === "TcpAddress" ? address.port : 0
    const endpoint = `http://127.0.0.1:${port}/`
    const registry = Registry.make(options.region ?? "us-east-1", endpoint, options.identityPools)
    const sessions = new Map<string, string>()
    const deliveries: Array<LocalCognito.Delivery> = []

    /** Reports the codes pools delivered since the last report. */
    const flush = Effect.suspend(() =>
      Effect.forEach(
        [...registry.pools.values()],
        (pool) =>
          Effect.flatMap(pool.cognito.outbox, (outbox) => {
            const fresh = outbox.slice(pool.reported).map((message) => ({ userPoolId: pool.id, message }))
            pool.reported = outbox.length
            deliveries.push(...fresh)
            return options.onDelivery === undefined ? Effect.void : Effect.forEach(fresh, options.onDelivery)
          }),
        { discard: true }
      )
    )

    const notFoundClient = (action: string, clientId: string) =>
      Effect.fail(failure(action, "ResourceNotFoundException", `User pool client ${clientId} does not exist.`))

    const byClientId = (action: string, clientId: string) => {
      const client = registry.clients.get(clientId)
      if (client === undefined) return notFoundClient(action, clientId)
      return Effect.succeed({ client, provider: client.cognito.provider })
    }

    const byAccessToken = (action: string, token: Secret) => {
      const clientId = unverifiedClaims(Redacted.value(token))?.client_id
      return typeof clientId === "string" && registry.clients.has(clientId)
        ? byClientId(action, clientId)
        : Effect.fail(failure(action, "NotAuthorizedException", "Invalid Access Token"))
    }

    /** The app client that issued a challenge session, with the session. */
    const bySession = (action: string, session: Secret | undefined) => {
      const clientId = session === undefined ? undefined : sessions.get(Redacted.value(session))
      return session === undefined || clientId === undefined
        ? Effect.fail(failure(action, "NotAuthorizedException", "Invalid session for the user, session is expired."))
        : Effect.map(byClientId(action, clientId), (found) => ({ ...found, session }))
    }

    const remember =
      (clientId: string) => (response: IdentityProvider.AuthResponse | { readonly session?: Secret | undefined }) => {
        const session = "session" in response ? response.session : undefined
        if (session !== undefined) sessions.set(Redacted.value(session), clientId)
      }

    const metadata = (value: Readonly<Record<string, string>> | undefined) =>
      value === undefined ? {} : { clientMetadata: value }

    const userPoolActions: Readonly<Record<string, Handler>> = {
      SignUp: (body) =>
        Effect.gen(function* () {
          const request = yield* decode("SignUp", Requests.SignUp)(body)
          const { provider } = yield* byClientId("SignUp", request.ClientId)
          const response = yield* provider.signUp({
            username: request.Username,
            password: request.Password,
            userAttributes: attributes(request.UserAttributes),
            ...(request.ValidationData === undefined ? {} : { validationData: attributes(request.ValidationData) }),
            ...metadata(request.ClientMetadata),
            ...(request.SecretHash === undefined ? {} : { secretHash: request.SecretHash })
          })
          return yield* Responses.signUp(response)
        }),
      ConfirmSignUp: (body) =>
        Effect.gen(function* () {
          const request = yield* decode("ConfirmSignUp", Requests.ConfirmSignUp)(body)
          const { provider } = yield* byClientId("ConfirmSignUp", request.ClientId)
          yield* provider.confirmSignUp({
            username: request.Username,
            confirmationCode: request.ConfirmationCode,
            ...(request.ForceAliasCreation === undefined ? {} : { forceAliasCreation: request.ForceAliasCreation }),
            ...metadata(request.ClientMetadata),
            ...(request.SecretHash === undefined ? {} : { secretHash: request.SecretHash })
          })
          return {}
        }),
      ResendConfirmationCode: (body) =>
        Effect.gen(function* () {
          const request = yield* decode("ResendConfirmationCode", Requests.ByUsername)(body)
          const { provider } = yield* byClientId("ResendConfirmationCode", request.ClientId)
          const response = yield* provider.resendConfirmationCode({
            username: request.Username,
            ...metadata(request.ClientMetadata),
            ...(request.SecretHash === undefined ? {} : { secretHash: request.SecretHash })
          })
          return yield* Responses.codeDelivery(response)
        }),
      InitiateAuth: (body) =>
        Effect.gen(function* () {
          const request = yield* decode("InitiateAuth", Requests.InitiateAuth)(body)
          const { client, provider } = yield* byClientId("InitiateAuth", request.ClientId)
          const typed = yield* initiateAuthRequest(request, Redacted.value)
          if (!client.explicitAuthFlows.includes(allowFlow(typed.authFlow)))
            return yield* Effect.fail(
              failure("InitiateAuth", "InvalidParameterException", `${typed.authFlow} flow not enabled for this client`)
            )
          const response = yield* provider.initiateAuth(typed)
          remember(client.clientId)(response)
          return yield* Responses.auth(response)
        }),
      RespondToAuthChallenge: (body) =>
        Effect.gen(function* () {
          const request = yield* decode("RespondToAuthChallenge", Requests.RespondToAuthChallenge)(body)
          const { client, provider } = yield* byClientId("RespondToAuthChallenge", request.ClientId)
          const response = yield* provider.respondToAuthChallenge({
            challengeName: request.ChallengeName,
            ...(request.Session === undefined ? {} : { session: request.Session }),
            challengeResponses: request.ChallengeResponses ?? {},
            ...metadata(request.ClientMetadata)
          })
          remember(client.clientId)(response)
          return yield* Responses.auth(response)
        }),
      GetTokensFromRefreshToken: (body) =>
        Effect.gen(function* () {
          const request = yield* decode("GetTokensFromRefreshToken", Requests.GetTokensFromRefreshToken)(body)
          const { provider } = yield* byClientId("GetTokensFromRefreshToken", request.ClientId)
          const tokens = yield* provider.getTokensFromRefreshToken({
            refreshToken: request.RefreshToken,
            ...(request.ClientSecret === undefined ? {} : { clientSecret: request.ClientSecret }),
            ...(request.DeviceKey === undefined ? {} : { deviceKey: request.DeviceKey }),
            ...metadata(request.ClientMetadata)
          })
          return yield* Responses.tokens(tokens)
        }),
      GlobalSignOut: (body) =>
        Effect.gen(function* () {
          const request = yield* decode("GlobalSignOut", Requests.AccessToken)(body)
          const { provider } = yield* byAccessToken("GlobalSignOut", request.AccessToken)
          yield* provider.globalSignOut({ accessToken: request.AccessToken })
          return {}
        }),
      RevokeToken: (body) =>
        Effect.gen(function* () {
          const request = yield* decode("RevokeToken", Requests.RevokeToken)(body)
          const { provider } = yield* byClientId("RevokeToken", request.ClientId)
          yield* provider.revokeToken({
            token: request.Token,
            ...(request.ClientSecret === undefined ? {} : { clientSecret: request.ClientSecret })
          })
          return {}
        }),
      ForgotPassword: (body) =>
        Effect.gen(function* () {
          const request = yield* decode("ForgotPassword", Requests.ByUsername)(body)
          const { provider } = yield* byClientId("ForgotPassword", request.ClientId)
          const response = yield* provider.forgotPassword({
            username: request.Username,
            ...metadata(request.ClientMetadata),
            ...(request.SecretHash === undefined ? {} : { secretHash: request.SecretHash })
          })
          return yield* Responses.codeDelivery(response)
        }),
      ConfirmForgotPassword: (body) =>
        Effect.gen(function* () {
          const request = yield* decode("ConfirmForgotPassword", Requests.ConfirmForgotPassword)(body)
          const { provider } = yield* byClientId("ConfirmForgotPassword", request.ClientId)
          yield* provider.confirmForgotPassword({
            username: request.Username,
            confirmationCode: request.ConfirmationCode,
            password: request.Password,
            ...metadata(request.ClientMetadata),
            ...(request.SecretHash === undefined ? {} : { secretHash: request.SecretHash })
          })
          return {}
        }),
      ChangePassword: (body) =>
        Effect.gen(function* () {
          const request = yield* decode("ChangePassword", Requests.ChangePassword)(body)
          const { provider } = yield* byAccessToken("ChangePassword", request.AccessToken)
          yield* provider.changePassword({
            accessToken: request.AccessToken,
            previousPassword: request.PreviousPassword,
            proposedPassword: request.ProposedPassword
          })
          return {}
        }),
      GetUser: (body) =>
        Effect.gen(function* () {
          const request = yield* decode("GetUser", Requests.AccessToken)(body)
          const { provider } = yield* byAccessToken("GetUser", request.AccessToken)
          return yield* Responses.getUser(yield* provider.getUser({ accessToken: request.AccessToken }))
        }),
      AssociateSoftwareToken: (body) =>
        Effect.gen(function* () {
          const action = "AssociateSoftwareToken"
          const request = yield* decode(action, Requests.AssociateSoftwareToken)(body)
          if (request.AccessToken !== undefined) {
            const { provider } = yield* byAccessToken(action, request.AccessToken)
            return yield* Responses.associateSoftwareToken(
              yield* provider.associateSoftwareToken({ accessToken: request.AccessToken })
            )
          }
          const { client, provider, session } = yield* bySession(action, request.Session)
          const response = yield* provider.associateSoftwareToken({ session })
          remember(client.clientId)(response)
          return yield* Responses.associateSoftwareToken(response)
        }),
      VerifySoftwareToken: (body) =>
        Effect.gen(function* () {
          const action = "VerifySoftwareToken"
          const request = yield* decode(action, Requests.VerifySoftwareToken)(body)
          const named =
            request.FriendlyDeviceName === undefined ? {} : { friendlyDeviceName: request.FriendlyDeviceName }
          if (request.AccessToken !== undefined) {
            const { provider } = yield* byAccessToken(action, request.AccessToken)
            return yield* Responses.verifySoftwareToken(
              yield* provider.verifySoftwareToken({
                accessToken: request.AccessToken,
                userCode: request.UserCode,
                ...named
              })
            )
          }
          const { client, provider, session } = yield* bySession(action, request.Session)
          const response = yield* provider.verifySoftwareToken({
            session,
            userCode: request.UserCode,
            ...named
          })
          remember(client.clientId)(response)
          return yield* Responses.verifySoftwareToken(response)
        }),
      ...registry.userPoolActions
    }

    const identityActions: Readonly<Record<string, Handler>> = registry.identityPoolActions

    const dispatch = (target: string, body: unknown): Effect.Effect<unknown, AuthError.AuthError> => {
      const dot = target.lastIndexOf(".")
      const service = target.slice(0, dot)
      const action = target.slice(dot + 1)
      const table = service === userPoolTarget ? userPoolActions : service === identityTarget ? identityActions : {}
      const handler = Object.hasOwn(table, action) ? table[action] : undefined
      return handler === undefined
        ? Effect.fail(failure(action, "UnknownOperationException", `Unknown operation ${target}`))
        : handler(body)
    }

    const post = (request: HttpServerRequest.HttpServerRequest) =>
      Effect.gen(function* () {
        const target = request.headers["x-amz-target"]
        if (target === undefined) return failureJson(400, "UnknownOperationException", "Missing X-Amz-Target")
        const text = yield* Effect.orElseSucceed(request.text, () => "")
        let body: unknown
        try {
          body = text.trim() === "" ? {} : JSON.parse(text)
        } catch {
          return failureJson(400, "SerializationException", "The request body is not JSON.")
        }
        const result = yield* Effect.either(dispatch(target, body))
        yield* flush
        if (result._tag === "Right") return json(200, result.right)
        const { exception, message, status } = errorBody(result.left)
        return failureJson(status, exception, message)
      })

    const get = (request: HttpServerRequest.HttpServerRequest) =>
      Effect.gen(function* () {
        const path = request.url.split("?")[0] ?? ""
        if (path === "/health") return json(200, { status: "ok" })
        const match = jwksPath.exec(path)
        const pool = match === null ? undefined : registry.pools.get(match[1]!)
        if (pool === undefined) return HttpServerResponse.text("Not found", { status: 404, headers: cors })
        return HttpServerResponse.text(JSON.stringify(yield* pool.cognito.jwks), {
          status: 200,
          contentType: "application/json",
          headers: cors
        })
      })

    const app = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
      request.method === "POST"
        ? post(request)
        : request.method === "GET"
          ? get(request)
          : request.method === "OPTIONS"
            ? Effect.succeed(HttpServerResponse.empty({ status: 204, headers: cors }))
            : Effect.succeed(HttpServerResponse.text("Method not allowed", { status: 405, headers: cors }))
    )

    yield* server.serve(app)
    return { endpoint, registry, deliveries: Effect.sync(() => [...deliveries]) }
  })
