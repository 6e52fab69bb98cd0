import { describe, expect, it } from 'vitest'
import { insertSuperAdmin } from '../db/super-admins.js'
import {
  ENROLMENT_TTL_SECONDS,
  consumeEnrolmentToken,
  createEnrolmentToken,
  findUsableEnrolmentToken,
} from './enrolment.js'
import { generateSplitToken, hashSecret } from './tokens.js'
import { useTestDatabase } from '../test-support/test-app.js'

const t = useTestDatabase()

const T0 = new Date('2026-03-02T09:00:00.000Z')

function after(seconds: number): Date {
  return new Date(T0.getTime() + seconds * 1000)
}

async function createEnrolment(now: Date = T0) {
  const admin = await insertSuperAdmin(t.db, {
    email: `admin-${crypto.randomUUID()}@example.com`,
    name: 'Ada Admin',
    role: 'operator',
  })
  const token = await createEnrolmentToken(t.db, 'enrolment', admin.id, now)
  return { admin, token, id: token.split('.')[0] }
}

function findTokenRow(id: string) {
  return t.db
    .selectFrom('enrolment_tokens')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
}

describe('createEnrolmentToken', () => {
  it('stores the sha256 of the secret and an expiry one hour later', async () => {
    const { admin, token, id } = await createEnrolment()
    const secret = token.split('.')[1]

    expect(token).toMatch(/^[a-z2-7]{32}\.[a-z2-7]{32}$/)
    expect(ENROLMENT_TTL_SECONDS).toBe(3600)
    expect(await findTokenRow(id)).toEqual({
      id,
      secret_hash: Buffer.from(hashSecret(secret)),
      purpose: 'enrolment',
      super_admin_id: admin.id,
      created_at: T0,
      expires_at: after(3600),
      used_at: null,
    })
  })

  it('honours a custom lifetime in seconds', async () => {
    const token = await createEnrolmentToken(t.db, 'setup', null, T0, 90)

    expect((await findTokenRow(token.split('.')[0])).expires_at).toEqual(after(90))
  })
})

describe('findUsableEnrolmentToken', () => {
  it('finds an unused, unexpired token whose secret matches', async () => {
    const { admin, token, id } = await createEnrolment()

    expect(await findUsableEnrolmentToken(t.db, token, after(60))).toEqual({
      id,
      purpose: 'enrolment',
      superAdminId: admin.id,
      expiresAt: after(3600),
    })
  })

  it('finds a setup token that belongs to no admin yet', async () => {
    const token = await createEnrolmentToken(t.db, 'setup', null, T0)

    expect(await findUsableEnrolmentToken(t.db, token, after(60))).toMatchObject({
      purpose: 'setup',
      superAdminId: null,
    })
  })

  it('finds nothing for the right id with a wrong secret', async () => {
    const { id } = await createEnrolment()

    const forged = `${id}.${generateSplitToken().secret}`

    expect(await findUsableEnrolmentToken(t.db, forged, after(60))).toBeUndefined()
  })

  it('finds nothing for an unknown or malformed token', async () => {
    await createEnrolment()

    expect(
      await findUsableEnrolmentToken(t.db, generateSplitToken().token, after(60)),
    ).toBeUndefined()
    expect(await findUsableEnrolmentToken(t.db, 'not-a-token', after(60))).toBeUndefined()
    expect(await findUsableEnrolmentToken(t.db, '', after(60))).toBeUndefined()
  })

  it('finds the token in its last second and nothing once the hour is over', async () => {
    const { token } = await createEnrolment()

    expect(await findUsableEnrolmentToken(t.db, token, after(3599))).toBeDefined()
    expect(await findUsableEnrolmentToken(t.db, token, after(3600))).toBeUndefined()
    expect(await findUsableEnrolmentToken(t.db, token, after(7200))).toBeUndefined()
  })

  it('finds nothing once the token is used', async () => {
    const { token, id } = await createEnrolment()
    await consumeEnrolmentToken(t.db, id, after(60))

    expect(await findUsableEnrolmentToken(t.db, token, after(61))).toBeUndefined()
  })
})

describe('consumeEnrolmentToken', () => {
  it('consumes a token once: a second consume is refused', async () => {
    const { id } = await createEnrolment()

    expect(await consumeEnrolmentToken(t.db, id, after(60))).toBe(true)
    expect(await consumeEnrolmentToken(t.db, id, after(61))).toBe(false)
    expect((await findTokenRow(id)).used_at).toEqual(after(60))
  })

  it('refuses an expired token and leaves it unused', async () => {
    const { id } = await createEnrolment()

    expect(await consumeEnrolmentToken(t.db, id, after(3600))).toBe(false)
    expect((await findTokenRow(id)).used_at).toBeNull()
  })

  it('answers false for an unknown id', async () => {
    expect(await consumeEnrolmentToken(t.db, generateSplitToken().id, after(60))).toBe(false)
  })

  it('consumes only the token it names', async () => {
    const first = await createEnrolment()
    const second = await createEnrolment()

    await consumeEnrolmentToken(t.db, first.id, after(60))

    expect((await findTokenRow(second.id)).used_at).toBeNull()
    expect(await findUsableEnrolmentToken(t.db, second.token, after(60))).toBeDefined()
  })

  it('lets exactly one of 20 parallel consumes win', async () => {
    const { id } = await createEnrolment()

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => consumeEnrolmentToken(t.db, id, after(60 + i))),
    )

    expect(results.filter(Boolean)).toHaveLength(1)
    const winner = results.indexOf(true)
    expect((await findTokenRow(id)).used_at).toEqual(after(60 + winner))
  })
})
