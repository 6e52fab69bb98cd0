import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { listAutoJoinDomains } from '../../db/auto-join-domains.js'
import { findTenantById, type Tenant } from '../../db/tenants.js'
import {
  addAutoJoinDomain,
  isFreeMailDomain,
  normaliseDomain,
  removeAutoJoinDomain,
} from '../../people/auto-join-domains.js'
import {
  AutoJoinDomains,
  AutoJoinDomainsPage,
  type AutoJoinDomainsProps,
} from '../../views/tenants/auto-join-domains.js'
import { AnnounceOob } from '../../views/tenants/tenants-page.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { requirePermission } from '../../web/guards.js'
import { pageOrFragment } from '../../web/render.js'
import { auditContext, formFields, isHtmx, redirectTo } from '../../web/request.js'

// /tenants/:id/auto-join-domains (issue 7 item 3): add (POST) and remove (DELETE /:domain) one
// of a tenant's auto-join email domains. `saas.tenants.edit` for now; the people permissions
// (`saas.users.edit`) may take it over at merge.

export const autoJoinDomainRoutes = new Hono<AppEnv>()

async function tenantOr404(c: Context<AppEnv>): Promise<Tenant> {
  const tenant = await findTenantById(c.var.db, c.req.param('id') ?? '')
  if (!tenant) throw new HTTPException(404, { message: 'No such tenant.' })
  return tenant
}

/** The section (htmx) or its own page, with the domains as they are now. */
async function renderSection(
  c: Context<AppEnv>,
  tenant: Tenant,
  extra: Partial<AutoJoinDomainsProps> = {},
  status: 200 | 422 = 200,
) {
  const props = {
    operator: c.var.operator,
    tenant,
    domains: await listAutoJoinDomains(c.var.db, tenant.id),
    ...extra,
  }
  return pageOrFragment(
    c,
    () => (
      <>
        <AutoJoinDomains {...props} />
        {extra.notice && <AnnounceOob text={extra.notice} />}
      </>
    ),
    () => <AutoJoinDomainsPage {...props} />,
    { title: `Auto-join domains of ${tenant.name}` },
    status,
  )
}

/** After a change: the section under htmx, else the tenant page with a flash. */
async function changed(c: Context<AppEnv>, tenant: Tenant, text: string) {
  if (isHtmx(c)) return renderSection(c, tenant, { notice: text })
  await setFlash(c, { kind: 'success', text })
  return redirectTo(c, `/tenants/${tenant.id}#auto-join-domains`)
}

autoJoinDomainRoutes.post('/', requirePermission('saas.tenants.edit'), async (c) => {
  const tenant = await tenantOr404(c)
  const { domain: typed = '' } = await formFields(c)
  const domain = normaliseDomain(typed)
  const invalid = (error: string) => renderSection(c, tenant, { value: typed, error }, 422)
  if (!domain) return invalid('Enter a domain name such as acme.com (no @, no address).')
  if (isFreeMailDomain(domain))
    return invalid(`${domain} is a public mail provider: anyone there could join ${tenant.slug}.`)
  const result = await addAutoJoinDomain(c.var.db, auditContext(c), tenant.id, domain, c.var.now())
  if (!result.ok && result.reason === 'already_listed')
    return invalid(`${domain} is listed already.`)
  if (!result.ok)
    throw new HTTPException(409, { message: `${tenant.slug} is deleted; nothing was changed.` })
  return changed(c, tenant, `Auto-join domain ${domain} added to ${tenant.slug}.`)
})

autoJoinDomainRoutes.delete('/:domain', requirePermission('saas.tenants.edit'), async (c) => {
  const tenant = await tenantOr404(c)
  const domain = normaliseDomain(c.req.param('domain'))
  const notListed = () =>
    new HTTPException(404, { message: 'No such auto-join domain; nothing was changed.' })
  if (!domain) throw notListed()
  const result = await removeAutoJoinDomain(
    c.var.db,
    auditContext(c),
    tenant.id,
    domain,
    c.var.now(),
  )
  if (!result.ok) throw notListed()
  return changed(c, tenant, `Auto-join domain ${domain} removed from ${tenant.slug}.`)
})
