/**
 * A snapshot of a `TestCognito` pool's durable state, so a pool can stop and start again
 * without losing its users: the pool's settings and ids, its app clients (with their
 * secrets), its users (attributes, status, password verifier, MFA settings and TOTP
 * secrets, pending codes, `sub`, passkeys with their sign counts), its sign-in policy, tier
 * and passkey relying party, its users' devices (with their SRP verifiers), its refresh
 * tokens (and the devices they are bound to) and revocations, its identity pools
 * with their identities and unexpired credentials, the key that signs its tokens (so
 * tokens issued before still verify) and the state of its seeded randomness (so no id,
 * `sub` or code is handed out twice).
 *
 * Taken with `TestCognito.Service.snapshot`, restored with the `restore` option of
 * `TestCognito.layerCognito`; {@link toJson} and {@link fromJson} turn it into JSON and
 * back. Left out: challenge sessions in progress (a sign-in started before a restart
 * starts again), the outbox, the request log, injected faults, the clock offset, and what
 * the options hold as functions (`customAuth`, `federatedProviders`).
 *
 * Secrets are `Redacted` in a decoded snapshot and plain in its JSON: keep the JSON as
 * private as a password file (the local Cognito writes it with mode 0600).
 *
 * @example
 * ```ts
 * import { TestCognito } from "@effect-cognito/test-kit"
 * import * as TestCognitoSnapshot from "@effect-cognito/test-kit/TestCognitoSnapshot"
 * import * as Effect from "effect/Effect"
 *
 * // The pool's state as JSON text, and a new pool restored from it.
 * const restart = Effect.gen(function* () {
 *   const cognito = yield* TestCognito.TestCognito
 *   const json = yield* Effect.flatMap(cognito.snapshot, TestCognitoSnapshot.toJson)
 *   return TestCognito.layerCognito({ restore: yield* TestCognitoSnapshot.fromJson(json) })
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as AuthError from "@effect-cognito/core/AuthError"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"

/** The format this module writes and reads. */
export const version = 1

const Secret = Schema.RedactedFromValue(Schema.String)
const Millis = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))
const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
const Word = Schema.BigIntFromString.check(Schema.isBetweenBigInt({ minimum: 0n, maximum: (1n << 64n) - 1n }))

const MfaType = Schema.Literals(["SMS", "TOTP", "EMAIL"])

/** A code sent to a user and not yet used. */
const Code = Schema.Struct({ code: Secret, expiresAt: Millis, attempts: Count })

/** A user of the pool. */
export const User = Schema.Struct({
  username: Schema.String,
  sub: Schema.String,
  attributes: Schema.Record(Schema.String, Schema.String),
  status: Schema.Literals(["UNCONFIRMED", "CONFIRMED", "FORCE_CHANGE_PASSWORD", "RESET_REQUIRED", "EXTERNAL_PROVIDER"]),
  enabled: Schema.Boolean,
  /** The SRP salt (hex) and verifier of the password. */
  salt: Schema.String.check(Schema.isPattern(/^[0-9a-f]+$/)),
  verifier: Schema.RedactedFromValue(Schema.BigIntFromString),
  mfa: Schema.Struct({
    sms: Schema.Boolean,
    totp: Schema.Boolean,
    email: Schema.Boolean,
    preferred: Schema.optional(MfaType)
  }),
  totpSecret: Schema.optional(Secret),
  pendingTotpSecret: Schema.optional(Secret),
  /** The 30-second step of the last TOTP code accepted (a code is refused when used again). */
  totpUsedStep: Schema.optional(Count),
  failedSignIns: Count,
  codes: Schema.Struct({
    signUp: Schema.optional(Code),
    forgotPassword: Schema.optional(Code),
    verifyEmail: Schema.optional(Code),
    verifyPhoneNumber: Schema.optional(Code)
  }),
  /** New values waiting for their code. */
  pendingAttributes: Schema.optional(
    Schema.Struct({ email: Schema.optional(Schema.String), phone_number: Schema.optional(Schema.String) })
  ),
  /** When a temporary password (AdminCreateUser, AdminSetUserPassword) stops working. */
  temporaryPasswordExpiresAt: Schema.optional(Millis),
  /**
   * When the user was created and last changed (ms): `UserCreateDate` and `UserLastModifiedDate`.
   * Absent in snapshots written before they were kept: a restored user then dates from the restore.
   */
  created: Schema.optional(Millis),
  lastModified: Schema.optional(Millis),
  /** Signed up without a password (absent: false). */
  passwordless: Schema.optional(Schema.Boolean),
  /** The user's passkeys (absent: none). */
  webAuthnCredentials: Schema.optional(
    Schema.Array(
      Schema.Struct({
        credentialId: Schema.String,
        /** The COSE public key, base64url. */
        publicKey: Schema.String,
        signCount: Count,
        relyingPartyId: Schema.String,
        friendlyName: Schema.String,
        attachment: Schema.optional(Schema.String),
        transports: Schema.Array(Schema.String),
        created: Millis
      })
    )
  )
})

