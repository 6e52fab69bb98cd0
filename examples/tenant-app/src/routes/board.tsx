import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import {
  boardOf,
  deleteAllNotes,
  deleteNote,
  findNote,
  insertNote,
  listNotes,
} from '../board-db.js'
import type { BoardEnv } from '../env.js'
import { audit, canManage, formOf, memberOf, redirectWithFlash, renderPage } from '../page.js'
import { BoardPage, DeleteBoardPage } from '../views/board-page.js'

// The shared notes board: list, add, delete a note, and delete the whole board — which, while
// support is impersonating read-write, asks for the workspace's slug typed in (seed 001).

const noteForm = z.object({
  body: z.string().trim().min(1, { error: 'Write something first.' }).max(2000, {
    error: 'Keep a note under 2,000 characters.',
  }),
})
const noteIdParam = z.string().regex(/^\d{1,18}$/)

export function boardRoutes(member: MiddlewareHandler<BoardEnv>) {
  const board = new Hono<BoardEnv>()

  board.get('/t/:slug/', member, async (c) => {
    const notes = await listNotes(boardOf(c.var.deps.db, c.var.fleetdeck.tenant.slug))
    return renderPage(c, 'Board', <BoardPage {...boardProps(c)} notes={notes} />)
  })

  board.post('/t/:slug/notes', member, async (c) => {
    const slug = c.var.fleetdeck.tenant.slug
    const form = await formOf(c)
    const parsed = noteForm.safeParse(form)
    if (!parsed.success) {
      const notes = await listNotes(boardOf(c.var.deps.db, slug))
      const page = (
        <BoardPage
          {...boardProps(c)}
          notes={notes}
          draft={form.body}
          error={parsed.error.issues[0].message}
        />
      )
      return renderPage(c, 'Board', page, 422)
    }
    await audit(c, 'note.added', { length: parsed.data.body.length })
    await insertNote(boardOf(c.var.deps.db, slug), parsed.data.body, memberOf(c).email)
    return redirectWithFlash(c, `/t/${slug}/`, 'Note added.')
  })

  board.post('/t/:slug/notes/:id/delete', member, async (c) => {
    const slug = c.var.fleetdeck.tenant.slug
    const id = noteIdParam.safeParse(c.req.param('id'))
    const db = boardOf(c.var.deps.db, slug)
    const note = id.success ? await findNote(db, id.data) : undefined
    if (!note) return renderPage(c, 'Note not found', <p>That note is gone.</p>, 404)
    const who = memberOf(c)
    if (note.authorEmail !== who.email && !canManage(who))
      return renderPage(
        c,
        'Not allowed',
        <p>Only its author or an admin can delete a note.</p>,
        403,
      )
    await audit(c, 'note.deleted', { noteId: note.id, author: note.authorEmail })
    await deleteNote(db, note.id)
    return redirectWithFlash(c, `/t/${slug}/`, 'Note deleted.')
  })

  board.get('/t/:slug/board/delete', member, (c) => {
    if (!canManage(memberOf(c))) return onlyAdmins(c)
    return renderPage(c, 'Delete the board', <DeleteBoardPage {...deleteProps(c)} />)
  })

  board.post('/t/:slug/board/delete', member, async (c) => {
    if (!canManage(memberOf(c))) return onlyAdmins(c)
    const { tenant } = c.var.fleetdeck
    const props = deleteProps(c)
    const typed = (await formOf(c)).confirm?.trim() ?? ''
    if (props.typedConfirmation && typed !== tenant.slug) {
      const error = `Type ${tenant.slug} exactly to delete the board.`
      return renderPage(
        c,
        'Delete the board',
        <DeleteBoardPage {...props} typed={typed} error={error} />,
        422,
      )
    }
    await audit(c, 'board.deleted', props.typedConfirmation ? { confirmedBy: 'typed slug' } : {})
    const count = await deleteAllNotes(boardOf(c.var.deps.db, tenant.slug))
    return redirectWithFlash(c, `/t/${tenant.slug}/`, `The board was deleted (${count} notes).`)
  })

  return board
}

function boardProps(c: import('hono').Context<BoardEnv>) {
  const who = memberOf(c)
  return {
    slug: c.var.fleetdeck.tenant.slug,
    email: who.email,
    canManage: canManage(who),
    canExport: c.var.features?.export ?? false,
  }
}

/** Seed 001: a destructive action by support acting as a user needs the slug typed in. */
function deleteProps(c: import('hono').Context<BoardEnv>) {
  const { tenant, impersonation } = c.var.fleetdeck
  return { tenant, typedConfirmation: impersonation?.mode === 'read_write' }
}

function onlyAdmins(c: import('hono').Context<BoardEnv>) {
  return renderPage(c, 'Not allowed', <p>Only owners and admins can delete the board.</p>, 403)
}
