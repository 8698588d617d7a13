// Where a program's translation store (translator/persist/store.ts) lives between runs:
// ${XDG_CACHE_HOME:-~/.cache}/armvisor/translations/<build>/<program>.bin, one file per
// executable (its path, size and modification time) under one folder per armvisor build, since
// another build may lift or generate code differently. The launcher names the build; without
// it (armvisor's code run from its separate modules) there is no store. Errors reading or
// writing the file are ignored: the store only makes later runs faster, and a file that does not
// parse is an empty store.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TranslationStore } from '../../translator/persist/store.js';
import { fnv1a } from '../fnv1a.js';

declare global {
  /** The bundle's build (its file's size and time under this Node), set by the launcher (cli/launch.ts). */
  var __armvisorBuild: string | undefined;
}

/** The folder of every build's stores, for a process with environment `env`. */
export function translationsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache'), 'armvisor', 'translations');
}

export class TranslationFile {
  private constructor(
    readonly file: string,
    /** The file name's prefix naming the program (its path), before its size and time. */
    private readonly program: string,
    readonly store: TranslationStore,
  ) {}

  /**
   * The store kept for `exe` by this build, or an empty one; null when there is no place for it
   * (no build named, the program cannot be read).
   */
  static open(exe: string, words: Int32Array, seed: readonly number[], build = globalThis.__armvisorBuild): TranslationFile | null {
    if (!build) return null;
    let st: fs.Stats;
    try {
      st = fs.statSync(exe);
    } catch {
      return null;
    }
    const abs = path.resolve(exe);
    const program = `${path.basename(abs).replace(/[^\w.-]/g, '_')}-${fnv1a(abs)}-`;
    const file = path.join(translationsDir(), build.replace(/[^\w.-]/g, '_'), `${program}${st.size}-${Math.trunc(st.mtimeMs)}.bin`);
    // Read straight into the words the store keeps (no copy of a file of megabytes).
    let saved: Int32Array | null = null;
    try {
      const fd = fs.openSync(file, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        if (size % 4 === 0) {
          saved = new Int32Array(size / 4);
          if (fs.readSync(fd, new Uint8Array(saved.buffer), 0, size, 0) !== size) saved = null;
        }
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      /* none yet */
    }
    return new TranslationFile(file, program, saved ? TranslationStore.of(saved, words, seed) : TranslationStore.empty(words, seed));
  }

  /** Writes the store if this run added to it (atomically: a concurrent run reads one whole file or the other). */
  save(): void {
    if (!this.store.dirty) return;
    try {
      const dir = path.dirname(this.file);
      if (!fs.existsSync(dir)) {
        // Earlier builds' stores go: one folder per build would pile up.
        const top = path.dirname(dir);
        if (fs.existsSync(top)) for (const d of fs.readdirSync(top)) fs.rmSync(path.join(top, d), { recursive: true, force: true });
        fs.mkdirSync(dir, { recursive: true });
      } else if (!fs.existsSync(this.file)) {
        // So does the store of an earlier version of the program (another size or time).
        for (const f of fs.readdirSync(dir)) if (f.startsWith(this.program) && f.endsWith('.bin')) unlinkQuietly(path.join(dir, f));
      }
      const tmp = `${this.file}.${process.pid}`;
      try {
        fs.writeFileSync(tmp, this.store.serialize());
        fs.renameSync(tmp, this.file);
      } catch (e) {
        unlinkQuietly(tmp);
        throw e;
      }
    } catch {
      /* no store (a full disk, a folder we may not write): later runs translate again */
    }
  }
}

/** Removes a file if it is there. (Not fs.rmSync: any rmSync loads Node's rimraf, ~1 ms of a first run.) */
function unlinkQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    /* gone already, or never written */
  }
}
