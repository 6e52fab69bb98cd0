import type { FC } from 'hono/jsx'
import { BackLink, Section } from '../components/section.js'
import { CopyText } from '../components/copy-text.js'
import type { ApiToken } from '../../db/api-tokens.js'
import { TokenForm, TokenTable, type TokenErrors, type TokenValues } from './tokens-fragments.js'

export type TokensPageProps = {
  own: ApiToken[]
  /** Every operator's tokens: owners only (they may revoke any); undefined for other roles. */
  all?: ApiToken[]
  /** The permissions the operator's role holds: the only ones a token of theirs may carry. */
  choices: readonly string[]
  values: TokenValues
  errors: TokenErrors
  now: Date
}

/** The operator's API tokens for /api/v1: list, create, revoke; owners also see everyone's. */
export const TokensPage: FC<TokensPageProps> = (p) => (
  <>
    <BackLink href="/account">Your account</BackLink>
    <h1 class="m-0 mb-4 text-2xl font-semibold">API tokens</h1>
    <p class="m-0 mb-4 max-w-3xl text-sm text-slate-600">
      An API token lets a script call the REST API at <code>/api/v1</code> as you, with only the
      permissions you give it, until it expires or is revoked. Send it as{' '}
      <code>Authorization: Bearer fdt_…</code>; the API is described at{' '}
      <a href="/api/v1/openapi.json" class="text-violet-700 underline">
        /api/v1/openapi.json
      </a>
      . Every call is written to the audit log with the token's id. Tokens open no console page.
    </p>
    <Section id="own-tokens" title={`Your tokens (${p.own.length})`}>
      <TokenTable id="own-token-table" tokens={p.own} now={p.now} showOwner={false} />
    </Section>
    {p.all && (
      <Section id="all-tokens" title={`All operators' tokens (${p.all.length})`}>
        <TokenTable id="all-token-table" tokens={p.all} now={p.now} showOwner={true} />
      </Section>
    )}
    <Section id="new-token" title="Create an API token">
      <TokenForm choices={p.choices} values={p.values} errors={p.errors} />
    </Section>
  </>
)

/** The answer to a successful create: the only page that ever shows the token. */
export const TokenCreatedPage: FC<{ name: string; token: string }> = (p) => (
  <>
    <BackLink href="/account/tokens">API tokens</BackLink>
    <h1 class="m-0 mb-4 text-2xl font-semibold">API token created: {p.name}</h1>
    <div role="alert" class="mb-4 rounded border border-amber-300 bg-amber-50 p-4 text-sm">
      <strong>Copy the token now: you won't see it again.</strong> Fleetdeck keeps only a hash of
      it. If it is lost, create a new token and revoke this one.
    </div>
    <Section id="token-secret" title="The token">
      <CopyText id="api-token-value" text={p.token} label="Copy the API token" />
      <p class="m-0 mt-3 text-xs text-slate-600">
        Keep it in your script's secret store, never in a repository. Example:{' '}
        <code>curl -H "Authorization: Bearer $FLEETDECK_TOKEN" …/api/v1/tenants</code>
      </p>
    </Section>
    <p class="m-0 text-sm">
      <a href="/account/tokens" class="text-violet-700 underline">
        I have copied it: back to API tokens
      </a>
    </p>
  </>
)
