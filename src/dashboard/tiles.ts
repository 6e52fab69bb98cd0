import { addDays, utcDay, type KpiDay, type KpiKey } from '../db/kpi-daily.js'
import type { DayCount, HostMetrics, Kpis } from '../db/kpis.js'
import type { TenantStatus } from '../db/schema.js'
import type { BillingToday } from '../db/billing-today.js'
import type { SparklinePoint } from '../views/components/sparkline.js'
import { formatAge, formatBytes } from '../views/format.js'
import { revenueTiles } from './revenue-tiles.js'

// Two kinds of trend: point-in-time counters (tenants, users, active users, requests,
// impersonations, storage, host) take each past day's stored value, the day's last observation
// (src/dashboard/snapshot.ts); day-bounded counters (signups, new members) are counted per day
// from `created_at` on every load (Kpis.signupsByDay), so each day holds all of its signups.

// What the dashboard shows (issue 10 item 2), worked out from the live KPIs and the stored days:
// a pure function, so the page is a plain rendering of this and tests read the numbers here.

/** Days a sparkline covers, today (the live value) included. */
export const TREND_DAYS = 30

export type TileFormat = 'count' | 'bytes' | 'percent'

export type Tile = {
  /** Stable, for the element id (`tile-<id>`) and tests. */
  id: string
  label: string
  /** The number as shown ("1,204", "3.2 GB", "41.5 %"), or a word (a tenant's status). */
  value: string
  /** The tenant's status, for its badge, on the status tile of a tenant's dashboard. */
  status?: TenantStatus
  /** A line under the number: what it counts, growth, cluster-wide, when measured. */
  notes: string[]
  /** The list behind the number, filtered to the rows it counts. */
  href: string
  /** The 30-day trend (oldest first, today last), when the tile has one. */
  trend?: { points: SparklinePoint[]; format: TileFormat }
}

export type DashboardModel = {
  /** The tenant the page is about, or undefined for every customer. */
  tenant?: { id: string; slug: string; name: string }
  tiles: Tile[]
  /** True while no day before today has a snapshot yet: the trends hold one point each. */
  trendsPending: boolean
}

/** How a value of `format` reads: counts with thousands separators, binary bytes, one-decimal %. */
export function formatTileValue(value: number, format: TileFormat): string {
  if (format === 'bytes') return formatBytes(value)
  if (format === 'percent') return `${(Math.round(value * 10) / 10).toFixed(1)} %`
  return Math.round(value).toLocaleString('en')
}

/**
 * The last TREND_DAYS days ending today: the stored value of `key` each day (null where no
 * snapshot holds it), today's replaced by `live` (the number the tile shows). Days before the
 * first one measured are left out, so a young record is not read out as a month of "not
 * measured"; today always stays.
 */
export function trendPoints(
  days: KpiDay[],
  key: KpiKey,
  today: string,
  live: number | null,
): SparklinePoint[] {
  const byDay = new Map(days.map((d) => [d.day, d.kpis[key] ?? null]))
  const points = Array.from({ length: TREND_DAYS }, (_, i) => {
    const day = addDays(today, i - (TREND_DAYS - 1))
    return { label: day, value: day === today ? live : (byDay.get(day) ?? null) }
  })
  const first = points.findIndex((p) => p.value !== null)
  return points.slice(first < 0 ? TREND_DAYS - 1 : Math.min(first, TREND_DAYS - 1))
}

/**
 * The points of a day-bounded counter counted live per day (`Kpis.signupsByDay`), the last
 * TREND_DAYS of them: every day is measured (0 when nothing happened).
 */
export function dayCountPoints(days: DayCount[]): SparklinePoint[] {
  return days.slice(-TREND_DAYS).map((d) => ({ label: d.day, value: d.count }))
}

/**
 * The fleet's active users as the tile shows them. Counted live up to USER_COUNT_CAP; above it
 * (`activeUsersExact` false) the latest stored exact count, today's snapshot at most 15 minutes
 * old, read as "about N"; "over 10,000" when no stored count is above the cap yet (then `value`,
 * today's trend point, is null).
 */
