/**
 * The user-pool setup actions of the local Cognito: CreateUserPool (with its
 * `DeviceConfiguration`, sign-in policy and tier), UpdateUserPool (the sign-in policy and the
 * tier; the other settings stay as created), DescribeUserPool, CreateUserPoolClient and
 * DescribeUserPoolClient (UpdateUserPoolClient is in `domainActions.ts`, with the OAuth settings),
 * SetUserPoolMfaConfig and GetUserPoolMfaConfig (the passkey relying party,
 * `WebAuthnConfiguration`), how pools and clients are described, and how pools and clients
 * are added (new, or restored from the state file).
 *
 * @internal
 */
import * as TestCognito from "@effect-cognito/test-kit/TestCognito"
import type * as TestCognitoSnapshot from "@effect-cognito/test-kit/TestCognitoSnapshot"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { decode, failure, optional } from "./wire.js"
import * as DomainActions from "./domainActions.js"
import * as State from "./registryState.js"
import {
  CreateUserPool,
  SignInPolicy,
  UserPoolTier,
  type Client,
  type Pool,
  TimeUnit,
  type Validity,
  alphanumeric,
  lowercase,
  randomId,
  seconds
} from "./registryState.js"

const UserPoolId = Schema.Struct({ UserPoolId: Schema.String })

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
  ),
  ...DomainActions.OAuthFields
})

const ListUserPools = Schema.Struct({ MaxResults: Schema.Number, NextToken: optional(Schema.String) })

const ClientRef = Schema.Struct({ UserPoolId: Schema.String, ClientId: Schema.String })

const UpdateUserPool = Schema.Struct({
  UserPoolId: Schema.String,
  Policies: optional(Schema.Struct({ SignInPolicy: optional(SignInPolicy) })),
  UserPoolTier: optional(UserPoolTier)
})

const WebAuthnConfiguration = Schema.Struct({
  RelyingPartyId: optional(Schema.String),
  UserVerification: optional(Schema.Literals(["required", "preferred"]))
})

const SetUserPoolMfaConfig = Schema.Struct({
  UserPoolId: Schema.String,
  MfaConfiguration: optional(Schema.Literals(["OFF", "ON", "OPTIONAL"])),
  WebAuthnConfiguration: optional(WebAuthnConfiguration)
})

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

const unitSeconds: Readonly<Record<TimeUnit, number>> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 }

/** Cognito's ranges of token validity, in seconds: access and id tokens, and refresh tokens. */
const shortLived = { min: 300, max: 86_400, text: "from 5 minutes to 1 day" }
const longLived = { min: 3600, max: 3650 * 86_400, text: "from 60 minutes to 10 years" }

