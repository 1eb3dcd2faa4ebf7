// Operation sequences run unchanged on the real ml-matrix and on the stand-in, for the semantics comparison in matrix.test.ts.

/** The Matrix class under test (real or stand-in), used untyped exactly as user JavaScript would. */
export type AnyMatrixClass = any;

const A = [
  [1.5, -2, 3.25],
  [4, 0.5, -6],
];
const B = [
  [0.3, 1.7, -2.2],
  [5, -0.25, 1e-3],
];
const S = [
  [2, -1, 0.5],
  [0.25, 3, -2],
  [1, 4, 0.75],
];

/** Each case returns named outputs; identities (`x === y`) are compared as booleans, matrices by their entries. */
export const semanticsCases: [string, (M: AnyMatrixClass) => Record<string, unknown>][] = [
  ['constructors', (M) => ({ fromArray: new M(A), zeros: new M(2, 3), copy: new M(new M(A)), empty: new M(0, 0), fromTyped: new M([Float64Array.from([1, 2])]) })],
  ['constructor errors', (M) => ({ ragged: () => new M([[1, 2], [3]]), nonNumeric: () => new M([[1, 'x']]), bad: () => new M('x'), badColumns: () => new M(2, -1) })],
  ['statics', (M) => ({ zeros: M.zeros(2, 2), ones: M.ones(2, 3), eye: M.eye(3), eyeRect: M.eye(2, 3, 5), identity: M.identity(2), diag: M.diag([1, 2, 3]), diagRect: M.diagonal([1, 2], 3, 4), from1D: M.from1DArray(2, 3, [1, 2, 3, 4, 5, 6]), row: M.rowVector([1, 2]), col: M.columnVector([3, 4]), isMatrix: M.isMatrix(new M(A)), isNotMatrix: M.isMatrix([[1]]), min: M.min(new M(A), new M(B)), max: M.max(A, B), badFrom1D: () => M.from1DArray(2, 2, [1]) })],
  ['shape', (M) => { const m = new M(A); return { rows: m.rows, columns: m.columns, size: m.size, isRow: m.isRowVector(), isCol: m.isColumnVector(), isVec: m.isVector(), isSquare: m.isSquare(), isEmpty: m.isEmpty(), sym: new M(S).isSymmetric(), sym2: M.eye(3).isSymmetric() }; }],
  ['get/set', (M) => { const m = new M(A); const r = m.set(1, 2, 7.5); return { same: r === m, m, g: m.get(0, 1), g2: m.get(1, 2) }; }],
  ['add/sub/mul/div in place, scalar and matrix', (M) => {
    const m = new M(A);
    const outs: Record<string, unknown> = {};
    outs.sameAdd = m.add(2) === m;
    outs.sameSubM = m.sub(new M(B)) === m;
    outs.sameMul = m.mul(-1.5) === m;
    outs.sameDivM = m.div(B) === m;
    outs.m = m;
    outs.subtract = new M(A).subtract(1);
    outs.multiply = new M(A).multiply(new M(B));
    outs.divide = new M(A).divide(3);
    outs.addS = new M(A).addS(1);
    outs.mulM = new M(A).mulM(B);
    outs.mod = new M(A).mod(1.25);
    outs.modM = new M(A).modulus(new M(B));
    outs.dims = () => new M(A).add(new M(S));
    return outs;
  }],
  ['statics copy, the argument is untouched', (M) => {
    const m = new M(A);
    const r = M.add(m, 1);
    return { r, notSame: r !== m, m, sub: M.sub(m, B), mul: M.mul(A, 2), div: M.div(m, m), fromArray: M.exp(A), subtract: M.subtract(m, 1), multiply: M.multiply(m, m), divide: M.divide(m, 4) };
  }],
  ['elementwise Math, in place and static', (M) => {
    const p = new M([[0.5, 1.5, 2.5], [0.1, 0.9, 3]]);
    const u = new M([[0.5, -0.25, 0.75], [0.1, -0.9, 0]]);
    const out: Record<string, unknown> = {};
    for (const f of ['abs', 'exp', 'log', 'sqrt', 'expm1', 'log1p', 'log10', 'log2', 'sin', 'cos', 'tan', 'sinh', 'cosh', 'tanh', 'asinh', 'atan', 'cbrt', 'sign', 'floor', 'ceil', 'round', 'trunc']) {
      const m = p.clone();
      out[`${f}Same`] = m[f]() === m;
      out[f] = m;
      out[`${f}Static`] = M[f](u);
    }
    for (const f of ['asin', 'acos', 'atanh']) out[f] = M[f](u);
    out.acosh = M.acosh(new M([[1.5, 2, 10]]));
    out.p = p;
    return out;
  }],
  ['pow', (M) => { const m = new M([[1.5, 2, 0.5]]); return { same: m.pow(2) === m, m, half: M.pow(m, 0.5), neg: M.pow([[-2, -3]], 3), powM: new M([[2, 3]]).pow(new M([[0.5, 2]])), powS: new M([[2, 3]]).powS(-1) }; }],
  ['neg', (M) => { const m = new M(A); return { same: m.neg() === m, m, negate: new M(B).negate(), zero: new M([[0]]).neg() }; }],
  ['sums and means', (M) => { const m = new M(A); return { sum: m.sum(), row: m.sum('row'), col: m.sum('column'), mean: m.mean(), meanRow: m.mean('row'), meanCol: m.mean('column'), product: m.product(), productRow: m.product('row'), productCol: m.product('column'), bad: () => m.sum('diagonal'), emptySum: new M(0, 0).sum() }; }],
  ['max/min', (M) => { const m = new M(A); return { max: m.max(), min: m.min(), maxRow: m.max('row'), minCol: m.min('column'), maxIndex: m.maxIndex(), minIndex: m.minIndex(), maxRow1: m.maxRow(1), minRow0: m.minRow(0), maxCol: m.maxColumn(2), minCol2: m.minColumn(2), maxRowIndex: m.maxRowIndex(0), minRowIndex: m.minRowIndex(1), maxColIndex: m.maxColumnIndex(1), minColIndex: m.minColumnIndex(0), emptyMax: new M(0, 0).max(), ties: new M([[3, 3], [1, 3]]).maxIndex(), emptyIndex: () => new M(0, 0).maxIndex() }; }],
  ['rows and columns', (M) => {
    const m = new M(S);
    return { row: m.getRow(1), col: m.getColumn(2), rowVec: m.getRowVector(0), colVec: m.getColumnVector(1), setRow: m.clone().setRow(0, [9, 8, 7]), setCol: m.clone().setColumn(1, new M([[1], [2], [3]])), swapRows: m.clone().swapRows(0, 2), swapCols: m.clone().swapColumns(0, 1), bad: () => m.getRow(3), badVec: () => m.clone().setRow(0, [1, 2]), flipRows: m.clone().flipRows(), flipCols: new M(A).flipColumns() };
  }],
  ['row and column vector ops', (M) => {
    const out: Record<string, unknown> = {};
    for (const f of ['addRowVector', 'subRowVector', 'mulRowVector', 'divRowVector']) {
      const m = new M(A);
      out[`${f}Same`] = m[f]([2, -4, 0.5]) === m;
      out[f] = m;
    }
    for (const f of ['addColumnVector', 'subColumnVector', 'mulColumnVector', 'divColumnVector']) out[f] = new M(A)[f](new M([[3], [-0.5]]));
    out.mulRow = new M(A).mulRow(1, 3);
    out.mulColumn = new M(A).mulColumn(2, -2);
    out.badRowVector = () => new M(A).addRowVector([1, 2]);
    return out;
  }],
  ['products', (M) => {
    const a = new M(A);
    const s = new M(S);
    return { mmul: a.mmul(s), mmulArray: a.mmul(S), gram: a.gram(), tmul: a.transposeMultiply(new M(B)), mbt: a.mmulByTranspose(), mbtScaled: a.mmulByTranspose([1, 2, 0.5]), mpow: s.mpow(5), mpow0: s.mpow(0), kron: a.kroneckerProduct(new M([[1, 2], [3, 4]])), ksum: new M([[1, 2], [3, 4]]).kroneckerSum(M.eye(2)), dot: a.dot(new M(B)), dotArray: new M([[1, 2, 3]]).dot([4, 5, 6]), badDot: () => a.dot([1]), trace: s.trace(), traceRect: a.trace(), norm: a.norm(), normF: a.norm('frobenius'), normMax: a.norm('max'), badNorm: () => a.norm('l1') };
  }],
  ['rearrangements', (M) => {
    const s = new M(S);
    return { t: s.transpose(), tRect: new M(A).transpose(), sub: s.subMatrix(1, 2, 0, 1), subBad: () => s.subMatrix(0, 3, 0, 1), subArgs: () => s.subMatrix(0, 1, 0), subRow: s.subMatrixRow([2, 0], 1), subCol: s.subMatrixColumn([2, 2, 0], 1, 2), sel: s.selection([0, 2], [1]), setSub: s.clone().setSubMatrix([[9, 9], [8, 8]], 1, 1), setSubBad: () => s.clone().setSubMatrix([[9, 9], [8, 8]], 2, 2), repeat: new M(A).repeat({ rows: 2, columns: 3 }), repeatBad: () => new M(A).repeat({ rows: 0 }), concatRow: new M(A).concat(new M(B)), concatCol: new M(A).concat(S.slice(0, 2), 'column'), diag: s.diag(), diagonal: new M(A).diagonal(), cumsum: new M(A).cumulativeSum(), fill: new M(A).fill(4), clone: s.clone(), cloneNotSame: s.clone() !== s };
  }],
  ['structure changes', (M) => ({ removeRow: new M(S).removeRow(1), addRow: new M(S).addRow(1, [7, 8, 9]), addRowEnd: new M(S).addRow([7, 8, 9]), removeColumn: new M(S).removeColumn(0), addColumn: new M(S).addColumn(1, [7, 8, 9]), addColumnEnd: new M(S).addColumn([7, 8, 9]) })],
  ['sorting', (M) => ({ rows: new M(S).sortRows(), cols: new M(S).sortColumns(), desc: new M(S).sortRows((a: number, b: number) => b - a) })],
  ['arrays out', (M) => { const m = new M(A); return { oneD: m.to1DArray(), twoD: m.to2DArray(), json: JSON.stringify(m), entries: [...m.entries()], values: [...m.values()], iter: [...m] }; }],
  ['apply', (M) => { const m = new M(A); const seen: number[][] = []; const r = m.apply(function (this: { get(i: number, j: number): number; set(i: number, j: number, v: number): void }, i: number, j: number) { seen.push([i, j]); this.set(i, j, this.get(i, j) * 2 + i); }); return { same: r === m, m, seen, along: new M(A).applyAlongAxis((v: number[], i: number) => v.length + i, 'column') }; }],
  ['statistics', (M) => {
    const m = new M(S);
    return { variance: m.variance(), biased: m.variance({ unbiased: false }), row: m.variance('row'), col: m.variance('column', { mean: [1, 2, 3] }), std: m.standardDeviation(), stdRow: m.standardDeviation('row'), stdCol: m.standardDeviation('column', { unbiased: false }), badMean: () => m.variance('row', { mean: 2 }), badUnbiased: () => m.variance({ unbiased: 1 }), center: new M(S).center(), centerRow: new M(A).center('row'), centerCol: new M(A).center('column', { center: [1, 2, 3] }), centerSame: m.center() === m, scale: new M(S).scale(), scaleRow: new M(A).scale('row'), scaleCol: new M(A).scale('column'), scaleGiven: new M(A).scale({ scale: 2 }), badScale: () => new M(A).scale('row', { scale: 2 }), badBy: () => m.variance('diagonal') };
  }],
  ['passive fallbacks through the real library', (M) => ({ echelon: new M(S).echelonForm(), bitAnd: new M([[5, 6]]).and(3), kronSum: new M(S).isEchelonForm(), toString: new M(A).toString(), scaleRows: new M(A).scaleRows() })],
];
