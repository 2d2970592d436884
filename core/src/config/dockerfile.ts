/** The agent environment's Dockerfile body: RUN / ENV / WORKDIR only, at most 32 KB. */
export const DOCKERFILE_MAX_BYTES = 32 * 1024;
const ALLOWED = new Set(['RUN', 'ENV', 'WORKDIR']);

export interface DockerfileProblem {
  /** 0-based line within the body. */
  line: number;
  message: string;
}

export function checkDockerfileBody(body: string): DockerfileProblem[] {
  const problems: DockerfileProblem[] = [];
  if (Buffer.byteLength(body) > DOCKERFILE_MAX_BYTES)
    problems.push({
      line: 0,
      message: `the Dockerfile body is ${Buffer.byteLength(body)} bytes; the limit is ${DOCKERFILE_MAX_BYTES}`,
    });
  const lines = body.split('\n');
  let continued = false;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    const wasContinued = continued;
    continued = t.endsWith('\\');
    if (wasContinued || t === '' || t.startsWith('#')) continue;
    const word = t.split(/\s+/)[0].toUpperCase();
    if (!ALLOWED.has(word)) {
      problems.push({
        line: i,
        message:
          word === 'FROM'
            ? 'FROM is not allowed: the base image is prepended for you'
            : `${word} is not allowed: only RUN, ENV and WORKDIR (there is no build context, and the user and entrypoint are fixed)`,
      });
    }
  }
  return problems;
}
