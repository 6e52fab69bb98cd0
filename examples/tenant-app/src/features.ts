import type { Context, MiddlewareHandler } from 'hono'
import type { BoardEnv } from './env.js'

// Which optional parts of the app a member sees, decided once per request: Drawings through the
// OpenFeature client (OFREP), Export from the plan's flags in the kit's cached tenant snapshot.

/** The flag a plan turns on to allow exporting the board (kit `isEnabled`). */
export const BOARD_EXPORT = 'board-export'

/**
 * `member` (the kit's requireMember), then `c.var.features` for the signed-in member's pages.
 * Nothing is evaluated for a request the kit refuses.
 */
export function withFeatures(member: MiddlewareHandler<BoardEnv>): MiddlewareHandler<BoardEnv> {
  return (c, next) =>
    member(c, async () => {
      c.set('features', await featuresOf(c))
      await next()
    })
}

async function featuresOf(c: Context<BoardEnv>) {
  const { tenant, entitlements } = c.var.fleetdeck
  return {
    drawings: await c.var.deps.flags.drawingsBeta(tenant),
    export: entitlements.isEnabled(BOARD_EXPORT),
  }
}
