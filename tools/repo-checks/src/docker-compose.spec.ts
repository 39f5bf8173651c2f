/**
 * Checks docker-compose.yml and the monitoring config it mounts (deploy/) without a Docker engine:
 * schema validity, and that everything the file refers to exists and agrees with the repo.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import {
  buildOf,
  type ComposeFile,
  type ComposeService,
  createComposeValidator,
  dependsOnMap,
  hostPathFor,
  interpolate,
  isRecord,
  listOrDictToMap,
  maskInterpolations,
  mountsOf,
  parseYaml,
} from './lib/compose';
import { findRepoRoot } from './lib/repo-root';

const repoRoot = findRepoRoot(__dirname);
const fromRoot = (...parts: string[]) => join(repoRoot, ...parts);
const shown = (path: string) => relative(repoRoot, path) || '.';

/** The four services, their Nx project names (= compose service names) and ports. */
const APPS = { ingestion: 3000, enrichment: 3001, storage: 3002, notification: 3003 } as const;
type App = keyof typeof APPS;
const APP_NAMES = Object.keys(APPS) as App[];

const composeText = readFileSync(fromRoot('docker-compose.yml'), 'utf8');
const parsed = parseYaml(composeText);
// Interpolated with an empty environment: what `docker compose up` sees without any .env file.
const interpolated = interpolate(parsed.data, {});
// Trusted as a ComposeFile only because the schema test below validates it.
const compose = interpolated.value as ComposeFile;
/** Before interpolation, to see which values are `${VAR:-default}` expressions. */
const rawCompose = parsed.data as ComposeFile;

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

function environmentOf(name: string): Map<string, string | undefined> {
  return listOrDictToMap(service(name).environment);
}

function readYamlFile(path: string): unknown {
  const { data, problems } = parseYaml(readFileSync(path, 'utf8'));
  if (problems.length > 0) throw new Error(`${shown(path)} does not parse:\n${problems.join('\n')}`);
  return data;
}

/** Files in `dir` whose name matches a shell-style pattern (`*`, `?`), as Prometheus' rule_files globs. */
function globFiles(dir: string, pattern: string): string[] {
  if (!existsSync(dir)) return [];
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );
  return readdirSync(dir)
    .filter((name) => regex.test(name))
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

