import * as Headers from "effect/http/Headers"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/testing/TestClock"
import * as AuthError from "../src/AuthError.js"
import * as AwsSigning from "../src/AwsSigning.js"
import * as FakeHttpClient from "./FakeHttpClient.js"

// The published AWS Signature Version 4 test suite (aws-sig-v4-test-suite): example
// credentials, scope and time, and the Authorization header of each case's .sreq.
const suiteCredentials: AwsSigning.SigningCredentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: Redacted.make("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
}
const suiteToken =
  "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
const suiteTime = Date.parse("2015-08-30T12:36:00Z")
const scope = "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"

interface Vector {
  readonly name: string
  readonly request: HttpClientRequest.HttpClientRequest
  readonly sessionToken?: { readonly placement: "signed" | "unsigned" }
  readonly signedHeaders: string
  readonly signature: string
}

const vectors: ReadonlyArray<Vector> = [
  {
    name: "get-vanilla",
    request: HttpClientRequest.get("https://example.amazonaws.com/"),
    signedHeaders: "host;x-amz-date",
    signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
  },
  {
    name: "get-vanilla-query-order-key-case",
    request: HttpClientRequest.get("https://example.amazonaws.com/?Param2=value2&Param1=value1"),
    signedHeaders: "host;x-amz-date",
    signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
  },
  {
    name: "get-vanilla-utf8-query",
    request: HttpClientRequest.get("https://example.amazonaws.com/?\u1234=bar"),
    signedHeaders: "host;x-amz-date",
    signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"
  },
  {
    name: "post-x-www-form-urlencoded",
    request: HttpClientRequest.post("https://example.amazonaws.com/").pipe(
      HttpClientRequest.bodyText("Param1=value1", "application/x-www-form-urlencoded")
    ),
    signedHeaders: "content-type;host;x-amz-date",
    signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
  },
  {
    name: "post-sts-header-after",
    request: HttpClientRequest.post("https://example.amazonaws.com/"),
    sessionToken: { placement: "unsigned" },
    signedHeaders: "host;x-amz-date",
    signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
  },
  {
    name: "post-sts-header-before",
    request: HttpClientRequest.post("https://example.amazonaws.com/"),
    sessionToken: { placement: "signed" },
    signedHeaders: "host;x-amz-date;x-amz-security-token",
    signature: "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"
  }
]

const ok = () => FakeHttpClient.text(200, "ok")

const counted = <A>(value: (n: number) => A) =>
  Effect.gen(function* () {
    const calls = yield* Ref.make(0)
    const effect = Ref.updateAndGet(calls, (n) => n + 1).pipe(Effect.map(value))
    return { effect, calls: Ref.get(calls) }
  })

const credentialsNumber = (n: number): AwsSigning.SigningCredentials => ({
  accessKeyId: `AKID${n}`,
  secretAccessKey: Redacted.make(`secret-${n}`),
  sessionToken: Redacted.make(`token-${n}`)
})

const keyIdOf = (recorded: FakeHttpClient.Recorded) =>
  /Credential=([^/]+)\//.exec(recorded.headers.authorization ?? "")?.[1]

