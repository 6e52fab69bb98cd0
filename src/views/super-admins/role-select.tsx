import type { FC } from 'hono/jsx'
import type { OperatorRole } from '../../db/schema.js'

/** The roles an inviter can choose, most powerful first, with what each may do (DESIGN.md §2). */
export const ROLE_CHOICES: { role: OperatorRole; can: string }[] = [
  { role: 'owner', can: 'everything, including super admins and cluster settings' },
  { role: 'admin', can: 'create, edit, suspend and delete tenants' },
  { role: 'operator', can: 'read everything; suspend and activate tenants' },
  { role: 'support', can: 'read everything' },
  { role: 'viewer', can: 'read everything' },
]

export const RoleSelect: FC<{ value?: string; error?: string }> = (p) => (
  <div class="mb-4">
    <label for="field-role" class="block text-sm font-medium text-slate-700 mb-1">
      Role
    </label>
    <select
      id="field-role"
      name="role"
      aria-invalid={p.error ? 'true' : undefined}
      aria-describedby={p.error ? 'field-role-error' : undefined}
      class="w-full rounded border border-slate-300 px-3 py-2 text-sm"
    >
      {ROLE_CHOICES.map((choice) => (
        <option value={choice.role} selected={choice.role === p.value}>
          {choice.role} — {choice.can}
        </option>
      ))}
    </select>
    {p.error && (
      <p id="field-role-error" role="alert" class="mt-1 text-sm text-red-700">
        {p.error}
      </p>
    )}
  </div>
)
