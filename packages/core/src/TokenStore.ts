/**
 * Where the session lives between calls and across restarts.
 *
 * A session (tokens, username, identity id, measured clock skew) is one Schema-encoded
 * value with a version field, written in one write, so a reader never sees half of one.
 * Beside it, under their own keys, a guest's identity id and a federated sign-in.
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
     * The key this store writes the session under; the guest identity id goes under
     * `<key>.guest`, the federated sign-in under `<key>.federation`.
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
 * One versioned value under one key: loaded (a value that does not decode is removed and
 * logged by path and kind of problem, never by content), saved in one write, cleared.
 */
const record = <A>(
  backing: TokenStore.Backing,
  key: string,
  schema: Schema.Codec<A, string>,
  name: string,
  corrupt: string
) => {
  const decode = SchemaIssues.jsonTextDecoder(schema)
  const encode = Schema.encodeEffect(schema)
  const load = Effect.flatMap(backing.get(key), (stored) => {
    if (Option.isNone(stored)) return Effect.succeed(Option.none<A>())
    const decoded = decode(stored.value)
    if (Result.isSuccess(decoded)) return Effect.succeed(Option.some(decoded.success))
    const problem = decoded.failure
    return Effect.logWarning(`effect-cognito: the stored ${corrupt}`).pipe(
      Effect.annotateLogs({ key, problem }),
      Effect.andThen(backing.remove(key)),
      Effect.as(Option.none<A>())
    )
  })
  return {
    load: Effect.withSpan(load, `TokenStore.load${name}`),
    save: (value: A) =>
      encode(value).pipe(
        Effect.mapError((e) => storageError("encode", e)),
        Effect.flatMap((encoded) => backing.set(key, encoded)),
        Effect.withSpan(`TokenStore.save${name}`)
      ),
    clear: Effect.withSpan(backing.remove(key), `TokenStore.clear${name}`)
  }
}

/** Builds the service from string primitives; the core does the Schema coding and the recovery. */
export const make = (backing: TokenStore.Backing, key: string): TokenStore.Service => {
  const session = record(backing, key, Stored, "", "session does not decode; treating it as signed out")
  const guest = record(
    backing,
    `${key}.guest`,
    StoredGuest,
    "GuestIdentityId",
    "guest identity id does not decode; dropping it"
  )
  const federation = record(
    backing,
    `${key}.federation`,
    StoredFederation,
    "Federation",
    "federated sign-in does not decode; dropping it"
  )
  return {
    key,
    load: Effect.map(
      session.load,
      Option.map((stored) => stored.session)
    ),
    save: (value) => session.save({ version, session: value }),
    clear: session.clear,
    loadGuestIdentityId: Effect.map(
      guest.load,
      Option.map((stored) => stored.identityId)
    ),
    saveGuestIdentityId: (identityId) => guest.save({ version, identityId }),
    clearGuestIdentityId: guest.clear,
    loadFederation: Effect.map(
      federation.load,
      Option.map((stored) => stored.federation)
    ),
    saveFederation: (value) => federation.save({ version, federation: value }),
    clearFederation: federation.clear
  }
}

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
