/** Times a whole process from spawn to exit, and keeps its output for checks. */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export interface ProcessRun {
  wallMs: number;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export interface ProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Bounded: a hung contender must not hang the bench. @default 30000 */
  timeoutMs?: number;
}

export function timeProcess(
  command: string,
  args: readonly string[],
  options: ProcessOptions = {},
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 30_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      resolve({
        wallMs: performance.now() - started,
        exitCode,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a command and fails loudly unless it exits 0: a benchmark of a failing command measures nothing. */
export async function timeOk(
  command: string,
  args: readonly string[],
  options: ProcessOptions = {},
): Promise<ProcessRun> {
  const run = await timeProcess(command, args, options);
  if (run.exitCode !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${run.exitCode}: ${run.stderr.slice(-2000)}`);
  }
  return run;
}
