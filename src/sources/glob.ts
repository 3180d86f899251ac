import { readdir, stat } from 'node:fs/promises';

const WILDCARD = /[*?[]/;

export function hasWildcard(pattern: string): boolean {
  return WILDCARD.test(pattern);
}

/**
 * The paths matching `pattern`, sorted, like Python's `glob.glob`: `*`, `?` and `[abc]` / `[!abc]`
 * match within one path segment, and a wildcard matches a leading dot only when the pattern's
 * segment starts with one. Paths keep the pattern's own prefix (`dir/*` gives `dir/a`).
 */
export async function glob(pattern: string): Promise<string[]> {
  let bases = [pattern.startsWith('/') ? '/' : ''];
  for (const segment of pattern.split('/')) {
    if (segment === '') continue;
    bases = hasWildcard(segment) ? await matchEntries(bases, segment) : bases.map((base) => joinPath(base, segment));
  }
  const existing = await Promise.all(bases.map(async (path) => ((await exists(path)) ? path : undefined)));
  return existing.filter((path): path is string => path !== undefined && path !== '').sort();
}

async function matchEntries(bases: string[], segment: string): Promise<string[]> {
  const matcher = segmentMatcher(segment);
  const matches: string[] = [];
  for (const base of bases) {
    let entries: string[];
    try {
      entries = await readdir(base === '' ? '.' : base);
    } catch {
      continue;
    }
    for (const entry of entries) if (matcher.test(entry)) matches.push(joinPath(base, entry));
  }
  return matches;
}

function segmentMatcher(segment: string): RegExp {
  let source = segment.startsWith('.') ? '' : '(?!\\.)';
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i];
    const classEnd = char === '[' ? segment.indexOf(']', i + 2) : -1;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (classEnd > 0) {
      const members = segment.slice(i + 1, classEnd);
      const negated = members.startsWith('!');
      source += `[${negated ? '^' : ''}${escapeClass(negated ? members.slice(1) : members)}]`;
      i = classEnd;
    } else source += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeClass(members: string): string {
  return members.replace(/[\\\]^]/g, '\\$&');
}

function joinPath(base: string, entry: string): string {
  if (base === '') return entry;
  return base.endsWith('/') ? base + entry : `${base}/${entry}`;
}

async function exists(path: string): Promise<boolean> {
  if (path === '') return false;
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
