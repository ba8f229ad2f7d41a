/**
 * The demo page: sign-up, confirmation, sign-in by SRP (with SMS MFA when the user has
 * it), sign-in through the Cognito domain (its hosted login page, or "Continue with" the
 * external provider federated through it), the tokens, sign-out — `BrowserAuth.layer`
 * against the local Cognito whose config the server put in `window.demoConfig`. Open two
 * tabs to watch them follow each other.
 */
import * as BrowserAuth from "@effect-cognito/browser/BrowserAuth"
import * as BrowserRedirect from "@effect-cognito/browser/BrowserRedirect"
import * as Auth from "@effect-cognito/core/Auth"
import type * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"

declare global {
  interface Window {
    readonly demoConfig: AuthConfig.Input
    /** The external provider's name in the pool, for "Continue with <provider>" (none: no button). */
    readonly demoProvider?: string | undefined
  }
}

const runtime = ManagedRuntime.make(BrowserAuth.layer(window.demoConfig))
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T
const value = (id: string) => $<HTMLInputElement>(id).value.trim()
const say = (text: string, failed = false) => {
  const out = $("message")
  out.textContent = text
  out.className = failed ? "failed" : "ok"
}

const act = (effect: Effect.Effect<string, unknown, Auth.Auth | BrowserRedirect.BrowserRedirect>) =>
  runtime
    .runPromise(effect)
    .then((text) => say(text))
    .catch((error: unknown) => say(String(error), true))
    .finally(render)

const render = () =>
  runtime.runPromise(
    Effect.gen(function* () {
      const auth = yield* Auth.Auth
      const state = yield* auth.userState
      $("state").textContent = state
      const username = Option.getOrElse(yield* Effect.orElseSucceed(auth.username, Option.none), () => "—")
      $("user").textContent = username
      const tokens = state === "SignedIn" ? yield* Effect.option(auth.getTokens()) : Option.none()
      $("tokens").textContent = Option.match(tokens, {
        onNone: () => "(signed out)",
        onSome: (t) =>
          [
            `sub        ${t.sub}`,
            `expires    ${t.expiresAt.toISOString()}`,
            `access     ${Redacted.value(t.accessToken).slice(0, 48)}…`,
            `id         ${Redacted.value(t.idToken).slice(0, 48)}…`
          ].join("\n")
      })
      document.body.dataset.state = state
    })
  )

const on = (id: string, effect: () => Effect.Effect<string, unknown, Auth.Auth | BrowserRedirect.BrowserRedirect>) =>
  $(id).addEventListener("click", (event) => {
    event.preventDefault()
    void act(effect())
  })

on("sign-up", () =>
  Effect.flatMap(Auth.Auth, (auth) =>
    Effect.map(
      auth.signUp({
        username: value("username"),
        password: Redacted.make(value("password")),
        userAttributes: {
          email: value("email"),
          ...(value("phone") === "" ? {} : { phone_number: value("phone") })
        }
      }),
      (result) => `signed up: ${result.confirmationState}; the code is in the server's output`
    )
  )
)
on("confirm", () =>
  Effect.flatMap(Auth.Auth, (auth) =>
    Effect.map(
      auth.confirmSignUp({ username: value("username"), confirmationCode: Redacted.make(value("code")) }),
      (result) => `confirmed: ${result.confirmationState}`
    )
  )
)
on("sign-in", () =>
  Effect.flatMap(Auth.Auth, (auth) =>
    Effect.map(auth.signIn({ username: value("username"), password: Redacted.make(value("password")) }), (result) =>
      result._tag === "SignedIn" ? "signed in" : `next step: ${result._tag}; enter the code`
    )
  )
)
on("confirm-sign-in", () =>
  Effect.flatMap(Auth.Auth, (auth) =>
    Effect.map(
      auth.confirmSignIn({ challengeResponse: Redacted.make(value("mfa")) }),
      (result) => `confirm sign-in: ${result._tag}`
    )
  )
)
on("sign-out", () => Effect.flatMap(Auth.Auth, (auth) => Effect.as(auth.signOut(), "signed out")))

// Through the Cognito domain: the tab leaves for the login page (or the provider's) and comes back.
const leaving = (options: BrowserRedirect.SignInWithRedirectOptions) =>
  Effect.flatMap(BrowserRedirect.BrowserRedirect, (redirect) =>
    Effect.as(redirect.signInWithRedirect(options), "off to the sign-in page…")
  )
on("hosted-sign-in", () => leaving({ customState: "hosted sign-in" }))
if (window.demoProvider === undefined) $("provider-sign-in").hidden = true
else {
  const provider = window.demoProvider
  $("provider-sign-in").textContent = `Continue with ${provider}`
  on("provider-sign-in", () => leaving({ provider, customState: `continued with ${provider}` }))
}
on("hosted-sign-out", () =>
  Effect.flatMap(BrowserRedirect.BrowserRedirect, (redirect) =>
    Effect.as(redirect.signOut(), "signing out of the domain too…")
  )
)

/** How the way back from the domain ended, when this page load is one (the layer completed it). */
const redirectOutcome = Effect.flatMap(BrowserRedirect.BrowserRedirect, (redirect) => redirect.result).pipe(
  Effect.match({
    onFailure: (error) => {
      document.body.dataset.redirect = `failed:${error.reason}`
      say(`sign-in through the domain failed: ${error.message}`, true)
    },
    onSuccess: (result) => {
      if (Option.isNone(result)) return
      document.body.dataset.redirect = "signed-in"
      say(`signed in through the domain (${result.value.customState ?? "no custom state"})`)
    }
  })
)

// Other tabs' sign-in, refresh and sign-out show here too.
void runtime.runPromise(
  Effect.flatMap(Auth.Auth, (auth) => Stream.runForEach(auth.userStateChanges, () => Effect.promise(render)))
)
void runtime.runPromise(redirectOutcome).finally(render)
