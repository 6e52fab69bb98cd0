// The one shape every domain verb returns (DESIGN.md §10; CONVENTIONS.md habit 14): the change's
// result, or an expected refusal with a reason the caller turns into a message or a status.
// Unexpected failures (a lost connection, a bug) throw instead.

/** An expected refusal: `reason` is a snake_case word the caller switches on. */
export type Refusal<R extends string = string> = { ok: false; reason: R }

/** Success with its fields beside `ok`, or a refusal; a verb that cannot refuse omits `R`. */
export type DomainResult<T extends object, R extends string = never> =
  ({ ok: true } & T) | ([R] extends [never] ? never : Refusal<R>)

/** `return refuse('last_owner')` reads as the rule it enforces. */
export function refuse<R extends string>(reason: R): Refusal<R> {
  return { ok: false, reason }
}
