import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSuites } from '../pipeline/run-suite.js';
import { dockerReady } from '../test-support/docker.js';
import { makeTree, project, pythonAgent, suite } from '../test-support/tree.js';
import { BUILD_CA_ENV, environmentDockerfile, ImageManager } from './images.js';

const READER =
  'import os\ndef run(t, *, proxy_url, run_token):\n    return open("/home/user/marker").read().strip() + " " + os.environ["FROM_IMAGE"]';

describe.skipIf(!dockerReady())('agent environment images', () => {
  process.env.GAUNTLET_CACHE_DIR = mkdtempSync(join(tmpdir(), 'gauntlet-cache-'));
  const nonce = `${process.pid}-${Date.now()}`;

  it('builds a Dockerfile body layer once, reuses it, and runs the agent on it', async () => {
    const files = {
      ...project(),
      ...pythonAgent(
        'img',
        READER,
        `environment:\n  dockerfile: |\n    RUN echo built-${nonce} > /home/user/marker\n    ENV FROM_IMAGE=env-ok\n`,
      ),
      ...suite('s', 'img', ['go']),
    };
    const root = await makeTree(files);
    const [first] = await runSuites({ root });
    expect(first.records[0]).toMatchObject({
      status: 'completed',
      final_response: `built-${nonce} env-ok`,
    });
    const mgr = new ImageManager();
    const agent = {
      kind: 'agent' as const,
      name: 'img',
      python: { source: { inline: READER } },
      environment: {
        dockerfile: `RUN echo built-${nonce} > /home/user/marker\nENV FROM_IMAGE=env-ok\n`,
      },
    };
    expect((await mgr.status(agent)).state).toBe('ready');
    const logs: string[] = [];
    await new ImageManager(undefined, (l) => logs.push(l)).build(agent);
    expect(logs).toEqual([]); // identical build reused, nothing rebuilt
  });

  it('fails runs as image_build_failed with the log tail, and keeps the failed state', async () => {
    const root = await makeTree({
      ...project(),
      ...pythonAgent(
        'bad',
        READER,
        `environment:\n  dockerfile: |\n    RUN echo about-to-fail-${nonce} && false\n`,
      ),
      ...suite('s', 'bad', ['go']),
    });
    const [res] = await runSuites({ root });
    expect(res.records[0]).toMatchObject({
      status: 'failed',
      error: { code: 'image_build_failed' },
    });
    expect(res.records[0].error?.detail).toContain(`about-to-fail-${nonce}`);
    const st = await new ImageManager().status({
      kind: 'agent',
      name: 'bad',
      python: { source: { inline: READER } },
      environment: { dockerfile: `RUN echo about-to-fail-${nonce} && false\n` },
    });
    expect(st.state).toBe('failed');
  });

  it('runs setup_command in the sandbox and fails the run as environment_setup_failed on a non-zero exit', async () => {
    const root = await makeTree({
      ...project(),
      ...pythonAgent(
        'setup',
        'def run(t, *, proxy_url, run_token): return "x"',
        'environment:\n  setup_command: "echo preparing; exit 7"\n',
      ),
      ...suite('s', 'setup', ['go']),
    });
    const [res] = await runSuites({ root });
    expect(res.records[0]).toMatchObject({
      status: 'failed',
      error: { code: 'environment_setup_failed', message: 'the setup command exited 7' },
    });
    expect(res.records[0].error?.detail).toContain('preparing');
  });

  it('installs python_requirements from the index the builder environment names (a wheel index on loopback)', async () => {
    const version = `1.0.${Date.now()}`;
    const wheelDir = mkdtempSync(join(tmpdir(), 'wheels-'));
    const wheel = `gprobe-${version}-py3-none-any.whl`;
    // A minimal pure-Python wheel, written by the host's Python so the test needs no PyPI.
    execFileSync('python3', [
      '-c',
      `
import sys, zipfile
path, version = sys.argv[1], sys.argv[2]
di = f"gprobe-{version}.dist-info"
with zipfile.ZipFile(path, "w") as z:
    z.writestr("gprobe/__init__.py", f"VALUE = 'wheel-{version}'\\n")
    z.writestr(f"{di}/METADATA", f"Metadata-Version: 2.1\\nName: gprobe\\nVersion: {version}\\n")
    z.writestr(f"{di}/WHEEL", "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    z.writestr(f"{di}/RECORD", "")
`,
      join(wheelDir, wheel),
      version,
    ]);
    const served: string[] = [];
    const index = createServer((req, res) => {
      served.push(req.url!);
      if (req.url === '/simple/gprobe/')
        return res
          .setHeader('content-type', 'text/html')
          .end(`<html><body><a href="/files/${wheel}">${wheel}</a></body></html>`);
      if (req.url === `/files/${wheel}`) return res.end(readFileSync(join(wheelDir, wheel)));
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => index.listen(0, '127.0.0.1', r));
    process.env.PIP_INDEX_URL = `http://127.0.0.1:${(index.address() as AddressInfo).port}/simple/`;
    try {
      const code = 'import gprobe\ndef run(t, *, proxy_url, run_token):\n    return gprobe.VALUE';
      const root = await makeTree({
        ...project(),
        ...pythonAgent(
          'req',
          code,
          `environment:\n  python_requirements: ["gprobe==${version}"]\n`,
        ),
        ...suite('s', 'req', ['go']),
      });
      const [res] = await runSuites({ root });
      expect(res.records[0].error).toBeNull();
      expect(res.records[0]).toMatchObject({
        status: 'completed',
        final_response: `wheel-${version}`,
      });
      expect(served).toContain(`/files/${wheel}`);
    } finally {
      delete process.env.PIP_INDEX_URL;
      index.close();
    }
  });
});

describe('build CA bundle (runners behind a TLS-intercepting proxy)', () => {
  const agent = {
    kind: 'agent' as const,
    name: 'a',
    command: 'claude -p hi',
    environment: { system_packages: ['nodejs'] },
  };

  it("is trusted before the agent's layers, for npm too, and its hash keys the image", () => {
    const plain = environmentDockerfile(agent, 'sha256:base')!;
    const withCa = environmentDockerfile(agent, 'sha256:base', { caSha: 'abc123' })!;
    expect(plain).not.toContain('COPY');
    const lines = withCa.split('\n');
    expect(lines.slice(3, 7)).toEqual([
      `# ${BUILD_CA_ENV} sha256:abc123`,
      'COPY gauntlet-build-ca.pem /etc/gauntlet/gauntlet-build-ca.pem',
      "RUN sudo sh -c 'cat /etc/gauntlet/gauntlet-build-ca.pem >> /etc/ssl/certs/ca-certificates.crt'",
      'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt',
    ]);
    expect(lines.findIndex((l) => l.includes('apt-get'))).toBeGreaterThan(6);
    expect(environmentDockerfile(agent, 'sha256:base', { caSha: 'def456' })).not.toBe(withCa);
  });

  it.skipIf(!dockerReady())(
    'an unreadable bundle is a clear image error naming the variable',
    async () => {
      const saved = process.env[BUILD_CA_ENV];
      process.env[BUILD_CA_ENV] = '/nonexistent/ca.pem';
      try {
        await expect(new ImageManager().status(agent)).rejects.toMatchObject({
          code: 'image_build_failed',
          message: expect.stringContaining(`${BUILD_CA_ENV}=/nonexistent/ca.pem cannot be read`),
        });
      } finally {
        if (saved === undefined) delete process.env[BUILD_CA_ENV];
        else process.env[BUILD_CA_ENV] = saved;
      }
    },
  );
});