describe("AwsSigning.signed", () => {
  describe("reproduces the published SigV4 test suite", () => {
    for (const vector of vectors) {
      it.effect(vector.name, () =>
        Effect.gen(function* () {
          yield* TestClock.setTime(suiteTime)
          const fake = FakeHttpClient.make(ok)
          const credentials =
            vector.sessionToken === undefined
              ? suiteCredentials
              : { ...suiteCredentials, sessionToken: Redacted.make(suiteToken) }
          const client = AwsSigning.signed(fake.client, {
            credentials: Effect.succeed(credentials),
            renew: Effect.die("not renewed"),
            service: "service",
            region: "us-east-1",
            sessionToken: vector.sessionToken?.placement
          })
          const response = yield* client.execute(vector.request)
          assert.strictEqual(response.status, 200)
          const [sent] = fake.requests
          assert.strictEqual(
            sent?.headers.authorization,
            `AWS4-HMAC-SHA256 ${scope}, SignedHeaders=${vector.signedHeaders}, Signature=${vector.signature}`
          )
          assert.strictEqual(sent?.headers["x-amz-date"], "20150830T123600Z")
          assert.strictEqual(sent?.headers["x-amz-security-token"], vector.sessionToken && suiteToken)
        })
      )
    }
  })

  it.effect("signs the request as the client passed in finishes it (a URL prefix added there is signed)", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(suiteTime)
      const fake = FakeHttpClient.make(ok)
      const prefixed = HttpClient.mapRequest(fake.client, HttpClientRequest.prependUrl("https://example.amazonaws.com"))
      const client = AwsSigning.signed(prefixed, {
        credentials: Effect.succeed(suiteCredentials),
        renew: Effect.die("not renewed"),
        service: "service",
        region: "us-east-1"
      })
      yield* client.get("/")
      assert.strictEqual(fake.requests[0]?.url, "https://example.amazonaws.com/")
      assert.match(
        fake.requests[0]?.headers.authorization ?? "",
        /Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31$/
      )
    })
  )

  it.effect("signs at the Clock's time and sends the body it hashed", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2026-03-01T09:08:07Z"))
      const fake = FakeHttpClient.make(ok)
      const client = AwsSigning.signed(fake.client, {
        credentials: Effect.succeed(credentialsNumber(1)),
        renew: Effect.die("not renewed"),
        service: "execute-api",
        region: "eu-west-1"
      })
      yield* client.execute(
        HttpClientRequest.post("https://api.example.com/items").pipe(HttpClientRequest.bodyJsonUnsafe({ a: 1 }))
      )
      const [sent] = fake.requests
      assert.strictEqual(sent?.headers["x-amz-date"], "20260301T090807Z")
      assert.match(
        sent?.headers.authorization ?? "",
        /Credential=AKID1\/20260301\/eu-west-1\/execute-api\/aws4_request/
      )
      assert.match(
        sent?.headers.authorization ?? "",
        /SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,/
      )
      assert.strictEqual(sent?.text, '{"a":1}')
      assert.strictEqual(sent?.headers["x-amz-security-token"], "token-1")
    })
  )

  it.effect("adds the payload hash header for S3", () =>
    Effect.gen(function* () {
      const fake = FakeHttpClient.make(ok)
      const client = AwsSigning.signed(fake.client, {
        credentials: Effect.succeed(credentialsNumber(1)),
        renew: Effect.die("not renewed"),
        service: "s3",
        region: "us-east-1"
      })
      yield* client.execute(
        HttpClientRequest.put("https://bucket.s3.amazonaws.com/key").pipe(HttpClientRequest.bodyText(""))
      )
      const [sent] = fake.requests
      assert.strictEqual(
        sent?.headers["x-amz-content-sha256"],
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
      )
      assert.match(sent?.headers.authorization ?? "", /SignedHeaders=[^,]*x-amz-content-sha256/)
    })
  )

  it.effect("renews the credentials once and retries once when AWS says they expired", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(suiteTime)
      const fake = FakeHttpClient.make((_, index) =>
        index === 0
          ? FakeHttpClient.awsError(
              403,
              "ExpiredTokenException",
              "The security token included in the request is expired"
            )
          : ok()
      )
      const renew = yield* counted(credentialsNumber)
      const client = AwsSigning.signed(fake.client, {
        credentials: Effect.succeed(credentialsNumber(0)),
        // Renewal takes five minutes: the retry is signed at the new time.
        renew: Effect.andThen(TestClock.adjust("5 minutes"), renew.effect),
        service: "execute-api",
        region: "eu-west-1"
      })
      const response = yield* client.execute(
        HttpClientRequest.post("https://api.example.com/").pipe(HttpClientRequest.bodyText("payload"))
      )
      assert.strictEqual(response.status, 200)
      assert.strictEqual(yield* renew.calls, 1)
      assert.deepStrictEqual(fake.requests.map(keyIdOf), ["AKID0", "AKID1"])
      assert.deepStrictEqual(
        fake.requests.map((r) => r.headers["x-amz-date"]),
        ["20150830T123600Z", "20150830T124100Z"]
      )
      assert.deepStrictEqual(
        fake.requests.map((r) => r.text),
        ["payload", "payload"]
      )
    })
  )

  it.effect("gives up with NotAuthorized after one renewal and one retry", () =>
    Effect.gen(function* () {
      const fake = FakeHttpClient.make(() => FakeHttpClient.awsError(403, "ExpiredTokenException", "expired"))
      const renew = yield* counted(credentialsNumber)
      const client = AwsSigning.signed(fake.client, {
        credentials: Effect.succeed(credentialsNumber(0)),
        renew: renew.effect,
        service: "execute-api",
        region: "eu-west-1"
      })
      const error = yield* Effect.flip(client.get("https://api.example.com/"))
      assert.strictEqual(error._tag, "AuthError")
      assert.isTrue(AuthError.isAuthError(error))
      if (!AuthError.isAuthError(error)) return
      assert.strictEqual(error.reason, "NotAuthorized")
      assert.strictEqual(error.method, "signedHttpClient")
      assert.strictEqual(error.exception, "ExpiredTokenException")
      assert.strictEqual(error.status, 403)
      assert.strictEqual(yield* renew.calls, 1)
      assert.strictEqual(fake.requests.length, 2)
    })
  )

  it.effect("retries on a signature outside its validity window, read from a JSON or XML body", () =>
    Effect.gen(function* () {
      const answers = [
        FakeHttpClient.awsError(
          400,
          "InvalidSignatureException",
          "Signature expired: 20150830T123600Z is now earlier than 20150830T124600Z (20150830T125100Z - 5 min.)"
        ),
        FakeHttpClient.text(
          400,
          "<Response><Errors><Error><Code>RequestExpired</Code><Message>Request has expired.</Message></Error></Errors></Response>",
          "text/xml"
        ),
        FakeHttpClient.awsError(403, "InvalidSignatureException", "Signature not yet current: 20150830T123600Z")
      ]
      for (const answer of answers) {
        const fake = FakeHttpClient.make((_, index) => (index === 0 ? answer : ok()))
        const renew = yield* counted(credentialsNumber)
        const client = AwsSigning.signed(fake.client, {
          credentials: Effect.succeed(credentialsNumber(0)),
          renew: renew.effect,
          service: "ec2",
          region: "eu-west-1"
        })
        const response = yield* client.get("https://ec2.eu-west-1.amazonaws.com/?Action=DescribeRegions")
        assert.strictEqual(response.status, 200)
        assert.strictEqual(yield* renew.calls, 1)
        assert.strictEqual(fake.requests.length, 2)
      }
    })
  )

  it.effect("returns other refusals as they are, without renewing", () =>
    Effect.gen(function* () {
      const fake = FakeHttpClient.make(() =>
        FakeHttpClient.awsError(403, "AccessDeniedException", "User is not authorized to perform: execute-api:Invoke")
      )
      const renew = yield* counted(credentialsNumber)
      const client = AwsSigning.signed(fake.client, {
        credentials: Effect.succeed(credentialsNumber(0)),
        renew: renew.effect,
        service: "execute-api",
        region: "eu-west-1"
      })
      const response = yield* client.get("https://api.example.com/")
      assert.strictEqual(response.status, 403)
      assert.strictEqual(((yield* response.json) as { __type: string }).__type, "AccessDeniedException")
      assert.strictEqual(yield* renew.calls, 0)
      assert.strictEqual(fake.requests.length, 1)
    })
  )

  it.effect("reads a stream body once and re-sends the bytes on the retry", () =>
    Effect.gen(function* () {
      const pulls = yield* Ref.make(0)
      const body = Stream.fromEffect(
        Ref.update(pulls, (n) => n + 1).pipe(Effect.as(new TextEncoder().encode("streamed")))
      )
      const fake = FakeHttpClient.make((_, index) =>
        index === 0 ? FakeHttpClient.awsError(403, "ExpiredToken", "expired") : ok()
      )
      const client = AwsSigning.signed(fake.client, {
        credentials: Effect.succeed(credentialsNumber(0)),
        renew: Effect.succeed(credentialsNumber(1)),
        service: "s3",
        region: "us-east-1"
      })
      yield* client.execute(
        HttpClientRequest.put("https://bucket.s3.amazonaws.com/key").pipe(
          HttpClientRequest.bodyStream(body, { contentType: "text/plain" })
        )
      )
      assert.strictEqual(yield* Ref.get(pulls), 1)
      assert.deepStrictEqual(
        fake.requests.map((r) => r.text),
        ["streamed", "streamed"]
      )
      assert.deepStrictEqual(fake.requests.map(keyIdOf), ["AKID0", "AKID1"])
    })
  )

  it.effect("fails with the credentials' AuthError and sends nothing when there are none", () =>
    Effect.gen(function* () {
      const fake = FakeHttpClient.make(ok)
      const client = AwsSigning.signed(fake.client, {
        credentials: Effect.fail(AuthError.make("NotSignedIn", "getAWSCredentials")),
        renew: Effect.die("not renewed"),
        service: "execute-api",
        region: "eu-west-1"
      })
      const error = yield* Effect.flip(client.get("https://api.example.com/"))
      assert.isTrue(AuthError.isAuthError(error) && error.reason === "NotSignedIn")
      assert.strictEqual(fake.requests.length, 0)
    })
  )

  it.effect("shows the session token and the signature redacted to tracers and logs", () =>
    Effect.gen(function* () {
      const seen: Array<Record<string, string | Redacted.Redacted>> = []
      const client = HttpClient.make((request, _url, _signal, fiber) => {
        seen.push(Headers.redact(request.headers, fiber.getRef(Headers.CurrentRedactedNames)))
        return Effect.succeed(HttpClientResponse.fromWeb(request, new Response("ok")))
      })
      const signed = AwsSigning.signed(client, {
        credentials: Effect.succeed(credentialsNumber(7)),
        renew: Effect.die("not renewed"),
        service: "execute-api",
        region: "eu-west-1"
      })
      yield* signed.get("https://api.example.com/")
      const [headers] = seen
      assert.isTrue(Redacted.isRedacted(headers?.["x-amz-security-token"]))
      assert.isTrue(Redacted.isRedacted(headers?.authorization))
      assert.notInclude(JSON.stringify(headers), "token-7")
      assert.strictEqual(headers?.["x-amz-date"]?.toString().length, 16)
    })
  )

  it.effect("rejects a FormData body with an Encode error instead of signing a wrong hash", () =>
    Effect.gen(function* () {
      const fake = FakeHttpClient.make(ok)
      const client = AwsSigning.signed(fake.client, {
        credentials: Effect.succeed(credentialsNumber(0)),
        renew: Effect.die("not renewed"),
        service: "execute-api",
        region: "eu-west-1"
      })
      const form = new FormData()
      form.append("a", "1")
      const error = yield* Effect.flip(
        client.execute(HttpClientRequest.post("https://api.example.com/").pipe(HttpClientRequest.bodyFormData(form)))
      )
      assert.strictEqual(error._tag, "HttpClientError")
      assert.isTrue(error._tag === "HttpClientError" && error.reason._tag === "EncodeError")
      assert.strictEqual(fake.requests.length, 0)
    })
  )
})