export function activeUsersShown(
  kpis: Kpis,
  days: KpiDay[],
): { value: number | null; text: string; note?: string } {
  if (kpis.activeUsersExact) {
    return { value: kpis.activeUsers, text: formatTileValue(kpis.activeUsers, 'count') }
  }
  const stored = [...days].reverse().find((d) => d.kpis.activeUsers !== undefined)
  const n = stored?.kpis.activeUsers
  const cap = formatTileValue(kpis.activeUsers - 1, 'count')
  if (stored === undefined || n === undefined || n < kpis.activeUsers) {
    // No number to draw for today: its point reads "not measured", not the cap.
    return {
      value: null,
      text: `over ${cap}`,
      note: `Above ${cap} the page does not count on every load; the next snapshot will`,
    }
  }
  const at = stored.takenAt?.toISOString().slice(11, 16)
  return {
    value: n,
    text: `about ${formatTileValue(n, 'count')}`,
    note: `Above ${cap}, the snapshot’s exact count of ${stored.day}${at ? ` ${at} UTC` : ''}`,
  }
}

/**
 * Storage growth over 30 days: now minus the stored value of 30 days ago, or of the oldest day
 * within those 30 when the record is younger (then `since` is that day). Undefined when no
 * earlier day has a storage value.
 */
export function storageGrowth(
  days: KpiDay[],
  today: string,
  nowBytes: number,
): { bytes: number; since: string; full: boolean } | undefined {
  const start = addDays(today, -TREND_DAYS)
  const base = days.find(
    (d) => d.day >= start && d.day < today && d.kpis.storageBytes !== undefined,
  )
  if (!base) return undefined
  return { bytes: nowBytes - base.kpis.storageBytes!, since: base.day, full: base.day === start }
}

function growthNote(growth: ReturnType<typeof storageGrowth>): string {
  if (!growth) return 'Growth shows from the second day of snapshots.'
  const sign = growth.bytes < 0 ? '−' : '+'
  const amount = `${sign}${formatBytes(Math.abs(growth.bytes))}`
  return growth.full ? `${amount} in 30 days` : `${amount} since ${growth.since}`
}

type Input = {
  kpis: Kpis
  history: { fleet: KpiDay[]; tenant: KpiDay[] }
  tenant?: { id: string; slug: string; name: string }
  /** Revenue today (issue 12); undefined for a role without saas.billing.view: no revenue tiles. */
  billing?: BillingToday
  now: Date
}

/** The dashboard for the live `kpis` and the stored `history`, fleet-wide or for `tenant`. */
export function dashboardModel({ kpis, history, tenant, billing, now }: Input): DashboardModel {
  const today = utcDay(now)
  const own = tenant ? history.tenant : history.fleet
  const count = (
    id: string,
    label: string,
    key: KpiKey,
    value: number,
    href: string,
    notes: string[],
  ): Tile => ({
    id,
    label,
    value: formatTileValue(value, 'count'),
    notes,
    href,
    trend: { points: trendPoints(own, key, today, value), format: 'count' },
  })
  // Day-bounded: every day's count from created_at (see the top of this file).
  const signups = (label: string, notes: string[]): Tile => ({
    id: 'signups',
    label,
    value: formatTileValue(kpis.signupsToday, 'count'),
    notes,
    href: '/users?joined=today',
    trend: { points: dayCountPoints(kpis.signupsByDay), format: 'count' },
  })
  const active = activeUsersShown(kpis, own)
  const tiles: Tile[] = tenant
    ? [
        {
          id: 'status',
          label: 'Status',
          value: kpis.tenantStatus ?? 'unknown',
          status: kpis.tenantStatus,
          notes: [`${tenant.name} (${tenant.slug})`],
          href: `/tenants/${tenant.id}`,
        },
        count('users', 'Members', 'users', kpis.users, '/users', ['Memberships of this tenant']),
        count(
          'active-users',
          'Active members',
          'activeUsers',
          kpis.activeUsers,
          '/users?signed_in=30',
          ['Members who signed in within 30 days'],
        ),
        signups('New members today', ['Memberships created since 00:00 UTC']),
      ]
    : [
        count(
          'active-tenants',
          'Active tenants',
          'activeTenants',
          kpis.activeTenants,
          '/tenants?status=active',
          ['Tenants with status active'],
        ),
        count(
          'suspended-tenants',
          'Suspended tenants',
          'suspendedTenants',
          kpis.suspendedTenants,
          '/tenants?status=suspended',
          ['Tenants with status suspended'],
        ),
        {
          ...count('users', 'Users', 'users', kpis.users, '/users', [
            'Every tenant user: invited, active and disabled',
          ]),
          ...(kpis.usersExact
            ? {}
            : {
                value: `about ${formatTileValue(kpis.users, 'count')}`,
                notes: [
                  'Every tenant user: invited, active and disabled',
                  'Above 10,000, PostgreSQL’s estimate (as on the users list); the daily snapshot counts exactly',
                ],
              }),
        },
        {
          id: 'active-users',
          label: 'Active users',
          value: active.text,
          notes: ['Users who signed in within 30 days', ...(active.note ? [active.note] : [])],
          href: '/users?signed_in=30',
          trend: { points: trendPoints(own, 'activeUsers', today, active.value), format: 'count' },
        },
        signups('Signups today', ['Users created since 00:00 UTC']),
      ]
  if (billing) tiles.push(...revenueTiles(billing))
  tiles.push(
    count(
      'join-requests',
      'Pending join requests',
      'pendingJoinRequests',
      kpis.pendingJoinRequests,
      '/join-requests?status=pending',
      ['Waiting for a decision'],
    ),
    count(
      'impersonations',
      'Active impersonations',
      'activeImpersonations',
      kpis.activeImpersonations,
      tenant
        ? `/impersonations?status=active&tenant=${encodeURIComponent(tenant.slug)}`
        : '/impersonations?status=active',
      ['Not ended and not expired'],
    ),
    storageTile(kpis, own, today, now),
    ...hostTiles(kpis.host, history.fleet, today, now, !!tenant),
  )
  const earlier = (days: KpiDay[]) => days.some((d) => d.day < today)
  return { tenant, tiles, trendsPending: !earlier(own) }
}