describe('docker-compose.yml', () => {
  it('is well-formed YAML (no syntax errors, no duplicate keys)', () => {
    expect(parsed.problems).toEqual([]);
    expect(isRecord(parsed.data)).toBe(true);
  });

  it('gives every ${VAR} a default, or requires it (${VAR:?message}) with a message saying how to set it', () => {
    // A deliberate requirement (the notification encryption key has no safe default) stops
    // `docker compose up` with its message; anything else must start without a .env file.
    const required = /: required variable [A-Za-z_][A-Za-z0-9_]* is missing: (.*)$/;
    expect(interpolated.problems.filter((problem) => !required.test(problem))).toEqual([]);
    for (const problem of interpolated.problems) expect(required.exec(problem)?.[1]).toMatch(/^set \w+/);
  });

  it('is valid against the Compose Specification schema', () => {
    const validate = createComposeValidator();
    expect(validate(compose)).toEqual([]);
  });

  it('builds from a context and Dockerfile that exist', () => {
    const problems: string[] = [];
    for (const [name, svc] of Object.entries(compose.services)) {
      const build = buildOf(svc);
      if (build === undefined) continue;
      const context = resolve(repoRoot, build.context);
      const dockerfile = resolve(context, build.dockerfile);
      if (!existsSync(context) || !statSync(context).isDirectory()) {
        problems.push(`${name}: build context ${shown(context)} is not a directory`);
      } else if (!existsSync(dockerfile)) {
        problems.push(`${name}: Dockerfile ${shown(dockerfile)} does not exist`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('bind-mounts only host paths that exist in the repo, and declares every named volume', () => {
    const declared = new Set(Object.keys(compose.volumes ?? {}));
    const problems: string[] = [];
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const mount of mountsOf(svc)) {
        if (mount.kind === 'bind') {
          const host = resolve(repoRoot, mount.source);
          if (!host.startsWith(repoRoot))
            problems.push(`${name}: bind mount ${mount.source} is outside the repo`);
          else if (!existsSync(host))
            problems.push(`${name}: bind mount source ${mount.source} does not exist`);
        } else if (mount.kind === 'volume' && !declared.has(mount.source)) {
          problems.push(`${name}: named volume "${mount.source}" is not declared under top-level volumes`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('only depends on services that exist, and waits for health only where there is a healthcheck', () => {
    const problems: string[] = [];
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const [dependency, condition] of dependsOnMap(svc)) {
        const target = compose.services[dependency];
        if (target === undefined) {
          problems.push(`${name}: depends on "${dependency}", which is not a service`);
          continue;
        }
        if (condition !== 'service_healthy') continue;
        const build = buildOf(target);
        const imageHasHealthcheck =
          build !== undefined &&
          /^HEALTHCHECK\s/m.test(readFileSync(resolve(repoRoot, build.context, build.dockerfile), 'utf8'));
        const composeHasHealthcheck = target.healthcheck !== undefined && target.healthcheck.disable !== true;
        if (!composeHasHealthcheck && !imageHasHealthcheck) {
          problems.push(`${name}: waits for "${dependency}" to be healthy, but it has no healthcheck`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('pins every pulled image to a tag other than latest', () => {
    const unpinned = Object.entries(compose.services)
      .filter(([, svc]) => svc.build === undefined)
      .filter(([, svc]) => {
        const image = svc.image ?? '';
        const tag = /:([^/:@]+)$/.exec(image)?.[1];
        return !image.includes('@sha256:') && (tag === undefined || tag === 'latest');
      })
      .map(([name, svc]) => `${name}: ${svc.image ?? '(no image)'}`);
    expect(unpinned).toEqual([]);
  });

  it('hard-codes no credentials: secrets are ${VAR:-default} expressions', () => {
    const secretKey = /PASSWORD|SECRET|TOKEN|API_KEY|ACCESS_KEY|PRIVATE_KEY/i;
    const wholeInterpolation = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-[^}]*)?\}$/;
    const problems: string[] = [];
    for (const [name, svc] of Object.entries(rawCompose.services)) {
      for (const [key, value] of listOrDictToMap(svc.environment)) {
        if (value === undefined) continue;
        if (secretKey.test(key) && !wholeInterpolation.test(value)) {
          problems.push(`${name}: ${key} must be a \${VAR:-default} expression`);
        }
        const password = /:\/\/[^/@\s:]*:([^/@\s]*)@/.exec(maskInterpolations(value))?.[1];
        if (password !== undefined && password !== '<var>') {
          problems.push(`${name}: ${key} has a literal password in its URL; use \${VAR:-default}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('runs the Kafka image version pinned in tools/kafka/pom.xml', () => {
    const pom = readFileSync(fromRoot('tools/kafka/pom.xml'), 'utf8');
    const pinned = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(pom)?.[1];
    expect(pinned).toBeDefined();
    const image = service('kafka').image ?? '';
    expect(image).toMatch(/^apache\/kafka:/);
    expect(image.slice(image.lastIndexOf(':') + 1)).toBe(pinned);
  });

  describe.each(APP_NAMES)('service %s', (app) => {
    it('is built from the shared Dockerfile with build arg APP equal to its name', () => {
      const build = buildOf(service(app));
      expect(build).toBeDefined();
      expect(resolve(repoRoot, build?.context ?? '', build?.dockerfile ?? '')).toBe(fromRoot('Dockerfile'));
      expect(listOrDictToMap(build?.args).get('APP')).toBe(app);
    });

    it(`listens on PORT ${APPS[app]}`, () => {
      expect(environmentOf(app).get('PORT')).toBe(String(APPS[app]));
    });

    it('sets KAFKA_BROKERS to brokers that are compose services', () => {
      const brokers = environmentOf(app).get('KAFKA_BROKERS');
      expect(brokers).toBeDefined();
      const hosts = (brokers ?? '').split(',').map((broker) => broker.trim().split(':')[0]);
      expect(hosts.length).toBeGreaterThan(0);
      for (const host of hosts) expect(Object.keys(compose.services)).toContain(host);
    });

    it('sets DATABASE_URL to a postgres:// URL on a compose service', () => {
      const url = environmentOf(app).get('DATABASE_URL');
      expect(url).toBeDefined();
      const parsedUrl = new URL(url ?? '');
      expect(parsedUrl.protocol).toMatch(/^postgres(ql)?:$/);
      expect(Object.keys(compose.services)).toContain(parsedUrl.hostname);
    });

    it('waits for healthy Kafka and Postgres and restarts unless stopped', () => {
      const dependsOn = dependsOnMap(service(app));
      expect(dependsOn.get('kafka')).toBe('service_healthy');
      expect(dependsOn.get('postgres')).toBe('service_healthy');
      expect(service(app).restart).toBe('unless-stopped');
    });
  });
});

describe('Prometheus (deploy/prometheus)', () => {
  const prometheus = () => service('prometheus');
  const containerConfigPath = () => {
    const command = prometheus().command;
    const args = typeof command === 'string' ? command.split(/\s+/) : (command ?? []);
    const flag = args.find((arg) => arg.startsWith('--config.file='));
    return flag?.slice('--config.file='.length) ?? '/etc/prometheus/prometheus.yml';
  };
  const hostConfigPath = () => hostPathFor(repoRoot, prometheus(), containerConfigPath());
  const config = () => {
    const data = readYamlFile(fromRoot('deploy/prometheus/prometheus.yml'));
    if (!isRecord(data)) throw new Error('deploy/prometheus/prometheus.yml is not a YAML mapping');
    return data;
  };

  it('mounts deploy/prometheus/prometheus.yml at the --config.file path', () => {
    expect(hostConfigPath()).toBe(fromRoot('deploy/prometheus/prometheus.yml'));
  });

  it('parses and has scrape_configs', () => {
    expect(Array.isArray(config()['scrape_configs'])).toBe(true);
  });

  // The dashboards and alerts select the services by job "newsflow" and their `service` label.
  it.each(APP_NAMES)(
    'scrapes %s /metrics as job "newsflow", service="%s", on the port compose gives it',
    (app) => {
      const scrapeConfigs = (config()['scrape_configs'] as unknown[]).filter(isRecord);
      const job = scrapeConfigs.find((c) => c['job_name'] === 'newsflow');
      expect(job).toBeDefined();
      expect(job?.['metrics_path'] ?? '/metrics').toBe('/metrics');
      const groups = ((job?.['static_configs'] as unknown[] | undefined) ?? [])
        .filter(isRecord)
        .filter((sc) => isRecord(sc['labels']) && sc['labels']['service'] === app);
      expect(groups.flatMap((sc) => (Array.isArray(sc['targets']) ? sc['targets'] : []))).toEqual([
        `${app}:${environmentOf(app).get('PORT') ?? '(no PORT)'}`,
      ]);
    },
  );

  it('loads rule files that exist through its mounts', () => {
    const ruleFiles = config()['rule_files'];
    expect(Array.isArray(ruleFiles)).toBe(true);
    for (const pattern of ruleFiles as unknown[]) {
      expect(typeof pattern).toBe('string');
      const hostPattern = hostPathFor(repoRoot, prometheus(), String(pattern));
      expect(hostPattern).toBeDefined();
      const files = globFiles(dirname(hostPattern ?? ''), basename(hostPattern ?? ''));
      expect(files.map(shown)).toContain('deploy/prometheus/rules/newsflow.rules.yml');
    }
  });

  // What the rules say is checked in monitoring.spec.ts.
});

describe('Grafana (deploy/grafana)', () => {
  const grafana = () => service('grafana');
  const provisioningDir = () => hostPathFor(repoRoot, grafana(), '/etc/grafana/provisioning');
  const dashboardsDir = fromRoot('deploy/grafana/dashboards');
  const dashboardFiles = existsSync(dashboardsDir)
    ? readdirSync(dashboardsDir).filter((name) => name.endsWith('.json'))
    : [];

  it('mounts deploy/grafana/provisioning as its provisioning folder', () => {
    expect(provisioningDir()).toBe(fromRoot('deploy/grafana/provisioning'));
  });

  it('provisions the Prometheus datasource with uid "prometheus" pointing at the prometheus service', () => {
    const files = globFiles(join(provisioningDir() ?? '', 'datasources'), '*.y*ml');
    const datasources = files
      .map(readYamlFile)
      .flatMap((doc) => (isRecord(doc) && Array.isArray(doc['datasources']) ? doc['datasources'] : []))
      .filter(isRecord);
    const prometheusDs = datasources.find((ds) => ds['uid'] === 'prometheus');
    expect(prometheusDs).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
  });

  it('loads dashboards from the folder deploy/grafana/dashboards is mounted at', () => {
    const files = globFiles(join(provisioningDir() ?? '', 'dashboards'), '*.y*ml');
    const paths = files
      .map(readYamlFile)
      .flatMap((doc) => (isRecord(doc) && Array.isArray(doc['providers']) ? doc['providers'] : []))
      .filter(isRecord)
      .map((provider) => (isRecord(provider['options']) ? provider['options']['path'] : undefined))
      .filter((path): path is string => typeof path === 'string')
      .map((path) => hostPathFor(repoRoot, grafana(), path));
    expect(paths).toContain(dashboardsDir);
  });

  it('has dashboards, and opens on the pipeline overview', () => {
    expect(dashboardFiles).toContain('pipeline-overview.json');
    expect(environmentOf('grafana').get('GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH')).toBe(
      '/etc/grafana/dashboards/pipeline-overview.json',
    );
  });

  it.each(dashboardFiles)('%s parses and queries only the "prometheus" datasource', (file) => {
    const dashboard: unknown = JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8'));
    expect(isRecord(dashboard)).toBe(true);
    const problems: string[] = [];
    let targetCount = 0;
    const checkDatasource = (where: string, datasource: unknown) => {
      const uid = isRecord(datasource) ? datasource['uid'] : undefined;
      if (uid !== 'prometheus')
        problems.push(`${where}: datasource uid is ${JSON.stringify(uid)}, expected "prometheus"`);
    };
    const visit = (panels: unknown) => {
      for (const panel of Array.isArray(panels) ? panels : []) {
        if (!isRecord(panel)) continue;
        const where = `panel ${String(panel['id'])} "${String(panel['title'])}"`;
        // Rows hold no queries of their own; their datasource is unset or a mixed placeholder.
        if (panel['type'] !== 'row' && panel['datasource'] !== undefined)
          checkDatasource(where, panel['datasource']);
        for (const target of Array.isArray(panel['targets']) ? panel['targets'] : []) {
          targetCount += 1;
          checkDatasource(
            `${where} target ${isRecord(target) ? String(target['refId']) : '?'}`,
            isRecord(target) ? target['datasource'] : undefined,
          );
        }
        visit(panel['panels']); // collapsed rows nest their panels
      }
    };
    visit(isRecord(dashboard) ? dashboard['panels'] : undefined);
    expect(problems).toEqual([]);
    expect(targetCount).toBeGreaterThan(0);
  });
});

describe('Dockerfile and .dockerignore', () => {
  it('.dockerignore keeps local state and build output out of the build context', () => {
    const entries = readFileSync(fromRoot('.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(entries).toEqual(
      expect.arrayContaining(['node_modules', 'dist', '.nx', '.cache', 'data', 'coverage', '.git']),
    );
  });

  it('takes the app as build arg APP and runs it as the non-root node user, listening on all interfaces', () => {
    const dockerfile = readFileSync(fromRoot('Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^FROM\s/m).slice(1);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage).toMatch(/^ARG APP\b/m);
    const runtime = stages[stages.length - 1];
    expect(runtime).toMatch(/^USER node\s*$/m);
    // The services bind to 127.0.0.1 unless HOST is set: unreachable from other containers.
    expect(runtime).toMatch(/^\s*HOST=0\.0\.0\.0\b/m);
    expect(runtime).toMatch(/^HEALTHCHECK\s/m);
    expect(runtime).toMatch(/^CMD .*dist\/apps\/\$\{?APP\}?\/apps\/\$\{?APP\}?\/src\/main\.js/m);
  });
});
