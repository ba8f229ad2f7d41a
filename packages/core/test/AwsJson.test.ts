/**
 * The AWS JSON caller against hostile answers, over a scripted `HttpClient`: bodies past
 * the size cap (declared, streamed, endless) and servers that echo the request body
 * escaped into their error messages.
 */
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as AuthConfig from "../src/AuthConfig.js"
import * as CognitoIdentityProvider from "../src/CognitoIdentityProvider.js"
import * as Scrub from "../src/internal/scrub.js"

const config: AuthConfig.Input = {
  region: "eu-west-1",
  userPoolId: "eu-west-1_AbCdEf123",
  clientId: "client123",
  maxResponseBytes: 64 * 1024
}

/** A client whose every answer is `respond(body of the request)`. */
const providerAnswering = (respond: (requestBody: string) => Response, input: AuthConfig.Input = config) =>
  CognitoIdentityProvider.makeWith({ retrySchedule: Schedule.recurs(0) }).pipe(
    Effect.provideService(
      HttpClient.HttpClient,
      HttpClient.make((request) => {
        const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
        return Effect.succeed(HttpClientResponse.fromWeb(request, respond(body)))
      })
    ),
    Effect.provide(AuthConfig.layer(input)),
    Effect.orDie
  )

/** An endless body of `chunk`-byte chunks that counts what was pulled and whether it was cancelled. */
const endlessBody = (chunk: number) => {
  const seen = { pulled: 0, cancelled: false }
  const stream = new ReadableStream<Uint8Array>(
    {
      pull: (controller) => {
        seen.pulled += chunk
        controller.enqueue(new Uint8Array(chunk).fill(0x20))
      },
      cancel: () => {
        seen.cancelled = true
      }
    },
    { highWaterMark: 0 }
  )
  return { stream, seen }
}

const getUser = (provider: Effect.Success<ReturnType<typeof providerAnswering>>) =>
  provider.getUser({ accessToken: Redacted.make("access-token") })

describe("AwsJson response size cap", () => {
  it.effect("an endless body fails with InvalidResponse after reading no more than the cap", () =>
    Effect.gen(function* () {
      const { stream, seen } = endlessBody(4096)
      const provider = yield* providerAnswering(() => new Response(stream, { status: 200 }))
      const error = yield* Effect.flip(getUser(provider))
      assert.strictEqual(error.reason, "InvalidResponse")
      assert.include(error.message, "larger than 65536 bytes")
      assert.isAtMost(seen.pulled, 64 * 1024 + 4096)
      assert.isTrue(seen.cancelled)
    })
  )

  it.effect("a declared Content-Length above the cap fails before the body is read", () =>
    Effect.gen(function* () {
      const { stream, seen } = endlessBody(4096)
      const provider = yield* providerAnswering(
        () => new Response(stream, { status: 200, headers: { "content-length": String(300 * 1024 * 1024) } })
      )
      const error = yield* Effect.flip(getUser(provider))
      assert.strictEqual(error.reason, "InvalidResponse")
      assert.strictEqual(error.status, 200)
      assert.isAtMost(seen.pulled, 4096)
    })
  )

  it.effect("an error body past the cap is InvalidResponse with its status, so a 5xx stays transient", () =>
    Effect.gen(function* () {
      const provider = yield* providerAnswering(() => new Response("x".repeat(200 * 1024), { status: 502 }))
      const error = yield* Effect.flip(getUser(provider))
      assert.strictEqual(error.reason, "InvalidResponse")
      assert.strictEqual(error.status, 502)
    })
  )

  it.effect("a body up to the cap is read whole, multi-byte characters split across chunks included", () =>
    Effect.gen(function* () {
      const username = `ålice-✓-${"é".repeat(1000)}`
      const bytes = new TextEncoder().encode(JSON.stringify({ Username: username, UserAttributes: [] }))
      const provider = yield* providerAnswering(
        () =>
          new Response(
            new ReadableStream<Uint8Array>({
              start: (controller) => {
                // One byte per chunk: every multi-byte character arrives split.
                for (const byte of bytes) controller.enqueue(Uint8Array.of(byte))
                controller.close()
              }
            }),
            { status: 200 }
          ),
        { ...config, maxResponseBytes: bytes.length }
      )
      const user = yield* getUser(provider)
      assert.strictEqual(user.username, username)
    })
  )

  it.effect("the default cap is 1 MiB", () =>
    Effect.gen(function* () {
      const { stream, seen } = endlessBody(64 * 1024)
      const { maxResponseBytes: _, ...defaults } = config
      const provider = yield* providerAnswering(() => new Response(stream, { status: 200 }), defaults)
      const error = yield* Effect.flip(getUser(provider))
      assert.include(error.message, "larger than 1048576 bytes")
      assert.isAtMost(seen.pulled, 1024 * 1024 + 64 * 1024)
    })
  )
})

