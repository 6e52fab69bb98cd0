import type { Context, MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from './env.js'
import { controlCharacterRefusal, hasControlCharacter } from './text-guard.js'

const FORM_TYPE = /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i

// The parsed form of each request, read once by readFormBody. Keyed by the Request object, so
// method override (which dispatches a new Request) parses its own, and nothing outlives the request.
const parsedForms = new WeakMap<Request, FormData>()

/**
 * Parses a form body (urlencoded or multipart) once, before method override and the handlers:
 * a body that does not parse (`multipart/form-data; boundary=x` with garbage, a multipart type
 * without a boundary) is refused with 400 instead of throwing inside a handler (a 500 before),
 * and so is a field name or text value with a control character (src/web/text-guard.ts).
 * Runs on every route, sign-in included. Other content types pass untouched.
 * @throws HTTPException 400
 */
export const readFormBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return next()
  if (!FORM_TYPE.test(c.req.header('content-type') ?? '')) return next()
  // A clone: Hono's methodOverride reads the original body after this.
  const form = await c.req.raw
    .clone()
    .formData()
    .catch(() => undefined)
  if (!form) {
    throw new HTTPException(400, {
      message: 'Malformed request: the form data could not be read. Nothing was changed.',
    })
  }
  for (const [name, value] of form) {
    if (hasControlCharacter(name)) throw controlCharacterRefusal('a form field name')
    if (typeof value === 'string' && hasControlCharacter(value)) {
      throw controlCharacterRefusal(`the form field “${name.slice(0, 40)}”`)
    }
  }
  parsedForms.set(c.req.raw, form)
  await next()
}

/**
 * The form readFormBody parsed for this request, with repeated keys and files as sent; undefined
 * when the body is not a form (or the middleware did not run).
 */
export function parsedForm(c: Context): FormData | undefined {
  return parsedForms.get(c.req.raw)
}
