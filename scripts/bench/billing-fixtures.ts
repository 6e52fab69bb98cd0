// The billing projection in bulk for `npm run bench -- --billing` (scripts/bench/billing.ts):
// what the webhook would have built for a fleet, inserted with SQL, because the bench measures
// the page's reads, not the ingest. Amounts in cents; one customer and subscription per tenant.
import { sql } from 'kysely'
import type { Db } from '../../src/db/database.js'

/**
 * For every tenant: a customer (matched by metadata, a card on file), one subscription
 * (EUR/USD; Professional or Enterprise, monthly or yearly; 1–20 seats; 5 % canceled over the
 * last year, 5 % past due 0–9 days, 5 % trialing), `months` monthly invoices (the newest open and
 * failed for the past due) and its MRR movements (new, some expansions, contractions, churn and
 * reactivations); the tenants' billing columns; 20 unmatched customers; one ledger row; ANALYZE.
 * @returns how many rows of each it wrote
 */
export async function loadBillingProjection(db: Db, options: { months: number }) {
  await sql`
    insert into billing_customers (id, tenant_id, matched_by, email, name, metadata_tenant_id,
      card_brand, card_last4, card_exp_month, card_exp_year, default_payment_method_id, created,
      source_created)
    select 'cus_bench_' || n, id, 'metadata', billing_email, name, id::text, 'visa',
      lpad((n % 10000)::text, 4, '0'), 1 + n % 12, 2026 + n % 5, 'pm_bench_' || n,
      now() - interval '25 months', now()
    from (select t.*, row_number() over (order by created_at) as n from tenants t) t`.execute(db)
  await sql`
    insert into billing_customers (id, tenant_id, email, name, created, source_created)
    select 'cus_bench_stranger_' || i, null, 'accounts' || i || '@stranger.example',
      'Stranger ' || i, now() - (i || ' days')::interval, now()
    from generate_series(1, 20) i`.execute(db)
  await sql`
    insert into saas_billing (subscription_id, customer_id, tenant_id, status, price_id,
      product_name, interval, interval_count, quantity, currency, items, discounts, mrr_cents,
      current_period_end, cancel_at_period_end, canceled_at, trial_end, started_at,
      dunning_started_at, source_created)
    select 'sub_bench_' || n, id, tenant_id, status, price_id, product, iv, 1, qty, cur,
      jsonb_build_array(jsonb_build_object('priceId', price_id, 'productName', product,
        'unitAmountCents', unit, 'currency', cur, 'interval', iv, 'intervalCount', 1,
        'quantity', qty)),
      '[]'::jsonb,
      case when status in ('active', 'past_due') then unit * qty / (case iv when 'year' then 12 else 1 end) else 0 end,
      now() + ((n % (case iv when 'year' then 365 else 30 end)) || ' days')::interval,
      false,
      case when status = 'canceled' then now() - ((n % 360) || ' days')::interval end,
      case when status = 'trialing' then now() + ((n % 14) || ' days')::interval end,
      now() - interval '25 months',
      case when status = 'past_due' then now() - ((n % 10) || ' days')::interval - interval '1 hour' end,
      now()
    from (
      select c.id, c.tenant_id, c.n,
        case when c.n % 2 = 0 then 'eur' else 'usd' end as cur,
        (array['month', 'month', 'year'])[1 + c.n % 3] as iv,
        (array['Professional', 'Enterprise', 'Professional'])[1 + c.n % 3] as product,
        'price_bench_' || (c.n % 3) as price_id,
        (array[4900, 19900, 49000])[1 + c.n % 3] as unit,
        1 + c.n % 20 as qty,
        case c.n % 20 when 0 then 'canceled' when 1 then 'past_due' when 2 then 'trialing'
          else 'active' end as status
      from (select id, tenant_id, substring(id from 11)::int as n from billing_customers
        where tenant_id is not null) c
    ) s`.execute(db)
  await sql`
    insert into saas_invoices (id, customer_id, subscription_id, tenant_id, number, status,
      amount_due, amount_paid, currency, created, paid_at, attempt_count, first_failed_at,
      hosted_invoice_url, source_created)
    select 'in_bench_' || b.subscription_id || '_' || m, b.customer_id, b.subscription_id,
      b.tenant_id, upper(substring(b.customer_id from 11)) || '-' || lpad((${options.months} - m)::text, 4, '0'),
      case when m = 0 and b.status = 'past_due' then 'open' else 'paid' end,
      greatest(b.mrr_cents, 4900),
      case when m = 0 and b.status = 'past_due' then 0 else greatest(b.mrr_cents, 4900) end,
      b.currency, now() - (m || ' months')::interval,
      case when m = 0 and b.status = 'past_due' then null
        else now() - (m || ' months')::interval + interval '1 hour' end,
      1, case when m = 0 and b.status = 'past_due' then b.dunning_started_at end,
      'https://invoice.stripe.com/i/acct_bench/' || b.subscription_id || m, now()
    from saas_billing b cross join generate_series(0, ${options.months - 1}) m`.execute(db)
  await sql`
    insert into mrr_movements (event_id, customer_id, tenant_id, currency, kind,
      mrr_before_cents, mrr_after_cents, delta_cents, occurred_at)
    select 'evt_bench_' || b.subscription_id || '_' || k.kind, b.customer_id, b.tenant_id,
      b.currency, k.kind, k.before, k.after, k.after - k.before, k.at
    from saas_billing b
    cross join lateral (values
      ('new', 0, 5000, now() - interval '23 months' - ((length(b.subscription_id) % 28) || ' days')::interval),
      ('expansion', 5000, 9000, now() - ((abs(hashtext(b.subscription_id)) % 330) || ' days')::interval),
      ('contraction', 9000, 7000, now() - ((abs(hashtext(b.customer_id)) % 330) || ' days')::interval),
      ('churn', 7000, 0, coalesce(b.canceled_at, now())),
      ('reactivation', 0, 7000, now() - ((abs(hashtext(b.subscription_id)) % 200) || ' days')::interval)
    ) as k(kind, before, after, at)
    where k.kind in ('new')
      or (k.kind = 'expansion' and abs(hashtext(b.subscription_id)) % 4 = 0)
      or (k.kind = 'contraction' and abs(hashtext(b.customer_id)) % 7 = 0)
      or (k.kind = 'churn' and b.status = 'canceled')
      or (k.kind = 'reactivation' and abs(hashtext(b.subscription_id)) % 50 = 3)`.execute(db)
  await sql`
    update tenants set billing_mrr_cents = b.mrr_cents, billing_currency = b.currency,
      dunning_started_at = b.dunning_started_at
    from saas_billing b where b.tenant_id = tenants.id`.execute(db)
  await sql`
    insert into stripe_events (id, type, created, livemode, payload, received_at, processed_at)
    values ('evt_bench_ledger', 'customer.created', now(), false, '{}'::jsonb, now(), now())`.execute(
    db,
  )
  await sql`analyze`.execute(db)
  const count = async (table: string) =>
    (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db))
      .rows[0]!.n
  return {
    subscriptions: await count('saas_billing'),
    invoices: await count('saas_invoices'),
    movements: await count('mrr_movements'),
  }
}