describe("AwsJson scrubbing of echoed secrets", () => {
  const password = `pa"ss\\wörd\n'quoted'✓😀\u0001 end`

  /** The message of a server that echoes the request body in `form`. */
  const echoed = (form: (body: string) => string) =>
    Effect.gen(function* () {
      const provider = yield* providerAnswering(
        (body) =>
          new Response(JSON.stringify({ __type: "InvalidParameterException", message: `bad request: ${form(body)}` }), {
            status: 400
          })
      )
      return yield* Effect.flip(
        provider.initiateAuth({ authFlow: "USER_PASSWORD_AUTH", username: "alice", password: Redacted.make(password) })
      )
    })

  const pythonRepr = (value: unknown): string => {
    if (typeof value === "string") return `'${Scrub.secretForms(value).at(-1) ?? value}'`
    if (typeof value === "object" && value !== null)
      return `{${Object.entries(value)
        .map(([k, v]) => `'${k}': ${pythonRepr(v)}`)
        .join(", ")}}`
    return String(value)
  }

  const forms: Record<string, (body: string) => string> = {
    raw: (body) => JSON.parse(body).AuthParameters.PASSWORD,
    "JSON-escaped": (body) => body,
    "JSON-escaped, ASCII only": (body) => JSON.stringify(JSON.parse(body)).replace(/[^\x20-\x7e]/g, escapeUnicode),
    "JSON-escaped twice": (body) => JSON.stringify(body),
    "Python repr": (body) => pythonRepr(JSON.parse(body))
  }

  for (const [name, form] of Object.entries(forms)) {
    it.effect(`a password echoed ${name} never reaches the error`, () =>
      Effect.gen(function* () {
        const error = yield* echoed(form)
        assert.strictEqual(error.reason, "InvalidParameter")
        assert.include(error.message, "bad request")
        assert.include(error.message, "<redacted>")
        for (const text of [error.message, JSON.stringify(error), String(error), Cause.pretty(Cause.fail(error))]) {
          for (const secretForm of Scrub.secretForms(password)) assert.notInclude(text, secretForm)
          assert.notInclude(text, "wörd")
          assert.notInclude(text, "w\\u00f6rd")
          assert.notInclude(text, "w\\xf6rd")
        }
      })
    )
  }

  it("the forms of a secret cover JSON (minimal, ASCII, any case, twice) and Python (repr, ascii)", () => {
    const forms = Scrub.secretForms(`a"b\\c\né'😀`)
    for (const expected of [
      `a"b\\c\né'😀`,
      `a\\"b\\\\c\\né'😀`,
      `a\\"b\\\\c\\n\\u00e9'\\ud83d\\ude00`,
      `a\\"b\\\\c\\n\\u00E9'\\uD83D\\uDE00`,
      `a\\\\\\"b\\\\\\\\c\\\\né'😀`,
      `a"b\\\\c\\né\\'😀`,
      `a"b\\\\c\\n\\xe9\\'\\U0001f600`
    ])
      assert.include(forms, expected)
  })
})

const escapeUnicode = (char: string) =>
  Array.from(char, (_, i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`).join("")
