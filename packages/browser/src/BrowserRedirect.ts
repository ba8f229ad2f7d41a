/**
 * Sign-in through the Cognito domain in a browser: the hosted UI / managed login, and
 * "Continue with <provider>" for the social, OIDC or SAML providers federated through it
 * (as aws-amplify's `signInWithRedirect`). Authorization code with PKCE (S256); `state`,
 * `nonce` and the verifier stay in this tab's `sessionStorage` for the round trip.
 *
 * `signInWithRedirect` keeps the pending authorization and sends the tab to the domain.
 * When the domain sends the tab back (to the redirect URI, with `code` or `error` and
 * `state`), building this layer completes the sign-in from `location`: the code is
 * exchanged, the id token verified, the session established like any other sign-in (so
 * the other tabs follow), the callback's parameters removed from the address bar, and
 * `result` holds the `customState` or the typed `AuthError` (`AccessDenied`,
 * `StateMismatch`, `InvalidGrant` for a code used already, …). A callback the tab did not
 * start (no pending authorization here) is left alone.
 *
 * `signOut` signs out as `Auth.signOut` does, then sends the tab to the domain's `/logout`
 * so its own session (its cookie) ends too.
 *
 * @example
 * ```ts
 * import * as BrowserAuth from "@effect-cognito/browser/BrowserAuth"
 * import * as BrowserRedirect from "@effect-cognito/browser/BrowserRedirect"
 * import * as Effect from "effect/Effect"
 *
 * const AuthLive = BrowserAuth.layer({
 *   region: "eu-west-1",
 *   userPoolId: "eu-west-1_AbCdEf123",
 *   clientId: "1example23456789",
 *   oauth: {
 *     domain: "https://example.auth.eu-west-1.amazoncognito.com",
 *     redirectSignIn: "https://app.example.com/",
 *     redirectSignOut: "https://app.example.com/",
 *     scopes: ["openid", "email", "aws.cognito.signin.user.admin"]
 *   }
 * })
 *
 * // A button: off to Google through the domain, back to the same page.
 * const continueWithGoogle = Effect.flatMap(BrowserRedirect.BrowserRedirect, (redirect) =>
 *   redirect.signInWithRedirect({ provider: "Google", customState: "/orders" })
 * )
 * // On load: where the user was going, if this load is the way back.
 * const returnedTo = Effect.flatMap(BrowserRedirect.BrowserRedirect, (redirect) => redirect.result)
 * ```
 *
 * @since 0.1.0
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as AuthError from "@effect-cognito/core/AuthError"
import * as OAuth from "@effect-cognito/core/OAuth"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

/**
 * What `signInWithRedirect` takes.
 *
 * @since 0.1.0
 */
export interface SignInWithRedirectOptions {
  /**
   * Straight to this identity provider (`"Google"`, `"SignInWithApple"`, an OIDC or SAML
   * provider's name in the pool); default the domain's login page.
   */
  readonly provider?: string | undefined
  /** The scopes asked for; default the configured `oauth.scopes` (`openid` is always added). */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** Any text handed back by `result` when the tab returns (the page to go back to, say). */
  readonly customState?: string | undefined
  /**
   * Where the domain sends the tab back: one of the app client's callback URLs. Default the
   * configured `oauth.redirectSignIn`, else this page (its origin and path).
   */
  readonly redirectUri?: string | undefined
}

/**
 * What `signOut` takes.
 *
 * @since 0.1.0
 */
export interface SignOutOptions {
  /** Sign out of every device (GlobalSignOut), as `Auth.signOut({ global: true })`. */
  readonly global?: boolean | undefined
  /**
   * End the domain's own session too (send the tab to `<domain>/logout`), so the next
   * hosted sign-in asks for the password again. Default true.
   */
  readonly endDomainSession?: boolean | undefined
  /** The `logout_uri`: one of the app client's sign-out URLs; default the configured `oauth.redirectSignOut`. */
  readonly logoutUri?: string | undefined
}

/**
 * Where the tab goes, and where it is: `window.location` and `history` by default.
 *
 * @since 0.1.0
 */
export interface Navigation {
  /** The address of this page. */
  readonly current: () => string
  /** Leaves for `url` (the page unloads). */
  readonly assign: (url: string) => void
  /** Replaces the address bar's URL without a reload (the callback's parameters removed). */
  readonly replace: (url: string) => void
}

/**
 * The tab's own `location` and `history`.
 *
 * @since 0.1.0
 */
export const windowNavigation: Navigation = {
  current: () => window.location.href,
  assign: (url) => window.location.assign(url),
  replace: (url) => window.history.replaceState(window.history.state, "", url)
}

/** The types of the `BrowserRedirect` service. */
export declare namespace BrowserRedirect {
  /**
   * Sign-in and sign-out through the Cognito domain, for one tab.
   *
   * @since 0.1.0
   */
  export interface Service {
    /**
     * Keeps the pending authorization in `sessionStorage` and sends the tab to the domain;
     * the sign-in completes when the tab comes back (see `result`). `AlreadySignedIn` while
     * a user is signed in, `InvalidConfig` without `oauth` in the configuration.
     */
    readonly signInWithRedirect: (options?: SignInWithRedirectOptions) => Effect.Effect<void, AuthError.AuthError>
    /**
     * How the redirect this page load came back with ended: `None` when the load is not a
     * way back from the domain, the `customState` when the user is signed in, or the typed
     * failure (no session then).
     */
    readonly result: Effect.Effect<Option.Option<Auth.RedirectSignInResult>, AuthError.AuthError>
    /**
     * `Auth.signOut`, then (by default) the tab goes to the domain's `/logout`. The logout
     * URL is built first: without one, nothing is signed out and the call fails.
     */
    readonly signOut: (options?: SignOutOptions) => Effect.Effect<void, AuthError.AuthError>
  }
}

