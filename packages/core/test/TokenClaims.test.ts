/**
 * Tokens are checked before a session is made of them (issue 19, items 11 and 12): their
 * times must make valid dates, and they must come from the configured pool — `iss` the
 * pool's issuer, `aud` / `client_id` the app client, `token_use` id / access, one user in
 * both tokens, and a refresh keeps the session's user. Anything else is `InvalidResponse`:
 * a sign-in signs nothing in, a refresh keeps the old session.
 *
 * The wire is `CognitoIdentityProvider` over a scripted `HttpClient` that answers with
 * Cognito-shaped tokens (the client never verifies signatures), tampered per test.
 */
import * as HttpClient from "effect/http/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import * as Auth from "../src/Auth.js"
import * as AuthConfig from "../src/AuthConfig.js"
import type * as AuthError from "../src/AuthError.js"
import * as CognitoIdentityProvider from "../src/CognitoIdentityProvider.js"
import * as Jwt from "../src/internal/jwt.js"
import * as SecureRandom from "../src/SecureRandom.js"
import * as TokenStore from "../src/TokenStore.js"
import * as Fake from "./FakeHttpClient.js"

const region = "eu-west-1"
const userPoolId = "eu-west-1_Checks1"
const clientId = "checkclient"
const issuer = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`
const start = 1_700_000_000

type Claims = Record<string, unknown>
interface Pair {
  readonly access: Claims
  readonly id: Claims
}

const alice = { sub: "sub-alice", username: "alice" }
const bob = { sub: "sub-bob", username: "bob" }

/** The claims Cognito puts in a user's tokens issued at `iat`. */
const cognitoClaims = (user: { readonly sub: string; readonly username: string }, iat = start): Pair => {
  const common = { sub: user.sub, iss: issuer, iat, exp: iat + 3600, auth_time: iat, origin_jti: "o", jti: "j" }
  return {
    access: {
      ...common,
      client_id: clientId,
      token_use: "access",
      scope: "aws.cognito.signin.user.admin",
      username: user.username
    },
    id: { ...common, aud: clientId, token_use: "id", "cognito:username": user.username }
  }
}

/** What the scripted Cognito answers: the claims of a sign-in and of a refresh. */
interface Script {
  signIn: () => Pair
  refresh: () => Pair
}

const answer = (pair: Pair, refreshToken: string | undefined) =>
  Fake.json(200, {
    AuthenticationResult: {
      AccessToken: Fake.jwt(pair.access),
      IdToken: Fake.jwt(pair.id),
      ...(refreshToken === undefined ? {} : { RefreshToken: refreshToken }),
      ExpiresIn: 3600,
      TokenType: "Bearer"
    }
  })

/** Auth over `CognitoIdentityProvider` over a scripted client following `script`. */
const layerFor = (script: Script, config: Partial<AuthConfig.Input> = {}) => {
  const fake = Fake.make((request) => {
    const target = request.headers["x-amz-target"] ?? ""
    if (target.endsWith(".InitiateAuth")) {
      const flow = (request.body as { readonly AuthFlow?: string }).AuthFlow
      return flow === "REFRESH_TOKEN_AUTH" ? answer(script.refresh(), undefined) : answer(script.signIn(), "refresh-1")
    }
    return Fake.json(200, {})
  })
  return Auth.layer.pipe(
    Layer.provideMerge(
      Layer.mergeAll(CognitoIdentityProvider.layer, TokenStore.layerMemory, SecureRandom.layerSeeded(1))
    ),
    Layer.provideMerge(AuthConfig.layer({ region, userPoolId, clientId, ...config })),
    Layer.provide(Layer.succeed(HttpClient.HttpClient, fake.client))
  )
}

const signIn = Effect.flatMap(Auth.Auth, (auth) =>
  auth.signIn({ username: "alice", password: Redacted.make("Passw0rd!"), flow: "USER_PASSWORD_AUTH" })
)

const storedSession = Effect.flatMap(TokenStore.TokenStore, (store) => store.load)

/** Runs a sign-in answered with `pair`: it must fail with InvalidResponse, sign nothing in and store nothing. */
const refusedSignIn = (pair: Pair, config: Partial<AuthConfig.Input> = {}) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(start * 1000)
    const auth = yield* Auth.Auth
    const error = yield* Effect.flip(signIn)
    assert.strictEqual(error.reason, "InvalidResponse", error.message)
    assert.isFalse(yield* auth.isSignedIn)
    assert.strictEqual(yield* auth.userState, "SignedOut")
    assert.isTrue(Option.isNone(yield* storedSession))
    return error
  }).pipe(Effect.provide(layerFor({ signIn: () => pair, refresh: () => pair }, config)))

/** Signs alice in, then forces a refresh answered with `pair`: it must fail with InvalidResponse and keep alice's session. */
const refusedRefresh = (pair: Pair) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(start * 1000)
    const auth = yield* Auth.Auth
    assert.strictEqual((yield* signIn)._tag, "SignedIn")
    const before = yield* auth.getTokens()
    yield* TestClock.adjust("10 minutes")
    const error = yield* Effect.flip(auth.getTokens({ forceRefresh: true }))
    assert.strictEqual(error.reason, "InvalidResponse", error.message)
    assert.isTrue(yield* auth.isSignedIn)
    assert.deepStrictEqual(yield* auth.username, Option.some("alice"))
    const kept = yield* auth.getTokens()
    assert.strictEqual(kept.sub, alice.sub)
    assert.strictEqual(Redacted.value(kept.accessToken), Redacted.value(before.accessToken))
    assert.strictEqual(kept.expiresAt.toISOString(), before.expiresAt.toISOString())
    const stored = Option.getOrThrow(yield* storedSession)
    assert.strictEqual(stored.username, "alice")
    assert.strictEqual(Redacted.value(stored.accessToken), Redacted.value(before.accessToken))
    return error
  }).pipe(Effect.provide(layerFor({ signIn: () => cognitoClaims(alice), refresh: () => pair })))

/** `pair` with some claims of one token changed (`undefined` removes a claim). */
const tamper = (pair: Pair, which: keyof Pair, claims: Claims): Pair => {
  const changed: Claims = { ...pair[which], ...claims }
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete changed[name]
  return { ...pair, [which]: changed }
}

const expectMessage = (error: AuthError.AuthError, fragment: string) => assert.include(error.message, fragment)

describe("tokens from the configured pool", () => {
  it.effect("Cognito-shaped tokens of the pool sign in and refresh", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start * 1000)
      const auth = yield* Auth.Auth
      assert.strictEqual((yield* signIn)._tag, "SignedIn")
      const refreshed = yield* auth.getTokens({ forceRefresh: true })
      assert.strictEqual(refreshed.username, "alice")
      assert.strictEqual(refreshed.sub, alice.sub)
    }).pipe(
      Effect.provide(layerFor({ signIn: () => cognitoClaims(alice), refresh: () => cognitoClaims(alice, start + 60) }))
    )
  )

  const signInCases: ReadonlyArray<readonly [string, Pair, string]> = [
    [
      "an access token issued by another pool (iss)",
      tamper(cognitoClaims(alice), "access", { iss: `https://cognito-idp.${region}.amazonaws.com/eu-west-1_Other1` }),
      "the access token was not issued by user pool eu-west-1_Checks1"
    ],
    [
      "an id token issued by another pool (iss)",
      tamper(cognitoClaims(alice), "id", { iss: `https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Checks1` }),
      "the id token was not issued by user pool eu-west-1_Checks1"
    ],
    ["tokens without iss", tamper(cognitoClaims(alice), "access", { iss: undefined }), "iss is missing"],
    [
      "tokens naming the pool on an emulator's host when no endpoint is configured",
      tamper(cognitoClaims(alice), "access", { iss: `http://127.0.0.1:9229/${userPoolId}` }),
      "the access token was not issued by user pool"
    ],
    [
      "an id token for another app client (aud)",
      tamper(cognitoClaims(alice), "id", { aud: "otherclient" }),
      "the id token is not for app client checkclient (aud)"
    ],
    [
      "an access token for another app client (client_id)",
      tamper(cognitoClaims(alice), "access", { client_id: "otherclient" }),
      "the access token is not for app client checkclient (client_id)"
    ],
    [
      "the id token in place of the access token (token_use)",
      { access: cognitoClaims(alice).id, id: cognitoClaims(alice).id },
      "the access token is not an access token"
    ],
    [
      "the access token in place of the id token (token_use)",
      { access: cognitoClaims(alice).access, id: cognitoClaims(alice).access },
      "the id token is not an id token"
    ],
    [
      "an id token of another user (sub)",
      { access: cognitoClaims(alice).access, id: cognitoClaims(bob).id },
      "the id token and the access token name different users (sub)"
    ],
    [
      "an id token naming another username for the same sub",
      tamper(cognitoClaims(alice), "id", { "cognito:username": "mallory" }),
      "name different users (username)"
    ]
  ]
  for (const [name, pair, fragment] of signInCases)
    it.effect(`a sign-in answered with ${name} is InvalidResponse and signs nothing in`, () =>
      Effect.map(refusedSignIn(pair), (error) => expectMessage(error, fragment))
    )

  const refreshCases: ReadonlyArray<readonly [string, Pair, string]> = [
    ["another user's tokens", cognitoClaims(bob, start + 60), "another user than the session's (sub)"],
    [
      "tokens of the same sub naming another username",
      cognitoClaims({ sub: alice.sub, username: "mallory" }, start + 60),
      "another user than the session's (username)"
    ],
    [
      "tokens of another pool (iss)",
      tamper(cognitoClaims(alice, start + 60), "id", {
        iss: `https://cognito-idp.${region}.amazonaws.com/eu-west-1_Other1`
      }),
      "the id token was not issued by user pool"
    ],
    [
      "tokens of another app client (client_id)",
      tamper(cognitoClaims(alice, start + 60), "access", { client_id: "otherclient" }),
      "(client_id)"
    ],
    [
      "an id token of another user (sub)",
      { access: cognitoClaims(alice, start + 60).access, id: cognitoClaims(bob, start + 60).id },
      "name different users (sub)"
    ]
  ]
  for (const [name, pair, fragment] of refreshCases)
    it.effect(`a refresh answered with ${name} is InvalidResponse and keeps the session`, () =>
      Effect.map(refusedRefresh(pair), (error) => expectMessage(error, fragment))
    )
})

