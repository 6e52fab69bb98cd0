import { z } from 'zod'

// The tenant form's fields, validated at the edge: the console's Create and Edit, and the
// restore of a backup into a new tenant (issue 11 item 5), which asks for the same new tenant.

export const emailField = z.email({ error: 'Enter a valid email address.' }).max(320)

/** Name, plan and billing email: what Edit changes. */
export const tenantFields = {
  name: z
    .string()
    .trim()
    .min(1, { error: 'Enter a name.' })
    .max(200, { error: 'Use at most 200 characters.' }),
  planId: z.string().min(1, { error: 'Choose a plan.' }),
  billingEmail: emailField,
}

/** A new tenant: slug (DESIGN.md §3's pattern), the fields above and its first admin. */
export const newTenantForm = z.object({
  slug: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9-]{1,38}$/, {
      error: 'Use 2–39 lowercase letters, digits or dashes, starting with a letter.',
    }),
  ...tenantFields,
  firstAdminEmail: emailField,
  firstAdminName: z.string().trim().min(1, { error: 'Enter the first admin’s name.' }).max(200),
})
