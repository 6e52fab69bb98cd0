import type { FC } from 'hono/jsx'
import type { StoredCheckpoint } from '../../audit/checkpoint-store.js'
import type {
  AuditEvidenceVerdict,
  CheckpointDirState,
  CheckpointResult,
  CheckpointStatus,
} from '../../audit/checkpoint-verify.js'
import { Button } from '../components/button.js'
import { BackLink, Section } from '../components/section.js'
import { formatDateTime } from '../format.js'

export type VerifyPageProps = {
  verdict: AuditEvidenceVerdict & { dir?: CheckpointDirState }
  /** The database's checkpoints, newest first, with where their copies went. */
  checkpoints: StoredCheckpoint[]
  /** The viewer may sign a checkpoint now (saas.audit.export). */
  canSign: boolean
}

const STATUS_TEXT: Record<CheckpointStatus, string> = {
  ok: 'OK',
  forged: 'Forged',
  'unknown-key': 'Unknown key',
  'key-mismatch': 'Key mismatch',
  truncated: 'Truncated',
  rewritten: 'Rewritten',
  unreadable: 'Unreadable',
}

const th = 'px-3 py-2'
const td = 'px-3 py-2 align-top'

/** The audit chain's verification: the walk, each signed checkpoint, and signing one now. */
export const VerifyPage: FC<VerifyPageProps> = (p) => (
  <>
    <BackLink href="/audit">Audit log</BackLink>
    <h1 class="m-0 mb-1 text-2xl font-semibold">Audit chain verification</h1>
    <p class="m-0 mb-4 text-sm text-slate-700">
      The hash chain shows an entry edited in place; the signed checkpoints show entries cut from
      the end, or a log rebuilt from scratch with valid hashes. The files in the checkpoint folder
      and the mailed copies are the ones someone with access to the database cannot rewrite.
    </p>
    <Summary {...p} />
    <Section id="checkpoint-results" title="Checkpoints checked against the log">
      <DirNote dir={p.verdict.dir} />
      <ResultsTable results={p.verdict.checkpoints} />
    </Section>
    <Section id="checkpoints" title="Signed checkpoints">
      {p.canSign && (
        <form method="post" action="/audit/verify/checkpoints" class="mb-3">
          <Button>Sign a checkpoint now</Button>
        </form>
      )}
      <CheckpointsTable checkpoints={p.checkpoints} />
    </Section>
  </>
)

const Summary: FC<VerifyPageProps> = ({ verdict: v }) => {
  const bad = v.checkpoints.filter((r) => r.status !== 'ok').length
  const tone = v.ok
    ? 'border-green-300 bg-green-50 text-green-900'
    : 'border-red-300 bg-red-50 text-red-900'
  return (
    <section id="verdict" aria-labelledby="verdict-title" class={`mb-6 rounded border p-5 ${tone}`}>
      <h2 id="verdict-title" class="m-0 mb-2 text-lg font-semibold">
        {v.ok ? 'OK: the audit log is intact' : 'BROKEN: the audit log was altered'}
      </h2>
      <p id="chain-verdict" class="m-0 mb-1 text-sm">
        {v.chain.ok
          ? `Hash chain intact: ${v.chain.checked} entries (last seq ${v.headSeq}).`
          : `Hash chain broken at seq ${v.chain.seq}: ${v.chain.reason} (${v.chain.checked} entries verified before it).`}
      </p>
      <p id="checkpoint-verdict" class="m-0 text-sm">
        {v.checkpoints.length === 0
          ? 'No checkpoint has been signed yet.'
          : bad === 0
            ? `All ${v.checkpoints.length} checkpoints match the log.`
            : `${bad} of ${v.checkpoints.length} checkpoints do not match the log.`}
      </p>
    </section>
  )
}

const DirNote: FC<{ dir?: CheckpointDirState }> = ({ dir }) => {
  if (!dir) return null
  const text =
    dir.state === 'error'
      ? `The checkpoint folder ${dir.path} could not be read (${dir.error}): its files were not checked.`
      : dir.state === 'missing'
        ? `The checkpoint folder ${dir.path} does not exist yet: only the database's checkpoints were checked.`
        : `Files read from ${dir.path}.`
  return <p class={`m-0 mb-3 text-sm ${dir.state === 'error' ? 'text-red-800' : ''}`}>{text}</p>
}

const ResultsTable: FC<{ results: CheckpointResult[] }> = (p) =>
  p.results.length === 0 ? (
    <p class="m-0 text-sm text-slate-700">Nothing to check yet.</p>
  ) : (
    <div class="overflow-x-auto">
      <table class="w-full text-sm">
        <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
          <tr>
            {['Source', 'Seq', 'Signed at', 'Key', 'Result', 'Detail'].map((h) => (
              <th scope="col" class={th}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {p.results.map((r) => (
            <tr class="border-t border-slate-100" data-status={r.status}>
              <td class={`${td} font-mono text-xs break-all`}>
                {r.claim.source === 'file' ? r.claim.label : `database ${r.claim.label}`}
              </td>
              <td class={td}>{r.claim.seq || '—'}</td>
              <td class={`${td} whitespace-nowrap`}>{r.claim.time || '—'}</td>
              <td class={`${td} font-mono text-xs`}>{r.claim.kid || '—'}</td>
              <td
                class={`${td} font-semibold ${r.status === 'ok' ? 'text-green-800' : 'text-red-800'}`}
              >
                {STATUS_TEXT[r.status]}
              </td>
              <td class={td}>{r.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )

const CheckpointsTable: FC<{ checkpoints: StoredCheckpoint[] }> = (p) =>
  p.checkpoints.length === 0 ? (
    <p class="m-0 text-sm text-slate-700">No checkpoint has been signed yet.</p>
  ) : (
    <div class="overflow-x-auto">
      <table class="w-full text-sm">
        <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
          <tr>
            {['Seq', 'Hash', 'Signed at', 'Key', 'Trigger', 'File', 'Mailed'].map((h) => (
              <th scope="col" class={th}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {p.checkpoints.map((c) => (
            <tr id={`checkpoint-${c.id}`} class="border-t border-slate-100" data-seq={c.seq}>
              <td class={td}>{c.seq}</td>
              <td class={`${td} font-mono text-xs`} title={c.hash}>
                {c.hash.slice(0, 16)}…
              </td>
              <td class={`${td} whitespace-nowrap`}>{formatDateTime(c.signedAt)}</td>
              <td class={`${td} font-mono text-xs`}>{c.kid}</td>
              <td class={td}>{c.trigger}</td>
              <td class={`${td} font-mono text-xs break-all`}>
                {c.file ??
                  (c.fileError ? (
                    <span class="text-red-800">Not written: {c.fileError}</span>
                  ) : (
                    '—'
                  ))}
              </td>
              <td class={td}>
                {c.mailedAt ? (
                  formatDateTime(c.mailedAt)
                ) : c.mailError ? (
                  <span class="text-red-800">Not sent: {c.mailError}</span>
                ) : (
                  'No'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
