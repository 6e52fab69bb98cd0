import type { FC } from 'hono/jsx'
import { formatTileValue, type DashboardModel, type Tile } from '../../dashboard/tiles.js'
import { Sparkline } from '../components/sparkline.js'
import { StatusBadge } from '../tenants/tenant-status.js'

// The dashboard at / (issue 10 item 2): one tile per KPI — the number, a 30-day trend drawn on
// the server (its numbers readable by screen readers) and a link to the list behind it.

const TREND_EMPTY = 'no day measured yet'

/** One KPI: its name (a link to the filtered list), the number, notes and the 30-day trend. */
export const KpiTile: FC<{ tile: Tile }> = ({ tile }) => (
  <section
    id={`tile-${tile.id}`}
    aria-labelledby={`tile-${tile.id}-title`}
    class="flex flex-col gap-1 rounded border border-slate-200 bg-white p-4"
  >
    <h2 id={`tile-${tile.id}-title`} class="m-0 text-sm font-medium">
      <a href={tile.href} class="text-violet-700 underline">
        {tile.label}
      </a>
    </h2>
    <p class="m-0 text-2xl font-semibold" data-kpi-value>
      {tile.status ? <StatusBadge status={tile.status} /> : tile.value}
    </p>
    {tile.trend && (
      <Sparkline
        points={tile.trend.points}
        label={`${tile.label}, last 30 days`}
        format={(v) => formatTileValue(v, tile.trend!.format)}
        empty={TREND_EMPTY}
        width={160}
      />
    )}
    {tile.notes.map((note) => (
      <p class="m-0 text-xs text-slate-600">{note}</p>
    ))}
  </section>
)

/** The page: which customers it covers, the empty-state note while trends fill in, the tiles. */
export const DashboardPage: FC<{ model: DashboardModel }> = ({ model }) => (
  <>
    <h1 class="m-0 mb-1 text-2xl font-semibold">Dashboard</h1>
    <p id="dashboard-scope" class="m-0 mb-4 text-sm text-slate-600">
      {model.tenant
        ? `Numbers of ${model.tenant.name} (${model.tenant.slug}), the customer picked in the scope bar. Host tiles are cluster-wide.`
        : 'Numbers of every customer. Pick one customer in the scope bar to see theirs.'}
    </p>
    {model.trendsPending && (
      <p id="trend-note" class="m-0 mb-4 rounded border border-sky-200 bg-sky-50 p-3 text-sm">
        The 30-day trend fills in one day at a time: the first snapshot is taken within 15 minutes
        of the server starting, and each day’s last snapshot becomes that day’s point.
      </p>
    )}
    <div id="kpi-tiles" class="grid gap-4 grid-cols-[repeat(auto-fill,minmax(15rem,1fr))]">
      {model.tiles.map((tile) => (
        <KpiTile tile={tile} />
      ))}
    </div>
  </>
)
