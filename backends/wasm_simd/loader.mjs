// The ES-module loader of a .wasm built by fxn for the wasm_simd target (browsers and Node 20.10+).
//
//   import { load } from "./STEM.mjs";
//   const m = await load();                  // or load(url | Response | bytes | WebAssembly.Module)
//   const y = m.predictor(x, 2.5);           // a typed array with y.shape, or a number for a scalar result
//   const [a, b] = m.two_results(x);         // several results: an array of them
//
// The predictors' signatures come from the manifest STEM.json next to this
// file (imported as a JSON module), so the two files and STEM.wasm go
// together. An argument is a typed array of its dtype (shape taken from
// `.shape`, from a 1-D or fully static signature, or inferred from its
// length when one dim is dynamic), `{ data, shape }`, a nested JS array,
// or, for a 0-d parameter, a number (BigInt for i64, boolean for i1).
// Typed arrays: f32 Float32Array, f64 Float64Array, i8 Int8Array, ui8
// Uint8Array (or Uint8ClampedArray), i32 Int32Array, i64 BigInt64Array,
// i1 Uint8Array of 0/1, f16 Float16Array where the engine has it, else a
// Uint16Array of the halves' bits (and so are f16 results).
//
// Each call places the arguments in the module's linear memory through its
// fxn_malloc, calls the memref entry fxn_<name>(results *, arguments *...,
// status *) with 32-bit descriptors {allocated, aligned, offset,
// sizes[rank], strides[rank]}, copies the results out and frees every
// buffer. The entry's status is four int64 {site, value, bound, axis}. A
// failed allocation in the compiled code (the page's or engine's memory
// limit, or a size past 2**30 bytes) throws an AllocationError naming the
// fxn op and source line of the allocation site, as the manifest lists
// them; an index out of bounds (a site of kind "index" in the manifest's
// "sites") throws a RangeError in the words of fxn's IndexError ("f():
// index 5 is out of bounds for axis 0 with size 3 at p.py:4:12"), with
// fields site, index and size (BigInt) and axis; a stored value that does
// not broadcast to its window (kind "broadcast") a RangeError in the words
// of fxn's ValueError, with fields site, size and window (BigInt) and axis;
// int() of a str that is no integer, or beyond the range (kind "literal"),
// a RangeError in the words of fxn's ValueError, with fields site, position
// and length (BigInt) and bits; a wrong argument throws a TypeError naming
// the parameter. (Strings pass as UTF-8 bytes: a Uint8Array; the manifest
// marks str parameters and results "string": true.)

import manifest from @MANIFEST_URL@ with { type: "json" };

/** The manifest of the predictors: signatures, failure sites (allocations, index checks), the target. */
export { manifest };

const WASM_URL = new URL(@WASM_URL@, import.meta.url);
const STATUS_BYTES = 32; // {site, value, bound, axis}: four int64
const LARGEST = 2 ** 31 - 1; // sizes and byte counts are 32-bit signed on wasm32

const DTYPES = {
  f16: { array: typeof Float16Array === "function" ? Float16Array : Uint16Array, bytes: 2 },
  f32: { array: Float32Array, bytes: 4 },
  f64: { array: Float64Array, bytes: 8 },
  i8: { array: Int8Array, bytes: 1 },
  ui8: { array: Uint8Array, bytes: 1, also: [Uint8ClampedArray] },
  i32: { array: Int32Array, bytes: 4 },
  i64: { array: BigInt64Array, bytes: 8 },
  i1: { array: Uint8Array, bytes: 1 },
};

/** A failed allocation in compiled code: `site` is the allocation site's number, `bytes` the size asked for. */
export class AllocationError extends Error {
  constructor(message, site, bytes) {
    super(message);
    this.name = "AllocationError";
    this.site = site;
    this.bytes = bytes;
  }
}

