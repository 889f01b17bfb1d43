// Entry point: loads the configuration, the TSA key and chain, and starts the server.
import { ConfigError, loadConfig, start } from '@sigstack/server';
import { resolveIdentity, tsaRoutes } from './app.js';
import { tsaConfigSchema } from './config.js';
import { IdentityError } from './identity.js';

try {
  const config = loadConfig(tsaConfigSchema);
  const identity = await resolveIdentity(config);
  await start({ name: 'tsa', config, routes: tsaRoutes({ config, identity }) });
} catch (err) {
  // Operator mistakes get their one-line (or one-per-problem) message, not a stack.
  if (err instanceof ConfigError || err instanceof IdentityError) {
    console.error(`tsa: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
