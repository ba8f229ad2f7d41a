/**
 * Tokens: RS256 access and id tokens with Cognito's claims, opaque refresh tokens, and
 * their validation and revocation (by token and by origin, as GlobalSignOut revokes). On a
 * pool that tracks devices, tokens belong to a device: the access token names it
 * (`device_key`), the refresh token is bound to it, and a sign-in from a device the pool
 * does not know makes one and returns its `NewDeviceMetadata`.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { Claims } from "../jwt.js"
import type { Devices } from "./devices.js"
import type { AuthResponse, Device, Secret, State, User } from "./state.js"

/**
 * The user's attributes as id-token claims: `email_verified` and `phone_number_verified`
 * are JSON booleans, as Cognito sends them (false for an address not yet verified).
 */
export const idTokenAttributes = (attributes: Readonly<Record<string, string>>): Record<string, Claims[string]> => {
  const claims: Record<string, Claims[string]> = { ...attributes }
  // A federated user's `identities` attribute is JSON text; the id token carries it as an array.
  if (attributes.identities !== undefined) claims.identities = parseIdentities(attributes.identities)
  for (const base of ["email", "phone_number"]) {
    const name = `${base}_verified`
    if (attributes[base] !== undefined || attributes[name] !== undefined) claims[name] = attributes[name] === "true"
  }
  return claims
}

const parseIdentities = (text: string): Claims[string] => {
  try {
    return JSON.parse(text) as Claims[string]
  } catch {
    return text
  }
}

/** The tokens of one pool. */
export const make = (state: State, devices: Devices) => {
  const {
    config,
    validity,
    issuer,
    signer,
    now,
    uuid,
    randomHex,
    refreshTokens,
    revokedOrigins,
    users,
    reject,
    deviceConfiguration
  } = state
  const issueTokens = (
    user: User,
    origin?: {
      readonly originJti: string
      readonly authTime: number
      /** The domain's scopes (kept by its refresh tokens); default Cognito's API scope. */
      readonly scopes?: ReadonlyArray<string> | undefined
    },
    deviceKey?: string,
    /** The domain's additions: the id token's `nonce`, federated `identities`, the access token's `version`. */
    extra?: {
      readonly idClaims?: Readonly<Record<string, unknown>>
      readonly accessClaims?: Readonly<Record<string, unknown>>
    }
  ) =>
    Effect.gen(function* () {
      const at = yield* now
      const iat = Math.floor(at / 1000)
      const originJti = origin?.originJti ?? (yield* uuid)
      const authTime = origin?.authTime ?? iat
      const common = {
        sub: user.sub,
        iss: issuer,
        origin_jti: originJti,
        event_id: yield* uuid,
        auth_time: authTime,
        iat
      }
      const accessToken = yield* signer.sign({
        ...common,
        client_id: config.clientId,
        token_use: "access",
        scope: (origin?.scopes ?? ["aws.cognito.signin.user.admin"]).join(" "),
        ...(deviceKey === undefined ? {} : { device_key: deviceKey }),
        exp: iat + Math.floor(validity.access / 1000),
        jti: crypto.randomUUID(),
        username: user.username,
        ...(extra?.accessClaims as Claims | undefined)
      })
      const idToken = yield* signer.sign({
        ...idTokenAttributes(user.attributes),
        ...common,
        "cognito:username": user.username,
        aud: config.clientId,
        token_use: "id",
        exp: iat + Math.floor(validity.id / 1000),
        jti: crypto.randomUUID(),
        ...(extra?.idClaims as Claims | undefined)
      })
      return { accessToken, idToken, originJti, authTime, at }
    })

  const newRefreshToken = (
    user: User,
    originJti: string,
    authTime: number,
    at: number,
    deviceKey?: string,
    scopes?: ReadonlyArray<string>
  ) =>
    Effect.map(randomHex(64), (token) => {
      refreshTokens.set(token, {
        username: user.username,
        clientId: config.clientId,
        originJti,
        authTime,
        expiresAt: at + validity.refresh,
        ...(deviceKey === undefined ? {} : { deviceKey }),
        ...(scopes === undefined ? {} : { scopes }),
        revoked: false
      })
      return Redacted.make(token)
    })

  /**
   * A completed sign-in's tokens. On a pool that tracks devices they belong to the known
   * device the sign-in ran on, or to a new one whose `NewDeviceMetadata` they carry.
   */
  const authenticated = (user: User, known?: Device): Effect.Effect<AuthResponse> =>
    Effect.gen(function* () {
      const device = deviceConfiguration === undefined ? undefined : (known ?? (yield* devices.newDevice(user)))
      if (known !== undefined) known.lastAuthenticated = yield* now
      const tokens = yield* issueTokens(user, undefined, device?.deviceKey)
      const refreshToken = yield* newRefreshToken(user, tokens.originJti, tokens.authTime, tokens.at, device?.deviceKey)
      return {
        _tag: "Authenticated",
        tokens: {
          accessToken: tokens.accessToken,
          idToken: tokens.idToken,
          refreshToken,
          expiresIn: Math.floor(validity.access / 1000),
          tokenType: "Bearer",
          ...(device === undefined || device === known
            ? {}
            : { newDeviceMetadata: { deviceKey: device.deviceKey, deviceGroupKey: device.deviceGroupKey } })
        }
      } as const
    })

  const validRefreshToken = (action: string, token: Secret) =>
    Effect.gen(function* () {
      const record = refreshTokens.get(Redacted.value(token))
      if (record === undefined || record.clientId !== config.clientId)
        return yield* reject(action, "NotAuthorizedException", "Invalid Refresh Token")
      if (record.revoked || revokedOrigins.has(record.originJti))
        return yield* reject(action, "NotAuthorizedException", "Refresh Token has been revoked")
      if ((yield* now) >= record.expiresAt)
        return yield* reject(action, "NotAuthorizedException", "Refresh Token has expired")
      const user = users.get(record.username)
      if (user === undefined) return yield* reject(action, "UserNotFoundException", "User does not exist.")
      if (!user.enabled) return yield* reject(action, "NotAuthorizedException", "User is disabled.")
      if (user.status === "RESET_REQUIRED")
        return yield* reject(action, "PasswordResetRequiredException", "Password reset required for the user")
      return { record, user }
    })

  const validAccessToken = (action: string, token: Secret) =>
    Effect.gen(function* () {
      const claims = yield* signer.verify(Redacted.value(token))
      if (claims === undefined || claims.token_use !== "access" || claims.client_id !== config.clientId)
        return yield* reject(action, "NotAuthorizedException", "Invalid Access Token")
      if (typeof claims.exp !== "number" || (yield* now) >= claims.exp * 1000)
        return yield* reject(action, "NotAuthorizedException", "Access Token has expired")
      if (typeof claims.origin_jti !== "string" || revokedOrigins.has(claims.origin_jti))
        return yield* reject(action, "NotAuthorizedException", "Access Token has been revoked")
      const user = users.get(String(claims.username))
      if (user === undefined) return yield* reject(action, "UserNotFoundException", "User does not exist.")
      if (!user.enabled) return yield* reject(action, "NotAuthorizedException", "User is disabled.")
      return user
    })

  const revokeUserTokens = (username: string) => {
    for (const record of refreshTokens.values())
      if (record.username === username) {
        record.revoked = true
        revokedOrigins.add(record.originJti)
      }
  }

  return { issueTokens, newRefreshToken, authenticated, validRefreshToken, validAccessToken, revokeUserTokens }
}

/** The tokens of a pool. */
export type Tokens = ReturnType<typeof make>