/** A refresh token the pool issued. */
export const RefreshToken = Schema.Struct({
  token: Secret,
  username: Schema.String,
  clientId: Schema.String,
  originJti: Schema.String,
  expiresAt: Millis,
  authTime: Schema.Number,
  /** The device it was issued to, on a pool that tracks devices. */
  deviceKey: Schema.optional(Schema.String),
  /** The scopes of a refresh token the Cognito domain issued; absent for the API's. */
  scopes: Schema.optional(Schema.Array(Schema.String)),
  revoked: Schema.Boolean
})

/** A user's device, on a pool that tracks devices. */
export const Device = Schema.Struct({
  deviceKey: Schema.String,
  deviceGroupKey: Schema.String,
  username: Schema.String,
  /** ConfirmDevice's SRP salt (hex) and verifier; absent while the device is not confirmed. */
  secret: Schema.optional(
    Schema.Struct({
      salt: Schema.String.check(Schema.isPattern(/^[0-9a-f]+$/)),
      verifier: Schema.RedactedFromValue(Schema.BigIntFromString)
    })
  ),
  name: Schema.optional(Schema.String),
  remembered: Schema.Boolean,
  created: Millis,
  lastModified: Millis,
  lastAuthenticated: Millis
})

/** Token lifetimes in milliseconds. */
const TokenValidity = Schema.Struct({ access: Millis, id: Millis, refresh: Millis })

/** An app client of the pool beside its own (`withClient`). */
export const Client = Schema.Struct({
  clientId: Schema.String,
  clientSecret: Schema.optional(Secret),
  validity: TokenValidity
})

/** An identity pool of the pool (its own, or one made with `withIdentityPool`) and what it handed out. */
export const IdentityPool = Schema.Struct({
  identityPoolId: Schema.String,
  identities: Schema.Array(Schema.Struct({ identityId: Schema.String, logins: Schema.Array(Schema.String) })),
  credentials: Schema.Array(
    Schema.Struct({
      identityId: Schema.String,
      accessKeyId: Schema.String,
      secretAccessKey: Secret,
      sessionToken: Secret,
      roleArn: Schema.optional(Schema.String),
      expiration: Millis,
      at: Millis
    })
  )
})

