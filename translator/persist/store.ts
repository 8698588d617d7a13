// The translation store: lifted blocks and tier-1 modules kept from earlier runs of a program,
// so a later run neither lifts nor generates code for what it finds there, and compiles a page
// an earlier run compiled when it first reaches it instead of interpreting it until it is hot.
// The first run of a program is as before. A block is valid while memory holds the page
// contents it was lifted from (pages.ts). Each block record has an id, kept from save to save;
// a module lists the ids of the blocks it was generated from, and is used only when each of
// them is that very record, found valid this run, cut where it was cut then: code generation
// would then be given the same IR and make the same bytes. The store is words in memory
// (`serialize`, `TranslationStore.parse`); where they live on disk is the runtime's business
// (runtime/linux/transcache.ts).

import { IRBlock, OP_WORDS } from '../ir.js';
import { blockKey } from '../cache.js';
import type { CodeSource } from '../lift/block.js';
import { MAX_VERSIONS, PAGE_R, PAGE_RECORD_WORDS, PageTable } from './pages.js';

const MAGIC = 0x43545641; // 'AVTC'
/** Bumped whenever a record's layout changes (the build id covers the translator's own changes). */
const VERSION = 5;
const TAG_BLOCK = 1;
const TAG_MODULE = 2;
const TAG_PAGE = 3;
/** Past this many words (64 MiB), a save keeps only this run's records. */
const MAX_WORDS = 16 << 20;

/** Module bytes and their slow-path site table (module.ts buildModule's result). */
export interface StoredModule {
  bytes: Uint8Array<ArrayBuffer>;
  sites: Int32Array;
}

/**
 * What a module was compiled from, so a later run can compile the same batch as soon as one
 * of its blocks is first reached: the number of regions, then for each its own blocks' count,
 * its guests' count and LAYOUT_WORDS per block: pc, thumb | ITSTATE << 1, the end of the block
 * as compiled (regions cut blocks short at each other's entries) and its record's id.
 */
export type BatchLayout = Int32Array;
const LAYOUT_WORDS = 4;

/** A block record's or a layout's flags word for a block: thumb | ITSTATE << 1 (usesVfp << 9 in a record). */
export function blockFlags(thumb: boolean, it: number): number {
  return (thumb ? 1 : 0) | (it << 1);
}

/** The block key (cache.ts blockKey) of a pc and flags word (blockFlags). */
function keyOf(pc: number, flags: number): number {
  return blockKey(pc >>> 0, (flags & 1) !== 0, (flags >>> 1) & 0xff);
}

/**
 * Walks the layout (BatchLayout) in w[at, end): calls `f` with the index of each block's words
 * (pc, flags, end, record id), its region's number and whether it is one of that region's own
 * blocks, and stops when `f` returns false. Returns the index just past the layout, or -1 when
 * its counts do not fit in [at, end) or `f` stopped.
 */
export function walkLayout(w: ArrayLike<number>, at: number, end: number, f: (j: number, region: number, own: boolean) => boolean | void): number {
  if (at >= end) return -1;
  let j = at + 1;
  for (let r = 0; r < w[at]; r++) {
    if (j + 2 > end) return -1;
    const own = w[j];
    const n = own + w[j + 1];
    j += 2;
    if (own < 1 || n < own || j + n * LAYOUT_WORDS > end) return -1;
    for (let i = 0; i < n; i++, j += LAYOUT_WORDS) if (f(j, r, i < own) === false) return -1;
  }
  return j;
}

/** A stored module: its batch's layout, and its bytes when they can be read. */
export interface StoredBatch {
  layout: BatchLayout;
  module(): StoredModule | undefined;
}

/** What a run took from the store and added to it. */
export interface StoreStats {
  blocksFound: number;
  blocksAdded: number;
  modulesAdded: number;
}

/** `n` words of `w` from `at` as a plain array (Array.from on a typed array iterates: slower in cold code). */
function copyOut(w: Int32Array, at: number, n: number): number[] {
  // Holey, unlike the lifter's packed arrays (ir.ts zeros): filled by push instead, later runs
  // measured 3-9% slower (md5sum 72 -> 83 ms), more than the second elements kind costs.
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = w[at + i];
  return out;
}

/** A malformed store: its words are not used at all. */
class BadStore extends Error {}

/**
 * Block record: length, TAG_BLOCK, the save that last saw it used (USED), id, pc, thumb |
 * ITSTATE << 1 | usesVfp << 9, ninsns, end, ntemps, nops, the number of pages (1, or 2 for a
 * Thumb-2 instruction across a page end), their page ids, the number of CALL argument lists,
 * each as its length and words, then the ops.
 */
