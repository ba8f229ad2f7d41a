/**
 * `@effect-cognito/browser`: browser bindings of effect-cognito.
 *
 * @since 0.1.0
 */
export * as BrowserAuth from "./BrowserAuth.js"
export * as BrowserRedirect from "./BrowserRedirect.js"
export * as BrowserSessionSync from "./BrowserSessionSync.js"
export * as BrowserTokenStore from "./BrowserTokenStore.js"
export * as BrowserWebAuthn from "./BrowserWebAuthn.js"
