/** A one-line progress bar on stderr, drawn only when stderr is a terminal. */
import type { CommandIO } from './command.js';

export interface Progress {
  tick(label: string): void;
  done(): void;
}

export function progressBar(io: CommandIO, total: number, title: string): Progress {
  let count = 0;
  if (!io.interactive || total === 0) return { tick: () => void count++, done: () => undefined };
  const width = 24;
  return {
    tick(label) {
      count++;
      const filled = Math.round((width * count) / total);
      io.stderr(
        `\r${title} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${count}/${total} ${label.slice(0, 40).padEnd(40)}`,
      );
    },
    done() {
      io.stderr(`\r${' '.repeat(width + title.length + 60)}\r`);
    },
  };
}
