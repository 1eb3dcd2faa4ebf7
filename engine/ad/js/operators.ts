// The JavaScript operators rewritten into `__ad` calls and the runtime functions that compute them: the one table the rewriter, the runtime and the realm's fast paths read.

/** `a + b` → `__ad.add(a, b)`; a compound assignment passes the name (`__ad.setOp(o, k, 'add', v)`). */
export const arithmeticOperators = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'mod', '**': 'pow' } as const;

/** `a === b` → `__ad.eq(a, b)`: active scalars compare by value. */
export const equalityOperators = { '===': 'eq', '!==': 'neq', '==': 'looseEq', '!=': 'looseNeq' } as const;

/** `a | b` → `__ad.bit('|', a, b)` (`~a` → `__ad.bit('~', a)`); a compound assignment passes the symbol. */
export const bitOperators = ['|', '&', '^', '<<', '>>', '>>>'] as const;

export type ArithmeticName = (typeof arithmeticOperators)[keyof typeof arithmeticOperators];
export type BitOperator = (typeof bitOperators)[number] | '~';
