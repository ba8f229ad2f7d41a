/**
 * The local Cognito's state: user pools (each a `TestCognito`), their app clients and
 * the identity pools, with the setup and admin actions that scripts and the AWS SDKs
 * drive pools with. Admin actions are accepted unsigned, as the local server runs on
 * loopback only.
 *
 * @internal
 */
import { randomBytes, randomUUID } from "node:crypto"
import type * as AuthError from "@effect-cognito/core/AuthError"
import type * as IdentityPoolService from "@effect-cognito/core/IdentityPool"
import * as TestCognito from "@effect-cognito/test-kit/TestCognito"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as LocalCognito from "../../LocalCognito.js"
import {
  AttributeList,
  attributeList,
  attributes,
  decode,
  failure,
  IdentityRequests,
  IdentityResponses,
  invalidParameter,
  optional
} from "./wire.js"

/** An app client: its settings and the pool as this client sees it. */
export interface Client {
  readonly clientId: string
  readonly clientName: string
  readonly userPoolId: string
  readonly clientSecret: string | undefined
  readonly explicitAuthFlows: ReadonlyArray<string>
  readonly validity: Validity
  readonly created: number
  /** The pool answering as this client (its id, secret and token lifetimes). */
  readonly cognito: TestCognito.TestCognito.Service
}

/** Token lifetimes as Cognito describes them: a number and its unit per token. */
interface Validity {
  readonly AccessTokenValidity: number
  readonly IdTokenValidity: number
  readonly RefreshTokenValidity: number
  readonly TokenValidityUnits: {
    readonly AccessToken: TimeUnit
    readonly IdToken: TimeUnit
    readonly RefreshToken: TimeUnit
  }
}

type TimeUnit = "seconds" | "minutes" | "hours" | "days"

