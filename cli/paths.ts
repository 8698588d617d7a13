// Where armvisor's own files are, whether it runs from dist/cli/*.js or the bundle
// dist/armvisor.cjs: everything is found from the repository root.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file holding armvisor's package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'armvisor') return dir;
      } catch {
        /* not ours: keep looking */
      }
    }
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** A file of the compiled tree (dist/...). */
export function distPath(rel: string): string {
  return join(repoRoot(), 'dist', rel);
}
