import type { TenantHealth } from '../../db/schema.js'
import { describeFinding, type SchemaFinding } from '../findings.js'

// What `npm run fleet -- check | list` print: plain aligned columns, one row a line.

/** Rows as columns padded to their widest cell, a header first and a rule under it. */
export function formatTable(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd()
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)]
}

/** What is wrong with one schema, in one line: its findings, then how many migrations wait. */
export function whatIsWrong(
  findings: readonly SchemaFinding[],
  pending: readonly string[],
): string {
  const parts = findings.map(describeFinding)
  if (pending.length > 0)
    parts.push(`${pending.length} migration${pending.length === 1 ? '' : 's'} pending`)
  return parts.join('; ')
}

/** "1,996 healthy, 1 missing, 1 orphan, 1 drift, 2 behind": healthy first, zeros left out. */
export function countsLine(summary: Partial<Record<TenantHealth, number>>): string {
  const order: TenantHealth[] = ['healthy', 'missing', 'orphan', 'drift', 'behind', 'stuck']
  const parts = order
    .filter((h) => (summary[h] ?? 0) > 0 || h === 'healthy')
    .map((h) => `${(summary[h] ?? 0).toLocaleString('en-US')} ${h}`)
  return parts.join(', ')
}
