/**
 * Snapshots of a pool's durable state: {@link take} reads the pool's settings, clients,
 * users, devices, refresh tokens, identity pools, signing key and randomness into a
 * `TestCognitoSnapshot.Snapshot`; {@link restore} builds the state of a pool from one
 * (with the options supplying what a snapshot cannot hold: functions, the issuer, the
 * client-side configuration).
 *
 * @internal
 */
import * as AuthError from "@effect-cognito/core/AuthError"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as TestCognito from "../../TestCognito.js"
import type * as TestCognitoSnapshot from "../../TestCognitoSnapshot.js"
import { importKeyPair } from "../jwt.js"
import * as SeededRandom from "../seededRandom.js"
import type { IdentityPoolState } from "./identityPool.js"
import * as State from "./state.js"

type Snapshot = TestCognitoSnapshot.Snapshot

const optional = <K extends string, A>(key: K, value: A | undefined): { [P in K]?: A } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: A }

const secret = (value: string | undefined) => (value === undefined ? undefined : Redacted.make(value))

const takeUser = (user: State.User): Snapshot["users"][number] => ({
  username: user.username,
  sub: user.sub,
  attributes: { ...user.attributes },
  status: user.status,
  enabled: user.enabled,
  salt: user.salt,
  verifier: Redacted.make(user.verifier),
  mfa: { sms: user.mfa.sms, totp: user.mfa.totp, email: user.mfa.email, ...optional("preferred", user.mfa.preferred) },
  ...optional("totpSecret", secret(user.totpSecret)),
  ...optional("pendingTotpSecret", secret(user.pendingTotpSecret)),
  ...optional("totpUsedStep", user.totpUsedStep),
  failedSignIns: user.failedSignIns,
  codes: {
    ...optional("signUp", takeCode(user.codes.signUp)),
    ...optional("forgotPassword", takeCode(user.codes.forgotPassword)),
    ...optional("verifyEmail", takeCode(user.codes.verifyEmail)),
    ...optional("verifyPhoneNumber", takeCode(user.codes.verifyPhoneNumber))
  },
  ...(Object.keys(user.pendingAttributes).length === 0 ? {} : { pendingAttributes: { ...user.pendingAttributes } }),
  ...optional("temporaryPasswordExpiresAt", user.temporaryPasswordExpiresAt),
  created: user.created,
  lastModified: user.lastModified,
  ...(user.passwordless ? { passwordless: true } : {}),
  ...(user.webAuthnCredentials.length === 0
    ? {}
    : {
        webAuthnCredentials: user.webAuthnCredentials.map(({ attachment, ...credential }) => ({
          ...credential,
          transports: [...credential.transports],
          ...optional("attachment", attachment)
        }))
      })
})

const takeDevice = (device: State.Device): typeof TestCognitoSnapshot.Device.Type => ({
  deviceKey: device.deviceKey,
  deviceGroupKey: device.deviceGroupKey,
  username: device.username,
  ...optional(
    "secret",
    device.secret === undefined
      ? undefined
      : { salt: device.secret.salt, verifier: Redacted.make(device.secret.verifier) }
  ),
  ...optional("name", device.name),
  remembered: device.remembered,
  created: device.created,
  lastModified: device.lastModified,
  lastAuthenticated: device.lastAuthenticated
})

const takeCode = (code: State.Code | undefined) =>
  code === undefined
    ? undefined
    : { code: Redacted.make(code.code), expiresAt: code.expiresAt, attempts: code.attempts }

/** One identity pool's identities, and the credentials it issued that have not expired at `at`. */
const takeIdentityPool = (
  identityPoolId: string,
  pool: IdentityPoolState,
  at: number
): Snapshot["identityPools"][number] => ({
  identityPoolId,
  identities: Array.from(pool.identities.values(), (identity) => ({
    identityId: identity.identityId,
    logins: [...identity.logins]
  })),
  credentials: pool.issued.flatMap((issued) => {
    const secrets = pool.secrets.get(issued.accessKeyId)
    return secrets === undefined || issued.expiration.getTime() <= at
      ? []
      : [
          {
            identityId: issued.identityId,
            accessKeyId: issued.accessKeyId,
            ...secrets,
            ...optional("roleArn", issued.roleArn),
            expiration: issued.expiration.getTime(),
            at: issued.at
          }
        ]
  })
})

