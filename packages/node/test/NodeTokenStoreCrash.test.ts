/**
 * The file store under crashes and concurrency: child processes killed with SIGKILL in
 * the middle of writing large sessions, two processes writing one file, two stores in one
 * process, planted symlinks, the fsync order and the removal of stale temporary files.
 *
 * The children run the store's write path (`internal/atomicFile.ts`, compiled once with
 * TypeScript into a temp dir) from `fixtures/writer.mjs`; a child starts in tens of
 * milliseconds, so hundreds of kills stay within a few seconds.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import * as TokenStore from "@effect-cognito/core/TokenStore"
import { NodeTokenStore } from "@effect-cognito/node"
import * as AtomicFile from "../src/internal/atomicFile.js"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import ts from "typescript"

const key = "effect-cognito.us-east-1_Crash1.crashclient.session"
const fileName = `${key}.json`
const writer = join(import.meta.dirname, "fixtures", "writer.mjs")

const freshDirectory = () => mkdtemp(join(tmpdir(), "effect-cognito-crash-"))

/** A session with tokens of `size` characters each: three of them make a large file. */
const largeSession = (n: number, size: number) =>
  new TokenStore.Session({
    username: `user-${n}`,
    idToken: Redacted.make(`id-${n}-${"i".repeat(size)}`),
    accessToken: Redacted.make(`access-${n}-${"a".repeat(size)}`),
    refreshToken: Redacted.make(`refresh-${n}-${"r".repeat(size)}`),
    clockSkewMillis: n
  })

/** The exact strings the store writes for these sessions. */
const encode = (sessions: ReadonlyArray<TokenStore.Session>): Promise<Array<string>> => {
  const written: Array<string> = []
  const store = TokenStore.make(
    {
      get: () => Effect.succeed(Option.none()),
      set: (_, value) => Effect.sync(() => void written.push(value)),
      remove: () => Effect.void
    },
    key
  )
  return Effect.runPromise(Effect.forEach(sessions, store.save)).then(() => written)
}

/** The store's write path as plain JavaScript, for the children. */
const compileWritePath = async (directory: string): Promise<string> => {
  const source = await readFile(join(import.meta.dirname, "..", "src", "internal", "atomicFile.ts"), "utf8")
  const output = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 }
  }).outputText
  const file = join(directory, "atomicFile.mjs")
  await writeFile(file, output)
  return pathToFileURL(file).href
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode)
    else child.once("exit", (code) => resolve(code))
  })

const startWriter = (moduleUrl: string, target: string, sessionsFile: string, count: number) =>
  spawn(process.execPath, [writer, moduleUrl, target, sessionsFile, String(count)], {
    stdio: ["ignore", "pipe", "inherit"]
  })

const temporaryFiles = async (directory: string) => (await readdir(directory)).filter((name) => name.endsWith(".tmp"))

/** Reads the session file raw; every value found must be one that was written whole. */
const readWhole = async (target: string, known: ReadonlySet<string>) => {
  let text: string
  try {
    text = await readFile(target, "utf8")
  } catch {
    return "missing" as const
  }
  return known.has(text) ? ("whole" as const) : ("torn" as const)
}

/** Loads through a freshly built store: the "next start" of an app. */
const nextStart = (directory: string) =>
  Effect.runPromise(
    Effect.flatMap(NodeTokenStore.makeBacking(directory), (backing) => TokenStore.make(backing, key).load)
  )

