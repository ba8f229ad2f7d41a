/**
 * `@effect-cognito/node`: Node bindings of effect-cognito.
 *
 * @since 0.1.0
 */
export * as NodeAuth from "./NodeAuth.js"
export * as NodeSrpMath from "./NodeSrpMath.js"
export * as NodeTokenStore from "./NodeTokenStore.js"
