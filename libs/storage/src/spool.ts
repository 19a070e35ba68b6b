import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

/**
 * Removes the temp files in `dir` named by `pattern` (its first group: the pid of the process that
 * wrote them) whose writer is gone — spools left behind by a SIGKILL or an OOM kill. Best effort.
 */
export async function removeOrphanSpools(dir: string, pattern: RegExp): Promise<void> {
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
    await fsp.rm(path.join(dir, name), { force: true }).catch(() => undefined);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
