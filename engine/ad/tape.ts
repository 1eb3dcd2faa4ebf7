// The fixed core's record: a struct-of-arrays tape of scalar nodes with their first and second partials.
//
// Every node has at most two inputs. Constants never enter the tape: an operation with one constant operand
// is recorded as a unary node in its active operand. The partials are evaluated when the node is recorded,
// so every sweep (gradient, Hessian-vector product, exact Hessian diagonal) reads numbers only and never
// needs the primitives table: adding a primitive never touches the sweeps.

const INITIAL_CAPACITY = 1 << 12;

export class Tape {
  /** Number of nodes recorded. Node ids are 0..size-1 in recording (topological) order. */
  size = 0;
  val: Float64Array;
  /** Input node ids, -1 when absent (independent variables have neither). */
  a: Int32Array;
  b: Int32Array;
  /** ∂node/∂a, ∂node/∂b. */
  da: Float64Array;
  db: Float64Array;
  /** ∂²node/∂a², ∂²node/∂a∂b, ∂²node/∂b². */
  daa: Float64Array;
  dab: Float64Array;
  dbb: Float64Array;
  /** Primitive id of each node (index into the primitives table; VARIABLE for independents). */
  op: Uint16Array;

  constructor(capacity = INITIAL_CAPACITY) {
    this.val = new Float64Array(capacity);
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
    this.da = new Float64Array(capacity);
    this.db = new Float64Array(capacity);
    this.daa = new Float64Array(capacity);
    this.dab = new Float64Array(capacity);
    this.dbb = new Float64Array(capacity);
    this.op = new Uint16Array(capacity);
  }

  /** Drop every node but keep the buffers: first touches of fresh pages are expensive, so tapes are reused. */
  reset(): void {
    this.size = 0;
  }

  private grow(): void {
    const cap = this.val.length * 2;
    const growF = (x: Float64Array) => {
      const y = new Float64Array(cap);
      y.set(x);
      return y;
    };
    const growI = (x: Int32Array) => {
      const y = new Int32Array(cap);
      y.set(x);
      return y;
    };
    this.val = growF(this.val);
    this.a = growI(this.a);
    this.b = growI(this.b);
    this.da = growF(this.da);
    this.db = growF(this.db);
    this.daa = growF(this.daa);
    this.dab = growF(this.dab);
    this.dbb = growF(this.dbb);
    const op = new Uint16Array(cap);
    op.set(this.op);
    this.op = op;
  }

  /** An independent variable. */
  variable(value: number, op: number): number {
    if (this.size === this.val.length) this.grow();
    const i = this.size++;
    this.val[i] = value;
    this.a[i] = -1;
    this.b[i] = -1;
    this.da[i] = 0;
    this.db[i] = 0;
    this.daa[i] = 0;
    this.dab[i] = 0;
    this.dbb[i] = 0;
    this.op[i] = op;
    return i;
  }

  /** A node with one input `a`: value, ∂/∂a, ∂²/∂a². */
  unary(op: number, value: number, a: number, da: number, daa: number): number {
    if (this.size === this.val.length) this.grow();
    const i = this.size++;
    this.val[i] = value;
    this.a[i] = a;
    this.b[i] = -1;
    this.da[i] = da;
    this.db[i] = 0;
    this.daa[i] = daa;
    this.dab[i] = 0;
    this.dbb[i] = 0;
    this.op[i] = op;
    return i;
  }

  /** A node with two inputs; `a` and `b` may be the same node (x*x), which every sweep handles. */
  binary(op: number, value: number, a: number, b: number, da: number, db: number, daa: number, dab: number, dbb: number): number {
    if (this.size === this.val.length) this.grow();
    const i = this.size++;
    this.val[i] = value;
    this.a[i] = a;
    this.b[i] = b;
    this.da[i] = da;
    this.db[i] = db;
    this.daa[i] = daa;
    this.dab[i] = dab;
    this.dbb[i] = dbb;
    this.op[i] = op;
    return i;
  }
}
