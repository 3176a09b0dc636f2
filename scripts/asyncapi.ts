// `npm run asyncapi`: writes the AsyncAPI document of the Kafka topics, generated from the event schemas, to
// docs/asyncapi.json (committed; schemas/src/asyncapi.unit.spec.ts fails when it is stale), formatted by
// biome as `npm run lint` expects it.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildAsyncApiDocument } from '@payments/schemas/asyncapi';

const target = fileURLToPath(new URL('../docs/asyncapi.json', import.meta.url));
const biome = fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url));
writeFileSync(target, `${JSON.stringify(buildAsyncApiDocument(), null, 2)}\n`);
execFileSync(biome, ['format', '--write', target], { stdio: ['ignore', 'ignore', 'inherit'] });
console.log(`wrote ${target}`);
