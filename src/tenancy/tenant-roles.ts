/** The roles every tenant starts with, seeded into `<tenant schema>.roles` at onboarding. */
export const TENANT_ROLES = [
  {
    name: 'owner',
    description: 'Full control of the organisation, including billing and deletion',
    permissions: [
      'org.manage',
      'org.billing',
      'members.manage',
      'data.read',
      'data.write',
      'settings.edit',
    ],
  },
  {
    name: 'admin',
    description: 'Manages members and settings',
    permissions: ['members.manage', 'data.read', 'data.write', 'settings.edit'],
  },
  {
    name: 'member',
    description: 'Works with the organisation’s data',
    permissions: ['data.read', 'data.write'],
  },
] as const
