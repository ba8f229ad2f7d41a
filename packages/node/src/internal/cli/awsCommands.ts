/**
 * The AWS commands: the session's AWS credentials, and a request signed with them.
 *
 * @internal
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { CliError } from "./error.js"
import { connection, optionalText, withAuth } from "./shared.js"

/** The `credentials` command. */
export const credentials = Command.make(
  "credentials",
  {
    ...connection,
    format: Options.choice("format", ["env", "json", "credential-process"]).pipe(
      Options.withDefault("env" as const),
      Options.withDescription(
        "env (export lines for a shell), json, or credential-process (the AWS CLI's credential_process output)"
      )
    )
  },
  (c) =>
    withAuth(c, (auth, io) =>
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
  )
)

/** The `fetch` command. */
export const fetchCommand = Command.make(
  "fetch",
  {
    ...connection,
    url: Args.text({ name: "url" }).pipe(Args.withDescription("The URL to request")),
    service: Options.text("service").pipe(
      Options.withDescription("The SigV4 signing name of the service, e.g. execute-api, appsync, s3")
    ),
    method: Options.choice("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]).pipe(
      Options.withDefault("GET" as const),
      Options.withDescription("The HTTP method")
    ),
    data: optionalText("data", "The request body"),
    header: Options.keyValueMap("header").pipe(
      Options.optional,
      Options.withDescription("A request header, name=value (repeat for more)")
    ),
    signingRegion: optionalText("signing-region", "The region of the endpoint (default: the user pool's)")
  },
  (c) =>
    withAuth(c, (auth, io, config) =>
      Effect.gen(function* () {
        const url = yield* Effect.try({
          try: () => new URL(c.url),
          catch: () => new CliError({ message: `fetch: expected an absolute URL, found ${JSON.stringify(c.url)}` })
        })
        const client = (yield* HttpClient.HttpClient).pipe(
          auth.signedHttpClient({ service: c.service, region: Option.getOrElse(c.signingRegion, () => config.region) })
        )
        let request = HttpClientRequest.make(c.method)(url)
        if (Option.isSome(c.header))
          for (const [name, value] of HashMap.toEntries(c.header.value))
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
        Effect.catchTags({
          RequestError: (e) => Effect.fail(new CliError({ message: `fetch: the request failed (${e.reason})` })),
          ResponseError: (e) => Effect.fail(new CliError({ message: `fetch: the response failed (${e.reason})` }))
        })
      )
    )
).pipe(Command.withDescription("A request signed with SigV4 and the session's AWS credentials, like awscurl"))
