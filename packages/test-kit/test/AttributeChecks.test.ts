/**
 * User attributes as Cognito checks them, on every action that sets them (SignUp,
 * UpdateUserAttributes, AdminCreateUser, the attributes of NEW_PASSWORD_REQUIRED): values
 * of at most 2048 characters, no control characters (a terminal escape such as
 * `\x1b[2J` in an email is refused, not stored to be printed later), `email` and
 * `phone_number` in their formats, names Cognito allows, and `custom:` attributes only as
 * the pool's schema declares them. Every refusal is `InvalidParameterException` and names
 * the attribute, never its value.
 */
import { TestCognito, TestCognitoSnapshot } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import { atStart, password } from "./fixtures.js"

type Attributes = Readonly<Record<string, string>>

/** The exception and message of a refused sign-up, or "succeeded". */
const signUp = (cognito: TestCognito.TestCognito.Service, username: string, userAttributes: Attributes) =>
  cognito.provider.signUp({ username, password, userAttributes }).pipe(
    Effect.as({ exception: "succeeded", message: "" }),
    Effect.catch((error) => Effect.succeed({ exception: error.exception ?? error.reason, message: error.message }))
  )

const refused = (
  outcome: { readonly exception: string; readonly message: string },
  name: string,
  value?: string
): void => {
  assert.strictEqual(outcome.exception, "InvalidParameterException", `${name}: ${outcome.message}`)
  assert.include(outcome.message, name)
  if (value !== undefined && value.length > 0) assert.notInclude(outcome.message, value)
}

/** A signed-in user's access token. */
const accessTokenOf = (cognito: TestCognito.TestCognito.Service, username: string) =>
  Effect.gen(function* () {
    yield* cognito.adminConfirmSignUp(username)
    const response = yield* cognito.provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username, password })
    if (response._tag !== "Authenticated") return yield* Effect.die(new Error(`expected tokens, got ${response._tag}`))
    return response.tokens.accessToken
  })

const update = (
  cognito: TestCognito.TestCognito.Service,
  accessToken: Redacted.Redacted<string>,
  attributes: Attributes
) =>
  cognito.provider.updateUserAttributes({ accessToken, userAttributes: attributes }).pipe(
    Effect.as({ exception: "succeeded", message: "" }),
    Effect.catch((error) => Effect.succeed({ exception: error.exception ?? error.reason, message: error.message }))
  )

const adminCreate = (cognito: TestCognito.TestCognito.Service, username: string, userAttributes: Attributes) =>
  cognito.adminCreateUser({ username, userAttributes, messageAction: "SUPPRESS" }).pipe(
    Effect.as({ exception: "succeeded", message: "" }),
    Effect.catch((error) => Effect.succeed({ exception: error.exception ?? error.reason, message: error.message }))
  )

