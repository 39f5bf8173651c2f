import {
  composeFormats,
  createComposeValidator,
  dependsOnMap,
  hostPathFor,
  interpolate,
  listOrDictToMap,
  maskInterpolations,
  parseMount,
  parseYaml,
} from './compose';

describe('compose helpers', () => {
  describe('interpolate', () => {
    it('applies defaults, alternatives and $$ escapes like docker compose', () => {
      const env = { SET: 'value', EMPTY: '' };
      const { value, problems } = interpolate(
        {
          a: '${UNSET:-fallback}',
          b: '${EMPTY:-fallback}',
          c: '${EMPTY-fallback}',
          d: 'x-${SET}-$SET',
          e: '$${NOT_INTERPOLATED}',
          f: '${SET:+alt}${UNSET:+alt}',
          list: ['${UNSET-1}', 2],
        },
        env,
      );
      expect(problems).toEqual([]);
      expect(value).toEqual({
        a: 'fallback',
        b: 'fallback',
        c: '',
        d: 'x-value-value',
        e: '${NOT_INTERPOLATED}',
        f: 'alt',
        list: ['1', 2],
      });
    });

    it('reports variables without a default, failed ${VAR:?} and a stray $', () => {
      const { problems } = interpolate({ a: '${MISSING}', b: { c: '${REQUIRED:?set it}' }, d: 'cost: $5' });
      expect(problems).toEqual([
        expect.stringContaining('/a: ${MISSING} is not set'),
        '/b/c: required variable REQUIRED is missing: set it',
        expect.stringContaining('/d: "$" must be followed by'),
      ]);
    });

    it('masks interpolations', () => {
      expect(maskInterpolations('postgres://${U:-u}:${P:-p}@db/x')).toBe('postgres://<var>:<var>@db/x');
    });
  });

  describe('parseYaml', () => {
    it('supports merge keys and reports duplicate keys', () => {
      expect(parseYaml('a: &x {k: 1}\nb:\n  <<: *x\n  j: 2\n')).toEqual({
        data: { a: { k: 1 }, b: { k: 1, j: 2 } },
        problems: [],
      });
      expect(parseYaml('a: 1\na: 2\n').problems).toEqual([expect.stringContaining('unique')]);
    });
  });

  describe('schema formats', () => {
    it.each(['3000', '3000:3000', '127.0.0.1:5432:5432', '127.0.0.1::80', '8000-8010:8000-8010/udp'])(
      'accepts port %s',
      (value) => expect(composeFormats['ports'](value)).toBe(true),
    );
    it.each(['', 'abc', '3000:', '70000:3000', '3000/http'])('rejects port %j', (value) =>
      expect(composeFormats['ports'](value)).toBe(false),
    );
    it('checks durations', () => {
      expect(['10s', '1m30s', '500ms', '1.5h'].map(composeFormats['duration'])).toEqual([
        true,
        true,
        true,
        true,
      ]);
      expect(['10', '10 s', 's', '1d'].map(composeFormats['duration'])).toEqual([false, false, false, false]);
    });
  });

  describe('createComposeValidator', () => {
    const validate = createComposeValidator();

    it('accepts a minimal file', () => {
      expect(validate({ services: { web: { image: 'nginx:1.27', ports: ['8080:80'] } } })).toEqual([]);
    });

    it('names unknown keys, bad enum values and bad formats', () => {
      const errors = validate({
        services: {
          web: {
            image: 'nginx:1.27',
            imagee: 'typo',
            depends_on: { db: { condition: 'service_ready' } },
            healthcheck: { interval: '10 seconds' },
          },
        },
      });
      expect(errors).toEqual(
        expect.arrayContaining([
          '/services/web must NOT have additional properties (unknown key "imagee")',
          expect.stringMatching(
            /^\/services\/web\/depends_on\/db\/condition must be equal to one of the allowed values \(allowed: /,
          ),
          '/services/web/healthcheck/interval must match format "duration"',
        ]),
      );
    });
  });

  describe('service helpers', () => {
    it('reads list and dict forms', () => {
      expect(listOrDictToMap(['A=1', 'B'])).toEqual(
        new Map([
          ['A', '1'],
          ['B', undefined],
        ]),
      );
      expect(listOrDictToMap({ A: 1, B: null })).toEqual(
        new Map([
          ['A', '1'],
          ['B', undefined],
        ]),
      );
      expect(dependsOnMap({ depends_on: ['db'] })).toEqual(new Map([['db', 'service_started']]));
    });

    it('parses mounts and maps container paths to host paths', () => {
      expect(parseMount('./conf:/etc/app:ro')).toEqual({
        kind: 'bind',
        source: './conf',
        target: '/etc/app',
      });
      expect(parseMount('data:/var/lib/app')).toEqual({
        kind: 'volume',
        source: 'data',
        target: '/var/lib/app',
      });
      expect(parseMount('/scratch')).toEqual({ kind: 'anonymous', target: '/scratch' });
      expect(parseMount({ type: 'bind', source: './x', target: '/x' })).toEqual({
        kind: 'bind',
        source: './x',
        target: '/x',
      });

      const service = {
        volumes: ['./deploy:/etc/app:ro', './deploy/special:/etc/app/special', 'data:/data'],
      };
      expect(hostPathFor('/repo', service, '/etc/app/a.yml')).toBe('/repo/deploy/a.yml');
      expect(hostPathFor('/repo', service, '/etc/app/special/b.yml')).toBe('/repo/deploy/special/b.yml');
      expect(hostPathFor('/repo', service, '/etc/application')).toBeUndefined();
      expect(hostPathFor('/repo', service, '/data/file')).toBeUndefined();
    });
  });
});
