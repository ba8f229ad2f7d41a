export {}
export * as CognitoIdentityProvider from "./CognitoIdentityProvider.js"
export * as CognitoIdentityPool from "./CognitoIdentityPool.js"
export * as Srp from "./Srp.js"