/** A user pool: its settings as created and the `TestCognito` that holds its users (its app clients share them). */
export interface Pool {
  readonly id: string
  readonly name: string
  readonly created: number
  readonly settings: typeof CreateUserPool.Type
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

const PasswordPolicy = Schema.Struct({
  MinimumLength: optional(Schema.Number),
  RequireUppercase: optional(Schema.Boolean),
  RequireLowercase: optional(Schema.Boolean),
  RequireNumbers: optional(Schema.Boolean),
  RequireSymbols: optional(Schema.Boolean)
})

const SchemaAttribute = Schema.Struct({
  Name: Schema.String,
  AttributeDataType: optional(Schema.String),
  Required: optional(Schema.Boolean),
  Mutable: optional(Schema.Boolean),
  DeveloperOnlyAttribute: optional(Schema.Boolean)
})

const CreateUserPool = Schema.Struct({
  PoolName: Schema.String,
  Policies: optional(Schema.Struct({ PasswordPolicy: optional(PasswordPolicy) })),
  Schema: optional(Schema.Array(SchemaAttribute)),
  MfaConfiguration: optional(Schema.Literal("OFF", "ON", "OPTIONAL")),
  AutoVerifiedAttributes: optional(Schema.Array(Schema.String)),
  UsernameAttributes: optional(Schema.Array(Schema.String))
})

const UserPoolId = Schema.Struct({ UserPoolId: Schema.String })

const TimeUnit = Schema.Literal("seconds", "minutes", "hours", "days")

const CreateUserPoolClient = Schema.Struct({
  UserPoolId: Schema.String,
  ClientName: Schema.String,
  GenerateSecret: optional(Schema.Boolean),
  ExplicitAuthFlows: optional(Schema.Array(Schema.String)),
  AccessTokenValidity: optional(Schema.Number),
  IdTokenValidity: optional(Schema.Number),
  RefreshTokenValidity: optional(Schema.Number),
  TokenValidityUnits: optional(
    Schema.Struct({ AccessToken: optional(TimeUnit), IdToken: optional(TimeUnit), RefreshToken: optional(TimeUnit) })
  )
})

const ClientRef = Schema.Struct({ UserPoolId: Schema.String, ClientId: Schema.String })

const UserRef = Schema.Struct({ UserPoolId: Schema.String, Username: Schema.String })

const AdminCreateUser = Schema.Struct({
  UserPoolId: Schema.String,
  Username: Schema.String,
  TemporaryPassword: optional(Schema.Redacted(Schema.String)),
  UserAttributes: optional(AttributeList),
  MessageAction: optional(Schema.Literal("RESEND", "SUPPRESS")),
  DesiredDeliveryMediums: optional(Schema.Array(Schema.Literal("EMAIL", "SMS")))
})

const AdminSetUserPassword = Schema.Struct({
  UserPoolId: Schema.String,
  Username: Schema.String,
  Password: Schema.Redacted(Schema.String),
  Permanent: optional(Schema.Boolean)
})

const ListUsers = Schema.Struct({
  UserPoolId: Schema.String,
  AttributesToGet: optional(Schema.Array(Schema.String)),
  Limit: optional(Schema.Number),
  PaginationToken: optional(Schema.String),
  Filter: optional(Schema.String)
})

const MfaSettings = Schema.Struct({ Enabled: optional(Schema.Boolean), PreferredMfa: optional(Schema.Boolean) })

const AdminSetUserMFAPreference = Schema.Struct({
  UserPoolId: Schema.String,
  Username: Schema.String,
  SMSMfaSettings: optional(MfaSettings),
  SoftwareTokenMfaSettings: optional(MfaSettings),
  EmailMfaSettings: optional(MfaSettings)
})

const CreateIdentityPool = Schema.Struct({
  IdentityPoolName: Schema.String,
  AllowUnauthenticatedIdentities: Schema.Boolean,
  CognitoIdentityProviders: optional(
    Schema.Array(
      Schema.Struct({
        ProviderName: Schema.String,
        ClientId: Schema.String,
        ServerSideTokenCheck: optional(Schema.Boolean)
      })
    )
  )
})

const IdentityPoolRef = Schema.Struct({ IdentityPoolId: Schema.String })

const standardSchema = [
  "sub",
  "name",
  "given_name",
  "family_name",
  "middle_name",
  "nickname",
  "preferred_username",
  "profile",
  "picture",
  "website",
  "email",
  "email_verified",
  "gender",
  "birthdate",
  "zoneinfo",
  "locale",
  "phone_number",
  "phone_number_verified",
  "address",
  "updated_at"
]

const lowercase = "0123456789abcdefghijklmnopqrstuvwxyz"
const alphanumeric = `${lowercase}ABCDEFGHIJKLMNOPQRSTUVWXYZ`

/** Random characters from an alphabet (ids only; not secrets). */
const randomId = (length: number, alphabet: string) =>
  Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join("")

const seconds = (millis: number) => millis / 1000

const unitSeconds: Readonly<Record<TimeUnit, number>> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 }

/** `Filter` of ListUsers: `name = "value"` (exact) or `name ^= "value"` (prefix). */
const filterPattern = /^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/

/** The value ListUsers filters on for a name: the username, the status, or an attribute. */
const filterValue = (user: TestCognito.UserView, name: string): string | undefined =>
  name === "username"
    ? user.username
    : name === "cognito:user_status"
      ? user.status
      : name === "status"
        ? user.enabled
          ? "Enabled"
          : "Disabled"
        : user.attributes[name]

