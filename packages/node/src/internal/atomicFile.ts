/**
 * Crash-safe replacement of a small private file, the write path of `NodeTokenStore`.
 *
 * A write goes to a temporary file beside the target, named
 * `<target>.<pid>.<random>.tmp`, created with `O_CREAT | O_EXCL | O_NOFOLLOW` and mode
 * 0600: it is always a new regular file of ours, never a file or symlink someone else
 * planted. The data is written and `fsync`ed, the file renamed over the target, and
 * the directory `fsync`ed, so after a crash the target holds the old value or the new
 * one, never part of either, and the rename itself survives a power loss.
 *
 * A process killed between creating and renaming leaves its temporary file behind.
 * {@link removeStale} deletes the temporary files whose writer is gone: the pid in the
 * name is not a live process, or it is this process and the write is not in flight.
 * Writers that share a directory must therefore share a pid namespace (one machine, or
 * one container).
 *
 * Plain promises over `node:fs` and nothing else, so a crash test can run it in a small
 * child process.
 *
 * @internal
 */
import { randomBytes } from "node:crypto"
import { constants } from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"

/** What a write needs from the file system; replaceable so tests can observe or plant. */
export interface Operations {
  /** The random part of a temporary name. */
  readonly suffix: () => string
  /** Creates a new file for writing: exclusive, no-follow, mode 0600. */
  readonly createExclusive: (file: string) => Promise<fs.FileHandle>
  readonly rename: (from: string, to: string) => Promise<void>
  /** Makes a rename in `directory` durable. */
  readonly syncDirectory: (directory: string) => Promise<void>
}

/** `O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW` (no `O_NOFOLLOW` where the platform has none). */
export const exclusiveFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0)

/** Errors of `fsync` on a directory that only mean the platform cannot do it. */
const unsupportedDirectorySync = new Set(["EINVAL", "ENOTSUP", "EISDIR", "EPERM", "EBADF", "EACCES"])

const code = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined

/** The operations of the real file system. */
export const nodeOperations: Operations = {
  suffix: () => randomBytes(8).toString("hex"),
  createExclusive: (file) => fs.open(file, exclusiveFlags, 0o600),
  rename: (from, to) => fs.rename(from, to),
  syncDirectory: async (directory) => {
    let handle: fs.FileHandle
    try {
      handle = await fs.open(directory, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0))
    } catch (error) {
      if (unsupportedDirectorySync.has(code(error) ?? "")) return
      throw error
    }
    try {
      await handle.sync()
    } catch (error) {
      if (!unsupportedDirectorySync.has(code(error) ?? "")) throw error
    } finally {
      await handle.close()
    }
  }
}

/** Temporary files of this process whose write is in flight. */
const inFlight = new Set<string>()

/** Attempts at a fresh temporary name when one exists already (planted, or a collision). */
const attempts = 3

/** Replaces `target` with `data`, atomically and durably. */
export const write = async (target: string, data: string, operations: Operations = nodeOperations): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    const temporary = `${target}.${process.pid}.${operations.suffix()}.tmp`
    let handle: fs.FileHandle
    try {
      handle = await operations.createExclusive(temporary)
    } catch (error) {
      if (code(error) === "EEXIST" && attempt < attempts) continue
      throw error
    }
    inFlight.add(temporary)
    try {
      try {
        await handle.writeFile(data, "utf8")
        await handle.sync()
      } finally {
        await handle.close()
      }
      await operations.rename(temporary, target)
    } catch (error) {
      await fs.unlink(temporary).catch(() => undefined)
      throw error
    } finally {
      inFlight.delete(temporary)
    }
    await operations.syncDirectory(path.dirname(target))
    return
  }
}

const temporaryName = /^(.+)\.(\d+)\.([0-9a-f]+)\.tmp$/

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return code(error) === "EPERM"
  }
}

/** Is this temporary file left by a writer that is gone? */
const isStale = (file: string, pid: number): boolean =>
  pid === process.pid ? !inFlight.has(file) : pid <= 0 || !isAlive(pid)

/**
 * Removes the stale temporary files in `directory`: of every target, or only of the
 * targets whose file name `which` accepts. A missing directory has none. Returns the
 * number removed.
 */
export const removeStale = async (directory: string, which: (target: string) => boolean = () => true) => {
  let names: Array<string>
  try {
    names = await fs.readdir(directory)
  } catch (error) {
    if (code(error) === "ENOENT" || code(error) === "ENOTDIR") return 0
    throw error
  }
  let removed = 0
  for (const name of names) {
    const match = temporaryName.exec(name)
    if (match === null || !which(match[1]!)) continue
    const file = path.join(directory, name)
    if (!isStale(file, Number(match[2]))) continue
    try {
      await fs.unlink(file)
      removed++
    } catch (error) {
      if (code(error) !== "ENOENT") throw error
    }
  }
  return removed
}
