// The `derivativeLens.*` settings, read fresh at every use so a change needs no reload.

import * as vscode from 'vscode';
import { defaultEngineOptions, type CheckRequest } from '../engine/types';

function config(scope?: vscode.Uri): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('derivativeLens', scope);
}

/** A tolerance only when the user set it: otherwise the engine's defaults and the file's @dlens-rtol/@dlens-atol decide. */
function explicit(c: vscode.WorkspaceConfiguration, key: string): number | undefined {
  const i = c.inspect<number>(key);
  return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
}

export function requestSettings(scope: vscode.Uri): Pick<CheckRequest, 'rtol' | 'atol' | 'suppliedRtol' | 'suppliedAtol' | 'options'> {
  const c = config(scope);
  // No defaults here: VS Code answers with package.json's, and a shape missing a dimension takes the engine's.
  const shape = c.get<number[]>('defaultMatrixShape') ?? [];
  const [rows, columns] = defaultEngineOptions.matrixShape;
  return {
    rtol: explicit(c, 'rtol'),
    atol: explicit(c, 'atol'),
    suppliedRtol: explicit(c, 'suppliedRtol'),
    suppliedAtol: explicit(c, 'suppliedAtol'),
    options: {
      timeoutMs: c.get<number>('timeoutMs'),
      memoryMb: c.get<number>('memoryMb'),
      seed: c.get<number>('seed'),
      vectorLength: c.get<number>('defaultVectorLength'),
      matrixShape: [shape[0] ?? rows, shape[1] ?? columns],
      fdSampleThreshold: c.get<number>('fdSampleThreshold'),
      checkBudgetMs: c.get<number>('checkBudgetMs'),
    },
  };
}

export function checkOnSave(scope: vscode.Uri): boolean {
  return config(scope).get<boolean>('checkOnSave') === true;
}

export function codeLensEnabled(scope?: vscode.Uri): boolean {
  return config(scope).get<boolean>('codeLens.enabled') !== false;
}

/** Where a check's report opens: beside the editor, in the active editor group, or not at all (the lens and status bar open it). */
export type ReportPlacement = 'beside' | 'activeGroup' | 'never';

export function reportPlacement(scope?: vscode.Uri): ReportPlacement {
  return config(scope).get<ReportPlacement>('report.open')!;
}