/** A registry of pools, clients and identity pools, with the actions that manage them. */
export const make = (region: string, endpoint: string, identityPoolFactory: LocalCognito.Options["identityPools"]) => {
  const pools = new Map<string, Pool>()
  const clients = new Map<string, Client>()
  const identityPools = new Map<string, IdentityPool>()
  /** The identity pool of each identity id handed out. */
  const identities = new Map<string, string>()
  let seed = 0

  const findPool = (action: string, id: string) => {
    const pool = pools.get(id)
    return pool === undefined
      ? Effect.fail(failure(action, "ResourceNotFoundException", `User pool ${id} does not exist.`))
      : Effect.succeed(pool)
  }

  const describePool = (pool: Pool) => {
    const policy = pool.settings.Policies?.PasswordPolicy
    const required = (pool.settings.Schema ?? []).filter((a) => a.Required === true).map((a) => a.Name)
    return {
      Id: pool.id,
      Name: pool.name,
      Arn: `arn:aws:cognito-idp:${region}:000000000000:userpool/${pool.id}`,
      CreationDate: seconds(pool.created),
      LastModifiedDate: seconds(pool.created),
      Policies: {
        PasswordPolicy: {
          MinimumLength: policy?.MinimumLength ?? 8,
          RequireUppercase: policy?.RequireUppercase ?? true,
          RequireLowercase: policy?.RequireLowercase ?? true,
          RequireNumbers: policy?.RequireNumbers ?? true,
          RequireSymbols: policy?.RequireSymbols ?? true
        }
      },
      MfaConfiguration: pool.settings.MfaConfiguration ?? "OFF",
      SchemaAttributes: [
        ...standardSchema.map((Name) => ({
          Name,
          AttributeDataType: Name.endsWith("_verified") ? "Boolean" : Name === "updated_at" ? "Number" : "String",
          Required: required.includes(Name),
          Mutable: Name !== "sub",
          DeveloperOnlyAttribute: false
        })),
        ...(pool.settings.Schema ?? [])
          .filter((a) => !standardSchema.includes(a.Name))
          .map((a) => ({
            Name: a.Name.startsWith("custom:") ? a.Name : `custom:${a.Name}`,
            AttributeDataType: a.AttributeDataType ?? "String",
            Required: false,
            Mutable: a.Mutable ?? true,
            DeveloperOnlyAttribute: a.DeveloperOnlyAttribute ?? false
          }))
      ],
      AutoVerifiedAttributes: pool.settings.AutoVerifiedAttributes ?? [],
      ...(pool.settings.UsernameAttributes === undefined
        ? {}
        : { UsernameAttributes: pool.settings.UsernameAttributes }),
      EstimatedNumberOfUsers: 0
    }
  }

  const describeClient = (client: Client) => ({
    UserPoolId: client.userPoolId,
    ClientName: client.clientName,
    ClientId: client.clientId,
    ...(client.clientSecret === undefined ? {} : { ClientSecret: client.clientSecret }),
    CreationDate: seconds(client.created),
    LastModifiedDate: seconds(client.created),
    ExplicitAuthFlows: client.explicitAuthFlows,
    ...client.validity
  })

  const createUserPool = (body: unknown) =>
    Effect.gen(function* () {
      const settings = yield* decode("CreateUserPool", CreateUserPool)(body)
      const id = `${region}_${randomId(9, alphanumeric)}`
      const policy = settings.Policies?.PasswordPolicy
      const cognito = yield* Effect.provide(
        TestCognito.TestCognito,
        TestCognito.layerCognito({
          region,
          userPoolId: id,
          // The pool's own client id, for admin actions only: app clients get theirs from CreateUserPoolClient.
          clientId: randomId(26, lowercase),
          seed: ++seed,
          // Tokens name this server as their issuer, so verifiers fetch its JWKS.
          issuer: `${endpoint}${id}`,
          mfa: settings.MfaConfiguration ?? "OFF",
          requiredAttributes: (settings.Schema ?? []).filter((a) => a.Required === true).map((a) => a.Name),
          passwordPolicy: {
            ...(policy?.MinimumLength === undefined ? {} : { minimumLength: policy.MinimumLength }),
            ...(policy?.RequireUppercase === undefined ? {} : { requireUppercase: policy.RequireUppercase }),
            ...(policy?.RequireLowercase === undefined ? {} : { requireLowercase: policy.RequireLowercase }),
            ...(policy?.RequireNumbers === undefined ? {} : { requireNumbers: policy.RequireNumbers }),
            ...(policy?.RequireSymbols === undefined ? {} : { requireSymbols: policy.RequireSymbols })
          }
        })
      )
      const pool: Pool = {
        id,
        name: settings.PoolName,
        created: yield* Clock.currentTimeMillis,
        settings,
        cognito,
        clients: new Map(),
        reported: 0
      }
      pools.set(id, pool)
      return { UserPool: describePool(pool) }
    })

  const createUserPoolClient = (body: unknown) =>
    Effect.gen(function* () {
      const action = "CreateUserPoolClient"
      const request = yield* decode(action, CreateUserPoolClient)(body)
      const pool = yield* findPool(action, request.UserPoolId)
      const validity: Validity = {
        AccessTokenValidity: request.AccessTokenValidity ?? 1,
        IdTokenValidity: request.IdTokenValidity ?? 1,
        RefreshTokenValidity: request.RefreshTokenValidity ?? 30,
        TokenValidityUnits: {
          AccessToken: request.TokenValidityUnits?.AccessToken ?? "hours",
          IdToken: request.TokenValidityUnits?.IdToken ?? "hours",
          RefreshToken: request.TokenValidityUnits?.RefreshToken ?? "days"
        }
      }
      const lifetime = (value: number, unit: TimeUnit) => Duration.seconds(value * unitSeconds[unit])
      const clientId = randomId(26, lowercase)
      const clientSecret = request.GenerateSecret === true ? randomId(51, lowercase) : undefined
      const cognito = yield* pool.cognito.withClient({
        clientId,
        clientSecret: clientSecret === undefined ? undefined : Redacted.make(clientSecret),
        tokenValidity: {
          accessToken: lifetime(validity.AccessTokenValidity, validity.TokenValidityUnits.AccessToken),
          idToken: lifetime(validity.IdTokenValidity, validity.TokenValidityUnits.IdToken),
          refreshToken: lifetime(validity.RefreshTokenValidity, validity.TokenValidityUnits.RefreshToken)
        }
      })
      const client: Client = {
        clientId,
        clientName: request.ClientName,
        userPoolId: pool.id,
        clientSecret,
        explicitAuthFlows: request.ExplicitAuthFlows ?? [
          "ALLOW_REFRESH_TOKEN_AUTH",
          "ALLOW_USER_SRP_AUTH",
          "ALLOW_CUSTOM_AUTH"
        ],
        validity,
        created: yield* Clock.currentTimeMillis,
        cognito
      }
      pool.clients.set(client.clientId, client)
      clients.set(client.clientId, client)
      return { UserPoolClient: describeClient(client) }
    })

  const describeUserPoolClient = (body: unknown) =>
    Effect.gen(function* () {
      const action = "DescribeUserPoolClient"
      const request = yield* decode(action, ClientRef)(body)
      const pool = yield* findPool(action, request.UserPoolId)
      const client = pool.clients.get(request.ClientId)
      if (client === undefined)
        return yield* Effect.fail(
          failure(action, "ResourceNotFoundException", `User pool client ${request.ClientId} does not exist.`)
        )
      return { UserPoolClient: describeClient(client) }
    })

  /** The pool and user of an admin action. */
  const user =
    <A extends { readonly UserPoolId: string; readonly Username: string }, I>(
      action: string,
      schema: Schema.Schema<A, I>
    ) =>
    (body: unknown) =>
      Effect.flatMap(decode(action, schema)(body), (request) =>
        Effect.map(findPool(action, request.UserPoolId), (pool) => ({ request, pool, cognito: pool.cognito }))
      )

  const userType = (
    username: string,
    user: { readonly status: string; readonly enabled: boolean; readonly attributes: Readonly<Record<string, string>> },
    now: number
  ) => ({
    Username: username,
    Attributes: attributeList(user.attributes),
    UserCreateDate: seconds(now),
    UserLastModifiedDate: seconds(now),
    Enabled: user.enabled,
    UserStatus: user.status
  })

  const adminCreateUser = (body: unknown) =>
    Effect.gen(function* () {
      const action = "AdminCreateUser"
      const { request, cognito } = yield* user(action, AdminCreateUser)(body)
      // Without TemporaryPassword the pool generates one; the invitation carries it to the outbox.
      yield* cognito.adminCreateUser({
        username: request.Username,
        temporaryPassword: request.TemporaryPassword,
        userAttributes: attributes(request.UserAttributes),
        messageAction: request.MessageAction === "SUPPRESS" ? "SUPPRESS" : undefined,
        desiredDeliveryMediums: request.DesiredDeliveryMediums
      })
      const created = yield* cognito.adminGetUser(request.Username)
      return { User: userType(request.Username, created, yield* Clock.currentTimeMillis) }
    })

  const adminGetUser = (body: unknown) =>
    Effect.gen(function* () {
      const { request, cognito } = yield* user("AdminGetUser", UserRef)(body)
      const found = yield* cognito.adminGetUser(request.Username)
      const { Attributes, ...rest } = userType(request.Username, found, yield* Clock.currentTimeMillis)
      return { ...rest, UserAttributes: Attributes }
    })

  const adminSetUserMFAPreference = (body: unknown) =>
    Effect.gen(function* () {
      const { request, cognito } = yield* user("AdminSetUserMFAPreference", AdminSetUserMFAPreference)(body)
      const preferred =
        request.SMSMfaSettings?.PreferredMfa === true
          ? "SMS"
          : request.SoftwareTokenMfaSettings?.PreferredMfa === true
            ? "TOTP"
            : request.EmailMfaSettings?.PreferredMfa === true
              ? "EMAIL"
              : undefined
      yield* cognito.adminSetUserMfa(request.Username, {
        ...(request.SMSMfaSettings?.Enabled === undefined ? {} : { sms: request.SMSMfaSettings.Enabled }),
        ...(request.SoftwareTokenMfaSettings?.Enabled === undefined
          ? {}
          : { totp: request.SoftwareTokenMfaSettings.Enabled }),
        ...(request.EmailMfaSettings?.Enabled === undefined ? {} : { email: request.EmailMfaSettings.Enabled }),
        ...(preferred === undefined ? {} : { preferred })
      })
      return {}
    })

  const adminConfirmSignUp = (body: unknown) =>
    Effect.flatMap(user("AdminConfirmSignUp", UserRef)(body), ({ cognito, request }) =>
      Effect.as(cognito.adminConfirmSignUp(request.Username), {})
    )

  const adminSetUserPassword = (body: unknown) =>
    Effect.flatMap(user("AdminSetUserPassword", AdminSetUserPassword)(body), ({ cognito, request }) =>
      Effect.as(
        cognito.adminSetUserPassword(request.Username, request.Password, { permanent: request.Permanent ?? false }),
        {}
      )
    )

  const adminUserGlobalSignOut = (body: unknown) =>
    Effect.flatMap(user("AdminUserGlobalSignOut", UserRef)(body), ({ cognito, request }) =>
      Effect.as(cognito.adminUserGlobalSignOut(request.Username), {})
    )

  const listUsers = (body: unknown) =>
    Effect.gen(function* () {
      const action = "ListUsers"
      const request = yield* decode(action, ListUsers)(body)
      const pool = yield* findPool(action, request.UserPoolId)
      const limit = request.Limit ?? 60
      if (!Number.isInteger(limit) || limit < 1 || limit > 60)
        return yield* invalidParameter(action, "Limit must be an integer from 1 to 60.")
      let users = yield* pool.cognito.listUsers
      if (request.Filter !== undefined && request.Filter !== "") {
        const match = filterPattern.exec(request.Filter)
        if (match === null) return yield* invalidParameter(action, "Error while parsing filter.")
        const [, name = "", operator, quoted = ""] = match
        const value = quoted.replace(/\\(.)/g, "$1")
        users = users.filter((u) => {
          const found = filterValue(u, name)
          return found !== undefined && (operator === "=" ? found === value : found.startsWith(value))
        })
      }
      const start = request.PaginationToken === undefined ? 0 : Number(request.PaginationToken)
      if (!Number.isInteger(start) || start < 0 || start > users.length)
        return yield* invalidParameter(action, "Invalid pagination token.")
      const now = yield* Clock.currentTimeMillis
      const wanted = request.AttributesToGet
      const page = users.slice(start, start + limit).map((u) => {
        const type = userType(u.username, u, now)
        return wanted === undefined
          ? type
          : { ...type, Attributes: type.Attributes.filter((a) => wanted.includes(a.Name)) }
      })
      return {
        Users: page,
        ...(start + limit < users.length ? { PaginationToken: String(start + limit) } : {})
      }
    })

  const adminDisableUser = (body: unknown) =>
    Effect.flatMap(user("AdminDisableUser", UserRef)(body), ({ cognito, request }) =>
      Effect.as(cognito.adminDisableUser(request.Username), {})
    )

  const adminDeleteUser = (body: unknown) =>
    Effect.flatMap(user("AdminDeleteUser", UserRef)(body), ({ cognito, request }) =>
      Effect.as(cognito.adminDeleteUser(request.Username), {})
    )

  /**
   * The default identity pool: TestCognito's, over the first user pool among its providers
   * (checking that pool's id tokens for the providers' app clients); none without a user pool.
   */
  const testCognitoIdentityPool = (config: LocalCognito.IdentityPoolConfig) => {
    const prefix = `cognito-idp.${region}.amazonaws.com/`
    const first = config.providers.find((p) => p.providerName.startsWith(prefix))
    const pool = first === undefined ? undefined : pools.get(first.providerName.slice(prefix.length))
    if (first === undefined || pool === undefined) return Effect.succeed(undefined)
    return pool.cognito.withIdentityPool({
      identityPoolId: config.identityPoolId,
      allowUnauthenticated: config.allowUnauthenticatedIdentities,
      clientIds: config.providers.filter((p) => p.providerName === first.providerName).map((p) => p.clientId)
    })
  }

  /** The secret key and session token of credentials an identity pool issued, to verify a signature. */
  const credentialsOf = (accessKeyId: string) =>
    Effect.firstSuccessOf([
      ...Array.from(identityPools.values(), (pool) =>
        pool.testPool === undefined
          ? Effect.fail(undefined)
          : Effect.orElseFail(pool.testPool.credentialsOf(accessKeyId), () => undefined)
      ),
      Effect.fail(undefined)
    ]).pipe(Effect.mapError(() => new Cause.NoSuchElementException(`no credentials with access key id ${accessKeyId}`)))

  const createIdentityPool = (body: unknown) =>
    Effect.gen(function* () {
      const request = yield* decode("CreateIdentityPool", CreateIdentityPool)(body)
      const description: IdentityPoolDescription = {
        IdentityPoolId: `${region}:${randomUUID()}`,
        IdentityPoolName: request.IdentityPoolName,
        AllowUnauthenticatedIdentities: request.AllowUnauthenticatedIdentities,
        CognitoIdentityProviders: (request.CognitoIdentityProviders ?? []).map((provider) => ({
          ProviderName: provider.ProviderName,
          ClientId: provider.ClientId,
          ServerSideTokenCheck: provider.ServerSideTokenCheck ?? false
        }))
      }
      const config: LocalCognito.IdentityPoolConfig = {
        region,
        identityPoolId: description.IdentityPoolId,
        identityPoolName: description.IdentityPoolName,
        allowUnauthenticatedIdentities: description.AllowUnauthenticatedIdentities,
        providers: description.CognitoIdentityProviders.map((provider) => ({
          providerName: provider.ProviderName,
          clientId: provider.ClientId
        }))
      }
      const testPool = identityPoolFactory === undefined ? yield* testCognitoIdentityPool(config) : undefined
      const service = identityPoolFactory === undefined ? testPool?.identityPool : yield* identityPoolFactory(config)
      identityPools.set(description.IdentityPoolId, { description, service, testPool })
      return description
    })

  const findIdentityPool = (action: string, id: string) => {
    const pool = identityPools.get(id)
    return pool === undefined
      ? Effect.fail(failure(action, "ResourceNotFoundException", `IdentityPool '${id}' not found.`))
      : Effect.succeed(pool)
  }

  /** The `IdentityPool` plugged in for a pool; without one the local Cognito cannot hand out identities. */
  const serviceOf = (action: string, pool: IdentityPool) =>
    pool.service === undefined
      ? Effect.fail(
          failure(
            action,
            "InvalidIdentityPoolConfigurationException",
            `Identity pool ${pool.description.IdentityPoolId} has no user pool among its providers: give CreateIdentityPool a CognitoIdentityProviders entry, or start the local Cognito with the identityPools option.`
          )
        )
      : Effect.succeed(pool.service)

  const getId = (body: unknown) =>
    Effect.gen(function* () {
      const action = "GetId"
      const request = yield* decode(action, IdentityRequests.GetId)(body)
      const pool = yield* findIdentityPool(action, request.IdentityPoolId)
      const service = yield* serviceOf(action, pool)
      const response = yield* service.getId(request.Logins === undefined ? {} : { logins: request.Logins })
      identities.set(response.identityId, request.IdentityPoolId)
      return yield* IdentityResponses.getId(response)
    })

  const getCredentialsForIdentity = (body: unknown) =>
    Effect.gen(function* () {
      const action = "GetCredentialsForIdentity"
      const request = yield* decode(action, IdentityRequests.GetCredentialsForIdentity)(body)
      const poolId = identities.get(request.IdentityId)
      if (poolId === undefined)
        return yield* Effect.fail(
          failure(action, "ResourceNotFoundException", `Identity '${request.IdentityId}' not found.`)
        )
      const service = yield* serviceOf(action, yield* findIdentityPool(action, poolId))
      const response = yield* service.getCredentialsForIdentity({
        identityId: request.IdentityId,
        ...(request.Logins === undefined ? {} : { logins: request.Logins })
      })
      return yield* IdentityResponses.credentials(response)
    })

  /** The setup and admin actions of the user-pool service, by name. */
  const userPoolActions: Readonly<Record<string, (body: unknown) => Effect.Effect<unknown, AuthError.AuthError>>> = {
    CreateUserPool: createUserPool,
    DescribeUserPool: (body) =>
      Effect.flatMap(decode("DescribeUserPool", UserPoolId)(body), (request) =>
        Effect.map(findPool("DescribeUserPool", request.UserPoolId), (pool) => ({ UserPool: describePool(pool) }))
      ),
    CreateUserPoolClient: createUserPoolClient,
    DescribeUserPoolClient: describeUserPoolClient,
    AdminCreateUser: adminCreateUser,
    AdminConfirmSignUp: adminConfirmSignUp,
    AdminGetUser: adminGetUser,
    AdminSetUserPassword: adminSetUserPassword,
    AdminUserGlobalSignOut: adminUserGlobalSignOut,
    ListUsers: listUsers,
    AdminSetUserMFAPreference: adminSetUserMFAPreference,
    AdminDisableUser: adminDisableUser,
    AdminDeleteUser: adminDeleteUser
  }

  /** The actions of the identity service, by name. */
  const identityPoolActions: Readonly<Record<string, (body: unknown) => Effect.Effect<unknown, AuthError.AuthError>>> =
    {
      CreateIdentityPool: createIdentityPool,
      DescribeIdentityPool: (body) =>
        Effect.flatMap(decode("DescribeIdentityPool", IdentityPoolRef)(body), (request) =>
          Effect.map(findIdentityPool("DescribeIdentityPool", request.IdentityPoolId), (pool) => pool.description)
        ),
      GetId: getId,
      GetCredentialsForIdentity: getCredentialsForIdentity
    }

  return {
    region,
    pools,
    clients,
    identityPools,
    userPoolActions,
    identityPoolActions,
    findPool,
    createUserPool,
    createUserPoolClient,
    createIdentityPool,
    credentialsOf
  }
}

/** The registry. */
export type Registry = ReturnType<typeof make>
