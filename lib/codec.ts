/**
 * The cohort value encoding (see include/cohort/value.hpp for the byte
 * layout): how task arguments, futures and results cross between
 * TypeScript and C++.
 * @packageDocumentation
 */

/** A value that can cross the TS/C++ boundary. */
export type Value =
  undefined | null | boolean | number | bigint | string | Value[] | { [key: string]: Value } | ArrayBufferView;

const TAG = {
  undefined: 0,
  null: 1,
  false: 2,
  true: 3,
  number: 4,
  bigint: 5,
  string: 6,
  array: 7,
  object: 8,
  typed: 9,
} as const;

type TypedCtor =
  | Float64ArrayConstructor
  | Float32ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor
  | Uint8ClampedArrayConstructor;

const ELEMENT_CTORS: TypedCtor[] = [
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
  BigInt64Array,
  BigUint64Array,
  Uint8ClampedArray,
];

function elementKind(v: ArrayBufferView): number {
  for (let k = 0; k < ELEMENT_CTORS.length; k++) {
    if (v instanceof ELEMENT_CTORS[k]) return k;
  }
  return -1;
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

function describe(v: unknown): string {
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  if (v instanceof DataView) return 'a DataView';
  if (v !== null && typeof v === 'object')
    return `an instance of ${(v as object).constructor?.name ?? 'an unknown class'}`;
  return typeof v;
}

/** Raised when a value cannot be encoded; names where it was found. */
export class EncodeError extends TypeError {
  constructor(where: string, value: unknown) {
    super(
      `cannot encode ${where} (${describe(value)}): expected undefined, null, boolean, number, bigint, ` +
        'string, array, plain object or typed array',
    );
    this.name = 'EncodeError';
  }
}

class Writer {
  buf = new Uint8Array(256);
  view = new DataView(this.buf.buffer);
  len = 0;

  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }
  u32(n: number): void {
    this.reserve(4);
    this.view.setUint32(this.len, n, true);
    this.len += 4;
  }
  f64(n: number): void {
    this.reserve(8);
    this.view.setFloat64(this.len, n, true);
    this.len += 8;
  }
  i64(n: bigint): void {
    this.reserve(8);
    this.view.setBigInt64(this.len, n, true);
    this.len += 8;
  }
  str(s: string): void {
    const bytes = utf8.encode(s);
    this.u32(bytes.length);
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }
  bytes(src: Uint8Array): void {
    this.reserve(src.length);
    this.buf.set(src, this.len);
    this.len += src.length;
  }
}

