// The demo's reads moved to src/db/demo-billing.ts (src/db owns SQL); re-exported here so the
// demo and the seed/demo scripts keep their imports.
export { listDemoFleetTenants, listTenantIdsWithoutBilling } from '../db/demo-billing.js'
