// Apollo Client 4 as the public portal uses it: automatic persisted queries over GET (the hash alone, the
// document once when the server asks for it), a browser's HTTP cache (If-None-Match, 304), and
// `fetchMore` merged by `relayStylePagination` forward and backward. Prints one JSON object: every HTTP
// request made and what the cache holds.
// node apollo.mjs URL UNIT_ID
import { createHash } from "node:crypto";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { relayStylePagination } from "@apollo/client/utilities";

const [url, unit] = process.argv.slice(2);
const requests = [];
const httpCache = new Map(); // what a browser keeps: an answer and its ETag per GET URL

async function browserFetch(input, init = {}) {
  const method = init.method ?? "GET";
  const target = String(input);
  const kept = method === "GET" ? httpCache.get(target) : undefined;
  const headers = new Headers(init.headers);
  if (kept) headers.set("If-None-Match", kept.etag);
  const response = await fetch(target, { ...init, headers });
  const query = method === "GET" ? new URL(target).searchParams.has("query") : JSON.parse(init.body).query !== undefined;
  const seen = { method, withDocument: query, status: response.status, etag: response.headers.get("etag") };
  if (response.status === 304 && kept) {
    requests.push(seen);
    return new Response(kept.body, { status: 200, headers: { "content-type": "application/json" } });
  }
  const body = await response.text();
  seen.notFound = body.includes("PersistedQueryNotFound");
  requests.push(seen);
  if (method === "GET" && seen.etag && response.ok) httpCache.set(target, { etag: seen.etag, body });
  return new Response(body, { status: response.status, headers: response.headers });
}

function client() {
  const persisted = new PersistedQueryLink({
    sha256: (text) => createHash("sha256").update(text).digest("hex"),
    useGETForHashedQueries: true,
  });
  return new ApolloClient({
    link: persisted.concat(new HttpLink({ uri: url, fetch: browserFetch })),
    cache: new InMemoryCache({ typePolicies: { Query: { fields: { powers: relayStylePagination(["filter", "orderBy"]) } } } }),
  });
}

const POWERS = gql`
  query PortalUnitPowers($unit: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    powers(filter: { unitId: $unit }, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { id code name } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

async function pages(apollo, variables, forward) {
  const watched = apollo.watchQuery({ query: POWERS, variables });
  let subscription;
  let { data } = await new Promise((resolve, reject) => {
    subscription = watched.subscribe({ next: (result) => !result.loading && resolve(result), error: reject });
  });
  let mark = requests.length;
  const steps = [];
  let page = data.powers.pageInfo; // each fetched page's: where the next one starts
  while (forward ? page.hasNextPage : page.hasPreviousPage) {
    const more = forward ? { after: page.endCursor } : { before: page.startCursor };
    page = (await watched.fetchMore({ variables: more })).data.powers.pageInfo;
    steps.push(requests.slice(mark));
    mark = requests.length;
  }
  subscription.unsubscribe();
  const merged = apollo.readQuery({ query: POWERS, variables }).powers; // the pages as the cache merged them
  return { codes: merged.edges.map((e) => e.node.code), totalCount: merged.totalCount, steps };
}

const out = {};
const start = requests.length;
out.forward = await pages(client(), { unit, first: 2 }, true);
out.firstRequests = requests.slice(start, start + 3);
out.backward = await pages(client(), { unit, last: 2 }, false);
// a fresh client (the page opened again), twice: its first query by the hash alone — answered, then
// revalidated from the browser's cache with a 304
out.again = [];
for (let n = 0; n < 2; n++) {
  const mark = requests.length;
  const fresh = await client().query({ query: POWERS, variables: { unit, first: 2 } });
  out.again.push({ requests: requests.slice(mark), codes: fresh.data.powers.edges.map((e) => e.node.code) });
}
out.requests = requests;
process.stdout.write(JSON.stringify(out) + "\n");
process.exit(0);
