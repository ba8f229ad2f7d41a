/**
 * The pending value of an authorization through the Cognito domain: its Schema and JSON
 * form. It lives here, not in `OAuth.ts`, so the OAuth internals can build it without a
 * runtime import of the public module; `OAuth.ts` re-exports it.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as AuthError from "../AuthError.js"
import { describeProblem } from "../TokenStore.js"
import * as SchemaIssues from "./schemaIssues.js"

/**
 * The round trip's secrets and parameters, kept by the app between `authorizationUrl` and
 * `completeAuthorization`. A Schema, so it can be encoded to JSON and kept in session
 * storage or an encrypted cookie. **The encoded form holds the PKCE verifier in clear**:
 * keep it private (a same-site, HTTP-only, encrypted cookie; never a URL or a log) and
 * drop it once used. In memory the verifier is `Redacted`.
 *
 * @since 0.1.0
 */
export class PendingAuthorization extends Schema.Class<PendingAuthorization>(
  "@effect-cognito/core/OAuth/PendingAuthorization"
)({
  /** The app client the authorization was started for; only it completes it. */
  clientId: Schema.String,
  /** The `state` sent to the authorize endpoint; the callback must carry the same. */
  state: Schema.String,
  /** The PKCE code verifier (43 characters of base64url); its S256 hash was sent. */
  codeVerifier: Schema.RedactedFromValue(Schema.String),
  /** The `nonce` sent; the id token must carry the same. */
  nonce: Schema.String,
  /** The `redirect_uri` sent; the code exchange repeats it. */
  redirectUri: Schema.String,
  /** What the app asked to get back after the round trip (e.g. the page to return to). */
  customState: Schema.optional(Schema.String),
  /** When the authorization was started, in milliseconds since 1970, by `Clock`. */
  createdAt: Schema.Number
}) {}

/** The current format of `toJson`. */
export const version = 1

const Stored = Schema.fromJsonString(
  Schema.Struct({ version: Schema.Literal(version), pendingAuthorization: PendingAuthorization })
)

const decodeStored = SchemaIssues.jsonTextDecoder(Stored)

export const toJson = (pending: PendingAuthorization): Effect.Effect<string, AuthError.AuthError> =>
  Schema.encodeEffect(Stored)({ version, pendingAuthorization: pending }).pipe(
    Effect.mapError((error) =>
      AuthError.make("InvalidInput", "OAuth.toJson", `not a valid pending authorization: ${describeProblem(error)}`)
    )
  )

export const fromJson = (text: string): Effect.Effect<PendingAuthorization, AuthError.AuthError> =>
  Effect.suspend(() => {
    const decoded = decodeStored(text)
    return Result.isSuccess(decoded)
      ? Effect.succeed(decoded.success.pendingAuthorization)
      : Effect.fail(
          AuthError.make(
            "InvalidInput",
            "OAuth.fromJson",
            `not a pending authorization (${decoded.failure}); start the sign-in again`
          )
        )
  })
