/**
 * Where the session lives between calls and across restarts.
 *
 * A session (tokens, username, identity id, measured clock skew) is one Schema-encoded
 * value with a version field, written in one write, so a reader never sees half of one.
 * Beside it, under their own keys, a guest's identity id, a federated sign-in and, for
 * each user who signed in here on a pool that tracks devices, this client's device (its
 * keys and its device password), which outlives sign-out until the device is forgotten.
 * Implementations supply three primitives on strings (`get`, `set`, `remove`) through
 * {@link make}; the core does the coding. A stored value that does not decode (corrupted,
 * an older version, hand-edited, JSON nested deeper than 64 levels, which is refused
 * before it is parsed) counts as signed out: it is removed and logged, never a
 * defect. The log says where the value is wrong (paths and kinds of problem), never what
 * it holds: a corrupt value may still hold tokens. A store that fails gives `AuthError`
 * reason `Storage`.
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as KeyValueStore from "effect/persistence/KeyValueStore"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as SchemaIssue from "effect/SchemaIssue"
import * as AuthConfig from "./AuthConfig.js"
import * as AuthError from "./AuthError.js"
import { utf8 } from "./internal/encoding.js"
import * as SchemaIssues from "./internal/schemaIssues.js"
import * as tags from "./internal/tags.js"

/** The session of a signed-in user. Tokens are `Redacted`; they encode to plain strings only in the store. */
export class Session extends Schema.Class<Session>("@effect-cognito/core/Session")({
  /** Cognito's username (`cognito:username`), not an alias. */
  username: Schema.String,
  idToken: Schema.RedactedFromValue(Schema.String),
  accessToken: Schema.RedactedFromValue(Schema.String),
  refreshToken: Schema.RedactedFromValue(Schema.String),
  /** The identity pool identity, once known. */
  identityId: Schema.optional(Schema.String),
  /** Server time minus device time, in milliseconds, measured from the tokens' `iat` when they arrived. */
  clockSkewMillis: Schema.Number
}) {}

/** The current storage format. */
export const version = 1

const Stored = Schema.fromJsonString(
  Schema.Struct({
    version: Schema.Literal(version),
    session: Session
  })
)

/** An identity-pool identity id: `<region>:<uuid>`. */
const IdentityId = Schema.String.check(Schema.isPattern(/^[a-z]{2}(-[a-z]+)+-\d+:[0-9a-f-]{36}$/))

/** A guest identity id as stored, versioned like the session. */
const StoredGuest = Schema.fromJsonString(
  Schema.Struct({
    version: Schema.Literal(version),
    identityId: IdentityId
  })
)

/**
 * A federated sign-in (a third-party provider's token accepted by the identity pool), kept
 * so a restart finds the user signed in, as AWSMobileClient and Amplify keep it. The token
 * is `Redacted`; it encodes to a plain string only in the store.
 */
export class Federation extends Schema.Class<Federation>("@effect-cognito/core/Federation")({
  /** The provider's name in the identity pool's logins, e.g. `accounts.google.com`. */
  provider: Schema.String,
  /** The provider's token the identity pool accepted. */
  token: Schema.RedactedFromValue(Schema.String),
  /** The identity the pool gave for it. */
  identityId: IdentityId,
  /** The role asked for, when one was. */
  customRoleArn: Schema.optional(Schema.String)
}) {}

const StoredFederation = Schema.fromJsonString(
  Schema.Struct({
    version: Schema.Literal(version),
    federation: Federation
  })
)

/**
 * This client's device for one user of a pool that tracks devices: the keys of Cognito's
 * `NewDeviceMetadata` and the random device password of device SRP (`Redacted`; it encodes
 * to a plain string only in the store). A sign-in sends its key as `DEVICE_KEY`; a
 * remembered device answers `DEVICE_SRP_AUTH` with the password and skips MFA.
 */
