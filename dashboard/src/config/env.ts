// The dashboard's configuration, read once from Vite's build-time environment and validated here; nothing
// else reads import.meta.env. A bad URL fails at start-up with every bad variable listed.

export interface DashboardConfig {
  commandApiUrl: string;
  queryApiUrl: string;
  /** ws(s):// form of the query API, where /api/stream lives. */
  streamUrl: string;
  /** Whether analysts get the (development-only) demo traffic switch. */
  demoTraffic: boolean;
}

type RawEnv = Partial<Record<'VITE_COMMAND_API_URL' | 'VITE_QUERY_API_URL' | 'VITE_DEMO_TRAFFIC', string>>;

function httpUrl(name: string, value: string | undefined, fallback: string, problems: string[]): string {
  const text = value === undefined || value.trim() === '' ? fallback : value.trim();
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return url.toString().replace(/\/+$/, '');
  } catch {
    problems.push(`${name} must be an http(s) URL, got "${text}"`);
    return fallback;
  }
}

export function readConfig(env: RawEnv): DashboardConfig {
  const problems: string[] = [];
  const commandApiUrl = httpUrl('VITE_COMMAND_API_URL', env.VITE_COMMAND_API_URL, 'http://localhost:8080', problems);
  const queryApiUrl = httpUrl('VITE_QUERY_API_URL', env.VITE_QUERY_API_URL, 'http://localhost:8081', problems);
  if (problems.length > 0) throw new Error(`Invalid dashboard configuration:\n${problems.join('\n')}`);
  return {
    commandApiUrl,
    queryApiUrl,
    streamUrl: queryApiUrl.replace(/^http/, 'ws'),
    demoTraffic: (env.VITE_DEMO_TRAFFIC ?? '').toLowerCase() !== 'off',
  };
}

export const config: DashboardConfig = readConfig(import.meta.env);