/** The predictors of the module at `source` (default: the .wasm next to this file), as functions. */
export async function load(source = WASM_URL) {
  const instance = await WebAssembly.instantiate(await compile(source), {}); // a Module in, an Instance out
  const api = {};
  for (const predictor of manifest.predictors) {
    api[predictor.name] = (...args) => call(instance.exports, predictor, args);
  }
  return Object.freeze(api);
}

async function compile(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  let response = source;
  if (!(typeof Response === "function" && source instanceof Response)) {
    const url = new URL(source, import.meta.url);
    if (url.protocol === "file:") { // Node: fetch() takes no file: URLs
      const { readFile } = await import("node:fs/promises");
      return WebAssembly.compile(await readFile(url));
    }
    response = await fetch(url);
  }
  if (!response.ok) throw new Error(`cannot fetch ${response.url}: ${response.status} ${response.statusText}`);
  return WebAssembly.compile(await response.arrayBuffer());
}

function call(exports, predictor, args) {
  const { parameters, results } = predictor.signature;
  const name = predictor.name;
  if (args.length !== parameters.length) {
    const names = parameters.map((p) => p.name).join(", ");
    throw new TypeError(`${name}() takes ${parameters.length} argument(s) (${names}), got ${args.length}`);
  }
  const dims = new Map();
  const inputs = parameters.map((parameter, i) => asInput(name, parameter, args[i], dims));
  const heap = new Heap(exports, name);
  try {
    const descriptors = inputs.map((input, i) =>
      heap.descriptor(heap.place(input.bytes, `argument '${parameters[i].name}'`), input.shape));
    const resultBytes = results.reduce((sum, r) => sum + descriptorBytes(r.shape.length), 0);
    const out = heap.place(new Uint8Array(resultBytes), "the results");
    const status = heap.place(new Uint8Array(STATUS_BYTES), "the status");
    exports[predictor.symbols.memref](out, ...descriptors, status);
    const view = new DataView(exports.memory.buffer);
    const [site, value, bound, axis] = [0, 8, 16, 24].map((offset) => view.getBigInt64(status + offset, true));
    if (site !== 0n) throw failureError(predictor, Number(site), value, bound, axis);
    const values = readResults(heap, results, out);
    return values.length === 1 ? values[0] : values;
  } finally {
    heap.release();
  }
}

function descriptorBytes(rank) {
  return 4 * (3 + 2 * rank);
}

/** Blocks of linear memory taken through fxn_malloc for one call, all freed by release(). */
class Heap {
  constructor(exports, name) {
    this.exports = exports;
    this.name = name;
    this.blocks = new Set();
  }

  bytes(address, length) {
    return new Uint8Array(this.exports.memory.buffer, address, length); // the buffer changes when memory grows
  }

  place(bytes, what) {
    const address = this.exports.fxn_malloc(Math.max(1, bytes.length)) >>> 0;
    if (address === 0) {
      throw new AllocationError(`${this.name}(): could not place ${what} (${bytes.length} bytes) in the module's memory`,
                                0, bytes.length);
    }
    this.blocks.add(address);
    this.bytes(address, bytes.length).set(bytes);
    return address;
  }

  descriptor(address, shape) {
    const fields = new Int32Array(3 + 2 * shape.length);
    fields[0] = address;
    fields[1] = address;
    let stride = 1;
    shape.forEach((size, axis) => { fields[3 + axis] = size; });
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      fields[3 + shape.length + axis] = stride;
      stride *= shape[axis];
    }
    return this.place(new Uint8Array(fields.buffer), "a descriptor");
  }

  release() {
    for (const address of this.blocks) this.exports.fxn_free(address);
    this.blocks.clear();
  }
}

