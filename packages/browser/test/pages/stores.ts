/** Test page: the TokenStore conformance cases and the failure cases of each browser store, in the page. */
import * as BrowserTokenStore from "@effect-cognito/browser/BrowserTokenStore"
import type * as AuthError from "@effect-cognito/core/AuthError"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import * as TokenStoreCases from "@effect-cognito/test-kit/TokenStoreCases"
import * as KeyValueStore from "effect/persistence/KeyValueStore"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import type { FailureOutcome, StoreKind, StoresPage } from "./api.js"

const key = "effect-cognito.us-east-1_Suite1.suiteclient.session"
let databases = 0
const freshDatabase = () => `effect-cognito-case-${Date.now()}-${++databases}`

const subjectOf = (backing: TokenStore.TokenStore.Backing): TokenStoreCases.Subject => ({
  store: TokenStore.make(backing, key),
  raw: { get: backing.get, set: backing.set }
})

/** A fresh, empty store of the kind. */
const makeSubject = (kind: StoreKind): Effect.Effect<TokenStoreCases.Subject> => {
  switch (kind) {
    case "localStorage":
    case "sessionStorage":
      return Effect.sync(() => {
        globalThis[kind].clear()
        return subjectOf(BrowserTokenStore.makeWebStorageBacking(kind))
      })
    case "indexedDB":
      return Effect.sync(() => subjectOf(BrowserTokenStore.makeIndexedDbBacking({ database: freshDatabase() })))
    case "memory":
      return Effect.map(KeyValueStore.KeyValueStore, (kv) => TokenStoreCases.subject(kv, key)).pipe(
        Effect.provide(KeyValueStore.layerMemory)
      )
  }
}

const runCases = (kind: StoreKind) =>
  Effect.forEach(TokenStoreCases.cases, (testCase) =>
    Effect.exit(Effect.scoped(testCase.run(makeSubject(kind)))).pipe(
      Effect.map((exit) =>
        Exit.isSuccess(exit)
          ? { name: testCase.name, ok: true }
          : { name: testCase.name, ok: false, message: Cause.pretty(exit.cause) }
      )
    )
  )

const describeFailure = (effect: Effect.Effect<unknown, AuthError.AuthError>): Promise<FailureOutcome> =>
  Effect.runPromise(
    Effect.flip(effect).pipe(
      Effect.map((error) => ({
        tag: error._tag,
        reason: error.reason,
        cause: error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : String(error.cause)
      })),
      Effect.catchDefect((defect) => Effect.succeed({ tag: "Defect", reason: "", cause: String(defect) }))
    )
  )

const backingOf = (kind: "localStorage" | "sessionStorage" | "indexedDB", database = freshDatabase()) =>
  kind === "indexedDB"
    ? BrowserTokenStore.makeIndexedDbBacking({ database })
    : BrowserTokenStore.makeWebStorageBacking(kind)

/** A session whose username alone is larger than any origin's Web Storage quota. */
const hugeSession = (megabytes: number) =>
  new TokenStore.Session({
    ...TokenStoreCases.sampleSession(1),
    username: "x".repeat(megabytes * 1024 * 1024),
    idToken: Redacted.make("id"),
    accessToken: Redacted.make("access"),
    refreshToken: Redacted.make("refresh")
  })

/** Raw IndexedDB: opens `name` at `version`, resolving with the connection. */
const rawOpen = (name: string, version: number) =>
  new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(name, version)
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains("sessions")) request.result.createObjectStore("sessions")
    }
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
    request.onblocked = () => reject(new Error(`opening ${name} at version ${version} is blocked`))
  })

const page: StoresPage = {
  caseNames: TokenStoreCases.cases.map((c) => c.name),
  runCases: (kind) => Effect.runPromise(runCases(kind)),
  // Web Storage allows about 5 MiB per origin (IndexedDB's quota is a share of the disk).
  overQuota: (kind) => describeFailure(TokenStore.make(backingOf(kind), key).save(hugeSession(12))),
  loadRefused: (kind) => describeFailure(TokenStore.make(backingOf(kind), key).load),
  indexedDbBlocked: async () => {
    const database = freshDatabase()
    // Another tab's connection at version 1 that does not close when asked to.
    const old = await rawOpen(database, 1)
    old.onversionchange = null
    try {
      return await describeFailure(
        TokenStore.make(BrowserTokenStore.makeIndexedDbBacking({ database, version: 2 }), key).load
      )
    } finally {
      old.close()
    }
  },
  indexedDbNewer: async () => {
    const database = freshDatabase()
    ;(await rawOpen(database, 3)).close()
    return describeFailure(TokenStore.make(BrowserTokenStore.makeIndexedDbBacking({ database, version: 1 }), key).load)
  },
  indexedDbYields: async () => {
    const database = freshDatabase()
    const store = TokenStore.make(BrowserTokenStore.makeIndexedDbBacking({ database, version: 1 }), key)
    await Effect.runPromise(store.save(TokenStoreCases.sampleSession(5)))
    // A newer version of the app opens the database in another tab: not blocked, because the store closes.
    const newer = await rawOpen(database, 2)
    newer.close()
    // The store reopens on its next use, at its own version, and fails plainly (the database is newer).
    const after = await describeFailure(store.load)
    return { upgraded: newer.version === 2, loadedAfter: `${after.reason} ${after.cause}` }
  }
}

Object.assign(window, { storesPage: page })
