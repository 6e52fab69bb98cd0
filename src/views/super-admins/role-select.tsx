import type { FC } from 'hono/jsx'
import { OPERATOR_ROLES, type OperatorRole } from '../../db/schema.js'

/** What each role may do, in words for the one choosing it (DESIGN.md §2). */
const ROLE_SUMMARIES: Record<OperatorRole, string> = {
  owner: 'everything, including super admins and cluster settings',
  admin: 'create, edit, suspend and delete tenants',
  operator: 'read everything; suspend and activate tenants',
  support: 'read everything',
  viewer: 'read everything',
}

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
      {OPERATOR_ROLES.map((role) => (
        <option value={role} selected={role === p.value}>
          {role} — {ROLE_SUMMARIES[role]}
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
