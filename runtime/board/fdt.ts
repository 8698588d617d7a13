// Flattened device tree blobs (Devicetree Specification v0.4, chapter 5; DTB version 17, last
// compatible version 16): a tree of nodes with properties, a writer producing the blob Linux
// reads at boot, and a parser for user-supplied blobs (--dtb, a zImage's appended DTB) that
// refuses anything malformed with a one-line FdtError.

export const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_NOP = 4;
const FDT_END = 9;
const HEADER_SIZE = 40;
const VERSION = 17;
const LAST_COMP_VERSION = 16;

/** A blob the parser refuses; the message is one line meant for the user. */
export class FdtError extends Error {}

/** A memory reservation block entry. */
export interface FdtReservation {
  address: bigint;
  size: bigint;
}

const utf8 = new TextEncoder();
const latin = new TextDecoder('latin1');

function beCells(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setUint32(4 * i, v >>> 0));
  return out;
}

function toBig(v: number | bigint): bigint {
  const b = typeof v === 'bigint' ? v : BigInt(v);
  if (b < 0n || b >= 1n << 64n) throw new RangeError(`${v} does not fit in 64 bits`);
  return b;
}

/** A device tree node: properties in insertion order, then children. */
export class FdtNode {
  readonly props = new Map<string, Uint8Array>();
  readonly children: FdtNode[] = [];

  constructor(
    readonly name: string,
    readonly parent: FdtNode | null = null,
  ) {}

  /** The child named `name` (unit address included), created if absent. */
  child(name: string): FdtNode {
    const found = this.children.find((c) => c.name === name);
    if (found) return found;
    const c = new FdtNode(name, this);
    this.children.push(c);
    return c;
  }

  /** The node at a '/'-separated path below this one, or undefined. */
  find(path: string): FdtNode | undefined {
    let n: FdtNode | undefined = this;
    for (const part of path.split('/').filter((p) => p !== '')) {
      n = n.children.find((c) => c.name === part) ?? n.children.find((c) => c.name.split('@')[0] === part);
      if (!n) return undefined;
    }
    return n;
  }

  /** The absolute path of this node. */
  path(): string {
    if (!this.parent) return '/';
    const up = this.parent.path();
    return up === '/' ? `/${this.name}` : `${up}/${this.name}`;
  }

  // ---- setters (each returns this, for chaining) ----
  bytes(name: string, value: Uint8Array): this {
    this.props.set(name, value.slice());
    return this;
  }
  empty(name: string): this {
    return this.bytes(name, new Uint8Array(0));
  }
  u32(name: string, value: number): this {
    return this.bytes(name, beCells([value]));
  }
  u32s(name: string, values: readonly number[]): this {
    return this.bytes(name, beCells(values));
  }
  u64(name: string, value: number | bigint): this {
    const b = toBig(value);
    return this.bytes(name, beCells([Number(b >> 32n), Number(b & 0xffffffffn)]));
  }
  string(name: string, value: string): this {
    return this.strings(name, [value]);
  }
  strings(name: string, values: readonly string[]): this {
    for (const v of values) if (v.includes('\0')) throw new RangeError(`property ${name}: a string may not contain NUL`);
    return this.bytes(name, utf8.encode(values.map((v) => v + '\0').join('')));
  }
  /** Gives this node a phandle (a new one unless it has one) and returns it. */
  phandle(): number {
    const have = this.getU32('phandle');
    if (have !== undefined) return have;
    let root: FdtNode = this;
    while (root.parent) root = root.parent;
    let max = 0;
    const scan = (n: FdtNode): void => {
      const p = n.getU32('phandle');
      if (p !== undefined && p !== 0xffffffff) max = Math.max(max, p);
      n.children.forEach(scan);
    };
    scan(root);
    this.u32('phandle', max + 1);
    return max + 1;
  }

  // ---- getters (undefined when absent or of the wrong size) ----
  get(name: string): Uint8Array | undefined {
    return this.props.get(name);
  }
  getU32(name: string): number | undefined {
    const v = this.props.get(name);
    return v && v.length === 4 ? new DataView(v.buffer, v.byteOffset).getUint32(0) : undefined;
  }
  getU32s(name: string): number[] | undefined {
    const v = this.props.get(name);
    if (!v || v.length % 4 !== 0) return undefined;
    const dv = new DataView(v.buffer, v.byteOffset, v.length);
    return Array.from({ length: v.length / 4 }, (_, i) => dv.getUint32(4 * i));
  }
  getU64(name: string): bigint | undefined {
    const v = this.props.get(name);
    return v && v.length === 8 ? new DataView(v.buffer, v.byteOffset).getBigUint64(0) : undefined;
  }
  getStrings(name: string): string[] | undefined {
    const v = this.props.get(name);
    if (!v || v.length === 0 || v[v.length - 1] !== 0) return undefined;
    return new TextDecoder().decode(v.subarray(0, v.length - 1)).split('\0');
  }
  getString(name: string): string | undefined {
    return this.getStrings(name)?.[0];
  }
}

