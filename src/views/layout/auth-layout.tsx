import type { Child, FC } from 'hono/jsx'
import { useRequestContext } from 'hono/jsx-renderer'
import type { AppEnv } from '../../web/env.js'
import type { Flash } from '../../web/flash.js'
import { FlashMessage } from '../components/flash-message.js'
import { Document } from './document.js'

/** A narrow card on the dark page, without navigation: sign-in, enrolment, step-up, errors. */
export const AuthCard: FC<{ title: string; flash?: Flash; children: Child }> = (props) => (
  <Document title={props.title} bodyClass="bg-slate-900 text-slate-900 font-sans antialiased">
    <main class="min-h-screen flex items-center justify-center p-4">
      <div class="w-full max-w-md rounded-lg bg-white shadow-xl p-8">
        <div class="mb-6 flex items-center gap-2">
          <span class="text-xl font-semibold">Fleetdeck</span>
          <span class="rounded bg-amber-400 text-slate-900 text-xs font-bold uppercase px-2 py-0.5">
            Super Admin
          </span>
        </div>
        <FlashMessage flash={props.flash} />
        {props.children}
      </div>
    </main>
  </Document>
)

/** The auth renderer's layout: the card, with the flash read from the request. */
export const AuthLayout: FC<{ title: string; children: Child }> = (props) => {
  const c = useRequestContext<AppEnv>()
  return (
    <AuthCard title={props.title} flash={c.var.flash}>
      {props.children}
    </AuthCard>
  )
}
