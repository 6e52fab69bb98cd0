import { parse, type HTMLElement } from 'node-html-parser'

// Questions a person (or a screen reader) asks of a page: what a heading says, what a field's
// error says, what a row shows, what the alert announces. Tests ask these instead of matching
// markup, so a change of CSS classes never breaks a test while a change of text, role or id does.
// Texts are decoded (`&amp;` → `&`) with runs of white space collapsed to one space and trimmed.

/** The parsed document; use the helpers below unless a question is not among them. */
export function parseHtml(html: string): HTMLElement {
  return parse(html)
}

/** An element's text as read aloud: entities decoded, white space collapsed, trimmed. */
export function readableText(element: HTMLElement): string {
  return element.textContent.replace(/\s+/g, ' ').trim()
}

/** The text of the first element matching the CSS `selector`, or undefined when none does. */
export function textOf(html: string, selector: string): string | undefined {
  const element = parse(html).querySelector(selector)
  return element ? readableText(element) : undefined
}

/** The texts of every element matching the CSS `selector`, in document order. */
export function textsOf(html: string, selector: string): string[] {
  return parse(html).querySelectorAll(selector).map(readableText)
}

/**
 * The message tied to the form control named `name` by its `aria-describedby` (what a screen
 * reader reads with the field), or undefined when the control has none. Throws when no control
 * has that name, so a renamed field fails loudly instead of passing as "no error".
 */
export function fieldError(html: string, name: string): string | undefined {
  const root = parse(html)
  const control = root.querySelector(`[name="${name}"]`)
  if (!control) throw new Error(`no form control named ${name}`)
  const ids = control.getAttribute('aria-describedby')?.split(/\s+/).filter(Boolean) ?? []
  const texts = ids
    .filter((id) => id.endsWith('-error'))
    .map((id) => root.getElementById(id))
    .filter((element): element is HTMLElement => element !== null)
    .map(readableText)
  return texts.length > 0 ? texts.join(' ') : undefined
}

/** The cell texts (`th` and `td`) of the table row `tr#rowId`; throws when there is no such row. */
export function rowCells(html: string, rowId: string): string[] {
  const row = parse(html).querySelector(`tr[id="${rowId}"]`)
  if (!row) throw new Error(`no table row with id ${rowId}`)
  return row.querySelectorAll('th, td').map(readableText)
}

/** The text of the first `role="alert"` element, or undefined when the page has none. */
export function alertText(html: string): string | undefined {
  return textOf(html, '[role="alert"]')
}

/** The texts of the page's headings (`h1`–`h6`), in document order. */
export function headings(html: string): string[] {
  return textsOf(html, 'h1, h2, h3, h4, h5, h6')
}

/** The description (`dd`) that follows the term (`dt`) with text `term`, or undefined. */
export function definition(html: string, term: string): string | undefined {
  for (const dt of parse(html).querySelectorAll('dt')) {
    if (readableText(dt) !== term) continue
    let next = dt.nextElementSibling
    while (next && next.tagName !== 'DD') next = next.nextElementSibling
    return next ? readableText(next) : undefined
  }
  return undefined
}

/** The `href`s of links whose text is `text`, in document order. */
export function linkHrefs(html: string, text: string): string[] {
  return parse(html)
    .querySelectorAll('a')
    .filter((a) => readableText(a) === text)
    .map((a) => a.getAttribute('href') ?? '')
}

/**
 * The body rows of the first table matching `selector` (the first table by default), each as
 * its cell texts keyed by the column's header text (`th` in `thead`). Rows whose cells span
 * columns (an empty-table message) have fewer keys.
 */
export function tableRows(html: string, selector = 'table'): Record<string, string>[] {
  const table = parse(html).querySelector(selector)
  if (!table) throw new Error(`no table matching ${selector}`)
  const columns = table.querySelectorAll('thead th').map(readableText)
  return table.querySelectorAll('tbody tr').map((row) => {
    const cells = row.querySelectorAll('th, td').map(readableText)
    return Object.fromEntries(cells.map((text, i) => [columns[i] ?? String(i), text]))
  })
}

/** The selected option's text of the `select` named `name`, or undefined when none is selected. */
export function selectedOption(html: string, name: string): string | undefined {
  const select = parse(html).querySelector(`select[name="${name}"]`)
  if (!select) throw new Error(`no select named ${name}`)
  const option = select.querySelector('option[selected]')
  return option ? readableText(option) : undefined
}

/**
 * The table row `tr#rowId` as its cell texts keyed by the column header texts of its table;
 * throws when there is no such row.
 */
export function tableRow(html: string, rowId: string): Record<string, string> {
  const row = parse(html).querySelector(`tr[id="${rowId}"]`)
  if (!row) throw new Error(`no table row with id ${rowId}`)
  const table = row.closest('table')
  const columns = table ? table.querySelectorAll('thead th').map(readableText) : []
  const cells = row.querySelectorAll('th, td').map(readableText)
  return Object.fromEntries(cells.map((text, i) => [columns[i] ?? String(i), text]))
}
