// Matrix products of the stand-in (mmul, this·diag(s)·thisᵀ, Kronecker), recorded as chains of ≤2-input multiply-adds in ml-matrix's order.

import { acc, dotStrided, emptyStorage, type Entries, type Storage } from './kernels';
import { binaryRecorders, recorded } from '../ops';

/** a · b, each entry Σ_k a_ik b_kj accumulated from 0 over k. */
export function mmulEntries(a: Entries, b: Entries): Storage {
  const { rows: m, columns: n } = a;
  const p = b.columns;
  const out = emptyStorage(m, p);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < p; j++) {
      dotStrided(a.__values, a.__ids, i * n, 1, b.__values, b.__ids, j, p, n);
      out.values[i * p + j] = acc.v;
      out.ids[i * p + j] = acc.id;
    }
  }
  return out;
}

/**
 * a · scaledᵀ where scaled is a with its columns scaled (ml-matrix's mmulByTranspose): symmetric, so each pair
 * (i, j), (j, i) is one recorded sum shared by both entries.
 */
export function symmetricProductEntries(a: Entries, scaled: Entries): Storage {
  const { rows: m, columns: n } = a;
  const out = emptyStorage(m, m);
  for (let j = 0; j < m; j++) {
    for (let i = j; i < m; i++) {
      dotStrided(a.__values, a.__ids, i * n, 1, scaled.__values, scaled.__ids, j * n, 1, n);
      out.values[i * m + j] = out.values[j * m + i] = acc.v;
      out.ids[i * m + j] = out.ids[j * m + i] = acc.id;
    }
  }
  return out;
}

/** a ⊗ b: block (i, j) is a_ij · b. */
export function kroneckerEntries(a: Entries, b: Entries): Storage {
  const { rows: m, columns: n } = a;
  const { rows: p, columns: q } = b;
  const out = emptyStorage(m * p, n * q);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const x = i * n + j;
      for (let k = 0; k < p; k++) {
        for (let l = 0; l < q; l++) {
          const y = k * q + l;
          const r = (p * i + k) * n * q + q * j + l;
          out.ids[r] = binaryRecorders.mul(a.__values[x], a.__ids[x], b.__values[y], b.__ids[y]);
          out.values[r] = recorded[0];
        }
      }
    }
  }
  return out;
}
