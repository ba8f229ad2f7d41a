/**
 * Differential: `CognitoJwtVerifier` against aws-jwt-verify (the verifier Node services use)
 * on the same keys, tokens and JWKS. Tokens are signed here with node:crypto; both
 * verifiers get the JWKS from an in-memory endpoint (ours through `HttpClient`,
 * aws-jwt-verify's through its `Fetcher`), both read the same time (`TestClock` and a
 * faked `Date`), and each case gets fresh verifiers. On every case the verdict must be the
 * same and, for a refused token, the check named the same: aws-jwt-verify's error classes
 * are mapped to our checks below.
 *
 * The cases: valid id and access tokens, and mutations of each: every claim removed,
 * changed, or of another JSON type; expired, not yet valid, within and past the leeway;
 * another pool, another app client, the wrong or an unknown `token_use`; `alg` none,
 * HS256 with the public key as the secret, another RSA algorithm; a tampered signature,
 * payload or header; padded segments; no, unknown, or empty `kid`; keys unfit for RS256;
 * a key rotated out of, or into, the JWKS; groups and scopes required. Then generated
 * mutations (fast-check).
 *
 * Where we are stricter, by design, the case says so and both verdicts are asserted:
 * a token without `exp` (aws-jwt-verify accepts it forever) or without `sub` (it names no
 * user) is refused, and so is a signature segment that is not canonical base64url (padded,
 * or with stray bits in its last character), which aws-jwt-verify decodes leniently.
 */
import { generateKeyPairSync } from "node:crypto"
import { afterAll, assert, beforeAll, describe, it, vi } from "@effect/vitest"
import { CognitoJwtVerifier as AwsVerifier } from "aws-jwt-verify"
import * as AwsErrors from "aws-jwt-verify/error"
import { SimpleJwksCache } from "aws-jwt-verify/jwk"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Result from "effect/Result"
import * as TestClock from "effect/testing/TestClock"
import * as fc from "fast-check"
import * as CognitoJwtVerifier from "../src/CognitoJwtVerifier.js"
import type * as JwtVerificationError from "../src/JwtVerificationError.js"
import * as Fake from "./FakeHttpClient.js"
import {
  accessClaims,
  b64url,
  clientId,
  hs256,
  idClaims,
  jwksReply,
  makeKey,
  now,
  type PublicJwk,
  sign,
  signSegments,
  userPoolId,
  without
} from "./jwtFixtures.js"

const key1 = makeKey("key-1")
const key2 = makeKey("key-2")
const ecJwk = (() => {
  const jwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" })
  return { ...jwk, kid: "key-1", alg: "ES256", use: "sig" } as unknown as PublicJwk
})()

/** aws-jwt-verify's error classes, as the check of ours that refuses the same token. */
const awsCheck = (error: unknown): JwtVerificationError.Check | `unmapped ${string}` => {
  if (error instanceof AwsErrors.JwtParseError) return "format"
  if (error instanceof AwsErrors.ParameterValidationError) return "iss" // "issuer not configured" / "must be provided"
  if (error instanceof AwsErrors.JwtInvalidIssuerError) return "iss"
  if (error instanceof AwsErrors.JwtWithoutValidKidError) return "kid"
  if (error instanceof AwsErrors.KidNotFoundInJwksError) return "kid"
  if (error instanceof AwsErrors.WaitPeriodNotYetEndedJwkError) return "kid"
  if (error instanceof AwsErrors.JwkInvalidKtyError) return "jwk"
  if (error instanceof AwsErrors.JwkInvalidUseError) return "jwk"
  if (error instanceof AwsErrors.JwkValidationError) return "jwk"
  if (error instanceof AwsErrors.JwtInvalidSignatureAlgorithmError) return "alg"
  if (error instanceof AwsErrors.JwtInvalidSignatureError) return "signature"
  if (error instanceof AwsErrors.JwtExpiredError) return "exp"
  if (error instanceof AwsErrors.JwtNotBeforeError) return "nbf"
  if (error instanceof AwsErrors.JwtInvalidScopeError) return "scope"
  if (error instanceof AwsErrors.CognitoJwtInvalidGroupError) return "groups"
  if (error instanceof AwsErrors.CognitoJwtInvalidTokenUseError) return "token_use"
  if (error instanceof AwsErrors.CognitoJwtInvalidClientIdError) return "client_id"
  if (error instanceof AwsErrors.JwksValidationError) return "jwks"
  if (error instanceof AwsErrors.FetchError) return "jwks"
  return `unmapped ${String(error)}`
}