describe("attribute checks", () => {
  it.effect("attribute values over 2048 characters are refused with InvalidParameterException", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      const long = "x".repeat(2049)
      refused(yield* signUp(cognito, "alice", { given_name: long }), "given_name", long)
      refused(yield* adminCreate(cognito, "bob", { "custom:badge": long }), "custom:badge", long)
      assert.strictEqual((yield* signUp(cognito, "alice", { given_name: "x".repeat(2048) })).exception, "succeeded")
      const accessToken = yield* accessTokenOf(cognito, "alice")
      refused(yield* update(cognito, accessToken, { family_name: long }), "family_name", long)
      assert.strictEqual((yield* cognito.adminGetUser("alice")).attributes.family_name, undefined)
      assert.deepStrictEqual(
        (yield* cognito.listUsers).map((user) => user.username),
        ["alice"]
      )
    }).pipe(Effect.provide(TestCognito.layer({ mfa: "OFF" })))
  )

  it.effect("control characters in attribute values (terminal escape codes) are refused", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      const escapes = [
        ["email", "alice\x1b[2J@example.com"],
        ["email", "alice@example.com\x1b]0;pwned\x07"],
        ["given_name", "\x1b[31mAda"],
        ["given_name", "Ada\u009b2J"],
        ["family_name", "Love\u0000lace"],
        ["custom:badge", "ABC\x7f"]
      ] as const
      for (const [name, value] of escapes) refused(yield* signUp(cognito, "alice", { [name]: value }), name, value)
      for (const [name, value] of escapes) refused(yield* adminCreate(cognito, "bob", { [name]: value }), name, value)
      assert.strictEqual((yield* cognito.listUsers).length, 0)
      // Tabs and line breaks are text (an address has lines).
      assert.strictEqual(
        (yield* signUp(cognito, "alice", { address: "1 Main St\r\nSpringfield\tUSA", email: "alice@example.com" }))
          .exception,
        "succeeded"
      )
      const accessToken = yield* accessTokenOf(cognito, "alice")
      refused(yield* update(cognito, accessToken, { name: "Alice\x1b[2J" }), "name")
      refused(yield* update(cognito, accessToken, { email: "a\x1b[2J@example.org" }), "email")
      const stored = (yield* cognito.adminGetUser("alice")).attributes
      assert.strictEqual(stored.email, "alice@example.com")
      assert.strictEqual(stored.name, undefined)
    }).pipe(Effect.provide(TestCognito.layer({ mfa: "OFF" })))
  )

  it.effect("email and phone_number must be in their formats", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      for (const email of ["not-an-email", "a@b@c.example", "a b@example.com", "@example.com", "alice@"])
        refused(yield* signUp(cognito, "alice", { email }), "email")
      for (const phone_number of ["5555550100", "+1 555 0100", "+1-555-0100", "+", "+12345678901234567"])
        refused(yield* signUp(cognito, "alice", { phone_number }), "phone_number")
      assert.strictEqual(
        (yield* signUp(cognito, "alice", { email: "alice@example.com", phone_number: "+15555550100" })).exception,
        "succeeded"
      )
    }).pipe(Effect.provide(TestCognito.layer()))
  )

  it.effect("custom: attributes the pool did not declare are refused; declared ones are accepted", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      refused(yield* signUp(cognito, "alice", { "custom:team": "ops" }), "custom:team")
      refused(yield* adminCreate(cognito, "bob", { "custom:team": "ops" }), "custom:team")
      // The schema names a custom attribute with or without its prefix.
      assert.strictEqual(
        (yield* signUp(cognito, "alice", { "custom:badge": "ABC123", "custom:level": "3" })).exception,
        "succeeded"
      )
      const accessToken = yield* accessTokenOf(cognito, "alice")
      refused(yield* update(cognito, accessToken, { "custom:team": "ops" }), "custom:team")
      assert.strictEqual((yield* update(cognito, accessToken, { "custom:level": "4" })).exception, "succeeded")
      assert.strictEqual((yield* cognito.adminGetUser("alice")).attributes["custom:level"], "4")

      // The schema travels in the snapshot.
      const json = yield* Effect.flatMap(cognito.snapshot, TestCognitoSnapshot.toJson)
      const restored = yield* Effect.provide(
        TestCognito.TestCognito,
        TestCognito.layerCognito({ restore: yield* TestCognitoSnapshot.fromJson(json) })
      )
      refused(yield* signUp(restored, "carol", { "custom:team": "ops" }), "custom:team")
      assert.strictEqual((yield* signUp(restored, "carol", { "custom:badge": "X" })).exception, "succeeded")
    }).pipe(Effect.provide(TestCognito.layer({ mfa: "OFF", customAttributes: ["badge", "custom:level"] })))
  )

  it.effect("a pool that declares no schema takes any custom: attribute, but no more than 50 per user", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      const many = (from: number, count: number) =>
        Object.fromEntries(Array.from({ length: count }, (_, i) => [`custom:a${from + i}`, "x"]))
      refused(yield* signUp(cognito, "alice", many(0, 200)), "custom")
      assert.strictEqual((yield* signUp(cognito, "alice", many(0, 30))).exception, "succeeded")
      const accessToken = yield* accessTokenOf(cognito, "alice")
      refused(yield* update(cognito, accessToken, many(30, 21)), "custom")
      assert.strictEqual((yield* update(cognito, accessToken, many(30, 20))).exception, "succeeded")
      // Changing attributes the user has does not count twice.
      assert.strictEqual((yield* update(cognito, accessToken, many(0, 50))).exception, "succeeded")
    }).pipe(Effect.provide(TestCognito.layer({ mfa: "OFF" })))
  )

  it.effect("attribute names must be Cognito's: at most 32 visible characters, a known standard name", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      // A name that is not valid is not echoed either: the message says which rule it broke.
      const tooLong = `custom:${"n".repeat(26)}`
      refused(yield* signUp(cognito, "alice", { [tooLong]: "x" }), "between 1 and 32", tooLong)
      refused(yield* signUp(cognito, "alice", { "custom:a\x1b[2Jb": "x" }), "regular expression", "\x1b")
      refused(yield* signUp(cognito, "alice", { favourite_colour: "x" }), "favourite_colour")
      assert.strictEqual(
        (yield* signUp(cognito, "alice", { [`custom:${"n".repeat(25)}`]: "x" })).exception,
        "succeeded"
      )
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})
