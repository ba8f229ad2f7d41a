/**
 * `TokenStore`s for browsers: `localStorage` (the default, shared by the tabs of an
 * origin and kept across reloads and restarts), `sessionStorage` (one tab, kept across
 * reloads), IndexedDB (shared by the tabs, usable from workers) and memory.
 *
 * Each supplies string primitives to the core's `TokenStore.make`, which does the coding
 * and the recovery. Every failure is an `AuthError` with reason `Storage` whose cause is
 * the browser's own exception: a full quota (`QuotaExceededError`), storage that is
 * disabled or refused for the origin (`SecurityError`, for example in a sandboxed frame),
 * an IndexedDB open blocked by another tab or a database of a newer version. The storage
 * object is looked up on each operation, so a disabled storage fails the operation with
 * `Storage` rather than the layer with a defect.
 *
 * `@effect/platform-browser`'s `BrowserKeyValueStore` is not used for the Web Storage
 * stores: it reads `localStorage` when its layer is built (a defect when storage is
 * disabled), where these stores fail the operation with `Storage` instead.
 *
 * @since 0.1.0
 */
import * as AuthConfig from "@effect-cognito/core/AuthConfig"
import type * as AuthError from "@effect-cognito/core/AuthError"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

/** Which Web Storage area. */
export type WebStorageArea = "localStorage" | "sessionStorage"

const webStorage = (area: WebStorageArea, operation: string): Effect.Effect<Storage, AuthError.AuthError> =>
  Effect.try({
    try: () => {
      const storage = area === "localStorage" ? globalThis.localStorage : globalThis.sessionStorage
      if (storage === undefined || storage === null) throw new TypeError(`${area} does not exist here`)
      return storage
    },
    catch: (cause) => TokenStore.storageError(operation, cause)
  })

/** The primitives over `localStorage` or `sessionStorage`; exposed for tests and custom layers. */
export const makeWebStorageBacking = (area: WebStorageArea): TokenStore.TokenStore.Backing => {
  const use = <A>(operation: string, f: (storage: Storage) => A) =>
    Effect.flatMap(webStorage(area, operation), (storage) =>
      Effect.try({ try: () => f(storage), catch: (cause) => TokenStore.storageError(operation, cause) })
    )
  return {
    get: (key) => use("read", (storage) => Option.fromNullishOr(storage.getItem(key))),
    set: (key, value) => use("write", (storage) => storage.setItem(key, value)),
    remove: (key) => use("remove", (storage) => storage.removeItem(key))
  }
}

/** Options of the IndexedDB store. */
export interface IndexedDbOptions {
  /** The database name. Default `"effect-cognito"`. */
  readonly database?: string | undefined
  /** The database version this code expects; raise it when the layout changes. Default 1. */
  readonly version?: number | undefined
}

const objectStoreName = "sessions"

const requestEffect = <A>(operation: string, request: () => IDBRequest<A>): Effect.Effect<A, AuthError.AuthError> =>
  Effect.callback<A, AuthError.AuthError>((resume) => {
    let req: IDBRequest<A>
    try {
      req = request()
    } catch (cause) {
      return resume(Effect.fail(TokenStore.storageError(operation, cause)))
    }
    req.onsuccess = () => resume(Effect.succeed(req.result))
    req.onerror = (event) => {
      event.preventDefault()
      resume(Effect.fail(TokenStore.storageError(operation, req.error)))
    }
  })

/**
 * The primitives over an IndexedDB database (one object store, keys are the store keys);
 * exposed for tests and custom layers. The connection is opened on first use and closed
 * when another tab upgrades the database, so this store never blocks a newer version.
 */