const USED = 2;
const B_ID = 3;
const B_PC = 4;
const B_FLAGS = 5;
const B_NINSNS = 6;
const B_END = 7;
const B_NTEMPS = 8;
const B_NOPS = 9;
const B_PAGES = 10;
/** Header: MAGIC, VERSION, the number of saves so far, the next block id, the seed's length, the seed. */
const H_SAVES = 2;
const H_NEXT_ID = 3;
const H_SEED = 4;
/**
 * A record not used by any of the runs behind the last KEEP_SAVES saves is dropped: a store
 * shared by many programs (busybox's applets are one executable) keeps their recent working
 * sets, not everything any of them ever ran. A run that used records this many saves old
 * saves even if it added nothing, to keep them.
 */
const KEEP_SAVES = 8;
const REFRESH_SAVES = 4;

/**
 * Module record: length, TAG_MODULE, USED, the layout's length, the layout (BatchLayout), the
 * number of slow-path sites, the sites, the number of bytes, the bytes (padded to a word).
 */
const M_LAYOUT = 3;

export class TranslationStore {
  private readonly pages: PageTable;
  /** Earlier runs' blocks: block key -> record offset in `old`. */
  private readonly blocks = new Map<number, number>();
  /** Earlier runs' modules (record offsets). */
  private readonly modules: number[] = [];
  /** Earlier runs' modules by the key of each of their regions' own blocks (not guests). */
  private readonly batches = new Map<number, number>();
  /** Blocks lifted this run, with their ids and the ids of the pages they came from. */
  private readonly fresh: { b: IRBlock; id: number; pages: number[] }[] = [];
  private readonly freshModules: Int32Array[] = [];
  /** The record id of each block this store gave out or took this run. */
  private readonly ids = new WeakMap<IRBlock, number>();
  private nextId = 0;
  /** This run's save: one more than the saves before it. */
  private save = 1;
  /** Earlier runs' records (offsets) this run used. */
  private readonly used = new Set<number>();
  /** Some record used this run was last used REFRESH_SAVES saves ago or more. */
  private stale = false;
  readonly stats: StoreStats = { blocksFound: 0, blocksAdded: 0, modulesAdded: 0 };

  /**
   * `words`: the guest's flat memory as 32-bit words (user mode); `seed`: what else code
   * generation depends on (the JIT target's layout): a store made under another seed is empty;
   * `old`: a stored file's words.
   */
  private constructor(
    words: Int32Array,
    private readonly seed: readonly number[],
    private readonly old: Int32Array,
  ) {
    this.pages = new PageTable(words, old, TAG_PAGE);
  }

  /** An empty store. */
  static empty(words: Int32Array, seed: readonly number[]): TranslationStore {
    return new TranslationStore(words, seed, new Int32Array(0));
  }

  /** The store in `bytes` (a saved one), or an empty store when they are not one. */
  static parse(bytes: Uint8Array, words: Int32Array, seed: readonly number[]): TranslationStore {
    if (bytes.length < 8 || bytes.length % 4 !== 0) return TranslationStore.empty(words, seed);
    const copy = new Int32Array(bytes.length / 4);
    new Uint8Array(copy.buffer).set(bytes);
    return TranslationStore.of(copy, words, seed);
  }

  /** The store in `saved` (a saved one's words, which the store keeps), or an empty store when they are not one. */
  static of(saved: Int32Array, words: Int32Array, seed: readonly number[]): TranslationStore {
    const s = new TranslationStore(words, seed, saved);
    try {
      s.index();
    } catch (e) {
      if (!(e instanceof BadStore)) throw e;
      return TranslationStore.empty(words, seed);
    }
    return s;
  }

  /** Indexes the records of `old`; throws BadStore when they do not add up. */
  private index(): void {
    const w = this.old;
    const seed = this.seed;
    if (w.length < H_SEED + 1 + seed.length || w[0] !== MAGIC || w[1] !== VERSION || w[H_SEED] !== seed.length) throw new BadStore();
    for (let i = 0; i < seed.length; i++) if (w[H_SEED + 1 + i] !== (seed[i] | 0)) throw new BadStore();
    this.nextId = w[H_NEXT_ID];
    this.save = w[H_SAVES] + 1;
    for (let k = H_SEED + 1 + seed.length; k < w.length; ) {
      const len = w[k];
      if (len < 3 || k + len > w.length) throw new BadStore();
      switch (w[k + 1]) {
        case TAG_PAGE:
          if (len !== PAGE_RECORD_WORDS || w[k + 2] >>> 21 !== 0) throw new BadStore();
          this.pages.addOld(k);
          break;
        case TAG_BLOCK: {
          if (len < B_PAGES + 3 || w[k + B_ID] < 0 || w[k + B_ID] >= this.nextId) throw new BadStore();
          this.blocks.set(keyOf(w[k + B_PC], w[k + B_FLAGS]), k);
          break;
        }
        case TAG_MODULE:
          this.indexBatch(k, k + M_LAYOUT + 1, k + M_LAYOUT + 1 + w[k + M_LAYOUT], k + len);
          this.modules.push(k);
          break;
        default:
          throw new BadStore();
      }
      k += len;
    }
  }

