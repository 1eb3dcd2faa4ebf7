// The layering rule, read from the real import graph: imports run down (ground floor ← ad ← load/check ← sandbox ← the rest), never up or sideways.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as ts from 'typescript';

const root = path.resolve(__dirname, '../../..');

/** The engine's ground floor: every layer imports these, and they import only each other. */
const groundFloor = ['types', 'shape', 'numbers', 'random', 'evaluator', 'tree', 'paths', 'directive-tags'].map((n) => `engine/${n}.ts`);

/** What the editor may use of the engine: the ground floor, the report's words and the host API it loads. */
const publicForExtension = (target: string) => groundFloor.includes(target) || target.startsWith('engine/report/') || target === 'engine/host-api.ts';

interface Edge {
  from: string;
  /** A repository path for a relative import, else the module name ('vscode', 'node:fs'). */
  to: string;
}

/** The layer a repository file belongs to: 'ground', 'engine/ad', 'engine/load', …, 'engine' (its top-level files), 'extension', 'bench'. */
function layerOf(file: string): string {
  if (groundFloor.includes(file)) return 'ground';
  const parts = file.split('/');
  if (parts[0] === 'engine') return parts.length > 2 ? `engine/${parts[1]}` : 'engine';
  return parts[0];
}

/** For each engine layer, the layers it must not import. */
const forbidden: Record<string, string[]> = {
  'engine/ad': ['engine/load', 'engine/check', 'engine/sandbox', 'engine/report', 'engine/live', 'engine', 'extension'],
  'engine/load': ['engine/check', 'engine/sandbox', 'engine/report', 'engine/live', 'engine', 'extension'],
  'engine/check': ['engine/load', 'engine/sandbox', 'engine/report', 'engine/live', 'engine', 'extension'],
  'engine/sandbox': ['engine/report', 'engine/live', 'engine', 'extension'],
  'engine/report': ['engine/ad', 'engine/load', 'engine/check', 'engine/sandbox', 'engine/live', 'extension'],
  'engine/live': ['extension'],
  engine: ['extension'],
};

/** Why an import breaks the rule, or undefined when it keeps it. */
function violation({ from, to }: Edge): string | undefined {
  const source = layerOf(from);
  const inRepo = !/^(node:|[@a-z])/.test(to) || /^(engine|extension|bench|test|examples)\//.test(to);
  if (!inRepo) return source.startsWith('engine') || source === 'ground' ? (to === 'vscode' ? 'the engine never imports vscode' : undefined) : undefined;
  const target = layerOf(to);
  if (source === 'ground') return target === 'ground' ? undefined : 'the ground floor imports only the ground floor';
  if (forbidden[source]?.includes(target)) return `${source} must not import ${target}`;
  if (source === 'extension' && to.startsWith('engine/') && !publicForExtension(to)) return 'the extension uses the engine through its ground floor, engine/report and engine/host-api.ts only';
  return undefined;
}

/** Every import (static, dynamic, require, `import()` types) of every TypeScript file of engine/, extension/ and bench/. */
function importGraph(): Edge[] {
  const files = execFileSync('git', ['ls-files', 'engine', 'extension', 'bench'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f.endsWith('.ts'));
  return files.flatMap((from) =>
    ts.preProcessFile(fs.readFileSync(path.join(root, from), 'utf8'), true, true).importedFiles.map(({ fileName }) => {
      if (!fileName.startsWith('.')) return { from, to: fileName };
      const resolved = path.relative(root, path.resolve(root, path.dirname(from), fileName));
      return { from, to: fs.existsSync(path.join(root, `${resolved}.ts`)) ? `${resolved}.ts` : fs.existsSync(path.join(root, resolved, 'index.ts')) ? `${resolved}/index.ts` : resolved };
    }),
  );
}

test('the rule itself: each kind of import against the layering is caught, imports that keep it are not', () => {
  // [from, to, breaks the rule]
  const cases: [string, string, boolean][] = [
    ['engine/ad/tape.ts', 'engine/check/checks.ts', true],
    ['engine/ad/tape.ts', 'engine/sandbox/realm.ts', true],
    ['engine/load/bundle.ts', 'engine/check/checks.ts', true],
    ['engine/load/bundle.ts', 'engine/sandbox/protocol.ts', true],
    ['engine/run.ts', 'extension/format.ts', true],
    ['engine/report/text.ts', 'vscode', true],
    ['engine/shape.ts', 'engine/ad/tape.ts', true],
    ['engine/types.ts', 'engine/run.ts', true],
    ['extension/format.ts', 'engine/check/compare.ts', true],
    ['engine/ad/differentiate.ts', 'engine/evaluator.ts', false],
    ['engine/load/rewrite.ts', 'engine/ad/js/operators.ts', false],
    ['engine/sandbox/evaluate.ts', 'engine/check/checks.ts', false],
    ['engine/shape.ts', 'engine/types.ts', false],
    ['extension/format.ts', 'engine/report/text.ts', false],
    ['extension/extension.ts', 'vscode', false],
  ];
  const judged = cases.map(([from, to]) => [from, to, violation({ from, to }) !== undefined]);
  assert.deepEqual(judged, cases);
});

test('no import in engine/, extension/ or bench/ runs against the layering', () => {
  const graph = importGraph();
  assert.ok(graph.length > 300, `the graph was read (${graph.length} imports)`);
  assert.deepEqual(graph.flatMap((e) => (violation(e) ? [`${e.from} → ${e.to}: ${violation(e)}`] : [])), []);
});
