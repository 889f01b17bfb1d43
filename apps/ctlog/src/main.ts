// Entry point: loads the configuration, opens the log and starts the server.
import { ConfigError, loadConfig, start } from '@sigstack/server';
import { ctlogRoutes, openCtlog } from './app.js';
import { configSchema } from './config.js';

async function main(): Promise<void> {
  const config = loadConfig(configSchema);
  const opened = await openCtlog(config);
  const { app } = await start({ name: 'ctlog', config, routes: ctlogRoutes(opened) });
  app.log.info({ logId: Buffer.from(opened.log.logId).toString('base64') }, 'CT log id (SHA-256 of the DER SPKI)');
}

main().catch((err: unknown) => {
  // Configuration problems are for the operator: one line each, no stack.
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `ctlog failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
