/**
 * `npm run dev`: the sync server on port 8787 (data in ./data) and Vite's dev server with hot
 * reload, which proxies /api to it. Stops both on Ctrl+C.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

const children: ChildProcess[] = [
  spawn('tsx', ['watch', 'sync-server/main.ts'], { stdio: 'inherit', env: { ...process.env, PORT: '8787', HOST: '127.0.0.1' } }),
  spawn('vite', [], { stdio: 'inherit', env: { ...process.env, TRAVELOG_DEV_API: 'http://127.0.0.1:8787' } }),
];

function stopAll(code: number): void {
  for (const child of children) child.kill('SIGTERM');
  process.exitCode = code;
}

for (const child of children) child.on('exit', (code) => stopAll(code ?? 0));
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
