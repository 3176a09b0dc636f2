// Vitest projects for the whole monorepo. Test files are suffixed by kind: `.unit.spec.ts` (pure, no
// infrastructure), `.int.spec.ts` (real Kafka and PostgreSQL), `.e2e.spec.ts` (running services, browser).
// Run one kind with `vitest --project unit` (or int, e2e, dashboard).
import { defineConfig } from 'vitest/config';

const services = '{schemas,runtime,command-api,authorizer,projector,query-api,scripts,bench}';
const ignored = ['**/node_modules/**', '**/dist/**'];

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: [`${services}/**/*.unit.spec.ts`], exclude: ignored, environment: 'node' } },
      {
        test: {
          name: 'int',
          include: [`${services}/**/*.int.spec.ts`, 'tests/**/*.int.spec.ts'],
          exclude: ignored,
          environment: 'node',
          // each file starts its own services against real Kafka and PostgreSQL
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      { test: { name: 'e2e', include: ['**/*.e2e.spec.ts'], exclude: ignored, environment: 'node' } },
      'dashboard/vitest.config.ts',
    ],
  },
});
