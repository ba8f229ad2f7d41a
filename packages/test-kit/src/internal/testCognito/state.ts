/**
 * TestCognito's state and the plumbing every action shares: the pool's configuration,
 * its users, challenge sessions and refresh tokens, the outbox and request log, injected
 * faults, the server's clock and seeded randomness, and Cognito-shaped failures.
 *
 * @internal
 */
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import * as AuthError from "@effect-cognito/core/AuthError"
import type * as IdentityProvider from "@effect-cognito/core/IdentityProvider"
import * as SecureRandom from "@effect-cognito/core/SecureRandom"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type * as TestCognito from "../../TestCognito.js"
import type * as TestCognitoSnapshot from "../../TestCognitoSnapshot.js"
import { type KeyPair, makeSigner } from "../jwt.js"
import * as SeededRandom from "../seededRandom.js"
import type { IdentityPoolState } from "./identityPool.js"
import * as OAuth from "./oauth.js"

export type Secret = Redacted.Redacted<string>
export type Action = TestCognito.Action
export type AuthResponse = IdentityProvider.AuthResponse

export interface Code {
  readonly code: string
  readonly expiresAt: number
  attempts: number
}

export interface User {
  readonly username: string
  readonly sub: string
  attributes: Record<string, string>
  status: TestCognito.UserStatus
  enabled: boolean
  salt: string
  verifier: bigint
  mfa: { sms: boolean; totp: boolean; email: boolean; preferred: TestCognito.MfaType | undefined }
  totpSecret: string | undefined
  pendingTotpSecret: string | undefined
  /** The 30-second step of the last TOTP code accepted: a code of that step or before is refused. */
  totpUsedStep: number | undefined
  failedSignIns: number
  codes: {
    signUp?: Code | undefined
    forgotPassword?: Code | undefined
    /** The code sent to verify a changed (or unverified) email, or phone number. */
    verifyEmail?: Code | undefined
    verifyPhoneNumber?: Code | undefined
  }
  /** New values waiting for their code (`attributesRequireVerificationBeforeUpdate`). */
  pendingAttributes: { email?: string | undefined; phone_number?: string | undefined }
  /** When the temporary password stops working (FORCE_CHANGE_PASSWORD only). */
  temporaryPasswordExpiresAt: number | undefined
  /** When the user was created, by the server's clock (ms): Cognito's `UserCreateDate`. */
  readonly created: number
  /** When the user last changed (attributes, password, status, enabled): `UserLastModifiedDate`. */
  lastModified: number
  /** Signed up without a password: PASSWORD and PASSWORD_SRP are not first factors of this user until one is set. */
  passwordless: boolean
  /** The user's passkeys, in the order they were registered. */
  webAuthnCredentials: Array<WebAuthnCredential>
  /** The challenge of the passkey registration in progress (StartWebAuthnRegistration), single use. */
  webAuthnRegistration: { readonly challenge: string; readonly expiresAt: number } | undefined
}

/** A passkey of a user: its public key (COSE, base64url) and the sign count of its last assertion. */
export interface WebAuthnCredential {
  readonly credentialId: string
  readonly publicKey: string
  signCount: number
  readonly relyingPartyId: string
  readonly friendlyName: string
  readonly attachment: string | undefined
  readonly transports: ReadonlyArray<string>
  readonly created: number
}

/** The pool's choice-based sign-in settings; UpdateUserPool and SetUserPoolMfaConfig change them. */
export interface SignInSettings {
  allowedFirstAuthFactors: ReadonlyArray<TestCognito.AllowedFirstAuthFactor>
  userPoolTier: TestCognito.UserPoolTier
  webAuthn: { readonly relyingPartyId: string; readonly userVerification: "required" | "preferred" } | undefined
}

