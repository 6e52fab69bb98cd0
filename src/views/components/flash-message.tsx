import type { FC } from 'hono/jsx'
import type { Flash } from '../../web/flash.js'

const COLOURS = {
  success: 'bg-emerald-50 border-emerald-300 text-emerald-900',
  error: 'bg-red-50 border-red-300 text-red-900',
  info: 'bg-sky-50 border-sky-300 text-sky-900',
}

/** The message the previous request queued; errors are alerts, the rest polite status. */
export const FlashMessage: FC<{ flash?: Flash }> = ({ flash }) => {
  if (!flash) return null
  return (
    <div
      role={flash.kind === 'error' ? 'alert' : 'status'}
      class={`mb-4 rounded border px-4 py-2 text-sm ${COLOURS[flash.kind]}`}
    >
      {flash.text}
    </div>
  )
}
