import { describe, expect, it } from 'vitest'
import {
  alertText,
  definition,
  fieldError,
  headings,
  linkHrefs,
  rowCells,
  selectedOption,
  tableRow,
  tableRows,
  textOf,
} from './html.js'

// The HTML helpers read pages the way a person does; these pin what each one answers, so a test
// that uses them fails for the page's sake and never for the helper's.

const page = `
<h1 class="a b">Tenants &amp; more</h1>
<p role="alert" class="x">Something
   went wrong.</p>
<form>
  <input name="slug" aria-describedby="field-slug-error field-slug-help" aria-invalid="true" />
  <p id="field-slug-help">Lowercase letters.</p>
  <p id="field-slug-error" class="text-red-700">This slug is taken.</p>
  <input name="name" />
  <select name="plan"><option value="free">Free</option><option value="pro" selected>Pro</option></select>
</form>
<h2>Members</h2>
<dl><dt>Plan</dt><dd class="m-0">Professional</dd><dt>Schema</dt><dd><span>t_acme</span></dd></dl>
<table>
  <thead><tr><th>Name</th><th>Members</th></tr></thead>
  <tbody>
    <tr id="tenant-1"><td class="px-3"><a href="/tenants/1">Acme</a></td><td>3</td></tr>
    <tr id="tenant-2"><td>Beta</td><td>1</td></tr>
  </tbody>
</table>
<a href="/audit">Newest</a>`

describe('HTML helpers', () => {
  it('read texts decoded and with white space collapsed', () => {
    expect(headings(page)).toEqual(['Tenants & more', 'Members'])
    expect(alertText(page)).toBe('Something went wrong.')
    expect(textOf(page, 'tr#tenant-2 td')).toBe('Beta')
    expect(textOf(page, '#nothing')).toBeUndefined()
  })

  it("fieldError reads the error the field's aria-describedby points at, and only that", () => {
    expect(fieldError(page, 'slug')).toBe('This slug is taken.')
    expect(fieldError(page, 'name')).toBeUndefined()
    expect(() => fieldError(page, 'missing')).toThrow('no form control named missing')
  })

  it('rows read by id or keyed by their column headers', () => {
    expect(rowCells(page, 'tenant-1')).toEqual(['Acme', '3'])
    expect(() => rowCells(page, 'tenant-9')).toThrow()
    expect(tableRow(page, 'tenant-2')).toEqual({ Name: 'Beta', Members: '1' })
    expect(tableRows(page)).toEqual([
      { Name: 'Acme', Members: '3' },
      { Name: 'Beta', Members: '1' },
    ])
  })

  it('definitions, selected options and links by their text', () => {
    expect(definition(page, 'Plan')).toBe('Professional')
    expect(definition(page, 'Schema')).toBe('t_acme')
    expect(definition(page, 'Owner')).toBeUndefined()
    expect(selectedOption(page, 'plan')).toBe('Pro')
    expect(linkHrefs(page, 'Newest')).toEqual(['/audit'])
  })
})
