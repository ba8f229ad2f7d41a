/**
 * A property test of the local Cognito's request decoding over HTTP (issue 19, "Done
 * when"): fast-check sends arbitrary bodies (any JSON, the real members with any values,
 * any text, any bytes), deeply nested ones (whole or inside a member, closed or not),
 * oversized ones (declared or chunked) and random `X-Amz-Target`s (real actions of both
 * services, made-up ones, none). Every answer is an AWS error (`__type`, `message`, the
 * `x-amzn-ErrorType` header) with a 4xx status: none is a 500 and none hangs. After the
 * run, the heap returns near where it was before it (after a forced GC).
 *
 * Deterministic: a fixed seed and a fixed number of runs.
 */
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import fc from "fast-check"
import * as LocalCognito from "../src/LocalCognito.js"
import { jsonOf, send } from "./rawHttp.js"

const maxBody = 1024 * 1024

const userPoolActions = [
  "SignUp",
  "ConfirmSignUp",
  "ResendConfirmationCode",
  "InitiateAuth",
  "RespondToAuthChallenge",
  "GetTokensFromRefreshToken",
  "GlobalSignOut",
  "RevokeToken",
  "ForgotPassword",
  "ConfirmForgotPassword",
  "ChangePassword",
  "GetUser",
  "UpdateUserAttributes",
  "GetUserAttributeVerificationCode",
  "VerifyUserAttribute",
  "DeleteUser",
  "AssociateSoftwareToken",
  "VerifySoftwareToken",
  "CreateUserPool",
  "DescribeUserPool",
  "CreateUserPoolClient",
  "DescribeUserPoolClient",
  "AdminCreateUser",
  "AdminConfirmSignUp",
  "AdminGetUser",
  "AdminSetUserPassword",
  "AdminSetUserMFAPreference",
  "AdminDisableUser",
  "AdminDeleteUser",
  "AdminUserGlobalSignOut",
  "ListUsers",
  "__proto__",
  "constructor",
  "toString"
]
const identityActions = [
  "CreateIdentityPool",
  "DescribeIdentityPool",
  "GetId",
  "GetCredentialsForIdentity",
  "__proto__"
]

/** Visible ASCII and spaces: what a header value may hold. */
const headerText = fc.string({
  unit: fc.constantFrom(..." !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`az{|}~\t"),
  maxLength: 80
})

const target = fc.oneof(
  fc.constantFrom(...userPoolActions).map((action) => `AWSCognitoIdentityProviderService.${action}`),
  fc.constantFrom(...identityActions).map((action) => `AWSCognitoIdentityService.${action}`),
  fc
    .tuple(fc.constantFrom("AWSCognitoIdentityProviderService.", "AWSCognitoIdentityService.", "", "."), headerText)
    .map(([service, action]) => `${service}${action}`),
  headerText,
  fc.constant(undefined)
)

const member = fc.constantFrom(
  "ClientId",
  "Username",
  "Password",
  "UserAttributes",
  "AuthFlow",
  "AuthParameters",
  "ChallengeName",
  "ChallengeResponses",
  "Session",
  "AccessToken",
  "RefreshToken",
  "Token",
  "UserPoolId",
  "IdentityPoolId",
  "IdentityId",
  "Logins",
  "ClientMetadata",
  "ConfirmationCode",
  "Filter",
  "Limit",
  "__proto__",
  "constructor"
)

/** JSON nested `depth` deep (arrays, objects or both), closed or cut short. */
const deep = fc
  .record({
    depth: fc.integer({ min: 60, max: 20_000 }),
    shape: fc.constantFrom("array", "object", "mixed"),
    inner: fc.constantFrom("1", '"x"', "null", "[]", "{}"),
    closed: fc.boolean()
  })
  .map(({ closed, depth, inner, shape }) => {
    const opens: Array<string> = []
    const closes: Array<string> = []
    for (let i = 0; i < depth; i++) {
      const array = shape === "array" || (shape === "mixed" && i % 2 === 0)
      opens.push(array ? "[" : '{"a":')
      closes.push(array ? "]" : "}")
    }
    return `${opens.join("")}${inner}${closed ? closes.reverse().join("") : ""}`
  })

type Body =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array }
  | { readonly _tag: "Oversized"; readonly size: number; readonly declared: boolean; readonly fill: string }

