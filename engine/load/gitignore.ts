// A small .gitignore matcher for `check --all`: comments, `!` negation, `/` anchoring, trailing `/` for folders, `*`, `?`, `**`, `[...]`.

/** One pattern of one .gitignore file, matched against paths relative to that file's folder. */
export interface IgnoreRule {
  /** Absolute folder of the .gitignore, with a trailing '/'. */
  base: string;
  regex: RegExp;
  negate: boolean;
  folderOnly: boolean;
}

function classEnd(pattern: string, start: number): number {
  // `[]...]` and `[!]...]` take the first `]` literally, as fnmatch does.
  let i = start + 1;
  if (pattern[i] === '!' || pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  const end = pattern.indexOf(']', i);
  return end;
}

/** The glob body as a regular expression over '/'-separated relative paths. */
function globSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*' && (i === 0 || glob[i - 1] === '/') && (i + 2 === glob.length || glob[i + 2] === '/')) {
      // `**/` is zero or more folders; a final `/**` is everything inside.
      if (i + 2 === glob.length) out += '.*';
      else out += '(?:.*/)?';
      i += 2;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[' && classEnd(glob, i) > i) {
      const end = classEnd(glob, i);
      let body = glob.slice(i + 1, end);
      const negated = body[0] === '!' || body[0] === '^';
      if (negated) body = body.slice(1);
      out += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else if (c === '\\' && i + 1 < glob.length) {
      out += glob[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return out;
}

/** The rules of one .gitignore's text; `base` is its folder. Lines that cannot be read as a pattern are skipped. */
export function parseGitignore(text: string, base: string): IgnoreRule[] {
  const folder = base.endsWith('/') ? base : base + '/';
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    // Trailing spaces are ignored unless escaped.
    let line = raw.replace(/(?<!\\)\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1);
    if (line.startsWith('\\#') || line.startsWith('\\!')) line = line.slice(1);
    const folderOnly = line.endsWith('/');
    if (folderOnly) line = line.replace(/\/+$/, '');
    // A slash at the start or in the middle anchors the pattern to the .gitignore's folder.
    const anchored = line.includes('/');
    line = line.replace(/^\//, '');
    if (line === '') continue;
    rules.push({ base: folder, regex: new RegExp(`^${anchored ? '' : '(?:.*/)?'}${globSource(line)}$`), negate, folderOnly });
  }
  return rules;
}

/** Whether an absolute '/'-separated path is ignored: the last rule that matches it decides. */
export function isIgnored(rules: readonly IgnoreRule[], path: string, isFolder: boolean): boolean {
  let ignored = false;
  for (const r of rules) {
    if (!path.startsWith(r.base) || (r.folderOnly && !isFolder)) continue;
    if (r.regex.test(path.slice(r.base.length))) ignored = !r.negate;
  }
  return ignored;
}