export class StoredDevice extends Schema.Class<StoredDevice>("@effect-cognito/core/StoredDevice")({
  /** Cognito's username (`cognito:username`) whose device this is. */
  username: Schema.String,
  /** `<region>_<uuid>`. */
  deviceKey: Schema.String,
  deviceGroupKey: Schema.String,
  devicePassword: Schema.RedactedFromValue(Schema.String),
  /**
   * Whether `ConfirmDevice` succeeded. An unconfirmed device is never offered at sign-in (the
   * next sign-in goes as a new device), but refreshes still send its key: Cognito bound the
   * refresh token to it.
   */
  confirmed: Schema.Boolean
}) {}

const StoredDeviceRecord = Schema.fromJsonString(
  Schema.Struct({
    version: Schema.Literal(version),
    device: StoredDevice
  })
)

/**
 * What is wrong with a stored value, by path and kind only: never a value, nor the JSON
 * parser's message (it quotes the text it failed on). Whole issues up to about 500
 * characters, then how many more there are.
 */
export const describeProblem: (error: Schema.SchemaError | SchemaIssue.Issue) => string = SchemaIssues.describe

const sessionKeyPattern = /^[A-Za-z0-9_-]{1,128}$/

/**
 * The store key of an app client's session: `effect-cognito.<userPoolId>.<clientId>.session`,
 * or, for one of several sessions of the same app client (one per end user of a server),
 * `effect-cognito.<userPoolId>.<clientId>.<sessionKey>.session`. A session key is 1 to 128
 * letters, digits, `_` or `-` (see {@link validateSessionKey}), so no two keys share a store entry.
 */
export const keyFor = (config: AuthConfig.Validated, sessionKey?: string): string =>
  sessionKey === undefined
    ? `effect-cognito.${config.userPoolId}.${config.clientId}.session`
    : `effect-cognito.${config.userPoolId}.${config.clientId}.${sessionKey}.session`

/**
 * Checks a session key: 1 to 128 letters, digits, `_` or `-`. Anything else (an email, a
 * path) fails with `InvalidConfig` without echoing it: hash or encode such ids first.
 */
export const validateSessionKey = (sessionKey: string): Effect.Effect<string, AuthError.AuthError> =>
  typeof sessionKey === "string" && sessionKeyPattern.test(sessionKey)
    ? Effect.succeed(sessionKey)
    : Effect.fail(
        AuthError.make(
          "InvalidConfig",
          "TokenStore",
          "sessionKey: expected 1 to 128 letters, digits, _ or - (not shown: hash or encode ids such as emails)"
        )
      )

/** The types of the `TokenStore` service. */
export declare namespace TokenStore {
  /** What an implementation supplies: string primitives. Failures are `Storage` errors. */
  export interface Backing {
    readonly get: (key: string) => Effect.Effect<Option.Option<string>, AuthError.AuthError>
    readonly set: (key: string, value: string) => Effect.Effect<void, AuthError.AuthError>
    readonly remove: (key: string) => Effect.Effect<void, AuthError.AuthError>
  }
  /** What the flows use. */
  export interface Service {
    /** The stored session; `None` when there is none or it does not decode (then it is removed). */
    readonly load: Effect.Effect<Option.Option<Session>, AuthError.AuthError>
    /** Writes the whole session in one write. */
    readonly save: (session: Session) => Effect.Effect<void, AuthError.AuthError>
    readonly clear: Effect.Effect<void, AuthError.AuthError>
    /**
     * The guest's identity-pool identity id, kept between runs so a guest keeps one
     * identity (as Amplify and AWSMobileClient keep it); `None` when there is none or it
     * does not decode (then it is removed).
     */
    readonly loadGuestIdentityId: Effect.Effect<Option.Option<string>, AuthError.AuthError>
    readonly saveGuestIdentityId: (identityId: string) => Effect.Effect<void, AuthError.AuthError>
    readonly clearGuestIdentityId: Effect.Effect<void, AuthError.AuthError>
    /**
     * The federated sign-in, kept between runs; `None` when there is none or it does not
     * decode (then it is removed).
     */
    readonly loadFederation: Effect.Effect<Option.Option<Federation>, AuthError.AuthError>
    readonly saveFederation: (federation: Federation) => Effect.Effect<void, AuthError.AuthError>
    readonly clearFederation: Effect.Effect<void, AuthError.AuthError>
    /**
     * This client's device for `username` (Cognito's username); `None` when there is none,
     * or it does not decode or names another user (then it is removed).
     */
    readonly loadDevice: (username: string) => Effect.Effect<Option.Option<StoredDevice>, AuthError.AuthError>
    /** Writes the device of `device.username`, replacing any other of that user. */
    readonly saveDevice: (device: StoredDevice) => Effect.Effect<void, AuthError.AuthError>
    readonly clearDevice: (username: string) => Effect.Effect<void, AuthError.AuthError>
    /**
     * The key this store writes the session under; the guest identity id goes under
     * `<key>.guest`, the federated sign-in under `<key>.federation`, a user's device under
     * `<key>.device.<h>` (see {@link deviceKeyFor}).
     */
    readonly key: string
  }
}

