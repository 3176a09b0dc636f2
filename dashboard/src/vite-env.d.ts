/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the command API (POST payments, reviews, tokens). Default http://localhost:8080. */
  readonly VITE_COMMAND_API_URL?: string;
  /** Base URL of the query API (REST and the WebSocket stream). Default http://localhost:8081. */
  readonly VITE_QUERY_API_URL?: string;
  /** `off` hides the analysts' demo-traffic switch (it signs in the development merchant clients). */
  readonly VITE_DEMO_TRAFFIC?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
