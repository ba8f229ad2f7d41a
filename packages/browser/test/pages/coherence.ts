/**
 * Test page: the `localStorage` coherence step of `BrowserSessionSync` on its own. A lock
 * holder changes the session (its fingerprint goes to IndexedDB); this tab's copy is then
 * made stale on purpose, as Chromium may leave it right after another tab's write; the
 * next holder must not run until the copy shows the new value.
 */
import * as Effect from "effect/Effect"
import * as StorageCoherence from "../../src/internal/storageCoherence.js"

const key = "coherence-test.session"

/** Resolves after a readwrite transaction on the marker store: every earlier transaction on it has finished. */
const afterEarlierTransactions = (database: string) =>
  new Promise<void>((resolve, reject) => {
    const open = indexedDB.open(database, 1)
    open.onerror = () => reject(open.error)
    open.onsuccess = () => {
      const tx = open.result.transaction("marker", "readwrite")
      tx.objectStore("marker").get("session")
      tx.oncomplete = () => {
        open.result.close()
        resolve()
      }
      tx.onerror = () => reject(tx.error)
    }
  })

const waitsForTheLastWrite = async () => {
  const name = `coherence-test-${crypto.randomUUID()}`
  const underLock = StorageCoherence.make(name, key)
  localStorage.setItem(key, "old")
  await Effect.runPromise(underLock(Effect.sync(() => localStorage.setItem(key, "new"))))
  // This tab's copy is stale.
  localStorage.setItem(key, "old")
  const seen: Array<string | null> = []
  const next = Effect.runPromise(underLock(Effect.sync(() => void seen.push(localStorage.getItem(key)))))
  // The next holder has read the fingerprint by now (and, were it not waiting, run).
  await afterEarlierTransactions(`${name}.sync`)
  await Promise.resolve()
  const beforeTheWrite = [...seen]
  // The other tab's write reaches this tab's copy.
  localStorage.setItem(key, "new")
  window.dispatchEvent(new StorageEvent("storage", { key }))
  await next
  localStorage.removeItem(key)
  return { beforeTheWrite, afterTheWrite: seen }
}

Reflect.set(window, "coherencePage", { waitsForTheLastWrite })
