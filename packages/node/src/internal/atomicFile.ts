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
 * What is already at a path is never trusted to be a file of ours: {@link readRegular}
 * reads a file only when `lstat` and then `fstat` of a descriptor opened with
 * `O_NOFOLLOW | O_NONBLOCK` both say it is a regular file, so a symbolic link, a FIFO, a
 * socket, a device or a directory planted there is refused ({@link UnsafePath}) and never
 * blocks the thread that opens it; {@link checkReplaceable} refuses the same before a write
 * replaces the target; and {@link ensurePrivateDirectory} makes the directory (0700) and
 * repairs, or refuses, one that other users can write.
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
import { constants, type Stats } from "node:fs"
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

/**
 * Something at a path that the store must not read, replace or write into: a symbolic
 * link, a FIFO, a socket, a device or a directory where a file belongs, or a directory that
 * other users can write. The message names the path and what is there, never what it holds.
 */
export class UnsafePath extends Error {
  readonly code = "EUNSAFEPATH"
  readonly path: string
  constructor(path: string, message: string) {
    super(message)
    this.name = "UnsafePath"
    this.path = path
  }
}

/** Is this value an {@link UnsafePath}? */
export const isUnsafePath = (error: unknown): error is UnsafePath => error instanceof UnsafePath

/** What is at a path, for a message: "a FIFO (named pipe)", "a symbolic link", … */
const describeKind = (stats: Stats): string => {
  if (stats.isSymbolicLink()) return "a symbolic link"
  if (stats.isFIFO()) return "a FIFO (named pipe)"
  if (stats.isSocket()) return "a socket"
  if (stats.isDirectory()) return "a directory"
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device"
  return "not a regular file"
}

const notRegular = (file: string, kind: string) =>
  new UnsafePath(file, `${file} is ${kind}, not a regular file; remove it`)

/** `O_RDONLY | O_NOFOLLOW | O_NONBLOCK`: never follows a link, never waits for a FIFO's writer. */
export const readFlags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)

/**
 * The text of `file`, or `undefined` when there is none. Anything at `file` that is not a
 * regular file (a symbolic link, a FIFO, a socket, a device, a directory) fails with
 * {@link UnsafePath} without being read: it is checked with `lstat` before it is opened (a
 * device is never opened) and with `fstat` after (a file swapped in between is caught), and
 * opened with `O_NOFOLLOW | O_NONBLOCK`, so the open neither follows a link nor blocks.
 */
export const readRegular = async (file: string): Promise<string | undefined> => {
  try {
    const stats = await fs.lstat(file)
    if (!stats.isFile()) throw notRegular(file, describeKind(stats))
  } catch (error) {
    if (code(error) === "ENOENT") return undefined
    throw error
  }
  let handle: fs.FileHandle
  try {
    handle = await fs.open(file, readFlags)
  } catch (error) {
    switch (code(error)) {
      case "ENOENT":
        return undefined
      // O_NOFOLLOW on a link: ELOOP (Linux, macOS), EMLINK (FreeBSD); a socket: ENXIO.
      case "ELOOP":
      case "EMLINK":
        throw notRegular(file, "a symbolic link")
      case "ENXIO":
        throw notRegular(file, "a socket")
      default:
        throw error
    }
  }
  try {
    const stats = await handle.stat()
    if (!stats.isFile()) throw notRegular(file, describeKind(stats))
    return await handle.readFile("utf8")
  } finally {
    await handle.close()
  }
}

/**
 * Fails with {@link UnsafePath} when something other than a regular file is at `target`:
 * a write would replace a symbolic link, a FIFO or a socket someone planted there instead of
 * reporting it. A missing target, or a regular file, passes.
 */
export const checkReplaceable = async (target: string): Promise<void> => {
  try {
    const stats = await fs.lstat(target)
    if (!stats.isFile()) throw notRegular(target, describeKind(stats))
  } catch (error) {
    if (code(error) !== "ENOENT") throw error
  }
}

/** Write permission for the group or others. */
const othersCanWrite = 0o022

/** The sticky bit: a directory shared by design, where anyone may create files (`/tmp`). */
const stickyBit = 0o1000

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, "0")

/**
 * Makes sure `directory` is private: created with its missing parents (mode 0700) when
 * `create` is set; then, if its group or other users can write it (they could plant a file
 * or delete one), it is made 0700 when it is this user's own and not a shared directory
 * (`"repaired"`, for the caller to warn about), and refused otherwise with
 * {@link UnsafePath}: another user's directory, or a shared one with the sticky bit (as
 * `/tmp`), is never changed. A link at `directory` itself is followed (a configuration
 * directory may be one); what is inside is never. `"missing"` when it does not exist and
 * `create` is not set. Mode bits mean nothing on Windows: there it only creates.
 */
export const ensurePrivateDirectory = async (
  directory: string,
  create: boolean
): Promise<"private" | "repaired" | "missing"> => {
  if (create) await fs.mkdir(directory, { recursive: true, mode: 0o700 })
  let stats: Stats
  try {
    stats = await fs.stat(directory)
  } catch (error) {
    if (!create && code(error) === "ENOENT") return "missing"
    throw error
  }
  if (!stats.isDirectory())
    throw new UnsafePath(directory, `${directory} is ${describeKind(stats)}, not a directory; remove it`)
  if (process.platform === "win32" || (stats.mode & othersCanWrite) === 0) return "private"
  const uid = process.getuid?.()
  if (stats.mode & stickyBit || (uid !== undefined && stats.uid !== uid))
    throw new UnsafePath(
      directory,
      `the directory ${directory} can be written by other users (mode ${octal(stats.mode)}) and is shared or another user's, so it is left as it is; choose a private directory`
    )
  await fs.chmod(directory, 0o700)
  return "repaired"
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
