import type { KitMember } from '@fleetdeck/kit'
import { Field } from './layout.js'

export type AddMemberErrors = Partial<
  Record<'form' | 'email' | 'name' | 'role' | 'password', string>
>

export function MembersPage(props: {
  slug: string
  members: KitMember[]
  used: number
  limit: number | null
  canAdd: boolean
  fullMessage: string
  canManage: boolean
  form: Record<string, string>
  errors: AddMemberErrors
}) {
  const { errors, form } = props
  const seats =
    props.limit === null
      ? `${props.used} seats used (no limit)`
      : `${props.used} of ${props.limit} seats used`
  return (
    <>
      <h1>Members</h1>
      <p id="seats">{seats}</p>
      <table>
        <caption class="meta">Everyone in this workspace</caption>
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {props.members.map((m) => (
            <tr>
              <td>{m.email}</td>
              <td>{m.name}</td>
              <td>{m.role}</td>
              <td>{m.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.canManage && (
        <section aria-labelledby="add-member">
          <h2 id="add-member">Add a member</h2>
          {errors.form && (
            <p class="error" role="alert" id="add-member-error">
              {errors.form}
            </p>
          )}
          {props.canAdd ? (
            <form method="post" action={`/t/${props.slug}/members`}>
              <Field
                name="email"
                label="Email"
                type="email"
                value={form.email}
                error={errors.email}
                autocomplete="off"
              />
              <Field
                name="name"
                label="Name"
                value={form.name}
                error={errors.name}
                autocomplete="off"
              />
              <p class="field">
                <label for="field-role">Role</label>
                <select id="field-role" name="role">
                  <option value="member" selected={form.role !== 'admin'}>
                    Member
                  </option>
                  <option value="admin" selected={form.role === 'admin'}>
                    Admin
                  </option>
                </select>
              </p>
              <Field
                name="password"
                label="First password"
                type="password"
                hint="At least 12 characters; tell them in person."
                error={errors.password}
                autocomplete="new-password"
              />
              <button type="submit">Add member</button>
            </form>
          ) : (
            !errors.form && (
              <p class="notice" id="seats-full">
                {props.fullMessage}
              </p>
            )
          )}
        </section>
      )}
    </>
  )
}