export const makeIndexedDbBacking = (options: IndexedDbOptions = {}): TokenStore.TokenStore.Backing => {
  const database = options.database ?? "effect-cognito"
  const version = options.version ?? 1
  let connection: IDBDatabase | undefined

  const open: Effect.Effect<IDBDatabase, AuthError.AuthError> = Effect.suspend(() => {
    if (connection !== undefined) return Effect.succeed(connection)
    return Effect.callback<IDBDatabase, AuthError.AuthError>((resume) => {
      let request: IDBOpenDBRequest
      let settled = false
      const settle = (effect: Effect.Effect<IDBDatabase, AuthError.AuthError>) => {
        if (settled) return
        settled = true
        resume(effect)
      }
      try {
        const factory = globalThis.indexedDB
        if (factory === undefined || factory === null) throw new TypeError("indexedDB does not exist here")
        request = factory.open(database, version)
      } catch (cause) {
        return settle(Effect.fail(TokenStore.storageError("open the database", cause)))
      }
      request.onupgradeneeded = () => {
        const db = request.result
        if (!db.objectStoreNames.contains(objectStoreName)) db.createObjectStore(objectStoreName)
      }
      request.onblocked = () =>
        settle(
          Effect.fail(
            TokenStore.storageError(
              "open the database",
              new Error(`opening IndexedDB "${database}" at version ${version} is blocked by another connection`)
            )
          )
        )
      request.onerror = (event) => {
        event.preventDefault()
        settle(Effect.fail(TokenStore.storageError("open the database", request.error)))
      }
      request.onsuccess = () => {
        const db = request.result
        // Opened after all, but too late: the caller was told it is blocked.
        if (settled) return db.close()
        db.onversionchange = () => {
          db.close()
          if (connection === db) connection = undefined
        }
        db.onclose = () => {
          if (connection === db) connection = undefined
        }
        connection = db
        settle(Effect.succeed(db))
      }
    })
  })

  const withStore = <A>(operation: string, mode: IDBTransactionMode, f: (store: IDBObjectStore) => IDBRequest<A>) =>
    Effect.flatMap(open, (db) =>
      requestEffect(operation, () => f(db.transaction(objectStoreName, mode).objectStore(objectStoreName)))
    )

  return {
    get: (key) =>
      withStore("read", "readonly", (store) => store.get(key) as IDBRequest<unknown>).pipe(
        Effect.flatMap((value) =>
          value === undefined
            ? Effect.succeed(Option.none<string>())
            : typeof value === "string"
              ? Effect.succeed(Option.some(value))
              : Effect.fail(TokenStore.storageError("read", new TypeError("the stored value is not a string")))
        )
      ),
    set: (key, value) => Effect.asVoid(withStore("write", "readwrite", (store) => store.put(value, key))),
    remove: (key) => Effect.asVoid(withStore("remove", "readwrite", (store) => store.delete(key)))
  }
}

/** Built anew wherever it is provided (Effect 4 would share one store between nested provides). */
const fromBacking = (makeBacking: () => TokenStore.TokenStore.Backing) =>
  Layer.fresh(
    Layer.effect(
      TokenStore.TokenStore,
      Effect.map(AuthConfig.AuthConfig, (config) => TokenStore.make(makeBacking(), TokenStore.keyFor(config)))
    )
  )

/** `localStorage`: shared by the tabs of the origin, kept across reloads and restarts (the default). */
export const layerLocalStorage: Layer.Layer<TokenStore.TokenStore, never, AuthConfig.AuthConfig> = fromBacking(() =>
  makeWebStorageBacking("localStorage")
)

/** `sessionStorage`: one tab's own, kept across its reloads, not shared with other tabs. */
export const layerSessionStorage: Layer.Layer<TokenStore.TokenStore, never, AuthConfig.AuthConfig> = fromBacking(() =>
  makeWebStorageBacking("sessionStorage")
)

/** IndexedDB: shared by the tabs of the origin and its workers, kept across restarts. */
export const layerIndexedDB = (
  options: IndexedDbOptions = {}
): Layer.Layer<TokenStore.TokenStore, never, AuthConfig.AuthConfig> => fromBacking(() => makeIndexedDbBacking(options))

/** In memory: the session lives as long as the layer (the page). */
export const layerMemory: Layer.Layer<TokenStore.TokenStore, never, AuthConfig.AuthConfig> = TokenStore.layerMemory
