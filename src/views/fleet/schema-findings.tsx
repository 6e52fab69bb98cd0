import type { FC } from 'hono/jsx'
import { describeFinding, type SchemaFinding } from '../../fleet/findings.js'

/** What is wrong with one schema, in words: its findings, then its pending migrations. */
export const SchemaFindings: FC<{ findings: SchemaFinding[]; pending: string[] }> = (p) => (
  <>
    {p.findings.length > 0 && (
      <ul class="m-0 pl-4">
        {p.findings.map((f) => (
          <li>{describeFinding(f)}</li>
        ))}
      </ul>
    )}
    {p.pending.length > 0 && (
      <p class="m-0 text-slate-700">
        {p.pending.length === 1
          ? '1 migration pending: '
          : `${p.pending.length} migrations pending: `}
        <span class="font-mono text-xs">{p.pending.join(', ')}</span>
      </p>
    )}
  </>
)
