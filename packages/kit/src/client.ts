// The one place the kit speaks HTTP to Fleetdeck: the app key as a bearer token, JSON bodies, and
// RFC 9457 problems turned into a KitError with the problem's stable `code` (PROTOCOL.md).

/**
 * Fleetdeck refused a call, or could not be reached. `status` is the HTTP status of the problem
 * (502 when Fleetdeck was unreachable or answered something that is not a problem), `code` its
 * stable machine code (`tenant_not_found`, `handoff_used`, …, or `fleetdeck_unreachable`), and
 * `problem` the whole problem document (e.g. `limit` and `current` of `quota_exceeded`).
 */
export class KitError extends Error {
  readonly status: number
  readonly code: string
  readonly problem: Record<string, unknown>

  constructor(
    status: number,
    code: string,
    message: string,
    problem: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'KitError'
    this.status = status
    this.code = code
    this.problem = problem
  }
}

/** What the kit needs to reach Fleetdeck. */
export type ClientOptions = {
  /** Fleetdeck's base URL, e.g. `http://127.0.0.1:3000` (a trailing slash is ignored). */
  fleetdeckUrl: string
  /** The app key, `fdk_<id>.<secret>`, sent as `Authorization: Bearer …` (RFC 6750 §2.1). */
  appKey: string
  fetch: typeof fetch
}

export type Client = {
  /** Fleetdeck's base URL without a trailing slash: the handoff's expected `iss`. */
  readonly baseUrl: string
  /**
   * Sends one call to `path` (below the base URL, e.g. `/kit/v1/tenants/acme`) and returns the
   * response when it is 2xx or 304.
   * @throws KitError for any problem Fleetdeck answers, and 502 `fleetdeck_unreachable` when the
   *   fetch itself fails
   */
  call(
    method: 'GET' | 'POST',
    path: string,
    options?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>
  /** `call`, then the parsed JSON body. */
  json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>
}

export function createClient(options: ClientOptions): Client {
  const baseUrl = withoutTrailingSlash(options.fleetdeckUrl)
  const call: Client['call'] = async (method, path, { body, headers = {} } = {}) => {
    let response: Response
    try {
      response = await options.fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${options.appKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    } catch (error) {
      throw new KitError(502, 'fleetdeck_unreachable', `Fleetdeck is unreachable: ${String(error)}`)
    }
    if (response.ok || response.status === 304) return response
    throw await problemOf(response)
  }
  return {
    baseUrl,
    call,
    json: async <T>(method: 'GET' | 'POST', path: string, body?: unknown) =>
      (await (await call(method, path, { body })).json()) as T,
  }
}

/** The KitError a refusal stands for; a body that is not a problem still keeps its status. */
export async function problemOf(response: Response): Promise<KitError> {
  let problem: Record<string, unknown> = {}
  try {
    problem = (await response.json()) as Record<string, unknown>
  } catch {
    // A proxy's HTML error page, say: keep the status, name no code Fleetdeck did not give.
  }
  const code = typeof problem.code === 'string' ? problem.code : `http_${response.status}`
  const title = typeof problem.title === 'string' ? problem.title : response.statusText
  return new KitError(response.status, code, title || code, problem)
}

/** `segment` made safe to put in a path: slugs and ids come from requests. */
export function pathSegment(segment: string): string {
  return encodeURIComponent(segment)
}

export function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '')
}
