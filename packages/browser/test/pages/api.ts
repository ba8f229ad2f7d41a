/** What the test pages expose on `window`, shared by the pages and the Vitest side that drives them. */

/** The outcome of one conformance case in the page. */
export interface CaseOutcome {
  readonly name: string
  readonly ok: boolean
  readonly message?: string | undefined
}

/** A failure as the page saw it: the `AuthError` reason and the browser exception behind it. */
export interface FailureOutcome {
  readonly tag: string
  readonly reason: string
  readonly cause: string
}

export type StoreKind = "localStorage" | "sessionStorage" | "indexedDB" | "memory"

export interface StoresPage {
  readonly caseNames: ReadonlyArray<string>
  readonly runCases: (kind: StoreKind) => Promise<ReadonlyArray<CaseOutcome>>
  /** Saves a session too big for the origin's quota. */
  readonly overQuota: (kind: "localStorage" | "sessionStorage") => Promise<FailureOutcome>
  /** Loads from a store the page may not use (run in a sandboxed, opaque-origin page). */
  readonly loadRefused: (kind: "localStorage" | "sessionStorage" | "indexedDB") => Promise<FailureOutcome>
  /** Opens the IndexedDB store while another connection holds an older version open and ignores `versionchange`. */
  readonly indexedDbBlocked: () => Promise<FailureOutcome>
  /** Opens the IndexedDB store when the database already has a newer version. */
  readonly indexedDbNewer: () => Promise<FailureOutcome>
  /** The store yields to a newer version opened in another tab: it closes its connection on `versionchange`. */
  readonly indexedDbYields: () => Promise<{ readonly upgraded: boolean; readonly loadedAfter: string }>
}

export type FlowStore = "LocalStorage" | "SessionStorage"

export interface FlowsPage {
  /** Sign-up, confirmation, SRP sign-in answered by SMS MFA, then tokens; against TestCognito in the page. */
  readonly signUpAndSignIn: (store: FlowStore) => Promise<{
    readonly steps: ReadonlyArray<string>
    readonly username: string | null
    readonly accessToken: string
    readonly storedKeys: ReadonlyArray<string>
  }>
  /** A fresh `Auth` (and a fresh, empty TestCognito) over the store: what it finds there. */
  readonly restore: (store: FlowStore) => Promise<{
    readonly isSignedIn: boolean
    readonly username: string | null
    readonly accessToken: string | null
    readonly requests: number
  }>
  /** `BrowserAuth.layer` over fetch to the loopback endpoint: sign-up, then a sign-up the server refuses. */
  readonly wire: () => Promise<{ readonly userSub: string; readonly state: string; readonly refused: FailureOutcome }>
}

declare global {
  interface Window {
    readonly storesPage: StoresPage
    readonly flowsPage: FlowsPage
  }
}

/** The outcome of `getTokens` in a tab: the access token, or the failure's reason. */
export type TokensOutcome =
  | { readonly ok: true; readonly accessToken: string }
  | { readonly ok: false; readonly reason: string }

/** The app client a tab talks to, on the local Cognito. */
export interface TabConfig {
  readonly region: string
  readonly userPoolId: string
  readonly clientId: string
  readonly endpoint: string
}

export interface TabsPage {
  /** Builds the tab's `Auth` (`BrowserAuth.layer`) and follows its user state; returns the state at start. */
  readonly start: (config: TabConfig, store: FlowStore) => Promise<string>
  /** The user state as `userStateChanges` last reported it. */
  readonly state: () => string
  /** Moves the page's clock (not the server's) by `millis`. */
  readonly setClockOffset: (millis: number) => void
  readonly signUp: (username: string, password: string, attributes: Record<string, string>) => Promise<string>
  readonly confirmSignUp: (username: string, code: string) => Promise<string>
  /** Signs in by SRP; returns the result's tag (`SignedIn`, `SmsMfa`, …). */
  readonly signIn: (username: string, password: string) => Promise<string>
  readonly confirmSignIn: (code: string) => Promise<string>
  readonly getTokens: () => Promise<TokensOutcome>
  /** Starts `getTokens` without waiting; `pendingGetTokens` gives its outcome. */
  readonly startGetTokens: () => void
  readonly pendingGetTokens: () => Promise<TokensOutcome>
  readonly signOut: () => Promise<void>
  /** Calls `getTokens` when another tab fires (a `BroadcastChannel` message); `armed` gives the outcome. */
  readonly arm: () => void
  /** Fires every armed tab, and calls `getTokens` here at the same moment. */
  readonly fire: () => void
  readonly armed: () => Promise<TokensOutcome>
  /** From now on, answers to refresh requests wait in the page until released. */
  readonly holdRefreshResponses: () => void
  readonly heldRefreshResponses: () => number
  readonly releaseRefreshResponses: () => void
  readonly storedKeys: () => ReadonlyArray<string>
  /** Whether the page has `BroadcastChannel` and `navigator.locks` (a test may remove them before the page loads). */
  readonly features: () => { readonly broadcastChannel: boolean; readonly webLocks: boolean }
  /** `n` calls of `getTokens` started at once in this tab; their outcomes. */
  readonly getTokensConcurrently: (n: number) => Promise<ReadonlyArray<TokensOutcome>>
}

declare global {
  interface Window {
    readonly tabsPage: TabsPage
  }
}
