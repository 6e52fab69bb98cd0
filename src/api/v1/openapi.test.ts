import { beforeAll, describe, expect, it } from 'vitest'
import { AUTHORIZATION_MATRIX } from '../../auth/authorization-matrix.js'
import {
  expectConforms,
  expectOpenApi31,
  type OpenApiDocument,
} from '../../test-support/openapi-conformance.js'
import { useTestApp } from '../../test-support/test-app.js'

// The OpenAPI document of /api/v1 (issue 14 item 1): served without a token, a valid OpenAPI
// 3.1 document, in step with the authorization matrix, every operation guarded and declaring
// its problems. The responses themselves are checked against it in each API test file through
// expectConforms; the last block shows that check refuses what the document does not allow.

const t = useTestApp()
let document: OpenApiDocument

const METHODS = ['get', 'put', 'post', 'delete', 'patch']

function operations(doc: OpenApiDocument) {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ path, method, operation })),
  )
}

beforeAll(async () => {
  const res = await t.app.request('/api/v1/openapi.json')
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toContain('application/json')
  document = (await res.json()) as OpenApiDocument
})

describe('GET /api/v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document whose schemas all compile', () => {
    expectOpenApi31(document)
    expect(document.components?.schemas).toHaveProperty('Problem')
    expect(document.components?.securitySchemes).toHaveProperty('bearerAuth')
  })

  it('is served without a token and sets no cookie', async () => {
    const res = await t.app.request('/api/v1/openapi.json')
    expect(res.status).toBe(200)
    expect(res.headers.get('set-cookie')).toBeNull()
  })

  it('guards every operation with the bearer token and declares 401, 403 and 429 problems', () => {
    const ops = operations(document)
    expect(ops.length).toBeGreaterThan(0)
    for (const { path, method, operation } of ops) {
      const where = `${method.toUpperCase()} ${path}`
      expect(operation.security, where).toEqual([{ bearerAuth: [] }])
      expect(operation.operationId, where).toMatch(/^[a-zA-Z]+$/)
      for (const status of ['401', '403', '429']) {
        expect(
          Object.keys(operation.responses[status]?.content ?? {}),
          `${where} ${status}`,
        ).toEqual(['application/problem+json'])
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if (status.startsWith('4'))
          expect(Object.keys(response.content ?? {}), `${where} ${status}`).toEqual([
            'application/problem+json',
          ])
      }
    }
  })

  it('lists exactly the routes the authorization matrix gives to API tokens', () => {
    const documented = operations(document).map(
      ({ path, method }) => `${method.toUpperCase()} /api/v1${path.replace(/\{(\w+)\}/g, ':$1')}`,
    )
    const inMatrix = Object.entries(AUTHORIZATION_MATRIX)
      .filter(([, access]) => typeof access === 'object' && 'apiToken' in access)
      .map(([route]) => route)
    expect(documented.sort()).toEqual(inMatrix.sort())
  })
})

describe('expectConforms', () => {
  const tenant = {
    id: '0b0e3c53-6f1d-4c1f-9d55-6c0c0b1a2b3c',
    slug: 'acme',
    name: 'Acme',
    status: 'active',
    planId: 'free',
    billingEmail: 'b@acme.example',
    firstAdminEmail: 'a@acme.example',
    firstAdminName: 'Ada',
    onboardingError: null,
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
    suspendedAt: null,
    planChangedAt: null,
    deletedAt: null,
    lastActivityAt: null,
    health: null,
    healthCheckedAt: null,
    purgeAfter: null,
    protected: false,
    billingMrrCents: null,
    billingCurrency: null,
    dunningStartedAt: null,
  }
  const problem = {
    type: 'about:blank',
    title: 'Not Found',
    status: 404,
    detail: 'No such tenant.',
  }
  const json = (body: unknown, status = 200, type = 'application/json') =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': type } })

  it('accepts a body the document allows and returns it', async () => {
    expect(await expectConforms(document, 'GET', '/api/v1/tenants/{id}', json(tenant))).toEqual(
      tenant,
    )
    await expectConforms(
      document,
      'get',
      '/tenants/{id}',
      json(problem, 404, 'application/problem+json'),
    )
  })

  it('refuses a missing field, a wrong type, a bad date, an undeclared status or media type', async () => {
    const { slug: _slug, ...noSlug } = tenant
    const bad = [
      json(noSlug),
      json({ ...tenant, protected: 'no' }),
      json({ ...tenant, createdAt: 'yesterday' }),
      json({ ...tenant, status: 'sleeping' }),
      json(tenant, 418),
      json(problem, 404, 'text/html'),
    ]
    for (const res of bad) {
      await expect(expectConforms(document, 'GET', '/tenants/{id}', res)).rejects.toThrow()
    }
    await expect(expectConforms(document, 'GET', '/no-such-path', json(tenant))).rejects.toThrow(
      /not in the OpenAPI document/,
    )
  })
})