describe("NodeTokenStore under crashes", () => {
  it("200 writers killed with SIGKILL mid-write leave no torn file and, after the next start, no temporary file", async () => {
    const work = await freshDirectory()
    const directory = join(work, "sessions")
    await mkdir(directory, { mode: 0o700 })
    const target = join(directory, fileName)
    const moduleUrl = await compileWritePath(work)
    // About 300 KB per session: large enough that a kill lands inside a write.
    const strings = await encode([1, 2, 3, 4].map((n) => largeSession(n, 100_000)))
    const known = new Set(strings)
    const sessionsFile = join(work, "sessions.json")
    await writeFile(sessionsFile, JSON.stringify(strings))
    await writeFile(target, strings[0]!, { mode: 0o600 })

    const kills = 200
    const parallel = 4
    let started = 0
    let killed = 0
    const reads = { whole: 0, torn: 0, missing: 0 }
    const slot = async (index: number) => {
      while (started < kills) {
        const n = started++
        const child = startWriter(moduleUrl, target, sessionsFile, Number.POSITIVE_INFINITY)
        // Kill once the child has begun its first write (every fourth child: its second).
        const writesBeforeKill = (n + index) % 4 === 0 ? 2 : 1
        await new Promise<void>((resolve) => {
          let seen = 0
          child.stdout!.on("data", (chunk: Buffer) => {
            seen += chunk.length
            if (seen >= writesBeforeKill) resolve()
          })
          child.once("exit", () => resolve())
        })
        child.kill("SIGKILL")
        await exited(child)
        if (child.signalCode === "SIGKILL") killed++
        reads[await readWhole(target, known)]++
      }
    }
    await Promise.all(Array.from({ length: parallel }, (_, i) => slot(i)))

    assert.strictEqual(killed, kills)
    assert.strictEqual(reads.torn, 0)
    assert.strictEqual(reads.whole, kills)
    // The kills did land inside writes: killed writers left temporary files behind…
    const orphans = await temporaryFiles(directory)
    assert.isAbove(orphans.length, 0)
    // …which the next start removes, and the session it loads is one written whole.
    const loaded = await nextStart(directory)
    assert.isTrue(Option.isSome(loaded))
    assert.deepStrictEqual(await temporaryFiles(directory), [])
    assert.deepStrictEqual(await readdir(directory), [fileName])
  }, 180_000)

  it("two processes writing one session file concurrently never tear it and never fail", async () => {
    const work = await freshDirectory()
    const target = join(work, fileName)
    const moduleUrl = await compileWritePath(work)
    const a = await encode([1, 2, 3].map((n) => largeSession(n, 50_000)))
    const b = await encode([4, 5, 6].map((n) => largeSession(n, 50_000)))
    const known = new Set([...a, ...b])
    await writeFile(join(work, "a.json"), JSON.stringify(a))
    await writeFile(join(work, "b.json"), JSON.stringify(b))
    const children = [
      startWriter(moduleUrl, target, join(work, "a.json"), 60),
      startWriter(moduleUrl, target, join(work, "b.json"), 60)
    ]
    const codes = Promise.all(children.map(exited))
    let running = true
    void codes.then(() => {
      running = false
    })
    const reads = { whole: 0, torn: 0, missing: 0 }
    while (running) reads[await readWhole(target, known)]++
    assert.deepStrictEqual(await codes, [0, 0])
    assert.strictEqual(reads.torn, 0)
    assert.isAbove(reads.whole, 0)
    assert.strictEqual(await readWhole(target, known), "whole")
    assert.deepStrictEqual(await readdir(work), ["a.json", "atomicFile.mjs", "b.json", fileName].sort())
  }, 60_000)

  it.live(
    "two stores over one directory in one process write concurrently without a tear or a failure",
    () =>
      Effect.gen(function* () {
        const directory = join(yield* Effect.promise(freshDirectory), "sessions")
        const first = TokenStore.make(yield* NodeTokenStore.makeBacking(directory), key)
        const second = TokenStore.make(yield* NodeTokenStore.makeBacking(directory), key)
        const sessions = [largeSession(1, 20_000), largeSession(2, 20_000)] as const
        const known = new Set(yield* Effect.promise(() => encode(sessions)))
        for (let round = 0; round < 30; round++) {
          yield* Effect.all([first.save(sessions[0]), second.save(sessions[1])], { concurrency: "unbounded" })
          const loaded = yield* first.load
          assert.isTrue(Option.isSome(loaded), `round ${round}`)
          assert.strictEqual(yield* Effect.promise(() => readWhole(join(directory, fileName), known)), "whole")
        }
        assert.deepStrictEqual(yield* Effect.promise(() => readdir(directory)), [fileName])
      }),
    60_000
  )
})

