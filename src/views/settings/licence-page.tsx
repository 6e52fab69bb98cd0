import type { FC } from 'hono/jsx'
import type { MaskedLicenceKey } from '../../operators/licence-key.js'
import { Button } from '../components/button.js'
import { Field } from '../components/field.js'
import { BackLink, Section } from '../components/section.js'

/** The licence key (owners): recorded, shown masked, replaced or cleared. */
export const LicencePage: FC<{ licence: MaskedLicenceKey | undefined; error?: string }> = (p) => (
  <>
    <BackLink href="/settings">Settings</BackLink>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Licence key</h1>
    <p class="m-0 mb-4 max-w-3xl text-sm text-slate-600">
      The key your licence server or vendor issued for this installation. Fleetdeck records it,
      encrypted, for the licence server and for support to read back; nothing in Fleetdeck checks or
      enforces it, so saving it changes nothing else and needs no restart.
    </p>
    <Section id="licence" title="Current key">
      <p id="licence-state" class="m-0 text-sm">
        {p.licence ? (
          <>
            A key ending in <strong class="font-mono">…{p.licence.lastFour}</strong> is recorded.
          </>
        ) : (
          'No licence key is recorded.'
        )}
      </p>
    </Section>
    <Section id="licence-edit" title={p.licence ? 'Replace the key' : 'Record a key'}>
      <form id="licence-form" method="post" action="/settings/licence" class="max-w-xl">
        <Field
          name="licenceKey"
          label="Licence key"
          type="password"
          error={p.error}
          autocomplete="off"
          hint="Pasted as issued; spaces at either end are dropped. It is never shown again, only its last four characters."
          required
        />
        <Button>{p.licence ? 'Replace the key' : 'Save the key'}</Button>
      </form>
    </Section>
    {p.licence && (
      <Section id="licence-clear" title="Clear the key">
        <form method="post" action="/settings/licence">
          <input type="hidden" name="_method" value="DELETE" />
          <Button kind="danger">Clear the licence key</Button>
        </form>
      </Section>
    )}
  </>
)
