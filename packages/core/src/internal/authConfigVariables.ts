/**
 * `AuthConfig.config`: the `COGNITO_*` variables read through Effect `Config`, each
 * checked as it is read, and `describeConfigError`, one line naming every variable
 * that is missing or malformed.
 *
 * @internal
 */
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import type * as AuthConfig from "../AuthConfig.js"
import * as rules from "./authConfigCheck.js"

/**
 * A variable checked as it is read: a malformed value fails with a `ConfigError` at the
 * variable's path (nested prefixes included) whose message is what `check` says.
 */
const checked = <T>(name: string, schema: Schema.Codec<T, unknown>, check: (value: T) => string | undefined) =>
  Config.schema(schema.check(Schema.makeFilter((value: T) => check(value))), name)

const patterned = (name: string, pattern: RegExp, expected: string) =>
  checked(name, Schema.String, (value) =>
    pattern.test(value) ? undefined : `${name}: expected ${expected}, found ${rules.show(value)}`
  )

const endpointVariable = (name: string) =>
  checked(name, Schema.String, (value) => {
    const problem = rules.endpointProblem(value)
    return problem === undefined ? undefined : `${name}: expected ${problem.expected}, found ${problem.found}`
  })

const orUndefined = <A>(option: Option.Option<A>): A | undefined => (option._tag === "Some" ? option.value : undefined)

/** A failure that names a variable, for the cross-variable checks (the message names it too). */
const invalidAt = (name: string, message: string) =>
  new Config.ConfigError(
    new Schema.SchemaError(new SchemaIssue.Pointer([name], new SchemaIssue.InvalidValue({ message })))
  )

/**
 * A variable read without failing, its problem kept as a value, so every variable is read
 * and every problem reported at once (Effect 4's `Config.all` stops at the first). A
 * missing required variable becomes a `MissingKey` issue at its full path; a malformed one
 * keeps its own error.
 */
type Settled<A> = Config.Config<Result.Result<A, Config.ConfigError>>

const settle = <A>(config: Config.Config<A>): Settled<A> =>
  config.pipe(
    Config.map((value) => Result.succeed<A>(value)),
    Config.orElse((error) => Config.succeed(Result.fail(error)))
  )

const missing = (error: Config.ConfigError): Config.ConfigError => {
  const cause = error.cause
  if (!Schema.isSchemaError(cause) || cause.issue._tag !== "Pointer") return error
  return new Config.ConfigError(
    new Schema.SchemaError(new SchemaIssue.Pointer(cause.issue.path, new SchemaIssue.MissingKey(undefined)))
  )
}

/** A required variable: absent, it reads again to learn its full path (a nested prefix included). */
const required = <A>(config: Config.Config<A>): Settled<A> =>
  Config.option(config).pipe(
    Config.flatMap(
      Option.match({
        onSome: (value) => Config.succeed(Result.succeed<A>(value)),
        onNone: () => settle(config).pipe(Config.map(Result.mapError(missing)))
      })
    ),
    Config.orElse((error) => Config.succeed(Result.fail(error)))
  )

const optional = <A>(config: Config.Config<A>): Settled<Option.Option<A>> => settle(Config.option(config))

/** Every failure of the settled variables as one `ConfigError` (source failures first: nothing else is known then). */
const combine = (failures: ReadonlyArray<Config.ConfigError>): Config.ConfigError => {
  const issues: Array<SchemaIssue.Issue> = []
  for (const failure of failures) {
    if (!Schema.isSchemaError(failure.cause)) return failure
    issues.push(failure.cause.issue)
  }
  const [first, ...rest] = issues
  if (first === undefined) return failures[0]!
  return rest.length === 0
    ? failures[0]!
    : new Config.ConfigError(new Schema.SchemaError(new SchemaIssue.Composite(Schema.Unknown.ast, [first, ...rest])))
}

