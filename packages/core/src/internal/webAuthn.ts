/**
 * The passkey ceremonies as `Auth` runs them: the `WebAuthn` service is optional (absent,
 * a passkey step fails with `WebAuthnUnavailable`), the options Cognito sends are decoded
 * before an authenticator sees them, and what it answers goes back as JSON.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as AuthError from "../AuthError.js"
import * as WebAuthn from "../WebAuthn.js"
import * as Encoding from "./encoding.js"
import * as SchemaIssues from "./schemaIssues.js"

/** The service, when one was provided. */
export type Authenticator = Option.Option<WebAuthn.WebAuthn.Service>

const unavailable = (method: string) =>
  AuthError.make(
    "WebAuthnUnavailable",
    method,
    "no WebAuthn authenticator is available here (provide a WebAuthn layer, e.g. BrowserAuth's)"
  )

/** The authenticator, or `WebAuthnUnavailable`. */
export const require = (
  authenticator: Authenticator,
  method: string
): Effect.Effect<WebAuthn.WebAuthn.Service, AuthError.AuthError> =>
  Option.isSome(authenticator) ? Effect.succeed(authenticator.value) : Effect.fail(unavailable(method))

const decodeRequestOptions = Schema.decodeUnknownExit(WebAuthn.CredentialRequestOptionsJson)

/** `CREDENTIAL_REQUEST_OPTIONS` (JSON text) as options, or what is wrong with it (never its content). */
export const requestOptions = (text: string): Result.Result<WebAuthn.CredentialRequestOptionsJson, string> => {
  const json = Encoding.decodeJson(text)
  if (Result.isFailure(json))
    return Result.fail(`CREDENTIAL_REQUEST_OPTIONS ${Encoding.describeJsonProblem(json.failure)}`)
  const decoded = decodeRequestOptions(json.success)
  if (Exit.isSuccess(decoded)) return Result.succeed(decoded.value)
  const why = Option.match(Exit.findErrorOption(decoded), { onNone: () => "unreadable", onSome: SchemaIssues.describe })
  return Result.fail(`CREDENTIAL_REQUEST_OPTIONS is not request options (${why})`)
}

/**
 * Signs the `WEB_AUTHN` challenge's options with a passkey: the `CREDENTIAL` to answer with
 * (`AuthenticationResponseJSON` as JSON text).
 */
export const assert = (authenticator: Authenticator, text: string, method: string) =>
  Effect.gen(function* () {
    const service = yield* require(authenticator, method)
    const options = requestOptions(text)
    if (Result.isFailure(options)) return yield* Effect.fail(AuthError.make("InvalidResponse", method, options.failure))
    const credential = yield* service.get(options.success)
    return Redacted.make(JSON.stringify(credential))
  })
