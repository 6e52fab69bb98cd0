import type { OperatorRole } from '../db/schema.js'

// Operator roles are flat: each is a fixed set of permissions (DESIGN.md §2, seeds/002 "flat
// permissions"). This table is the only place that says who may do what.

export const PERMISSIONS = [
  'saas.dashboard.view',
  'saas.tenants.view',
  'saas.tenants.create',
  'saas.tenants.edit',
  'saas.tenants.suspend',
  'saas.tenants.delete',
  'saas.tenants.impersonate',
  'saas.users.view',
  'saas.users.edit',
  'saas.join_requests.decide',
  'saas.billing.view',
  'saas.billing.edit',
  'saas.system.view',
  'saas.audit.view',
  'saas.audit.export',
  'saas.fleet.run',
  'saas.plans.edit',
  'saas.flags.edit',
  'saas.settings.edit',
  'saas.super_admins.manage',
] as const

export type Permission = (typeof PERMISSIONS)[number]

const READ: Permission[] = [
  'saas.dashboard.view',
  'saas.tenants.view',
  'saas.users.view',
  'saas.billing.view',
  'saas.system.view',
  'saas.audit.view',
]

export const ROLE_PERMISSIONS: Record<OperatorRole, readonly Permission[]> = {
  owner: PERMISSIONS,
  admin: PERMISSIONS.filter((p) => p !== 'saas.settings.edit' && p !== 'saas.super_admins.manage'),
  operator: [
    ...READ,
    'saas.tenants.suspend',
    'saas.fleet.run',
    'saas.audit.export',
    'saas.join_requests.decide',
  ],
  support: [...READ, 'saas.tenants.impersonate'],
  viewer: READ,
}

/** True when `role` includes `permission`. */
export function roleCan(role: OperatorRole, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission)
}
