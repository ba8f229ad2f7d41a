import * as Auth from "@effect-cognito/core/Auth"
import { TestCognito } from "@effect-cognito/test-kit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { atStart, confirmedUser, password, start } from "./fixtures.js"

const decodeSegment = (segment: string) =>
  JSON.parse(
    new TextDecoder().decode(
      Uint8Array.from(atob(segment.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))
    )
  )

/** Verifies an RS256 JWT against the pool's JWKS, as an API (aws-jwt-verify) would. */
const verify = (token: string, jwks: { readonly keys: ReadonlyArray<JsonWebKey & { kid?: string }> }) =>
  Effect.promise(async () => {
    const [header, payload, signature] = token.split(".") as [string, string, string]
    const { kid, alg } = decodeSegment(header) as { kid: string; alg: string }
    const jwk = jwks.keys.find((k) => k.kid === kid)
    if (jwk === undefined || alg !== "RS256") return undefined
    const key = await crypto.subtle.importKey("jwk", jwk, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, [
      "verify"
    ])
    const bytes = Uint8Array.from(atob(signature.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))
    const ok = await crypto.subtle.verify(
      "RSASSA-PKCS1-v1_5",
      key,
      bytes,
      new TextEncoder().encode(`${header}.${payload}`)
    )
    return ok ? (decodeSegment(payload) as Record<string, unknown>) : undefined
  })

describe("TestCognito tokens", () => {
  it.effect("are RS256 JWTs signed with the pool's key, carrying Cognito's claims and the configured lifetimes", () =>
    Effect.gen(function* () {
      yield* atStart
      const signUp = yield* confirmedUser()
      const auth = yield* Auth.Auth
      const cognito = yield* TestCognito.TestCognito
      yield* auth.signIn({ username: "alice", password })
      const tokens = yield* auth.getTokens()
      const jwks = yield* cognito.jwks
      const id = yield* verify(Redacted.value(tokens.idToken), jwks)
      const access = yield* verify(Redacted.value(tokens.accessToken), jwks)
      if (id === undefined || access === undefined) return assert.fail("a token does not verify")
      const iat = Math.floor(start / 1000)
      assert.deepInclude(id, {
        sub: signUp.userSub,
        "cognito:username": "alice",
        token_use: "id",
        aud: cognito.config.clientId,
        iss: cognito.issuer,
        email: "alice@example.com",
        iat,
        auth_time: iat,
        exp: iat + 600
      })
      assert.deepInclude(access, {
        sub: signUp.userSub,
        username: "alice",
        token_use: "access",
        client_id: cognito.config.clientId,
        iss: cognito.issuer,
        exp: iat + 300
      })
      for (const claim of ["jti", "origin_jti"]) {
        assert.isString(id[claim])
        assert.isString(access[claim])
      }
      assert.strictEqual(id.origin_jti, access.origin_jti)
      assert.notStrictEqual(id.jti, access.jti)
      assert.strictEqual(cognito.issuer, "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1")
      // A tampered token does not verify.
      const [h, p, s] = Redacted.value(tokens.accessToken).split(".")
      assert.isUndefined(yield* verify(`${h}.${p}x.${s}`, jwks))
    }).pipe(Effect.provide(TestCognito.layer({ tokenValidity: { accessToken: "5 minutes", idToken: "10 minutes" } })))
  )

  it.effect("logs every request it serves, including injected failures", () =>
    Effect.gen(function* () {
      yield* atStart
      const cognito = yield* TestCognito.TestCognito
      yield* cognito.failNext("SignUp", "Transport", 2)
      yield* Effect.ignore(confirmedUser())
      yield* Effect.ignore(confirmedUser())
      yield* confirmedUser()
      assert.deepStrictEqual(
        (yield* cognito.requests).map((r) => r.action),
        ["SignUp", "SignUp", "SignUp", "ConfirmSignUp"]
      )
      assert.strictEqual(yield* cognito.requestCount("SignUp"), 3)
      assert.strictEqual((yield* cognito.requests)[0]?.at, start)
    }).pipe(Effect.provide(TestCognito.layer()))
  )
})
