// The text of a plain pg_dump as replayDump runs it (issue 11 item 5, review finding 1: row
// data is never edited — pg_dump --inserts writes newlines inside values as they are).

const HEADER_SET = /^SET \w+ = [^\n]*;$/
const HEADER_SEARCH_PATH = "SELECT pg_catalog.set_config('search_path', '', false);"

/**
 * The text `replayDump` runs, and the header's standard_conforming_strings (on|off). pg_dump --inserts writes newlines inside values as they are, so
 * no line after the header may be edited (review finding 1: a row holding a line `SET …` or
 * `\restrict …` became SQL). Only the header — the lines before pg_dump's first statement that
 * is not a SET, which precede any row data — is rewritten: `SET x = v;` → `SET LOCAL x = v;`
 * (`transaction_timeout`, PostgreSQL 17's, dropped), search_path local, and its `\restrict
 * <key>` line dropped; the body is kept byte for byte except the `\unrestrict <key>` that is the
 * dump's last line with the SAME key. A dump missing it keeps any stray line, and fails.
 */
export function prepareDumpForReplay(dump: string): {
  text: string
  standardConformingStrings?: string
} {
  const lines = dump.split('\n')
  let key: string | undefined
  let standardConformingStrings: string | undefined
  let i = 0
  for (; i < lines.length; i++) {
    const line = lines[i]
    const restrict = /^\\restrict ([A-Za-z0-9]+)$/.exec(line)
    const strings = /^SET standard_conforming_strings = (on|off);$/.exec(line)
    if (strings) standardConformingStrings = strings[1]
    if (restrict && key === undefined) [key, lines[i]] = [restrict[1], '']
    else if (line === HEADER_SEARCH_PATH) lines[i] = line.replace('false);', 'true);')
    else if (line.startsWith('SET transaction_timeout ')) lines[i] = ''
    else if (HEADER_SET.test(line)) lines[i] = `SET LOCAL ${line.slice(4)}`
    else if (line !== '' && !line.startsWith('--')) break
  }
  let last = lines.length - 1
  while (last > i && lines[last] === '') last--
  if (key !== undefined && last > i && lines[last] === `\\unrestrict ${key}`) lines[last] = ''
  return { text: lines.join('\n'), standardConformingStrings }
}

/**
 * Whether `dump` is an embedded (PGlite) dump written before review finding 1's fix: its header
 * says `standard_conforming_strings = on`, so backslashes in values were not doubled and
 * pglite-tools may have deleted lines of row data (second review, item 5). Refuse to replay it.
 */
export function isPreFixEmbeddedDump(format: string, dump: string): boolean {
  const header = dump.slice(0, dump.search(/^(CREATE|INSERT|ALTER|COMMENT) /m) >>> 0)
  return format === 'pglite' && /^SET standard_conforming_strings = on;$/m.test(header)
}
