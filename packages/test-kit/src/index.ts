/**
 * @effect-cognito/test-kit: an in-memory, deterministic Cognito for tests.
 *
 * @since 0.1.0
 */
export * as TestCognito from "./TestCognito.js"
export * as TokenStoreSuite from "./TokenStoreSuite.js"
export * as TokenStoreCases from "./TokenStoreCases.js"
