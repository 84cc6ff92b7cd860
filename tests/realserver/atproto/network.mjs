// Starts the official AT Protocol network of @atproto/dev-env (PLC, PDS, AppView, bsync,
// ozone) for Herald's real-server tests, writes its addresses to a file once it is up, and
// runs until SIGTERM or SIGINT.
//
//   node network.mjs <install dir with node_modules> <ready file>
//
// Environment: DB_POSTGRES_URL (the AppView's PostgreSQL database), DB_POSTGRES_SCHEMA (a
// name for this run's schemas), REDIS_HOST (required by dev-env, not used by the AppView).
import { renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const [installDir, readyFile] = process.argv.slice(2)
if (!installDir || !readyFile) {
  console.error('usage: node network.mjs <install dir> <ready file>')
  process.exit(2)
}

const require = createRequire(join(installDir, 'package.json'))
const devEnv = await import(pathToFileURL(require.resolve('@atproto/dev-env')).href)

const network = await devEnv.TestNetwork.create({
  dbPostgresSchema: process.env.DB_POSTGRES_SCHEMA,
  // Handles on a real TLD (alice.bsky.social), so that @mentions of them become facets as in
  // the Bluesky app; dev-env's own accounts keep `.test`.
  pds: { serviceHandleDomains: ['.test', '.bsky.social'] },
})

// Node ends the process on an unhandled rejection or exception, so one failing background task
// of the network (an AppView indexer, say) would take the PDS down with it and every later test
// would read "connection refused". Each is logged with its stack instead (the tests report them).
for (const event of ['unhandledRejection', 'uncaughtException']) {
  process.on(event, (error) => console.error(`${new Date().toISOString()} ${event}:`, error))
}

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  setTimeout(() => process.exit(0), 5000).unref() // never hang on the way out
  try {
    await network.close()
  } finally {
    process.exit(0)
  }
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)

const addresses = { pds: network.pds.url, appview: network.bsky.url, plc: network.plc.url }
writeFileSync(`${readyFile}.partial`, JSON.stringify(addresses))
renameSync(`${readyFile}.partial`, readyFile) // the reader never sees half a file
console.log(`AT Protocol network up: PDS ${network.pds.url}, AppView ${network.bsky.url}`)
