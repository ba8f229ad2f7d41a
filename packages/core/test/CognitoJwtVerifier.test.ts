/**
 * `CognitoJwtVerifier` over a scripted JWKS endpoint (`HttpClient.make`) and `TestClock`:
 * what a verified token holds, the JWKS cache (one request for a burst at start, a rotated
 * key picked up at the next unknown kid, unknown kids cooled down, a hanging or garbage
 * endpoint a typed failure within the timeout), emulator endpoints and several pools,
 * the options checked when the layer is built, and no token in any failure. The pure
 * rules are checked alone at the end. Tokens are signed with node:crypto (`jwtFixtures`).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as TestClock from "effect/testing/TestClock"
import type * as AuthError from "../src/AuthError.js"
import * as CognitoJwtVerifier from "../src/CognitoJwtVerifier.js"
import * as Rules from "../src/internal/jwtRules.js"
import type * as JwtVerificationError from "../src/JwtVerificationError.js"
import * as Fake from "./FakeHttpClient.js"
import {
  accessClaims,
  b64url,
  clientId,
  idClaims,
  issuer,
  jwksReply,
  jwksUrl,
  makeKey,
  now,
  sign,
  userPoolId,
  without
} from "./jwtFixtures.js"

const key1 = makeKey("key-1")
const key2 = makeKey("key-2")

/** A verifier over a JWKS endpoint answering `reply` for each request (so a test can rotate the keys). */
const setup = (
  reply: (request: Fake.Recorded, index: number) => Fake.Reply,
  options: Partial<CognitoJwtVerifier.Options> = {}
) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(now * 1000)
    const endpoint = Fake.make(reply)
    const verifier = yield* CognitoJwtVerifier.make({
      userPools: { userPoolId, clientId },
      tokenUse: "access",
      ...options
    }).pipe(Effect.provideService(HttpClient.HttpClient, endpoint.client))
    return { verifier, requests: endpoint.requests }
  })

const refused = (effect: Effect.Effect<unknown, JwtVerificationError.JwtVerificationError>) => Effect.flip(effect)