describe("token times out of range", () => {
  const timeCases: ReadonlyArray<readonly [string, keyof Pair, Claims, string]> = [
    ["exp: 1e300 in the access token", "access", { exp: 1e300 }, "the access token's exp is not a time"],
    ["exp: 1e300 in the id token", "id", { exp: 1e300 }, "the id token's exp is not a time"],
    ["exp past the year 9999", "access", { exp: 253_402_300_800 }, "exp is not a time"],
    ["iat: -1", "access", { iat: -1 }, "the access token's iat is not a time"],
    ["iat: 1e300", "id", { iat: 1e300 }, "the id token's iat is not a time"],
    ["auth_time: 1e300", "access", { auth_time: 1e300 }, "the access token's auth_time is not a time"],
    ["auth_time: -5", "id", { auth_time: -5 }, "the id token's auth_time is not a time"]
  ]
  for (const [name, which, claims, fragment] of timeCases) {
    it.effect(`${name} is InvalidResponse at sign-in, and nothing is signed in`, () =>
      Effect.map(refusedSignIn(tamper(cognitoClaims(alice), which, claims)), (error) => expectMessage(error, fragment))
    )
  }

  it.effect("exp: 1e300 in a refresh is InvalidResponse; the session and its expiry are kept", () =>
    Effect.map(refusedRefresh(tamper(cognitoClaims(alice, start + 60), "access", { exp: 1e300 })), (error) =>
      expectMessage(error, "exp is not a time")
    )
  )

  it.effect("a stored session whose exp is 1e300 starts signed out and is removed", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start * 1000)
      const pair = tamper(cognitoClaims(alice), "access", { exp: 1e300 })
      const store = yield* TokenStore.TokenStore
      yield* store.save(
        new TokenStore.Session({
          username: "alice",
          idToken: Redacted.make(Fake.jwt(pair.id)),
          accessToken: Redacted.make(Fake.jwt(pair.access)),
          refreshToken: Redacted.make("refresh-1"),
          clockSkewMillis: 0
        })
      )
      const auth = yield* Auth.make
      assert.isFalse(yield* auth.isSignedIn)
      assert.isTrue(Option.isNone(yield* store.load))
    }).pipe(
      Effect.provide(
        Layer.mergeAll(CognitoIdentityProvider.layer, TokenStore.layerMemory, SecureRandom.layerSeeded(1)).pipe(
          Layer.provideMerge(AuthConfig.layer({ region, userPoolId, clientId })),
          Layer.provide(Layer.succeed(HttpClient.HttpClient, Fake.make(() => Fake.json(200, {})).client))
        )
      ),
      Effect.scoped
    )
  )
})

