/**
 * Effect 4 shares built layers between nested `Effect.provide` calls. A client layer built
 * inside another client's provide must still be its own client: its own `Auth`, its own
 * store, its own pool's configuration, never the outer one's session.
 */
import * as Auth from "@effect-cognito/core/Auth"
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

const password = Redacted.make("Abc@123!x")

const signUpAndIn = (username: string) =>
  Effect.gen(function* () {
    const auth = yield* Auth.Auth
    const cognito = yield* TestCognito.TestCognito
    yield* auth.signUp({ username, password, userAttributes: { email: `${username}@example.com` } })
    yield* auth.confirmSignUp({ username, confirmationCode: yield* cognito.lastCodeFor(username) })
    return yield* auth.signIn({ username, password })
  })

describe("layers provided one inside another", () => {
  it.effect("a second pool's Auth, provided inside the first's, is its own client with its own session", () =>
    Effect.gen(function* () {
      const outer = yield* Auth.Auth
      assert.strictEqual((yield* signUpAndIn("alice"))._tag, "SignedIn")
      const inner = yield* Effect.gen(function* () {
        const auth = yield* Auth.Auth
        const config = yield* AuthConfig.AuthConfig
        const signedInBefore = yield* auth.isSignedIn
        const result = yield* signUpAndIn("bob")
        return { same: auth === outer, userPoolId: config.userPoolId, signedInBefore, result: result._tag }
      }).pipe(Effect.provide(TestCognito.layer({ seed: 7, region: "eu-west-1", userPoolId: "eu-west-1_SecondPool" })))
      assert.isFalse(inner.same)
      assert.strictEqual(inner.userPoolId, "eu-west-1_SecondPool")
      assert.isFalse(inner.signedInBefore)
      assert.strictEqual(inner.result, "SignedIn")
      assert.deepStrictEqual(yield* outer.username, Option.some("alice"))
    }).pipe(Effect.provide(TestCognito.layer({ seed: 3 })))
  )

  it.effect("two memory stores built from the same layer in nested provides keep separate sessions", () =>
    Effect.gen(function* () {
      const outer = yield* TokenStore.TokenStore
      const inner = yield* TokenStore.TokenStore.pipe(
        Effect.provide(TokenStore.layerMemory.pipe(Layer.provide(TestCognito.layerCognito({ seed: 5 }))))
      )
      assert.notStrictEqual(inner, outer)
    }).pipe(Effect.provide(TestCognito.layer({ seed: 3 })))
  )
})
