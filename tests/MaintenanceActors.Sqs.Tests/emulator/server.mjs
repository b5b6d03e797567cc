// fauxqs on 127.0.0.1 only: startFauxqs() listens on every interface, so build the app and listen ourselves.
// Prints "FAUXQS_PORT=<port>" once listening; the test fixture reads that line and stops the process by its id.
//
// fauxqs accepts any credentials and never checks a signature. With REQUIRE_ACCESS_KEY_ID set (the test fixture sets
// "test"), a request signed with another access key is refused as SQS refuses an unknown key: HTTP 403, error code
// InvalidClientTokenId. Only the key id in the SigV4 Authorization header is compared; the secret is not verified.
import { buildApp } from "fauxqs";

// DATA_DIR keeps queues and messages in a SQLite file there, so a stopped emulator comes back with them. fauxqs offers that
// (its PersistenceManager) only through startFauxqs(), which listens on every interface; so wire the same stores here, as
// startFauxqs does, from fauxqs' own files (the version is pinned in package-lock.json).
const app = buildApp({ logger: false, host: "localhost", stores: process.env.DATA_DIR ? await persistentStores(process.env.DATA_DIR) : undefined });

const requiredKey = process.env.REQUIRE_ACCESS_KEY_ID;
if (requiredKey) {
  app.addHook("onRequest", (request, reply, done) => {
    const key = /Credential=([^/,\s]+)\//.exec(request.headers.authorization ?? "")?.[1];
    if (key === requiredKey) {
      done();
      return;
    }
    reply
      .code(403)
      .header("content-type", "application/x-amz-json-1.0")
      .header("x-amzn-query-error", "InvalidClientTokenId;Sender")
      .send({
        __type: "com.amazon.coral.service#InvalidClientTokenId",
        message: "The security token included in the request is invalid.",
      });
  });
}

const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: "127.0.0.1" });
console.log(`FAUXQS_PORT=${new URL(address).port}`);

const stop = async () => {
  await app.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

async function persistentStores(dataDir) {
  const dist = new URL("./node_modules/fauxqs/dist/", import.meta.url);
  const { SqsStore } = await import(new URL("sqs/sqsStore.js", dist));
  const { SnsStore } = await import(new URL("sns/snsStore.js", dist));
  const { S3Store } = await import(new URL("s3/s3Store.js", dist));
  const { PersistenceManager } = await import(new URL("persistence.js", dist));
  const persistence = new PersistenceManager(dataDir);
  const stores = { sqsStore: new SqsStore(), snsStore: new SnsStore(), s3Store: new S3Store() };
  persistence.load(stores.sqsStore, stores.snsStore, stores.s3Store);
  stores.sqsStore.persistence = persistence;
  stores.snsStore.persistence = persistence;
  stores.s3Store.persistence = persistence;
  for (const queue of stores.sqsStore.allQueues()) {
    queue.persistence = persistence;
  }
  return stores;
}