function write(w: Writer, v: unknown, where: string, depth: number): void {
  if (depth > 64) throw new TypeError(`cannot encode ${where}: nested more than 64 levels (is it circular?)`);
  switch (typeof v) {
    case 'undefined':
      w.u8(TAG.undefined);
      return;
    case 'boolean':
      w.u8(v ? TAG.true : TAG.false);
      return;
    case 'number':
      w.u8(TAG.number);
      w.f64(v);
      return;
    case 'bigint':
      if (v < -(2n ** 63n) || v >= 2n ** 63n)
        throw new RangeError(`cannot encode ${where}: bigint ${v} is outside the int64 range`);
      w.u8(TAG.bigint);
      w.i64(v);
      return;
    case 'string':
      w.u8(TAG.string);
      w.str(v);
      return;
    case 'object': {
      if (v === null) {
        w.u8(TAG.null);
        return;
      }
      if (Array.isArray(v)) {
        w.u8(TAG.array);
        w.u32(v.length);
        for (let i = 0; i < v.length; i++) write(w, v[i], `${where}[${i}]`, depth + 1);
        return;
      }
      if (ArrayBuffer.isView(v)) {
        const kind = elementKind(v);
        if (kind < 0) throw new EncodeError(where, v);
        const t = v as unknown as { length: number; BYTES_PER_ELEMENT: number };
        w.u8(TAG.typed);
        w.u8(kind);
        w.u32(t.length);
        w.reserve(8);
        while (w.len % 8 !== 0) w.buf[w.len++] = 0;
        w.bytes(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
        return;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) throw new EncodeError(where, v);
      const keys = Object.keys(v);
      w.u8(TAG.object);
      w.u32(keys.length);
      for (const k of keys) {
        w.str(k);
        write(w, (v as Record<string, unknown>)[k], `${where}.${k}`, depth + 1);
      }
      return;
    }
    default:
      throw new EncodeError(where, v);
  }
}

/** Encodes one value; `where` names it in errors ("argument 2 of task 'x'"). */
export function encode(v: unknown, where = 'value'): Uint8Array {
  const w = new Writer();
  write(w, v, where, 0);
  return w.buf.subarray(0, w.len);
}

// Scratch buffer for encodings handed straight to the native side, which
// copies them: launches then allocate no JS memory for their arguments.
const scratch = new Writer();
const EMPTY_ARGS = new Uint8Array([TAG.array, 0, 0, 0, 0]);

/**
 * Encodes a task's argument list (an array value). With `transient`, the
 * result is a view of a shared scratch buffer, valid until the next call.
 */
export function encodeArgs(args: readonly unknown[], task: string, transient = false): Uint8Array {
  if (args.length === 0) return EMPTY_ARGS;
  const w = transient ? scratch : new Writer();
  w.len = 0;
  w.u8(TAG.array);
  w.u32(args.length);
  for (let i = 0; i < args.length; i++) write(w, args[i], `argument ${i} of task '${task}'`, 1);
  return w.buf.subarray(0, w.len);
}

class Reader {
  readonly view: DataView;
  pos = 0;
  /** Where the encoding being read starts (typed-array padding is relative to it) and ends. */
  base = 0;
  end: number;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.end = buf.length;
  }
  need(n: number): void {
    if (this.pos + n > this.end) throw new RangeError('cohort value: truncated buffer');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  i64(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }
  str(): string {
    const n = this.u32();
    this.need(n);
    const s = utf8d.decode(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
}

function read(r: Reader): Value {
  const tag = r.u8();
  switch (tag) {
    case TAG.undefined:
      return undefined;
    case TAG.null:
      return null;
    case TAG.false:
      return false;
    case TAG.true:
      return true;
    case TAG.number:
      return r.f64();
    case TAG.bigint:
      return r.i64();
    case TAG.string:
      return r.str();
    case TAG.array: {
      const n = r.u32();
      const out: Value[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = read(r);
      return out;
    }
    case TAG.object: {
      const n = r.u32();
      const out: { [key: string]: Value } = {};
      for (let i = 0; i < n; i++) {
        const k = r.str();
        // Own data properties, always: assigning "__proto__" would replace
        // the object's prototype instead.
        if (k === '__proto__')
          Object.defineProperty(out, k, { value: read(r), writable: true, enumerable: true, configurable: true });
        else out[k] = read(r);
      }
      return out;
    }
    case TAG.typed: {
      const kind = r.u8();
      const count = r.u32();
      const Ctor = ELEMENT_CTORS[kind];
      if (!Ctor) throw new RangeError(`cohort value: unknown typed array element kind ${kind}`);
      r.pos = r.base + ((r.pos - r.base + 7) & ~7);
      const bytes = count * Ctor.BYTES_PER_ELEMENT;
      r.need(bytes);
      // Copy so the result owns aligned memory independent of the buffer.
      const copy = Uint8Array.prototype.slice.call(r.buf, r.pos, r.pos + bytes);
      r.pos += bytes;
      return new Ctor(copy.buffer, 0, count);
    }
    default:
      throw new RangeError(`cohort value: unknown tag ${tag}`);
  }
}

/** Decodes one value. */
export function decode(bytes: Uint8Array): Value {
  const r = new Reader(bytes);
  return read(r);
}

/**
 * Decodes many encodings laid out in one buffer (a drain's task arguments)
 * through one view of it.
 */
export class BufferDecoder {
  private readonly r: Reader;
  constructor(bytes: Uint8Array) {
    this.r = new Reader(bytes);
  }
  /** The value encoded in bytes [start, end). */
  decode(start: number, end: number): Value {
    const r = this.r;
    r.pos = r.base = start;
    r.end = end;
    return read(r);
  }
}
