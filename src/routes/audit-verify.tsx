import { Hono } from 'hono'
import { roleCan } from '../auth/permissions.js'
import { listCheckpoints } from '../audit/checkpoint-store.js'
import { verifyAuditEvidence } from '../audit/checkpoint-verify.js'
import { signAuditCheckpoint } from '../audit/checkpoints.js'
import { VerifyPage } from '../views/audit/verify-page.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { requirePermission } from '../web/guards.js'
import { auditContext, redirectTo } from '../web/request.js'

// /audit/verify (issue 14 item 5): the chain walk and every signed checkpoint, from the database
// and from AUDIT_CHECKPOINT_DIR, checked against the log; and signing a checkpoint on demand.

export const auditVerifyRoutes = new Hono<AppEnv>()

auditVerifyRoutes.get('/', requirePermission('saas.audit.view'), async (c) => {
  const { db, deps } = c.var
  const [verdict, checkpoints] = await Promise.all([
    verifyAuditEvidence(db, { dir: deps.config.auditCheckpointDir }),
    listCheckpoints(db, 50),
  ])
  const canSign = roleCan(c.var.operator.role, 'saas.audit.export')
  return c.render(<VerifyPage verdict={verdict} checkpoints={checkpoints} canSign={canSign} />, {
    title: 'Audit chain verification',
  })
})

auditVerifyRoutes.post('/checkpoints', requirePermission('saas.audit.export'), async (c) => {
  const { deps } = c.var
  const signed = await signAuditCheckpoint(
    c.var.db,
    auditContext(c),
    { trigger: 'manual', config: deps.config },
    c.var.now(),
  )
  if (!signed.ok) {
    await setFlash(c, {
      kind: 'error',
      text: 'No checkpoint was signed: the signing key does not open with this server’s FLEETDECK_SECRET_KEY.',
    })
    return redirectTo(c, '/audit/verify')
  }
  const copies = [
    'error' in signed.file ? `the file could not be written (${signed.file.error})` : undefined,
    signed.mail && 'error' in signed.mail
      ? `the mail could not be sent (${signed.mail.error})`
      : undefined,
  ].filter(Boolean)
  await setFlash(c, {
    kind: copies.length ? 'error' : 'success',
    text: copies.length
      ? `Checkpoint signed at seq ${signed.checkpoint.seq} and stored, but ${copies.join(' and ')}.`
      : `Checkpoint signed at seq ${signed.checkpoint.seq}.`,
  })
  return redirectTo(c, '/audit/verify')
})
