/**
 * A consumer's TypeScript, type-checked against the installed tarballs under plain
 * `strict` (no exactOptionalPropertyTypes) with `skipLibCheck: false`.
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import type * as AuthError from "@effect-cognito/core/AuthError"
import * as CognitoIdentityProvider from "@effect-cognito/core/CognitoIdentityProvider"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import { Auth as AuthNamespace } from "@effect-cognito/core"
import { NodeAuth } from "@effect-cognito/node"
import { TestCognito } from "@effect-cognito/test-kit"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

const signIn = (
  username: string,
  password: string
): Effect.Effect<Auth.SignInResult | "no session", AuthError.AuthError, Auth.Auth> =>
  Effect.gen(function* () {
    const auth = yield* AuthNamespace.Auth
    const result = yield* auth.signIn({ username, password: Redacted.make(password) })
    if (result._tag !== "SignedIn") return result
    const tokens = yield* auth.getTokens({ forceRefresh: false })
    return tokens.expiresAt.getTime() > 0 ? result : "no session"
  })

const optional: AuthConfig.Input = {
  region: "eu-west-1",
  userPoolId: "eu-west-1_AbCdEf123",
  clientId: "abc",
  clientSecret: undefined
}

const byHand = Layer.provideMerge(
  Auth.layer,
  Layer.mergeAll(CognitoIdentityProvider.layer, TokenStore.layerMemory, SecureRandom.layer).pipe(
    Layer.provideMerge(AuthConfig.layer(optional)),
    Layer.provide(NodeHttpClient.layerUndici)
  )
)

export const live: Effect.Effect<Auth.SignInResult | "no session", AuthError.AuthError> = signIn("alice", "pw").pipe(
  Effect.provide(NodeAuth.layer(optional, { store: { _tag: "FileSystem", directory: "/tmp/session" } }))
)
export const manual: Effect.Effect<Auth.SignInResult | "no session", AuthError.AuthError> = signIn("alice", "pw").pipe(
  Effect.provide(byHand)
)
export const inTests: Effect.Effect<Auth.SignInResult | "no session", AuthError.AuthError> = signIn("alice", "pw").pipe(
  Effect.provide(TestCognito.layer({ mfa: "OFF", tokenValidity: { accessToken: "5 minutes" } }))
)