type Verdict = { readonly valid: true; readonly sub: unknown } | { readonly valid: false; readonly check: string }

/** One verification: the JWKS the endpoint serves at that moment, and the token. */
interface Step {
  readonly keys: ReadonlyArray<PublicJwk>
  readonly token: string
}

interface Case {
  readonly name: string
  readonly steps: ReadonlyArray<Step>
  readonly tokenUse: "id" | "access" | null
  readonly clientId?: string | null
  readonly groups?: ReadonlyArray<string>
  readonly scopes?: ReadonlyArray<string>
  readonly leeway?: number
  /** Where we are stricter by design: aws-jwt-verify accepts, we refuse with this check. */
  readonly stricter?: JwtVerificationError.Check
}

const awsVerdicts = async (c: Case): Promise<ReadonlyArray<Verdict>> => {
  let keys: ReadonlyArray<PublicJwk> = []
  const encoder = new TextEncoder()
  const jwksCache = new SimpleJwksCache({
    fetcher: { fetch: async () => encoder.encode(JSON.stringify({ keys })).buffer as ArrayBuffer }
  })
  const verifier = AwsVerifier.create(
    {
      userPoolId,
      clientId: c.clientId === undefined ? clientId : c.clientId,
      tokenUse: c.tokenUse,
      ...(c.groups === undefined ? {} : { groups: [...c.groups] }),
      ...(c.scopes === undefined ? {} : { scope: [...c.scopes] }),
      ...(c.leeway === undefined ? {} : { graceSeconds: c.leeway })
    },
    { jwksCache }
  )
  const verdicts: Array<Verdict> = []
  for (const step of c.steps) {
    keys = step.keys
    try {
      const payload = await verifier.verify(step.token)
      verdicts.push({ valid: true, sub: payload.sub })
    } catch (error) {
      verdicts.push({ valid: false, check: awsCheck(error) })
    }
  }
  return verdicts
}

const ourVerdicts = (c: Case) =>
  Effect.scoped(
    Effect.gen(function* () {
      let keys: ReadonlyArray<PublicJwk> = []
      const endpoint = Fake.make(() => jwksReply(keys))
      const verifier = yield* CognitoJwtVerifier.make({
        userPools: { userPoolId, clientId: c.clientId === undefined ? clientId : c.clientId },
        tokenUse: c.tokenUse,
        ...(c.groups === undefined ? {} : { groups: c.groups }),
        ...(c.scopes === undefined ? {} : { scopes: c.scopes }),
        ...(c.leeway === undefined ? {} : { leeway: `${c.leeway} seconds` })
      }).pipe(Effect.provideService(HttpClient.HttpClient, endpoint.client))
      const verdicts: Array<Verdict> = []
      for (const step of c.steps) {
        keys = step.keys
        const result = yield* Effect.result(verifier.verify(step.token))
        verdicts.push(
          Result.isSuccess(result)
            ? { valid: true, sub: result.success.sub }
            : { valid: false, check: result.failure.check }
        )
      }
      return verdicts
    })
  )

const compare = (c: Case) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(now * 1000)
    const theirs = yield* Effect.promise(() => awsVerdicts(c))
    const ours = yield* ourVerdicts(c)
    if (c.stricter === undefined) {
      assert.deepStrictEqual(ours, theirs, c.name)
      for (const verdict of theirs) assert.notMatch(verdict.valid ? "" : verdict.check, /^unmapped/, c.name)
    } else {
      assert.isTrue(theirs.at(-1)?.valid, `${c.name}: aws-jwt-verify accepts it`)
      assert.deepStrictEqual(ours.at(-1), { valid: false, check: c.stricter }, c.name)
    }
  })