describe("CognitoJwtVerifier", () => {
  it("is the service @effect-cognito/core/CognitoJwtVerifier", () => {
    assert.strictEqual(CognitoJwtVerifier.CognitoJwtVerifier.key, "@effect-cognito/core/CognitoJwtVerifier")
  })

  it.effect("verifies an access token: the user, groups, scopes and app client, every claim kept", () =>
    Effect.gen(function* () {
      const { verifier, requests } = yield* setup(() => jwksReply([key1.jwk]))
      const verified = yield* verifier.verify(sign(key1, accessClaims()))
      assert.deepStrictEqual(
        {
          tokenUse: verified.tokenUse,
          sub: verified.sub,
          username: verified.username,
          groups: verified.groups,
          scopes: verified.scopes,
          clientId: verified.clientId,
          userPoolId: verified.userPoolId,
          issuer: verified.issuer,
          expiresAt: verified.expiresAt
        },
        {
          tokenUse: "access",
          sub: "8f1b6c2e-0000-4000-8000-0000000000a1",
          username: "alice",
          groups: ["admins", "readers"],
          scopes: ["aws.cognito.signin.user.admin", "orders/read"],
          clientId,
          userPoolId,
          issuer,
          expiresAt: now + 3000
        }
      )
      assert.strictEqual(verified.claims.origin_jti, "a7c6b5d4-0000-4000-8000-000000000001")
      assert.deepStrictEqual(
        requests.map((r) => [r.method, r.url]),
        [["GET", jwksUrl]]
      )
    })
  )

  it.effect("verifies an id token (aud is the app client), given as Redacted, when id tokens are required", () =>
    Effect.gen(function* () {
      const { verifier } = yield* setup(() => jwksReply([key1.jwk]), { tokenUse: "id" })
      const verified = yield* verifier.verify(Redacted.make(sign(key1, idClaims())))
      assert.strictEqual(verified.tokenUse, "id")
      assert.strictEqual(verified.username, "alice")
      assert.strictEqual(verified.clientId, clientId)
      assert.deepStrictEqual(verified.scopes, [])
      assert.strictEqual(verified.claims.email, "alice@example.com")
      assert.strictEqual((yield* refused(verifier.verify(sign(key1, accessClaims())))).check, "token_use")
    })
  )

  it.effect("accepts the global issuer form (issuer-cognito-idp) of the same pool", () =>
    Effect.gen(function* () {
      const { verifier } = yield* setup(() => jwksReply([key1.jwk]))
      const global = `https://issuer-cognito-idp.${"eu-west-1"}.amazonaws.com/${userPoolId}`
      assert.strictEqual((yield* verifier.verify(sign(key1, accessClaims({ iss: global })))).issuer, global)
    })
  )

  it.effect("refuses an expired token, honours the leeway, and reads time from Clock", () =>
    Effect.gen(function* () {
      const { verifier } = yield* setup(() => jwksReply([key1.jwk]), { leeway: "30 seconds" })
      const token = sign(key1, accessClaims({ exp: now + 60 }))
      yield* verifier.verify(token)
      yield* TestClock.adjust(Duration.seconds(90))
      yield* verifier.verify(token)
      yield* TestClock.adjust(Duration.seconds(1))
      const error = yield* refused(verifier.verify(token))
      assert.strictEqual(error.check, "exp")
      assert.include(error.description, "2025-06-15T16:27:40.000Z")
    })
  )

  it.effect("per-verification requirements: groups and scopes (at least one of them), app client", () =>
    Effect.gen(function* () {
      const { verifier } = yield* setup(() => jwksReply([key1.jwk]))
      const token = sign(key1, accessClaims())
      yield* verifier.verify(token, { groups: ["admins", "owners"], scopes: ["orders/read"] })
      assert.strictEqual((yield* refused(verifier.verify(token, { groups: ["owners"] }))).check, "groups")
      assert.strictEqual((yield* refused(verifier.verify(token, { scopes: ["orders/write"] }))).check, "scope")
      assert.strictEqual((yield* refused(verifier.verify(token, { clientId: "another" }))).check, "client_id")
      yield* verifier.verify(token, { clientId: null })
      const noGroups = sign(key1, without(accessClaims(), "cognito:groups"))
      assert.deepStrictEqual((yield* verifier.verify(noGroups)).groups, [])
      assert.strictEqual((yield* refused(verifier.verify(noGroups, { groups: ["admins"] }))).check, "groups")
    })
  )

  it.effect("1000 concurrent verifications at start make one JWKS request", () =>
    Effect.gen(function* () {
      const { verifier, requests } = yield* setup(() => jwksReply([key1.jwk]))
      const token = sign(key1, accessClaims())
      const verified = yield* Effect.all(
        Array.from({ length: 1000 }, () => verifier.verify(token)),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(verified.length, 1000)
      assert.strictEqual(requests.length, 1)
    })
  )

  it.effect("1000 concurrent verifications with an unknown kid share one request too, and all fail with kid", () =>
    Effect.gen(function* () {
      const { verifier, requests } = yield* setup(() => jwksReply([key1.jwk]))
      const token = sign(key2, accessClaims())
      const results = yield* Effect.all(
        Array.from({ length: 1000 }, () => Effect.result(verifier.verify(token))),
        { concurrency: "unbounded" }
      )
      assert.isTrue(results.every((r) => Result.isFailure(r) && r.failure.check === "kid"))
      assert.strictEqual(requests.length, 1)
    })
  )

  it.effect("a key rotated into the JWKS is picked up at the next unknown kid; made-up kids are cooled down", () =>
    Effect.gen(function* () {
      let keys = [key1.jwk]
      const { verifier, requests } = yield* setup(() => jwksReply(keys), { jwks: { cooldown: "10 seconds" } })
      yield* verifier.verify(sign(key1, accessClaims()))
      keys = [key2.jwk]
      // The cached set still has key-1; key-2's kid is unknown, so the set is refetched at once.
      yield* verifier.verify(sign(key2, accessClaims()))
      assert.strictEqual(requests.length, 2)
      // key-1 was rotated out: once the set is refetched, its tokens are refused.
      const madeUp = sign(key1, accessClaims(), { kid: "made-up" })
      assert.strictEqual((yield* refused(verifier.verify(madeUp))).check, "kid")
      assert.strictEqual(requests.length, 3)
      // Another unknown kid within the cooldown: refused without a request.
      const error = yield* refused(verifier.verify(sign(key1, accessClaims(), { kid: "made-up-2" })))
      assert.strictEqual(error.check, "kid")
      assert.include(error.description, "not refetched")
      assert.strictEqual(requests.length, 3)
      // Known kids still verify from the cache meanwhile.
      yield* verifier.verify(sign(key2, accessClaims()))
      yield* TestClock.adjust(Duration.seconds(10))
      assert.strictEqual((yield* refused(verifier.verify(madeUp))).check, "kid")
      assert.strictEqual(requests.length, 4)
    })
  )

  it.effect("a JWKS endpoint that hangs fails every waiting verification with jwks at the timeout", () =>
    Effect.gen(function* () {
      const { verifier, requests } = yield* setup(() => Fake.never, { jwks: { timeout: "3 seconds" } })
      const token = sign(key1, accessClaims())
      const waiting = yield* Effect.forkChild(
        Effect.all(
          Array.from({ length: 3 }, () => Effect.flip(verifier.verify(token))),
          { concurrency: "unbounded" }
        )
      )
      yield* TestClock.adjust(Duration.millis(2999))
      assert.isUndefined(waiting.pollUnsafe())
      yield* TestClock.adjust(Duration.millis(1))
      const errors = yield* Fiber.join(waiting)
      for (const error of errors) {
        assert.strictEqual(error.check, "jwks")
        assert.include(error.description, "no answer within 3s")
      }
      assert.strictEqual(requests.length, 1)
    })
  )

  it.effect("a JWKS endpoint answering garbage gives a typed jwks failure, and the next verification retries", () =>
    Effect.gen(function* () {
      const replies: Array<Fake.Reply> = [
        Fake.text(200, "<html>maintenance</html>"),
        Fake.text(200, JSON.stringify({ keys: "none" }), "application/json"),
        Fake.text(200, JSON.stringify([1, 2]), "application/json"),
        Fake.text(200, JSON.stringify({ keys: [{ kty: "RSA", n: "x", e: "AQAB", d: "secret" }] }), "application/json"),
        Fake.text(503, "unavailable"),
        Fake.text(200, `{"keys":[${"1,".repeat(40000)}1]}`, "application/json"),
        Fake.transportFailure("connect ECONNREFUSED 127.0.0.1:9"),
        jwksReply([key1.jwk])
      ]
      const { verifier, requests } = yield* setup((_, index) => replies[index]!)
      const token = sign(key1, accessClaims())
      const descriptions: Array<string> = []
      for (let i = 0; i < replies.length - 1; i++) {
        const error = yield* refused(verifier.verify(token))
        assert.strictEqual(error.check, "jwks")
        descriptions.push(error.description)
      }
      assert.match(descriptions[0]!, /the body is not JSON/)
      assert.match(descriptions[1]!, /not a JSON Web Key Set/)
      assert.match(descriptions[2]!, /not a JSON Web Key Set/)
      assert.match(descriptions[3]!, /not a JSON Web Key Set/)
      assert.match(descriptions[4]!, /answered HTTP 503/)
      assert.match(descriptions[5]!, /larger than 65536 bytes/)
      assert.match(descriptions[6]!, /the request failed \(TransportError\)/)
      yield* verifier.verify(token)
      assert.strictEqual(requests.length, replies.length)
    })
  )

  it.effect("a garbage refetch keeps the keys already loaded", () =>
    Effect.gen(function* () {
      let reply = jwksReply([key1.jwk])
      const { verifier, requests } = yield* setup(() => reply)
      const token = sign(key1, accessClaims())
      yield* verifier.verify(token)
      reply = Fake.text(200, "garbage")
      assert.strictEqual((yield* refused(verifier.verify(sign(key2, accessClaims())))).check, "jwks")
      yield* verifier.verify(token)
      assert.strictEqual(requests.length, 2)
    })
  )

  it.effect("hydrate loads every pool's keys at start; a verification then makes no request", () =>
    Effect.gen(function* () {
      const { verifier, requests } = yield* setup(() => jwksReply([key1.jwk]))
      yield* verifier.hydrate
      assert.strictEqual(requests.length, 1)
      yield* verifier.verify(sign(key1, accessClaims()))
      assert.strictEqual(requests.length, 1)
      const failing = yield* setup(() => Fake.text(500, "down"))
      assert.strictEqual((yield* Effect.flip(failing.verifier.hydrate)).check, "jwks")
    })
  )

  it.effect("an emulator endpoint: the JWKS comes from it, its issuer and AWS's are accepted", () =>
    Effect.gen(function* () {
      const endpoint = "http://127.0.0.1:9229/"
      const { verifier, requests } = yield* setup(() => jwksReply([key1.jwk]), {
        userPools: { userPoolId, clientId, endpoint }
      })
      yield* verifier.verify(sign(key1, accessClaims({ iss: `http://127.0.0.1:9229/${userPoolId}` })))
      yield* verifier.verify(sign(key1, accessClaims({ iss: `http://localhost:9229/${userPoolId}` })))
      yield* verifier.verify(sign(key1, accessClaims()))
      assert.strictEqual(
        (yield* refused(verifier.verify(sign(key1, accessClaims({ iss: `http://127.0.0.1:9230/${userPoolId}` })))))
          .check,
        "iss"
      )
      assert.deepStrictEqual(
        requests.map((r) => r.url),
        [`http://127.0.0.1:9229/${userPoolId}/.well-known/jwks.json`]
      )
    })
  )

  it.effect("cognito-local's local_ pool ids, with the region and endpoint they need", () =>
    Effect.gen(function* () {
      const { verifier, requests } = yield* setup(() => jwksReply([key1.jwk]), {
        userPools: { userPoolId: "local_4DbQ4hXK", clientId, region: "us-east-1", endpoint: "http://localhost:9229" }
      })
      yield* verifier.verify(sign(key1, accessClaims({ iss: "http://localhost:9229/local_4DbQ4hXK" })))
      assert.deepStrictEqual(
        requests.map((r) => r.url),
        ["http://localhost:9229/local_4DbQ4hXK/.well-known/jwks.json"]
      )
    })
  )

  it.effect("several pools: each token is checked against its own pool's JWKS and app clients", () =>
    Effect.gen(function* () {
      const otherPool = "eu-west-1_Other2"
      const otherIssuer = `https://cognito-idp.eu-west-1.amazonaws.com/${otherPool}`
      const { verifier, requests } = yield* setup(
        (request) => jwksReply(request.url.includes(otherPool) ? [key2.jwk] : [key1.jwk]),
        {
          userPools: [
            { userPoolId, clientId },
            { userPoolId: otherPool, clientId: ["otherclient", "thirdclient"] }
          ]
        }
      )
      yield* verifier.verify(sign(key1, accessClaims()))
      const other = yield* verifier.verify(sign(key2, accessClaims({ iss: otherIssuer, client_id: "thirdclient" })))
      assert.strictEqual(other.userPoolId, otherPool)
      assert.strictEqual(
        (yield* refused(verifier.verify(sign(key2, accessClaims({ iss: otherIssuer }))))).check,
        "client_id"
      )
      // A pool's token signed with the other pool's key: its kid is not in its pool's JWKS.
      assert.strictEqual(
        (yield* refused(verifier.verify(sign(key1, accessClaims({ iss: otherIssuer, client_id: "otherclient" })))))
          .check,
        "kid"
      )
      assert.deepStrictEqual(requests.map((r) => r.url).slice(0, 2), [jwksUrl, `${otherIssuer}/.well-known/jwks.json`])
    })
  )

  it.effect("no failure holds the token, in its message, description or JSON", () =>
    Effect.gen(function* () {
      const { verifier } = yield* setup(() => jwksReply([key1.jwk]))
      const good = sign(key1, accessClaims())
      const [header, payload, signature] = good.split(".") as [string, string, string]
      // One character of the signature changed (to another one: the keys are new each run).
      const changed = signature[100] === "A" ? "B" : "A"
      const tokens = [
        `${header}.${payload}.${signature.slice(0, 100)}${changed}${signature.slice(101)}`,
        sign(key1, accessClaims({ exp: now - 10 })),
        sign(key1, accessClaims({ iss: "https://evil.example/pool" })),
        sign(key1, accessClaims(), { kid: "unknown" }),
        `${header}.${payload}`,
        "not a token at all"
      ]
      for (const token of tokens) {
        const error = yield* refused(verifier.verify(token))
        for (const shown of [String(error), error.message, error.description, JSON.stringify(error)]) {
          assert.notInclude(shown, token)
          assert.notInclude(shown, payload)
          assert.notInclude(shown, signature.slice(0, 40))
        }
      }
    })
  )

  it.effect("refuses what is not a JWT with the format check", () =>
    Effect.gen(function* () {
      const { verifier, requests } = yield* setup(() => jwksReply([key1.jwk]))
      for (const token of [
        "",
        "a.b",
        "a.b.c.d",
        `${b64url("[1]")}.${b64url(accessClaims())}.c2ln`,
        `${b64url({ alg: "RS256", kid: 7 })}.${b64url(accessClaims())}.c2ln`,
        `${b64url({ alg: "RS256", kid: "key-1", crit: ["exp"] })}.${b64url(accessClaims())}.c2ln`,
        `${b64url({ alg: "RS256", kid: "key-1" })}.${b64url(accessClaims({ exp: "soon" }))}.c2ln`,
        `${b64url({ alg: "RS256", kid: "key-1" })}.${b64url(accessClaims({ aud: [1] }))}.c2ln`,
        `${b64url({ alg: "RS256", kid: "key-1" })}.${b64url(`${"[".repeat(100)}${"]".repeat(100)}`)}.c2ln`,
        "x".repeat(20_000)
      ])
        assert.strictEqual((yield* refused(verifier.verify(token))).check, "format", token.slice(0, 60))
      assert.strictEqual(requests.length, 0)
    })
  )

  it.effect("checks the options when built: every problem named at once, in InvalidConfig", () =>
    Effect.gen(function* () {
      const build = (options: unknown) =>
        Effect.flip(
          CognitoJwtVerifier.make(options as CognitoJwtVerifier.Options).pipe(
            Effect.provideService(HttpClient.HttpClient, Fake.make(() => Fake.never).client)
          )
        )
      const error: AuthError.AuthError = yield* build({
        userPools: [
          { userPoolId: "not-a-pool", clientId: "ok" },
          { userPoolId: "local_abc", clientId: [] },
          { userPoolId: "eu-west-1_Abc", clientId: "x", region: "us-east-1", endpoint: "ftp://host" }
        ],
        scopes: [],
        leeway: -1,
        jwks: { timeout: 0 }
      })
      assert.strictEqual(error.reason, "InvalidConfig")
      assert.strictEqual(error.method, "CognitoJwtVerifier")
      for (const part of [
        "userPools[0].userPoolId: expected <region>_<id>",
        "userPools[1].clientId: expected an app client id, a non-empty list of them, or null",
        "userPools[1].region: expected an AWS region like eu-west-1 (a local_ user pool id names none)",
        "userPools[1].endpoint: expected the emulator's URL for a local_ user pool id",
        "userPools[2].userPoolId: expected a pool in region us-east-1, found a pool in region eu-west-1",
        "userPools[2].endpoint: expected an http(s) URL",
        'tokenUse: expected "id", "access" or null (either), found nothing',
        "scopes: expected a non-empty list of names, found an array",
        "leeway: expected a finite duration, zero or more, found -1",
        "jwks.timeout: expected a finite duration above zero, found 0"
      ])
        assert.include(error.description, part)
      assert.notInclude(error.description, "userPools[0].region")
      const single = yield* build({ userPools: { userPoolId: "eu-west-1_Abc" }, tokenUse: null })
      assert.strictEqual(
        single.description,
        "clientId: expected an app client id, a non-empty list of them, or null (any app client), found nothing"
      )
    })
  )
})

describe("the verification rules, alone", () => {
  const requirements: Rules.Requirements = {
    now,
    leeway: 0,
    tokenUse: "access",
    clientIds: [clientId],
    scopes: undefined,
    groups: undefined
  }
  const checkOf = (claims: Record<string, unknown>, over: Partial<Rules.Requirements> = {}) => {
    const result = Rules.checkClaims(claims, { ...requirements, ...over })
    return Result.isFailure(result) ? result.failure.check : "valid"
  }

  it("checks the claims in aws-jwt-verify's order: exp, nbf, scope, groups, token_use, app client, then sub", () => {
    const everythingWrong = accessClaims({
      exp: now - 1,
      nbf: now + 1,
      scope: "other",
      "cognito:groups": ["other"],
      token_use: "refresh",
      client_id: "other",
      sub: undefined
    })
    const strict = { scopes: ["orders/read"], groups: ["admins"] }
    assert.strictEqual(checkOf(everythingWrong, strict), "exp")
    assert.strictEqual(checkOf({ ...everythingWrong, exp: now }, strict), "nbf")
    assert.strictEqual(checkOf({ ...everythingWrong, exp: now, nbf: now }, strict), "scope")
    assert.strictEqual(checkOf({ ...everythingWrong, exp: now, nbf: now, scope: "orders/read" }, strict), "groups")
    const claimsOnly = { ...everythingWrong, exp: now, nbf: now, scope: "orders/read", "cognito:groups": ["admins"] }
    assert.strictEqual(checkOf(claimsOnly, strict), "token_use")
    assert.strictEqual(checkOf({ ...claimsOnly, token_use: "access" }, strict), "client_id")
    assert.strictEqual(checkOf({ ...claimsOnly, token_use: "access", client_id: clientId }, strict), "sub")
    assert.strictEqual(checkOf(accessClaims(), strict), "valid")
  })

  it("null skips a check by name: any token_use of id and access, any app client", () => {
    assert.strictEqual(checkOf(idClaims(), { tokenUse: null, clientIds: null }), "valid")
    assert.strictEqual(checkOf(idClaims({ aud: "other" }), { tokenUse: null }), "client_id")
    assert.strictEqual(checkOf(accessClaims({ token_use: "refresh" }), { tokenUse: null }), "token_use")
    assert.strictEqual(checkOf(accessClaims({ client_id: "x" }), { clientIds: null }), "valid")
  })

  it("is stricter than aws-jwt-verify on two claims only: no exp, no sub", () => {
    assert.strictEqual(checkOf(without(accessClaims(), "exp")), "exp")
    assert.strictEqual(checkOf(without(accessClaims(), "sub")), "sub")
    for (const name of ["iat", "auth_time", "jti", "origin_jti", "event_id", "username", "scope", "cognito:groups"])
      assert.strictEqual(checkOf(without(accessClaims(), name)), "valid", name)
  })

  it("a key must be a signing key whose alg is the token's, the token RS256, and the key RSA (in aws-jwt-verify's order)", () => {
    const checkKey = (alg: string | undefined, jwk: Rules.KeyMembers) => {
      const result = Rules.checkKey(alg, jwk)
      return Result.isFailure(result) ? result.failure.check : "valid"
    }
    assert.strictEqual(checkKey("RS256", key1.jwk), "valid")
    assert.strictEqual(checkKey("RS256", { kty: "RSA" }), "valid")
    assert.strictEqual(checkKey("RS256", { kty: "EC" }), "jwk")
    assert.strictEqual(checkKey("RS256", { kty: "EC", alg: "ES256" }), "alg")
    assert.strictEqual(checkKey("RS256", { kty: "oct" }), "jwk")
    assert.strictEqual(checkKey("RS256", { kty: "RSA", use: "enc" }), "jwk")
    for (const alg of ["none", "HS256", "RS512", "PS256", undefined]) {
      assert.strictEqual(checkKey(alg, key1.jwk), "alg", String(alg))
      assert.strictEqual(checkKey(alg, { kty: "RSA" }), "alg", String(alg))
    }
    assert.strictEqual(checkKey("RS256", { kty: "RSA", alg: "RS384" }), "alg")
  })

  it("decomposes padded segments (they fail the signature later) and refuses anything else outside base64url", () => {
    const header = b64url({ alg: "RS256", kid: "k" })
    const payload = b64url(accessClaims())
    const padded = (s: string) => s + "=".repeat((4 - (s.length % 4)) % 4)
    assert.isTrue(Result.isSuccess(Rules.decompose(`${padded(header)}.${padded(payload)}.c2ln`, 16384)))
    for (const token of [`${header}.${payload}.c2l+`, `${header}.${payload}.c2l/`, `${header}.${payload}.c2ln===`])
      assert.isTrue(Result.isFailure(Rules.decompose(token, 16384)), token)
  })
})
