import { webhookUrlProblem } from './webhook-url';

const publicDns = async () => ['93.184.215.14'];
const guarded = { allowPrivateTargets: false, resolve: publicDns };

describe('webhookUrlProblem', () => {
  it('accepts public http(s) URLs', async () => {
    expect(await webhookUrlProblem('https://hooks.example.org/newsflow?x=1', guarded)).toBeUndefined();
    expect(await webhookUrlProblem('http://93.184.215.14:8080/hook', guarded)).toBeUndefined();
  });

  it.each([
    ['ftp://example.org/hook', 'must be http or https, not ftp:'],
    ['file:///etc/passwd', 'must be http or https, not file:'],
    ['not a url', 'is not a URL'],
    ['https://user:pw@example.org/hook', 'must not contain credentials'],
    ['http://127.0.0.1:8080/hook', '127.0.0.1 is a private or reserved address'],
    ['http://[::1]/hook', '::1 is a private or reserved address'],
    ['http://169.254.169.254/latest/meta-data', '169.254.169.254 is a private or reserved address'],
    ['http://10.1.2.3/hook', '10.1.2.3 is a private or reserved address'],
    ['http://2130706433/hook', '127.0.0.1 is a private or reserved address'],
  ])('refuses %s', async (url, problem) => {
    expect(await webhookUrlProblem(url, guarded)).toContain(problem);
  });

  it('refuses names that resolve to a private address, or do not resolve', async () => {
    expect(
      await webhookUrlProblem('https://internal.example/hook', {
        allowPrivateTargets: false,
        resolve: async () => ['93.184.215.14', '192.168.1.20'],
      }),
    ).toBe('internal.example resolves to 192.168.1.20, a private or reserved address');
    expect(
      await webhookUrlProblem('https://nowhere.invalid/hook', {
        allowPrivateTargets: false,
        resolve: async () => {
          throw new Error('ENOTFOUND');
        },
      }),
    ).toBe('nowhere.invalid does not resolve');
  });

  it('resolves localhost for real and refuses it', async () => {
    expect(await webhookUrlProblem('http://localhost:8080/hook', { allowPrivateTargets: false })).toMatch(
      /localhost resolves to (127\.0\.0\.1|::1), a private or reserved address/,
    );
  });

  it('allows private targets when configured, but still only http(s)', async () => {
    const allowed = { allowPrivateTargets: true };
    expect(await webhookUrlProblem('http://127.0.0.1:8080/hook', allowed)).toBeUndefined();
    expect(await webhookUrlProblem('gopher://127.0.0.1/', allowed)).toContain('must be http or https');
  });
});
