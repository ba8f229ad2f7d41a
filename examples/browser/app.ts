/**
 * The demo page: sign-up (with a password, or without one), confirmation and the sign-in
 * that follows it with no second code, sign-in by SRP (with SMS MFA when the user has it),
 * by an email code or by a passkey with no password (`USER_AUTH`), passkeys registered,
 * listed and deleted, sign-in through the Cognito domain (its hosted login page, or
 * "Continue with" the external provider federated through it), the tokens, sign-out —
 * `BrowserAuth.layer` (passkeys through `navigator.credentials`) against the local Cognito
 * whose config the server put in `window.demoConfig`. Open two tabs to watch them follow
 * each other.
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

/** What a sign-in step asks for next, for the message line. */
const describeStep = (result: Auth.SignInResult) => {
  switch (result._tag) {
    case "SignedIn":
      return "signed in"
    case "SelectChallenge":
      return `next step: SelectChallenge (${result.availableChallenges.join(", ")})`
    default:
      return `next step: ${result._tag}; enter the code`
  }
}

/** The signed-in user's passkeys, each with a Delete button. */
const listPasskeys = Effect.gen(function* () {
  const auth = yield* Auth.Auth
  const { credentials } = yield* auth.listWebAuthnCredentials()
  const list = $("passkeys")
  list.replaceChildren(
    ...credentials.map((credential) => {
      const item = document.createElement("li")
      item.dataset.credentialId = credential.credentialId
      const remove = document.createElement("button")
      remove.type = "button"
      remove.textContent = "Delete"
      remove.addEventListener("click", () => {
        void act(
          Effect.flatMap(Auth.Auth, (auth) =>
            auth.deleteWebAuthnCredential({ credentialId: credential.credentialId }).pipe(
              Effect.andThen(listPasskeys),
              Effect.map((count) => `passkey deleted; passkeys: ${count}`)
            )
          )
        )
      })
      item.append(
        `${credential.friendlyName ?? "passkey"} for ${credential.relyingPartyId}, ${credential.createdAt.toISOString()} `,
        remove
      )
      return item
    })
  )
  return credentials.length
})

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
        // No password: a password-less account (the pool allows email codes and passkeys).
        ...(value("password") === "" ? {} : { password: Redacted.make(value("password")) }),
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
      (result) =>
        `confirmed: ${result.confirmationState}${result.nextStep === "AutoSignIn" ? "; sign in now, no second code" : ""}`
    )
  )
)
on("auto-sign-in", () =>
  Effect.flatMap(Auth.Auth, (auth) =>
    Effect.map(auth.autoSignIn(), (result) => `auto sign-in: ${describeStep(result)}`)
  )
)
on("sign-in", () =>
  Effect.flatMap(Auth.Auth, (auth) =>
    Effect.map(auth.signIn({ username: value("username"), password: Redacted.make(value("password")) }), describeStep)
  )
)
// Choice-based sign-in (USER_AUTH): no password asked.
on("sign-in-passkey", () =>
  Effect.flatMap(Auth.Auth, (auth) =>
    Effect.map(
      auth.signIn({ username: value("username"), flow: "USER_AUTH", preferredChallenge: "WEB_AUTHN" }),
      (result) => `passkey sign-in: ${describeStep(result)}`
    )
  )
)
on("sign-in-email", () =>
  Effect.flatMap(Auth.Auth, (auth) =>
    Effect.map(
      auth.signIn({ username: value("username"), flow: "USER_AUTH", preferredChallenge: "EMAIL_OTP" }),
      describeStep
    )
  )
)
on("confirm-sign-in", () =>
  Effect.flatMap(Auth.Auth, (auth) =>
    Effect.map(
      auth.confirmSignIn({ challengeResponse: Redacted.make(value("mfa")) }),
      (result) => `confirm sign-in: ${result._tag === "SignedIn" ? "SignedIn" : describeStep(result)}`
    )
  )
)
on("sign-out", () =>
  Effect.flatMap(Auth.Auth, (auth) =>
    Effect.as(
      Effect.andThen(
        auth.signOut(),
        Effect.sync(() => $("passkeys").replaceChildren())
      ),
      "signed out"
    )
  )
)
on("register-passkey", () =>
  Effect.flatMap(Auth.Auth, (auth) =>
    Effect.andThen(
      auth.associateWebAuthnCredential(),
      Effect.map(listPasskeys, (count) => `passkey registered; passkeys: ${count}`)
    )
  )
)
on("list-passkeys", () => Effect.map(listPasskeys, (count) => `passkeys: ${count}`))

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