/** A challenge in progress, keyed by its session token (or SRP secret block). */
export interface ChallengeSession {
  readonly username: string
  readonly challenge: string
  readonly expiresAt: number
  readonly custom: boolean
  code?: Code | undefined
  srp?: { readonly b: bigint; readonly B: bigint; readonly srpB: string; readonly srpA: string } | undefined
  customAnswer?: string | undefined
  allowed?: ReadonlyArray<string> | undefined
  totpSecret?: string | undefined
  totpVerified?: boolean | undefined
  /** The device the sign-in runs on (`DEVICE_KEY`), carried from step to step. */
  deviceKey?: string | undefined
  /** DEVICE_PASSWORD_VERIFIER: the `SECRET_BLOCK` the claim must sign. */
  secretBlock?: string | undefined
  /** WEB_AUTHN: the challenge (base64url) the assertion must sign. */
  webAuthnChallenge?: string | undefined
}

export interface RefreshToken {
  readonly username: string
  /** The app client it was issued to: only that client may use it. */
  readonly clientId: string
  readonly originJti: string
  readonly expiresAt: number
  readonly authTime: number
  /** On a pool that tracks devices: the device it was issued to, whose `DEVICE_KEY` a refresh must send. */
  readonly deviceKey?: string | undefined
  /** The scopes of a refresh token the domain issued; its refreshed access tokens keep them. */
  readonly scopes?: ReadonlyArray<string> | undefined
  revoked: boolean
}

/**
 * A device of a user, on a pool that tracks devices: made by a sign-in from a device the
 * pool did not know (`NewDeviceMetadata`), confirmed with its SRP verifier (`ConfirmDevice`).
 */
export interface Device {
  readonly deviceKey: string
  readonly deviceGroupKey: string
  readonly username: string
  /** The device's SRP salt (hex) and verifier, from ConfirmDevice; absent until then. */
  secret: { readonly salt: string; readonly verifier: bigint } | undefined
  name: string | undefined
  remembered: boolean
  readonly created: number
  lastModified: number
  lastAuthenticated: number
}

/** A pool's device tracking, with Cognito's defaults filled in. */
export interface DeviceConfiguration {
  readonly challengeRequiredOnNewDevice: boolean
  readonly deviceOnlyRememberedOnUserPrompt: boolean
}

const defaultPolicy: TestCognito.PasswordPolicy = {
  minimumLength: 8,
  requireUppercase: true,
  requireLowercase: true,
  requireNumbers: true,
  requireSymbols: true
}

const millis = (input: Duration.Input | undefined, fallback: Duration.Input) => Duration.toMillis(input ?? fallback)

export const toBase64 = (bytes: Uint8Array) => {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}
export const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")

/** Another app client of the pool, as `withClient` registered it. */
export interface RegisteredClient {
  readonly clientId: string
  readonly clientSecret: Secret | undefined
  readonly validity: { readonly access: number; readonly id: number; readonly refresh: number }
}

/** What a pool restored from a snapshot starts from instead of its seed and a new signing key. */
export interface Restored {
  readonly random: SeededRandom.RandomState
  readonly keys: KeyPair
}

/** The uuid part of the default identity pool id. */
export const defaultIdentityPoolUuid = "0e5b7f4a-3c1d-4e2f-9a8b-7c6d5e4f3a2b"

/**
 * Builds the empty pool: seeded by the options, with a signing key of its own (generated
 * on first use), or continuing a snapshot's randomness and key.
 */
