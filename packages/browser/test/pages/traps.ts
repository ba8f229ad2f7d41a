/**
 * Installed before any module of the package is evaluated (imported first by
 * `sideEffects.ts`): records every touch of storage, network and crypto, and the globals
 * that exist, so the page can show that importing the package does nothing observable.
 */
export const touched: Array<string> = []

const trap = (name: "localStorage" | "sessionStorage" | "indexedDB" | "fetch" | "crypto" | "BroadcastChannel") => {
  const original = Reflect.get(window, name)
  Object.defineProperty(window, name, {
    configurable: true,
    get: () => {
      touched.push(name)
      return original
    }
  })
}

for (const name of ["localStorage", "sessionStorage", "indexedDB", "fetch", "crypto", "BroadcastChannel"] as const)
  trap(name)

export const globalsBefore: ReadonlyArray<string> = Object.getOwnPropertyNames(window)
