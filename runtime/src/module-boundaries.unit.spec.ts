// The runtime is imported by subpath so that a service loads only what it uses: the query API never loads the
// Kafka client, and the consumers never load the HTTP framework. Each service's entry module is imported in a
// child process that records every module it resolves.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);

function modulesLoadedBy(entry: string): string[] {
  const script = `
    import { registerHooks } from 'node:module';
    const loaded = [];
    registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); loaded.push(r.url); return r; } });
    await import(${JSON.stringify(new URL(entry, root).href)});
    process.stdout.write(JSON.stringify(loaded));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: root })) as string[];
}

const packagesIn = (urls: string[]) => new Set(urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []));

describe('what each service loads', () => {
  it('the query API loads no Kafka client', () => {
    const packages = packagesIn(modulesLoadedBy('query-api/src/service.ts'));
    expect(packages).toContain('fastify'); // the check sees packages at all
    expect(packages).not.toContain('kafkajs');
  });

  it.each(['authorizer/src/service.ts', 'projector/src/service.ts'])('%s loads no HTTP framework', (entry) => {
    const packages = packagesIn(modulesLoadedBy(entry));
    expect(packages).toContain('kafkajs');
    for (const http of ['fastify', '@fastify/cors', 'helmet']) expect(packages).not.toContain(http);
  });
});
