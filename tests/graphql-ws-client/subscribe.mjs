// A real client of the subscriptions, for tests/test_subscriptions.py: `graphql-ws` over WebSocket
// (graphql-transport-ws) or `graphql-sse` over SSE (distinct connections mode).
// node subscribe.mjs ws|sse URL TOKEN QUERY VARIABLES_JSON WANT TIMEOUT_MS
// prints one JSON line per message ({"next": …}, {"error": …}, {"complete": true}, {"timeout": true}) and
// stops after WANT results, an error, the server's complete, or the timeout.
import { createClient as createWsClient } from "graphql-ws";
import { createClient as createSseClient } from "graphql-sse";
import WebSocket from "ws";

const [transport, url, token, query, variables, want, timeoutMs] = process.argv.slice(2);
const auth = token ? `Bearer ${token}` : undefined;
const client =
  transport === "ws"
    ? createWsClient({
        url,
        webSocketImpl: WebSocket,
        connectionParams: auth ? { Authorization: auth } : {},
        retryAttempts: 0,
        on: { closed: (event) => print({ closed: { code: event?.code, reason: event?.reason } }) },
      })
    : createSseClient({ url, headers: auth ? { Authorization: auth } : {}, retryAttempts: 0 });

let count = 0;
let done = false;
function print(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}
function finish() {
  if (done) return;
  done = true;
  clearTimeout(timer);
  unsubscribe();
  client.dispose();
  setTimeout(() => process.exit(0), 100);
}
const timer = setTimeout(() => {
  print({ timeout: true });
  finish();
}, Number(timeoutMs));
const unsubscribe = client.subscribe(
  { query, variables: JSON.parse(variables) },
  {
    next: (value) => {
      print({ next: value });
      if (++count >= Number(want)) finish();
    },
    error: (error) => {
      const described = Array.isArray(error) ? { errors: error } : { message: String(error?.message ?? error), code: error?.code, reason: error?.reason };
      print({ error: described });
      finish();
    },
    complete: () => {
      print({ complete: true });
      finish();
    },
  },
);
