/**
 * `OAuth`: the authorization code flow with PKCE over the Cognito domain. The random
 * values (state, nonce, PKCE verifier: 32 bytes each, base64url) come from `SecureRandom`,
 * the S256 challenge from Web Crypto, the code exchange from `oauthToken.ts`, the id token's
 * signature and claims from the `CognitoJwtVerifier` of the configured pool and app client
 * (its JWKS cached for the service's life), and every decision about a callback from the
 * pure rules of `oauthRules.ts`.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as HttpClientTag from "effect/http/HttpClient"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as AuthConfig from "../AuthConfig.js"
import * as AuthError from "../AuthError.js"
import type * as CognitoJwtVerifier from "../CognitoJwtVerifier.js"
import type * as OAuth from "../OAuth.js"
import type * as SecureRandom from "../SecureRandom.js"
import * as Encoding from "./encoding.js"
import * as Verifier from "./jwtVerifier.js"
import { PendingAuthorization } from "./oauthPending.js"
import * as Rules from "./oauthRules.js"
import * as Token from "./oauthToken.js"
import * as tags from "./tags.js"
import { sha256 } from "./webCrypto.js"

export { fromJson, toJson } from "./oauthPending.js"

type Secret = Redacted.Redacted<string>

/** The S256 challenge of a verifier: base64url(SHA-256(verifier)). */
export const codeChallenge = (verifier: string): Effect.Effect<string> =>
  Effect.map(sha256(Encoding.utf8(verifier)), Encoding.toBase64Url)

const randomText = (random: SecureRandom.SecureRandom.Service) => Effect.map(random.nextBytes(32), Encoding.toBase64Url)

/** Step 1 with the randomness given. */
const authorize = (
  config: AuthConfig.Validated,
  random: SecureRandom.SecureRandom.Service,
  options: OAuth.AuthorizeOptions | undefined
): Effect.Effect<OAuth.Authorization, AuthError.AuthError> =>
  Effect.gen(function* () {
    const method = "authorizationUrl"
    const settings = yield* Effect.fromResult(Rules.settingsOf(config, method))
    const scopes = yield* Effect.fromResult(Rules.scopesOf(method, options?.scopes ?? settings.scopes))
    const redirectUri = yield* Effect.fromResult(
      Rules.uriOf(method, "redirectUri", options?.redirectUri ?? settings.redirectSignIn)
    )
    const extra = yield* Effect.fromResult(Rules.extraOf(method, options?.extraParameters))
    const provider = options?.provider
    if (provider !== undefined && (typeof provider !== "string" || provider === "" || provider.length > 128))
      return yield* Effect.fail(AuthError.make("InvalidInput", method, "provider: expected a provider's name"))
    const customState = options?.customState
    if (customState !== undefined && typeof customState !== "string")
      return yield* Effect.fail(AuthError.make("InvalidInput", method, "customState: expected a string"))
    const state = Rules.stateOf(yield* random.nextBytes(32), customState)
    const nonce = yield* randomText(random)
    const verifier = yield* randomText(random)
    const pending = new PendingAuthorization({
      clientId: config.clientId,
      state,
      codeVerifier: Redacted.make(verifier),
      nonce,
      redirectUri,
      ...(customState === undefined ? {} : { customState }),
      createdAt: yield* Clock.currentTimeMillis
    })
    const url = Rules.authorizeUrl(settings.domain, {
      clientId: config.clientId,
      redirectUri,
      state,
      scopes,
      nonce,
      codeChallenge: yield* codeChallenge(verifier),
      provider,
      extra
    })
    return { url, pending }
  })

/** The id token verifier of the configured pool and app client. */
const makeVerifier = (config: AuthConfig.Validated) =>
  Verifier.make({
    userPools: {
      userPoolId: config.userPoolId,
      clientId: config.clientId,
      region: config.region,
      endpoint: config.identityProviderEndpoint
    },
    tokenUse: "id"
  })

const endpointOf = (config: AuthConfig.Validated, settings: AuthConfig.OAuthSettings): Token.Endpoint => ({
  domain: settings.domain,
  clientId: config.clientId,
  clientSecret: config.clientSecret,
  timeout: config.requestTimeout,
  maxResponseBytes: config.maxResponseBytes
})

