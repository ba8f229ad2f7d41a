import * as AwsSigning from "@effect-cognito/core/AwsSigning"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import * as SigV4TestSuite from "../src/SigV4TestSuite.js"
import * as SigV4Verifier from "../src/SigV4Verifier.js"

const suiteOptions = (testCase: SigV4TestSuite.Case): SigV4Verifier.Options => ({
  accessKeyId: SigV4TestSuite.accessKeyId,
  secretAccessKey: SigV4TestSuite.secretAccessKey,
  sessionToken: testCase.withSessionToken ? SigV4TestSuite.sessionToken : undefined,
  region: SigV4TestSuite.region,
  service: SigV4TestSuite.service
})

const requestOf = (testCase: SigV4TestSuite.Case): SigV4Verifier.Request => ({
  method: testCase.method,
  url: testCase.url,
  headers: testCase.headers,
  body: testCase.body
})

const vanilla = SigV4TestSuite.cases[0] as SigV4TestSuite.Case
const form = SigV4TestSuite.cases.find((c) => c.name === "post-x-www-form-urlencoded") as SigV4TestSuite.Case
const stsAfter = SigV4TestSuite.cases.find((c) => c.name === "post-sts-header-after") as SigV4TestSuite.Case
const stsBefore = SigV4TestSuite.cases.find((c) => c.name === "post-sts-header-before") as SigV4TestSuite.Case

const expectInvalid = (verdict: SigV4Verifier.Verdict, part: SigV4Verifier.Part) => {
  assert.strictEqual(verdict._tag, "Invalid")
  assert.strictEqual(verdict._tag === "Invalid" ? verdict.part : undefined, part)
}