/** The setup actions over a registry state. */
export const make = (state: State.State) => {
  const { region, endpoint, pools, clients } = state
  const findPool = (action: string, id: string) => State.findPool(state, action, id)

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
          RequireSymbols: policy?.RequireSymbols ?? true,
          TemporaryPasswordValidityDays: policy?.TemporaryPasswordValidityDays ?? 7
        },
        SignInPolicy: {
          AllowedFirstAuthFactors: pool.settings.Policies?.SignInPolicy?.AllowedFirstAuthFactors ?? ["PASSWORD"]
        }
      },
      UserPoolTier: pool.settings.UserPoolTier ?? "ESSENTIALS",
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
      UserAttributeUpdateSettings: {
        AttributesRequireVerificationBeforeUpdate:
          pool.settings.UserAttributeUpdateSettings?.AttributesRequireVerificationBeforeUpdate ?? []
      },
      ...(pool.settings.UsernameAttributes === undefined
        ? {}
        : { UsernameAttributes: pool.settings.UsernameAttributes }),
      ...(pool.settings.DeviceConfiguration === undefined
        ? {}
        : {
            DeviceConfiguration: {
              ChallengeRequiredOnNewDevice: pool.settings.DeviceConfiguration.ChallengeRequiredOnNewDevice ?? false,
              DeviceOnlyRememberedOnUserPrompt:
                pool.settings.DeviceConfiguration.DeviceOnlyRememberedOnUserPrompt ?? false
            }
          }),
      EstimatedNumberOfUsers: 0
    }
  }

  const describeClient = (client: Client) =>
    Effect.map(client.cognito.clientOAuth(client.clientId), (oauth) => ({
      UserPoolId: client.userPoolId,
      ClientName: client.clientName,
      ClientId: client.clientId,
      ...(client.clientSecret === undefined ? {} : { ClientSecret: client.clientSecret }),
      CreationDate: seconds(client.created),
      LastModifiedDate: seconds(client.created),
      ExplicitAuthFlows: client.explicitAuthFlows,
      ...client.validity,
      ...DomainActions.describeOAuth(oauth)
    }))

  /** A pool's `TestCognito`, whose tokens name this server as their issuer, so verifiers fetch its JWKS. */
  const testCognito = (id: string, options: TestCognito.Options) =>
    Effect.provide(
      TestCognito.TestCognito,
      TestCognito.layerCognito({
        ...options,
        userPoolId: id,
        issuer: `${endpoint}${id}`,
        domainUrl: (domain) => State.domainUrl(endpoint, domain),
        upstreamHttpClient: state.upstream
      })
    )

  /** Adds a user pool over its `TestCognito`. */
  const addPool = (fields: Pick<Pool, "id" | "name" | "created" | "settings">, cognito: Pool["cognito"]) => {
    const pool: Pool = { ...fields, cognito, clients: new Map(), reported: 0 }
    pools.set(pool.id, pool)
    return pool
  }

  /** Adds an app client to a pool: the pool as the client sees it (its id, secret and token lifetimes). */
  const addClient = (pool: Pool, fields: Omit<Client, "userPoolId" | "cognito">) =>
    Effect.gen(function* () {
      const lifetime = (value: number, unit: TimeUnit) => Duration.seconds(value * unitSeconds[unit])
      const { validity } = fields
      const cognito = yield* pool.cognito.withClient({
        clientId: fields.clientId,
        clientSecret: fields.clientSecret === undefined ? undefined : Redacted.make(fields.clientSecret),
        tokenValidity: {
          accessToken: lifetime(validity.AccessTokenValidity, validity.TokenValidityUnits.AccessToken),
          idToken: lifetime(validity.IdTokenValidity, validity.TokenValidityUnits.IdToken),
          refreshToken: lifetime(validity.RefreshTokenValidity, validity.TokenValidityUnits.RefreshToken)
        }
      })
      const client: Client = { ...fields, userPoolId: pool.id, cognito }
      pool.clients.set(client.clientId, client)
      clients.set(client.clientId, client)
      return client
    })

  /** A pool restored from a snapshot of its `TestCognito`, without its app clients (see {@link addClient}). */
  const restorePool = (
    fields: Pick<Pool, "id" | "name" | "created" | "settings">,
    snapshot: TestCognitoSnapshot.Snapshot
  ) => Effect.map(testCognito(fields.id, { restore: snapshot }), (cognito) => addPool(fields, cognito))

  const createUserPool = (body: unknown) =>
    Effect.gen(function* () {
      const settings = yield* decode("CreateUserPool", CreateUserPool)(body)
      const id = `${region}_${randomId(9, alphanumeric)}`
      const policy = settings.Policies?.PasswordPolicy
      // Cognito's ranges: a value outside them is refused, never stored (it could not be snapshotted either).
      for (const [name, value, min, max] of [
        ["MinimumLength", policy?.MinimumLength, 6, 99],
        ["TemporaryPasswordValidityDays", policy?.TemporaryPasswordValidityDays, 0, 365]
      ] as const) {
        if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max))
          return yield* Effect.fail(
            failure(
              "CreateUserPool",
              "InvalidParameterException",
              `1 validation error detected: Value '${value}' at 'policies.passwordPolicy.${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must have value between ${min} and ${max}`
            )
          )
      }
      const waiting = settings.UserAttributeUpdateSettings?.AttributesRequireVerificationBeforeUpdate ?? []
      if (waiting.some((name) => !(settings.AutoVerifiedAttributes ?? []).includes(name)))
        return yield* Effect.fail(
          failure(
            "CreateUserPool",
            "InvalidParameterException",
            "All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes"
          )
        )
      const cognito = yield* testCognito(id, {
        region,
        // The pool's own client id, for admin actions only: app clients get theirs from CreateUserPoolClient.
        clientId: randomId(26, lowercase),
        seed: ++state.seed,
        mfa: settings.MfaConfiguration ?? "OFF",
        requiredAttributes: (settings.Schema ?? []).filter((a) => a.Required === true).map((a) => a.Name),
        // A pool with a Schema accepts only the custom attributes it declares, as Cognito does.
        ...(settings.Schema === undefined
          ? {}
          : { customAttributes: settings.Schema.filter((a) => !standardSchema.includes(a.Name)).map((a) => a.Name) }),
        attributesRequireVerificationBeforeUpdate: waiting,
        ...(settings.DeviceConfiguration === undefined
          ? {}
          : {
              deviceConfiguration: {
                challengeRequiredOnNewDevice: settings.DeviceConfiguration.ChallengeRequiredOnNewDevice,
                deviceOnlyRememberedOnUserPrompt: settings.DeviceConfiguration.DeviceOnlyRememberedOnUserPrompt
              }
            }),
        passwordPolicy: {
          ...(policy?.MinimumLength === undefined ? {} : { minimumLength: policy.MinimumLength }),
          ...(policy?.RequireUppercase === undefined ? {} : { requireUppercase: policy.RequireUppercase }),
          ...(policy?.RequireLowercase === undefined ? {} : { requireLowercase: policy.RequireLowercase }),
          ...(policy?.RequireNumbers === undefined ? {} : { requireNumbers: policy.RequireNumbers }),
          ...(policy?.RequireSymbols === undefined ? {} : { requireSymbols: policy.RequireSymbols })
        },
        ...(policy?.TemporaryPasswordValidityDays === undefined
          ? {}
          : { temporaryPasswordValidity: Duration.days(policy.TemporaryPasswordValidityDays) })
      })
      const signInPolicy = settings.Policies?.SignInPolicy?.AllowedFirstAuthFactors
      if (signInPolicy !== undefined || settings.UserPoolTier !== undefined)
        yield* cognito
          .setSignInPolicy({ allowedFirstAuthFactors: signInPolicy, userPoolTier: settings.UserPoolTier })
          .pipe(
            Effect.mapError((error) =>
              failure("CreateUserPool", error.exception ?? "InvalidParameterException", error.description ?? "")
            )
          )
      const pool = addPool({ id, name: settings.PoolName, created: yield* Clock.currentTimeMillis, settings }, cognito)
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
      for (const [name, value, unit, range] of [
        ["AccessTokenValidity", validity.AccessTokenValidity, validity.TokenValidityUnits.AccessToken, shortLived],
        ["IdTokenValidity", validity.IdTokenValidity, validity.TokenValidityUnits.IdToken, shortLived],
        ["RefreshTokenValidity", validity.RefreshTokenValidity, validity.TokenValidityUnits.RefreshToken, longLived]
      ] as const) {
        const seconds = value * unitSeconds[unit]
        if (!(seconds >= range.min && seconds <= range.max))
          return yield* Effect.fail(
            failure(
              action,
              "InvalidParameterException",
              `Invalid range for token validity: ${name} must be ${range.text}.`
            )
          )
      }
      const client = yield* addClient(pool, {
        clientId: randomId(26, lowercase),
        clientName: request.ClientName,
        clientSecret: request.GenerateSecret === true ? randomId(51, lowercase) : undefined,
        explicitAuthFlows: request.ExplicitAuthFlows ?? [
          "ALLOW_REFRESH_TOKEN_AUTH",
          "ALLOW_USER_SRP_AUTH",
          "ALLOW_CUSTOM_AUTH"
        ],
        validity,
        created: yield* Clock.currentTimeMillis
      })
      if (DomainActions.hasOAuth(request))
        yield* client.cognito.updateClientOAuth(client.clientId, DomainActions.oauthInput(request)).pipe(
          Effect.tapError(() =>
            Effect.sync(() => {
              pool.clients.delete(client.clientId)
              clients.delete(client.clientId)
            })
          )
        )
      return { UserPoolClient: yield* describeClient(client) }
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
      return { UserPoolClient: yield* describeClient(client) }
    })

  /** UpdateUserPool: the sign-in policy and the tier (what is left out stays). */
  const updateUserPool = (body: unknown) =>
    Effect.gen(function* () {
      const action = "UpdateUserPool"
      const request = yield* decode(action, UpdateUserPool)(body)
      const pool = yield* findPool(action, request.UserPoolId)
      const factors = request.Policies?.SignInPolicy?.AllowedFirstAuthFactors
      yield* pool.cognito
        .setSignInPolicy({ allowedFirstAuthFactors: factors, userPoolTier: request.UserPoolTier })
        .pipe(
          Effect.mapError((error) =>
            failure(action, error.exception ?? "InvalidParameterException", error.description ?? "")
          )
        )
      const policy = yield* pool.cognito.signInPolicy
      pool.settings = {
        ...pool.settings,
        Policies: {
          ...pool.settings.Policies,
          SignInPolicy: { AllowedFirstAuthFactors: policy.allowedFirstAuthFactors }
        },
        UserPoolTier: policy.userPoolTier
      }
      return {}
    })

  const mfaConfig = (pool: Pool) =>
    Effect.map(pool.cognito.webAuthnConfiguration, (webAuthn) => ({
      MfaConfiguration: pool.settings.MfaConfiguration ?? "OFF",
      ...(webAuthn === undefined
        ? {}
        : {
            WebAuthnConfiguration: {
              RelyingPartyId: webAuthn.relyingPartyId,
              UserVerification: webAuthn.userVerification
            }
          })
    }))

  /** SetUserPoolMfaConfig: the passkey relying party (`WebAuthnConfiguration`); the MFA configuration stays as created. */
  const setUserPoolMfaConfig = (body: unknown) =>
    Effect.gen(function* () {
      const action = "SetUserPoolMfaConfig"
      const request = yield* decode(action, SetUserPoolMfaConfig)(body)
      const pool = yield* findPool(action, request.UserPoolId)
      const webAuthn = request.WebAuthnConfiguration
      if (webAuthn !== undefined) {
        const current = yield* pool.cognito.webAuthnConfiguration
        const relyingPartyId = webAuthn.RelyingPartyId ?? current?.relyingPartyId
        if (relyingPartyId === undefined)
          return yield* Effect.fail(
            failure(action, "InvalidParameterException", "WebAuthnConfiguration.RelyingPartyId is required.")
          )
        yield* pool.cognito
          .setWebAuthnConfiguration({
            relyingPartyId,
            userVerification: webAuthn.UserVerification ?? current?.userVerification
          })
          .pipe(
            Effect.mapError((error) =>
              failure(action, error.exception ?? "InvalidParameterException", error.description ?? "")
            )
          )
      }
      return yield* mfaConfig(pool)
    })

  const getUserPoolMfaConfig = (body: unknown) =>
    Effect.flatMap(decode("GetUserPoolMfaConfig", UserPoolId)(body), (request) =>
      Effect.flatMap(findPool("GetUserPoolMfaConfig", request.UserPoolId), mfaConfig)
    )

  const describeUserPool = (body: unknown) =>
    Effect.flatMap(decode("DescribeUserPool", UserPoolId)(body), (request) =>
      Effect.map(findPool("DescribeUserPool", request.UserPoolId), (pool) => ({ UserPool: describePool(pool) }))
    )

  /** ListUserPools: up to `MaxResults` (1 to 60) pools in the order they were created, then a `NextToken`. */
  const listUserPools = (body: unknown) =>
    Effect.gen(function* () {
      const action = "ListUserPools"
      const request = yield* decode(action, ListUserPools)(body)
      const max = request.MaxResults
      if (!Number.isInteger(max) || max < 1 || max > 60)
        return yield* Effect.fail(
          failure(
            action,
            "InvalidParameterException",
            `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60`
          )
        )
      const all = [...pools.values()]
      const start = request.NextToken === undefined ? 0 : Number(request.NextToken)
      if (!Number.isInteger(start) || start < 0 || start > all.length)
        return yield* Effect.fail(failure(action, "InvalidParameterException", "Invalid pagination token."))
      const page = all.slice(start, start + max).map((pool) => ({
        Id: pool.id,
        Name: pool.name,
        LambdaConfig: {},
        LastModifiedDate: seconds(pool.created),
        CreationDate: seconds(pool.created)
      }))
      return { UserPools: page, ...(start + max < all.length ? { NextToken: String(start + max) } : {}) }
    })

  return {
    describeUserPool,
    updateUserPool,
    setUserPoolMfaConfig,
    getUserPoolMfaConfig,
    listUserPools,
    createUserPool,
    createUserPoolClient,
    describeUserPoolClient,
    restorePool,
    addClient,
    describeClient
  }
}
