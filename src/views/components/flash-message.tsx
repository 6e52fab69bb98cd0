import type { FC } from 'hono/jsx'
import type { Flash } from '../../web/flash.js'

const COLOURS = {
  success: 'bg-emerald-50 border-emerald-300 text-emerald-900',
  error: 'bg-red-50 border-red-300 text-red-900',
  info: 'bg-sky-50 border-sky-300 text-sky-900',
}

/**
 * The message the previous request queued; errors are alerts, the rest polite status. An Undo
 * button, when the message has one, is a plain form: it works without JavaScript.
 */
export const FlashMessage: FC<{ flash?: Flash }> = ({ flash }) => {
  if (!flash) return null
  return (
    <div
      role={flash.kind === 'error' ? 'alert' : 'status'}
      class={`mb-4 rounded border px-4 py-2 text-sm ${COLOURS[flash.kind]}`}
    >
      {flash.text}
      {flash.undo && flash.undo.action.startsWith('/') && (
        <form method="post" action={flash.undo.action} class="ml-3 inline">
          {flash.undo.method === 'DELETE' && <input type="hidden" name="_method" value="DELETE" />}
          <button
            type="submit"
            aria-label={flash.undo.label}
            class="rounded border border-current bg-white px-2 py-0.5 text-xs font-medium cursor-pointer"
          >
            Undo
          </button>
        </form>
      )}
    </div>
  )
}