/** The `COGNITO_*` variables (documented on `AuthConfig.config`), in a pure-annotated thunk so a bundle that never reads them leaves `effect/Config` out. */
export const config: Config.Config<AuthConfig.Input> = /* @__PURE__ */ (() =>
  Config.all({
    region: optional(patterned("COGNITO_REGION", rules.regionPattern, "an AWS region like eu-west-1")),
    userPoolId: required(
      checked("COGNITO_USER_POOL_ID", Schema.String, (value) =>
        rules.userPoolIdPattern.test(value) || rules.localUserPoolIdPattern.test(value)
          ? undefined
          : `COGNITO_USER_POOL_ID: expected <region>_<id>, like eu-west-1_AbCdEf123, found ${rules.show(value)}`
      )
    ),
    clientId: required(patterned("COGNITO_CLIENT_ID", rules.clientIdPattern, "1 to 128 letters, digits, _ or +")),
    clientSecret: optional(
      checked("COGNITO_CLIENT_SECRET", Schema.Redacted(Schema.String), (secret) =>
        Redacted.value(secret) === "" ? "COGNITO_CLIENT_SECRET: expected a secret, found an empty string" : undefined
      )
    ),
    identityPoolId: optional(
      patterned("COGNITO_IDENTITY_POOL_ID", rules.identityPoolIdPattern, "<region>:<uuid>, like eu-west-1:<uuid>")
    ),
    identityProvider: optional(endpointVariable("COGNITO_ENDPOINT")),
    identityPool: optional(endpointVariable("COGNITO_IDENTITY_ENDPOINT")),
    domain: optional(endpointVariable("COGNITO_DOMAIN")),
    redirectSignIn: optional(Config.String("COGNITO_REDIRECT_URI")),
    redirectSignOut: optional(Config.String("COGNITO_LOGOUT_URI")),
    scopes: optional(Config.String("COGNITO_SCOPES")),
    authSessionValidity: optional(
      checked("COGNITO_AUTH_SESSION_VALIDITY", Schema.DurationFromString, (value) =>
        rules.authSessionValidityProblem(value) === undefined
          ? undefined
          : `COGNITO_AUTH_SESSION_VALIDITY: expected ${rules.authSessionValidityRange}, found ${Duration.format(value)}`
      )
    )
  }).pipe(
    Config.mapEffect((fields) => {
      const failures: Array<Config.ConfigError> = []
      const value = <A>(field: Result.Result<A, Config.ConfigError>): A | undefined => {
        if (field._tag === "Success") return field.success
        failures.push(field.failure)
        return undefined
      }
      const userPoolId = value(fields.userPoolId)
      const clientId = value(fields.clientId)
      const regionSet = orUndefined(value(fields.region) ?? Option.none())
      const clientSecret = orUndefined(value(fields.clientSecret) ?? Option.none())
      const identityPoolId = orUndefined(value(fields.identityPoolId) ?? Option.none())
      const identityProvider = orUndefined(value(fields.identityProvider) ?? Option.none())
      const identityPool = orUndefined(value(fields.identityPool) ?? Option.none())
      const authSessionValidity = orUndefined(value(fields.authSessionValidity) ?? Option.none())
      const domain = orUndefined(value(fields.domain) ?? Option.none())
      const redirectSignIn = orUndefined(value(fields.redirectSignIn) ?? Option.none())
      const redirectSignOut = orUndefined(value(fields.redirectSignOut) ?? Option.none())
      const scopes = orUndefined(value(fields.scopes) ?? Option.none())
      // The checks across variables, on the variables that were read: every problem is reported at once.
      const local = userPoolId !== undefined && rules.localUserPoolIdPattern.test(userPoolId)
      const poolRegion = userPoolId === undefined || local ? undefined : rules.userPoolIdPattern.exec(userPoolId)?.[1]
      const regionFailed = fields.region._tag === "Failure"
      if (local && regionSet === undefined && !regionFailed)
        failures.push(
          invalidAt(
            "COGNITO_REGION",
            "COGNITO_REGION: expected an AWS region like eu-west-1 (a local_ user pool id names none), found nothing"
          )
        )
      const endpointsRead = fields.identityProvider._tag === "Success" && fields.identityPool._tag === "Success"
      if (local && identityProvider === undefined && identityPool === undefined && endpointsRead)
        failures.push(
          invalidAt(
            "COGNITO_ENDPOINT",
            "COGNITO_ENDPOINT: expected the emulator's URL for a local_ user pool id, found nothing"
          )
        )
      if (poolRegion !== undefined && regionSet !== undefined && regionSet !== poolRegion)
        failures.push(
          invalidAt(
            "COGNITO_REGION",
            `COGNITO_REGION: expected the region of COGNITO_USER_POOL_ID (${poolRegion}), found ${rules.show(regionSet)}`
          )
        )
      const region = regionSet ?? poolRegion
      const identityRegion =
        identityPoolId === undefined ? undefined : rules.identityPoolIdPattern.exec(identityPoolId)?.[1]
      if (region !== undefined && !regionFailed && identityRegion !== undefined && identityRegion !== region)
        failures.push(
          invalidAt(
            "COGNITO_IDENTITY_POOL_ID",
            `COGNITO_IDENTITY_POOL_ID: expected a pool in region ${region}, found a pool in region ${identityRegion}`
          )
        )
      if (failures.length > 0 || userPoolId === undefined || clientId === undefined || region === undefined)
        return Effect.fail(combine(failures))
      return Effect.succeed<AuthConfig.Input>({
        region,
        userPoolId,
        clientId,
        clientSecret,
        identityPoolId,
        endpoints: { identityProvider, identityPool },
        authSessionValidity,
        ...(domain === undefined
          ? {}
          : {
              oauth: {
                domain,
                redirectSignIn,
                redirectSignOut,
                ...(scopes === undefined ? {} : { scopes: scopesFromText(scopes) })
              }
            })
      })
    })
  ))()

/** Scopes written in one variable, separated by spaces or commas. */
export const scopesFromText = (text: string): ReadonlyArray<string> => text.split(/[\s,]+/).filter((s) => s !== "")

/** Marks a missing key while formatting, so it reads "<path> is missing". */
const missingMark = "\u0000missing"

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1({
  leafHook: (issue) => (issue._tag === "MissingKey" ? missingMark : SchemaIssue.defaultLeafHook(issue))
})

/**
 * One line naming each variable that is missing or malformed, e.g.
 * `COGNITO_CLIENT_ID is missing; COGNITO_USER_POOL_ID: expected <region>_<id>, …, found "x"`.
 * The messages of {@link config} already name their variable; other `Config`s get the path.
 * A message never shows a value the schema did not put in it (inputs are not reported).
 */
export const describeConfigError = (error: Config.ConfigError): string => {
  const cause = error.cause
  if (!Schema.isSchemaError(cause)) return "the configuration source is unavailable"
  const problems = formatIssues(cause.issue).issues.map(({ message, path = [] }) => {
    const name = path.map(String).join(".")
    if (message === missingMark) return `${name} is missing`
    const last = path.at(-1)
    return last !== undefined && message.startsWith(`${String(last)}:`)
      ? message
      : name === ""
        ? message
        : `${name}: ${message}`
  })
  return [...new Set(problems)].join("; ")
}