/**
 * The service's tag.
 *
 * @since 0.1.0
 */
export class BrowserRedirect extends Context.Service<BrowserRedirect, BrowserRedirect.Service>()(
  "@effect-cognito/browser/BrowserRedirect"
) {}

/**
 * The `sessionStorage` key of the pending authorization of an app client.
 *
 * @since 0.1.0
 */
export const pendingKey = (config: AuthConfig.Validated): string =>
  `effect-cognito.${config.userPoolId}.${config.clientId}.redirect`

/** The query parameters of a callback, removed from the address bar once it is handled. */
const callbackParameters = ["code", "state", "error", "error_description", "error_uri", "iss"]

/**
 * Whether `url` is the domain's way back to `redirectUri`: the same origin and path, with
 * `state` and a `code` or an `error`.
 *
 * @since 0.1.0
 */
export const isCallback = (url: URL, redirectUri: string): boolean => {
  const expected = URL.canParse(redirectUri) ? new URL(redirectUri) : undefined
  return (
    expected !== undefined &&
    url.origin === expected.origin &&
    url.pathname === expected.pathname &&
    url.searchParams.has("state") &&
    (url.searchParams.has("code") || url.searchParams.has("error"))
  )
}

/**
 * `url` without the callback's parameters.
 *
 * @since 0.1.0
 */
export const withoutCallback = (url: URL): string => {
  const clean = new URL(url.href)
  for (const name of callbackParameters) clean.searchParams.delete(name)
  return clean.href
}

const session = <A>(operation: string, f: (storage: Storage) => A): Effect.Effect<A, AuthError.AuthError> =>
  Effect.try({
    try: () => f(globalThis.sessionStorage),
    catch: (cause) => TokenStore.storageError(operation, cause)
  })

/**
 * Builds the service for this tab, and completes the sign-in when this page load is the
 * domain's way back to a redirect the tab started.
 *
 * @since 0.1.0
 */
export const make = Effect.fnUntraced(function* (navigation: Navigation = windowNavigation) {
  const auth = yield* Auth.Auth
  const config = yield* AuthConfig.AuthConfig
  const key = pendingKey(config)

  const complete = Effect.gen(function* () {
    const stored = yield* session("read", (storage) => storage.getItem(key))
    if (stored === null) return Option.none()
    const pending = yield* OAuth.fromJson(stored).pipe(
      // Unreadable: it goes, and the page loads as if no redirect had been started.
      Effect.tapError(() => session("remove", (storage) => storage.removeItem(key))),
      Effect.option
    )
    if (Option.isNone(pending)) return Option.none()
    const here = new URL(navigation.current())
    if (!isCallback(here, pending.value.redirectUri)) return Option.none()
    navigation.replace(withoutCallback(here))
    // Not the answer to this authorization (a forged or stale callback): it ends nothing, the
    // pending authorization stays for the real answer.
    if (here.searchParams.get("state") !== pending.value.state)
      return yield* AuthError.make(
        "StateMismatch",
        "completeRedirectSignIn",
        "the callback's state is not the pending authorization's; start the sign-in again"
      )
    // Single use: whatever the outcome, this pending authorization goes.
    yield* session("remove", (storage) => storage.removeItem(key))
    return Option.some(yield* auth.completeRedirectSignIn({ callbackUrl: here.href, pending: pending.value }))
  })
  const outcome = yield* Effect.exit(complete)

  const redirectUri = (given: string | undefined) => {
    if (given !== undefined) return given
    if (config.oauth?.redirectSignIn !== undefined) return config.oauth.redirectSignIn
    const here = new URL(navigation.current())
    return `${here.origin}${here.pathname}`
  }

  return BrowserRedirect.of({
    result: outcome,
    signInWithRedirect: (options = {}) =>
      Effect.gen(function* () {
        const { pending, url } = yield* auth.redirectSignInUrl({
          provider: options.provider,
          scopes: options.scopes,
          customState: options.customState,
          redirectUri: redirectUri(options.redirectUri)
        })
        const json = yield* OAuth.toJson(pending)
        yield* session("write", (storage) => storage.setItem(key, json))
        navigation.assign(url)
      }),
    signOut: (options = {}) =>
      Effect.gen(function* () {
        const endDomainSession = options.endDomainSession !== false
        const logout = endDomainSession
          ? Option.some(yield* auth.redirectSignOutUrl({ logoutUri: options.logoutUri }))
          : Option.none<string>()
        yield* auth.signOut({ global: options.global })
        if (Option.isSome(logout)) navigation.assign(logout.value)
      })
  })
})

/**
 * The service over the `Auth` and `AuthConfig` in context, on this tab's `location`
 * (`BrowserAuth.layer` includes it).
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<BrowserRedirect, never, Auth.Auth | AuthConfig.AuthConfig> = Layer.effect(
  BrowserRedirect,
  make()
)

/**
 * The service on another {@link Navigation} (a test's, a router's).
 *
 * @since 0.1.0
 */
export const layerNavigation = (
  navigation: Navigation
): Layer.Layer<BrowserRedirect, never, Auth.Auth | AuthConfig.AuthConfig> =>
  Layer.effect(BrowserRedirect, make(navigation))
