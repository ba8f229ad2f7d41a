/**
 * `AuthConfig.config`: the `COGNITO_*` variables read through Effect `Config`, each
 * checked as it is read, and `describeConfigError`, one line naming every variable
 * that is missing or malformed.
 *
 * @internal
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import type * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as AuthConfig from "../AuthConfig.js"
import * as rules from "./authConfigCheck.js"

/** A variable checked as it is read: a malformed value fails with `InvalidData` at the variable's name. */
const checked = <A>(name: string, read: (name: string) => Config.Config<A>, check: (value: A) => string | undefined) =>
  read(name).pipe(
    Config.mapOrFail((value) => {
      const problem = check(value)
      return problem === undefined ? Either.right(value) : Either.left(ConfigError.InvalidData([], problem))
    })
  )

const patterned = (name: string, pattern: RegExp, expected: string) =>
  checked(name, Config.string, (value) =>
    pattern.test(value) ? undefined : `${name}: expected ${expected}, found ${rules.show(value)}`
  )

const endpointVariable = (name: string) =>
  checked(name, Config.string, (value) => {
    const problem = rules.endpointProblem(value)
    return problem === undefined ? undefined : `${name}: expected ${problem.expected}, found ${problem.found}`
  })

const orUndefined = <A>(option: Option.Option<A>): A | undefined => (option._tag === "Some" ? option.value : undefined)

/** The `COGNITO_*` variables (documented on `AuthConfig.config`), in a pure-annotated thunk so a bundle that never reads them leaves `effect/Config` out. */
export const config: Config.Config<AuthConfig.Input> = /* @__PURE__ */ (() =>
  Config.all({
    region: Config.option(patterned("COGNITO_REGION", rules.regionPattern, "an AWS region like eu-west-1")),
    userPoolId: patterned("COGNITO_USER_POOL_ID", rules.userPoolIdPattern, "<region>_<id>, like eu-west-1_AbCdEf123"),
    clientId: patterned("COGNITO_CLIENT_ID", rules.clientIdPattern, "1 to 128 letters, digits, _ or +"),
    clientSecret: Config.option(
      checked(
        "COGNITO_CLIENT_SECRET",
        (name) => Config.redacted(name),
        (secret) =>
          Redacted.value(secret) === "" ? "COGNITO_CLIENT_SECRET: expected a secret, found an empty string" : undefined
      )
    ),
    identityPoolId: Config.option(
      patterned("COGNITO_IDENTITY_POOL_ID", rules.identityPoolIdPattern, "<region>:<uuid>, like eu-west-1:<uuid>")
    ),
    identityProvider: Config.option(endpointVariable("COGNITO_ENDPOINT")),
    identityPool: Config.option(endpointVariable("COGNITO_IDENTITY_ENDPOINT")),
    authSessionValidity: Config.option(
      checked("COGNITO_AUTH_SESSION_VALIDITY", Config.duration, (value) =>
        rules.authSessionValidityProblem(value) === undefined
          ? undefined
          : `COGNITO_AUTH_SESSION_VALIDITY: expected ${rules.authSessionValidityRange}, found ${Duration.format(value)}`
      )
    )
  }).pipe(
    Config.mapOrFail((c) => {
      const poolRegion = rules.userPoolIdPattern.exec(c.userPoolId)![1]!
      const region = orUndefined(c.region) ?? poolRegion
      if (region !== poolRegion)
        return Either.left(
          ConfigError.InvalidData(
            ["COGNITO_REGION"],
            `COGNITO_REGION: expected the region of COGNITO_USER_POOL_ID (${poolRegion}), found ${rules.show(region)}`
          )
        )
      const identityPoolId = orUndefined(c.identityPoolId)
      const identityRegion =
        identityPoolId === undefined ? undefined : rules.identityPoolIdPattern.exec(identityPoolId)?.[1]
      if (identityRegion !== undefined && identityRegion !== region)
        return Either.left(
          ConfigError.InvalidData(
            ["COGNITO_IDENTITY_POOL_ID"],
            `COGNITO_IDENTITY_POOL_ID: expected a pool in region ${region}, found a pool in region ${identityRegion}`
          )
        )
      return Either.right<AuthConfig.Input>({
        region,
        userPoolId: c.userPoolId,
        clientId: c.clientId,
        clientSecret: orUndefined(c.clientSecret),
        identityPoolId,
        endpoints: { identityProvider: orUndefined(c.identityProvider), identityPool: orUndefined(c.identityPool) },
        authSessionValidity: orUndefined(c.authSessionValidity)
      })
    })
  ))()

/**
 * One line naming each variable that is missing or malformed, e.g.
 * `COGNITO_CLIENT_ID is missing; COGNITO_USER_POOL_ID: expected <region>_<id>, …, found "x"`.
 * The messages of {@link config} already name their variable; other `Config`s get the path.
 */
export const describeConfigError = (error: ConfigError.ConfigError): string => {
  const problems: Array<string> = []
  const walk = (e: ConfigError.ConfigError): void => {
    switch (e._op) {
      case "And":
      case "Or":
        walk(e.left)
        walk(e.right)
        return
      case "MissingData":
        problems.push(`${e.path.join(".")} is missing`)
        return
      case "InvalidData":
        problems.push(e.message.startsWith(`${e.path.at(-1) ?? ""}:`) ? e.message : `${e.path.join(".")}: ${e.message}`)
        return
      case "SourceUnavailable":
        problems.push(`${e.path.join(".")}: the configuration source is unavailable`)
        return
      case "Unsupported":
        problems.push(`${e.path.join(".")}: ${e.message}`)
        return
    }
  }
  walk(error)
  return [...new Set(problems)].join("; ")
}