function readResults(heap, results, address) {
  const view = new DataView(heap.exports.memory.buffer);
  return results.map((result) => {
    const rank = result.shape.length;
    const allocated = view.getUint32(address, true);
    const aligned = view.getUint32(address + 4, true);
    const offset = view.getInt32(address + 8, true);
    const shape = Array.from({ length: rank }, (_, axis) => view.getInt32(address + 12 + 4 * axis, true));
    address += descriptorBytes(rank);
    heap.blocks.add(allocated); // the result's buffer: freed with the arguments (once if results share it)
    const dtype = DTYPES[result.dtype];
    const count = shape.reduce((n, size) => n * size, 1);
    const copy = heap.bytes(aligned + offset * dtype.bytes, count * dtype.bytes).slice();
    if (result.string) return new TextDecoder("utf-8", { fatal: true }).decode(copy);
    const array = new dtype.array(copy.buffer);
    return result.python_scalar ? scalar(array[0], result.dtype) : Object.assign(array, { shape });
  });
}

function scalar(value, dtype) {
  if (dtype === "i1") return value !== 0;
  if (dtype === "f16" && DTYPES.f16.array === Uint16Array) return halfBitsToNumber(value);
  return value;
}

function halfBitsToNumber(bits) {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (exponent ? (1 + fraction / 1024) * 2 ** (exponent - 15) : (fraction / 1024) * 2 ** -14);
}

/** The error of a status that reports a failure: a RangeError for an index, broadcast or literal site, else an AllocationError. */
function failureError(predictor, site, value, bound, axis) {
  const described = (predictor.sites ?? [])[site - 1];
  const where = described?.file == null ? "(location unknown)"
    : `at ${described.file}:${described.line}:${described.column}`;
  if (described?.kind === "index" && SEQUENCE_INDEX[axis] !== undefined) {
    const message = `${predictor.name}(): ${SEQUENCE_INDEX[axis]} index out of range (index ${value}, length ${bound}) `
      + where;
    return Object.assign(new RangeError(message), { site, index: value, size: bound, axis: Number(axis) });
  }
  if (described?.kind === "index") {
    const message = `${predictor.name}(): index ${value} is out of bounds for axis ${axis} with size ${bound} ${where}`;
    return Object.assign(new RangeError(message), { site, index: value, size: bound, axis: Number(axis) });
  }
  if (described?.kind === "broadcast") {
    const message = `${predictor.name}(): could not broadcast a stored value of size ${value} into a window of size `
      + `${bound} along axis ${axis} ${where}`;
    return Object.assign(new RangeError(message), { site, size: value, window: bound, axis: Number(axis) });
  }
  if (described?.kind === "literal") {
    const message = `${predictor.name}(): ${literalMessage(value, bound, Number(axis))} ${where}`;
    return Object.assign(new RangeError(message), { site, position: value, length: bound, bits: Number(axis) });
  }
  return allocationError(predictor, site, Number(value));
}

/** The axis of an index check of a str's code point (-1) or a list's item (-2): the sequence CPython's message names. */
const SEQUENCE_INDEX = { "-1": "string", "-2": "list" };

/** What a literal site reports (as fxn's Python runtime words it): by its bits, or a negative code. */
function literalMessage(value, bound, bits) {
  if (bits === -1) return `could not convert string to float (a text of ${bound} bytes, not a number from byte ${value})`;
  if (bits === -2) return `format() of a float with ${value} decimals whose digits reach 2**64 (fxn's fixed-point range)`;
  if (bits === -3) return "empty separator";
  if (bits) return `int() of a text beyond the range of a ${bits}-bit int`;
  return `invalid literal for int() with base 10 (a text of ${bound} bytes, not an integer from byte ${value})`;
}

function allocationError(predictor, site, bytes) {
  const where = predictor.allocation_sites[site - 1] ?? `allocation site ${site}`;
  return new AllocationError(`${predictor.name}(): could not allocate ${bytes} bytes for ${where}`, site, bytes);
}

// ------------------------------------------------------------------------ arguments

