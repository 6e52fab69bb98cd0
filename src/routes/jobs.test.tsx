import { beforeAll, describe, expect, it } from 'vitest'
import { findJobRun } from '../db/job-runs.js'
import { drainJobRun } from '../jobs/runner.js'
import { createEffectsTable, recordingHandler, startTestRun } from '../test-support/jobs.js'
import { alertText, linkHrefs, parseHtml, textOf, textsOf } from '../test-support/html.js'
import { cookieOfRole, followWithFlash } from '../test-support/plan-scenes.js'
import { getPage, send, sendForm } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'

// /jobs and /jobs/:id (issue 11 item 1): the list's order, the run page, the verbs' flashes and
// audit entries, who may act, and polling that does not keep a session alive.

const t = useTestApp()
let cookie: string

beforeAll(async () => {
  await createEffectsTable(t.db)
  cookie = (await t.signedInOwner()).cookie
})

const drain = (runId: string, fail: number[] = []) =>
  drainJobRun(t.database, t.config, runId, {
    handlers: [
      recordingHandler({
        decide: ({ item }) => {
          if (fail.includes(item.seq)) throw new Error(`item ${item.seq} broke`)
          return { status: 'done' }
        },
      }),
    ],
  })

async function runAt(minutesAgo: number, items = 2) {
  return startTestRun(t.db, { items }, new Date(t.clock.now() - minutesAgo * 60_000))
}

describe('GET /jobs', () => {
  it('lists runs with failures first, then running ones, then the rest newest first', async () => {
    const oldDone = await runAt(50)
    const failed = await runAt(40)
    const running = await runAt(30)
    const newDone = await runAt(20)
    await drain(oldDone.id)
    await drain(failed.id, [1])
    await drain(newDone.id)

    const html = await (await getPage(t.app, '/jobs', cookie)).text()

    const ids = parseHtml(html)
      .querySelectorAll('#job-runs tbody tr')
      .map((row) => row.id)
    const expected = [failed, running, newDone, oldDone].map((run) => `run-${run.id}`)
    expect(ids.filter((id) => expected.includes(id))).toEqual(expected)
    expect(textOf(html, `#run-${failed.id} progress`)).toBe('2 of 2')
    expect(
      parseHtml(html).querySelector(`#run-${failed.id} progress`)?.getAttribute('aria-label'),
    ).toBe(`Progress of ${failed.label}`)
    expect(textOf(html, `#run-${running.id}`)).toContain('scheduler')
  })

  it('filters by status; a malformed filter or cursor is 400', async () => {
    for (let i = 0; i < 3; i++) await drain((await runAt(100 + i)).id)
    const first = await getPage(t.app, '/jobs?status=completed', cookie)
    const html = await first.text()
    const statuses = textsOf(html, '#job-runs tbody tr .badge')
    expect(new Set(statuses)).toEqual(new Set(['completed']))
    expect(linkHrefs(html, 'Older runs')).toEqual([])

    expect((await getPage(t.app, '/jobs?status=exploded', cookie)).status).toBe(400)
    expect((await getPage(t.app, '/jobs?after=not-a-cursor', cookie)).status).toBe(400)
  })
})

describe('GET /jobs/:id', () => {
  it('shows failed items first, the audit link, and polls while the run is live', async () => {
    const run = await runAt(5, 3)
    const live = await (await getPage(t.app, `/jobs/${run.id}`, cookie)).text()
    const poller = parseHtml(live).querySelector(`#job-progress-${run.id}`)!
    expect(poller.getAttribute('hx-trigger')).toBe('every 2s')
    expect(JSON.parse(poller.getAttribute('hx-headers')!)).toEqual({ 'x-fleetdeck-poll': '1' })

    await drain(run.id, [2])
    const ended = await (await getPage(t.app, `/jobs/${run.id}`, cookie)).text()

    const stopped = parseHtml(ended).querySelector(`#job-progress-${run.id}`)!
    expect(stopped.getAttribute('hx-trigger')).toBeUndefined()
    expect(textsOf(ended, '#failed-items tbody td:nth-child(2)')).toEqual(['item-2'])
    expect(textOf(ended, '#failed-items tbody tr')).toContain('item 2 broke')
    expect(linkHrefs(ended, 'Audit entries of this run')).toEqual([`/audit?batch=${run.id}`])
  })

  it('answers the poll with the progress fragment and the actions out of band', async () => {
    const run = await runAt(5)
    const res = await getPage(t.app, `/jobs/${run.id}?part=page`, cookie, {
      'HX-Request': 'true',
      'x-fleetdeck-poll': '1',
    })
    const html = await res.text()

    expect(res.status).toBe(200)
    expect(html).not.toContain('<h1')
    expect(parseHtml(html).querySelector('#job-actions')?.getAttribute('hx-swap-oob')).toBe('true')
  })

  it('is 404 for an unknown or malformed id', async () => {
    expect((await getPage(t.app, `/jobs/${crypto.randomUUID()}`, cookie)).status).toBe(404)
    expect((await getPage(t.app, '/jobs/not-a-uuid', cookie)).status).toBe(404)
  })
})