/** The pool's settings, as the options set them (durations in milliseconds). */
export const Pool = Schema.Struct({
  region: Schema.String,
  userPoolId: Schema.String,
  clientId: Schema.String,
  clientSecret: Schema.optional(Secret),
  autoConfirm: Schema.Boolean,
  passwordPolicy: Schema.Struct({
    minimumLength: Count,
    requireUppercase: Schema.Boolean,
    requireLowercase: Schema.Boolean,
    requireNumbers: Schema.Boolean,
    requireSymbols: Schema.Boolean
  }),
  mfa: Schema.Literals(["OFF", "OPTIONAL", "ON"]),
  mfaTypes: Schema.Array(MfaType),
  requiredAttributes: Schema.Array(Schema.String),
  /** The custom attributes the pool's schema declares; absent: any is taken (`TestCognito.Options.customAttributes`). */
  customAttributes: Schema.optional(Schema.Array(Schema.String)),
  attributesRequireVerificationBeforeUpdate: Schema.optional(Schema.Array(Schema.Literals(["email", "phone_number"]))),
  validity: Schema.Struct({
    ...TokenValidity.fields,
    signUpCode: Millis,
    forgotCode: Millis,
    mfaCode: Millis,
    session: Millis,
    temporaryPassword: Millis
  }),
  attemptLimit: Count,
  preventUserExistenceErrors: Schema.Boolean,
  /** The pool's device tracking; absent when it tracks no device. */
  deviceConfiguration: Schema.optional(
    Schema.Struct({ challengeRequiredOnNewDevice: Schema.Boolean, deviceOnlyRememberedOnUserPrompt: Schema.Boolean })
  ),
  /** `SignInPolicy.AllowedFirstAuthFactors`; absent: `["PASSWORD"]`. */
  allowedFirstAuthFactors: Schema.optional(
    Schema.Array(Schema.Literals(["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"]))
  ),
  /** The pool's tier; absent: `ESSENTIALS`. */
  userPoolTier: Schema.optional(Schema.Literals(["LITE", "ESSENTIALS", "PLUS"])),
  /** The passkey relying party; absent: none. */
  webAuthn: Schema.optional(
    Schema.Struct({ relyingPartyId: Schema.String, userVerification: Schema.Literals(["required", "preferred"]) })
  ),
  /** The pool's own identity pool; absent when it has none (`identityPool: false`). */
  identityPool: Schema.optional(
    Schema.Struct({
      identityPoolId: Schema.String,
      allowUnauthenticated: Schema.Boolean,
      credentialsValidity: Millis,
      clientIds: Schema.optional(Schema.Array(Schema.String))
    })
  )
})

/** A private RSA key as a JWK. */
const PrivateKey = Schema.Struct({
  kty: Schema.Literal("RSA"),
  n: Schema.String,
  e: Schema.String,
  d: Schema.String,
  p: Schema.String,
  q: Schema.String,
  dp: Schema.String,
  dq: Schema.String,
  qi: Schema.String
})

const OAuthFlow = Schema.Literals(["code", "implicit", "client_credentials"])

/**
 * The pool's Cognito domain and what it serves from: its prefix, the app clients' OAuth
 * settings, resource servers and identity providers (codes and the domain's cookies are
 * left out, as challenge sessions are).
 */
export const OAuth = Schema.Struct({
  domain: Schema.optional(Schema.String),
  clients: Schema.Array(
    Schema.Struct({
      clientId: Schema.String,
      allowedOAuthFlows: Schema.Array(OAuthFlow),
      allowedOAuthFlowsUserPoolClient: Schema.Boolean,
      allowedOAuthScopes: Schema.Array(Schema.String),
      callbackURLs: Schema.Array(Schema.String),
      logoutURLs: Schema.Array(Schema.String),
      supportedIdentityProviders: Schema.Array(Schema.String),
      defaultRedirectURI: Schema.optional(Schema.String)
    })
  ),
  resourceServers: Schema.Array(
    Schema.Struct({
      identifier: Schema.String,
      name: Schema.String,
      scopes: Schema.Array(Schema.Struct({ scopeName: Schema.String, scopeDescription: Schema.String }))
    })
  ),
  identityProviders: Schema.Array(
    Schema.Struct({
      providerName: Schema.String,
      providerType: Schema.Literal("OIDC"),
      providerDetails: Schema.Record(Schema.String, Schema.String),
      clientSecret: Schema.optional(Secret),
      attributeMapping: Schema.optional(Schema.Record(Schema.String, Schema.String)),
      idpIdentifiers: Schema.optional(Schema.Array(Schema.String))
    })
  )
})

