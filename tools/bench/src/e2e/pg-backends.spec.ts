import { backendClientPort, parseProcNetTcp } from './pg-backends';

describe('parseProcNetTcp', () => {
  it('maps socket inodes to local ports, skipping the header and listening-less rows', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   107        0 23456 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:9A0A 0100007F:1538 01 00000000:00000000 00:00000000 00000000  1000        0 78901 1 0000000000000000 20 4 30 10 -1',
      '   2: 0100007F:9A0B 0100007F:1538 06 00000000:00000000 00:00000000 00000000     0        0 0 1',
      '',
    ].join('\n');
    expect([...parseProcNetTcp(text)]).toEqual([
      [23456, 5432],
      [78901, 39434],
    ]);
  });
});

describe('backendClientPort', () => {
  it("reads the client's port of a backend of the database", () => {
    const title = 'postgres: 15/main: postgres newsflow_bench_e2e 127.0.0.1(39418) idle in transaction ';
    expect(backendClientPort(title, 'newsflow_bench_e2e')).toBe(39418);
  });

  it('ignores other databases and background processes', () => {
    expect(
      backendClientPort('postgres: 15/main: postgres newsflow 127.0.0.1(39418) idle', 'newsflow_bench_e2e'),
    ).toBeUndefined();
    expect(backendClientPort('postgres: 15/main: walwriter ', 'newsflow_bench_e2e')).toBeUndefined();
  });
});