/** The service's identifier in the context. */
export interface TokenStore {
  readonly _: unique symbol
}

/** The store of the session, as a service. */
export const TokenStore: Context.Service<TokenStore, TokenStore.Service> = tags.tokenStore

/** A `Storage` error for a failed store operation. */
export const storageError = (operation: string, cause: unknown): AuthError.AuthError =>
  AuthError.make("Storage", `TokenStore.${operation}`, `the token store failed to ${operation}`, { cause })

/**
 * Versioned values of one kind, each under its key: loaded (a value that does not decode is
 * removed and logged by path and kind of problem, never by content), saved in one write,
 * cleared. The codecs are built once per kind, for every store; the span of each operation
 * is made when it runs, without a call site (it would always point here), so a store built for
 * each of many users captures no stack, nor does any of its operations.
 */
const noCallSite = { captureStackTrace: false } as const

class Records<A> {
  readonly decode: (text: string) => Result.Result<A, string>
  readonly encode: (value: A) => Effect.Effect<string, Schema.SchemaError>
  readonly name: string
  readonly corrupt: string
  constructor(schema: Schema.Codec<A, string>, name: string, corrupt: string) {
    this.decode = SchemaIssues.jsonTextDecoder(schema)
    this.encode = Schema.encodeEffect(schema)
    this.name = name
    this.corrupt = corrupt
  }
  load(backing: TokenStore.Backing, key: string): Effect.Effect<Option.Option<A>, AuthError.AuthError> {
    const load = Effect.flatMap(backing.get(key), (stored) => {
      if (Option.isNone(stored)) return Effect.succeed(Option.none<A>())
      const decoded = this.decode(stored.value)
      if (Result.isSuccess(decoded)) return Effect.succeed(Option.some(decoded.success))
      return Effect.logWarning(`effect-cognito: the stored ${this.corrupt}`).pipe(
        Effect.annotateLogs({ key, problem: decoded.failure }),
        Effect.andThen(backing.remove(key)),
        Effect.as(Option.none<A>())
      )
    })
    // Data-first: the pipeable form captures a call site whatever its options say.
    return Effect.withSpan(load, `TokenStore.load${this.name}`, noCallSite)
  }
  save(backing: TokenStore.Backing, key: string, value: A): Effect.Effect<void, AuthError.AuthError> {
    const save = this.encode(value).pipe(
      Effect.mapError((e) => storageError("encode", e)),
      Effect.flatMap((encoded) => backing.set(key, encoded))
    )
    return Effect.withSpan(save, `TokenStore.save${this.name}`, noCallSite)
  }
  clear(backing: TokenStore.Backing, key: string): Effect.Effect<void, AuthError.AuthError> {
    return Effect.withSpan(backing.remove(key), `TokenStore.clear${this.name}`, noCallSite)
  }
}

const sessionRecords = new Records(Stored, "", "session does not decode; treating it as signed out")
const guestRecords = new Records(StoredGuest, "GuestIdentityId", "guest identity id does not decode; dropping it")
const federationRecords = new Records(StoredFederation, "Federation", "federated sign-in does not decode; dropping it")
const deviceRecords = new Records(
  StoredDeviceRecord,
  "Device",
  "device does not decode; dropping it (the next sign-in goes as a new device)"
)

const fnvPrime = (1n << 88n) + 0x13bn
const fnvOffset = 0x6c62272e07bb014262b821756295c58dn
const mask128 = (1n << 128n) - 1n

