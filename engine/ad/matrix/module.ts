// The ml-matrix stand-in as user code imports it: the class with its operations installed, ml-matrix's passive fallbacks, the module object.

import { Matrix, standIn } from './class';
import { installPassiveFallbacks, passiveModuleFunctions, refusedClasses } from './fallback';
import { installOperations } from './operations';

export { isStandInMatrix, makeMatrix, Matrix, matrixEntries } from './class';

installOperations();
installPassiveFallbacks(Matrix, standIn);

/** What `import ... from 'ml-matrix'` receives in user code. */
export const mlMatrixModule: Record<string, unknown> = {
  ...refusedClasses(),
  ...passiveModuleFunctions(standIn),
  Matrix,
  default: Matrix,
  // ml-matrix's base class: isMatrix, the statics and `instanceof` all work through the one class.
  AbstractMatrix: Matrix,
};
// As on ml-matrix's CommonJS entry: bundlers then give `import Matrix from 'ml-matrix'` the `default` export.
Object.defineProperty(mlMatrixModule, '__esModule', { value: true });

