/**
 * The `m2m-token` command: an access token of an app client with a secret, from the
 * `client_credentials` grant at the Cognito domain's token endpoint (`ClientCredentials`),
 * for calls between services. It prints the token's claims, and the token itself only
 * when asked (`--print-token`), so a terminal's scrollback does not keep it by default.
 *
 * @internal
 */
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as ClientCredentials from "@effect-cognito/core/ClientCredentials"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { CliError } from "./error.js"
import * as Io from "./io.js"
import { booleanFlag, claimsOf, configProvider, connection } from "./shared.js"

/** The `m2m-token` command. */
export const m2mToken = Command.make(
  "m2m-token",
  {
    scope: Flag.String("scope").pipe(
      Flag.atLeast(1),
      Flag.optional,
      Flag.withMetavar("scope"),
      Flag.withDescription(
        "A scope to ask for, e.g. orders/read (repeat for more; default COGNITO_SCOPES, else every scope the app client allows)"
      )
    ),
    printToken: booleanFlag("print-token", "Print the access token itself (for a script), instead of its claims")
  },
  (c) =>
    Effect.gen(function* () {
      const io = yield* Io.make
      const provider = yield* configProvider(yield* connection)
      const options = yield* Effect.mapError(
        ClientCredentials.config.parse(provider),
        (e) => new CliError({ message: `m2m-token: ${AuthConfig.describeConfigError(e)}` })
      )
      const m2m = yield* ClientCredentials.make({
        ...options,
        scopes: Option.getOrElse(c.scope, () => options.scopes)
      })
      const token = yield* io.spin("Requesting a token", m2m.token())
      if (c.printToken) return yield* io.out(Redacted.value(token.accessToken))
      yield* io.out(
        JSON.stringify(
          {
            tokenType: token.tokenType,
            expiresAt: token.expiresAt.toISOString(),
            scopes: token.scopes,
            claims: claimsOf(token.accessToken)
          },
          null,
          2
        )
      )
    }).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici))
).pipe(
  Command.withDescription(
    "An access token for machine-to-machine calls (client_credentials at COGNITO_DOMAIN, for the app client COGNITO_CLIENT_ID with its secret from COGNITO_CLIENT_SECRET); prints its claims, or the token with --print-token"
  ),
  Command.withShortDescription("Get a machine-to-machine access token (client_credentials)")
)
