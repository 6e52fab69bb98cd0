import type { Note } from '../board-db.js'
import { Field } from './layout.js'

export function BoardPage(props: {
  slug: string
  email: string
  canManage: boolean
  /** The plan includes exporting the board (`board-export`). */
  canExport: boolean
  notes: Note[]
  draft?: string
  error?: string
}) {
  const base = `/t/${props.slug}`
  return (
    <>
      <h1>Board</h1>
      <form method="post" action={`${base}/notes`}>
        <p class="field">
          <label for="note-body">New note</label>
          <textarea
            id="note-body"
            name="body"
            rows={3}
            required
            aria-invalid={props.error ? 'true' : undefined}
            aria-describedby={props.error ? 'note-body-error' : undefined}
          >
            {props.draft ?? ''}
          </textarea>
          {props.error && (
            <span class="error" id="note-body-error">
              {props.error}
            </span>
          )}
        </p>
        <button type="submit">Add note</button>
      </form>
      <h2>Notes</h2>
      {props.canExport && (
        <p>
          <a href={`${base}/export.csv`} download>
            Export board
          </a>
        </p>
      )}
      {props.notes.length === 0 ? (
        <p id="notes-empty">No notes yet.</p>
      ) : (
        <ul class="notes" id="notes">
          {props.notes.map((note) => (
            <li>
              <p>{note.body}</p>
              <p class="meta">
                {note.authorEmail} ·{' '}
                <time datetime={note.createdAt.toISOString()}>
                  {note.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC
                </time>
              </p>
              {(props.canManage || note.authorEmail === props.email) && (
                <form method="post" action={`${base}/notes/${note.id}/delete`} class="inline">
                  <button type="submit" aria-label={`Delete note: ${note.body.slice(0, 40)}`}>
                    Delete
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
      )}
      {props.canManage && (
        <p>
          <a href={`${base}/board/delete`}>Delete the board…</a>
        </p>
      )}
    </>
  )
}

export function DeleteBoardPage(props: {
  tenant: { slug: string; name: string }
  typedConfirmation: boolean
  typed?: string
  error?: string
}) {
  const { tenant } = props
  return (
    <>
      <h1>Delete the board</h1>
      <p>Every note on {tenant.name}'s board will be deleted. This cannot be undone.</p>
      <form method="post" action={`/t/${tenant.slug}/board/delete`}>
        {props.typedConfirmation && (
          <Field
            name="confirm"
            label="Workspace slug"
            hint={`You are acting as this user for support: type ${tenant.slug} to confirm.`}
            value={props.typed}
            error={props.error}
            autocomplete="off"
          />
        )}
        <button type="submit" class="danger">
          Delete the board
        </button>{' '}
        <a href={`/t/${tenant.slug}/`}>Cancel</a>
      </form>
    </>
  )
}
