import { api } from '../support/api';

describe('health', () => {
  it('answers liveness without a token', async () => {
    const response = await api().get('/health').expect(200);
    expect(response.body).toEqual({ status: 'ok' });
    expect(response.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('answers readiness with the database (and Redis when configured) up', async () => {
    const response = await api().get('/health/ready').expect(200);
    expect(response.body.status).toBe('ok');
    expect(response.body.info.database.status).toBe('up');
    if (process.env.TEST_TARGET === 'mariadb') expect(response.body.info.redis.status).toBe('up');
  });
});
