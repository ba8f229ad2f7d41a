/**
 * `Auth`'s sign-in through the Cognito domain: the `OAuth` service in context (optional,
 * as the identity pool is) builds the URL and completes the callback, and the tokens
 * establish the session as any sign-in does (stored under the shared lock, published to
 * other contexts, refreshed by `REFRESH_TOKEN_AUTH` like any user-pool tokens).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Auth from "../Auth.js"
import type * as AuthConfig from "../AuthConfig.js"
import * as AuthError from "../AuthError.js"
import type * as OAuth from "../OAuth.js"
import { logoutUrl } from "./oauth.js"
import type * as Session from "./session.js"

/** The redirect methods of `Auth`. */
export type RedirectSignIn = Pick<
  Auth.Auth.Service,
  "redirectSignInUrl" | "completeRedirectSignIn" | "redirectSignOutUrl"
>

/** What the redirect sign-in needs. */
export interface Options {
  readonly config: AuthConfig.Validated
  readonly oauth: Option.Option<OAuth.OAuth.Service>
  readonly session: Session.Session
  /** Drops a pending challenge of a password sign-in, once the domain's session replaced it. */
  readonly cancelPending: Effect.Effect<void>
}

const missing = (method: string) =>
  Effect.fail(
    AuthError.make(
      "InvalidConfig",
      method,
      "no OAuth service: configure oauth in AuthConfig (COGNITO_DOMAIN) and provide OAuth.layer (NodeAuth and BrowserAuth do)"
    )
  )

export const make = (options: Options): RedirectSignIn => {
  const { oauth, session } = options
  const withOAuth = <A>(method: string, f: (service: OAuth.OAuth.Service) => Effect.Effect<A, AuthError.AuthError>) =>
    Option.isSome(oauth) ? f(oauth.value) : missing(method)

  /**
   * A session the store cannot take: the new refresh token is revoked (best effort) so no
   * live token is left that nobody holds; the user stays signed out.
   */
  const unstored = (service: OAuth.OAuth.Service, tokens: OAuth.TokenSet, error: AuthError.AuthError) =>
    Effect.gen(function* () {
      const revoked =
        tokens.refreshToken === undefined
          ? true
          : yield* service.revoke(tokens.refreshToken).pipe(
              Effect.as(true),
              Effect.catch(() => Effect.succeed(false))
            )
      return yield* Effect.fail(
        AuthError.make(
          "Storage",
          "completeRedirectSignIn",
          `signed in, but the session could not be stored, so the user stays signed out; the new refresh token ${
            revoked ? "was revoked" : "could not be revoked"
          }`,
          { cause: error }
        )
      )
    })

  return {
    redirectSignInUrl: (input) =>
      withOAuth("redirectSignInUrl", (service) => service.authorizationUrl(input)).pipe(
        Effect.withSpan("Auth.redirectSignInUrl")
      ),
    completeRedirectSignIn: (input) =>
      withOAuth("completeRedirectSignIn", (service) =>
        Effect.gen(function* () {
          const method = "completeRedirectSignIn"
          // Checked before the code is spent: the code stays usable after signing out.
          if (Option.isSome(yield* session.current))
            return yield* Effect.fail(AuthError.make("AlreadySignedIn", method, "a user is signed in; sign out first"))
          const result = yield* service.completeAuthorization(input)
          const claims = result.idTokenClaims
          const username = claims["cognito:username"]
          const fallbackUsername =
            typeof username === "string" ? username : typeof claims.sub === "string" ? claims.sub : ""
          yield* session.establish(result.tokens, fallbackUsername, method).pipe(
            Effect.catchIf(
              (error) => error.reason === "Storage",
              (error) => unstored(service, result.tokens, error)
            )
          )
          yield* options.cancelPending
          return result.customState === undefined ? {} : { customState: result.customState }
        })
      ).pipe(Effect.withSpan("Auth.completeRedirectSignIn")),
    redirectSignOutUrl: (input) => logoutUrl(options.config, input).pipe(Effect.withSpan("Auth.redirectSignOutUrl"))
  }
}
