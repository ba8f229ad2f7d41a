/**
 * Bearer authentication with Cognito tokens for Effect HTTP servers, in both of
 * `effect/http`'s forms: a `HttpRouter` middleware ({@link router}) and an `HttpApi`
 * security middleware ({@link Authentication}, {@link layerHttpApi}). Each reads
 * `Authorization: Bearer <token>`, verifies the token with the `CognitoJwtVerifier` in
 * context and gives the handler the verified user as {@link CurrentUser}.
 *
 * Refusals follow RFC 6750: no Bearer token is a 401 with a `WWW-Authenticate: Bearer
 * realm="…"` challenge; a token the verifier refuses (expired, forged, another pool or app
 * client, the wrong kind) is a 401 with `error="invalid_token"`; a valid token without a
 * required scope or group is a 403 with `error="insufficient_scope"` (and the required
 * scopes); a JWKS that could not be loaded is a 503, since the token may be valid. The
 * body is `{ "error", "error_description" }`, one fixed sentence per check: never the
 * token, nor a claim.
 *
 * @example
 * ```ts
 * import * as CognitoAuthMiddleware from "@effect-cognito/core/CognitoAuthMiddleware"
 * import * as Effect from "effect/Effect"
 * import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
 * import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
 * import * as HttpRouter from "effect/http/HttpRouter"
 * import * as HttpServerResponse from "effect/http/HttpServerResponse"
 * import * as Layer from "effect/Layer"
 *
 * // HttpRouter: the user in a handler, admins only on one route.
 * const Me = HttpRouter.add("GET", "/me", Effect.gen(function* () {
 *   const user = yield* CognitoAuthMiddleware.CurrentUser
 *   return HttpServerResponse.jsonUnsafe({ sub: user.sub, groups: user.groups })
 * })).pipe(Layer.provide(CognitoAuthMiddleware.router().layer))
 * const Admin = HttpRouter.add("GET", "/admin", HttpServerResponse.text("hi")).pipe(
 *   Layer.provide(CognitoAuthMiddleware.router({ groups: ["admins"] }).layer)
 * )
 *
 * // HttpApi: the middleware on a group, a requirement on one endpoint.
 * const Orders = HttpApiGroup.make("orders")
 *   .add(HttpApiEndpoint.get("list", "/orders"))
 *   .add(HttpApiEndpoint.post("create", "/orders").annotate(CognitoAuthMiddleware.Required, { scopes: ["orders/write"] }))
 *   .middleware(CognitoAuthMiddleware.Authentication)
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HttpApiMiddleware from "effect/http-api/HttpApiMiddleware"
import * as HttpApiSchema from "effect/http-api/HttpApiSchema"
import * as HttpApiSecurity from "effect/http-api/HttpApiSecurity"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as Types from "effect/Types"
import * as CognitoJwtVerifier from "./CognitoJwtVerifier.js"
import * as internal from "./internal/authMiddleware.js"

/**
 * The verified user of the request: the token's user, groups, scopes and claims.
 *
 * @since 0.1.0
 */
export class CurrentUser extends Context.Service<CurrentUser, CognitoJwtVerifier.VerifiedToken>()(
  "@effect-cognito/core/CognitoAuthMiddleware/CurrentUser"
) {}

/**
 * What a route requires of a token, over the verifier's options.
 *
 * @since 0.1.0
 */
export interface Requirements {
  /** The token accepted: `"access"`, `"id"`, or `null` for either. Default the verifier's. */
  readonly tokenUse?: "id" | "access" | null | undefined
  /** At least one of these scopes, or a 403. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** At least one of these groups, or a 403. */
  readonly groups?: ReadonlyArray<string> | undefined
  /** The realm of the challenge (printable ASCII, no `"` or `\`). Default `"api"`. */
  readonly realm?: string | undefined
}

