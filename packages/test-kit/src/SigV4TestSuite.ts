/**
 * Cases of the AWS Signature Version 4 test suite that AWS publishes
 * (aws-sig-v4-test-suite), as data: the example credentials, scope and time, and
 * for each case the signed request of its `.sreq` file.
 *
 * @since 0.1.0
 */
import * as Redacted from "effect/Redacted"

/** The suite's access key id. */
export const accessKeyId = "AKIDEXAMPLE"

/** The suite's secret access key. */
export const secretAccessKey: Redacted.Redacted<string> = Redacted.make("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

/** The session token of the `post-sts-token` cases. */
export const sessionToken: Redacted.Redacted<string> = Redacted.make(
  "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
)

/** The suite's region. */
export const region = "us-east-1"

/** The suite's service name. */
export const service = "service"

/** The signing time of every case, 2015-08-30T12:36:00Z, in epoch milliseconds. */
export const time = Date.UTC(2015, 7, 30, 12, 36, 0)

/** One case: the request as signed, with its `Authorization` header. */
export interface Case {
  readonly name: string
  readonly method: string
  readonly url: string
  /** Lower-case names; `authorization` included. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** Whether the case uses {@link sessionToken}. */
  readonly withSessionToken: boolean
  readonly signedHeaders: string
  readonly signature: string
}

const authorization = (signedHeaders: string, signature: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=${signedHeaders}, Signature=${signature}`

const make = (input: Omit<Case, "headers"> & { readonly headers?: Readonly<Record<string, string>> }): Case => ({
  ...input,
  headers: {
    host: "example.amazonaws.com",
    "x-amz-date": "20150830T123600Z",
    ...input.headers,
    ...(input.withSessionToken ? { "x-amz-security-token": Redacted.value(sessionToken) } : {}),
    authorization: authorization(input.signedHeaders, input.signature)
  }
})

/** The cases, by their names in the suite. */
export const cases: ReadonlyArray<Case> = [
  make({
    name: "get-vanilla",
    method: "GET",
    url: "https://example.amazonaws.com/",
    body: "",
    withSessionToken: false,
    signedHeaders: "host;x-amz-date",
    signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
  }),
  make({
    name: "get-vanilla-query-order-key-case",
    method: "GET",
    url: "https://example.amazonaws.com/?Param2=value2&Param1=value1",
    body: "",
    withSessionToken: false,
    signedHeaders: "host;x-amz-date",
    signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
  }),
  make({
    name: "get-vanilla-utf8-query",
    method: "GET",
    url: "https://example.amazonaws.com/?\u1234=bar",
    body: "",
    withSessionToken: false,
    signedHeaders: "host;x-amz-date",
    signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"
  }),
  make({
    name: "post-x-www-form-urlencoded",
    method: "POST",
    url: "https://example.amazonaws.com/",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "Param1=value1",
    withSessionToken: false,
    signedHeaders: "content-type;host;x-amz-date",
    signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
  }),
  make({
    name: "post-sts-header-after",
    method: "POST",
    url: "https://example.amazonaws.com/",
    body: "",
    withSessionToken: true,
    signedHeaders: "host;x-amz-date",
    signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
  }),
  make({
    name: "post-sts-header-before",
    method: "POST",
    url: "https://example.amazonaws.com/",
    body: "",
    withSessionToken: true,
    signedHeaders: "host;x-amz-date;x-amz-security-token",
    signature: "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"
  })
]
