// The extension host loads this (the @vscode/test-electron run() contract): runs one mocha tdd suite set and reports every test.
import Mocha from 'mocha';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
// Which suites make up a set, in order (activation first: it expects no evaluation yet); .vscode-test.mjs reads it too.
import suiteSets from './suites.json';

export function run(): Promise<void> {
  // DLENS_EXTHOST_SUITE picks the set: 'untrusted' needs the folder opened in restricted mode.
  const set = process.env.DLENS_EXTHOST_SUITE ?? 'trusted';
  const names = (suiteSets as Record<string, string[]>)[set];
  if (!names) return Promise.reject(new Error(`unknown DLENS_EXTHOST_SUITE '${set}'`));
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false });
  for (const name of names) mocha.addFile(join(__dirname, `${name}.test.js`));
  const lines: string[] = [];
  const report = (line: string) => {
    lines.push(line);
    console.log(line);
  };
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      report(`${runner.stats?.passes ?? 0} passed, ${failures} failed`);
      // The harness reads this file: the console only reaches it while the workbench is under automation.
      if (process.env.DLENS_TEST_RESULT) writeFileSync(process.env.DLENS_TEST_RESULT, lines.join('\n') + '\n');
      if (failures) reject(new Error(`${failures} tests failed`));
      else resolve();
    });
    runner.on('pass', (t) => report(`ok   - ${t.fullTitle()} (${t.duration} ms)`));
    runner.on('fail', (t, err: Error) => report(`FAIL - ${t.fullTitle()}: ${err.message.replace(/\s+/g, ' ').trim().slice(0, 600)}`));
  });
}