describe("AwsSigning.credentialsRejection", () => {
  const cases: ReadonlyArray<
    readonly [string, Parameters<typeof AwsSigning.credentialsRejection>[0], string | undefined]
  > = [
    [
      "errortype header",
      { status: 403, errorType: "ExpiredTokenException:http://internal.amazon.com/", body: "" },
      "ExpiredTokenException"
    ],
    [
      "JSON __type with prefix",
      { status: 400, errorType: undefined, body: '{"__type":"com.amazon.coral#ExpiredTokenException","message":"x"}' },
      "ExpiredTokenException"
    ],
    ["S3 XML", { status: 400, errorType: undefined, body: "<Error><Code>ExpiredToken</Code></Error>" }, "ExpiredToken"],
    [
      "STS signature expired",
      {
        status: 403,
        errorType: undefined,
        body: "<Error><Code>SignatureDoesNotMatch</Code><Message>Signature expired: 20150830T123600Z is now earlier than 20150830T124600Z</Message></Error>"
      },
      "SignatureDoesNotMatch"
    ],
    [
      "API Gateway message only",
      {
        status: 403,
        errorType: undefined,
        body: '{"message":"The security token included in the request is expired"}'
      },
      "Expired"
    ],
    [
      "wrong signature",
      {
        status: 403,
        errorType: undefined,
        body: '{"__type":"InvalidSignatureException","message":"The request signature we calculated does not match the signature you provided."}'
      },
      undefined
    ],
    ["access denied", { status: 403, errorType: "AccessDeniedException", body: "" }, undefined],
    ["a 500 naming the code", { status: 500, errorType: "ExpiredTokenException", body: "" }, undefined],
    [
      "another error quoting the phrase",
      { status: 400, errorType: undefined, body: '{"__type":"ValidationException","message":"Signature expired"}' },
      undefined
    ],
    ["success", { status: 200, errorType: undefined, body: "ExpiredToken" }, undefined]
  ]
  for (const [name, response, expected] of cases) {
    it(`${name} → ${expected ?? "not a credentials rejection"}`, () => {
      assert.strictEqual(AwsSigning.credentialsRejection(response), expected)
    })
  }
})

