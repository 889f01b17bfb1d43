// Test support shared by every project's tests. Never imported by production code.
export { conformanceCase, conformanceCaseNames, publicGoodTrustedRootText, type ConformanceCase } from './conformance.js';
export { sharedTestdata, workspaceRoot } from './workspace.js';
export { freePort, freePorts } from './ports.js';
export { mutatedBytes } from './mutation.js';
