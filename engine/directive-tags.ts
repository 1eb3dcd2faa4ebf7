// The doc-comment directive tags: the engine parses them, the editor completes, explains, highlights and writes them from this table.

/** What every tag starts with, as written in a doc comment. */
export const tagPrefix = '@dlens-';

/** Every tag, with its syntax and a one-line description (the extension uses these for completion, hover and the grammar). */
export const directiveTags = [
  { tag: 'dlens-at', syntax: '@dlens-at P = <JSON | constant | normal(RxC, seed=S[, mean=M][, std=D]) | uniform(N, seed=S[, min=A][, max=B])>', description: "Evaluation point of parameter P: a JSON literal (may span lines), a module constant's name, or a seeded random generator with a shape." },
  { tag: 'dlens-wrt', syntax: '@dlens-wrt PATH[, PATH]...', description: 'Differentiate with respect to these parameters or parts of them (`W`, `p.layers[1].W`, `this.w`, `W, b`); default: the first parameter.' },
  { tag: 'dlens-this', syntax: '@dlens-this CONSTANT', description: "For a method: the module constant to call it on (default: `new Class()` when the constructor needs no arguments)." },
  { tag: 'dlens-gradient', syntax: '@dlens-gradient F', description: "Check hand-written gradient F: same parameters as the checked function, returns the wrt parameter's shape." },
  { tag: 'dlens-hessian-diagonal', syntax: '@dlens-hessian-diagonal F', description: "Check hand-written Hessian diagonal F: same parameters, returns the wrt parameter's shape." },
  { tag: 'dlens-objective', syntax: '@dlens-objective F', description: 'Check F returning { grad, hess } as gradient-boosting custom objectives do.' },
  { tag: 'dlens-rtol', syntax: '@dlens-rtol R', description: 'Relative tolerance of the checks: |a − b| ≤ atol + rtol·|b| per entry.' },
  { tag: 'dlens-atol', syntax: '@dlens-atol A', description: 'Absolute tolerance of the checks: |a − b| ≤ atol + rtol·|b| per entry.' },
] as const;

export type DirectiveTag = (typeof directiveTags)[number]['tag'];

/** A tag as written in a doc comment: "@dlens-gradient". */
export function tagText(tag: DirectiveTag): string {
  return `@${tag}`;
}
