import { serve } from '@hono/node-server'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { createKit } from '@fleetdeck/kit'
import { createExampleApp } from './app.js'
import { connectFlags } from './flags.js'

// The example app as a process of its own on PostgreSQL (the database Fleetdeck manages, whose
// tenant schemas hold the app's tables):
//   DATABASE_URL=postgres://… FLEETDECK_URL=http://127.0.0.1:3000 FLEETDECK_APP_KEY=fdk_… \
//   APP_URL=http://127.0.0.1:3001 COOKIE_SECRET=… node --import tsx examples/tenant-app/src/server.ts
// On the embedded database, `npm run demo` runs it inside Fleetdeck's process instead.

function required(name: string): string {
  const value = process.env[name]
  if (!value) {
    console.error(`${name} is required`)
    process.exit(1)
  }
  return value
}

const port = Number(process.env.PORT ?? 3001)
const host = process.env.HOST ?? '127.0.0.1'
const appUrl = (process.env.APP_URL ?? `http://${host}:${port}`).replace(/\/+$/, '')
const cookieSecret = required('COOKIE_SECRET')
if (cookieSecret.length < 32) {
  console.error('COOKIE_SECRET must be at least 32 characters')
  process.exit(1)
}

const pool = new pg.Pool({ connectionString: required('DATABASE_URL'), max: 5 })
const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) })
const fleetdeckUrl = required('FLEETDECK_URL')
const appKey = required('FLEETDECK_APP_KEY')
const kit = createKit({ fleetdeckUrl, appKey, appUrl })
const app = createExampleApp({
  kit,
  flags: await connectFlags({ fleetdeckUrl, appKey }),
  db,
  cookieSecret,
  secureCookies: appUrl.startsWith('https://'),
})

const server = serve({ fetch: app.fetch, port, hostname: host }, (info) =>
  console.log(`Example tenant app listening on http://${info.address}:${info.port}`),
)

async function shutdown() {
  server.close()
  await db.destroy()
  process.exit(0)
}
process.on('SIGINT', () => void shutdown())
process.on('SIGTERM', () => void shutdown())
