import { describe, expect, it } from 'vitest'
import { createClient, KitError } from './client.js'

function clientAnswering(response: () => Response, seen: Request[] = []) {
  return createClient({
    fleetdeckUrl: 'http://fd.test/',
    appKey: 'fdk_abc.def',
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(new Request(String(input), init))
      return response()
    }) as typeof fetch,
  })
}

describe('the kit API client', () => {
  it('sends the app key as a bearer token and JSON bodies, below the base URL', async () => {
    const seen: Request[] = []
    const client = clientAnswering(() => Response.json({ recorded: true }, { status: 202 }), seen)

    await client.call('POST', '/kit/v1/sign-ins', { body: { email: 'a@example.com' } })

    expect(seen[0].url).toBe('http://fd.test/kit/v1/sign-ins')
    expect(seen[0].headers.get('authorization')).toBe('Bearer fdk_abc.def')
    expect(seen[0].headers.get('content-type')).toBe('application/json')
    expect(await seen[0].json()).toEqual({ email: 'a@example.com' })
  })

  it('turns a problem into a KitError with its status, code, title and members', async () => {
    const problem = {
      type: 'about:blank',
      title: 'The plan allows 5 members.',
      status: 422,
      code: 'quota_exceeded',
      limit: 5,
      current: 5,
    }
    const client = clientAnswering(() =>
      Response.json(problem, {
        status: 422,
        headers: { 'content-type': 'application/problem+json' },
      }),
    )

    const error = await client.json('POST', '/kit/v1/tenants/acme/members', {}).catch((e) => e)

    expect(error).toBeInstanceOf(KitError)
    expect(error).toMatchObject({
      status: 422,
      code: 'quota_exceeded',
      message: 'The plan allows 5 members.',
      problem: { limit: 5, current: 5 },
    })
  })

  it('keeps the status of an answer that is not a problem, without inventing a code', async () => {
    const client = clientAnswering(
      () => new Response('<h1>Bad gateway</h1>', { status: 502, statusText: 'Bad Gateway' }),
    )

    const error = await client.call('GET', '/kit/v1/tenants/acme').catch((e) => e)

    expect(error).toMatchObject({ status: 502, code: 'http_502', message: 'Bad Gateway' })
  })
})
