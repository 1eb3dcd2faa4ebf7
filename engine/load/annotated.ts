// Finds what `check --all` and the Test Explorer check: the .ts files under folders (honouring .gitignore) and their functions with @dlens- tags.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isIgnored, parseGitignore, type IgnoreRule } from './gitignore';
import { listFunctions, locationAt } from './functions';

/** An annotated function: its name as `--function` takes it, and where its name is. */
export interface AnnotatedFunction {
  name: string;
  file: string;
  line: number;
  column: number;
  nameStart: number;
  nameEnd: number;
}

const posix = (p: string) => p.split(sep).join('/');

function readRules(folder: string): IgnoreRule[] {
  const file = join(folder, '.gitignore');
  if (!existsSync(file)) return [];
  try {
    return parseGitignore(readFileSync(file, 'utf8'), posix(folder));
  } catch {
    return [];
  }
}

/** The .gitignore rules of the folders above `folder` up to its git repository's root (none outside a repository). */
function ancestorRules(folder: string): IgnoreRule[] {
  const chain: string[] = [];
  for (let dir = dirname(folder); ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (existsSync(join(dir, '.git'))) return chain.flatMap(readRules);
    if (dirname(dir) === dir) return [];
  }
}

function walk(folder: string, rules: IgnoreRule[], out: string[]): void {
  const here = [...rules, ...readRules(folder)];
  let names: string[];
  try {
    names = readdirSync(folder).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(folder, name);
    let isFolder: boolean;
    try {
      isFolder = statSync(path).isDirectory();
    } catch {
      continue;
    }
    if (isFolder && (name === 'node_modules' || name === '.git')) continue;
    if (isIgnored(here, posix(path), isFolder)) continue;
    if (isFolder) walk(path, here, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
}

/**
 * The .ts files to check: files named explicitly (whatever .gitignore says), and under each folder every `.ts` file
 * except `.d.ts`, `node_modules`, `.git` and what the .gitignore files of the folder, its subfolders and its
 * repository's folders above it ignore. Sorted and without duplicates. A path that does not exist is an error.
 */
export function collectFiles(paths: string[]): string[] {
  const files = new Set<string>();
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs)) throw new Error(`no such file or folder: ${p}`);
    if (statSync(abs).isDirectory()) {
      const found: string[] = [];
      walk(abs, ancestorRules(abs), found);
      found.forEach((f) => files.add(f));
    } else files.add(abs);
  }
  return [...files].sort();
}

/**
 * Whether `check --all ROOT` would take this file: a `.ts` (not `.d.ts`) file under `root`, outside `node_modules`
 * and `.git`, not ignored by a .gitignore on the way down (the Test Explorer asks this when a file appears or changes).
 */
export function isCollected(file: string, root: string): boolean {
  const rel = relative(root, file);
  if (!file.endsWith('.ts') || file.endsWith('.d.ts') || rel.startsWith('..') || isAbsolute(rel)) return false;
  const parts = rel.split(sep);
  if (parts.some((p) => p === 'node_modules' || p === '.git')) return false;
  let rules = ancestorRules(root);
  let folder = root;
  for (const part of parts.slice(0, -1)) {
    rules = [...rules, ...readRules(folder)];
    folder = join(folder, part);
    if (isIgnored(rules, posix(folder), true)) return false;
  }
  return !isIgnored([...rules, ...readRules(folder)], posix(file), false);
}

/** Whether a doc comment carries at least one `@dlens-` tag. */
const tagged = (doc: string) => /@dlens-/.test(doc);

/** The functions of a module whose doc comment has a @dlens- tag, in source order. */
export function annotatedFunctions(text: string, file: string): AnnotatedFunction[] {
  if (!tagged(text)) return [];
  return listFunctions(text, file)
    .filter((f) => f.docStart !== undefined && tagged(text.slice(f.docStart, f.docEnd)))
    .map((f) => ({ name: f.name, ...locationAt(text, file, f.nameStart), nameStart: f.nameStart, nameEnd: f.nameEnd }));
}
