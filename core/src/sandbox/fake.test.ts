import { describe } from 'vitest';
import { sandboxConformance } from './conformance.js';
import { FakeDriver } from './fake.js';

describe('fake sandbox driver (conformance)', () => {
  sandboxConformance(() => new FakeDriver(), {
    image: 'none',
    mounts: [],
    limits: { memoryMb: 256, cpus: 1, pidsLimit: 64 },
  });
});
