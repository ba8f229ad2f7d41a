/**
 * Starting the local Cognito: the state file read (when there is one), the server
 * listening, the registry restored from the file or given its default pools, the file
 * written at once (so a restart finds the same default ids), after each change and when
 * the server stops, and then the requests served.
 *
 * @internal
 */
import * as AuthError from "@effect-cognito/core/AuthError"
import type * as HttpServerError from "effect/http/HttpServerError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as LocalCognito from "../../LocalCognito.js"
import type * as Registry from "./registry.js"
import * as Access from "./access.js"
import * as RegistrySnapshot from "./registrySnapshot.js"
import * as Server from "./server.js"
import * as StateFile from "./stateFile.js"

/** The default pools of a fresh start: a user pool (MFA optional), an app client with every flow, an identity pool. */
const createDefaults = (registry: Registry.Registry) =>
  Effect.gen(function* () {
    const { UserPool } = yield* registry.createUserPool({
      PoolName: "local",
      MfaConfiguration: "OPTIONAL",
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"] } }
    })
    yield* registry.setUserPoolMfaConfig({
      UserPoolId: UserPool.Id,
      WebAuthnConfiguration: { RelyingPartyId: "localhost", UserVerification: "preferred" }
    })
    const { UserPoolClient } = yield* registry.createUserPoolClient({
      UserPoolId: UserPool.Id,
      ClientName: "local",
      ExplicitAuthFlows: [
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_CUSTOM_AUTH",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "ALLOW_USER_AUTH"
      ]
    })
    // Ready for the hosted sign-in: the domain `local`, and the code flow to a loopback callback on any port.
    const pool = yield* registry.findPool("CreateUserPoolDomain", UserPool.Id)
    yield* pool.cognito.createUserPoolDomain(defaultDomain)
    yield* pool.cognito.updateClientOAuth(UserPoolClient.ClientId, {
      allowedOAuthFlowsUserPoolClient: true,
      allowedOAuthFlows: ["code"],
      allowedOAuthScopes: ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"],
      callbackURLs: ["http://127.0.0.1/callback", "http://localhost/callback"],
      logoutURLs: ["http://127.0.0.1/", "http://localhost/"],
      supportedIdentityProviders: ["COGNITO"]
    })
    const identityPool = yield* registry.createIdentityPool({
      IdentityPoolName: "local",
      AllowUnauthenticatedIdentities: true,
      CognitoIdentityProviders: [
        {
          ProviderName: `cognito-idp.${registry.region}.amazonaws.com/${UserPool.Id}`,
          ClientId: UserPoolClient.ClientId
        }
      ]
    })
    return {
      region: registry.region,
      userPoolId: UserPool.Id,
      clientId: UserPoolClient.ClientId,
      identityPoolId: identityPool.IdentityPoolId
    }
  })

/** The Cognito domain of the default pool. */
const defaultDomain = "local"

const storage = (description: string) => AuthError.make("Storage", "LocalCognito", description)

/** Starts the server in the scope; it stops when the scope closes. */
export const start = (
  options: LocalCognito.Options
): Effect.Effect<LocalCognito.LocalCognito.Service, AuthError.AuthError | HttpServerError.ServeError, Scope.Scope> =>
  Effect.gen(function* () {
    const allowed = Access.parseOrigins(options.allowedOrigins ?? [])
    if (allowed._tag === "Invalid")
      return yield* Effect.fail(
        AuthError.make(
          "InvalidConfig",
          "LocalCognito",
          `allowedOrigins: expected the origin of a web page, such as http://127.0.0.1:5173 (http or https, a host, an optional port, no path), found ${JSON.stringify(allowed.origin)}`
        )
      )
    const file = options.stateFile
    const stored = file === undefined ? Option.none() : yield* StateFile.load(file)
    const region = Option.match(stored, {
      onNone: () => options.region ?? "us-east-1",
      onSome: (state) => state.region
    })
    if (file !== undefined && options.region !== undefined && options.region !== region)
      return yield* Effect.fail(
        storage(`the state file ${file} holds pools of ${region}, not ${options.region}: start in ${region}`)
      )
    const { deliveries, endpoint, registry, serve, oidcProvider } = yield* Server.make(options, region, allowed.origins)
    const defaultPool = Option.isSome(stored)
      ? yield* RegistrySnapshot.restore(registry, stored.value).pipe(
          Effect.mapError((e) =>
            storage(`the state file ${file} cannot be restored: ${e.description ?? e.reason}; it was left as it is`)
          )
        )
      : yield* createDefaults(registry)
    if (file === undefined) yield* serve(Effect.void)
    else {
      const save = StateFile.writer(file, RegistrySnapshot.take(registry, defaultPool))
      const saveOrLog = save.pipe(Effect.catch((e) => Effect.logError(`local Cognito: ${e.message}`)))
      yield* save
      // Added before serving, so it runs after the server stopped: changes made through `pool` are kept too.
      yield* Effect.addFinalizer(() => saveOrLog)
      yield* serve(saveOrLog)
    }
    return {
      endpoint,
      defaultPool,
      config: {
        region: defaultPool.region,
        userPoolId: defaultPool.userPoolId,
        clientId: defaultPool.clientId,
        identityPoolId: defaultPool.identityPoolId,
        endpoints: { identityProvider: endpoint, identityPool: endpoint }
      },
      pool: (userPoolId) => Effect.map(registry.findPool("LocalCognito", userPoolId), (pool) => pool.cognito),
      domainUrl: (userPoolId) =>
        Effect.flatMap(registry.findPool("LocalCognito", userPoolId), (pool) =>
          Effect.flatMap(pool.cognito.userPoolDomain, (domain) =>
            domain === undefined
              ? Effect.fail(
                  AuthError.make(
                    "InvalidConfig",
                    "LocalCognito",
                    `User pool ${userPoolId} has no domain (CreateUserPoolDomain).`
                  )
                )
              : Effect.succeed(domain.url)
          )
        ),
      oidcProvider,
      deliveries,
      credentialsOf: registry.credentialsOf
    }
  })
