// Entry point: loads the configuration, opens the logs and starts the server.
import { ConfigError, loadConfig, start } from '@sigstack/server';
import { openRekor, rekorRoutes } from './app.js';
import { configSchema } from './config.js';

async function main(): Promise<void> {
  const config = loadConfig(configSchema);
  const logs = await openRekor(config);
  await start({ name: 'rekor', config, routes: rekorRoutes(logs, true) });
}

main().catch((err: unknown) => {
  // Configuration problems are for the operator: one line each, no stack.
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `rekor failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
