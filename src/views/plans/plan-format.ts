import type { QuotaField } from '../../db/plans.js'
import { formatBytes } from '../format.js'

/** 4900, 'usd' → "$49.00"; an unknown currency code shows as "49.00 XYZ". */
export function formatMoney(cents: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en', {
      style: 'currency',
      currency: currency.toUpperCase(),
    }).format(cents / 100)
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency.toUpperCase()}`
  }
}

export const QUOTA_LABELS: Record<QuotaField, string> = {
  maxMembers: 'Members',
  maxStorageBytes: 'Storage',
  maxCustomDomains: 'Custom domains',
  maxApiCallsPerDay: 'API calls per day',
}

/** A quota as a person reads it: "Unlimited", "1 GB", "1,000". */
export function quotaText(field: QuotaField, value: number | null): string {
  if (value === null) return 'Unlimited'
  return field === 'maxStorageBytes' ? formatBytes(value) : value.toLocaleString('en')
}