function asInput(name, parameter, value, dims) {
  const where = `${name}(): argument '${parameter.name}'`;
  if (parameter.string) { // a str: its UTF-8 bytes
    if (typeof value !== "string") throw new TypeError(`${where} must be a string, got ${typeof value}`);
    if (!value.isWellFormed()) throw new TypeError(`${where} has a lone surrogate, which UTF-8 cannot encode`);
    const bytes = new TextEncoder().encode(value);
    return { bytes, shape: [bytes.length] };
  }
  const dtype = DTYPES[parameter.dtype];
  let { data, shape } = typeof value === "object" && value !== null && "data" in value
    ? value : { data: value, shape: value?.shape };
  if (parameter.shape.length === 0 && !ArrayBuffer.isView(data) && !Array.isArray(data)) {
    data = [data];
    shape = [];
  }
  if (Array.isArray(data)) {
    shape = shape ?? nestedShape(data);
    data = convert(data.flat(Infinity), parameter.dtype, where);
  }
  if (!(data instanceof dtype.array) && !(dtype.also ?? []).some((kind) => data instanceof kind)) {
    const got = data?.constructor?.name ?? typeof data;
    throw new TypeError(`${where} must be a ${dtype.array.name} (${parameter.dtype}), got ${got}`);
  }
  shape = Array.from(shape ?? inferShape(where, parameter.shape, data.length));
  checkShape(where, parameter.shape, shape, data.length, dims);
  return { bytes: new Uint8Array(data.buffer, data.byteOffset, data.length * dtype.bytes), shape };
}

function nestedShape(array) {
  const shape = [];
  for (let level = array; Array.isArray(level); level = level[0]) shape.push(level.length);
  return shape;
}

function convert(values, dtype, where) {
  if (dtype === "i64") return BigInt64Array.from(values, (v) => BigInt(v));
  if (dtype === "i1") return Uint8Array.from(values, (v) => (v ? 1 : 0));
  if (dtype === "f16" && DTYPES.f16.array === Uint16Array) {
    throw new TypeError(`${where}: f16 values need a Float16Array, or a Uint16Array of their bits`);
  }
  return DTYPES[dtype].array.from(values, Number);
}

function inferShape(where, declared, length) {
  if (declared.length === 0) return [];
  if (declared.length === 1) return [length];
  const dynamic = declared.filter((size) => typeof size !== "number");
  if (dynamic.length > 1) throw new TypeError(`${where} has several dynamic dims: pass { data, shape }`);
  const known = declared.reduce((n, size) => (typeof size === "number" ? n * size : n), 1);
  if (known ? length % known : length) {
    throw new TypeError(`${where} has ${length} elements, which no shape [${declared.join(", ")}] holds`);
  }
  return declared.map((size) => (typeof size === "number" ? size : known ? length / known : 0));
}

function checkShape(where, declared, shape, length, dims) {
  const text = (s) => `[${s.join(", ")}]`;
  if (shape.length !== declared.length) {
    throw new TypeError(`${where} must have ${declared.length} dim(s) ${text(declared)}, got shape ${text(shape)}`);
  }
  shape.forEach((size, axis) => {
    const wanted = declared[axis];
    if (!Number.isInteger(size) || size < 0 || size > LARGEST) {
      throw new TypeError(`${where}: dim ${axis} is ${size}, not a size wasm32 code takes`);
    }
    if (typeof wanted === "number" && size !== wanted) {
      throw new TypeError(`${where}: dim ${axis} must be ${wanted}, got ${size} (shape ${text(shape)})`);
    }
    if (typeof wanted === "string") {
      const seen = dims.get(wanted);
      if (seen !== undefined && seen.size !== size) {
        throw new TypeError(`${where}: dim ${wanted} is ${size} here but ${seen.size} in ${seen.where}`);
      }
      dims.set(wanted, seen ?? { size, where });
    }
  });
  if (shape.reduce((n, size) => n * size, 1) !== length) {
    throw new TypeError(`${where} has ${length} elements, not the ${shape.reduce((n, s) => n * s, 1)} of shape ${text(shape)}`);
  }
}
