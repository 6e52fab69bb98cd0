import { describe, expect, it } from 'vitest'
import { captureLogger } from './capture-logger.js'
import { createLogger, logThroughPino } from './logger.js'

describe('the JSON logger', () => {
  it('writes one JSON line with the level as a word, an ISO time, msg and the fields', () => {
    const log = captureLogger()
    log.logger.info({ requestId: 'r-1', status: 200 }, 'request')
    expect(log.text().split('\n').filter(Boolean)).toHaveLength(1)
    expect(log.lines()[0]).toMatchObject({ level: 'info', msg: 'request', requestId: 'r-1' })
    expect(String(log.lines()[0].time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  })

  it('censors credentials, cookies, codes, headers and bodies someone logs whole', () => {
    const log = captureLogger()
    log.logger.warn(
      {
        password: 'hunter2-password',
        code: '123456',
        headers: { cookie: 'fleetdeck_session=abc.def' },
        req: { authorization: 'Bearer sekrit-token', body: 'password=hunter3' },
        secret: 'fdk_x.y',
      },
      'careless',
    )
    const text = log.text()
    for (const leaked of ['hunter2', '123456', 'abc.def', 'sekrit-token', 'hunter3', 'fdk_x.y'])
      expect(text).not.toContain(leaked)
    expect(log.lines()[0]).toMatchObject({ password: '[redacted]', headers: '[redacted]' })
  })

  it('writes nothing below its level', () => {
    const log = captureLogger('info')
    log.logger.debug({ a: 1 }, 'quiet')
    expect(log.text()).toBe('')
    expect(createLogger('silent').isLevelEnabled('error')).toBe(false)
  })

  it('takes the scheduler’s { level, msg, ...fields } lines at their level', () => {
    const log = captureLogger()
    const line = logThroughPino(log.logger)
    line({ level: 'error', msg: 'task failed', task: 'health-sample', error: 'boom' })
    line({ level: 'nonsense', msg: 'task ran', task: 'kpi' })
    expect(log.lines()).toMatchObject([
      { level: 'error', msg: 'task failed', task: 'health-sample', error: 'boom' },
      { level: 'info', msg: 'task ran', task: 'kpi' },
    ])
  })
})