/** Step 2 with the HTTP client and the verifier given. */
const complete = (
  config: AuthConfig.Validated,
  client: HttpClient.HttpClient,
  verifier: CognitoJwtVerifier.CognitoJwtVerifier.Service,
  input: OAuth.CompleteInput
): Effect.Effect<OAuth.AuthorizationResult, AuthError.AuthError> =>
  Effect.gen(function* () {
    const method = "completeAuthorization"
    const settings = yield* Effect.fromResult(Rules.settingsOf(config, method))
    if (typeof input !== "object" || input === null || !(input.pending instanceof PendingAuthorization))
      return yield* Effect.fail(
        AuthError.make("InvalidInput", method, "pending: expected the PendingAuthorization of authorizationUrl")
      )
    const { pending } = input
    const code = yield* Effect.fromResult(
      Rules.readCallback(method, {
        callbackUrl: input.callbackUrl,
        pending,
        clientId: config.clientId,
        nowMillis: yield* Clock.currentTimeMillis,
        validityMillis: Duration.toMillis(settings.pendingValidity)
      })
    )
    const answer = yield* Token.requestTokens(client, endpointOf(config, settings), method, {
      grant_type: "authorization_code",
      client_id: config.clientId,
      code: Redacted.make(code),
      redirect_uri: pending.redirectUri,
      code_verifier: pending.codeVerifier
    })
    if (answer.idToken === undefined)
      return yield* Effect.fail(
        AuthError.make("InvalidResponse", method, "the token endpoint answered without an id token (is openid asked?)")
      )
    const verified = yield* verifier
      .verify(answer.idToken)
      .pipe(
        Effect.mapError((error) =>
          AuthError.make("InvalidResponse", method, `the id token was refused: ${error.message}`, { cause: error })
        )
      )
    const nonce = verified.claims.nonce
    if (nonce !== pending.nonce)
      return yield* Effect.fail(
        AuthError.make(
          "InvalidResponse",
          method,
          nonce === undefined
            ? "the id token has no nonce, expected the pending authorization's"
            : "the id token's nonce is not the pending authorization's"
        )
      )
    const tokens: OAuth.TokenSet = {
      accessToken: answer.accessToken,
      idToken: answer.idToken,
      ...(answer.refreshToken === undefined ? {} : { refreshToken: answer.refreshToken }),
      expiresIn: answer.expiresIn,
      tokenType: answer.tokenType
    }
    return {
      tokens,
      idTokenClaims: verified.claims,
      ...(pending.customState === undefined ? {} : { customState: pending.customState })
    } satisfies OAuth.AuthorizationResult
  }).pipe(Effect.withSpan("OAuth.completeAuthorization"))

export const logoutUrl = (
  config: AuthConfig.Validated,
  options?: OAuth.LogoutOptions
): Effect.Effect<string, AuthError.AuthError> =>
  Effect.gen(function* () {
    const method = "logoutUrl"
    const settings = yield* Effect.fromResult(Rules.settingsOf(config, method))
    const logoutUri = yield* Effect.fromResult(
      Rules.uriOf(method, "logoutUri", options?.logoutUri ?? settings.redirectSignOut)
    )
    return Rules.logoutUrlOf(settings.domain, config.clientId, logoutUri)
  })

const revokeWith =
  (config: AuthConfig.Validated, client: HttpClient.HttpClient) =>
  (refreshToken: Secret): Effect.Effect<void, AuthError.AuthError> =>
    Effect.gen(function* () {
      const method = "revoke"
      const settings = yield* Effect.fromResult(Rules.settingsOf(config, method))
      const { status, text } = yield* Token.post(client, endpointOf(config, settings), method, "/oauth2/revoke", {
        token: refreshToken,
        client_id: config.clientId
      })
      if (status < 200 || status >= 300) return yield* Effect.fail(Token.errorAnswer(method, status, text))
    })

export const make = (
  config: AuthConfig.Validated
): Effect.Effect<
  OAuth.OAuth.Service,
  AuthError.AuthError,
  HttpClient.HttpClient | SecureRandom.SecureRandom | Scope.Scope
> =>
  Effect.gen(function* () {
    yield* Effect.fromResult(Rules.settingsOf(config, "OAuth"))
    const client = yield* HttpClientTag.HttpClient
    const random = yield* tags.secureRandom
    const verifier = yield* makeVerifier(config)
    return {
      authorizationUrl: (options) => authorize(config, random, options),
      completeAuthorization: (input) => complete(config, client, verifier, input),
      logoutUrl: (options) => logoutUrl(config, options),
      revoke: revokeWith(config, client)
    } satisfies OAuth.OAuth.Service
  })

/** The service of a configuration without a domain: every method fails with `InvalidConfig`. */
const unconfigured = (config: AuthConfig.Validated): OAuth.OAuth.Service => {
  const refuse = (method: string) =>
    Effect.flatMap(Effect.fromResult(Rules.settingsOf(config, method)), () =>
      Effect.fail(AuthError.make("InvalidConfig", method, "no Cognito domain is configured"))
    )
  return {
    authorizationUrl: () => refuse("authorizationUrl"),
    completeAuthorization: () => refuse("completeAuthorization"),
    logoutUrl: () => refuse("logoutUrl"),
    revoke: () => refuse("revoke")
  }
}

export const makeFromContext = Effect.flatMap(tags.authConfig, (config) =>
  config.oauth === undefined ? Effect.succeed(unconfigured(config)) : make(config)
)

export const authorizationUrl = (
  config: AuthConfig.Validated,
  options?: OAuth.AuthorizeOptions
): Effect.Effect<OAuth.Authorization, AuthError.AuthError, SecureRandom.SecureRandom> =>
  Effect.flatMap(tags.secureRandom, (random) => authorize(config, random, options))

export const completeAuthorization = (
  config: AuthConfig.Validated,
  input: OAuth.CompleteInput
): Effect.Effect<OAuth.AuthorizationResult, AuthError.AuthError, HttpClient.HttpClient> =>
  Effect.scoped(
    Effect.gen(function* () {
      const client = yield* HttpClientTag.HttpClient
      return yield* complete(config, client, yield* makeVerifier(config), input)
    })
  )
