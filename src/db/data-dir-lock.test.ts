import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DataDirInUseError, dataDirHolder, lockDataDir } from './data-dir-lock.js'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-lock-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A live process that is not Fleetdeck, as a reused pid would name after a crash. */
async function otherProgram(): Promise<ChildProcess> {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' })
  cleanups.push(() => child.kill('SIGKILL'))
  await new Promise((resolve) => child.once('spawn', resolve))
  return child
}

function startTimeOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
}

const hasProc = (() => {
  try {
    readFileSync('/proc/self/stat')
    return true
  } catch {
    return false
  }
})()

describe('the embedded data directory lock', () => {
  it('records this process and releases the directory afterwards', () => {
    const dir = tempDir()
    const unlock = lockDataDir(dir)
    expect(readFileSync(join(dir, 'fleetdeck.pid'), 'utf8').split('\n')[0]).toBe(
      String(process.pid),
    )
    expect(dataDirHolder(dir)).toBe(process.pid)
    unlock()
    expect(dataDirHolder(dir)).toBeUndefined()
  })

  it('takes over a pid file whose process has exited', async () => {
    const dir = tempDir()
    const child = await otherProgram()
    const pid = child.pid!
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))
    writeFileSync(join(dir, 'fleetdeck.pid'), `${pid}\n`)

    lockDataDir(dir)

    expect(dataDirHolder(dir)).toBe(process.pid)
  })

  it.skipIf(!hasProc)(
    'takes over a pid file whose pid now names a program that is not Fleetdeck',
    async () => {
      const dir = tempDir()
      const child = await otherProgram()
      // A file from before start times were recorded: only the pid.
      writeFileSync(join(dir, 'fleetdeck.pid'), `${child.pid}\n`)
      expect(dataDirHolder(dir)).toBeUndefined()
      lockDataDir(dir)
      expect(dataDirHolder(dir)).toBe(process.pid)

      // A recorded start time that is not the live process's: the pid was reused.
      writeFileSync(join(dir, 'fleetdeck.pid'), `${child.pid}\n1\n`)
      expect(() => lockDataDir(dir)).not.toThrow()
    },
  )

  it.skipIf(!hasProc)(
    'refuses a directory held by the live process that wrote the pid file',
    async () => {
      const dir = tempDir()
      const child = await otherProgram()
      writeFileSync(join(dir, 'fleetdeck.pid'), `${child.pid}\n${startTimeOf(child.pid!)}\n`)

      expect(dataDirHolder(dir)).toBe(child.pid)
      expect(() => lockDataDir(dir)).toThrow(DataDirInUseError)
      expect(() => lockDataDir(dir)).toThrow(`in use by process ${child.pid}`)
    },
  )
})
