import { api, as, expectProblem, newTenantId } from '../support/api';
import { isolatedServerEnv } from '../support/backend';
import { RunningServer, startServer } from '../support/server';

describe('Webhook URLs with NODE_ENV=production', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ ...isolatedServerEnv(), NODE_ENV: 'production' });
  });
  afterAll(() => server.stop());

  it('refuses http and hosts that are loopback, private or link-local (422)', async () => {
    const headers = as(newTenantId());
    for (const url of [
      'http://93.184.215.14/hook',
      'https://localhost/hook',
      'https://127.0.0.1/hook',
      'https://10.1.2.3/hook',
      'https://172.16.0.9/hook',
      'https://192.168.1.1/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hook',
      'https://[fe80::1]/hook',
      'https://[fd00::1]/hook',
      'https://[::ffff:10.0.0.1]/hook',
      'https://0.0.0.0/hook',
      'https://does-not-exist.invalid/hook',
    ]) {
      const problem = expectProblem(
        await api(server.url).post('/v1/webhooks').set(headers).send({ url }),
        422,
        'VALIDATION_FAILED',
      );
      expect(problem.errors).toEqual([{ field: 'url', message: expect.any(String) }]);
    }
    expect((await api(server.url).get('/v1/webhooks').set(headers)).body.webhooks).toEqual([]);
  });

  it('accepts https to a public address', async () => {
    const headers = as(newTenantId());
    const response = await api(server.url)
      .post('/v1/webhooks')
      .set(headers)
      .send({ url: 'https://93.184.215.14/hook' });
    expect(response.status).toBe(201);
  });

  it('outside production, http and local hosts are fine (for development)', async () => {
    const headers = as(newTenantId());
    await api().post('/v1/webhooks').set(headers).send({ url: 'http://localhost:9/x' }).expect(201);
  });
});
