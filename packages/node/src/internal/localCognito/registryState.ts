/**
 * The local Cognito's registry state: the user pools (each a `TestCognito`), their app
 * clients, the identity pools and the identities they handed out, and the lookups and id
 * generation every action shares.
 *
 * @internal
 */
import { randomBytes } from "node:crypto"
import type * as IdentityPoolService from "@effect-cognito/core/IdentityPool"
import type * as TestCognito from "@effect-cognito/test-kit/TestCognito"
import type * as HttpClient from "effect/http/HttpClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { failure, optional } from "./wire.js"

/** A password policy as CreateUserPool takes it. */
const PasswordPolicy = Schema.Struct({
  MinimumLength: optional(Schema.Number),
  RequireUppercase: optional(Schema.Boolean),
  RequireLowercase: optional(Schema.Boolean),
  RequireNumbers: optional(Schema.Boolean),
  RequireSymbols: optional(Schema.Boolean),
  TemporaryPasswordValidityDays: optional(Schema.Number)
})

const SchemaAttribute = Schema.Struct({
  Name: Schema.String,
  AttributeDataType: optional(Schema.String),
  Required: optional(Schema.Boolean),
  Mutable: optional(Schema.Boolean),
  DeveloperOnlyAttribute: optional(Schema.Boolean)
})

/** CreateUserPool's request: a pool's settings. */
/** A first factor a pool can allow (`SignInPolicy.AllowedFirstAuthFactors`). */
export const FirstAuthFactor = Schema.Literals(["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"])

/** `Policies.SignInPolicy`: the first factors of choice-based sign-in (`USER_AUTH`). */
export const SignInPolicy = Schema.Struct({ AllowedFirstAuthFactors: optional(Schema.Array(FirstAuthFactor)) })

/** A pool's tier. */
export const UserPoolTier = Schema.Literals(["LITE", "ESSENTIALS", "PLUS"])

export const CreateUserPool = Schema.Struct({
  PoolName: Schema.String,
  Policies: optional(Schema.Struct({ PasswordPolicy: optional(PasswordPolicy), SignInPolicy: optional(SignInPolicy) })),
  /** Default `ESSENTIALS`, as Cognito's for a new pool. */
  UserPoolTier: optional(UserPoolTier),
  Schema: optional(Schema.Array(SchemaAttribute)),
  MfaConfiguration: optional(Schema.Literals(["OFF", "ON", "OPTIONAL"])),
  AutoVerifiedAttributes: optional(Schema.Array(Schema.String)),
  UsernameAttributes: optional(Schema.Array(Schema.String)),
  UserAttributeUpdateSettings: optional(
    Schema.Struct({
      AttributesRequireVerificationBeforeUpdate: optional(Schema.Array(Schema.Literals(["email", "phone_number"])))
    })
  ),
  /** Device tracking: a pool with it returns `NewDeviceMetadata` and lets remembered devices skip MFA. */
  DeviceConfiguration: optional(
    Schema.Struct({
      ChallengeRequiredOnNewDevice: optional(Schema.Boolean),
      DeviceOnlyRememberedOnUserPrompt: optional(Schema.Boolean)
    })
  )
})

/** An app client: its settings and the pool as this client sees it. */
export interface Client {
  readonly clientId: string
  readonly clientName: string
  readonly userPoolId: string
  readonly clientSecret: string | undefined
  /** UpdateUserPoolClient changes them. */
  explicitAuthFlows: ReadonlyArray<string>
  readonly validity: Validity
  readonly created: number
  /** The pool answering as this client (its id, secret and token lifetimes). */
  readonly cognito: TestCognito.TestCognito.Service
}

/** Token lifetimes as Cognito describes them: a number and its unit per token. */
export interface Validity {
  readonly AccessTokenValidity: number
  readonly IdTokenValidity: number
  readonly RefreshTokenValidity: number
  readonly TokenValidityUnits: {
    readonly AccessToken: TimeUnit
    readonly IdToken: TimeUnit
    readonly RefreshToken: TimeUnit
  }
}

