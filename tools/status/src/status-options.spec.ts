import { parseStatusArgs } from './status-options';

describe('parseStatusArgs', () => {
  it('defaults to the services on 127.0.0.1:3000-3003, two scrapes 3 s apart', () => {
    expect(parseStatusArgs([])).toEqual({
      kind: 'run',
      options: {
        urls: {
          ingestion: 'http://127.0.0.1:3000',
          enrichment: 'http://127.0.0.1:3001',
          storage: 'http://127.0.0.1:3002',
          notification: 'http://127.0.0.1:3003',
        },
        intervalSeconds: 3,
        timeoutMs: 2_000,
        json: false,
      },
    });
  });

  it('takes ports or URLs from flags before the environment', () => {
    const parsed = parseStatusArgs(
      ['--storage', '4002', '--notification', 'https://notify.example.test/', '--once'],
      {
        NEWSFLOW_HOST: '127.0.0.2',
        NEWSFLOW_STORAGE_URL: 'http://127.0.0.1:9999',
        NEWSFLOW_ENRICHMENT_URL: 'http://127.0.0.1:5001',
      },
    );
    expect(parsed).toMatchObject({
      kind: 'run',
      options: {
        urls: {
          ingestion: 'http://127.0.0.2:3000',
          enrichment: 'http://127.0.0.1:5001',
          storage: 'http://127.0.0.2:4002',
          notification: 'https://notify.example.test',
        },
        intervalSeconds: undefined,
      },
    });
  });

  it('names what is wrong', () => {
    expect(parseStatusArgs(['--interval', '0'])).toEqual({
      kind: 'error',
      message: expect.stringMatching(/--interval/),
    });
    expect(parseStatusArgs(['--storage'])).toEqual({ kind: 'error', message: '--storage needs a value' });
    expect(parseStatusArgs(['--storage', 'ftp://x'])).toEqual({
      kind: 'error',
      message: '--storage must be a port or an http(s) URL',
    });
    expect(parseStatusArgs([], { NEWSFLOW_INGESTION_URL: 'nope' })).toEqual({
      kind: 'error',
      message: 'NEWSFLOW_INGESTION_URL must be a port or an http(s) URL',
    });
    expect(parseStatusArgs(['--verbose'])).toEqual({
      kind: 'error',
      message: expect.stringMatching(/unknown/),
    });
    expect(parseStatusArgs(['--json', '-h'])).toEqual({ kind: 'help' });
  });
});
