/**
 * Signed requests over real loopback HTTP: core's `AwsSigning` (its own SigV4 over Web Crypto) through
 * undici, and an AWS SDK v3 client fed by `AwsCredentials.toSdkProvider`, both checked
 * by test-kit's independent `SigV4Verifier` in a loopback server.
 */
import { request } from "node:http"
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts"
import * as AwsCredentials from "@effect-cognito/core/AwsCredentials"
import * as AwsSigning from "@effect-cognito/core/AwsSigning"
import * as SigV4TestSuite from "@effect-cognito/test-kit/SigV4TestSuite"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/testing/TestClock"
import * as SigV4Server from "./SigV4Server.js"

const credentials: AwsCredentials.AwsCredentials = {
  accessKeyId: "ASIALOOPBACK",
  secretAccessKey: Redacted.make("loopback-secret-key"),
  sessionToken: Redacted.make("loopback-session-token"),
  expiration: new Date(Date.UTC(2026, 0, 1)),
  identityId: "eu-west-1:11111111-2222-3333-4444-555555555555"
}
const serverOptions = {
  accessKeyId: credentials.accessKeyId,
  secretAccessKey: credentials.secretAccessKey,
  sessionToken: credentials.sessionToken,
  region: "eu-west-1"
}
const now = Date.UTC(2026, 4, 6, 7, 8, 9)

/** Sends a request with exactly these headers (Host included); resolves with the status. */
const send = (url: string, method: string, headers: Readonly<Record<string, string>>, body: string) =>
  new Promise<number>((resolve, reject) => {
    const outgoing = request(url, { method, headers }, (incoming) => {
      incoming.resume()
      incoming.on("end", () => resolve(incoming.statusCode ?? 0))
    })
    outgoing.on("error", reject)
    outgoing.end(body)
  })

const valid = (server: SigV4Server.SigV4Server) => server.verdicts.map((verdict) => verdict._tag)

