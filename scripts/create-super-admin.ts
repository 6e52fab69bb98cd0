// npm run create-super-admin -- --email E --name N [--role owner]
// Creates a super admin without password or TOTP and prints a one-time enrolment link.
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { ENROLMENT_TTL_SECONDS } from '../src/auth/enrolment.js'
import { loadConfig } from '../src/config.js'
import { openCliDatabase, reportCliFailures } from '../src/db/cli-database.js'
import { migratePlatform } from '../src/db/migrate.js'
import { OPERATOR_ROLES } from '../src/db/schema.js'
import { inviteOperator } from '../src/operators/invitations.js'

reportCliFailures('create-super-admin')
const args = z
  .object({
    email: z.email({ error: '--email must be an email address' }),
    name: z.string().trim().min(1, { error: '--name is required' }),
    role: z.enum(OPERATOR_ROLES).default('owner'),
  })
  .safeParse(
    parseArgs({
      options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } },
    }).values,
  )
if (!args.success) {
  for (const issue of args.error.issues) console.error(issue.message)
  process.exit(2)
}

const config = loadConfig()
// Through the running server when it holds the embedded database; links use its PUBLIC_URL.
const { database, publicUrl } = await openCliDatabase(config)
try {
  await migratePlatform(database.db)
  const invited = await inviteOperator(
    database.db,
    { requestId: 'cli:create-super-admin' },
    args.data,
    { via: 'cli' },
    new Date(),
  )
  if (!invited.ok) {
    console.error(`A super admin with email ${args.data.email} already exists.`)
    process.exitCode = 1
  } else {
    console.log(
      `Super admin ${args.data.email} (${args.data.role}) created. One-time enrolment link, valid ${ENROLMENT_TTL_SECONDS / 3600} h:\n\n  ${publicUrl}/enrol/${invited.token}\n`,
    )
  }
} finally {
  await database.close()
}
