/**
 * `@effect-cognito/core`: the auth flows, services, errors and Cognito wire clients.
 *
 * @since 0.1.0
 */
export * as Auth from "./Auth.js"
export * as AuthConfig from "./AuthConfig.js"
export * as AuthError from "./AuthError.js"
export * as BoundedJson from "./BoundedJson.js"
export * as IdentityPool from "./IdentityPool.js"
export * as IdentityProvider from "./IdentityProvider.js"
export * as PendingSignIn from "./PendingSignIn.js"
export * as SecureRandom from "./SecureRandom.js"
export * as SessionSync from "./SessionSync.js"
export * as TokenStore from "./TokenStore.js"
export * as UserInput from "./UserInput.js"
export * as Srp from "./Srp.js"
export * as SrpMath from "./SrpMath.js"
export * as CognitoIdentityProvider from "./CognitoIdentityProvider.js"
export * as CognitoIdentityPool from "./CognitoIdentityPool.js"
export * as AwsCredentials from "./AwsCredentials.js"
export * as AwsSigning from "./AwsSigning.js"
export * as CognitoJwtVerifier from "./CognitoJwtVerifier.js"
export * as JwtVerificationError from "./JwtVerificationError.js"
export * as CognitoAuthMiddleware from "./CognitoAuthMiddleware.js"
export * as WebAuthn from "./WebAuthn.js"
export * as OAuth from "./OAuth.js"
export * as ClientCredentials from "./ClientCredentials.js"
