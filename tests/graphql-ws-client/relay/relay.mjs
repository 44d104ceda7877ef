// Relay's store (relay-runtime) against the real server, with the artifacts relay-compiler made of
// operations.js: a connection paged forward (the query, then its @refetchable pagination query by node
// id) and backward, merged by Relay's ConnectionHandler; the cases' connection both ways; deletePower with
// @deleteRecord. Prints one JSON object of what the store holds, and every warning Relay gave.
// node relay.mjs ARTIFACTS URL TOKEN UNIT_CODE CASES_UNIT_ID POWER_TO_DELETE_ID
import path from "node:path";
import { pathToFileURL } from "node:url";
import relay from "relay-runtime";

const { Environment, Network, RecordSource, Store, fetchQuery, commitMutation, ConnectionHandler } = relay;
const [artifacts, url, token, unitCode, casesUnit, doomed] = process.argv.slice(2);

const warnings = [];
for (const level of ["warn", "error"]) {
  console[level] = (...args) => warnings.push(args.map(String).join(" "));
}
const load = async (name) => (await import(pathToFileURL(path.join(artifacts, `${name}.graphql.js`)).href)).default;
const [UnitQuery, PaginationQuery, CasesQuery, DeletePower] = await Promise.all(
  ["ConsoleUnitQuery", "UnitPowersPaginationQuery", "ConsoleCasesQuery", "ConsoleDeletePowerMutation"].map(load),
);

function environment() {
  const network = Network.create(async (params, variables) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: params.text, variables }),
    });
    return response.json();
  });
  return new Environment({ network, store: new Store(new RecordSource()) });
}

// a connection's edges as the store holds them, in order: the nodes' field `key`
function edges(env, parentId, key, connectionKey, filters) {
  const source = env.getStore().getSource();
  const parent = source.get(parentId);
  const connectionId = ConnectionHandler.getConnectionID(parentId, connectionKey, filters);
  const connection = source.get(connectionId);
  if (!parent || !connection) return null;
  const list = connection.edges.__refs.map((ref) => source.get(source.get(ref).node.__ref));
  return { nodes: list.map((node) => node?.[key] ?? null), pageInfo: source.get(connection.pageInfo.__ref) };
}

const pageSize = 2;
const out = { warnings };

// the powers of a unit, forward: the query's first page, then the pagination query's by the unit's node id
{
  const env = environment();
  const first = await fetchQuery(env, UnitQuery, { code: unitCode, first: pageSize }).toPromise();
  const unitId = first.unit.id;
  let info = edges(env, unitId, "code", "UnitPowers_powers").pageInfo;
  while (info.hasNextPage) {
    await fetchQuery(env, PaginationQuery, { id: unitId, first: pageSize, after: info.endCursor }).toPromise();
    info = edges(env, unitId, "code", "UnitPowers_powers").pageInfo;
  }
  out.forward = edges(env, unitId, "code", "UnitPowers_powers").nodes;
  out.unitId = unitId;
  // backward, from the end, in a store of its own
  const back = environment();
  await fetchQuery(back, UnitQuery, { code: unitCode, last: pageSize }).toPromise();
  info = edges(back, unitId, "code", "UnitPowers_powers").pageInfo;
  while (info.hasPreviousPage) {
    await fetchQuery(back, PaginationQuery, { id: unitId, last: pageSize, before: info.startCursor }).toPromise();
    info = edges(back, unitId, "code", "UnitPowers_powers").pageInfo;
  }
  out.backward = edges(back, unitId, "code", "UnitPowers_powers").nodes;

  // deletePower: the Deleted result is a record of its own type; @deleteRecord removes the power's
  const before = env.getStore().getSource().get(doomed)?.__typename ?? null;
  const result = await new Promise((resolve, reject) =>
    commitMutation(env, { mutation: DeletePower, variables: { id: doomed }, onCompleted: resolve, onError: reject }),
  );
  const source = env.getStore().getSource();
  out.deleted = {
    typenameBefore: before,
    result: result.deletePower,
    status: source.getStatus(doomed),
    resultTypename: source.get(result.deletePower?.id)?.__typename ?? null,
    edgesAfter: edges(env, unitId, "code", "UnitPowers_powers").nodes,
  };
}

// the cases of a unit (a root field's connection), both ways
for (const [direction, size, cursor, more] of [
  ["forward", "first", "after", "hasNextPage"],
  ["backward", "last", "before", "hasPreviousPage"],
]) {
  const env = environment();
  const filters = { filter: { unitId: casesUnit } };
  await fetchQuery(env, CasesQuery, { unit: casesUnit, [size]: pageSize }).toPromise();
  let found = edges(env, "client:root", "request", "ConsoleCases_cases", filters);
  while (found.pageInfo[more]) {
    const at = direction === "forward" ? found.pageInfo.endCursor : found.pageInfo.startCursor;
    await fetchQuery(env, CasesQuery, { unit: casesUnit, [size]: pageSize, [cursor]: at }).toPromise();
    found = edges(env, "client:root", "request", "ConsoleCases_cases", filters);
  }
  out[`cases_${direction}`] = found.nodes;
}

process.stdout.write(JSON.stringify(out) + "\n");
process.exit(0);
