// One report per leaf of a tree (or of several wrt paths), each like a report over one array-like, for every per-shape view.
import { flatValues, multiIndex, nest } from '../shape';
import type { Check, Nested, Report } from '../types';

/** A report whose wrt is one array-like: `shape` is number[], `gradient`/`hessianDiagonal` nested arrays. */
export type LeafReport = Omit<Report, 'shape' | 'gradient' | 'hessianDiagonal' | 'hessianDiagonalStdError'> & {
  shape: number[];
  gradient: Nested;
  hessianDiagonal: Nested;
  hessianDiagonalStdError?: Nested;
};

/**
 * The report itself when its wrt is one array-like; else one report per leaf, with `wrt` the leaf's path, its shape,
 * its values, and the checks' mismatches, references, kinks and step sweeps of its entries (indices inside the leaf).
 */
export function leafReports(report: Report): LeafReport[] {
  if (!report.leaves) return [report as LeafReport];
  return report.leaves.map((leaf) => {
    const inLeaf = (k: number) => k >= leaf.offset && k < leaf.offset + leaf.size;
    const local = (k: number) => multiIndex(leaf.shape, k - leaf.offset);
    const part = (v: Nested | undefined) => v === undefined ? undefined : nest(leaf.shape, flatValues(v).slice(leaf.offset, leaf.offset + leaf.size));
    const keyed = (v: Report['gradient'] | undefined) => (v as Record<string, Nested> | undefined)?.[leaf.path];
    const checks = report.checks.map((c): Check => {
      const mismatches = c.mismatches.filter((m) => inLeaf(m.index[0])).map((m) => ({ ...m, index: local(m.index[0]) }));
      const { reference, errorEstimate, supplied, ...rest } = c;
      return {
        ...rest,
        mismatches,
        mismatchCount: c.mismatchCount <= c.mismatches.length ? mismatches.length : c.mismatchCount,
        ...(reference !== undefined ? { reference: part(reference) } : {}),
        ...(errorEstimate !== undefined ? { errorEstimate: part(errorEstimate) } : {}),
        ...(supplied !== undefined ? { supplied: part(supplied) } : {}),
        ...(c.kinks ? { kinks: c.kinks.map((k) => ({ ...k, entries: k.entries.filter((e) => inLeaf(e[0])).map((e) => local(e[0])) })) } : {}),
      };
    });
    const stdError = keyed(report.hessianDiagonalStdError);
    const { leaves: _all, hessianDiagonalStdError: _keyed, ...rest } = report;
    return {
      ...rest,
      wrt: leaf.path,
      shape: leaf.shape,
      gradient: keyed(report.gradient)!,
      hessianDiagonal: keyed(report.hessianDiagonal)!,
      ...(stdError !== undefined ? { hessianDiagonalStdError: stdError } : {}),
      checks,
      kinks: report.kinks.map((k) => ({ ...k, entries: k.entries.filter((e) => inLeaf(e[0])).map((e) => local(e[0])) })).filter((k) => k.entries.length > 0),
      stepSweeps: report.stepSweeps.filter((s) => inLeaf(s.index[0])).map((s) => ({ ...s, index: local(s.index[0]) })),
    };
  });
}
