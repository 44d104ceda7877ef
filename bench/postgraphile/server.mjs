// PostGraphile 5 on the bench's database: the peer of issue 27 (bench/api_load.py starts it).
//
//   node --import ./shim.mjs server.mjs --dsn postgres://postgres@127.0.0.1:5432/qq_bench --port 8002 [--workers 2]
//
// The Amber preset over the schema `public` (every table the page reads, with its foreign keys as
// relations), served by grafserv on node:http at POST /graphql and GET /healthz; a pg pool of 5
// connections per process like the app's and the floor's; no authentication (a superuser
// connection sees every row: the role of the floor's ADMIN token); `--workers N` runs N processes
// (node:cluster) on one port, as `qingquan serve --workers N` and the floor's uvicorn workers do.
import cluster from "node:cluster";
import { createServer } from "node:http";
import { parseArgs } from "node:util";

import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";

const { values } = parseArgs({
  options: {
    dsn: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "8002" },
    workers: { type: "string", default: "1" },
    "pool-size": { type: "string", default: "5" },
  },
});
if (!values.dsn) {
  console.error("--dsn postgres://… is required");
  process.exit(2);
}
const workers = Number(values.workers);

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i += 1) cluster.fork();
  const stop = () => {
    for (const worker of Object.values(cluster.workers)) worker.process.kill("SIGTERM");
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
} else {
  const preset = {
    extends: [PostGraphileAmberPreset],
    // every column orderable, indexed or not (v4's ignoreIndexes): the page orders by ordinal, date
    disablePlugins: ["PgIndexBehaviorsPlugin"],
    pgServices: [
      makePgService({
        connectionString: values.dsn,
        schemas: ["public"],
        // like asyncpg's pool in the app and the floor: up to 5, kept open between rounds
        poolConfig: { max: Number(values["pool-size"]), idleTimeoutMillis: 0 },
      }),
    ],
    grafserv: { graphiql: false, watch: false },
    grafast: { explain: false },
  };
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const handler = serv.createHandler(); // HTTP only: the page needs no websockets
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/healthz") {
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"status":"ok"}');
    } else {
      handler(req, res);
    }
  });
  server.keepAliveTimeout = 75_000;
  await serv.ready();
  server.listen(Number(values.port), values.host);
  const stop = () => {
    server.close();
    pgl.release().finally(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
