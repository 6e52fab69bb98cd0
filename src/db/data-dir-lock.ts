import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

// PGlite is one process's database: a second process opening the same directory (the server and
// `npm run create-super-admin`, say) would corrupt it. A pid file refuses that. The file holds
// the pid and that process's start time (field 22 of /proc/<pid>/stat), so a pid the kernel has
// since given to another program — after a crash or a container restart — does not block a start.

const PID_FILE = 'fleetdeck.pid'

/** Thrown when a live Fleetdeck process holds the data directory. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: number,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by process ${holder}. Stop it first, or use DATABASE_URL.`,
    )
  }
}

/**
 * Takes the data directory for this process. A pid file left by a process that is gone, or whose
 * pid now names another program, is replaced.
 * @throws DataDirInUseError naming the live Fleetdeck process that holds the directory
 * @returns a function that releases the lock
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true })
  const file = join(dataDir, PID_FILE)
  const content = `${process.pid}\n${processStartTime(process.pid) ?? ''}\n`
  try {
    writeFileSync(file, content, { flag: 'wx' })
  } catch {
    const holder = dataDirHolder(dataDir)
    if (holder !== undefined && holder !== process.pid) throw new DataDirInUseError(dataDir, holder)
    writeFileSync(file, content)
  }
  return () => rmSync(file, { force: true })
}

/**
 * The pid of the live Fleetdeck process that holds `dataDir`, or undefined when none does (no
 * pid file, its process is gone, or its pid now names another program).
 */
export function dataDirHolder(dataDir: string): number | undefined {
  let lines: string[]
  try {
    lines = readFileSync(join(dataDir, PID_FILE), 'utf8').split('\n')
  } catch {
    return undefined
  }
  const pid = Number(lines[0])
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined
  return isSameProcess(pid, lines[1]?.trim() || undefined) ? pid : undefined
}

/**
 * Whether the live process `pid` is the one that wrote the pid file: same start time when the
 * file recorded one; otherwise (files written before start times were kept) a command line that
 * runs Fleetdeck. Without /proc (macOS) there is no way to tell: assume it is, and refuse.
 */
function isSameProcess(pid: number, recordedStart: string | undefined): boolean {
  const started = processStartTime(pid)
  if (started === undefined) return true
  if (recordedStart) return started === recordedStart
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')
    return /fleetdeck|src\/server\.ts|scripts\/[\w-]+\.ts/i.test(cmdline)
  } catch {
    return true
  }
}

/** Start time of `pid` in clock ticks since boot, or undefined without /proc. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
