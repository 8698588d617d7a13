// The guest pages a translation store's blocks were lifted from: each version of a page's
// code (its 4 KiB and whether it was readable) has an id, and a block names the ids it came
// from. A stored block is valid when memory holds those very bytes now. Comparing a page once
// per run costs less than hashing it, and an exact comparison leaves no room for collisions.

/** A page record's words: length, tag, page word (page number | PAGE_R), then 1,024 words of code. */
export const PAGE_RECORD_WORDS = 3 + 1024;
/** A page word's flag: the page was readable (the lifter inlined literal loads from it). */
export const PAGE_R = 1 << 20;
/**
 * A page whose code has changed this often in a run is not copied again: code rewritten over
 * and over (a guest's own JIT, literal pools written in a loop) is not worth keeping, and each
 * version would be a 4 KiB copy to save and to compare in later runs.
 */
const VOLATILE_WRITES = 3;
/** Most versions of one page a save keeps (the latest first). */
export const MAX_VERSIONS = 4;

export class PageTable {
  /** Earlier runs' pages: id -> record offset in `old`. */
  private readonly oldAt: number[] = [];
  private readonly oldByPage = new Map<number, number[]>();
  /** Pages first seen this run (id = old count + index): page word and contents. */
  private readonly fresh: { pw: number; data: Int32Array }[] = [];
  /** Per page number: the id whose contents memory holds (-1: none), until forget(). */
  private readonly current = new Map<number, number>();
  /** Per page number: how often its code changed this run. */
  private readonly writes = new Map<number, number>();

  /** `mem`: guest memory as words (page p at p * 1024); `old`: a stored file's words. */
  constructor(
    private readonly mem: Int32Array,
    private readonly old: Int32Array,
    private readonly tag: number,
  ) {}

  /** Takes the page record at offset `k` of `old` as the next id. */
  addOld(k: number): void {
    const id = this.oldAt.length;
    this.oldAt.push(k);
    const page = this.old[k + 2] & (PAGE_R - 1);
    let l = this.oldByPage.get(page);
    if (!l) this.oldByPage.set(page, (l = []));
    l.push(id);
  }

  get count(): number {
    return this.oldAt.length + this.fresh.length;
  }

  /** Page `page` may have changed (a write, munmap, mprotect): compare it again when asked. */
  forget(page: number): void {
    if (this.current.delete(page)) this.writes.set(page, (this.writes.get(page) ?? 0) + 1);
  }

  /**
   * The id of the version of the page that memory holds now under page word `pw`; when no id
   * has it, a new one (a copy of the page) if `snapshot` and the page's code has not changed
   * VOLATILE_WRITES times this run, else -1.
   */
  idFor(pw: number, snapshot: boolean): number {
    const page = pw & (PAGE_R - 1);
    let id = this.current.get(page);
    if (id === undefined || (id >= 0 && this.pwOf(id) !== pw)) {
      id = -1;
      for (const c of this.oldByPage.get(page) ?? []) {
        if (this.old[this.oldAt[c] + 2] === pw && this.sameAsMemory(this.oldAt[c] + 3, page)) {
          id = c;
          break;
        }
      }
      this.current.set(page, id);
    }
    if (id < 0 && snapshot && (this.writes.get(page) ?? 0) < VOLATILE_WRITES) {
      id = this.count;
      this.fresh.push({ pw, data: this.mem.slice(page * 1024, page * 1024 + 1024) });
      this.current.set(page, id);
    }
    return id;
  }

  /** The page number of version `id`. */
  pageOf(id: number): number {
    return this.pwOf(id) & (PAGE_R - 1);
  }

  private pwOf(id: number): number {
    return id < this.oldAt.length ? this.old[this.oldAt[id] + 2] : this.fresh[id - this.oldAt.length].pw;
  }

  private sameAsMemory(at: number, page: number): boolean {
    const o = this.old;
    const m = this.mem;
    for (let i = 0, j = page * 1024; i < 1024; i++, j++) if (o[at + i] !== m[j]) return false;
    return true;
  }

  /** The record of page `id`, for a save. */
  record(id: number): Int32Array {
    if (id < this.oldAt.length) return this.old.subarray(this.oldAt[id], this.oldAt[id] + PAGE_RECORD_WORDS);
    const f = this.fresh[id - this.oldAt.length];
    const rec = new Int32Array(PAGE_RECORD_WORDS);
    rec[0] = PAGE_RECORD_WORDS;
    rec[1] = this.tag;
    rec[2] = f.pw;
    rec.set(f.data, 3);
    return rec;
  }
}
