// Workspace trust: checks execute workspace code, so untrusted workspaces get an explanation and a way to grant trust, never an evaluation.

import * as vscode from 'vscode';

export const untrustedMessage = "Derivative Lens runs your workspace's code to check derivatives; trust this workspace to enable it.";

/** True when evaluation may run; otherwise shows the explanation without waiting for the user to dismiss it. */
export function ensureTrusted(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(untrustedMessage, 'Manage Workspace Trust').then((pick) => {
    if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}