export const make = (options: TestCognito.Options, restored?: Restored) =>
  Effect.gen(function* () {
    const region = options.region ?? "us-east-1"
    const identityPoolOptions = options.identityPool === false ? {} : (options.identityPool ?? {})
    const config = yield* AuthConfig.make({
      region,
      userPoolId: options.userPoolId ?? `${region}_TestPool1`,
      clientId: options.clientId ?? "testclient1234567890",
      clientSecret: options.clientSecret,
      ...(options.identityPool === false
        ? {}
        : { identityPoolId: identityPoolOptions.identityPoolId ?? `${region}:${defaultIdentityPoolUuid}` }),
      ...options.config
    })
    const policy = { ...defaultPolicy, ...options.passwordPolicy }
    const poolMfa = options.mfa ?? "OPTIONAL"
    const poolMfaTypes = options.mfaTypes ?? ["SMS", "TOTP", "EMAIL"]
    const attemptLimit = options.attemptLimit ?? 5
    const validity = {
      access: millis(options.tokenValidity?.accessToken, "1 hour"),
      id: millis(options.tokenValidity?.idToken, "1 hour"),
      refresh: millis(options.tokenValidity?.refreshToken, "30 days"),
      signUpCode: millis(options.codeValidity?.signUp, "24 hours"),
      forgotCode: millis(options.codeValidity?.forgotPassword, "1 hour"),
      mfaCode: millis(options.codeValidity?.mfa, "3 minutes"),
      session: millis(options.sessionValidity, "3 minutes"),
      temporaryPassword: millis(options.temporaryPasswordValidity, "7 days")
    }
    const issuer = options.issuer ?? `https://cognito-idp.${region}.amazonaws.com/${config.userPoolId}`
    const keys = restored?.keys
    const signer = makeSigner(`${config.poolName}-key-1`, keys === undefined ? undefined : Effect.succeed(keys))
    const random = SeededRandom.fromState(restored?.random ?? SeededRandom.initialState(options.seed ?? 1))
    const withRandom = <A, E>(effect: Effect.Effect<A, E, SecureRandom.SecureRandom>) =>
      Effect.provideService(effect, SecureRandom.SecureRandom, random)

    const users = new Map<string, User>()
    /**
     * Usernames a sign-up or admin creation has claimed and not yet stored: the existence
     * check and the claim happen in one step, so two requests for one name cannot both pass.
     */
    const reservedUsernames = new Set<string>()
    const sessions = new Map<string, ChallengeSession>()
    const refreshTokens = new Map<string, RefreshToken>()
    /** The users' devices, by device key, in the order they were made. */
    const devices = new Map<string, Device>()
    const deviceConfiguration: DeviceConfiguration | undefined =
      options.deviceConfiguration === undefined
        ? undefined
        : {
            challengeRequiredOnNewDevice: options.deviceConfiguration.challengeRequiredOnNewDevice === true,
            deviceOnlyRememberedOnUserPrompt: options.deviceConfiguration.deviceOnlyRememberedOnUserPrompt === true
          }
    const signIn: SignInSettings = {
      allowedFirstAuthFactors: options.allowedFirstAuthFactors ?? ["PASSWORD"],
      userPoolTier: options.userPoolTier ?? "ESSENTIALS",
      webAuthn:
        options.webAuthn === undefined
          ? undefined
          : {
              relyingPartyId: options.webAuthn.relyingPartyId,
              userVerification: options.webAuthn.userVerification ?? "preferred"
            }
    }
    const revokedOrigins = new Set<string>()
    const outbox: Array<TestCognito.Message> = []
    const requests: Array<TestCognito.Request> = []
    const faults = new Map<Action, Array<TestCognito.Fault>>()
    const clock = { offset: 0 }
    /** The Cognito domain, its clients' OAuth settings, resource servers, identity providers, codes and cookies. */
    const oauth = OAuth.makeState()
    /** The app clients `withClient` made, by id. */
    const clients = new Map<string, RegisteredClient>()
    /** The identity pools' identities and credentials, by identity pool id. */
    const identityPools = new Map<string, IdentityPoolState>()
    /** The pool's settings as a snapshot records them; the same for every app client's view. */
    const settings: TestCognitoSnapshot.Snapshot["pool"] = {
      region,
      userPoolId: config.userPoolId,
      clientId: config.clientId,
      ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
      autoConfirm: options.autoConfirm === true,
      passwordPolicy: policy,
      mfa: poolMfa,
      mfaTypes: poolMfaTypes,
      requiredAttributes: options.requiredAttributes ?? [],
      ...(options.customAttributes === undefined ? {} : { customAttributes: options.customAttributes }),
      ...(options.attributesRequireVerificationBeforeUpdate === undefined ||
      options.attributesRequireVerificationBeforeUpdate.length === 0
        ? {}
        : { attributesRequireVerificationBeforeUpdate: options.attributesRequireVerificationBeforeUpdate }),
      validity,
      attemptLimit,
      preventUserExistenceErrors: options.preventUserExistenceErrors === true,
      ...(deviceConfiguration === undefined ? {} : { deviceConfiguration }),
      ...(options.identityPool === false || config.identityPoolId === undefined
        ? {}
        : {
            identityPool: {
              identityPoolId: config.identityPoolId,
              allowUnauthenticated: identityPoolOptions.allowUnauthenticated ?? true,
              credentialsValidity: millis(identityPoolOptions.credentialsValidity, "1 hour"),
              ...(identityPoolOptions.clientIds === undefined ? {} : { clientIds: identityPoolOptions.clientIds })
            }
          })
    }

    const now = Effect.map(Clock.currentTimeMillis, (t) => t + clock.offset)
    /** Records that a user changed now (`UserLastModifiedDate`). */
    const touch = (user: User) =>
      Effect.map(now, (at) => {
        user.lastModified = at
      })
    const randomHex = (size: number) => Effect.map(random.nextBytes(size), hex)
    const uuid = Effect.map(random.nextBytes(16), (b) => {
      b[6] = (b[6]! & 0x0f) | 0x40
      b[8] = (b[8]! & 0x3f) | 0x80
      const h = hex(b)
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
    })
    const sixDigits = Effect.map(random.nextBytes(4), (b) =>
      String(new DataView(b.buffer).getUint32(0) % 1_000_000).padStart(6, "0")
    )

    // Failures, as Cognito names them.
    const error = (action: string, exception: string, message: string) =>
      AuthError.make(AuthError.reasonFromException(exception) ?? "InvalidResponse", action, message, {
        exception,
        status: exception === "InternalErrorException" ? 500 : 400
      })
    const reject = (action: string, exception: string, message: string) =>
      Effect.fail(error(action, exception, message))

    /**
     * Drops the challenge sessions that expired by `at`. Sessions are kept in the order
     * they were made and all live `validity.session`, so the expired ones come first: the
     * scan stops at the first live one, and costs nothing per request beyond what it frees.
     */
    const pruneSessions = (at: number) => {
      for (const [key, session] of sessions) {
        if (session.expiresAt > at) break
        sessions.delete(key)
      }
    }

    /** Logs the request and prunes expired sessions, then serves it unless a fault was injected. */
    const serve =
      (
        action: Action,
        detail: {
          readonly challengeName?: IdentityProvider.ChallengeName | undefined
          readonly deviceKey?: string | undefined
        } = {}
      ) =>
      <A>(body: Effect.Effect<A, AuthError.AuthError>): Effect.Effect<A, AuthError.AuthError> =>
        Effect.gen(function* () {
          const at = yield* now
          const { challengeName, deviceKey } = detail
          requests.push({
            action,
            at,
            ...(challengeName === undefined ? {} : { challengeName }),
            ...(deviceKey === undefined ? {} : { deviceKey })
          })
          pruneSessions(at)
          const queued = faults.get(action)
          const fault = queued?.shift()
          if (fault !== undefined) {
            if (fault === "Transport")
              return yield* Effect.fail(
                AuthError.make("Transport", action, "connection reset (injected by TestCognito)")
              )
            if (fault === "TooManyRequests") return yield* reject(action, "TooManyRequestsException", "Rate exceeded")
            if (fault === "InternalError")
              return yield* reject(action, "InternalErrorException", "Internal server error (injected)")
            return yield* reject(action, fault.exception, fault.message ?? "Injected by TestCognito")
          }
          return yield* body
        })

    const userNotFound = (action: string) =>
      options.preventUserExistenceErrors === true
        ? reject(action, "NotAuthorizedException", "Incorrect username or password.")
        : reject(action, "UserNotFoundException", "User does not exist.")

    const findUser = (action: string, username: string) => {
      const user = users.get(username)
      return user === undefined ? userNotFound(action) : Effect.succeed(user)
    }

    return {
      options,
      identityPoolOptions,
      config,
      policy,
      poolMfa,
      poolMfaTypes,
      attemptLimit,
      validity,
      issuer,
      signer,
      random,
      withRandom,
      users,
      reservedUsernames,
      sessions,
      refreshTokens,
      devices,
      deviceConfiguration,
      signIn,
      revokedOrigins,
      outbox,
      requests,
      faults,
      clock,
      clients,
      identityPools,
      oauth,
      settings,
      now,
      touch,
      randomHex,
      uuid,
      sixDigits,
      error,
      reject,
      serve,
      findUser
    }
  })

/** The pool's state and shared plumbing. */
export type State = Effect.Success<ReturnType<typeof make>>
