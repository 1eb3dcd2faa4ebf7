// What the extension loads from dist/engine-host.js on first use: the check entry point and the file analysis (with TypeScript's parser).
export { analyseFile, functionAt, runCheck } from './run';
export { directiveTags } from './load/directives';
export { annotatedFunctions, collectFiles, isCollected, type AnnotatedFunction } from './load/annotated';
export { prewarm } from './prewarm';
