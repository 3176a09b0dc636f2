// The dashboard's vitest project: unit specs next to the code they prove. Files that need a DOM say so
// with `// @vitest-environment jsdom`, so pure reducers run in plain Node.
import react from '@vitejs/plugin-react';
import { defineProject } from 'vitest/config';

export default defineProject({
  plugins: [react()],
  test: {
    name: 'dashboard',
    include: ['src/**/*.unit.spec.{ts,tsx}'],
    environment: 'node',
  },
});
