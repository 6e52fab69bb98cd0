import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { exportAuditLog, type AuditExportFilter } from '../audit/export.js'
import { listAuditEntries, listAuditFacets } from '../db/audit-log.js'
import { findTenantBySlug, isUuid } from '../db/tenants.js'
import { AuditPage, type AuditQuery } from '../views/audit/audit-page.js'
import type { AppEnv } from '../web/env.js'
import { requirePermission } from '../web/guards.js'
import { calendarDay, isCalendarDay } from '../web/query.js'
import { pageOrFragment } from '../web/render.js'
import { auditContext, formFields } from '../web/request.js'
import { chooseEncoding } from '../web/compression.js'

// Audit export (issue 14 item 4): the /audit page's filters, posted, answered with the whole
// result as a streamed download. A filter that cannot apply as typed refuses the export (422, the
// audit page with the message beside the export form): the /audit page may show everything with a
// notice, but a file that silently holds more than the auditor asked for would be wrong evidence.

const text = z.string().trim().max(100).optional()
const exportForm = z.object({
  action: text,
  tenant: text,
  actor: text,
  batch: text,
  // Dates are checked below, so a bad one is a 422 next to the form rather than a 400.
  from: z.string().trim().max(100).optional(),
  to: z.string().trim().max(100).optional(),
  format: z.enum(['csv', 'jsonl']).default('csv'),
  bom: z.enum(['on', '1', 'true']).optional(),
})
type ExportForm = z.output<typeof exportForm>

export const auditExportRoutes = new Hono<AppEnv>()

auditExportRoutes.post('/', requirePermission('saas.audit.export'), async (c) => {
  const parsed = exportForm.safeParse(await formFields(c))
  if (!parsed.success) throw new HTTPException(400, { message: 'Malformed export request.' })
  const form = parsed.data
  const { filter, errors } = await resolveFilter(c, form)
  if (errors.length > 0) return refuse(c, form, filter, errors)
  const result = await exportAuditLog(
    c.var.db,
    auditContext(c),
    { filter, scope: c.var.scope.filter, format: form.format, bom: form.bom !== undefined },
    c.var.now(),
  )
  c.header('Content-Type', result.contentType)
  c.header('Content-Disposition', `attachment; filename="${result.filename}"`)
  c.header('Cache-Control', 'no-store')
  c.header('X-Audit-Export-Rows', String(result.rowCount))
  // The console's compression middleware reads a whole body to compress it; a million rows must
  // not sit in memory, so the stream is compressed here as it flows and carries its encoding.
  // (Node's CompressionStream speaks gzip, not brotli.)
  c.header('Vary', 'Accept-Encoding', { append: true })
  if (!acceptsGzip(c.req.header('accept-encoding'))) return c.body(result.stream)
  c.header('Content-Encoding', 'gzip')
  const gzip = new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>
  return c.body(result.stream.pipeThrough(gzip))
})

/** True when the client takes gzip (brotli left out of the choice: it is not streamed here). */
function acceptsGzip(acceptEncoding: string | undefined): boolean {
  return chooseEncoding(acceptEncoding?.replace(/\bbr\b/gi, 'x-none')) === 'gzip'
}

/** The form's filters as an AuditExportFilter, and what in them cannot apply as typed. */
async function resolveFilter(
  c: Context<AppEnv>,
  form: ExportForm,
): Promise<{ filter: AuditExportFilter; errors: string[] }> {
  const errors: string[] = []
  const filter: AuditExportFilter = { action: form.action || undefined }
  if (form.tenant) {
    const id = isUuid(form.tenant)
      ? form.tenant.toLowerCase()
      : (await findTenantBySlug(c.var.db, form.tenant))?.id
    if (id) filter.tenantId = id
    else errors.push(`No tenant has the slug “${form.tenant}”.`)
  }
  if (form.actor) {
    if (isUuid(form.actor)) filter.actorId = form.actor.toLowerCase()
    else errors.push(`“${form.actor}” is not an operator id.`)
  }
  if (form.batch) {
    if (isUuid(form.batch)) filter.batchId = form.batch.toLowerCase()
    else errors.push(`“${form.batch}” is not a batch id.`)
  }
  for (const field of ['from', 'to'] as const) {
    const day = form[field]
    if (day && !isCalendarDay(day)) errors.push(`${field === 'from' ? 'From' : 'To'}: ${dayError}`)
  }
  if (form.from && isCalendarDay(form.from)) filter.from = new Date(`${form.from}T00:00:00Z`)
  if (form.to && isCalendarDay(form.to))
    filter.to = new Date(new Date(`${form.to}T00:00:00Z`).getTime() + 86_400_000)
  if (filter.from && filter.to && filter.to <= filter.from) {
    errors.push('The date range ends before it starts.')
    filter.from = filter.to = undefined
  }
  return { filter, errors }
}

const dayError = calendarDay.safeParse('x').error?.issues[0]?.message ?? 'Enter a real date.'

/** 422: the audit page with the filters kept and the reasons beside the export form. */
async function refuse(
  c: Context<AppEnv>,
  form: ExportForm,
  filter: AuditExportFilter,
  errors: string[],
) {
  const db = c.var.db
  const [entries, facets] = await Promise.all([
    listAuditEntries(db, c.var.scope.filter, { ...filter, limit: 50 }),
    listAuditFacets(db),
  ])
  const query: AuditQuery = {
    action: form.action,
    tenant: form.tenant,
    actor: form.actor,
    batch: form.batch,
    from: form.from,
    to: form.to,
  }
  const props = {
    entries,
    query,
    facets,
    showTenant: c.var.scope.mode === 'all',
    notices: [],
    batchChip: filter.batchId,
    exportErrors: errors,
    exportChoice: { format: form.format, bom: form.bom !== undefined },
  }
  const page = () => <AuditPage {...props} />
  return pageOrFragment(c, page, page, { title: 'Audit log' }, 422)
}
