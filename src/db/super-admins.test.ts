import { describe, expect, it } from 'vitest'
import {
  consumeTotpStep,
  findSuperAdminByEmail,
  findSuperAdminById,
  insertSuperAdmin,
  setPendingTotpSecret,
} from './super-admins.js'
import { useTestDatabase } from '../test-support/test-app.js'

const t = useTestDatabase()

function createAdmin(overrides: { email?: string } = {}) {
  return insertSuperAdmin(t.db, {
    email: overrides.email ?? `admin-${crypto.randomUUID()}@example.com`,
    name: 'Ada Admin',
    role: 'admin',
  })
}

async function storedTotpState(id: string) {
  return t.db
    .selectFrom('super_admins')
    .select(['totp_last_step', 'mfa_enabled', 'totp_secret_encrypted'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
}

describe('insertSuperAdmin', () => {
  it('creates an active admin without password, TOTP or MFA', async () => {
    const admin = await createAdmin({ email: '  Grace@Example.com ' })

    expect(admin).toMatchObject({
      email: 'Grace@Example.com',
      name: 'Ada Admin',
      role: 'admin',
      isActive: true,
      passwordHash: null,
      totpSecretEncrypted: null,
      totpLastStep: null,
      mfaEnabled: false,
      lastLoginAt: null,
    })
    expect(await findSuperAdminById(t.db, admin.id)).toEqual(admin)
  })

  it('refuses a second admin whose email differs only in case', async () => {
    await createAdmin({ email: 'twin@example.com' })

    await expect(createAdmin({ email: 'TWIN@example.com' })).rejects.toThrow()
  })
})

describe('findSuperAdminByEmail', () => {
  it('finds an admin ignoring case and surrounding spaces', async () => {
    const admin = await createAdmin({ email: 'Linus@Example.com' })

    expect((await findSuperAdminByEmail(t.db, ' linus@EXAMPLE.com '))?.id).toBe(admin.id)
    expect(await findSuperAdminByEmail(t.db, 'nobody@example.com')).toBeUndefined()
  })
})

describe('setPendingTotpSecret', () => {
  it('does not replace the key of an admin whose MFA is already enabled', async () => {
    const admin = await createAdmin()
    await setPendingTotpSecret(t.db, admin.id, 'v1.first')
    expect(await consumeTotpStep(t.db, admin.id, 100, { enableMfa: true })).toBe(true)

    await setPendingTotpSecret(t.db, admin.id, 'v1.second')

    expect(await storedTotpState(admin.id)).toEqual({
      totp_last_step: 100,
      mfa_enabled: true,
      totp_secret_encrypted: 'v1.first',
    })
  })
})

describe('consumeTotpStep', () => {
  it('consumes a step once: the same step a second time is refused', async () => {
    const admin = await createAdmin()

    expect(await consumeTotpStep(t.db, admin.id, 56_666_667)).toBe(true)
    expect(await consumeTotpStep(t.db, admin.id, 56_666_667)).toBe(false)
    expect((await storedTotpState(admin.id)).totp_last_step).toBe(56_666_667)
  })

  it('refuses an earlier step after a later one and accepts the next one', async () => {
    const admin = await createAdmin()
    await consumeTotpStep(t.db, admin.id, 1000)

    expect(await consumeTotpStep(t.db, admin.id, 999)).toBe(false)
    expect((await storedTotpState(admin.id)).totp_last_step).toBe(1000)
    expect(await consumeTotpStep(t.db, admin.id, 1001)).toBe(true)
    expect((await storedTotpState(admin.id)).totp_last_step).toBe(1001)
  })

  it('keeps steps of one admin apart from another', async () => {
    const first = await createAdmin()
    const second = await createAdmin()

    expect(await consumeTotpStep(t.db, first.id, 500)).toBe(true)
    expect(await consumeTotpStep(t.db, second.id, 500)).toBe(true)
  })

  it('enables MFA in the same statement only when asked and only when the step is fresh', async () => {
    const admin = await createAdmin()

    expect(await consumeTotpStep(t.db, admin.id, 10)).toBe(true)
    expect((await storedTotpState(admin.id)).mfa_enabled).toBe(false)
    expect(await consumeTotpStep(t.db, admin.id, 10, { enableMfa: true })).toBe(false)
    expect((await storedTotpState(admin.id)).mfa_enabled).toBe(false)
    expect(await consumeTotpStep(t.db, admin.id, 11, { enableMfa: true })).toBe(true)
    expect((await storedTotpState(admin.id)).mfa_enabled).toBe(true)
  })

  it('answers false for an unknown admin', async () => {
    expect(await consumeTotpStep(t.db, crypto.randomUUID(), 1)).toBe(false)
  })

  it('lets exactly one of 20 parallel consumes of the same step win', async () => {
    const admin = await createAdmin()

    const results = await Promise.all(
      Array.from({ length: 20 }, () => consumeTotpStep(t.db, admin.id, 77_777)),
    )

    expect(results.filter(Boolean)).toHaveLength(1)
    expect((await storedTotpState(admin.id)).totp_last_step).toBe(77_777)
  })
})
