#!/usr/bin/env node
// @ts-check
/**
 * `npm run kafka -- <command>`: the local development broker on its own, for working on one service
 * with `nx serve`, a debugger, or several `npm start` runs against one broker.
 *
 *   start   runs the broker on 127.0.0.1:9092 (controller 9093) in the foreground until Ctrl-C; data in
 *           .cache/kafka/data (the same broker and data `npm start` uses), log in .cache/kafka/broker.log
 *   stop    stops a broker started by `start` or `npm start` (e.g. from another terminal, or one left
 *           behind by a killed script)
 *   status  whether a broker answers on 127.0.0.1:9092, and what it reports
 *   reset   deletes .cache/kafka/data (all topics and offsets); the broker must be stopped
 *   logs    prints the last lines of .cache/kafka/broker.log
 */
import fs from 'node:fs';
import {
  DEV_BROKER,
  brokerPidFromFile,
  describeBrokerStartup,
  ensureKafkaJars,
  isReachable,
  logExcerpt,
  probeKafka,
  startBroker,
  stopBrokerFromPidFile,
} from './lib/kafka-broker.mjs';
import { describeExit, isShuttingDown, onShutdownSignal, stopAll } from './lib/processes.mjs';
import { errorMessage, fail, formatDuration, note, ok, paint, rel, step, tailFile } from './lib/util.mjs';

const HOST = '127.0.0.1';
const { port, controllerPort, dataDir, logFile, pidFile } = DEV_BROKER;
const USAGE = `Usage: npm run kafka -- start|stop|status|reset|logs

  start   run the development broker on ${HOST}:${port} in the foreground (Ctrl-C stops it)
  stop    stop the development broker (started here or by npm start)
  status  show whether a broker answers on ${HOST}:${port}
  reset   delete its data (${rel(dataDir)}); stop it first
  logs    show the end of ${rel(logFile)}`;

async function start() {
  if (await isReachable(HOST, port)) {
    ok(
      `A broker already listens on ${HOST}:${port}; nothing to start. (\`npm run kafka -- status\` shows more.)`,
    );
    return 0;
  }
  const jars = await ensureKafkaJars();
  onShutdownSignal(() => 0);
  step(`Starting Kafka ${jars.version} on ${HOST}:${port} (data in ${rel(dataDir)})`);
  const broker = await startBroker({
    dataDir,
    port,
    controllerPort,
    logFile,
    pidFile,
    jars,
    onUnexpectedExit: (info) => {
      if (info.signal === 'SIGTERM' || info.code === 143) {
        ok('Kafka broker stopped (SIGTERM from elsewhere, e.g. `npm run kafka -- stop`).');
        process.exit(0);
      }
      fail(`Kafka broker exited (${describeExit(info)}). From ${rel(logFile)}:\n${logExcerpt(logFile, 20)}`);
      process.exit(1);
    },
  });
  ok(`Kafka ready on ${paint('bold', broker.bootstrap)} (${describeBrokerStartup(broker)})`);
  note(`Log: ${rel(logFile)}   Stop: Ctrl-C here, or \`npm run kafka -- stop\` elsewhere.`);
  await broker.exited;
  if (isShuttingDown()) await stopAll(); // let the Ctrl-C shutdown finish its messages
  return 0;
}

async function stop() {
  const pid = brokerPidFromFile(pidFile);
  if (pid === undefined) {
    if (await isReachable(HOST, port)) {
      fail(
        `Something listens on ${HOST}:${port}, but not a broker started by tools/dev (no live pid in ${rel(pidFile)}).`,
      );
      return 1;
    }
    note(`No development broker is running.`);
    return 0;
  }
  step(`Stopping the Kafka broker (pid ${pid})`);
  const started = Date.now();
  await stopBrokerFromPidFile(pidFile);
  ok(`Stopped (${formatDuration(Date.now() - started)})`);
  return 0;
}

async function status() {
  const pid = brokerPidFromFile(pidFile);
  if (!(await isReachable(HOST, port))) {
    note(
      pid
        ? `Broker process ${pid} is running but ${HOST}:${port} does not accept connections yet.`
        : `No broker on ${HOST}:${port}.`,
    );
    return 1;
  }
  try {
    const probe = await probeKafka(HOST, port, 3000);
    ok(`Kafka answers on ${HOST}:${port}`);
    note(`  cluster id   ${probe.clusterId ?? '?'}`);
    note(`  brokers      ${probe.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`).join(', ') || '?'}`);
    note(`  controller   ${probe.controllerId}`);
    note(
      `  started by   ${pid ? `tools/dev (pid ${pid}); data ${rel(dataDir)}, log ${rel(logFile)}` : 'something else (no pid file)'}`,
    );
    return 0;
  } catch (error) {
    fail(`${HOST}:${port} accepts connections but does not answer as Kafka: ${errorMessage(error)}`);
    return 1;
  }
}

async function reset() {
  if (brokerPidFromFile(pidFile) !== undefined || (await isReachable(HOST, port))) {
    fail('Stop the broker first (`npm run kafka -- stop`).');
    return 1;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  ok(`Deleted ${rel(dataDir)}; the next start formats a fresh one.`);
  return 0;
}

async function main() {
  const command = process.argv[2];
  switch (command) {
    case 'start':
      return start();
    case 'stop':
      return stop();
    case 'status':
      return status();
    case 'reset':
      return reset();
    case 'logs':
      process.stdout.write(`${tailFile(logFile, 60) || `(no ${rel(logFile)} yet)`}\n`);
      return 0;
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    default:
      process.stderr.write(`${command ? `Unknown command ${command}` : 'Missing command'}\n\n${USAGE}\n`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    fail(errorMessage(error));
    process.exit(1);
  },
);
