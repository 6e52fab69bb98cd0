import type { Child, FC } from 'hono/jsx'

/**
 * A column header that sorts the table by its column: a plain link (works without JavaScript),
 * `aria-sort` on the column the table is sorted by, and an arrow that says which way.
 */
export const SortHeader: FC<{
  label: Child
  /** The address of the table sorted by this column (the other way when it already is). */
  href: string
  /** How the table is sorted by this column now; undefined when it is sorted by another. */
  sorted?: 'ascending' | 'descending'
  align?: 'left' | 'right'
}> = (p) => (
  <th
    scope="col"
    aria-sort={p.sorted}
    class={`px-3 py-2 whitespace-nowrap ${p.align === 'right' ? 'text-right' : ''}`}
  >
    <a href={p.href} class="text-slate-700 underline decoration-dotted hover:text-violet-800">
      {p.label}
      <span aria-hidden="true" class="ml-1 inline-block w-3">
        {p.sorted === 'ascending' ? '▲' : p.sorted === 'descending' ? '▼' : ''}
      </span>
    </a>
  </th>
)
