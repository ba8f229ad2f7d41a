/**
 * The file store against what another local user, or an accident, can leave in its
 * directory: a FIFO, a socket or a directory at a session file (refused at once as
 * `Storage`, never waited on), a symbolic link to a planted session (never followed, read or
 * replaced), and a session directory that other users can write (made 0700 with a warning
 * when it is the user's own, refused when it is shared).
 */
import { execFileSync } from "node:child_process"
import { constants } from "node:fs"
import { chmod, lstat, mkdir, mkdtemp, open, readFile, readlink, stat, symlink } from "node:fs/promises"
import * as net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import { NodeTokenStore } from "@effect-cognito/node"
import * as TokenStoreSuite from "@effect-cognito/test-kit/TokenStoreSuite"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"

const key = "effect-cognito.us-east-1_Hostile1.hostileclient.session"
const fileName = `${key}.json`

const freshDirectory = Effect.promise(() => mkdtemp(join(tmpdir(), "effect-cognito-hostile-")))

/**
 * A FIFO at `file`, removed with the scope. Should a read block on it (the fault under
 * test), the finalizer opens the writing end without blocking, which releases the reader,
 * so a failing test fails instead of holding a thread forever.
 */
const fifoAt = (file: string) =>
  Effect.acquireRelease(
    Effect.sync(() => execFileSync("mkfifo", ["-m", "0600", file])),
    () =>
      Effect.promise(async () => {
        try {
          const writer = await open(file, constants.O_WRONLY | constants.O_NONBLOCK)
          await writer.close()
        } catch {
          // ENXIO: no reader is waiting, as it should be.
        }
      })
  )

/** A Unix socket listening at `file`, closed with the scope. */
const socketAt = (file: string) =>
  Effect.acquireRelease(
    Effect.callback<net.Server>((resume) => {
      const server = net.createServer()
      server.listen(file, () => resume(Effect.succeed(server)))
    }),
    (server) => Effect.callback<void>((resume) => void server.close(() => resume(Effect.void)))
  )

/** The messages logged while running `effect`. */
const withLogs = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const lines: Array<string> = []
    const logger = Logger.make(({ logLevel, message }) => {
      lines.push(`${logLevel}: ${(Array.isArray(message) ? message : [message]).join(" ")}`)
    })
    const result = yield* Effect.result(Effect.provide(effect, Logger.layer([logger])))
    return { result, lines }
  })

const storeIn = (directory: string) =>
  Effect.map(NodeTokenStore.makeBacking(directory), (backing) => ({ backing, store: TokenStore.make(backing, key) }))

/** A Storage error whose message names the path, and says what is there. */
const assertRefused = (error: { readonly reason: string; readonly message: string }, path: string, what: string) => {
  assert.strictEqual(error.reason, "Storage")
  assert.include(error.message, path)
  assert.include(error.message, what)
}

