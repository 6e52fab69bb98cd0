import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { expect } from 'vitest'

// Checks that what /api/v1 answers is what /api/v1/openapi.json promises (issue 14 item 1: "a
// test validates every response against it"). The document's schemas are OpenAPI 3.1 Schema
// Objects, i.e. JSON Schema 2020-12 (OAS 3.1 §4.8.24), so Ajv's 2020 dialect validates them as
// they are; `#/components/schemas/…` references resolve against the document's components.

/** An OpenAPI 3.1 document as served at /api/v1/openapi.json (only the parts checked here). */
export type OpenApiDocument = {
  openapi: string
  info: { title: string; version: string }
  paths: Record<string, Record<string, OperationObject>>
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> }
}

type OperationObject = {
  operationId?: string
  security?: unknown[]
  responses: Record<string, { description: string; content?: Record<string, { schema?: unknown }> }>
}

/** What a response is checked by: a fetch Response, or its status, content type and body. */
export type ResponseLike = Response | { status: number; contentType?: string; body: unknown }

const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default
  ? (addFormatsModule as unknown as { default: typeof addFormatsModule }).default
  : addFormatsModule

const validators = new WeakMap<OpenApiDocument, Map<string, ValidateFunction>>()

function compilerFor(document: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true })
  addFormats(ajv)
  return (schema: unknown) =>
    ajv.compile({
      $id: `urn:fleetdeck:openapi:${Math.random().toString(36).slice(2)}`,
      components: document.components ?? {},
      ...(schema as object),
    })
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

/**
 * Asserts `document` is a usable OpenAPI 3.1 document: version 3.1.x, info, paths whose
 * operations each declare responses, every `$ref` pointing at something that exists, every
 * schema compiling as JSON Schema 2020-12, and every security requirement naming a declared
 * scheme. Throws (vitest assertion) on the first problem.
 */
export function expectOpenApi31(document: OpenApiDocument): void {
  expect(document.openapi).toMatch(/^3\.1\.\d+$/)
  expect(typeof document.info?.title).toBe('string')
  expect(typeof document.info?.version).toBe('string')
  expect(Object.keys(document.paths ?? {}).length).toBeGreaterThan(0)
  const refs: string[] = []
  collectRefs(document, refs)
  for (const ref of refs) {
    expect(ref, `unresolvable $ref ${ref}`).toMatch(/^#\//)
    expect(resolvePointer(document, ref), `unresolvable $ref ${ref}`).toBeDefined()
  }
  const compile = compilerFor(document)
  const schemes = Object.keys(document.components?.securitySchemes ?? {})
  const operationIds = new Set<string>()
  for (const [path, item] of Object.entries(document.paths)) {
    expect(path, 'paths start with /').toMatch(/^\//)
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.includes(method)) continue
      const where = `${method.toUpperCase()} ${path}`
      expect(
        Object.keys(operation.responses ?? {}).length,
        `${where} has responses`,
      ).toBeGreaterThan(0)
      if (operation.operationId) {
        expect(operationIds.has(operation.operationId), `${where} operationId unique`).toBe(false)
        operationIds.add(operation.operationId)
      }
      for (const requirement of operation.security ?? []) {
        for (const name of Object.keys(requirement as object)) {
          expect(schemes, `${where} security scheme ${name}`).toContain(name)
        }
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(status, `${where} status`).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/)
        expect(typeof response.description, `${where} ${status} description`).toBe('string')
        for (const media of Object.values(response.content ?? {})) {
          if (media.schema !== undefined) expect(() => compile(media.schema)).not.toThrow()
        }
      }
    }
  }
}

/**
 * Asserts that `response` is one `document` allows for `method` on `pathTemplate` (the
 * document's own key, e.g. `/tenants/{id}`; a leading `/api/v1` is dropped): the status is
 * declared (exactly, as `4XX`, or `default`), the content type is one the response declares, and
 * the JSON body validates against that media type's schema. Returns the parsed body (a Response
 * is cloned, so the caller may still read it). Throws (vitest assertion) with Ajv's errors.
 */
export async function expectConforms(
  document: OpenApiDocument,
  method: string,
  pathTemplate: string,
  response: ResponseLike,
): Promise<unknown> {
  const path = pathTemplate.replace(/^\/api\/v1(?=\/)/, '')
  const lower = method.toLowerCase()
  const where = `${method.toUpperCase()} ${path}`
  const operation = document.paths[path]?.[lower]
  expect(operation, `${where} is not in the OpenAPI document`).toBeDefined()
  const { status, contentType, body } =
    response instanceof Response ? await readResponse(response) : response
  const declared =
    operation.responses[String(status)] ??
    operation.responses[`${String(status)[0]}XX`] ??
    operation.responses.default
  expect(declared, `${where} does not declare status ${status}`).toBeDefined()
  const media = Object.keys(declared.content ?? {})
  if (media.length === 0) {
    expect(body ?? null, `${where} ${status} declares no body`).toBeNull()
    return body
  }
  const type = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase()
  expect(media, `${where} ${status} content type ${type}`).toContain(type)
  const schema = declared.content![type].schema
  if (schema === undefined) return body
  const cache = validators.get(document) ?? new Map<string, ValidateFunction>()
  validators.set(document, cache)
  const key = `${lower} ${path} ${status} ${type}`
  let validate = cache.get(key)
  if (!validate) {
    validate = compilerFor(document)(schema)
    cache.set(key, validate)
  }
  const valid = validate(body)
  expect(
    valid ? [] : validate.errors,
    `${where} ${status} body does not match the document: ${JSON.stringify(body).slice(0, 500)}`,
  ).toEqual([])
  return body
}

async function readResponse(response: Response) {
  const text = await response.clone().text()
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? undefined,
    body: text === '' ? null : (JSON.parse(text) as unknown),
  }
}

function collectRefs(node: unknown, into: string[]): void {
  if (Array.isArray(node)) for (const item of node) collectRefs(item, into)
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') into.push(value)
      else collectRefs(value, into)
    }
  }
}

function resolvePointer(document: unknown, ref: string): unknown {
  let node: unknown = document
  for (const raw of ref.slice(2).split('/')) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~')
    if (!node || typeof node !== 'object') return undefined
    node = (node as Record<string, unknown>)[part]
  }
  return node
}