/**
 * The requirements of an `HttpApi` endpoint or group, as an annotation read by
 * {@link layerHttpApi}: `endpoint.annotate(CognitoAuthMiddleware.Required, { groups: ["admins"] })`.
 * An endpoint's annotation wins over its group's, which wins over the layer's.
 *
 * @since 0.1.0
 */
export class Required extends Context.Service<Required, Requirements>()(
  "@effect-cognito/core/CognitoAuthMiddleware/Required"
) {}

const defaultRealm = "api"

const realmOf = (requirements: Requirements): string => {
  const realm = requirements.realm ?? defaultRealm
  return internal.isRealm(realm) ? realm : defaultRealm
}

/** The refusal of a request's token, or the verified user. */
const authenticate = (
  verifier: CognitoJwtVerifier.CognitoJwtVerifier.Service,
  token: string | undefined,
  requirements: Requirements
): Effect.Effect<Result.Result<CognitoJwtVerifier.VerifiedToken, internal.Refusal>> => {
  const realm = realmOf(requirements)
  if (token === undefined || token === "") return Effect.succeed(Result.fail(internal.missing(realm)))
  return verifier
    .verify(Redacted.make(token), {
      ...(requirements.tokenUse === undefined ? {} : { tokenUse: requirements.tokenUse }),
      ...(requirements.scopes === undefined ? {} : { scopes: requirements.scopes }),
      ...(requirements.groups === undefined ? {} : { groups: requirements.groups })
    })
    .pipe(
      Effect.map(Result.succeed),
      Effect.catchTag("JwtVerificationError", (error) =>
        Effect.succeed(Result.fail(internal.refused(realm, error.check, requirements.scopes)))
      )
    )
}

/**
 * Bearer authentication for the routes it is provided to: the `CognitoJwtVerifier` is
 * taken from the context when the layer is built, and each request is answered with a
 * 401, 403 or 503 or handled with {@link CurrentUser}.
 *
 * @since 0.1.0
 */
export const router = (requirements: Requirements = {}) =>
  HttpRouter.middleware<{ provides: CurrentUser }>()(
    Effect.gen(function* () {
      const verifier = yield* CognitoJwtVerifier.CognitoJwtVerifier
      return (httpEffect) =>
        Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
          Effect.flatMap(
            authenticate(verifier, internal.bearerToken(request.headers.authorization), requirements),
            (result) =>
              Result.isSuccess(result)
                ? Effect.provideService(httpEffect, CurrentUser, result.success)
                : Effect.succeed(
                    HttpServerResponse.jsonUnsafe(internal.body(result.failure), {
                      status: result.failure.status,
                      headers:
                        result.failure.challenge === undefined ? {} : { "www-authenticate": result.failure.challenge }
                    })
                  )
          )
        )
    })
  )

const ErrorBody = Schema.Struct({ error: Schema.String, error_description: Schema.String })

/**
 * A request without a valid token: 401, with the challenge in `WWW-Authenticate`.
 *
 * @since 0.1.0
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>(
  "@effect-cognito/core/CognitoAuthMiddleware/Unauthorized"
)("Unauthorized", {
  /** `invalid_token`, or `unauthorized` for a request without a token. */
  error: Schema.String,
  description: Schema.String,
  /** The `WWW-Authenticate` challenge. */
  challenge: Schema.String
}) {}

/**
 * A valid token without a required scope or group: 403 `insufficient_scope`.
 *
 * @since 0.1.0
 */
export class Forbidden extends Schema.TaggedError<Forbidden>("@effect-cognito/core/CognitoAuthMiddleware/Forbidden")(
  "Forbidden",
  {
    error: Schema.String,
    description: Schema.String,
    challenge: Schema.String
  }
) {}

/**
 * The user pool's keys could not be loaded: 503; the token may be valid.
 *
 * @since 0.1.0
 */
export class Unavailable extends Schema.TaggedError<Unavailable>(
  "@effect-cognito/core/CognitoAuthMiddleware/Unavailable"
)("Unavailable", {
  error: Schema.String,
  description: Schema.String
}) {}

