// The `derivativeLens.*` settings, read fresh at every use so a change needs no reload.

import * as vscode from 'vscode';
import type { CheckRequest } from '../engine/types';

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
  const shape = c.get<number[]>('defaultMatrixShape', [4, 3]);
  return {
    rtol: explicit(c, 'rtol'),
    atol: explicit(c, 'atol'),
    suppliedRtol: explicit(c, 'suppliedRtol'),
    suppliedAtol: explicit(c, 'suppliedAtol'),
    options: {
      timeoutMs: c.get('timeoutMs', 10_000),
      memoryMb: c.get('memoryMb', 1024),
      seed: c.get('seed', 1),
      vectorLength: c.get('defaultVectorLength', 5),
      matrixShape: [shape[0] ?? 4, shape[1] ?? 3],
      fdSampleThreshold: c.get('fdSampleThreshold', 2000),
      checkBudgetMs: c.get('checkBudgetMs', 2000),
    },
  };
}

export function checkOnSave(scope: vscode.Uri): boolean {
  return config(scope).get('checkOnSave', false);
}

export function codeLensEnabled(scope?: vscode.Uri): boolean {
  return config(scope).get('codeLens.enabled', true);
}

/** Where a check's report opens: beside the editor, in the active editor group, or not at all (the lens and status bar open it). */
export type ReportPlacement = 'beside' | 'activeGroup' | 'never';

export function reportPlacement(scope?: vscode.Uri): ReportPlacement {
  return config(scope).get<ReportPlacement>('report.open', 'beside');
}
