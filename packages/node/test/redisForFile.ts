/**
 * What a Redis test file shares, set up before its tests and torn down after them: a
 * `redis-server` of its own, and the bundled worker of the multi-process tests.
 */
import { rm } from "node:fs/promises"
import { afterAll, beforeAll } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { type RedisServer, start } from "./redisServer.js"
import { bundle } from "./redisWorkers.js"

/**
 * One server for the test file: started before its tests, stopped after them. Returns a
 * getter (the server exists once the tests run).
 */
export const server = (options: { readonly persistent?: boolean } = {}): (() => RedisServer) => {
  const scope = Scope.makeUnsafe()
  let server: RedisServer | undefined
  beforeAll(async () => {
    server = await Effect.runPromise(Scope.provide(start(options), scope))
  }, 20_000)
  afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)), 20_000)
  return () => {
    if (server === undefined) throw new Error("the Redis server has not started")
    return server
  }
}

/** The bundled worker for the test file: built before its tests, removed after them. */
export const workerBundle = (): (() => string) => {
  let bundled: { readonly file: string; readonly directory: string } | undefined
  beforeAll(async () => {
    bundled = await bundle()
  }, 60_000)
  afterAll(async () => {
    if (bundled !== undefined) await rm(bundled.directory, { recursive: true, force: true })
  })
  return () => {
    if (bundled === undefined) throw new Error("the worker is not bundled")
    return bundled.file
  }
}
