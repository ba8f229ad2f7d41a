/**
 * Deeply nested JSON from outside (issue 19, item 8): about 10 KB of `[[[…]]]` (depth
 * 5000) through every path JSON enters the core by — a Cognito answer (user pool and
 * identity pool, success and error), a token's payload, the stored session (and the guest
 * id and federated sign-in beside it), a saved sign-in — is a typed failure: never a
 * defect, never a stack overflow. Nesting is bounded (64 levels) before anything is parsed.
 */
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as Schedule from "effect/Schedule"
import * as Auth from "../src/Auth.js"
import * as AuthConfig from "../src/AuthConfig.js"
import type * as AuthError from "../src/AuthError.js"
import * as CognitoIdentityPool from "../src/CognitoIdentityPool.js"
import * as CognitoIdentityProvider from "../src/CognitoIdentityProvider.js"
import * as Encoding from "../src/internal/encoding.js"
import * as PendingSignIn from "../src/PendingSignIn.js"
import * as SecureRandom from "../src/SecureRandom.js"
import * as TokenStore from "../src/TokenStore.js"
import { jwt } from "./FakeHttpClient.js"

/** 10,000 characters of `[[[…]]]`, nested 5000 deep. */
const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`
/** The same depth as objects. */
const deepObject = `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`

const config: AuthConfig.Input = {
  region: "eu-west-1",
  userPoolId: "eu-west-1_AbCdEf123",
  clientId: "client123",
  identityPoolId: "eu-west-1:11111111-2222-3333-4444-555555555555"
}

const json = "application/x-amz-json-1.1"

/** An `HttpClient` whose every answer is `body` with `status`. */
const answering = (status: number, body: string) =>
  HttpClient.make((request) =>
    Effect.succeed(
      HttpClientResponse.fromWeb(request, new Response(body, { status, headers: { "content-type": json } }))
    )
  )

const provider = (status: number, body: string) =>
  CognitoIdentityProvider.makeWith({ retrySchedule: Schedule.recurs(0) }).pipe(
    Effect.provideService(HttpClient.HttpClient, answering(status, body)),
    Effect.provide(AuthConfig.layer(config)),
    Effect.orDie
  )

const identityPool = (status: number, body: string) =>
  CognitoIdentityPool.makeWith({ retrySchedule: Schedule.recurs(0) }).pipe(
    Effect.provideService(HttpClient.HttpClient, answering(status, body)),
    Effect.provide(AuthConfig.layer(config)),
    Effect.orDie
  )

/** The typed failure of `effect`; a defect (a stack overflow, a RangeError) fails the test. */
const typedFailure = <A>(effect: Effect.Effect<A, AuthError.AuthError>) =>
  Effect.map(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) return assert.fail("expected a failure, got a success")
    const error = Cause.findErrorOption(exit.cause)
    if (Option.isNone(error)) return assert.fail(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
    return error.value
  })

const signInInput = { username: "alice", password: Redacted.make("Passw0rd!"), flow: "USER_PASSWORD_AUTH" } as const

describe("nested JSON from Cognito", () => {
  it.effect("a challenge whose parameters nest 5000 deep is InvalidResponse, not a stack overflow", () =>
    Effect.gen(function* () {
      const body = `{"ChallengeName":"CUSTOM_CHALLENGE","Session":"s","ChallengeParameters":{"question":${deep}}}`
      const p = yield* provider(200, body)
      const error = yield* typedFailure(p.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", ...signInInput }))
      assert.strictEqual(error.reason, "InvalidResponse")
      assert.include(error.message, "nested deeper than 64 levels")
    })
  )

  for (const [name, body] of [
    ["10 KB of [[[…]]]", deep],
    ['10 KB of {"a":{"a":…}}', deepObject]
  ] as const) {
    it.effect(`an answer of ${name} is InvalidResponse naming the depth, for every action that reads one`, () =>
      Effect.gen(function* () {
        const p = yield* provider(200, body)
        const calls: ReadonlyArray<Effect.Effect<unknown, AuthError.AuthError>> = [
          p.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", ...signInInput }),
          p.getUser({ accessToken: Redacted.make("access") }),
          p.signUp({ username: "alice", password: Redacted.make("Passw0rd!"), userAttributes: {} }),
          p.globalSignOut({ accessToken: Redacted.make("access") })
        ]
        for (const call of calls) {
          const error = yield* typedFailure(call)
          assert.strictEqual(error.reason, "InvalidResponse")
          assert.include(error.message, "a body nested deeper than 64 levels")
        }
        const pool = yield* identityPool(200, body)
        const poolError = yield* typedFailure(pool.getId({ logins: undefined }))
        assert.strictEqual(poolError.reason, "InvalidResponse")
        assert.include(poolError.message, "a body nested deeper than 64 levels")
      })
    )
  }

  it.effect("an error answer nested 5000 deep is InvalidResponse naming the depth, not a defect", () =>
    Effect.gen(function* () {
      const p = yield* provider(400, `{"__type":"NotAuthorizedException","message":${deep}}`)
      const error = yield* typedFailure(p.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", ...signInInput }))
      assert.strictEqual(error.reason, "InvalidResponse")
      assert.strictEqual(error.status, 400)
      assert.include(error.message, "an error whose body is nested deeper than 64 levels")
    })
  )

  it.effect("a sign-in whose token payload nests 5000 deep is InvalidResponse and signs nothing in", () =>
    Effect.gen(function* () {
      const claims = { sub: "sub-1", username: "alice", iat: 1_700_000_000, exp: 1_700_003_600 }
      const accessToken = jwt(claims).split(".")
      const payload = Encoding.toBase64Url(
        Encoding.utf8(`{"sub":"sub-1","iat":1700000000,"exp":1700003600,"x":${deep}}`)
      )
      const body = JSON.stringify({
        AuthenticationResult: {
          AccessToken: [accessToken[0], payload, accessToken[2]].join("."),
          IdToken: jwt({ ...claims, "cognito:username": "alice" }),
          RefreshToken: "refresh",
          ExpiresIn: 3600,
          TokenType: "Bearer"
        }
      })
      const error = yield* Effect.gen(function* () {
        const auth = yield* Auth.Auth
        const error = yield* typedFailure(auth.signIn(signInInput))
        assert.isFalse(yield* auth.isSignedIn)
        assert.isTrue(Option.isNone(yield* Effect.flatMap(TokenStore.TokenStore, (store) => store.load)))
        return error
      }).pipe(
        Effect.provide(
          Auth.layer.pipe(
            Layer.provideMerge(
              Layer.mergeAll(CognitoIdentityProvider.layer, TokenStore.layerMemory, SecureRandom.layerSeeded(1))
            ),
            Layer.provideMerge(AuthConfig.layer(config)),
            Layer.provide(Layer.succeed(HttpClient.HttpClient, answering(200, body)))
          )
        )
      )
      assert.strictEqual(error.reason, "InvalidResponse")
      assert.include(error.message, "the access token's payload is nested deeper than 64 levels")
    })
  )
})

/** A store holding `stored` under every key, with the log lines it writes and the keys it removed. */
const storeHolding = (stored: string) => {
  const lines: Array<string> = []
  const removed: Array<string> = []
  const store = TokenStore.make(
    {
      get: () => Effect.succeed(Option.some(stored)),
      set: () => Effect.void,
      remove: (key) =>
        Effect.sync(() => {
          removed.push(key)
        })
    },
    "effect-cognito.eu-west-1_AbCdEf123.client123.session"
  )
  const logger = Logger.make(({ fiber, message }) => {
    lines.push(JSON.stringify({ message, annotations: fiber.getRef(References.CurrentLogAnnotations) }))
  })
  return { store, lines, removed, logger: Logger.layer([logger]) }
}

describe("nested JSON in the store and in a saved sign-in", () => {
  for (const [name, stored] of [
    ["10 KB of [[[…]]]", deep],
    ["a session nested 5000 deep", `{"version":1,"session":${deep}}`],
    ["a username nested 5000 deep", `{"version":1,"session":{"username":${deepObject}}}`]
  ] as const) {
    it.effect(`${name} in the store: signed out, removed, logged as nested too deeply, never a defect`, () =>
      Effect.gen(function* () {
        const { lines, logger, removed, store } = storeHolding(stored)
        const loads: ReadonlyArray<Effect.Effect<Option.Option<unknown>, AuthError.AuthError>> = [
          store.load,
          store.loadGuestIdentityId,
          store.loadFederation
        ]
        for (const load of loads) {
          const exit = yield* Effect.exit(load.pipe(Effect.provide(logger)))
          assert.isTrue(Exit.isSuccess(exit) && Option.isNone(exit.value), String(exit))
        }
        assert.deepStrictEqual(removed, [store.key, `${store.key}.guest`, `${store.key}.federation`])
        assert.strictEqual(lines.length, 3)
        for (const line of lines) assert.include(line, "the value is nested deeper than 64 levels")
      })
    )
  }

  it.effect("Auth builds signed out over a store holding a session nested 5000 deep", () =>
    Effect.gen(function* () {
      const { logger, removed, store } = storeHolding(`{"version":1,"session":${deep}}`)
      const state = yield* Effect.flatMap(Auth.Auth, (auth) => auth.userState).pipe(
        Effect.provide(
          Auth.layer.pipe(
            Layer.provideMerge(
              Layer.mergeAll(
                CognitoIdentityProvider.layer,
                Layer.succeed(TokenStore.TokenStore, store),
                SecureRandom.layerSeeded(1)
              )
            ),
            Layer.provideMerge(AuthConfig.layer(config)),
            Layer.provide(Layer.succeed(HttpClient.HttpClient, answering(200, "{}")))
          )
        ),
        Effect.provide(logger)
      )
      assert.strictEqual(state, "SignedOut")
      assert.include(removed, store.key)
    })
  )

  for (const [name, text] of [
    ["10 KB of [[[…]]]", deep],
    ["a sign-in whose parameters nest 5000 deep", `{"version":1,"pendingSignIn":{"challengeParameters":${deep}}}`]
  ] as const) {
    it.effect(`PendingSignIn.fromJson of ${name} is InvalidInput naming the depth, never a defect`, () =>
      Effect.gen(function* () {
        const error = yield* typedFailure(PendingSignIn.fromJson(text))
        assert.strictEqual(error.reason, "InvalidInput")
        assert.include(error.message, "the value is nested deeper than 64 levels")
      })
    )
  }
})

describe("the nesting bound", () => {
  it("counts brackets outside strings only: 64 levels pass, 65 do not", () => {
    const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`
    assert.isTrue(Encoding.jsonDepthWithin(nested(64)))
    assert.isFalse(Encoding.jsonDepthWithin(nested(65)))
    assert.isTrue(Encoding.jsonDepthWithin(JSON.stringify({ a: "[".repeat(1000), b: '\\"{{{{' })))
    assert.isTrue(Option.isSome(Encoding.parseJson(JSON.stringify({ s: `\\" ${"{".repeat(100)}` }))))
    assert.isTrue(Option.isNone(Encoding.parseJson(`{"s":"\\\\"${"[".repeat(100)}`)))
  })
})
