/**
 * The AWS commands: the session's AWS credentials, and a request signed with them.
 *
 * @internal
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { CliError } from "./error.js"
import { optionalText, withAuth } from "./shared.js"

/** The `credentials` command. */
export const credentials = Command.make(
  "credentials",
  {
    format: Flag.Literals("format", ["env", "json", "credential-process"]).pipe(
      Flag.withDefault("env" as const),
      Flag.withMetavar("format"),
      Flag.withDescription(
        "env (export lines for a shell), json, or credential-process (the AWS CLI's credential_process output)"
      )
    )
  },
  (c) =>
    withAuth((auth, io) =>
      Effect.gen(function* () {
        const k = yield* io.spin("Getting AWS credentials", auth.getAWSCredentials())
        const secretAccessKey = Redacted.value(k.secretAccessKey)
        const sessionToken = Redacted.value(k.sessionToken)
        const expiration = k.expiration.toISOString()
        switch (c.format) {
          case "credential-process":
            return yield* io.out(
              JSON.stringify({
                Version: 1,
                AccessKeyId: k.accessKeyId,
                SecretAccessKey: secretAccessKey,
                SessionToken: sessionToken,
                Expiration: expiration
              })
            )
          case "json":
            return yield* io.out(
              JSON.stringify(
                { accessKeyId: k.accessKeyId, secretAccessKey, sessionToken, expiration, identityId: k.identityId },
                null,
                2
              )
            )
          case "env":
            return yield* io.out(
              [
                `export AWS_ACCESS_KEY_ID=${k.accessKeyId}`,
                `export AWS_SECRET_ACCESS_KEY=${secretAccessKey}`,
                `export AWS_SESSION_TOKEN=${sessionToken}`,
                `export AWS_CREDENTIAL_EXPIRATION=${expiration}`
              ].join("\n")
            )
        }
      })
    )
).pipe(
  Command.withDescription(
    "The identity pool's AWS credentials for the session (a guest's when signed out and the pool allows guests)"
  ),
  Command.withShortDescription("Print the identity pool's AWS credentials for the session")
)

/** The `fetch` command. */
export const fetchCommand = Command.make(
  "fetch",
  {
    url: Argument.String("url").pipe(Argument.withDescription("The URL to request")),
    service: Flag.String("service").pipe(
      Flag.withMetavar("name"),
      Flag.withDescription("The SigV4 signing name of the service, e.g. execute-api, appsync, s3")
    ),
    method: Flag.Literals("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]).pipe(
      Flag.withDefault("GET" as const),
      Flag.withMetavar("method"),
      Flag.withDescription("The HTTP method")
    ),
    data: optionalText("data", "The request body").pipe(Flag.withMetavar("body")),
    header: Flag.KeyValuePair("header").pipe(
      Flag.optional,
      Flag.withDescription("A request header, name=value (repeat for more)")
    ),
    signingRegion: optionalText("signing-region", "The region of the endpoint (default: the user pool's)").pipe(
      Flag.withMetavar("region")
    )
  },
  (c) =>
    withAuth((auth, io, config) =>
      Effect.gen(function* () {
        const url = yield* Effect.try({
          try: () => new URL(c.url),
          catch: () =>
            new CliError({ message: `fetch: expected an absolute URL, found ${JSON.stringify(c.url)}`, usage: true })
        })
        const client = (yield* HttpClient.HttpClient).pipe(
          auth.signedHttpClient({ service: c.service, region: Option.getOrElse(c.signingRegion, () => config.region) })
        )
        let request = HttpClientRequest.make(c.method)(url)
        if (Option.isSome(c.header))
          for (const [name, value] of Object.entries(c.header.value))
            request = HttpClientRequest.setHeader(request, name, value)
        if (Option.isSome(c.data)) request = HttpClientRequest.bodyText(request, c.data.value)
        const response = yield* io.spin(`${c.method} ${url.host}`, client.execute(request))
        const body = yield* response.text
        yield* io.out(body)
        if (response.status >= 400)
          return yield* new CliError({
            message: `fetch: HTTP ${response.status}${response.headers["x-amzn-errortype"] === undefined ? "" : ` ${response.headers["x-amzn-errortype"]}`}`
          })
      }).pipe(
        Effect.scoped,
        Effect.provide(NodeHttpClient.layerUndici),
        Effect.catchTag("HttpClientError", (e) => {
          const reason = e.reason._tag.replace(/Error$/, "")
          const side =
            e.reason._tag === "TransportError" || e.reason._tag === "EncodeError" || e.reason._tag === "InvalidUrlError"
              ? "request"
              : "response"
          return Effect.fail(new CliError({ message: `fetch: the ${side} failed (${reason})` }))
        })
      )
    )
).pipe(
  Command.withDescription("A request signed with SigV4 and the session's AWS credentials, like awscurl"),
  Command.withShortDescription("Send a request signed with the session's AWS credentials (SigV4)")
)
