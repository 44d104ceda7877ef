// PostGraphile 5 asks for Node 22; Node 20 (Debian's here) lacks two functions it calls.
// Loaded before the server with `node --import ./shim.mjs server.mjs`.
if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function withResolvers() {
    let resolve, reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
if (typeof Array.fromAsync !== "function") {
  Array.fromAsync = async function fromAsync(items, mapFn, thisArg) {
    const out = [];
    let i = 0;
    for await (const item of items) {
      out.push(mapFn ? await mapFn.call(thisArg, item, i) : item);
      i += 1;
    }
    return out;
  };
}
