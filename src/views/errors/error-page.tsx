import type { FC } from 'hono/jsx'
import { AuthCard } from '../layout/auth-layout.js'

const TITLES: Record<number, string> = {
  403: 'Not allowed',
  404: 'Not found',
  500: 'Something went wrong',
}

/**
 * Status, a plain explanation and the request id to quote; never an internal error message.
 * A whole document of its own: errors answer before, or outside, any group's renderer.
 */
export const ErrorPage: FC<{ status: number; message: string; requestId: string }> = (p) => (
  <AuthCard title={TITLES[p.status] ?? 'Error'}>
    <h1 class="text-lg font-semibold mb-2">{TITLES[p.status] ?? 'Error'}</h1>
    <p class="text-sm text-slate-700 mb-4">{p.message}</p>
    <p class="text-xs text-slate-600">
      Request id: <code id="request-id">{p.requestId}</code>
    </p>
    <p class="mt-4 text-sm">
      <a href="/tenants" class="text-violet-700 underline">
        Back to the console
      </a>
    </p>
  </AuthCard>
)
