// Reads a file the user named only when it is a regular file under a size limit: /dev/zero, a FIFO or a huge file get a clear error instead of a hang.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';

/** Why a named file cannot be read, for the caller's message (a system code like ENOENT, or a sentence). */
export class UnreadableFile extends Error {}

/** The file's text; throws UnreadableFile when it is missing, not a regular file, or larger than `limitBytes`. */
export function readRegularFile(path: string, limitBytes: number): string {
  let fd: number;
  try {
    // Non-blocking, so opening a FIFO with no writer returns at once (and is then refused as not a regular file).
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new UnreadableFile((e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UnreadableFile('not a regular file');
    if (stat.size > limitBytes) throw new UnreadableFile(`${mb(stat.size)}, above the ${mb(limitBytes)} limit`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 0)} MB`;
}