/** A refusal on the wire: the RFC 6750 body at its status, the challenge in `WWW-Authenticate`. */
const challengeResponse = (status: 401 | 403) => ({
  body: ErrorBody.pipe(HttpApiSchema.status(status)),
  headers: { "www-authenticate": Schema.String }
})

const UnauthorizedResponse = Unauthorized.pipe(
  HttpApiSchema.encodeToWithHeaders(challengeResponse(401), {
    decode: ({ body, headers }) =>
      new Unauthorized({
        error: body.error,
        description: body.error_description,
        challenge: headers["www-authenticate"]
      }),
    encode: (error) => ({
      body: { error: error.error, error_description: error.description },
      headers: { "www-authenticate": error.challenge }
    })
  })
)
const ForbiddenResponse = Forbidden.pipe(
  HttpApiSchema.encodeToWithHeaders(challengeResponse(403), {
    decode: ({ body, headers }) =>
      new Forbidden({ error: body.error, description: body.error_description, challenge: headers["www-authenticate"] }),
    encode: (error) => ({
      body: { error: error.error, error_description: error.description },
      headers: { "www-authenticate": error.challenge }
    })
  })
)
const UnavailableResponse = Unavailable.pipe(
  HttpApiSchema.encodeToWithHeaders(
    { body: ErrorBody.pipe(HttpApiSchema.status(503)), headers: {} },
    {
      decode: ({ body }) => new Unavailable({ error: body.error, description: body.error_description }),
      encode: (error) => ({ body: { error: error.error, error_description: error.description }, headers: {} })
    }
  )
)

/**
 * The `HttpApi` security middleware: a Bearer scheme (so OpenAPI documents it), the 401,
 * 403 and 503 answers as declared errors, and {@link CurrentUser} for the handlers. Put it
 * on an API, a group or an endpoint with `.middleware(CognitoAuthMiddleware.Authentication)`
 * and provide {@link layerHttpApi}.
 *
 * @since 0.1.0
 */
export class Authentication extends HttpApiMiddleware.Service<Authentication, { provides: CurrentUser }>()(
  "@effect-cognito/core/CognitoAuthMiddleware/Authentication",
  {
    security: { bearer: HttpApiSecurity.bearer },
    error: [UnauthorizedResponse, ForbiddenResponse, UnavailableResponse]
  }
) {}

/**
 * {@link Authentication} over the `CognitoJwtVerifier` in context, with `requirements` for
 * every endpoint; a group's or an endpoint's {@link Required} annotation adds to them (the
 * endpoint's fields win over the group's, which win over these).
 *
 * @since 0.1.0
 */
export const layerHttpApi = (
  requirements: Requirements = {}
): Layer.Layer<Authentication, never, CognitoJwtVerifier.CognitoJwtVerifier> =>
  Layer.effect(
    Authentication,
    Effect.gen(function* () {
      const verifier = yield* CognitoJwtVerifier.CognitoJwtVerifier
      return {
        bearer: (httpEffect, { credential, endpoint, group }) => {
          const required: Requirements = {
            ...requirements,
            ...Option.getOrUndefined(Context.getOption(group.annotations, Required)),
            ...Option.getOrUndefined(Context.getOption(endpoint.annotations, Required))
          }
          type Answer = Effect.Effect<
            HttpServerResponse.HttpServerResponse,
            Types.unhandled | Unauthorized | Forbidden | Unavailable
          >
          return Effect.flatMap(authenticate(verifier, Redacted.value(credential), required), (result): Answer => {
            if (Result.isSuccess(result)) return Effect.provideService(httpEffect, CurrentUser, result.success)
            const refusal = result.failure
            const { error, error_description: description } = internal.body(refusal)
            if (refusal.status === 503) return Effect.fail(new Unavailable({ error, description }))
            const fields = { error, description, challenge: refusal.challenge ?? "Bearer" }
            return Effect.fail(refusal.status === 403 ? new Forbidden(fields) : new Unauthorized(fields))
          })
        }
      }
    })
  )