describe("SigV4Verifier", () => {
  describe("accepts the published suite's signed requests", () => {
    for (const testCase of SigV4TestSuite.cases) {
      it.effect(testCase.name, () =>
        Effect.gen(function* () {
          const verdict = yield* SigV4Verifier.verify(requestOf(testCase), suiteOptions(testCase))
          assert.strictEqual(verdict._tag, "Valid", JSON.stringify(verdict))
        })
      )
    }
  })

  it.effect("computes the suite's canonical request for post-x-www-form-urlencoded", () =>
    Effect.gen(function* () {
      const verdict = yield* SigV4Verifier.verify(requestOf(form), suiteOptions(form))
      // post-x-www-form-urlencoded.creq of the suite.
      assert.strictEqual(
        verdict.canonicalRequest,
        [
          "POST",
          "/",
          "",
          "content-type:application/x-www-form-urlencoded",
          "host:example.amazonaws.com",
          "x-amz-date:20150830T123600Z",
          "",
          "content-type;host;x-amz-date",
          "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
        ].join("\n")
      )
    })
  )

  describe("says which part is wrong", () => {
    it.effect("Signature: a signed header changed after signing", () =>
      Effect.gen(function* () {
        const request = { ...requestOf(form), headers: { ...form.headers, "content-type": "text/plain" } }
        expectInvalid(yield* SigV4Verifier.verify(request, suiteOptions(form)), "Signature")
      })
    )

    it.effect("Signature: the body changed after signing", () =>
      Effect.gen(function* () {
        expectInvalid(
          yield* SigV4Verifier.verify({ ...requestOf(form), body: "Param1=value2" }, suiteOptions(form)),
          "Signature"
        )
      })
    )

    it.effect("Signature: the query changed after signing", () =>
      Effect.gen(function* () {
        const request = { ...requestOf(vanilla), url: "https://example.amazonaws.com/?a=1" }
        expectInvalid(yield* SigV4Verifier.verify(request, suiteOptions(vanilla)), "Signature")
      })
    )

    it.effect("Signature: another secret key", () =>
      Effect.gen(function* () {
        const options = { ...suiteOptions(vanilla), secretAccessKey: Redacted.make("another-secret") }
        expectInvalid(yield* SigV4Verifier.verify(requestOf(vanilla), options), "Signature")
      })
    )

    it.effect("AccessKeyId, Scope, Date and Authorization", () =>
      Effect.gen(function* () {
        expectInvalid(
          yield* SigV4Verifier.verify(requestOf(vanilla), { ...suiteOptions(vanilla), accessKeyId: "AKIDOTHER" }),
          "AccessKeyId"
        )
        expectInvalid(
          yield* SigV4Verifier.verify(requestOf(vanilla), { ...suiteOptions(vanilla), region: "eu-west-1" }),
          "Scope"
        )
        expectInvalid(
          yield* SigV4Verifier.verify(requestOf(vanilla), {
            ...suiteOptions(vanilla),
            now: new Date(SigV4TestSuite.time + 301_000)
          }),
          "Date"
        )
        const withinSkew = yield* SigV4Verifier.verify(requestOf(vanilla), {
          ...suiteOptions(vanilla),
          now: new Date(SigV4TestSuite.time + 299_000)
        })
        assert.strictEqual(withinSkew._tag, "Valid")
        const { authorization: _, ...unsigned } = vanilla.headers
        expectInvalid(
          yield* SigV4Verifier.verify({ ...requestOf(vanilla), headers: unsigned }, suiteOptions(vanilla)),
          "Authorization"
        )
        expectInvalid(
          yield* SigV4Verifier.verify(
            { ...requestOf(vanilla), headers: { ...vanilla.headers, authorization: "Bearer abc" } },
            suiteOptions(vanilla)
          ),
          "Authorization"
        )
      })
    )

    it.effect("SignedHeaders: an x-amz-* header that was not signed, or a signed header that is absent", () =>
      Effect.gen(function* () {
        expectInvalid(
          yield* SigV4Verifier.verify(
            { ...requestOf(vanilla), headers: { ...vanilla.headers, "x-amz-target": "Service.Action" } },
            suiteOptions(vanilla)
          ),
          "SignedHeaders"
        )
        const { "content-type": _, ...withoutContentType } = form.headers
        expectInvalid(
          yield* SigV4Verifier.verify({ ...requestOf(form), headers: withoutContentType }, suiteOptions(form)),
          "SignedHeaders"
        )
      })
    )

    it.effect("SecurityToken: missing, unexpected or another, never shown", () =>
      Effect.gen(function* () {
        // Removing a signed token is a SignedHeaders fault; an unsigned one (header-after) may be missing.
        const { "x-amz-security-token": _, ...withoutToken } = stsAfter.headers
        expectInvalid(
          yield* SigV4Verifier.verify({ ...requestOf(stsAfter), headers: withoutToken }, suiteOptions(stsAfter)),
          "SecurityToken"
        )
        expectInvalid(
          yield* SigV4Verifier.verify(requestOf(stsBefore), { ...suiteOptions(stsBefore), sessionToken: undefined }),
          "SecurityToken"
        )
        const verdict = yield* SigV4Verifier.verify(requestOf(stsBefore), {
          ...suiteOptions(stsBefore),
          sessionToken: Redacted.make("another-token")
        })
        expectInvalid(verdict, "SecurityToken")
        assert.notInclude(JSON.stringify(verdict), "another-token")
        assert.notInclude(JSON.stringify(verdict), Redacted.value(SigV4TestSuite.sessionToken))
      })
    )

    it.effect("SignedHeaders, not PayloadHash, for an x-amz-content-sha256 added after signing", () =>
      Effect.gen(function* () {
        const request = {
          ...requestOf(vanilla),
          headers: { ...vanilla.headers, "x-amz-content-sha256": "0".repeat(64) }
        }
        expectInvalid(yield* SigV4Verifier.verify(request, suiteOptions(vanilla)), "SignedHeaders")
      })
    )
  })

  it("builds canonical paths and queries as the spec says", () => {
    assert.strictEqual(SigV4Verifier.canonicalUri("//example//", "service"), "/example/")
    assert.strictEqual(SigV4Verifier.canonicalUri("/a%20b/%E1%88%B4", "service"), "/a%2520b/%25E1%2588%25B4")
    assert.strictEqual(SigV4Verifier.canonicalUri("/a%20b//c", "s3"), "/a%20b//c")
    assert.strictEqual(SigV4Verifier.canonicalQuery("b=2&A=1&a=%7E&a=!"), "A=1&a=%21&a=~&b=2")
    assert.strictEqual(SigV4Verifier.canonicalQuery("Param1"), "Param1=")
  })

  describe("agrees with AwsSigning on requests it signs", () => {
    const credentials = {
      accessKeyId: "ASIACROSSCHECK",
      secretAccessKey: Redacted.make("cross-check-secret"),
      sessionToken: Redacted.make("cross-check-token")
    }
    const requests: ReadonlyArray<readonly [string, HttpClientRequest.HttpClientRequest]> = [
      [
        "GET with an encoded path and a query",
        HttpClientRequest.get("https://api.example.com/prod/a b/ü?z=1&a=x y&a=%21&empty=")
      ],
      [
        "GET with reserved characters left as they are in the path (an identity id, parentheses)",
        HttpClientRequest.get("https://api.example.com/prod/ids/us-east-1:ab(c)!/x,y=z;w@v")
      ],
      [
        "POST with JSON and an x-amz-target",
        HttpClientRequest.post("https://dynamodb.eu-west-1.amazonaws.com/").pipe(
          HttpClientRequest.setHeader("x-amz-target", "DynamoDB_20120810.ListTables"),
          HttpClientRequest.bodyJsonUnsafe({ Limit: 1 })
        )
      ],
      [
        "PUT to S3 with bytes",
        HttpClientRequest.put("https://b.s3.amazonaws.com/k/v.txt").pipe(HttpClientRequest.bodyText("bytes"))
      ]
    ]
    for (const [name, request] of requests) {
      it.effect(name, () =>
        Effect.gen(function* () {
          yield* TestClock.setTime(Date.UTC(2026, 0, 2, 3, 4, 5))
          const seen: Array<SigV4Verifier.Request> = []
          const capture = HttpClient.make((sent, url) => {
            seen.push({
              method: sent.method,
              url: url.href,
              headers: { ...sent.headers, host: url.host },
              body: sent.body._tag === "Uint8Array" ? sent.body.body : undefined
            })
            return Effect.succeed(HttpClientResponse.fromWeb(sent, new Response("ok")))
          })
          const service = request.url.includes(".s3.")
            ? "s3"
            : request.url.includes("dynamodb")
              ? "dynamodb"
              : "execute-api"
          yield* AwsSigning.signed(capture, {
            credentials: Effect.succeed(credentials),
            renew: Effect.die("not renewed"),
            service,
            region: "eu-west-1"
          }).execute(request)
          const [received] = seen
          assert.isDefined(received)
          if (received === undefined) return
          const options = { ...credentials, region: "eu-west-1", service, now: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) }
          const verdict = yield* SigV4Verifier.verify(received, options)
          assert.strictEqual(verdict._tag, "Valid", JSON.stringify(verdict))
          expectInvalid(yield* SigV4Verifier.verify({ ...received, method: "DELETE" }, options), "Signature")
          // S3 signs x-amz-content-sha256: another body is a PayloadHash fault there, a Signature fault elsewhere.
          expectInvalid(
            yield* SigV4Verifier.verify({ ...received, body: "other" }, options),
            service === "s3" ? "PayloadHash" : "Signature"
          )
        })
      )
    }
  })
})
