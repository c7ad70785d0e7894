import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** The supported Node: the image builds from Node 24 LTS, and engines names it. */
describe('Node version', () => {
  it('builds and runs the Docker image on node:24', () => {
    const stages = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
      .split('\n')
      .filter((line) => /^FROM\s/i.test(line))
      .map((line) => line.split(/\s+/)[1]);
    expect(stages.length).toBeGreaterThan(0);
    for (const image of stages) expect(image).toMatch(/^node:24-bookworm-slim$/);
  });

  it('declares Node 22 and 24 in engines, and not the end-of-life Node 20', () => {
    const { engines } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    expect(engines.node).toMatch(/\^22\./);
    expect(engines.node).toMatch(/\^24\./);
    expect(engines.node).not.toMatch(/(^|\s|>=?)20\b/);
  });
});
