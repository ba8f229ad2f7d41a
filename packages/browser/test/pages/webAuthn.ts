/**
 * Test page: `BrowserWebAuthn`'s two ceremonies over the page's `navigator.credentials`
 * (a DevTools virtual authenticator in the tests), each reported as its JSON or as the
 * `AuthError`'s reason and description.
 */
import * as BrowserWebAuthn from "@effect-cognito/browser/BrowserWebAuthn"
import type * as AuthError from "@effect-cognito/core/AuthError"
import type * as WebAuthn from "@effect-cognito/core/WebAuthn"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"

/** What a ceremony gave: its JSON, or the failure's reason, description and the browser's exception name. */
export type Outcome<A> =
  | { readonly _tag: "Ok"; readonly value: A }
  | { readonly _tag: "Failed"; readonly reason: string; readonly description: string; readonly cause: string }

export interface WebAuthnPage {
  readonly create: (
    options: WebAuthn.CredentialCreationOptionsJson
  ) => Promise<Outcome<WebAuthn.RegistrationResponseJson>>
  readonly get: (
    options: WebAuthn.CredentialRequestOptionsJson
  ) => Promise<Outcome<WebAuthn.AuthenticationResponseJson>>
  /** Starts `get` in a fiber of its own, left running, over a container that records the ceremony's signal. */
  readonly startGet: (options: WebAuthn.CredentialRequestOptionsJson) => void
  /** Interrupts the fiber `startGet` started; how it ended, and whether the browser's ceremony was aborted. */
  readonly interruptGet: () => Promise<string>
}

declare global {
  interface Window {
    readonly webAuthnPage: WebAuthnPage
  }
}

const service = BrowserWebAuthn.make()
/** The signal of the last ceremony of `recording`, which passes everything on to `navigator.credentials`. */
let lastSignal: AbortSignal | undefined
const recording = BrowserWebAuthn.make({
  credentials: () => ({
    create: (options) => {
      lastSignal = options?.signal ?? undefined
      return navigator.credentials.create(options)
    },
    get: (options) => {
      lastSignal = options?.signal ?? undefined
      return navigator.credentials.get(options)
    },
    preventSilentAccess: () => navigator.credentials.preventSilentAccess(),
    store: (credential) => navigator.credentials.store(credential)
  })
})
let pending: Fiber.Fiber<WebAuthn.AuthenticationResponseJson, AuthError.AuthError> | undefined

const run = <A>(effect: Effect.Effect<A, AuthError.AuthError>): Promise<Outcome<A>> =>
  Effect.runPromise(
    effect.pipe(
      Effect.map((value): Outcome<A> => ({ _tag: "Ok", value })),
      Effect.catch((error) =>
        Effect.succeed<Outcome<A>>({
          _tag: "Failed",
          reason: error.reason,
          description: error.description ?? "",
          cause:
            typeof error.cause === "object" && error.cause !== null && "name" in error.cause
              ? String(error.cause.name)
              : ""
        })
      )
    )
  )

const page: WebAuthnPage = {
  create: (options) => run(service.create(options)),
  get: (options) => run(service.get(options)),
  startGet: (options) => {
    pending = Effect.runFork(recording.get(options))
  },
  interruptGet: async () => {
    if (pending === undefined) return "nothing started"
    const exit = await Effect.runPromise(Fiber.interrupt(pending).pipe(Effect.andThen(Fiber.await(pending))))
    return `${Exit.hasInterrupts(exit) ? "interrupted" : exit._tag}; signal aborted: ${lastSignal?.aborted}`
  }
}

Object.assign(window, { webAuthnPage: page })
