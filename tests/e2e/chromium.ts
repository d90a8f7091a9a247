/**
 * Which Chromium the end-to-end suite drives, and what to do when the machine has none: Debian's
 * `chromium` where present (or CHROMIUM_PATH), installed with apt where the run may (root), and
 * otherwise a stop with the one command to run. The decision is a plain function
 * (tests/unit/e2e-chromium.test.ts); tests/e2e/chromium-setup.ts carries it out.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Chromium, where `apt-get install chromium` puts it. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** What the run knows about the machine. */
export interface ChromiumMachine {
  /** CHROMIUM_PATH, when set. */
  chromiumPath: string | undefined;
  exists(path: string): boolean;
  /** Whether the run is root (and so may install packages). */
  isRoot: boolean;
  /** Whether apt-get is on the machine (Debian, Ubuntu). */
  hasApt: boolean;
}

/** What to do. */
export type ChromiumPlan =
  | { kind: 'use'; path: string }
  | { kind: 'install'; path: string; commands: string[][] }
  | { kind: 'stop'; message: string };

const INSTALL = ['apt-get', 'install', '-y', '--no-install-recommends', 'chromium'];

export function planChromium(machine: ChromiumMachine): ChromiumPlan {
  const given = machine.chromiumPath?.trim();
  if (given !== undefined && given !== '') {
    // A path asked for is never silently replaced by another browser.
    if (machine.exists(given)) return { kind: 'use', path: given };
    return { kind: 'stop', message: `CHROMIUM_PATH is ${given}, and there is no such file: point it at a Chromium, or unset it to use Debian's chromium` };
  }
  if (machine.exists(DEBIAN_CHROMIUM)) return { kind: 'use', path: DEBIAN_CHROMIUM };
  if (machine.hasApt && machine.isRoot) return { kind: 'install', path: DEBIAN_CHROMIUM, commands: [['apt-get', 'update'], INSTALL] };
  if (machine.hasApt) return { kind: 'stop', message: `No Chromium at ${DEBIAN_CHROMIUM}. Install it, then run the tests again:\n\n  sudo ${INSTALL.join(' ')}\n` };
  return { kind: 'stop', message: `No Chromium at ${DEBIAN_CHROMIUM}, and no apt-get to install it with. Name a Chromium or Chrome executable, then run the tests again:\n\n  CHROMIUM_PATH=/path/to/chromium npm test\n` };
}

/** The machine this process runs on. */
export function thisMachine(): ChromiumMachine {
  return {
    chromiumPath: process.env['CHROMIUM_PATH'],
    exists: existsSync,
    isRoot: process.getuid?.() === 0,
    hasApt: spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0,
  };
}

/**
 * Carries out the plan: the Chromium's path, or an Error with what to do. Installs with apt, its
 * output on this process's, when the plan says so.
 */
export function ensureChromium(machine: ChromiumMachine = thisMachine()): string {
  const plan = planChromium(machine);
  if (plan.kind === 'use') return plan.path;
  if (plan.kind === 'stop') throw new Error(plan.message);
  console.log(`No Chromium at ${plan.path}: installing Debian's chromium with apt (root)`);
  for (const command of plan.commands) {
    const [program = '', ...args] = command;
    const result = spawnSync(program, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (result.status !== 0) throw new Error(`\`${command.join(' ')}\` failed (${result.error?.message ?? `exit ${String(result.status)}`}); install Chromium by hand: ${INSTALL.join(' ')}`);
  }
  if (!machine.exists(plan.path)) throw new Error(`apt installed chromium, but there is no ${plan.path}; set CHROMIUM_PATH`);
  return plan.path;
}
