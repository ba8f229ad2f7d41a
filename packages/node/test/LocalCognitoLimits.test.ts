/**
 * Hostile bodies against the local Cognito (issue 19, items 6 and 8): a body over 1 MiB
 * is refused with 413 `SerializationException` without being read whole (a declared
 * `Content-Length` over the cap is refused before any of it is read, a chunked one as soon
 * as it passes the cap); deeply nested JSON is a 400 `SerializationException`, never a
 * 500 or a stack overflow; and a deeply nested state file fails the start with a one-line
 * `Storage` error and is left as it is.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as AuthError from "@effect-cognito/core/AuthError"
import * as IdentityPool from "@effect-cognito/core/IdentityPool"
import { assert, describe, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as LocalCognito from "../src/LocalCognito.js"
import { jsonOf, type RawAnswer, send } from "./rawHttp.js"

const maxBody = 1024 * 1024

const portOf = (local: LocalCognito.LocalCognito.Service) => Number(new URL(local.endpoint).port)

const headers = (action: string, extra: Readonly<Record<string, string>> = {}) => ({
  "content-type": "application/x-amz-json-1.1",
  "x-amz-target": `AWSCognitoIdentityProviderService.${action}`,
  ...extra
})

const assertAwsError = (answer: RawAnswer, status: number, exception: string) => {
  assert.strictEqual(answer.status, status, answer.text)
  const body = jsonOf(answer) as Record<string, unknown> | undefined
  assert.strictEqual(body?.__type, exception, answer.text)
  assert.strictEqual(answer.headers["x-amzn-errortype"], exception)
  assert.isString(body?.message)
}

/** `count` pieces of `size` bytes of spaces (valid JSON whitespace, so only the size is wrong). */
function* spaces(count: number, size = 64 * 1024) {
  const piece = Buffer.alloc(size, " ")
  for (let i = 0; i < count; i++) yield piece
}

const nested = (depth: number, open = "[", close = "]") => `${open.repeat(depth)}${close.repeat(depth)}`

layer(LocalCognito.layer(), { excludeTestServices: true })("LocalCognito request limits", (it) => {
  it.effect("a body declared over 1 MiB is refused with 413 SerializationException before it is read", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      // 256 MB declared, 64 KB sent, the rest never: only an answer that does not wait for the body ends this.
      const answer = yield* Effect.promise(() =>
        send(portOf(local), {
          headers: headers("SignUp", { "content-length": String(256 * 1024 * 1024) }),
          body: spaces(1),
          open: true
        })
      )
      assertAwsError(answer, 413, "SerializationException")
      assert.include((jsonOf(answer) as { message: string }).message, "1048576")
    })
  )

  it.effect("a chunked body is refused with 413 as soon as it passes 1 MiB, without waiting for its end", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      // 1 MiB + 64 KB sent chunked and the body left open: the server must answer from what it has.
      const answer = yield* Effect.promise(() =>
        send(portOf(local), { headers: headers("SignUp"), body: spaces(17), open: true })
      )
      assertAwsError(answer, 413, "SerializationException")
    })
  )

  it.effect("a body of exactly 1 MiB is read and decoded", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const json = JSON.stringify({ ClientId: local.defaultPool.clientId })
      const body = `${json}${" ".repeat(maxBody - json.length)}`
      const answer = yield* Effect.promise(() =>
        send(portOf(local), {
          headers: headers("SignUp", { "content-length": String(Buffer.byteLength(body)) }),
          body: [body]
        })
      )
      assertAwsError(answer, 400, "InvalidParameterException")
    })
  )

  it.effect("deeply nested JSON (depth 5000, about 10 KB) answers 400 SerializationException, never a 500", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const bodies = [
        nested(5000),
        nested(5000, '{"a":', "}"),
        `{"ClientId":${nested(5000)},"Username":"deep","Password":"Deep-Passw0rd!"}`,
        `{"UserPoolId":"${local.defaultPool.userPoolId}","Filter":${nested(20_000)}}`
      ]
      for (const [index, body] of bodies.entries())
        for (const action of ["SignUp", "ListUsers", "NoSuchAction"]) {
          const answer = yield* Effect.promise(() => send(portOf(local), { headers: headers(action), body: [body] }))
          assertAwsError(answer, 400, "SerializationException")
          assert.include((jsonOf(answer) as { message: string }).message, "nest", `body ${index}`)
        }
      // Nesting inside strings is not nesting.
      const quoted = yield* Effect.promise(() =>
        send(portOf(local), {
          headers: headers("SignUp"),
          body: [JSON.stringify({ ClientId: local.defaultPool.clientId, Username: nested(5000) })]
        })
      )
      assertAwsError(quoted, 400, "InvalidParameterException")
    })
  )
})

/** An identity pool whose actions die: a bug in a plugged-in service. */
const dyingPool = () =>
  Effect.succeed(
    IdentityPool.make({
      getId: () => Effect.die(new Error("a bug in the plugged-in identity pool")),
      getCredentialsForIdentity: () => Effect.die(new Error("a bug in the plugged-in identity pool"))
    })
  )

layer(LocalCognito.layer({ identityPools: dyingPool }), { excludeTestServices: true })("LocalCognito defects", (it) => {
  it.effect("a defect in an action answers 500 InternalErrorException in AWS's shape, not an empty body", () =>
    Effect.gen(function* () {
      const local = yield* LocalCognito.LocalCognito
      const answer = yield* Effect.promise(() =>
        send(portOf(local), {
          headers: { "x-amz-target": "AWSCognitoIdentityService.GetId" },
          body: [JSON.stringify({ IdentityPoolId: local.defaultPool.identityPoolId })]
        })
      )
      assertAwsError(answer, 500, "InternalErrorException")
      assert.notInclude(answer.text, "bug", "the defect itself is not shown")
    })
  )
})

describe("LocalCognito state file nesting", () => {
  it.live("a deeply nested state file fails the start with a one-line Storage error and is left as it is", () =>
    Effect.gen(function* () {
      const directory = yield* Effect.acquireRelease(
        Effect.promise(() => mkdtemp(join(tmpdir(), "local-cognito-nested-"))),
        (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
      )
      for (const [index, content] of [
        nested(5000),
        `{"version":1,"region":"us-east-1","userPools":${nested(5000)}}`,
        `{"version":1,"region":"us-east-1","userPools":[${nested(5000, '{"id":', "}")}]}`
      ].entries()) {
        const file = join(directory, `nested-${index}.json`)
        yield* Effect.promise(() => writeFile(file, content))
        const failure = yield* Effect.flip(Effect.scoped(LocalCognito.make({ stateFile: file })))
        assert.isTrue(AuthError.isAuthError(failure))
        if (AuthError.isAuthError(failure)) {
          assert.strictEqual(failure.reason, "Storage")
          assert.notInclude(failure.message, "\n")
          assert.include(failure.message, file)
          assert.include(failure.message, "nests arrays or objects deeper than 64 levels")
          assert.include(failure.message, "left as it is")
          assert.isBelow(failure.message.length, 400)
        }
        assert.strictEqual(yield* Effect.promise(() => readFile(file, "utf8")), content)
      }
    }).pipe(Effect.scoped)
  )
})