describe("NodeTokenStore temporary files", () => {
  it.live("never follows a symlink planted at a temporary name", () =>
    Effect.gen(function* () {
      const work = yield* Effect.promise(freshDirectory)
      const directory = join(work, "sessions")
      const victim = join(work, "victim.txt")
      yield* Effect.promise(async () => {
        await mkdir(directory, { mode: 0o700 })
        await writeFile(victim, "another user's file\n")
        await chmod(victim, 0o666)
        // The names a per-process counter would pick: pid.1, pid.2, …
        for (let n = 1; n <= 20; n++) await symlink(victim, join(directory, `${fileName}.${process.pid}.${n}.tmp`))
      })
      const store = TokenStore.make(yield* NodeTokenStore.makeBacking(directory), key)
      for (let n = 1; n <= 5; n++) yield* store.save(largeSession(n, 100))
      assert.strictEqual(yield* Effect.promise(() => readFile(victim, "utf8")), "another user's file\n")
      const session = yield* Effect.promise(() => lstat(join(directory, fileName)))
      assert.isTrue(session.isFile())
      assert.isFalse(session.isSymbolicLink())
      assert.strictEqual(Option.getOrThrow(yield* store.load).username, "user-5")
    })
  )

  it("a write whose temporary name is taken by a symlink picks another name and never touches the link's target", async () => {
    const work = await freshDirectory()
    const target = join(work, fileName)
    const victim = join(work, "victim.txt")
    const dangling = join(work, "created-through-the-link")
    await writeFile(victim, "untouched")
    await symlink(victim, `${target}.${process.pid}.aaaa.tmp`)
    await symlink(dangling, `${target}.${process.pid}.bbbb.tmp`)
    const names = ["aaaa", "bbbb", "cccc"]
    await AtomicFile.write(target, "the session", { ...AtomicFile.nodeOperations, suffix: () => names.shift()! })
    assert.strictEqual(await readFile(target, "utf8"), "the session")
    assert.strictEqual(await readFile(victim, "utf8"), "untouched")
    assert.isFalse(
      await stat(dangling).then(
        () => true,
        () => false
      )
    )
    assert.strictEqual(((await stat(target)).mode & 0o777).toString(8), "600")

    // When every attempt meets a planted file, the write fails and still follows none.
    const error = await AtomicFile.write(target, "another session", {
      ...AtomicFile.nodeOperations,
      suffix: () => "aaaa"
    }).then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e.code
    )
    assert.strictEqual(error, "EEXIST")
    assert.strictEqual(await readFile(victim, "utf8"), "untouched")
    assert.strictEqual(await readFile(target, "utf8"), "the session")
  })

  it("syncs the file before the rename and the directory after it", async () => {
    const work = await freshDirectory()
    const steps: Array<string> = []
    await AtomicFile.write(join(work, fileName), "data", {
      ...AtomicFile.nodeOperations,
      createExclusive: async (file) => {
        steps.push("create")
        const handle = await AtomicFile.nodeOperations.createExclusive(file)
        const sync = handle.sync.bind(handle)
        handle.sync = async () => {
          steps.push("sync file")
          await sync()
        }
        return handle
      },
      rename: async (from, to) => {
        steps.push("rename")
        await AtomicFile.nodeOperations.rename(from, to)
      },
      syncDirectory: async (directory) => {
        steps.push(`sync directory ${directory === work}`)
        await AtomicFile.nodeOperations.syncDirectory(directory)
      }
    })
    assert.deepStrictEqual(steps, ["create", "sync file", "rename", "sync directory true"])
  })

  it.live("removes the temporary files of gone writers when built and when the session is cleared", () =>
    Effect.gen(function* () {
      const directory = yield* Effect.promise(freshDirectory)
      // A pid that is certainly not running: a child that has exited and been reaped.
      const dead = yield* Effect.promise(async () => {
        const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" })
        await exited(child)
        return child.pid!
      })
      const names = {
        deadWriter: `${fileName}.${dead}.0123abcd.tmp`,
        thisProcessNotInFlight: `${fileName}.${process.pid}.4567.tmp`,
        liveWriter: `${fileName}.${process.ppid}.89ab.tmp`,
        otherFile: "notes.txt",
        otherPattern: `something-else.${dead}.cd.tmp`
      }
      yield* Effect.promise(async () => {
        for (const name of Object.values(names)) await writeFile(join(directory, name), "a whole session")
      })
      const store = TokenStore.make(yield* NodeTokenStore.makeBacking(directory), key)
      assert.deepStrictEqual(
        (yield* Effect.promise(() => readdir(directory))).sort(),
        [names.liveWriter, names.otherFile, names.otherPattern].sort()
      )
      yield* store.save(largeSession(1, 10))
      yield* Effect.promise(() => writeFile(join(directory, names.deadWriter), "a whole session"))
      yield* store.clear
      assert.deepStrictEqual(
        (yield* Effect.promise(() => readdir(directory))).sort(),
        [names.liveWriter, names.otherFile, names.otherPattern].sort()
      )
    })
  )
})
