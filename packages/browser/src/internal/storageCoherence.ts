/**
 * `localStorage` as one tab sees it is a cache: Chromium applies another tab's write to it
 * asynchronously, on a channel not ordered with the Web Lock's grant. A tab that takes the
 * lock right after another tab refreshed and stored new tokens may still read the old ones,
 * and refresh again. IndexedDB is coherent (its transactions run in the browser process),
 * so the lock holder that changed the stored session leaves a fingerprint of the new value
 * there before it releases the lock, and the next holder waits until its own
 * `localStorage` shows that value (the `storage` event says when) before it reads.
 *
 * The fingerprint is a 64-bit FNV-1a hash of the stored text and its length: it tells
 * two values apart and reveals nothing of a token. Without IndexedDB, or when it fails,
 * the lock works as before. A fingerprint that never shows up (a write made outside the
 * lock) is waited for at most {@link settleMillis}, then replaced by what the store holds.
 *
 * @internal
 */
import * as Effect from "effect/Effect"

/** The longest wait for another tab's write to reach this tab's `localStorage`. */
export const settleMillis = 2_000

/** A fingerprint of a stored value (`"none"` for no value). */
export const fingerprint = (value: string | null): string => {
  if (value === null) return "none"
  let h1 = 0x811c9dc5
  let h2 = 0x9e3779b9 ^ value.length
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 16777619)
    h2 = Math.imul(h2 ^ c, 2246822519)
  }
  return `${value.length}:${(h1 >>> 0).toString(16)}:${(h2 >>> 0).toString(16)}`
}

const request = <A>(make: () => IDBRequest<A>): Promise<A> =>
  new Promise((resolve, reject) => {
    const req = make()
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })

/** The fingerprint record in IndexedDB database `<name>.sync`, opened on first use. */
const markerStore = (name: string) => {
  let database: Promise<IDBDatabase> | undefined
  const open = () => {
    database ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(`${name}.sync`, 1)
      req.onupgradeneeded = () => req.result.createObjectStore("marker")
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error)
    })
    return database
  }
  return {
    read: async (): Promise<string | undefined> => {
      const db = await open()
      const value = await request(() => db.transaction("marker", "readonly").objectStore("marker").get("session"))
      return typeof value === "string" ? value : undefined
    },
    write: async (value: string): Promise<void> => {
      const db = await open()
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction("marker", "readwrite")
        tx.objectStore("marker").put(value, "session")
        tx.oncomplete = () => resolve()
        tx.onerror = () => reject(tx.error)
        tx.onabort = () => reject(tx.error)
      })
    }
  }
}

/** Resolves once this tab's `localStorage` holds `expected` under `key`, or after {@link settleMillis}; `true` when it does. */
const settled = (key: string, expected: string): Promise<boolean> =>
  new Promise((resolve) => {
    if (fingerprint(localStorage.getItem(key)) === expected) return resolve(true)
    const done = (seen: boolean) => {
      window.removeEventListener("storage", onStorage)
      clearTimeout(timer)
      resolve(seen)
    }
    const onStorage = (event: StorageEvent) => {
      if (event.key === key && fingerprint(localStorage.getItem(key)) === expected) done(true)
    }
    window.addEventListener("storage", onStorage)
    const timer = setTimeout(() => done(fingerprint(localStorage.getItem(key)) === expected), settleMillis)
  })

/** The promise's value, or `undefined` if it fails or takes longer than {@link settleMillis}: the lock is never held hostage. */
const bounded = <A>(promise: Promise<A>): Promise<A | undefined> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), settleMillis)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      () => {
        clearTimeout(timer)
        resolve(undefined)
      }
    )
  })

/**
 * Wraps what runs under the lock: first this tab's `localStorage` catches up with the last
 * holder's write of `key`; after, a change of `key` is recorded for the next holder.
 */
export const make = (
  name: string,
  key: string
): (<A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>) => {
  if (typeof indexedDB === "undefined" || typeof localStorage === "undefined" || typeof window === "undefined")
    return (effect) => effect
  const marker = markerStore(name)
  const record = (value: string) => bounded(marker.write(value))
  return (effect) =>
    Effect.flatMap(
      Effect.promise(async () => {
        const expected = await bounded(marker.read())
        if (expected !== undefined && !(await settled(key, expected)))
          await record(fingerprint(localStorage.getItem(key)))
        return fingerprint(localStorage.getItem(key))
      }),
      (before) =>
        Effect.ensuring(
          effect,
          Effect.promise(async () => {
            const after = fingerprint(localStorage.getItem(key))
            if (after !== before) await record(after)
          })
        )
    )
}