/** The pool's durable state now; expired refresh tokens and credentials are left out. */
export const take = (state: State.State): Effect.Effect<Snapshot> =>
  Effect.gen(function* () {
    const at = yield* state.now
    const signingKey = yield* state.signer.privateKey
    return {
      version: 1,
      pool: {
        ...state.settings,
        allowedFirstAuthFactors: state.signIn.allowedFirstAuthFactors,
        userPoolTier: state.signIn.userPoolTier,
        ...optional("webAuthn", state.signIn.webAuthn)
      },
      signingKey: Redacted.make(signingKey),
      random: Redacted.make(state.random.state()),
      clients: Array.from(state.clients.values(), (client) => ({
        clientId: client.clientId,
        ...optional("clientSecret", client.clientSecret),
        validity: client.validity
      })),
      users: Array.from(state.users.values(), takeUser),
      refreshTokens: Array.from(state.refreshTokens.entries()).flatMap(([token, { deviceKey, ...record }]) =>
        record.expiresAt <= at ? [] : [{ token: Redacted.make(token), ...record, ...optional("deviceKey", deviceKey) }]
      ),
      devices: Array.from(state.devices.values(), takeDevice),
      revokedOrigins: [...state.revokedOrigins],
      identityPools: Array.from(state.identityPools.entries(), ([id, pool]) => takeIdentityPool(id, pool, at)),
      oauth: {
        ...optional("domain", state.oauth.domain),
        clients: Array.from(state.oauth.clients.entries(), ([clientId, { defaultRedirectURI, ...settings }]) => ({
          clientId,
          ...settings,
          ...optional("defaultRedirectURI", defaultRedirectURI)
        })),
        resourceServers: [...state.oauth.resourceServers.values()],
        identityProviders: Array.from(
          state.oauth.identityProviders.values(),
          ({ clientSecret, attributeMapping, idpIdentifiers, ...provider }) => ({
            ...provider,
            ...optional("clientSecret", clientSecret),
            ...optional("attributeMapping", attributeMapping),
            ...optional("idpIdentifiers", idpIdentifiers)
          })
        )
      }
    } as const
  })

/** The options of a pool restored from `snapshot`: its settings, with what only `options` can hold. */
const optionsFrom = (snapshot: Snapshot, options: TestCognito.Options): TestCognito.Options => {
  const { pool } = snapshot
  const { restore: _restore, ...rest } = options
  const identityPool = options.identityPool === false ? {} : (options.identityPool ?? {})
  return {
    ...rest,
    region: pool.region,
    userPoolId: pool.userPoolId,
    clientId: pool.clientId,
    clientSecret: pool.clientSecret,
    autoConfirm: pool.autoConfirm,
    passwordPolicy: pool.passwordPolicy,
    mfa: pool.mfa,
    mfaTypes: pool.mfaTypes,
    requiredAttributes: pool.requiredAttributes,
    customAttributes: pool.customAttributes,
    attributesRequireVerificationBeforeUpdate: pool.attributesRequireVerificationBeforeUpdate,
    tokenValidity: {
      accessToken: pool.validity.access,
      idToken: pool.validity.id,
      refreshToken: pool.validity.refresh
    },
    codeValidity: {
      signUp: pool.validity.signUpCode,
      forgotPassword: pool.validity.forgotCode,
      mfa: pool.validity.mfaCode
    },
    sessionValidity: pool.validity.session,
    temporaryPasswordValidity: pool.validity.temporaryPassword,
    attemptLimit: pool.attemptLimit,
    preventUserExistenceErrors: pool.preventUserExistenceErrors,
    deviceConfiguration: pool.deviceConfiguration,
    allowedFirstAuthFactors: pool.allowedFirstAuthFactors,
    userPoolTier: pool.userPoolTier,
    webAuthn: pool.webAuthn,
    identityPool:
      pool.identityPool === undefined
        ? false
        : {
            ...identityPool,
            identityPoolId: pool.identityPool.identityPoolId,
            allowUnauthenticated: pool.identityPool.allowUnauthenticated,
            credentialsValidity: pool.identityPool.credentialsValidity,
            clientIds: pool.identityPool.clientIds
          }
  }
}

const reveal = (value: Redacted.Redacted<string> | undefined) =>
  value === undefined ? undefined : Redacted.value(value)

