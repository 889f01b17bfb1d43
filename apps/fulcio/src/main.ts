// Entry point: loads the configuration, the issuer configuration and the CA, and starts the server.
import { ConfigError, loadConfig, start } from '@sigstack/server';
import { fulcioRoutes, resolveServices } from './app.js';
import { CaError } from './ca/authority.js';
import { fulcioConfigSchema } from './config.js';
import { IssuerConfigError } from './identity/config.js';

try {
  const config = loadConfig(fulcioConfigSchema);
  const services = await resolveServices(config);
  await start({ name: 'fulcio', config, routes: fulcioRoutes(services) });
} catch (err) {
  // Operator mistakes get their one-line (or one-per-problem) message, not a stack.
  if (err instanceof ConfigError || err instanceof IssuerConfigError || err instanceof CaError) {
    console.error(`fulcio: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