  /** Indexes the own blocks of the layout in w[at, end) of the module record at k. */
  private indexBatch(k: number, at: number, end: number, recEnd: number): void {
    const w = this.old;
    if (end + 2 > recEnd) throw new BadStore();
    const past = walkLayout(w, at, end, (j, _r, own) => {
      if (own) this.batches.set(keyOf(w[j], w[j + 1]), k);
    });
    if (past !== end) throw new BadStore();
  }

  /** Did this run add anything a save would keep, or use records a save should keep on? */
  get dirty(): boolean {
    return this.fresh.length > 0 || this.freshModules.length > 0 || this.stale;
  }

  /** Notes that this run used the earlier record at k. */
  private use(k: number): void {
    this.used.add(k);
    if (this.save - this.old[k + USED] >= REFRESH_SAVES) this.stale = true;
  }

  /** Is the earlier record at k still kept: used this run or by the runs of the last KEEP_SAVES saves? */
  private recent(k: number): boolean {
    return this.used.has(k) || this.save - this.old[k + USED] < KEEP_SAVES;
  }

  /** The page's code was written, unmapped or reprotected: compare it again when next asked. */
  forgetPage(page: number): void {
    this.pages.forget(page);
  }

  /**
   * The page word (number and readability) of `page` as `src` now sees it, or -1 when the page
   * is not executable. Asking marks the page as holding code, as a fetch by the lifter does, so
   * a later write to it drops the block.
   */
  private pageWord(src: CodeSource, page: number): number {
    if (src.fetch16(page * 4096) < 0) return -1;
    return page | (src.literal?.(page * 4096, 1) !== undefined ? PAGE_R : 0);
  }

  /** The record id of a block this store gave out (block) or took (add), else -1. */
  idOf(b: IRBlock): number {
    return this.ids.get(b) ?? -1;
  }

  /** The block stored for (pc, thumb, it) when memory holds the code it was lifted from, else null. */
  block(pc: number, thumb: boolean, it: number, src: CodeSource): IRBlock | null {
    const key = blockKey(pc, thumb, it);
    const k = this.blocks.get(key);
    if (k === undefined) return null;
    const w = this.old;
    const end = k + w[k];
    const npages = w[k + B_PAGES];
    let j = k + B_PAGES + 1;
    if (npages < 1 || npages > 2 || j + npages + 1 > end) return this.drop(key);
    for (let i = 0; i < npages; i++, j++) {
      const id = w[j];
      const pw = this.pageWord(src, (pc >>> 12) + i);
      if (pw < 0 || id < 0 || id >= this.pages.count || this.pages.idFor(pw, false) !== id) return this.drop(key);
    }
    const ncall = w[j++];
    const callArgs: number[][] = [];
    for (let i = 0; i < ncall; i++) {
      const n = w[j++];
      if (n < 0 || j + n > end) return this.drop(key);
      callArgs.push(copyOut(w, j, n));
      j += n;
    }
    const nops = w[k + B_NOPS];
    if (nops < 0 || j + nops * OP_WORDS !== end) return this.drop(key);
    const b = new IRBlock(pc, thumb, it, copyOut(w, j, nops * OP_WORDS), nops, callArgs, w[k + B_NTEMPS], w[k + B_NINSNS], w[k + B_END] >>> 0);
    b.usesVfp = (w[k + B_FLAGS] & (1 << 9)) !== 0;
    this.ids.set(b, w[k + B_ID]);
    this.use(k);
    this.stats.blocksFound++;
    return b;
  }

  private drop(key: number): null {
    this.blocks.delete(key);
    return null;
  }