describe("SigV4 over loopback HTTP", () => {
  it.effect("the verifying server accepts the published suite's requests replayed to it", () =>
    Effect.gen(function* () {
      for (const testCase of SigV4TestSuite.cases) {
        const server = yield* SigV4Server.make({
          accessKeyId: SigV4TestSuite.accessKeyId,
          secretAccessKey: SigV4TestSuite.secretAccessKey,
          sessionToken: testCase.withSessionToken ? SigV4TestSuite.sessionToken : undefined,
          region: SigV4TestSuite.region,
          service: SigV4TestSuite.service
        })
        // The suite signed for host example.amazonaws.com; the server sees that host header.
        const target = new URL(testCase.url)
        // node:http, not fetch: fetch may not set the Host header the suite signed.
        const status = yield* Effect.promise(() =>
          send(`${server.url}${target.pathname}${target.search}`, testCase.method, testCase.headers, testCase.body)
        )
        assert.strictEqual(status, 200, testCase.name)
        assert.deepStrictEqual(valid(server), ["Valid"], testCase.name)
      }
    })
  )

  it.effect("AwsSigning.signed requests pass, with query, JSON and stream bodies", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(now)
      const server = yield* SigV4Server.make({ ...serverOptions, service: "execute-api", now: new Date(now) })
      const client = AwsSigning.signed(yield* HttpClient.HttpClient, {
        credentials: Effect.succeed(credentials),
        renew: Effect.die("not renewed"),
        service: "execute-api",
        region: "eu-west-1"
      })
      const requests = [
        HttpClientRequest.get(`${server.url}/prod/items/a b?z=1&a=2&a=1&q=ü`),
        HttpClientRequest.post(`${server.url}/prod/items`).pipe(HttpClientRequest.bodyJsonUnsafe({ name: "ü", n: 1 })),
        HttpClientRequest.put(`${server.url}/prod/blob`).pipe(
          HttpClientRequest.bodyStream(
            Stream.make(new TextEncoder().encode("part 1, "), new TextEncoder().encode("part 2"))
          )
        )
      ]
      for (const request of requests) {
        const response = yield* client.execute(request)
        assert.strictEqual(response.status, 200)
        assert.strictEqual(yield* response.text, "signed")
      }
      assert.deepStrictEqual(valid(server), ["Valid", "Valid", "Valid"])
      assert.strictEqual(new TextDecoder().decode(server.requests[2]?.body as Uint8Array), "part 1, part 2")
    }).pipe(Effect.provide(NodeHttpClient.layerUndici))
  )

  it.effect("a request signed with another secret gets the server's 403, without a renewal", () =>
    Effect.gen(function* () {
      const server = yield* SigV4Server.make({ ...serverOptions, service: "execute-api" })
      let renewals = 0
      const client = AwsSigning.signed(yield* HttpClient.HttpClient, {
        credentials: Effect.succeed({ ...credentials, secretAccessKey: Redacted.make("wrong") }),
        renew: Effect.sync(() => {
          renewals++
          return credentials
        }),
        service: "execute-api",
        region: "eu-west-1"
      })
      const response = yield* client.get(`${server.url}/prod`)
      assert.strictEqual(response.status, 403)
      assert.strictEqual(renewals, 0)
      const [verdict] = server.verdicts
      assert.strictEqual(verdict?._tag === "Invalid" ? verdict.part : undefined, "Signature")
    }).pipe(Effect.provide(NodeHttpClient.layerUndici))
  )

  it.effect("rotated credentials: the old key gets ExpiredTokenException, the client renews once and passes", () =>
    Effect.gen(function* () {
      const server = yield* SigV4Server.make({ ...serverOptions, service: "appsync" }, undefined, (verdict) =>
        verdict.part === "AccessKeyId" ? { status: 403, code: "ExpiredTokenException" } : SigV4Server.defaultRejection()
      )
      let renewals = 0
      const client = AwsSigning.signed(yield* HttpClient.HttpClient, {
        credentials: Effect.succeed({ ...credentials, accessKeyId: "ASIAOLD" }),
        renew: Effect.sync(() => {
          renewals++
          return credentials
        }),
        service: "appsync",
        region: "eu-west-1"
      })
      const response = yield* client.execute(
        HttpClientRequest.post(`${server.url}/graphql`).pipe(HttpClientRequest.bodyJsonUnsafe({ query: "{ me }" }))
      )
      assert.strictEqual(response.status, 200)
      assert.strictEqual(renewals, 1)
      assert.deepStrictEqual(valid(server), ["Invalid", "Valid"])
    }).pipe(Effect.provide(NodeHttpClient.layerUndici))
  )

  describe("AWS SDK v3 with AwsCredentials.toSdkProvider", () => {
    const callerIdentity = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:sts::123456789012:assumed-role/Cognito_Auth_Role/CognitoIdentityCredentials</Arn>
    <UserId>AROAEXAMPLE:CognitoIdentityCredentials</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>c2e5ee3c-0000-4000-8000-000000000000</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`

    const stsServer = SigV4Server.make({ ...serverOptions, service: "sts" }, () => ({
      status: 200,
      contentType: "text/xml",
      body: callerIdentity
    }))

    const stsClient = (url: string, source: AwsCredentials.AwsCredentials) =>
      Effect.gen(function* () {
        const context = yield* Effect.context<never>()
        return yield* Effect.acquireRelease(
          Effect.sync(
            () =>
              new STSClient({
                region: "eu-west-1",
                endpoint: url,
                maxAttempts: 1,
                credentials: AwsCredentials.toSdkProvider(context, Effect.succeed(source))
              })
          ),
          (client) => Effect.sync(() => client.destroy())
        )
      })

    it.effect("an STS client signs with our credentials and the verifier accepts its signature", () =>
      Effect.gen(function* () {
        const server = yield* stsServer
        const sts = yield* stsClient(server.url, credentials)
        const identity = yield* Effect.promise(() => sts.send(new GetCallerIdentityCommand({})))
        assert.strictEqual(identity.Account, "123456789012")
        assert.deepStrictEqual(valid(server), ["Valid"])
        const [request] = server.requests
        assert.strictEqual(request?.headers["x-amz-security-token"], "loopback-session-token")
        assert.match(
          String(request?.headers.authorization),
          /Credential=ASIALOOPBACK\/\d{8}\/eu-west-1\/sts\/aws4_request/
        )
        assert.match(String(request?.headers.authorization), /SignedHeaders=[^,]*x-amz-security-token/)
      })
    )

    it.effect("the same client with another secret is refused by the verifier", () =>
      Effect.gen(function* () {
        const server = yield* stsServer
        const sts = yield* stsClient(server.url, { ...credentials, secretAccessKey: Redacted.make("not-the-secret") })
        const outcome = yield* Effect.result(Effect.tryPromise(() => sts.send(new GetCallerIdentityCommand({}))))
        assert.strictEqual(outcome._tag, "Failure")
        const [verdict] = server.verdicts
        assert.strictEqual(verdict?._tag === "Invalid" ? verdict.part : undefined, "Signature")
      })
    )
  })
})
