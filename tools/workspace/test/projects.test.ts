import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { beforeAll, describe, expect, it } from 'vitest';
import { offlineNxEnv, workspaceRoot } from './workspace-root.js';

// Checks the shape every project promises (ARCHITECTURE.md, the foundation issue):
// the four standard targets, tags that place it in the dependency rules, a narrow
// tested public surface, and a graph in which nothing depends on an app.

interface ProjectNode {
  name: string;
  type: 'app' | 'lib' | 'e2e';
  data: { root: string; tags: string[]; targets: Record<string, unknown> };
}
interface ProjectGraph {
  nodes: Record<string, ProjectNode>;
  dependencies: Record<string, { target: string; type: string }[]>;
}

const root = workspaceRoot();
let graph: ProjectGraph;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'sigstack-graph-'));
  try {
    const file = join(dir, 'graph.json');
    execFileSync(join(root, 'node_modules/.bin/nx'), ['graph', `--file=${file}`], { cwd: root, env: offlineNxEnv });
    graph = (JSON.parse(readFileSync(file, 'utf8')) as { graph: ProjectGraph }).graph;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

const kindOf = (node: ProjectNode) => node.data.tags.find((t) => t.startsWith('type:'));
const products = () => Object.values(graph.nodes).filter((n) => ['type:app', 'type:lib'].includes(kindOf(n) ?? ''));

describe('workspace projects', () => {
  it('finds the foundation libraries', () => {
    const names = Object.keys(graph.nodes);
    for (const lib of ['crypto', 'merkle', 'bundle', 'trust', 'server']) expect(names).toContain(lib);
  });

  it('tags every project with its kind, and every library with its layer', () => {
    for (const node of Object.values(graph.nodes)) {
      expect(kindOf(node), node.name).toBeDefined();
      if (kindOf(node) === 'type:lib') {
        expect(node.data.tags.filter((t) => t.startsWith('layer:')), node.name).toHaveLength(1);
      }
    }
  });

  it('gives every app and library the build, test, lint and typecheck targets', () => {
    for (const node of products()) {
      expect(Object.keys(node.data.targets), node.name).toEqual(
        expect.arrayContaining(['build', 'test', 'lint', 'typecheck']),
      );
    }
  });

  it('has no project depending on an app', () => {
    const apps = new Set(Object.values(graph.nodes).filter((n) => kindOf(n) === 'type:app').map((n) => n.name));
    for (const [source, deps] of Object.entries(graph.dependencies)) {
      for (const dep of deps) expect(apps.has(dep.target), `${source} -> ${dep.target}`).toBe(false);
    }
  });

  it('gives every library a source export and a test of its public surface', () => {
    for (const node of products().filter((n) => kindOf(n) === 'type:lib')) {
      const pkg = JSON.parse(readFileSync(join(root, node.data.root, 'package.json'), 'utf8'));
      expect(pkg.exports['.']['@sigstack/source'], node.name).toBe('./src/index.ts');
      expect(existsSync(join(root, node.data.root, 'src/index.test.ts')), `${node.name} src/index.test.ts`).toBe(true);
    }
  });
});

describe('engines', () => {
  it('declares the supported Node versions', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.engines.node).toBe('^20.19 || >=22.12');
  });

  it('depends only on packages whose engines allow the oldest supported Node', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const direct = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
    for (const name of direct) {
      const manifest = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8'));
      const range = manifest.engines?.node as string | undefined;
      if (range) expect(semver.satisfies('20.19.0', range), `${name}@${manifest.version} engines ${range}`).toBe(true);
    }
  });

  it('installs nothing, however indirect, whose engines refuse the oldest supported Node (npm ci would warn EBADENGINE)', () => {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; engines?: unknown }> };
    const refused = Object.entries(lock.packages)
      .filter(([where, entry]) => where !== '' && typeof entry.engines === 'object' && entry.engines !== null && typeof (entry.engines as { node?: unknown }).node === 'string')
      .filter(([, entry]) => !semver.satisfies('20.19.0', (entry.engines as { node: string }).node))
      .map(([where, entry]) => `${where}@${entry.version} engines ${(entry.engines as { node: string }).node}`);
    expect(refused).toEqual([]);
  });
});
