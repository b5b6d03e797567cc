// fauxqs on 127.0.0.1 only: startFauxqs() listens on every interface, so build the app and listen ourselves.
// Prints "FAUXQS_PORT=<port>" once listening; the test fixture reads that line and stops the process by its id.
import { buildApp } from "fauxqs";

const app = buildApp({ logger: false, host: "localhost" });
const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: "127.0.0.1" });
console.log(`FAUXQS_PORT=${new URL(address).port}`);

const stop = async () => {
  await app.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
