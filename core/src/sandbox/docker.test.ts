import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { dockerReady } from '../test-support/docker.js';
import { sandboxConformance } from './conformance.js';
import { DockerDriver, RUN_LABEL } from './docker.js';

const inspect = (id: string) => JSON.parse(execFileSync('docker', ['inspect', id]).toString())[0];

describe.skipIf(!dockerReady())('docker sandbox driver', () => {
  const driver = new DockerDriver();

  describe('conformance', () => {
    sandboxConformance(() => driver, {
      image: 'gauntlet-base:latest',
      mounts: [],
      limits: { memoryMb: 256, cpus: 1, pidsLimit: 64 },
    });
  });

  it('creates hardened sandboxes: no network, no caps, no new privileges, limits, non-root', async () => {
    const sb = await driver.create({
      image: 'gauntlet-base:latest',
      runId: `t-hard-${process.pid}`,
      mounts: [],
      limits: { memoryMb: 256, cpus: 0.5, pidsLimit: 64 },
    });
    try {
      const hc = inspect(sb.id).HostConfig;
      expect(hc.NetworkMode).toBe('none');
      expect(hc.CapDrop).toEqual(['ALL']);
      expect(hc.SecurityOpt).toContain('no-new-privileges');
      expect(hc.PidsLimit).toBe(64);
      expect(hc.Memory).toBe(256 * 1024 * 1024);
      expect(hc.MemorySwap).toBe(256 * 1024 * 1024);
      expect(hc.NanoCpus).toBe(0.5e9);
      expect(hc.Init).toBe(true);
      const who = await sb.exec([
        'sh',
        '-c',
        'id -u; cat /sys/class/net/*/operstate 2>/dev/null | wc -l; sudo -n true 2>&1 || echo nosudo',
      ]);
      const [uid, ifaces] = who.stdout.trim().split('\n');
      expect(uid).toBe('1000');
      expect(Number(ifaces)).toBeLessThanOrEqual(1); // loopback only
      expect(who.stdout).toContain('nosudo'); // setuid is inert under no-new-privileges
    } finally {
      await sb.destroy();
    }
  });

  it('passes exec env through the client environment, not argv', async () => {
    const sb = await driver.create({
      image: 'gauntlet-base:latest',
      runId: `t-env-${process.pid}`,
      mounts: [],
      limits: { memoryMb: 256, cpus: 1, pidsLimit: 64 },
    });
    try {
      const r = await sb.exec(['sh', '-c', 'echo "$SECRET_THING"'], {
        env: { SECRET_THING: 'v4lue' },
      });
      expect(r.stdout.trim()).toBe('v4lue');
    } finally {
      await sb.destroy();
    }
  });

  it("kills a timed-out exec's processes, a setsid daemon included, and keeps the sandbox", async () => {
    const sb = await driver.create({
      image: 'gauntlet-base:latest',
      runId: `t-to-${process.pid}`,
      mounts: [],
      limits: { memoryMb: 256, cpus: 1, pidsLimit: 64 },
    });
    try {
      const r = await sb.exec(['sh', '-c', 'setsid sleep 300 & while :; do :; done'], {
        timeoutMs: 1000,
      });
      expect(r.timedOut).toBe(true);
      expect(
        execFileSync('docker', ['ps', '-q', '--filter', `id=${sb.id}`])
          .toString()
          .trim(),
      ).not.toBe('');
      const ps = await sb.exec(['sh', '-c', 'ps -eo user,args | grep -c "[s]leep 300"']);
      expect(ps.stdout.trim()).toBe('0');
    } finally {
      await sb.destroy();
    }
  });

  it('a cancelled exec (abort) takes the whole sandbox down', async () => {
    const sb = await driver.create({
      image: 'gauntlet-base:latest',
      runId: `t-ab-${process.pid}`,
      mounts: [],
      limits: { memoryMb: 256, cpus: 1, pidsLimit: 64 },
    });
    const ctl = new AbortController();
    const running = sb.exec(['sleep', '300'], { signal: ctl.signal });
    ctl.abort();
    expect((await running).exitCode).not.toBe(0);
    await sb.destroy();
    expect(
      execFileSync('docker', ['ps', '-aq', '--filter', `id=${sb.id}`])
        .toString()
        .trim(),
    ).toBe('');
  });

  it('sweeps labelled leftovers whose owner process is gone, and spares live ones', async () => {
    const dead = execFileSync('docker', [
      'run',
      '-d',
      '--label',
      `${RUN_LABEL}=orphan`,
      '--label',
      'gauntlet.owner=' + execFileSync('hostname').toString().trim() + ':999999',
      'gauntlet-base:latest',
      'sleep',
      'infinity',
    ])
      .toString()
      .trim();
    const live = await driver.create({
      image: 'gauntlet-base:latest',
      runId: `t-live-${process.pid}`,
      mounts: [],
      limits: { memoryMb: 256, cpus: 1, pidsLimit: 64 },
    });
    try {
      // Suites in parallel test workers sweep too, so assert the effect, not who did it.
      await driver.sweep();
      expect(
        execFileSync('docker', ['ps', '-aq', '--filter', `id=${dead}`])
          .toString()
          .trim(),
      ).toBe('');
      expect(
        execFileSync('docker', ['ps', '-q', '--filter', `id=${live.id}`])
          .toString()
          .trim(),
      ).not.toBe('');
    } finally {
      await live.destroy();
    }
  });
});
