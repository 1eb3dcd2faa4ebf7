// Loads the engine on first use: it brings TypeScript, acorn and esbuild, so activation stays cheap until a lens or a check needs it.

type Run = typeof import('../engine/run');
type Directives = typeof import('../engine/load/directives');

export interface Engine {
  runCheck: Run['runCheck'];
  analyseFile: Run['analyseFile'];
  functionAt: Run['functionAt'];
  directiveTags: Directives['directiveTags'];
}

let loading: Promise<Engine> | undefined;

export function loadEngine(): Promise<Engine> {
  loading ??= Promise.all([import('../engine/run'), import('../engine/load/directives')]).then(([run, directives]) => ({
    runCheck: run.runCheck,
    analyseFile: run.analyseFile,
    functionAt: run.functionAt,
    directiveTags: directives.directiveTags,
  }));
  return loading;
}
