export {}
export * as CognitoIdentityProvider from "./CognitoIdentityProvider.js"
export * as CognitoIdentityPool from "./CognitoIdentityPool.js"