/** A unit of token validity. */
export type TimeUnit = "seconds" | "minutes" | "hours" | "days"

/** A unit of token validity, as CreateUserPoolClient takes it. */
export const TimeUnit = Schema.Literals(["seconds", "minutes", "hours", "days"])

/** A user pool: its settings as created and the `TestCognito` that holds its users (its app clients share them). */
export interface Pool {
  readonly id: string
  readonly name: string
  readonly created: number
  /** As created, with UpdateUserPool's sign-in policy and tier on top. */
  settings: typeof CreateUserPool.Type
  readonly cognito: TestCognito.TestCognito.Service
  readonly clients: Map<string, Client>
  /** How many outbox messages were already reported. */
  reported: number
}

/** An identity pool: its configuration as Cognito describes it and the `IdentityPool` that answers for it, if any. */
export interface IdentityPool {
  readonly description: IdentityPoolDescription
  readonly service: IdentityPoolService.IdentityPool.Service | undefined
  /** The TestCognito identity pool behind it, when no other implementation was plugged in. */
  readonly testPool: TestCognito.TestCognito.Service | undefined
}

/** An identity pool's configuration, as `DescribeIdentityPool` returns it. */
export interface IdentityPoolDescription {
  readonly IdentityPoolId: string
  readonly IdentityPoolName: string
  readonly AllowUnauthenticatedIdentities: boolean
  readonly CognitoIdentityProviders: ReadonlyArray<{
    readonly ProviderName: string
    readonly ClientId: string
    readonly ServerSideTokenCheck: boolean
  }>
}

/** The alphabet of client ids and secrets. */
export const lowercase = "0123456789abcdefghijklmnopqrstuvwxyz"
/** The alphabet of user pool ids. */
export const alphanumeric = `${lowercase}ABCDEFGHIJKLMNOPQRSTUVWXYZ`

/** Random characters from an alphabet (ids only; not secrets). */
export const randomId = (length: number, alphabet: string) =>
  Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join("")

/** Seconds since the epoch, as Cognito's dates are. */
export const seconds = (millis: number) => millis / 1000

/** The maps every action reads and writes, and the seed of the next pool's keys. */
export interface State {
  readonly region: string
  readonly endpoint: string
  readonly pools: Map<string, Pool>
  readonly clients: Map<string, Client>
  readonly identityPools: Map<string, IdentityPool>
  /** The identity pool of each identity id handed out. */
  readonly identities: Map<string, string>
  /** How the pools' domains reach identity providers (the local OIDC provider). */
  readonly upstream: HttpClient.HttpClient | undefined
  seed: number
}

/** An empty registry state. */
export const make = (region: string, endpoint: string, upstream?: HttpClient.HttpClient): State => ({
  region,
  endpoint,
  upstream,
  pools: new Map(),
  clients: new Map(),
  identityPools: new Map(),
  identities: new Map(),
  seed: 0
})

/** The base URL of a pool's Cognito domain on the local server: `<endpoint>domain/<prefix>`. */
export const domainUrl = (endpoint: string, domain: string) => `${endpoint}domain/${domain}`

/** The pool of an action, or `ResourceNotFoundException`. */
export const findPool = (state: State, action: string, id: string) => {
  const pool = state.pools.get(id)
  return pool === undefined
    ? Effect.fail(failure(action, "ResourceNotFoundException", `User pool ${id} does not exist.`))
    : Effect.succeed(pool)
}

/** The identity pool of an action, or `ResourceNotFoundException`. */
export const findIdentityPool = (state: State, action: string, id: string) => {
  const pool = state.identityPools.get(id)
  return pool === undefined
    ? Effect.fail(failure(action, "ResourceNotFoundException", `IdentityPool '${id}' not found.`))
    : Effect.succeed(pool)
}
