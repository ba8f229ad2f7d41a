/**
 * @effect-cognito/test-kit: an in-memory, deterministic Cognito for tests.
 *
 * @since 0.1.0
 */
export * as TestCognito from "./TestCognito.js"
export * as TokenStoreSuite from "./TokenStoreSuite.js"
export * as SigV4TestSuite from "./SigV4TestSuite.js"
export * as SigV4Verifier from "./SigV4Verifier.js"