/** FNV-1a, 128 bits, of some bytes, as 32 hex digits. */
const fnv1a128 = (bytes: Uint8Array): string => {
  let hash = fnvOffset
  for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * fnvPrime) & mask128
  return hash.toString(16).padStart(32, "0")
}

/**
 * The store key of a user's device beside the session under `key`: `<key>.device.<h>`, where
 * `<h>` is the FNV-1a hash (128 bits, 32 hex digits) of the username's UTF-8. A username may
 * hold any character and 128 of them; the hash keeps the key short and safe as a file name.
 * It names a slot and guards no secret: the record names its user, and one found in another
 * user's slot is dropped. Synchronous, so a sign-in reads its device before its first request
 * without waiting on Web Crypto.
 */
export const deviceKeyFor = (key: string, username: string): string => `${key}.device.${fnv1a128(utf8(username))}`

/** The device of `username` under `key`: `None` when there is none, or it names another user (then it is removed). */
const loadDeviceOf = (backing: TokenStore.Backing, key: string, username: string) => {
  const deviceKey = deviceKeyFor(key, username)
  return Effect.flatMap(deviceRecords.load(backing, deviceKey), (stored) => {
    if (Option.isNone(stored)) return Effect.succeed(Option.none<StoredDevice>())
    if (stored.value.device.username === username) return Effect.succeed(Option.some(stored.value.device))
    // Another user's device in this user's slot: a hand-edited value, or two names that hash alike.
    return Effect.logWarning("effect-cognito: the stored device names another user; dropping it").pipe(
      Effect.annotateLogs({ key: deviceKey }),
      Effect.andThen(backing.remove(deviceKey)),
      Effect.as(Option.none<StoredDevice>())
    )
  })
}

/** Builds the service from string primitives; the core does the Schema coding and the recovery. */
export const make = (backing: TokenStore.Backing, key: string): TokenStore.Service => {
  const guestKey = `${key}.guest`
  const federationKey = `${key}.federation`
  return {
    key,
    load: Effect.suspend(() =>
      Effect.map(
        sessionRecords.load(backing, key),
        Option.map((stored) => stored.session)
      )
    ),
    save: (value) => sessionRecords.save(backing, key, { version, session: value }),
    clear: Effect.suspend(() => sessionRecords.clear(backing, key)),
    loadGuestIdentityId: Effect.suspend(() =>
      Effect.map(
        guestRecords.load(backing, guestKey),
        Option.map((stored) => stored.identityId)
      )
    ),
    saveGuestIdentityId: (identityId) => guestRecords.save(backing, guestKey, { version, identityId }),
    clearGuestIdentityId: Effect.suspend(() => guestRecords.clear(backing, guestKey)),
    loadFederation: Effect.suspend(() =>
      Effect.map(
        federationRecords.load(backing, federationKey),
        Option.map((stored) => stored.federation)
      )
    ),
    saveFederation: (value) => federationRecords.save(backing, federationKey, { version, federation: value }),
    clearFederation: Effect.suspend(() => federationRecords.clear(backing, federationKey)),
    loadDevice: (username) => loadDeviceOf(backing, key, username),
    saveDevice: (device) => deviceRecords.save(backing, deviceKeyFor(key, device.username), { version, device }),
    clearDevice: (username) => deviceRecords.clear(backing, deviceKeyFor(key, username))
  }
}

/**
 * A store in memory for one session key, for servers that hold a session per end user
 * (`NodeAuth.makeSession`): the session is kept as the decoded `Session` (its tokens are
 * the very strings the session in memory holds, not a second copy in JSON); the guest id,
 * the federated sign-in and the devices as their JSON. Its operations are on the
 * prototype, so a store costs a few fields, not a set of closures per user.
 */
