// The contributed command ids, in one place for package.json, lenses and registration.

export const CommandId = {
  checkAtCursor: 'derivativeLens.checkAtCursor',
  checkFunction: 'derivativeLens.checkFunction',
  rerun: 'derivativeLens.rerun',
  showReport: 'derivativeLens.showReport',
  clear: 'derivativeLens.clear',
  insertDirectives: 'derivativeLens.insertDirectives',
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];