const once = (token: string, keys: ReadonlyArray<PublicJwk> = [key1.jwk]): ReadonlyArray<Step> => [{ keys, token }]

/** Another value of the same JSON type. */
const changed = (value: unknown): unknown =>
  typeof value === "string"
    ? `${value}-x`
    : typeof value === "number"
      ? value - 7200
      : typeof value === "boolean"
        ? !value
        : Array.isArray(value)
          ? ["other"]
          : { other: true }

/** A value of another JSON type. */
const retyped = (value: unknown): unknown =>
  typeof value === "string" ? 42 : typeof value === "number" ? String(value) : Array.isArray(value) ? "admins" : "true"

const base64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
/** The last character of a 256-byte signature with its lowest (unused) bit flipped: the same bytes to a lenient decoder. */
const strayBit = (last: string) => base64url[base64url.indexOf(last) ^ 1]!

const padded = (segment: string) => segment + "=".repeat((4 - (segment.length % 4)) % 4 || 2)

const casesFor = (kind: "access" | "id"): ReadonlyArray<Case> => {
  const base = kind === "access" ? accessClaims() : idClaims()
  const claims = (overrides: Record<string, unknown>) => ({ ...base, ...overrides })
  const tokenUse = kind
  const valid = sign(key1, base)
  const [header, payload, signature] = valid.split(".") as [string, string, string]
  const at = Math.floor(signature.length / 2)
  const flip = (s: string, i: number) => `${s.slice(0, i)}${s[i] === "A" ? "B" : "A"}${s.slice(i + 1)}`
  const cases: Array<Case> = [
    { name: "valid", steps: once(valid), tokenUse },
    { name: "valid, either token_use accepted", steps: once(valid), tokenUse: null },
    {
      name: "valid, any app client",
      steps: once(sign(key1, claims({ client_id: "x", aud: "x" }))),
      tokenUse,
      clientId: null
    },
    ...Object.keys(base).flatMap(
      (name): ReadonlyArray<Case> => [
        {
          name: `without ${name}`,
          steps: once(sign(key1, without(base, name))),
          tokenUse,
          ...(name === "exp" ? { stricter: "exp" as const } : name === "sub" ? { stricter: "sub" as const } : {})
        },
        { name: `${name} changed`, steps: once(sign(key1, claims({ [name]: changed(base[name]) }))), tokenUse },
        { name: `${name} of another type`, steps: once(sign(key1, claims({ [name]: retyped(base[name]) }))), tokenUse }
      ]
    ),
    { name: "expired", steps: once(sign(key1, claims({ exp: now - 3600 }))), tokenUse },
    { name: "expired within the leeway", steps: once(sign(key1, claims({ exp: now - 30 }))), tokenUse, leeway: 60 },
    { name: "expired past the leeway", steps: once(sign(key1, claims({ exp: now - 90 }))), tokenUse, leeway: 60 },
    { name: "not yet valid", steps: once(sign(key1, claims({ nbf: now + 3600 }))), tokenUse },
    { name: "valid since nbf", steps: once(sign(key1, claims({ nbf: now - 60 }))), tokenUse },
    {
      name: "not yet valid within the leeway",
      steps: once(sign(key1, claims({ nbf: now + 30 }))),
      tokenUse,
      leeway: 60
    },
    {
      name: "another pool",
      steps: once(sign(key1, claims({ iss: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other9" }))),
      tokenUse
    },
    {
      name: "the global issuer form",
      steps: once(sign(key1, claims({ iss: `https://issuer-cognito-idp.eu-west-1.amazonaws.com/${userPoolId}` }))),
      tokenUse
    },
    {
      name: "another app client",
      steps: once(sign(key1, claims({ client_id: "otherclient", aud: "otherclient" }))),
      tokenUse
    },
    { name: "the other token_use required", steps: once(valid), tokenUse: kind === "access" ? "id" : "access" },
    { name: "token_use refresh", steps: once(sign(key1, claims({ token_use: "refresh" }))), tokenUse: null },
    { name: "alg none", steps: once(`${b64url({ alg: "none", kid: "key-1" })}.${payload}.${signature}`), tokenUse },
    { name: "alg none, no signature", steps: once(`${b64url({ alg: "none", kid: "key-1" })}.${payload}.`), tokenUse },
    { name: "no alg", steps: once(sign(key1, base, { alg: undefined })), tokenUse },
    {
      name: "HS256 with the public key's PEM as the secret",
      steps: once(hs256(key1.publicPem, { kid: "key-1" }, base)),
      tokenUse
    },
    { name: "HS256 with the modulus as the secret", steps: once(hs256(key1.jwk.n, { kid: "key-1" }, base)), tokenUse },
    { name: "RS512 in the header, RS256 key", steps: once(sign(key1, base, { alg: "RS512" })), tokenUse },
    { name: "tampered signature", steps: once(`${header}.${payload}.${flip(signature, at)}`), tokenUse },
    { name: "tampered payload", steps: once(`${header}.${b64url(claims({ sub: "mallory" }))}.${signature}`), tokenUse },
    {
      name: "tampered header",
      steps: once(`${b64url({ kid: "key-1", alg: "RS256", typ: "JWT" })}.${payload}.${signature}`),
      tokenUse
    },
    { name: "padded header", steps: once(`${padded(header)}.${payload}.${signature}`), tokenUse },
    { name: "padded payload", steps: once(`${header}.${padded(payload)}.${signature}`), tokenUse },
    {
      name: "padded header and payload, signed as padded",
      steps: once(signSegments(key1, padded(header), padded(payload))),
      tokenUse,
      stricter: "signature"
    },
    { name: "padded signature", steps: once(`${header}.${payload}.${signature}==`), tokenUse, stricter: "signature" },
    {
      name: "a signature whose last character has stray bits",
      steps: once(`${header}.${payload}.${signature.slice(0, -1)}${strayBit(signature.at(-1)!)}`),
      tokenUse,
      stricter: "signature"
    },
    { name: "no kid", steps: once(sign(key1, base, { kid: undefined })), tokenUse },
    { name: "an unknown kid", steps: once(sign(key1, base, { kid: "key-9" })), tokenUse },
    { name: "an empty kid", steps: once(sign(key1, base, { kid: "" })), tokenUse },
    { name: "a kid that is a number", steps: once(sign(key1, base, { kid: 1 })), tokenUse },
    { name: "signed by another key under the same kid", steps: once(sign({ ...key2, kid: "key-1" }, base)), tokenUse },
    { name: "the key is for encryption", steps: once(valid, [{ ...key1.jwk, use: "enc" }]), tokenUse },
    { name: "the key is for RS384", steps: once(valid, [{ ...key1.jwk, alg: "RS384" }]), tokenUse },
    {
      name: "the key has no alg or use",
      steps: once(valid, [{ kty: "RSA", n: key1.jwk.n, e: key1.jwk.e, kid: "key-1" }]),
      tokenUse
    },
    { name: "the kid names an EC key", steps: once(valid, [ecJwk]), tokenUse },
    { name: "the key was rotated out of the JWKS", steps: once(valid, [key2.jwk]), tokenUse },
    {
      name: "a key rotated into the JWKS after the first fetch",
      steps: [
        { keys: [key1.jwk], token: valid },
        { keys: [key2.jwk], token: sign(key2, base) },
        { keys: [key2.jwk], token: valid }
      ],
      tokenUse
    },
    { name: "a group required, present", steps: once(valid), tokenUse, groups: ["owners", "admins"] },
    { name: "a group required, absent", steps: once(valid), tokenUse, groups: ["owners"] },
    {
      name: "a group required, no groups",
      steps: once(sign(key1, without(base, "cognito:groups"))),
      tokenUse,
      groups: ["admins"]
    },
    { name: "a scope required", steps: once(valid), tokenUse, scopes: ["orders/read"] },
    { name: "a scope required, absent", steps: once(valid), tokenUse, scopes: ["orders/write"] },
    {
      name: "a group and a scope required, the group absent",
      steps: once(valid),
      tokenUse,
      groups: ["x"],
      scopes: ["y"]
    }
  ]
  return cases.map((c) => ({ ...c, name: `${kind}: ${c.name}` }))
}

describe("CognitoJwtVerifier against aws-jwt-verify", () => {
  beforeAll(() => {
    // aws-jwt-verify reads Date.now(); ours reads Clock (TestClock, set to the same time per case).
    vi.useFakeTimers({ toFake: ["Date"] })
    vi.setSystemTime(now * 1000)
  })
  afterAll(() => {
    vi.useRealTimers()
  })

  const cases = [...casesFor("access"), ...casesFor("id")]

  it("covers every claim of both tokens and every case the issue lists", () => {
    assert.isAtLeast(cases.length, 150)
    for (const name of [
      "access: valid",
      "id: valid",
      "id: without aud",
      "access: without client_id",
      "access: expired",
      "id: not yet valid",
      "access: another pool",
      "id: another app client",
      "access: the other token_use required",
      "id: alg none",
      "access: HS256 with the public key's PEM as the secret",
      "id: tampered signature",
      "access: tampered payload",
      "id: padded payload",
      "access: an unknown kid",
      "id: the key was rotated out of the JWKS",
      "access: a key rotated into the JWKS after the first fetch"
    ])
      assert.isTrue(
        cases.some((c) => c.name === name),
        name
      )
  })

  for (const c of cases) it.effect(c.name, () => compare(c))

  it.effect("generated mutations: claims dropped, replaced or retyped, segments cut or flipped", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(now * 1000)
      const values = fc.constantFrom<unknown>(
        undefined,
        null,
        0,
        now - 7200,
        now + 7200,
        "",
        "access",
        "id",
        clientId,
        "alice",
        ["admins"],
        [1],
        {},
        true
      )
      const claimNames = fc.constantFrom(...Object.keys(idClaims()), ...Object.keys(accessClaims()), "nbf")
      const mutation = fc.record({
        kind: fc.constantFrom("access" as const, "id" as const),
        edits: fc.array(fc.tuple(claimNames, values), { maxLength: 4 }),
        segment: fc.option(fc.record({ index: fc.integer({ min: 0, max: 2 }), at: fc.nat(), cut: fc.boolean() }), {
          nil: undefined
        })
      })
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(mutation, async ({ edits, kind, segment }) => {
            const claims: Record<string, unknown> = kind === "access" ? accessClaims() : idClaims()
            for (const [name, value] of edits) {
              if (value === undefined) delete claims[name]
              else claims[name] = value
            }
            let token = sign(key1, claims)
            if (segment !== undefined) {
              const parts = token.split(".")
              const part = parts[segment.index]!
              const i = part.length === 0 ? 0 : segment.at % part.length
              parts[segment.index] = segment.cut
                ? part.slice(0, i)
                : `${part.slice(0, i)}${part[i] === "x" ? "y" : "x"}${part.slice(i + 1)}`
              token = parts.join(".")
            }
            const c: Case = { name: "generated", steps: once(token), tokenUse: kind }
            const theirs = await awsVerdicts(c)
            const ours = await Effect.runPromise(
              Effect.andThen(TestClock.setTime(now * 1000), ourVerdicts(c)).pipe(Effect.provide(TestClock.layer()))
            )
            const signature = token.split(".")[2] ?? ""
            const stricter =
              theirs[0]?.valid === true &&
              (typeof claims.exp !== "number" ||
                typeof claims.sub !== "string" ||
                claims.sub === "" ||
                Buffer.from(signature, "base64url").toString("base64url") !== signature)
            if (stricter) assert.strictEqual(ours[0]?.valid, false)
            else assert.deepStrictEqual(ours, theirs, JSON.stringify({ edits, segment }))
          }),
          { numRuns: 150, seed: 26 }
        )
      )
    })
  )
})
