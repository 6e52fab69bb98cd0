import type { App } from '../app.js'

// Calls to the kit API as a tenant app makes them: the app key as a bearer token, JSON bodies.

export type KitCallOptions = {
  /** Sent as JSON (`Content-Type: application/json`). */
  json?: unknown
  /** Sent as it is, for malformed bodies; give the content type in `headers`. */
  body?: string
  headers?: Record<string, string>
}

/** One kit API call with app key `token` to `/kit/v1${path}`. */
export async function kitCall(
  app: App,
  token: string,
  method: string,
  path: string,
  o: KitCallOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    ...(o.json !== undefined ? { 'content-type': 'application/json' } : {}),
    ...o.headers,
  }
  const body = o.json !== undefined ? JSON.stringify(o.json) : o.body
  return app.request(`/kit/v1${path}`, { method, headers, body })
}