describe("NodeTokenStore against hostile files", () => {
  it.live("a FIFO at the session file: load and save fail at once with Storage naming it, and it stays a FIFO", () =>
    Effect.gen(function* () {
      const directory = yield* freshDirectory
      const target = join(directory, fileName)
      yield* fifoAt(target)
      const { store } = yield* storeIn(directory)
      assertRefused(yield* Effect.flip(store.load), target, "a FIFO")
      assertRefused(yield* Effect.flip(store.save(TokenStoreSuite.sampleSession())), target, "a FIFO")
      assert.isTrue((yield* Effect.promise(() => lstat(target))).isFIFO())
    }).pipe(Effect.scoped)
  )

  it.live("a socket or a directory at the session file: Storage naming the path, never read", () =>
    Effect.gen(function* () {
      const directory = yield* freshDirectory
      const target = join(directory, fileName)
      yield* socketAt(target)
      const { store } = yield* storeIn(directory)
      assertRefused(yield* Effect.flip(store.load), target, "a socket")
      assertRefused(yield* Effect.flip(store.save(TokenStoreSuite.sampleSession())), target, "a socket")

      const other = yield* freshDirectory
      const inOther = join(other, fileName)
      yield* Effect.promise(() => mkdir(inOther))
      const second = yield* storeIn(other)
      assertRefused(yield* Effect.flip(second.store.load), inOther, "a directory")
      assertRefused(yield* Effect.flip(second.store.save(TokenStoreSuite.sampleSession())), inOther, "a directory")
    }).pipe(Effect.scoped)
  )

  it.live(
    "a symlink planted at the session file is refused as Storage: its session is not read, its target not written",
    () =>
      Effect.gen(function* () {
        const directory = yield* freshDirectory
        const elsewhere = yield* freshDirectory
        // A session that decodes, planted by someone else and linked in.
        const planted = join(elsewhere, fileName)
        yield* (yield* storeIn(elsewhere)).store.save(TokenStoreSuite.sampleSession(7))
        const text = yield* Effect.promise(() => readFile(planted, "utf8"))
        const target = join(directory, fileName)
        yield* Effect.promise(() => symlink(planted, target))

        const { store } = yield* storeIn(directory)
        assertRefused(yield* Effect.flip(store.load), target, "a symbolic link")
        assertRefused(yield* Effect.flip(store.save(TokenStoreSuite.sampleSession(8))), target, "a symbolic link")
        assert.strictEqual(
          yield* Effect.promise(() => readFile(planted, "utf8")),
          text,
          "the link's target is untouched"
        )
        assert.strictEqual(yield* Effect.promise(() => readlink(target)), planted, "the link stays as it was")
      })
  )

  it.live("a session directory others can write (0777) is made 0700 on the next read or write, with a warning", () =>
    Effect.gen(function* () {
      const directory = join(yield* freshDirectory, "sessions")
      yield* Effect.promise(() => mkdir(directory))
      yield* Effect.promise(() => chmod(directory, 0o777))
      const { store } = yield* storeIn(directory)

      const read = yield* withLogs(store.load)
      assert.isTrue(read.result._tag === "Success" && Option.isNone(read.result.success))
      assert.strictEqual((yield* Effect.promise(() => stat(directory))).mode & 0o777, 0o700)
      assert.strictEqual(read.lines.length, 1, read.lines.join("\n"))
      assert.include(read.lines[0], "Warn")
      assert.include(read.lines[0], `the session directory ${directory} could be written by other users`)

      // Loosened again between two writes: repaired again, the session still written.
      yield* Effect.promise(() => chmod(directory, 0o775))
      const written = yield* withLogs(store.save(TokenStoreSuite.sampleSession(1)))
      assert.strictEqual(written.result._tag, "Success")
      assert.strictEqual((yield* Effect.promise(() => stat(directory))).mode & 0o777, 0o700)
      assert.strictEqual(written.lines.length, 1, written.lines.join("\n"))
      assert.strictEqual(
        (yield* store.load).pipe(
          Option.map((session) => session.username),
          Option.getOrNull
        ),
        TokenStoreSuite.sampleSession(1).username
      )
    })
  )

  it.live("a shared session directory (sticky, 1777, as /tmp) is refused as Storage and left as it is", () =>
    Effect.gen(function* () {
      const directory = join(yield* freshDirectory, "shared")
      yield* Effect.promise(() => mkdir(directory))
      yield* Effect.promise(() => chmod(directory, 0o1777))
      const { store } = yield* storeIn(directory)
      for (const effect of [store.load, store.save(TokenStoreSuite.sampleSession())]) {
        const error = yield* Effect.flip(effect)
        assertRefused(error, directory, "can be written by other users")
      }
      assert.strictEqual((yield* Effect.promise(() => stat(directory))).mode & 0o7777, 0o1777)
    })
  )

  it.live("a private directory and regular files: no warning, sessions read and written as before", () =>
    Effect.gen(function* () {
      const directory = join(yield* freshDirectory, "sessions")
      const { store } = yield* storeIn(directory)
      const run = yield* withLogs(
        Effect.gen(function* () {
          yield* store.save(TokenStoreSuite.sampleSession(2))
          return yield* store.load
        })
      )
      assert.deepStrictEqual(run.lines, [])
      assert.isTrue(run.result._tag === "Success" && Option.isSome(run.result.success))
    })
  )
})