  /**
   * Keeps a block just lifted (user mode, default lift options) for later runs. Blocks whose
   * translation depends on a fetch that failed are not kept: one on a page that is not
   * executable, and a Thumb block ending at the last halfword of a page (its next instruction
   * may be a 32-bit one whose second half could not be fetched). The IR builder stores int32
   * values only (ir.ts), which the records keep as they are.
   */
  add(b: IRBlock, src: CodeSource): void {
    if (b.thumb && (b.end & 0xfff) === 0xffe) return;
    const p0 = b.pc >>> 12;
    const p1 = b.end > b.pc ? ((b.end - 1) >>> 0) >>> 12 : p0;
    const pages: number[] = [];
    for (let p = p0; p <= p1; p++) {
      const pw = this.pageWord(src, p);
      const id = pw < 0 ? -1 : this.pages.idFor(pw, true);
      if (id < 0) return;
      pages.push(id);
    }
    this.blocks.delete(blockKey(b.pc, b.thumb, b.itstate));
    const id = this.nextId++;
    this.ids.set(b, id);
    this.fresh.push({ b, id, pages });
    this.stats.blocksAdded++;
  }

  /**
   * The stored module with a region that holds (pc, thumb, it) as its own block, once per
   * module (one asked for is not offered again, whether or not it could be used).
   */
  batchFor(pc: number, thumb: boolean, it: number): StoredBatch | undefined {
    const k = this.batches.get(blockKey(pc, thumb, it));
    if (k === undefined) return undefined;
    const w = this.old;
    const layout = w.subarray(k + M_LAYOUT + 1, k + M_LAYOUT + 1 + w[k + M_LAYOUT]);
    walkLayout(layout, 0, layout.length, (j, _r, own) => {
      if (own) this.batches.delete(keyOf(layout[j], layout[j + 1]));
    });
    return { layout, module: () => this.moduleAt(k) };
  }

  /** The bytes and sites of the module record at k, or undefined when they do not add up. */
  private moduleAt(k: number): StoredModule | undefined {
    const w = this.old;
    const end = k + w[k];
    let j = k + M_LAYOUT + 1 + w[k + M_LAYOUT];
    const nsites = w[j++];
    if (nsites < 0 || j + nsites + 1 > end) return undefined;
    const sites = w.slice(j, j + nsites);
    j += nsites;
    const nbytes = w[j++];
    if (nbytes < 8 || j + ((nbytes + 3) >> 2) !== end) return undefined;
    const bytes = new Uint8Array(nbytes);
    bytes.set(new Uint8Array(w.buffer, j * 4, nbytes));
    this.use(k);
    return { bytes, sites };
  }

  /** Keeps a module just built from the batch `layout` for later runs (unless the store has that batch already). */
  addModule(m: StoredModule, layout: BatchLayout): void {
    for (const k of this.modules) if (this.sameLayout(k, layout)) return;
    const nw = (m.bytes.length + 3) >> 2;
    const at = M_LAYOUT + 1 + layout.length;
    const rec = new Int32Array(at + 2 + m.sites.length + nw);
    rec[0] = rec.length;
    rec[1] = TAG_MODULE;
    rec[USED] = this.save;
    rec[M_LAYOUT] = layout.length;
    rec.set(layout, M_LAYOUT + 1);
    rec[at] = m.sites.length;
    rec.set(m.sites, at + 1);
    rec[at + 1 + m.sites.length] = m.bytes.length;
    new Uint8Array(rec.buffer, (at + 2 + m.sites.length) * 4, m.bytes.length).set(m.bytes);
    this.freshModules.push(rec);
    this.stats.modulesAdded++;
  }

  /** Is the layout of the module record at k `layout`? */
  private sameLayout(k: number, layout: BatchLayout): boolean {
    const w = this.old;
    if (w[k + M_LAYOUT] !== layout.length) return false;
    for (let i = 0; i < layout.length; i++) if (w[k + M_LAYOUT + 1 + i] !== layout[i]) return false;
    return true;
  }

  /** Does every block the layout of the module record at `k` of `rec` names have its record in `saved`? */
  private static complete(rec: Int32Array, k: number, saved: Set<number>): boolean {
    const at = k + M_LAYOUT + 1;
    return walkLayout(rec, at, at + rec[k + M_LAYOUT], (j) => saved.has(rec[j + 3])) >= 0;
  }

