// Typed arrays for recorded user code: Float64Array and Float32Array that keep derivatives, and integer arrays and DataView that refuse active values.
import { isAD } from '../adnum';
import { unsupported } from '../context';
import { unaryOps, type Scalar } from '../ops';
import { num } from '../runtime';

/** A canonical array index ("0", "17"), the keys a typed array converts stores for. */
function isIndex(key: string | symbol): key is string {
  return typeof key === 'string' && key !== '' && String(Number(key) >>> 0) === key && key !== '4294967295';
}

/** Copies entries in, converting each as a typed array would (ToNumber), keeping active scalars. */
function fillFrom(target: FloatArray, source: Iterable<unknown> | ArrayLike<unknown>, offset = 0): void {
  const items = Symbol.iterator in Object(source) ? Array.from(source as Iterable<unknown>) : Array.from(source as ArrayLike<unknown>);
  if (offset < 0 || offset + items.length > target.length) throw new RangeError('offset is out of bounds');
  for (let k = 0; k < items.length; k++) target[offset + k] = num(items[k]);
}

/**
 * The float typed arrays for user code: Arrays of numbers and active scalars, since a real typed array would store only
 * the value and drop the derivative. `from` and `of` are Array's own, which build through the subclass's constructor.
 */
abstract class FloatArray extends Array<Scalar> {
  protected abstract get bytes(): number;

  constructor(source: number | Iterable<unknown> | ArrayLike<unknown> | ArrayBufferLike = 0, name = 'Float64Array') {
    if (typeof source === 'number') {
      if (!Number.isInteger(source) || source < 0) throw new RangeError('Invalid typed array length: ' + source);
      super(source);
      this.fill(0);
      return;
    }
    if (source instanceof ArrayBuffer || source instanceof SharedArrayBuffer) {
      unsupported(`new ${name}(buffer)`, 'views over a buffer are not supported while differentiating; pass an array or a length');
    }
    super();
    const items = Array.from(source as Iterable<unknown>);
    this.length = items.length;
    fillFrom(this, items);
  }

  get BYTES_PER_ELEMENT(): number {
    return this.bytes;
  }

  get byteLength(): number {
    return this.length * this.bytes;
  }

  override fill(value: unknown, start?: number, end?: number): this {
    return super.fill(num(value), start, end);
  }

  set(source: Iterable<unknown> | ArrayLike<unknown>, offset = 0): void {
    fillFrom(this, source, offset);
  }

  /** A COPY of the range: a real subarray shares memory with its parent, so writes through it would show there but do not here. */
  subarray(begin?: number, end?: number): FloatArray {
    const Species = this.constructor as new (source: unknown[]) => FloatArray;
    return new Species(this.slice(begin, end));
  }
}

/** Float64Array: stores are not coerced (a real one would convert with ToNumber); reads behave the same. */
export class ADFloat64Array extends FloatArray {
  static readonly BYTES_PER_ELEMENT = 8;
  protected get bytes(): number {
    return 8;
  }
}

/** A store into a Float32Array: ToNumber, then rounded to float32 exactly as JavaScript does (Math.fround, derivative 1). */
const toFloat32 = (v: unknown): Scalar => unaryOps.fround(num(v));

const roundingStores: ProxyHandler<any> = {
  set: (t, k, v) => Reflect.set(t, k, isIndex(k) ? toFloat32(v) : v),
  defineProperty: (t, k, d) => Reflect.defineProperty(t, k, isIndex(k) && 'value' in d ? { ...d, value: toFloat32(d.value) } : d),
};

/** Float32Array: every store is rounded to float32 (a proxy sees element writes), and rounding is the identity for derivatives. */
export class ADFloat32Array extends FloatArray {
  static readonly BYTES_PER_ELEMENT = 4;
  protected get bytes(): number {
    return 4;
  }

  constructor(source: number | Iterable<unknown> | ArrayLike<unknown> | ArrayBufferLike = 0) {
    super(source, 'Float32Array');
    for (let k = 0; k < this.length; k++) this[k] = toFloat32(this[k]);
    return new Proxy(this, roundingStores);
  }
}

function refuseActive(name: string, v: unknown): unknown {
  const what = name === 'DataView' ? 'a DataView keeps bytes' : 'an integer array keeps integers';
  if (isAD(v)) unsupported(`${name} store`, `${what}, not derivatives, and this value depends on the differentiated input; use a Float64Array or a plain array`);
  return v;
}

type TypedArrayClass = new (...args: any[]) => any;

/** An integer typed array class that refuses active values: element stores through a proxy, fill/set/constructor by checking their arguments. */
function guardedIntegerArray(Base: TypedArrayClass, name: string): TypedArrayClass {
  const checkAll = (source: unknown) => {
    if (source !== null && typeof source === 'object' && !ArrayBuffer.isView(source) && !(source instanceof ArrayBuffer)) {
      for (const v of Array.from(source as ArrayLike<unknown>)) refuseActive(name, v);
    }
  };
  const handler: ProxyHandler<any> = {
    set: (t, k, v) => Reflect.set(t, k, isIndex(k) ? refuseActive(name, v) : v),
    // Native methods and getters need the typed array itself as `this`, not the proxy.
    get: (t, k) => {
      const v = Reflect.get(t, k);
      return typeof v === 'function' && k !== 'constructor' ? v.bind(t) : v;
    },
  };
  const Guarded = class extends Base {
    constructor(...args: any[]) {
      checkAll(args[0]);
      super(...args);
      return new Proxy(this, handler);
    }
    fill(v: unknown, ...rest: unknown[]) {
      return super.fill(refuseActive(name, v), ...rest);
    }
    set(source: ArrayLike<unknown>, offset?: number) {
      checkAll(source);
      return super.set(source, offset);
    }
  };
  Object.defineProperty(Guarded, 'name', { value: name });
  return Guarded;
}

/** DataView whose set* methods refuse an active value. */
function guardedDataView(): TypedArrayClass {
  const NativeDataView: new (buffer: ArrayBufferLike, byteOffset?: number, byteLength?: number) => DataView = globalThis.DataView;
  const Guarded = class DataView extends NativeDataView {};
  for (const key of Object.getOwnPropertyNames(globalThis.DataView.prototype)) {
    if (!key.startsWith('set')) continue;
    const native = (globalThis.DataView.prototype as any)[key] as (...a: unknown[]) => unknown;
    Object.defineProperty(Guarded.prototype, key, {
      value(this: DataView, offset: unknown, value: unknown, ...rest: unknown[]) {
        return native.call(this, offset, refuseActive('DataView', value), ...rest);
      },
      writable: true,
      configurable: true,
    });
  }
  return Guarded as unknown as TypedArrayClass;
}

const integerArrays = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array'] as const;

/** The recording realm's integer typed arrays and DataView, by global name. */
export function guardedTypedArrays(): Record<string, TypedArrayClass> {
  const out: Record<string, TypedArrayClass> = { DataView: guardedDataView() };
  for (const name of integerArrays) out[name] = guardedIntegerArray((globalThis as any)[name], name);
  return out;
}
