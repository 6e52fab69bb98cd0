import { createTransport } from 'nodemailer'
import { describe, expect, it } from 'vitest'
import { listOutboxMail, sendMail, type MailTransport } from './mailer.js'
import { useTestDatabase } from '../test-support/test-app.js'

const t = useTestDatabase()

const T0 = new Date('2026-03-02T09:00:00.000Z')
const FROM = 'Fleetdeck <fleetdeck@example.com>'
const SECRET = 'x'.repeat(40)
const mail = {
  to: 'ivy@example.com',
  subject: 'Your invitation',
  text: 'Hello Ivy,\nhttp://x/enrol/abc',
}

function outboxRows() {
  return t.db.selectFrom('mail_outbox').selectAll().orderBy('id').execute()
}

describe('sendMail without SMTP_URL', () => {
  it('writes the message into the development outbox and says so', async () => {
    const before = (await outboxRows()).length

    const delivery = await sendMail(
      t.db,
      { smtpUrl: undefined, mailFrom: FROM, secretKey: SECRET },
      mail,
      { now: T0 },
    )

    const rows = await outboxRows()
    expect(rows).toHaveLength(before + 1)
    expect(rows.at(-1)).toEqual({
      id: rows.at(-1)!.id,
      created_at: T0,
      to_address: 'ivy@example.com',
      subject: 'Your invitation',
      body: 'Hello Ivy,\nhttp://x/enrol/abc',
    })
    expect(delivery).toEqual({ via: 'outbox', id: rows.at(-1)!.id })
  })

  it('writes inside the caller’s transaction, so a rollback takes the message back', async () => {
    const before = (await outboxRows()).length

    await expect(
      t.db.transaction().execute(async (trx) => {
        await sendMail(trx, { smtpUrl: undefined, mailFrom: FROM, secretKey: SECRET }, mail, {
          now: T0,
        })
        throw new Error('roll back')
      }),
    ).rejects.toThrow('roll back')

    expect(await outboxRows()).toHaveLength(before)
  })
})

describe('sendMail with a transport (SMTP)', () => {
  it('hands the message, from MAIL_FROM, to nodemailer and writes nothing to the outbox', async () => {
    const transport = createTransport({ jsonTransport: true })
    const sent: string[] = []
    const recording: MailTransport = {
      async sendMail(message) {
        const info = await transport.sendMail(message)
        sent.push(info.message)
        return info
      },
    }
    const before = (await outboxRows()).length

    const delivery = await sendMail(
      t.db,
      { smtpUrl: 'smtp://mail.invalid', mailFrom: FROM, secretKey: SECRET },
      mail,
      {
        transport: recording,
      },
    )

    expect(delivery.via).toBe('smtp')
    expect(delivery.via === 'smtp' && delivery.messageId).toMatch(/^<.+@.+>$/)
    expect(JSON.parse(sent[0])).toMatchObject({
      from: { address: 'fleetdeck@example.com', name: 'Fleetdeck' },
      to: [{ address: 'ivy@example.com', name: '' }],
      subject: 'Your invitation',
      text: 'Hello Ivy,\nhttp://x/enrol/abc',
    })
    expect(await outboxRows()).toHaveLength(before)
  })

  it('throws the transport’s error and writes nothing to the outbox', async () => {
    const failing: MailTransport = {
      sendMail: async () => {
        throw new Error('421 service not available')
      },
    }
    const before = (await outboxRows()).length

    await expect(
      sendMail(t.db, { smtpUrl: 'smtp://mail.invalid', mailFrom: FROM, secretKey: SECRET }, mail, {
        transport: failing,
      }),
    ).rejects.toThrow('421 service not available')
    expect(await outboxRows()).toHaveLength(before)
  })
})

describe('listOutboxMail', () => {
  it('lists the outbox newest first, up to the limit', async () => {
    for (const n of [1, 2, 3]) {
      await sendMail(
        t.db,
        { smtpUrl: undefined, mailFrom: FROM, secretKey: SECRET },
        { ...mail, subject: `number ${n}` },
        { now: T0 },
      )
    }

    const listed = await listOutboxMail(t.db, 2)

    expect(listed.map((m) => m.subject)).toEqual(['number 3', 'number 2'])
    expect(listed[0]).toMatchObject({ to: 'ivy@example.com', text: mail.text, createdAt: T0 })
  })
})