/** The snapshot, version {@link version}. */
export const Snapshot = Schema.Struct({
  version: Schema.Literal(version),
  pool: Pool,
  /** The key that signs the pool's tokens. */
  signingKey: Schema.RedactedFromValue(PrivateKey),
  /** Where the pool's seeded randomness stopped (secret: it predicts the next codes). */
  random: Schema.RedactedFromValue(
    Schema.Struct({ s0: Word, s1: Word }).check(
      Schema.makeFilter((state) => state.s0 !== 0n || state.s1 !== 0n || "not both zero")
    )
  ),
  clients: Schema.Array(Client),
  users: Schema.Array(User),
  refreshTokens: Schema.Array(RefreshToken),
  /** The users' devices; absent in snapshots written before devices were kept. */
  devices: Schema.optional(Schema.Array(Device)),
  revokedOrigins: Schema.Array(Schema.String),
  identityPools: Schema.Array(IdentityPool),
  /** The Cognito domain's settings; absent in snapshots written before the domain was kept. */
  oauth: Schema.optional(OAuth)
})

/** A decoded snapshot: secrets `Redacted`. */
export type Snapshot = typeof Snapshot.Type

/** A snapshot as JSON holds it: secrets plain. */
export type Encoded = typeof Snapshot.Encoded

const method = "TestCognitoSnapshot"

const invalid = (description: string) => AuthError.make("Storage", method, description)

// A missing `version` decodes as `undefined` (then reported as not a number), as Effect 3 decoded it.
const Versioned = Schema.Struct({ version: Schema.optionalKey(Schema.Unknown) })

/**
 * Decodes a snapshot from its JSON value. A value of another version, or one that does
 * not decode, fails with a `Storage` error naming what is wrong by path (never a value).
 */
export const decode = (input: unknown): Effect.Effect<Snapshot, AuthError.AuthError> => {
  const versioned = Schema.decodeUnknownExit(Versioned)(input)
  if (Exit.isFailure(versioned)) return Effect.fail(invalid("not a TestCognito snapshot (no version)"))
  if (versioned.value.version !== version)
    return Effect.fail(
      invalid(
        `snapshot version ${typeof versioned.value.version === "number" ? versioned.value.version : "(not a number)"} is not supported: this TestCognito reads version ${version}`
      )
    )
  return Schema.decodeUnknownEffect(Snapshot, { onExcessProperty: "ignore", errors: "all" })(input).pipe(
    Effect.mapError((error) => invalid(`not a valid TestCognito snapshot: ${TokenStore.describeProblem(error)}`))
  )
}

/** Decodes a snapshot from JSON text (see {@link decode}); text that is not JSON fails as `Storage`. */
export const fromJson = (text: string): Effect.Effect<Snapshot, AuthError.AuthError> =>
  Effect.suspend(() => {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return Effect.fail(invalid("not a TestCognito snapshot: the text is not JSON"))
    }
    return decode(value)
  })

/**
 * The JSON value of a snapshot: secrets in plain text. A snapshot that breaks the format
 * (a negative lifetime set in the options, say) fails as `Storage`, naming where.
 */
export const encode = (snapshot: Snapshot): Effect.Effect<Encoded, AuthError.AuthError> =>
  Schema.encodeEffect(Snapshot)(snapshot).pipe(
    Effect.mapError((error) => invalid(`cannot encode the snapshot: ${TokenStore.describeProblem(error)}`))
  )

/** The JSON text of a snapshot: secrets in plain text (see {@link encode}). */
export const toJson = (snapshot: Snapshot): Effect.Effect<string, AuthError.AuthError> =>
  Effect.map(encode(snapshot), (encoded) => JSON.stringify(encoded))
