import { describe, expect, it } from 'vitest';
import { readConfig } from './env.ts';

describe('dashboard config', () => {
  it('defaults to the local services', () => {
    expect(readConfig({})).toEqual({
      commandApiUrl: 'http://localhost:8080',
      queryApiUrl: 'http://localhost:8081',
      streamUrl: 'ws://localhost:8081',
      demoTraffic: true,
    });
  });

  it('takes configured URLs and derives the stream URL (wss for https)', () => {
    const config = readConfig({
      VITE_COMMAND_API_URL: 'https://cmd.example/',
      VITE_QUERY_API_URL: 'https://query.example',
      VITE_DEMO_TRAFFIC: 'off',
    });
    expect(config).toMatchObject({ commandApiUrl: 'https://cmd.example', streamUrl: 'wss://query.example', demoTraffic: false });
  });

  it('lists every bad variable at once', () => {
    expect(() => readConfig({ VITE_COMMAND_API_URL: 'nope', VITE_QUERY_API_URL: 'ftp://x' })).toThrow(
      /VITE_COMMAND_API_URL[\s\S]*VITE_QUERY_API_URL/,
    );
  });
});
