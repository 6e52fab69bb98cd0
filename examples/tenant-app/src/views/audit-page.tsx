import type { AuditEntry } from '../board-db.js'

/** Details shown first and by name; the rest follow as key: value. */
const NAMED: [key: string, label: string][] = [
  ['impersonatedUser', 'As user'],
  ['reason', 'Reason'],
  ['ticket', 'Ticket'],
  ['mode', 'Mode'],
]

export function AuditPage(props: { entries: AuditEntry[] }) {
  return (
    <>
      <h1>Audit log</h1>
      <p>Everything done in this workspace, newest first — including every support session.</p>
      {props.entries.length === 0 ? (
        <p>Nothing yet.</p>
      ) : (
        <table id="audit">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {props.entries.map((entry) => (
              <AuditRow entry={entry} />
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const details = entry.details ?? {}
  const support = typeof details.impersonatedUser === 'string'
  const named = NAMED.filter(([key]) => details[key] !== undefined && details[key] !== null)
  // deliveryId is Fleetdeck's bookkeeping (each entry once, however often it was delivered).
  const rest = Object.entries(details).filter(
    ([key]) => key !== 'message' && key !== 'deliveryId' && !NAMED.some(([k]) => k === key),
  )
  return (
    <tr class={support ? 'support' : undefined}>
      <td>
        <time datetime={entry.createdAt.toISOString()}>
          {entry.createdAt.toISOString().slice(0, 19).replace('T', ' ')} UTC
        </time>
      </td>
      <td>{entry.actor}</td>
      <td>
        {support && <strong>{String(details.message ?? 'Support accessed your workspace')}</strong>}
        {support && <br />}
        <code>{entry.action}</code>
      </td>
      <td>
        <dl class="details">
          {named.map(([key, label]) => (
            <>
              <dt>{label}:</dt> <dd>{String(details[key])}</dd>{' '}
            </>
          ))}
          {rest.map(([key, value]) => (
            <>
              <dt>{key}:</dt>{' '}
              <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>{' '}
            </>
          ))}
        </dl>
      </td>
    </tr>
  )
}