class MemoryStore implements TokenStore.Service, TokenStore.Backing {
  readonly key: string
  private session: Session | undefined = undefined
  private readonly others = new Map<string, string>()
  constructor(key: string) {
    this.key = key
  }
  get(key: string): Effect.Effect<Option.Option<string>, AuthError.AuthError> {
    return Effect.sync(() => Option.fromUndefinedOr(this.others.get(key)))
  }
  set(key: string, value: string): Effect.Effect<void, AuthError.AuthError> {
    return Effect.sync(() => {
      this.others.set(key, value)
    })
  }
  remove(key: string): Effect.Effect<void, AuthError.AuthError> {
    return Effect.sync(() => {
      this.others.delete(key)
    })
  }
  get load(): Effect.Effect<Option.Option<Session>, AuthError.AuthError> {
    return Effect.sync(() => Option.fromUndefinedOr(this.session))
  }
  save(session: Session): Effect.Effect<void, AuthError.AuthError> {
    return Effect.sync(() => {
      this.session = session
    })
  }
  get clear(): Effect.Effect<void, AuthError.AuthError> {
    return Effect.sync(() => {
      this.session = undefined
    })
  }
  get loadGuestIdentityId(): Effect.Effect<Option.Option<string>, AuthError.AuthError> {
    return Effect.map(
      guestRecords.load(this, `${this.key}.guest`),
      Option.map((stored) => stored.identityId)
    )
  }
  saveGuestIdentityId(identityId: string): Effect.Effect<void, AuthError.AuthError> {
    return guestRecords.save(this, `${this.key}.guest`, { version, identityId })
  }
  get clearGuestIdentityId(): Effect.Effect<void, AuthError.AuthError> {
    return guestRecords.clear(this, `${this.key}.guest`)
  }
  get loadFederation(): Effect.Effect<Option.Option<Federation>, AuthError.AuthError> {
    return Effect.map(
      federationRecords.load(this, `${this.key}.federation`),
      Option.map((stored) => stored.federation)
    )
  }
  saveFederation(federation: Federation): Effect.Effect<void, AuthError.AuthError> {
    return federationRecords.save(this, `${this.key}.federation`, { version, federation })
  }
  get clearFederation(): Effect.Effect<void, AuthError.AuthError> {
    return federationRecords.clear(this, `${this.key}.federation`)
  }
  loadDevice(username: string): Effect.Effect<Option.Option<StoredDevice>, AuthError.AuthError> {
    return loadDeviceOf(this, this.key, username)
  }
  saveDevice(device: StoredDevice): Effect.Effect<void, AuthError.AuthError> {
    return deviceRecords.save(this, deviceKeyFor(this.key, device.username), { version, device })
  }
  clearDevice(username: string): Effect.Effect<void, AuthError.AuthError> {
    return deviceRecords.clear(this, deviceKeyFor(this.key, username))
  }
}

/**
 * A store in memory under `key` that keeps the session decoded (no JSON copy of its
 * tokens) and costs a few fields: the store of one end user's session on a server that
 * holds many. Its methods live on a prototype: call them on the store (`store.load`), do not
 * spread it into another object.
 *
 * @since 0.1.0
 */
export const makeMemory = (key: string): TokenStore.Service => new MemoryStore(key)

/** A store over any `effect/persistence` `KeyValueStore`. */
export const fromKeyValueStore = (store: KeyValueStore.KeyValueStore, key: string): TokenStore.Service =>
  make(
    {
      get: (k) =>
        store.get(k).pipe(
          Effect.map(Option.fromUndefinedOr),
          Effect.mapError((e) => storageError("read", e))
        ),
      set: (k, value) => Effect.mapError(store.set(k, value), (e) => storageError("write", e)),
      remove: (k) => Effect.mapError(store.remove(k), (e) => storageError("remove", e))
    },
    key
  )

/** Over the `KeyValueStore` in context, under the app client's key (built anew wherever it is provided). */
export const layerKeyValueStore: Layer.Layer<TokenStore, never, AuthConfig.AuthConfig | KeyValueStore.KeyValueStore> =
  Layer.fresh(
    Layer.effect(
      TokenStore,
      Effect.gen(function* () {
        const config = yield* AuthConfig.AuthConfig
        const store = yield* KeyValueStore.KeyValueStore
        return fromKeyValueStore(store, keyFor(config))
      })
    )
  )

/** In memory: the session lives as long as the layer; each place it is provided has its own. */
export const layerMemory: Layer.Layer<TokenStore, never, AuthConfig.AuthConfig> = Layer.fresh(
  layerKeyValueStore.pipe(Layer.provide(KeyValueStore.layerMemory))
)
