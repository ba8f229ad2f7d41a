import * as Auth from "@effect-cognito/core/Auth"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Formatter from "effect/Formatter"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import { atStart, expectReason } from "./fixtures.js"

describe("secrets", () => {
  it.effect("no password, code, token or secret appears in errors, logs or JSON of results", () => {
    const lines: Array<string> = []
    const capture = Logger.map(Logger.formatLogFmt, (line) => {
      lines.push(line)
    })
    const clientSecret = "client-secret-VALUE-42"
    return Effect.gen(function* () {
      yield* atStart
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      const secrets: Array<string> = [clientSecret]
      const seen: Array<string> = []
      const record = (value: unknown) => {
        seen.push(JSON.stringify(value) ?? "", String(value), Formatter.formatJson(value, { space: 2 }))
      }
      const failing = <A>(effect: Effect.Effect<A, unknown>, reason: Parameters<typeof expectReason>[1]) =>
        Effect.tap(expectReason(effect, reason), (error) =>
          Effect.sync(() => {
            record(error)
            seen.push(error.message, error.stack ?? "")
          })
        )

      const pw = "Pa55word!secret"
      const wrong = "Wr0ng!password"
      const next = "N3w!password-secret"
      secrets.push(pw, wrong, next)
      record(
        yield* auth.signUp({
          username: "alice",
          password: Redacted.make(pw),
          userAttributes: { email: "alice@example.com", phone_number: "+15555550100" }
        })
      )
      yield* failing(auth.signUp({ username: "alice", password: Redacted.make(pw) }), "UsernameExists")
      yield* failing(
        auth.confirmSignUp({ username: "alice", confirmationCode: Redacted.make("111111") }),
        "CodeMismatch"
      )
      secrets.push("111111")
      const code = yield* cognito.lastCodeFor("alice")
      record(yield* auth.confirmSignUp({ username: "alice", confirmationCode: code }))
      yield* failing(auth.signIn({ username: "alice", password: Redacted.make(wrong) }), "NotAuthorized")
      yield* failing(
        auth.signIn({ username: "alice", password: Redacted.make(wrong), flow: "USER_PASSWORD_AUTH" }),
        "NotAuthorized"
      )
      yield* cognito.adminSetUserMfa("alice", { sms: true })
      record(yield* auth.signIn({ username: "alice", password: Redacted.make(pw) }))
      yield* failing(auth.confirmSignIn({ challengeResponse: Redacted.make("222222") }), "CodeMismatch")
      secrets.push("222222")
      record(yield* auth.confirmSignIn({ challengeResponse: yield* cognito.lastCodeFor("alice") }))
      const tokens = yield* auth.getTokens()
      record(tokens)
      record(yield* auth.getTokens({ forceRefresh: true }))
      yield* failing(
        auth.changePassword({ currentPassword: Redacted.make(wrong), proposedPassword: Redacted.make(next) }),
        "NotAuthorized"
      )
      yield* auth.changePassword({ currentPassword: Redacted.make(pw), proposedPassword: Redacted.make(next) })
      yield* cognito.failNext("GlobalSignOut", "InternalError")
      yield* failing(auth.signOut({ global: true }), "InternalError")
      yield* auth.signOut()
      record(yield* auth.forgotPassword({ username: "alice" }))
      yield* failing(
        auth.confirmForgotPassword({
          username: "alice",
          newPassword: Redacted.make("weak-secret"),
          confirmationCode: yield* cognito.lastCodeFor("alice")
        }),
        "InvalidPassword"
      )
      secrets.push("weak-secret")
      const finalTokens = yield* auth.getTokens().pipe(Effect.option)
      record(finalTokens)

      for (const message of yield* cognito.outbox) secrets.push(Redacted.value(message.code))
      secrets.push(
        Redacted.value(tokens.accessToken),
        Redacted.value(tokens.idToken),
        Redacted.value(tokens.refreshToken)
      )
      assert.isAbove(lines.length, 5, "the debug log was captured")
      const haystack = [...seen, ...lines].join("\n")
      for (const secret of secrets) assert.notInclude(haystack, secret)
      assert.include(haystack, "<redacted>")
    }).pipe(
      Effect.provide(TestCognito.layer({ clientSecret: Redacted.make(clientSecret) })),
      Effect.provide(Logger.layer([capture])),
      Effect.provideService(References.MinimumLogLevel, "All")
    )
  })
})
