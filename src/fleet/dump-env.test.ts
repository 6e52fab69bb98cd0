import { describe, expect, it } from 'vitest'
import { dumpEnv } from './schema-dump.js'

// Review finding 5 (issue 11 item 5): pg_dump gets libpq's variables, never the app's secrets.

describe('dumpEnv', () => {
  it('passes PATH, HOME, LANG, LC_* and PG* to pg_dump, and none of the app’s secrets', () => {
    const env = dumpEnv('postgres://app:s%40cret@db.internal:6543/fleet?sslmode=require', {
      PATH: '/usr/bin',
      HOME: '/home/app',
      LANG: 'C.UTF-8',
      LC_ALL: 'C',
      PGCONNECT_TIMEOUT: '5',
      FLEETDECK_SECRET_KEY: 'k'.repeat(40),
      DATABASE_URL: 'postgres://app:s%40cret@db.internal:6543/fleet',
      SMTP_PASSWORD: 'mail',
      NODE_OPTIONS: '--inspect',
    })

    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/app',
      LANG: 'C.UTF-8',
      LC_ALL: 'C',
      PGCONNECT_TIMEOUT: '5',
      PGHOST: 'db.internal',
      PGPORT: '6543',
      PGUSER: 'app',
      PGPASSWORD: 's@cret',
      PGDATABASE: 'fleet',
      PGSSLMODE: 'require',
    })
  })
})