describe("AwsSigning.bearer", () => {
  const tokensNumber = (n: number): AwsSigning.BearerTokens => ({
    accessToken: Redacted.make(`access-${n}`),
    idToken: Redacted.make(`id-${n}`)
  })
  const recordingTokens = Effect.gen(function* () {
    const calls = yield* Ref.make<ReadonlyArray<boolean>>([])
    const getTokens = (force: boolean) =>
      Ref.updateAndGet(calls, (all) => [...all, force]).pipe(Effect.map((all) => tokensNumber(all.length - 1)))
    return { getTokens, calls: Ref.get(calls) }
  })

  it.effect("adds the access or the id token as a bearer", () =>
    Effect.gen(function* () {
      for (const [token, expected] of [
        ["access", "Bearer access-0"],
        ["id", "Bearer id-0"]
      ] as const) {
        const fake = FakeHttpClient.make(ok)
        const tokens = yield* recordingTokens
        yield* AwsSigning.bearer(fake.client, { getTokens: tokens.getTokens, token }).get("https://api.example.com/")
        assert.strictEqual(fake.requests[0]?.headers.authorization, expected)
        assert.deepStrictEqual(yield* tokens.calls, [false])
      }
    })
  )

  it.effect("on a 401 forces one refresh and retries once, body included", () =>
    Effect.gen(function* () {
      const fake = FakeHttpClient.make((_, index) => (index === 0 ? FakeHttpClient.text(401, "expired") : ok()))
      const tokens = yield* recordingTokens
      const response = yield* AwsSigning.bearer(fake.client, { getTokens: tokens.getTokens, token: "access" }).execute(
        HttpClientRequest.post("https://api.example.com/").pipe(HttpClientRequest.bodyText("hello"))
      )
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(yield* tokens.calls, [false, true])
      assert.deepStrictEqual(
        fake.requests.map((r) => [r.headers.authorization, r.text]),
        [
          ["Bearer access-0", "hello"],
          ["Bearer access-1", "hello"]
        ]
      )
    })
  )

  it.effect("gives up with NotAuthorized on a second 401", () =>
    Effect.gen(function* () {
      const fake = FakeHttpClient.make(() => FakeHttpClient.text(401, "no"))
      const tokens = yield* recordingTokens
      const error = yield* Effect.flip(
        AwsSigning.bearer(fake.client, { getTokens: tokens.getTokens, token: "id" }).get("https://api.example.com/")
      )
      assert.isTrue(AuthError.isAuthError(error))
      if (!AuthError.isAuthError(error)) return
      assert.strictEqual(error.reason, "NotAuthorized")
      assert.strictEqual(error.method, "bearerHttpClient")
      assert.strictEqual(error.status, 401)
      assert.deepStrictEqual(yield* tokens.calls, [false, true])
      assert.strictEqual(fake.requests.length, 2)
    })
  )

  it.effect("does not refresh on a 403", () =>
    Effect.gen(function* () {
      const fake = FakeHttpClient.make(() => FakeHttpClient.text(403, "forbidden"))
      const tokens = yield* recordingTokens
      const response = yield* AwsSigning.bearer(fake.client, { getTokens: tokens.getTokens, token: "access" }).get(
        "https://api.example.com/"
      )
      assert.strictEqual(response.status, 403)
      assert.deepStrictEqual(yield* tokens.calls, [false])
    })
  )
})
