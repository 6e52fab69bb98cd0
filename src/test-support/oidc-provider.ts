import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CodeChallengeMethod, generateCodeVerifier, OAuth2Client } from 'arctic'
// @ts-expect-error oidc-provider 8 ships no types and @types/oidc-provider is not installed.
import UntypedProvider from 'oidc-provider'

// A real OpenID Provider for SSO tests (`oidc-provider`, the certified implementation), on
// 127.0.0.1 and a free port: discovery, JWKS, authorization with PKCE, the token endpoint and
// signed ID tokens are its own. Its development login form accepts any password for a known
// account; consent is granted up front so a sign-in is one form.

/** The little of oidc-provider's API used here (its koa context, loosely). */
type KoaContext = {
  path: string
  body: unknown
  oidc: {
    client?: { clientId: string }
    session?: { accountId?: string }
    provider: { Grant: new (o: { clientId: string; accountId: string }) => Grant }
  }
}
type Grant = {
  addOIDCScope(scope: string): void
  addOIDCClaims(claims: string[]): void
  save(): Promise<string>
}
type ProviderInstance = {
  use(middleware: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void
  callback(): Parameters<Server['on']>[1]
}
const Provider = UntypedProvider as new (
  issuer: string,
  configuration: Record<string, unknown>,
) => ProviderInstance

/** An account at the provider: its `sub` is `id`. */
export type IdpAccount = { id: string; email: string; emailVerified: boolean }

export type IdpClient = { id: string; secret: string; redirectUri: string }

export type TestIdp = {
  issuer: string
  /** The client Fleetdeck is configured with. */
  client: IdpClient
  /** A second client: its ID tokens carry the wrong audience for Fleetdeck. */
  otherClient: IdpClient
  /**
   * Follows an authorization URL as a browser would: the provider's login form for `accountId`,
   * then its redirects, until the client's redirect URI. Returns that callback URL (code, state).
   */
  authorize(authorizationUrl: string, accountId: string): Promise<URL>
  /** A real ID token for `client` (another audience than Fleetdeck's for `otherClient`). */
  idTokenFor(client: IdpClient, accountId: string, nonce: string): Promise<string>
  /** The next token response carries this ID token instead of its own (once). */
  replaceNextIdToken(idToken: string): void
  close(): Promise<void>
}

/**
 * Starts the provider. `redirectUri` is where Fleetdeck's callback lives for the main client;
 * the other client gets a redirect of its own that nothing answers.
 */
export async function startOidcProvider(options: {
  redirectUri: string
  accounts: IdpAccount[]
}): Promise<TestIdp> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const issuer = `http://127.0.0.1:${port}`
  const client = {
    id: 'fleetdeck',
    secret: 'fleetdeck-secret-0123456789',
    redirectUri: options.redirectUri,
  }
  const otherClient = {
    id: 'another-app',
    secret: 'another-secret-0123456789',
    redirectUri: 'http://127.0.0.1:9/another/callback',
  }
  const accounts = new Map(options.accounts.map((a) => [a.id, a]))
  const provider = new Provider(issuer, {
    clients: [client, otherClient].map((c) => ({
      client_id: c.id,
      client_secret: c.secret,
      redirect_uris: [c.redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    // The email claims belong in the ID token, not only at the userinfo endpoint.
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    pkce: { required: () => true },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx: KoaContext, id: string) {
      const account = accounts.get(id)
      if (!account) return undefined
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          email: account.email,
          email_verified: account.emailVerified,
        }),
      }
    },
    async loadExistingGrant(ctx: KoaContext) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      })
      grant.addOIDCScope('openid email profile')
      grant.addOIDCClaims(['email', 'email_verified'])
      await grant.save()
      return grant
    },
  })
  let replacement: string | undefined
  provider.use(async (ctx, next) => {
    await next()
    if (ctx.path === '/token' && replacement && ctx.body && typeof ctx.body === 'object') {
      ;(ctx.body as Record<string, unknown>).id_token = replacement
      replacement = undefined
    }
  })
  server.on('request', provider.callback())

  async function authorize(authorizationUrl: string, accountId: string): Promise<URL> {
    const jar = new Map<string, string>()
    const request = async (url: URL, init: RequestInit = {}) => {
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
      const res = await fetch(url, {
        ...init,
        redirect: 'manual',
        headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
      })
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';')
        const eq = pair.indexOf('=')
        const value = pair.slice(eq + 1)
        if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(pair.slice(0, eq))
        else jar.set(pair.slice(0, eq), value)
      }
      return res
    }
    let url = new URL(authorizationUrl)
    let init: RequestInit = {}
    for (let hop = 0; hop < 10; hop++) {
      if (!url.href.startsWith(issuer)) return url
      const res = await request(url, init)
      init = {}
      const location = res.headers.get('location')
      if (location) {
        await res.body?.cancel()
        url = new URL(location, url)
        continue
      }
      const html = await res.text()
      if (res.status !== 200 || !html.includes('name="login"'))
        throw new Error(`provider answered ${res.status}: ${html.slice(0, 300)}`)
      // The login form: any password is accepted for a known account (devInteractions).
      init = {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ prompt: 'login', login: accountId, password: 'x' }).toString(),
      }
    }
    throw new Error('too many redirects at the provider')
  }

  async function idTokenFor(c: IdpClient, accountId: string, nonce: string): Promise<string> {
    const oauth = new OAuth2Client(c.id, c.secret, c.redirectUri)
    const verifier = generateCodeVerifier()
    const url = oauth.createAuthorizationURLWithPKCE(
      `${issuer}/auth`,
      'state-of-the-other-client',
      CodeChallengeMethod.S256,
      verifier,
      ['openid', 'email'],
    )
    url.searchParams.set('nonce', nonce)
    const back = await authorize(url.href, accountId)
    const code = back.searchParams.get('code')
    if (!code) throw new Error(`no code: ${back.href}`)
    return (await oauth.validateAuthorizationCode(`${issuer}/token`, code, verifier)).idToken()
  }

  return {
    issuer,
    client,
    otherClient,
    authorize,
    idTokenFor,
    replaceNextIdToken: (idToken) => void (replacement = idToken),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