/** A whole device tree: the root node, the memory reservations and the boot CPU. */
export class Fdt {
  readonly root = new FdtNode('');
  reservations: FdtReservation[] = [];
  bootCpuidPhys = 0;

  reserve(address: number | bigint, size: number | bigint): this {
    this.reservations.push({ address: toBig(address), size: toBig(size) });
    return this;
  }
}

// ---------------------------------------------------------------- writer

/** The DTB (version 17) of a tree. */
export function writeFdt(fdt: Fdt): Uint8Array {
  const strings: number[] = [];
  const stringOff = new Map<string, number>();
  const nameOff = (name: string): number => {
    let off = stringOff.get(name);
    if (off === undefined) {
      off = strings.length;
      stringOff.set(name, off);
      for (const b of utf8.encode(name)) strings.push(b);
      strings.push(0);
    }
    return off;
  };
  const st: number[] = []; // the structure block's bytes
  const u32 = (v: number): void => {
    st.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  };
  const pad = (): void => {
    while (st.length % 4) st.push(0);
  };
  const emit = (n: FdtNode, isRoot: boolean): void => {
    if (!isRoot && (n.name === '' || n.name.includes('/') || n.name.includes('\0'))) throw new RangeError(`bad node name '${n.name}'`);
    u32(FDT_BEGIN_NODE);
    for (const b of utf8.encode(n.name)) st.push(b);
    st.push(0);
    pad();
    for (const [name, value] of n.props) {
      if (name === '' || name.includes('\0')) throw new RangeError(`bad property name '${name}'`);
      u32(FDT_PROP);
      u32(value.length);
      u32(nameOff(name));
      for (const b of value) st.push(b);
      pad();
    }
    for (const c of n.children) emit(c, false);
    u32(FDT_END_NODE);
  };
  emit(fdt.root, true);
  u32(FDT_END);

  const rsvOff = align(HEADER_SIZE, 8);
  const rsvSize = 16 * (fdt.reservations.length + 1);
  const structOff = rsvOff + rsvSize;
  const stringsOff = structOff + st.length;
  const total = stringsOff + strings.length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  [FDT_MAGIC, total, structOff, stringsOff, rsvOff, VERSION, LAST_COMP_VERSION, fdt.bootCpuidPhys, strings.length, st.length].forEach((v, i) => dv.setUint32(4 * i, v >>> 0));
  fdt.reservations.forEach((r, i) => {
    dv.setBigUint64(rsvOff + 16 * i, r.address);
    dv.setBigUint64(rsvOff + 16 * i + 8, r.size);
  });
  out.set(st, structOff);
  out.set(strings, stringsOff);
  return out;
}

function align(v: number, a: number): number {
  return Math.ceil(v / a) * a;
}

// ---------------------------------------------------------------- parser

/** Does a device tree blob start at `offset`? */
export function isFdt(bytes: Uint8Array, offset = 0): boolean {
  return offset >= 0 && offset + 4 <= bytes.length && new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0) === FDT_MAGIC;
}

/** The header's totalsize of the blob at `offset` (checked against the bytes available). */
export function fdtTotalSize(bytes: Uint8Array, offset = 0): number {
  if (!isFdt(bytes, offset)) throw new FdtError('not a device tree blob (bad magic)');
  if (offset + 8 > bytes.length) throw new FdtError('device tree blob truncated in its header');
  const total = new DataView(bytes.buffer, bytes.byteOffset + offset, 8).getUint32(4);
  if (total < HEADER_SIZE) throw new FdtError(`device tree blob totalsize ${total} is smaller than its header`);
  if (offset + total > bytes.length) throw new FdtError(`device tree blob truncated: totalsize ${total}, ${bytes.length - offset} bytes present`);
  return total;
}

