import { describe, expect, it } from 'vitest'
import { auditEntries, getPage, postForm } from '../../test-support/factories.js'
import {
  t,
  owner,
  cookie,
  PASSWORD,
  outboxMailTo,
  linkIn,
  invite,
  useSuperAdminTestApp,
} from '../../test-support/super-admin-routes.js'

useSuperAdminTestApp()

describe('the development outbox', () => {
  it('is clearly marked and lists mail newest first, with the link clickable', async () => {
    const first = await invite()
    const second = await invite()

    const body = await (await getPage(t.app, '/super-admins/outbox', cookie)).text()
    const link = linkIn((await outboxMailTo(second.fields.email))!.body)

    expect(body).toContain('Development outbox — mail is not being sent.')
    expect(body.indexOf(second.fields.email)).toBeLessThan(body.indexOf(first.fields.email))
    expect(body).toContain(`<a href="${t.config.publicUrl}${link}"`)
  })

  it('reading it is audited: who read it and which mails were shown', async () => {
    const { fields } = await invite()
    const mail = (await outboxMailTo(fields.email))!

    const res = await getPage(t.app, '/super-admins/outbox', cookie)

    expect(res.status).toBe(200)
    const [entry] = (await auditEntries(t.db, 'mail.outbox.read')).slice(-1)
    expect(entry).toMatchObject({
      actor_id: owner.admin.id,
      actor_email: owner.admin.email,
      target_type: 'mail_outbox',
    })
    expect((entry.after as { shown: number[] }).shown).toContain(Number(mail.id))
  })

  it('a mail whose link was used, or replaced by a new one, leaves it', async () => {
    const accepted = await invite()
    const acceptedLink = linkIn((await outboxMailTo(accepted.fields.email))!.body)
    const resent = await invite()
    const oldLink = linkIn((await outboxMailTo(resent.fields.email))!.body)
    const pending = await invite()

    const password = await postForm(t.app, acceptedLink, { password: PASSWORD, confirm: PASSWORD })
    expect(password.status).toBe(303)
    await postForm(t.app, `/super-admins/${resent.admin!.id}/invitation`, {}, cookie)
    const newLink = linkIn((await outboxMailTo(resent.fields.email))!.body)
    const body = await (await getPage(t.app, '/super-admins/outbox', cookie)).text()

    expect(body).not.toContain(acceptedLink)
    expect(body).not.toContain(oldLink)
    expect(body).toContain(newLink)
    expect(body).toContain(linkIn((await outboxMailTo(pending.fields.email))!.body))
    const [entry] = (await auditEntries(t.db, 'mail.outbox.read')).slice(-1)
    expect((entry.after as { spentLinksHidden: number }).spentLinksHidden).toBeGreaterThanOrEqual(2)
  })
})