  /**
   * The words of a store holding this run's records and the earlier ones still valid as far
   * as this run knows (all of them, unless the whole would pass MAX_WORDS), with the pages
   * their blocks name, renumbered in the order they are first named, and the modules all of
   * whose blocks are kept.
   */
  serialize(): Uint8Array {
    const pageOut = new Map<number, number>();
    const pageList: number[] = [];
    const pageId = (id: number): number => {
      let n = pageOut.get(id);
      if (n === undefined) {
        pageOut.set(id, (n = pageList.length));
        pageList.push(id);
      }
      return n;
    };
    const w = this.old;
    const keepOld = w.length + this.fresh.length * 64 <= MAX_WORDS;
    // Blocks are kept, this run's first, while the pages they name stay within MAX_VERSIONS
    // versions of each page.
    const versions = new Map<number, number>();
    const fits = (ids: ArrayLike<number>): boolean => {
      for (let i = 0; i < ids.length; i++) {
        if (!(ids[i] >= 0 && ids[i] < this.pages.count)) return false;
        const p = this.pages.pageOf(ids[i]);
        if (!pageOut.has(ids[i]) && (versions.get(p) ?? 0) >= MAX_VERSIONS) return false;
      }
      for (let i = 0; i < ids.length; i++) {
        if (pageOut.has(ids[i])) continue;
        const p = this.pages.pageOf(ids[i]);
        versions.set(p, (versions.get(p) ?? 0) + 1);
        pageId(ids[i]);
      }
      return true;
    };
    const fresh = this.fresh.filter((f) => fits(f.pages));
    const oldBlocks = keepOld ? [...this.blocks.values()].filter((k) => this.recent(k) && fits(w.subarray(k + B_PAGES + 1, k + B_PAGES + 1 + w[k + B_PAGES]))) : [];
    const saved = new Set<number>();
    for (const k of oldBlocks) saved.add(w[k + B_ID]);
    for (const f of fresh) saved.add(f.id);
    const oldModules = keepOld ? this.modules.filter((k) => this.recent(k) && TranslationStore.complete(w, k, saved)) : [];
    const newModules = this.freshModules.filter((r) => TranslationStore.complete(r, 0, saved));
    // Sizes first, so every record is written once, in place.
    let total = H_SEED + 1 + this.seed.length;
    for (const k of [...oldBlocks, ...oldModules]) total += w[k];
    for (const { b, pages } of fresh) {
      total += B_PAGES + 2 + pages.length + b.nops * OP_WORDS;
      for (const a of b.callArgs) total += 1 + a.length;
    }
    for (const r of newModules) total += r.length;
    total += pageList.length * PAGE_RECORD_WORDS;
    const out = new Int32Array(total);
    out[0] = MAGIC;
    out[1] = VERSION;
    out[H_SAVES] = this.save;
    out[H_NEXT_ID] = this.nextId;
    out[H_SEED] = this.seed.length;
    out.set(this.seed, H_SEED + 1);
    let at = H_SEED + 1 + this.seed.length;
    for (const id of pageList) {
      out.set(this.pages.record(id), at);
      at += PAGE_RECORD_WORDS;
    }
    for (const k of oldBlocks) {
      out.set(w.subarray(k, k + w[k]), at);
      for (let i = 0; i < w[k + B_PAGES]; i++) out[at + B_PAGES + 1 + i] = pageOut.get(w[k + B_PAGES + 1 + i])!;
      if (this.used.has(k)) out[at + USED] = this.save;
      at += w[k];
    }
    for (const k of oldModules) {
      out.set(w.subarray(k, k + w[k]), at);
      if (this.used.has(k)) out[at + USED] = this.save;
      at += w[k];
    }
    for (const { b, id, pages } of fresh) {
      const start = at;
      out[at + 1] = TAG_BLOCK;
      out[at + USED] = this.save;
      out[at + B_ID] = id;
      out[at + B_PC] = b.pc | 0;
      out[at + B_FLAGS] = blockFlags(b.thumb, b.itstate) | (b.usesVfp ? 1 << 9 : 0);
      out[at + B_NINSNS] = b.ninsns;
      out[at + B_END] = b.end | 0;
      out[at + B_NTEMPS] = b.ntemps;
      out[at + B_NOPS] = b.nops;
      out[at + B_PAGES] = pages.length;
      at += B_PAGES + 1;
      for (const id of pages) out[at++] = pageOut.get(id)!;
      out[at++] = b.callArgs.length;
      for (const a of b.callArgs) {
        out[at++] = a.length;
        out.set(a, at);
        at += a.length;
      }
      const m = b.nops * OP_WORDS;
      out.set(b.code.length === m ? b.code : b.code.slice(0, m), at);
      at += m;
      out[start] = at - start;
    }
    for (const r of newModules) {
      out.set(r, at);
      at += r.length;
    }
    return new Uint8Array(out.buffer);
  }
}
