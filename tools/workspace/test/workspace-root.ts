export { workspaceRoot } from '@sigstack/testing';

/** Environment for child Nx/ESLint runs: never the daemon, never the network. */
export const offlineNxEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
