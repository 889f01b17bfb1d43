// Entry point: loads the configuration, the identities and the keys, then starts the server.
import { ConfigError } from '@sigstack/server';
import { IdentitiesError } from './identities.js';
import { runOidc } from './run.js';

runOidc().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof IdentitiesError) {
    process.stderr.write(`oidc: ${err.message}\n`);
  } else {
    process.stderr.write(`oidc: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