/** A user of a snapshot; one written before dates were kept dates from `at` (the restore). */
const restoreUser = (user: Snapshot["users"][number], at: number): State.User => ({
  username: user.username,
  sub: user.sub,
  attributes: { ...user.attributes },
  status: user.status,
  enabled: user.enabled,
  salt: user.salt,
  verifier: Redacted.value(user.verifier),
  mfa: { sms: user.mfa.sms, totp: user.mfa.totp, email: user.mfa.email, preferred: user.mfa.preferred },
  totpSecret: reveal(user.totpSecret),
  pendingTotpSecret: reveal(user.pendingTotpSecret),
  totpUsedStep: user.totpUsedStep,
  failedSignIns: user.failedSignIns,
  codes: {
    signUp: restoreCode(user.codes.signUp),
    forgotPassword: restoreCode(user.codes.forgotPassword),
    verifyEmail: restoreCode(user.codes.verifyEmail),
    verifyPhoneNumber: restoreCode(user.codes.verifyPhoneNumber)
  },
  pendingAttributes: { ...user.pendingAttributes },
  temporaryPasswordExpiresAt: user.temporaryPasswordExpiresAt,
  created: user.created ?? at,
  lastModified: user.lastModified ?? user.created ?? at,
  passwordless: user.passwordless === true,
  webAuthnCredentials: (user.webAuthnCredentials ?? []).map((credential) => ({
    ...credential,
    attachment: credential.attachment
  })),
  webAuthnRegistration: undefined
})

const restoreCode = (
  code: { readonly code: Redacted.Redacted<string>; readonly expiresAt: number; readonly attempts: number } | undefined
) =>
  code === undefined
    ? undefined
    : { code: Redacted.value(code.code), expiresAt: code.expiresAt, attempts: code.attempts }

const restoreIdentityPool = (pool: Snapshot["identityPools"][number]): IdentityPoolState => {
  const identities = new Map(
    pool.identities.map((identity) => [
      identity.identityId,
      { identityId: identity.identityId, logins: new Set(identity.logins) }
    ])
  )
  const byLogin = new Map<string, string>()
  for (const identity of identities.values())
    for (const login of identity.logins) byLogin.set(login, identity.identityId)
  return {
    identities,
    byLogin,
    issued: pool.credentials.map((c) => ({
      identityId: c.identityId,
      accessKeyId: c.accessKeyId,
      roleArn: c.roleArn,
      expiration: new Date(c.expiration),
      at: c.at
    })),
    secrets: new Map(
      pool.credentials.map((c) => [c.accessKeyId, { secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken }])
    )
  }
}

/** The state of a pool restored from `snapshot`; a signing key that does not import fails as `Storage`. */
export const restore = (snapshot: Snapshot, options: TestCognito.Options) =>
  Effect.gen(function* () {
    const keys = yield* importKeyPair(Redacted.value(snapshot.signingKey))
    if (keys === undefined)
      return yield* Effect.fail(
        AuthError.make(
          "Storage",
          "TestCognitoSnapshot",
          "not a valid TestCognito snapshot: signingKey is not an RSA key pair"
        )
      )
    const random = Redacted.value(snapshot.random)
    if (!SeededRandom.isValidState(random))
      return yield* Effect.fail(
        AuthError.make(
          "Storage",
          "TestCognitoSnapshot",
          "not a valid TestCognito snapshot: random is not a generator state"
        )
      )
    const state = yield* State.make(optionsFrom(snapshot, options), { random, keys })
    const at = yield* state.now
    for (const user of snapshot.users) state.users.set(user.username, restoreUser(user, at))
    for (const { token, ...record } of snapshot.refreshTokens)
      state.refreshTokens.set(Redacted.value(token), { ...record })
    for (const device of snapshot.devices ?? [])
      state.devices.set(device.deviceKey, {
        deviceKey: device.deviceKey,
        deviceGroupKey: device.deviceGroupKey,
        username: device.username,
        secret:
          device.secret === undefined
            ? undefined
            : { salt: device.secret.salt, verifier: Redacted.value(device.secret.verifier) },
        name: device.name,
        remembered: device.remembered,
        created: device.created,
        lastModified: device.lastModified,
        lastAuthenticated: device.lastAuthenticated
      })
    for (const origin of snapshot.revokedOrigins) state.revokedOrigins.add(origin)
    for (const client of snapshot.clients)
      state.clients.set(client.clientId, {
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        validity: client.validity
      })
    for (const pool of snapshot.identityPools) state.identityPools.set(pool.identityPoolId, restoreIdentityPool(pool))
    const oauth = snapshot.oauth
    if (oauth !== undefined) {
      state.oauth.domain = oauth.domain
      for (const { clientId, ...settings } of oauth.clients) state.oauth.clients.set(clientId, settings)
      for (const server of oauth.resourceServers) state.oauth.resourceServers.set(server.identifier, server)
      for (const provider of oauth.identityProviders) state.oauth.identityProviders.set(provider.providerName, provider)
    }
    return state
  })