const body: fc.Arbitrary<Body> = fc.oneof(
  { weight: 4, arbitrary: fc.json().map((text): Body => ({ _tag: "Text", text })) },
  {
    weight: 4,
    arbitrary: fc
      .dictionary(member, fc.jsonValue())
      .map((value): Body => ({ _tag: "Text", text: JSON.stringify(value) }))
  },
  { weight: 2, arbitrary: fc.string().map((text): Body => ({ _tag: "Text", text })) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 512 }).map((bytes): Body => ({ _tag: "Bytes", bytes })) },
  { weight: 3, arbitrary: deep.map((text): Body => ({ _tag: "Text", text })) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.dictionary(member, fc.jsonValue(), { maxKeys: 3 }), member, deep)
      .map(([others, name, nested]): Body => {
        const rest = JSON.stringify(others).slice(1, -1)
        return { _tag: "Text", text: `{${rest}${rest === "" ? "" : ","}${JSON.stringify(name)}:${nested}}` }
      })
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        size: fc.integer({ min: maxBody + 1, max: 3 * maxBody }),
        declared: fc.boolean(),
        fill: fc.constantFrom(" ", "[", "a")
      })
      .map((oversized): Body => ({ _tag: "Oversized", ...oversized }))
  }
)

/** The body in pieces, and its `content-length` when it is declared (otherwise it goes chunked). */
const pieces = (value: Body): { readonly chunks: Array<Uint8Array>; readonly length?: number } => {
  switch (value._tag) {
    case "Text":
      return { chunks: [Buffer.from(value.text, "utf8")] }
    case "Bytes":
      return { chunks: [value.bytes], length: value.bytes.length }
    case "Oversized": {
      const piece = Buffer.alloc(64 * 1024, value.fill)
      const chunks: Array<Uint8Array> = []
      for (let sent = 0; sent < value.size; sent += piece.length)
        chunks.push(piece.subarray(0, Math.min(piece.length, value.size - sent)))
      return value.declared ? { chunks, length: value.size } : { chunks }
    }
  }
}

/** A forced GC: `global.gc` when Node was started with --expose-gc, else the same function fetched at run time. */
const collect = (): (() => void) => {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed !== undefined) return exposed
  setFlagsFromString("--expose-gc")
  return runInNewContext("gc") as () => void
}

const heapAfterGc = (gc: () => void) => {
  for (let i = 0; i < 3; i++) gc()
  return process.memoryUsage().heapUsed
}

layer(LocalCognito.layer(), { excludeTestServices: true })("LocalCognito request decoding, fuzzed", (it) => {
  it.effect(
    "arbitrary, deeply nested and oversized bodies under random targets: every answer a 4xx AWS error; memory returns",
    () =>
      Effect.gen(function* () {
        const local = yield* LocalCognito.LocalCognito
        const port = Number(new URL(local.endpoint).port)
        const gc = collect()

        const property = fc.asyncProperty(target, body, async (xAmzTarget, value) => {
          const { chunks, length } = pieces(value)
          const answer = await send(port, {
            headers: {
              "content-type": "application/x-amz-json-1.1",
              ...(xAmzTarget === undefined ? {} : { "x-amz-target": xAmzTarget }),
              ...(length === undefined ? {} : { "content-length": String(length) })
            },
            body: chunks
          })
          const json = jsonOf(answer) as Record<string, unknown> | undefined
          const where = `${answer.status} ${answer.text.slice(0, 300)}`
          assert.isAtLeast(answer.status, 400, where)
          assert.isBelow(answer.status, 500, where)
          assert.strictEqual(answer.headers["content-type"], "application/x-amz-json-1.1", where)
          assert.isString(json?.__type, where)
          assert.isString(json?.message, where)
          assert.strictEqual(answer.headers["x-amzn-errortype"], json?.__type, where)
          if (value._tag === "Oversized") assert.strictEqual(answer.status, 413, where)
        })

        // A first round warms the server and the client up; the heap after it is the baseline.
        yield* Effect.promise(() => fc.assert(property, { seed: 1919, numRuns: 60 }))
        const baseline = heapAfterGc(gc)
        yield* Effect.promise(() => fc.assert(property, { seed: 19, numRuns: 1000 }))
        const after = heapAfterGc(gc)
        const grown = after - baseline
        assert.isBelow(grown, 16 * 1024 * 1024, `heap grew by ${Math.round(grown / 1024)} KiB over the run`)
      }),
    { timeout: 180_000 }
  )
})