/** Parses the blob at the start of `input` (bytes after its totalsize are ignored). */
export function parseFdt(input: Uint8Array): Fdt {
  const total = fdtTotalSize(input, 0);
  const b = input.subarray(0, total);
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const h = (i: number): number => dv.getUint32(4 * i);
  const [, , offStruct, offStrings, offRsv, version, lastComp, bootCpu] = [0, 1, 2, 3, 4, 5, 6, 7].map(h);
  if (version < LAST_COMP_VERSION || lastComp > VERSION) throw new FdtError(`unsupported device tree version ${version} (last compatible ${lastComp}); need 16 or 17`);
  const sizeStrings = h(8);
  // Version 16 has no size_dt_struct: the structure block runs to its FDT_END.
  const sizeStruct = version >= VERSION ? h(9) : total - offStruct;
  const within = (what: string, off: number, size: number): void => {
    if (off < HEADER_SIZE - (version >= VERSION ? 0 : 4) || off > total || size > total - off) throw new FdtError(`device tree ${what} block (offset ${off}, size ${size}) lies outside the blob (${total} bytes)`);
  };
  within('structure', offStruct, sizeStruct);
  within('strings', offStrings, sizeStrings);
  if (offStruct % 4) throw new FdtError(`device tree structure block offset ${offStruct} is not 4-byte aligned`);
  if (offRsv % 8) throw new FdtError(`device tree reservation block offset ${offRsv} is not 8-byte aligned`);

  const fdt = new Fdt();
  fdt.bootCpuidPhys = bootCpu;
  // Memory reservation block: (address, size) pairs up to a (0, 0) terminator.
  for (let off = offRsv; ; off += 16) {
    if (off + 16 > total) throw new FdtError('device tree reservation block has no terminating entry');
    const address = dv.getBigUint64(off);
    const size = dv.getBigUint64(off + 8);
    if (address === 0n && size === 0n) break;
    fdt.reservations.push({ address, size });
  }

  const strEnd = offStrings + sizeStrings;
  const stringAt = (nameoff: number): string => {
    const start = offStrings + nameoff;
    if (nameoff >= sizeStrings) throw new FdtError(`device tree property name offset ${nameoff} is outside the strings block (${sizeStrings} bytes)`);
    const end = b.indexOf(0, start);
    if (end < 0 || end >= strEnd) throw new FdtError(`device tree property name at strings offset ${nameoff} is not NUL-terminated`);
    if (end === start) throw new FdtError(`device tree property name at strings offset ${nameoff} is empty`);
    return latin.decode(b.subarray(start, end));
  };

  const sEnd = offStruct + sizeStruct;
  let p = offStruct;
  const word = (what: string): number => {
    if (p + 4 > sEnd) throw new FdtError(`device tree structure block ends inside ${what} at offset ${p}`);
    const v = dv.getUint32(p);
    p += 4;
    return v;
  };
  const stack: FdtNode[] = [];
  let root: FdtNode | null = null;
  for (;;) {
    const tokenAt = p;
    const tok = word('a token');
    if (tok === FDT_NOP) continue;
    if (tok === FDT_BEGIN_NODE) {
      const end = b.indexOf(0, p);
      if (end < 0 || end >= sEnd) throw new FdtError(`device tree node name at offset ${p} is not NUL-terminated`);
      const name = new TextDecoder().decode(b.subarray(p, end));
      p = align(end + 1, 4);
      if (p > sEnd) throw new FdtError(`device tree structure block ends inside a node name at offset ${tokenAt}`);
      if (stack.length === 0) {
        if (root) throw new FdtError(`device tree has a second root node at offset ${tokenAt}`);
        if (name !== '') throw new FdtError(`device tree root node has the name ${JSON.stringify(name)} (must be empty)`);
        root = fdt.root;
        stack.push(root);
      } else {
        if (name === '' || name.includes('/')) throw new FdtError(`device tree node at offset ${tokenAt} has a bad name ${JSON.stringify(name)}`);
        const parent = stack[stack.length - 1];
        const n = new FdtNode(name, parent);
        parent.children.push(n);
        stack.push(n);
      }
    } else if (tok === FDT_END_NODE) {
      if (stack.length === 0) throw new FdtError(`device tree END_NODE at offset ${tokenAt} closes no node`);
      stack.pop();
    } else if (tok === FDT_PROP) {
      if (stack.length === 0) throw new FdtError(`device tree property at offset ${tokenAt} is outside any node`);
      const len = word('a property header');
      const nameoff = word('a property header');
      if (len > sEnd - p) throw new FdtError(`device tree property at offset ${tokenAt} has length ${len}, past the structure block's end`);
      const name = stringAt(nameoff);
      stack[stack.length - 1].props.set(name, b.slice(p, p + len));
      p = align(p + len, 4);
      if (p > sEnd) throw new FdtError(`device tree structure block ends inside a property at offset ${tokenAt}`);
    } else if (tok === FDT_END) {
      if (stack.length !== 0) throw new FdtError(`device tree ends (offset ${tokenAt}) with ${stack.length} node(s) still open`);
      if (!root) throw new FdtError('device tree has no root node');
      return fdt;
    } else {
      throw new FdtError(`device tree has an unknown token 0x${tok.toString(16)} at offset ${tokenAt}`);
    }
  }
}
