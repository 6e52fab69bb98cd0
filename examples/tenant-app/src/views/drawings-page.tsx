import type { Drawing } from '../board-db.js'
import { Field } from './layout.js'

/** What the drawing form holds after a refused submission, and its errors by field. */
export type DrawingDraft = { title: string; width: string; height: string }

export function DrawingsPage(props: {
  slug: string
  drawings: Drawing[]
  draft?: DrawingDraft
  errors?: Partial<Record<keyof DrawingDraft, string>>
}) {
  const draft = props.draft ?? { title: '', width: '800', height: '600' }
  const errors = props.errors ?? {}
  return (
    <>
      <h1>Drawings</h1>
      <p class="notice">Drawings is in beta for this workspace.</p>
      <form method="post" action={`/t/${props.slug}/drawings`}>
        <Field name="title" label="Title" value={draft.title} error={errors.title} />
        <Field
          name="width"
          label="Width (pixels)"
          type="number"
          value={draft.width}
          error={errors.width}
        />
        <Field
          name="height"
          label="Height (pixels)"
          type="number"
          value={draft.height}
          error={errors.height}
        />
        <button type="submit">Add drawing</button>
      </form>
      <h2>All drawings</h2>
      {props.drawings.length === 0 ? (
        <p id="drawings-empty">No drawings yet.</p>
      ) : (
        <table id="drawings">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Size</th>
              <th scope="col">By</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {props.drawings.map((d) => (
              <tr>
                <td>{d.title}</td>
                <td>
                  {d.width} × {d.height}
                </td>
                <td>{d.authorEmail}</td>
                <td>
                  <time datetime={d.createdAt.toISOString()}>
                    {d.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC
                  </time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}
