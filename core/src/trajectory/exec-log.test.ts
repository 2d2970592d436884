import { describe, expect, it } from 'vitest';
import { parseExecLog } from './exec-log.js';

// As strace prints it in the sandbox (captured from the hardened container).
const LOG = `11    execve("/usr/bin/sh", ["sh", "-c", "echo hi; sed --version >/dev/null; ls /nope; true"], 0x7ffd1ecf67b0 /* 7 vars */) = 0
12    execve("/usr/local/bin/sed", ["sed", "--version"], 0x561503c7f5d8 /* 7 vars */) = -1 ENOENT (No such file or directory)
12    execve("/usr/bin/sed", ["sed", "--version"], 0x561503c7f5d8 /* 7 vars */) = 0
12    +++ exited with 0 +++
13    execve("/usr/bin/ls", ["ls", "/nope", "tab\\there"], 0x561503c7f5b0 /* 7 vars */) = 0
13    +++ exited with 2 +++
14    execve("/usr/bin/python3", ["python3", "-c", "x"...], 0x0 /* 7 vars */) = 0
14    +++ killed by SIGKILL +++
11    +++ exited with 0 +++`;

describe('execve capture', () => {
  it('turns strace lines into process steps with exit codes, skipping missed PATH lookups', () => {
    const { steps } = parseExecLog(LOG, '2026-11-23T00:00:00Z');
    expect(steps.map((s) => s.summary)).toEqual([
      '$ sh -c echo hi; sed --version >/dev/null; ls /nope; true → exit 0',
      '$ sed --version → exit 0',
      '$ ls /nope tab\there → exit 2',
      '$ python3 -c x… → killed by SIGKILL',
    ]);
    expect(steps[2].detail).toMatchObject({
      argv: ['ls', '/nope', 'tab\there'],
      exit_code: 2,
      output: 'output not captured',
    });
  });

  it('caps the number of steps and counts the rest', () => {
    const many = Array.from(
      { length: 10 },
      (_, i) => `${i + 100} execve("/bin/true", ["true"], 0x0) = 0`,
    ).join('\n');
    expect(parseExecLog(many, 'x', 4)).toMatchObject({ dropped: 6 });
  });
});
