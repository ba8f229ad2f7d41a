import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as AuthError from "../src/AuthError.js"
import * as AwsCredentials from "../src/AwsCredentials.js"

const credentials: AwsCredentials.AwsCredentials = {
  accessKeyId: "ASIAEXAMPLE",
  secretAccessKey: Redacted.make("secret-key"),
  sessionToken: Redacted.make("session-token"),
  expiration: new Date("2026-01-01T00:00:00Z"),
  identityId: "eu-west-1:11111111-2222-3333-4444-555555555555"
}

describe("AwsCredentials", () => {
  it("keeps the secret key and the session token out of JSON and strings", () => {
    const shown = `${JSON.stringify(credentials)} ${String(credentials.secretAccessKey)} ${String(credentials.sessionToken)}`
    assert.notInclude(shown, "secret-key")
    assert.notInclude(shown, "session-token")
  })

  it.effect("toSdkProvider resolves the SDK's plain shape, running the Effect at each call", () =>
    Effect.gen(function* () {
      const calls = yield* Ref.make(0)
      const context = yield* Effect.context<never>()
      const provider = AwsCredentials.toSdkProvider(
        context,
        Effect.as(
          Ref.update(calls, (n) => n + 1),
          credentials
        )
      )
      const first = yield* Effect.promise(() => provider())
      yield* Effect.promise(() => provider())
      assert.deepStrictEqual(first, {
        accessKeyId: "ASIAEXAMPLE",
        secretAccessKey: "secret-key",
        sessionToken: "session-token",
        expiration: new Date("2026-01-01T00:00:00Z")
      })
      assert.strictEqual(yield* Ref.get(calls), 2)
    })
  )

  it.effect("toSdkProvider rejects with the AuthError itself", () =>
    Effect.gen(function* () {
      const context = yield* Effect.context<never>()
      const provider = AwsCredentials.toSdkProvider(
        context,
        Effect.fail(AuthError.make("NotSignedIn", "getAWSCredentials", "no session"))
      )
      const rejection = yield* Effect.promise(() =>
        provider().then(
          () => undefined,
          (error: unknown) => error
        )
      )
      assert.isTrue(AuthError.isAuthError(rejection))
      assert.strictEqual(AuthError.isAuthError(rejection) ? rejection.reason : undefined, "NotSignedIn")
    })
  )
})
