import { z } from 'zod'
import type { ListedRun, RunCursor, RunRank } from '../db/job-run-lists.js'
import { isUuid } from '../db/tenants.js'
import type { JobRunStatus } from '../db/schema.js'

// The /jobs list's query: filters and the keyset cursor of "Older runs" (rank, created_at, id).

export const RUNS_PER_PAGE = 50

export const RUN_STATUSES: readonly JobRunStatus[] = [
  'running',
  'paused',
  'failed',
  'completed',
  'canceled',
]

/** `rank~created-at-ms~id`, as the "Older runs" link carries it. */
export function encodeRunCursor({ run, rank }: ListedRun): string {
  return `${rank}~${run.createdAt.getTime()}~${run.id}`
}

/** The cursor of an "Older runs" link, or undefined when it is not one of ours. */
export function decodeRunCursor(text: string): RunCursor | undefined {
  const [rank, ms, id] = text.split('~')
  if (!/^[012]$/.test(rank ?? '') || !/^\d{1,15}$/.test(ms ?? '') || !isUuid(id ?? ''))
    return undefined
  return { rank: Number(rank) as RunRank, createdAt: new Date(Number(ms)), id }
}

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value)

/** Kind and status filter, and the cursor; anything our pages never send is malformed (400). */
export const listQuery = z.object({
  kind: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[a-z_]{1,40}$/)
      .optional(),
  ),
  status: z.preprocess(emptyAsUndefined, z.enum(RUN_STATUSES as [JobRunStatus]).optional()),
  after: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .max(100)
      .transform((text, ctx) => {
        const cursor = decodeRunCursor(text)
        if (!cursor) ctx.addIssue({ code: 'custom', message: 'not a cursor' })
        return cursor ?? z.NEVER
      })
      .optional(),
  ),
})
