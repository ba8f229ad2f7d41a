/**
 * `@effect-cognito/test-kit`: an in-memory, deterministic Cognito for tests.
 *
 * This entry loads in plain Node, with no test runner present. The `TokenStore`
 * conformance suite, which needs Vitest, is on its own subpath:
 * `@effect-cognito/test-kit/TokenStoreSuite`.
 *
 * @since 0.1.0
 */
export * as TestCognito from "./TestCognito.js"
export * as TestCognitoSnapshot from "./TestCognitoSnapshot.js"
export * as TestOidcProvider from "./TestOidcProvider.js"
export * as SigV4TestSuite from "./SigV4TestSuite.js"
export * as SigV4Verifier from "./SigV4Verifier.js"
export * as TokenStoreCases from "./TokenStoreCases.js"
export * as SoftwareAuthenticator from "./SoftwareAuthenticator.js"