describe('the verbs on a run', () => {
  const act = (method: string, path: string, fields: Record<string, string> = {}) =>
    sendForm(t.app, method, path, fields, cookie)

  it('pause, resume, retry and cancel each flash and audit', async () => {
    const run = await runAt(5, 3)
    const steps: [string, string, string, string][] = [
      ['POST', 'pause', 'job.pause', 'Run paused'],
      ['DELETE', 'pause', 'job.resume', 'Run resumed.'],
      ['POST', 'cancellation', 'job.cancel', 'Run canceled'],
    ]
    for (const [method, resource, action, flash] of steps) {
      const res = await act(method, `/jobs/${run.id}/${resource}`)
      expect(res.status).toBe(303)
      expect(await followWithFlash(t.app, res, cookie)).toContain(flash)
      const entries = await t.db
        .selectFrom('audit_log')
        .select(['actor_id', 'before', 'after'])
        .where('action', '=', action)
        .where('batch_id', '=', run.id)
        .execute()
      expect(entries).toHaveLength(1)
    }
    expect((await findJobRun(t.db, run.id))?.status).toBe('canceled')
  })

  it('retry queues failed items again; a refusal flashes why and changes nothing', async () => {
    const run = await runAt(5, 2)
    await drain(run.id, [1])

    const retried = await act('POST', `/jobs/${run.id}/retries`)
    expect(await followWithFlash(t.app, retried, cookie)).toContain('Failed items queued again.')
    expect((await findJobRun(t.db, run.id))?.status).toBe('running')
    await drain(run.id)

    const refused = await act('POST', `/jobs/${run.id}/pause`)
    const page = await followWithFlash(t.app, refused, cookie)
    expect(alertText(page)).toBe('Nothing was changed: the run has already finished.')
    expect((await findJobRun(t.db, run.id))?.status).toBe('completed')
  })

  it('cancel asks first without JavaScript', async () => {
    const run = await runAt(5)
    const page = await (await getPage(t.app, `/jobs/${run.id}/cancellation/new`, cookie)).text()
    expect(textOf(page, 'h1')).toBe(`Cancel “${run.label}”?`)
    expect((await findJobRun(t.db, run.id))?.status).toBe('running')
  })

  it('viewers and support may look but not act', async () => {
    const run = await runAt(5)
    for (const role of ['viewer', 'support'] as const) {
      const own = await cookieOfRole(t.db, t.config, role, new Date(t.clock.now()))
      expect((await getPage(t.app, `/jobs/${run.id}`, own)).status).toBe(200)
      const res = await send(t.app, 'POST', `/jobs/${run.id}/pause`, { cookie: own, fields: {} })
      expect(res.status).toBe(403)
    }
    expect((await findJobRun(t.db, run.id))?.status).toBe('running')
  })
})

describe('the poll and the session', () => {
  it('polling a run alone lets the session reach its idle timeout', async () => {
    const run = await runAt(5)
    const own = await cookieOfRole(t.db, t.config, 'viewer', new Date(t.clock.now()))
    const poll = { 'HX-Request': 'true', 'x-fleetdeck-poll': '1' }
    for (let minute = 0; minute < 28; minute += 4) {
      t.clock.advance(4 * 60_000)
      expect((await getPage(t.app, `/jobs/${run.id}`, own, poll)).status).toBe(200)
    }
    t.clock.advance(3 * 60_000)

    expect((await getPage(t.app, `/jobs/${run.id}`, own, poll)).status).toBe(401)
  })
})