describe("the issuers accepted", () => {
  const poolOf = (config: Partial<AuthConfig.Input> = {}) =>
    Effect.map(AuthConfig.make({ region, userPoolId, clientId, ...config }), Jwt.poolOf)

  it.effect("without an endpoint override: the AWS issuers of the pool only", () =>
    Effect.gen(function* () {
      const pool = yield* poolOf()
      assert.isTrue(pool.isIssuer(issuer))
      assert.isTrue(pool.isIssuer(`https://issuer-cognito-idp.${region}.amazonaws.com/${userPoolId}`))
      for (const other of [
        `https://cognito-idp.${region}.amazonaws.com/eu-west-1_Other1`,
        `https://cognito-idp.us-east-1.amazonaws.com/${userPoolId}`,
        `http://cognito-idp.${region}.amazonaws.com/${userPoolId}`,
        `${issuer}/`,
        `http://127.0.0.1:9229/${userPoolId}`,
        `http://localhost:9229/local_Checks1`
      ])
        assert.isFalse(pool.isIssuer(other), other)
    })
  )

  it.effect("in a China region: the pool on amazonaws.com.cn and on amazonaws.com", () =>
    Effect.gen(function* () {
      const pool = yield* Effect.map(
        AuthConfig.make({ region: "cn-north-1", userPoolId: "cn-north-1_Checks1", clientId }),
        Jwt.poolOf
      )
      assert.isTrue(pool.isIssuer("https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_Checks1"))
      assert.isTrue(pool.isIssuer("https://cognito-idp.cn-north-1.amazonaws.com/cn-north-1_Checks1"))
    })
  )

  it.effect(
    "with an endpoint override: the endpoint's own issuer (any loopback name), cognito-local's local_ pool and AWS's",
    () =>
      Effect.gen(function* () {
        const pool = yield* poolOf({ endpoints: { identityProvider: "http://127.0.0.1:9229/" } })
        for (const accepted of [
          issuer,
          `http://127.0.0.1:9229/${userPoolId}`,
          `http://localhost:9229/${userPoolId}`,
          `http://[::1]:9229/${userPoolId}`,
          `http://0.0.0.0:9229/local_Checks1`,
          `http://localhost:9229/local_Checks1`
        ])
          assert.isTrue(pool.isIssuer(accepted), accepted)
        for (const refused of [
          `http://127.0.0.1:9230/${userPoolId}`,
          `https://127.0.0.1:9229/${userPoolId}`,
          `http://evil.example:9229/${userPoolId}`,
          `http://127.0.0.1:9229/eu-west-1_Other1`,
          `http://127.0.0.1:9229/local_Other1`,
          `http://127.0.0.1:9229/x/${userPoolId}`,
          `http://127.0.0.1:9229/${userPoolId}?x=1`,
          `http://u:p@127.0.0.1:9229/${userPoolId}`,
          "not a url"
        ])
          assert.isFalse(pool.isIssuer(refused), refused)
      })
  )

  it.effect("with an endpoint under a path: the issuer under that path or at the origin", () =>
    Effect.gen(function* () {
      const pool = yield* poolOf({ endpoints: { identityProvider: "https://dev.example/cognito/" } })
      assert.isTrue(pool.isIssuer(`https://dev.example/cognito/${userPoolId}`))
      assert.isTrue(pool.isIssuer(`https://dev.example/${userPoolId}`))
      assert.isFalse(pool.isIssuer(`https://localhost/${userPoolId}`))
      assert.isFalse(pool.isIssuer(`https://dev.example/other/${userPoolId}`))
    })
  )

  it.effect("a sign-in with an endpoint override accepts the local Cognito's issuer and refuses another host's", () =>
    Effect.gen(function* () {
      const local = { endpoints: { identityProvider: "http://127.0.0.1:9229/" } }
      yield* Effect.gen(function* () {
        yield* TestClock.setTime(start * 1000)
        assert.strictEqual((yield* signIn)._tag, "SignedIn")
      }).pipe(
        Effect.provide(
          layerFor(
            {
              signIn: () => {
                const pair = cognitoClaims(alice)
                const iss = `http://127.0.0.1:9229/${userPoolId}`
                return { access: { ...pair.access, iss }, id: { ...pair.id, iss } }
              },
              refresh: () => cognitoClaims(alice)
            },
            local
          )
        )
      )
      const error = yield* refusedSignIn(
        tamper(cognitoClaims(alice), "access", { iss: `http://10.0.0.8:9229/${userPoolId}` }),
        local
      )
      expectMessage(error, 'iss is "http://10.0.0.8:9229/eu-west-1_Checks1"')
    })
  )
})
