import type { MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from './env.js'

// C0 control characters and DEL, except tab, line feed and carriage return (a textarea submits
// its line breaks as CR LF). No field a person fills in can hold the others, PostgreSQL refuses
// NUL in text outright (a 500 before this guard), and the rest only ever come from tools: so they
// make a request malformed (400) rather than a field wrong (422).
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/

/** True when `text` holds a control character no form field accepts (see CONTROL_CHARACTER). */
export function hasControlCharacter(text: string): boolean {
  return CONTROL_CHARACTER.test(text)
}

/**
 * The message of the 400 a request with control characters gets; `where` names the part
 * (a field, the query, the path).
 */
export function controlCharacterRefusal(where: string): HTTPException {
  return new HTTPException(400, {
    message: `Malformed request: ${where} contains control characters (such as NUL) that nothing here accepts.`,
  })
}

/** Decodes a path or query component; a broken escape (`%E0%A4`) is kept as written. */
function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    return text
  }
}

/**
 * Refuses with 400, before any handler runs, a request whose path or query string holds a control
 * character once decoded (`/tenants?q=%00`, `/audit?tenant=a%00`), names included. Bodies are
 * checked where they are parsed (src/web/form-body.ts).
 * @throws HTTPException 400
 */
export const refuseControlCharactersInUrl: MiddlewareHandler<AppEnv> = async (c, next) => {
  const url = new URL(c.req.url)
  if (url.pathname.split('/').some((segment) => hasControlCharacter(decode(segment)))) {
    throw controlCharacterRefusal('the address')
  }
  for (const pair of url.search.slice(1).split('&')) {
    if (hasControlCharacter(decode(pair))) throw controlCharacterRefusal('the query string')
  }
  await next()
}