function storageTile(kpis: Kpis, days: KpiDay[], today: string, now: Date): Tile {
  const notes = kpis.storageTakenAt
    ? [
        growthNote(storageGrowth(days, today, kpis.storageBytes)),
        `Database and files, measured ${formatAge(kpis.storageTakenAt, now)}`,
      ]
    : ['Appears after the first storage snapshot, taken when the server starts.']
  return {
    id: 'storage',
    label: 'Storage',
    value: formatTileValue(kpis.storageBytes, 'bytes'),
    notes,
    href: '/tenants?sort=storage&dir=desc',
    trend: { points: trendPoints(days, 'storageBytes', today, kpis.storageBytes), format: 'bytes' },
  }
}

const HOST_TILES: {
  id: string
  label: string
  key: KpiKey
  value: (h: HostMetrics) => number | null
  detail?: (h: HostMetrics) => string | undefined
}[] = [
  { id: 'host-cpu', label: 'Host CPU', key: 'hostCpuPercent', value: (h) => h.cpuPercent },
  {
    id: 'host-memory',
    label: 'Host memory',
    key: 'hostMemoryPercent',
    value: (h) => h.memoryPercent,
  },
  {
    id: 'host-disk',
    label: 'Host disk',
    key: 'hostDiskPercent',
    value: (h) => h.diskPercent,
    detail: (h) =>
      h.diskUsedBytes !== null && h.diskSizeBytes !== null
        ? `${formatBytes(h.diskUsedBytes)} of ${formatBytes(h.diskSizeBytes)} used (data directory)`
        : undefined,
  },
]

/** CPU, memory and disk from the latest health sample: the cluster's, whatever the scope. */
function hostTiles(
  host: HostMetrics | undefined,
  fleet: KpiDay[],
  today: string,
  now: Date,
  scoped: boolean,
): Tile[] {
  return HOST_TILES.map((t) => {
    const value = host ? t.value(host) : null
    const notes = !host
      ? ['Appears within 10 seconds of the server starting (the health sampler’s first sample).']
      : value === null
        ? ['Not readable on this host.']
        : [t.detail?.(host), `Measured ${formatAge(host.takenAt, now)}`].filter(
            (n): n is string => !!n,
          )
    notes.push(scoped ? 'Cluster-wide: the same for every tenant' : 'Cluster-wide')
    return {
      id: t.id,
      label: t.label,
      value: value === null ? '—' : formatTileValue(value, 'percent'),
      notes,
      href: '/system',
      // The stored days hold the day's average; today's point is the latest sample.
      trend: { points: trendPoints(fleet, t.key, today, value), format: 'percent' },
    }
  })
}
