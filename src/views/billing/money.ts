// Money as a page shows it: Stripe's amounts are integers in the currency's smallest unit (cents
// for EUR and USD, whole yen for JPY), so the divisor comes from the currency's own decimals.

const formats = new Map<string, Intl.NumberFormat>()

function formatFor(currency: string): Intl.NumberFormat {
  const code = currency.toUpperCase()
  let format = formats.get(code)
  if (!format) {
    try {
      format = new Intl.NumberFormat('en-US', { style: 'currency', currency: code })
    } catch {
      // Not an ISO 4217 code Intl knows: plain number with the code beside it.
      format = new Intl.NumberFormat('en-US', {
        minimumFractionDigits: 2,
        maximumFractionDigits: 2,
      })
    }
    formats.set(code, format)
  }
  return format
}

/**
 * 123456, 'eur' → "€1,234.56"; 500, 'jpy' → "¥500". `cents` is the smallest unit of `currency`
 * (Stripe's `amount`), never converted.
 */
export function formatMoney(cents: number, currency: string): string {
  const format = formatFor(currency)
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2
  const text = format.format(cents / 10 ** digits)
  return format.resolvedOptions().style === 'currency' ? text : `${text} ${currency.toUpperCase()}`
}

/** "EUR": how headings name a currency. */
export function currencyLabel(currency: string): string {
  return currency.toUpperCase()
}
