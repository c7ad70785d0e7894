import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { api, apiUrl, newTenantId, tokenFor } from '../support/api';
import { testTarget } from '../support/test-target';

/** Debian's package (scripts/chromium.sh installs it); nothing here downloads a browser. */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = join(__dirname, '..', '..', 'test-output', 'screenshots');
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Swagger UI in a real browser: authorize with a token, then Try it out on two operations. */
describe('Swagger UI in Chromium', () => {
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const tenantId = newTenantId();
  const name = `Swagger ${tenantId.slice(-8)}`;
  const phone = `+4860${String(Date.now()).slice(-7)}`;
  const email = `swagger-${tenantId.slice(-8).toLowerCase()}@example.com`;
  let createdId = '';

  const shot = (step: string, element?: Locator) =>
    (element ?? page).screenshot({ path: join(SCREENSHOTS, `${testTarget()}-${step}.png`) });

  /** The expanded operation block, in Try it out mode. */
  async function tryItOut(operationId: string): Promise<Locator> {
    const block = page.locator(`#operations-Contacts-${operationId}`);
    await block.locator('.opblock-summary').first().click();
    await block.locator('button.try-out__btn').click();
    return block;
  }

  async function execute(block: Locator) {
    await block.locator('button.execute').click();
    const response = block.locator('.live-responses-table .response').first();
    await response.waitFor();
    return {
      status: (await response.locator('.response-col_status').innerText()).trim(),
      body: await response.locator('.response-col_description pre').first().innerText(),
      requestUrl: await block.locator('.request-url pre').innerText(),
    };
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: run \`bash scripts/chromium.sh\` (Debian's chromium)`,
      );
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    // A fresh profile each run: no stored authorization, no state from an earlier run.
    profile = mkdtempSync(join(tmpdir(), 'contacts-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${apiUrl()}/docs`);
    await page.locator('.opblock-tag').first().waitFor();
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('lists the Contacts group first', async () => {
    const groups = await page.locator('.opblock-tag').allInnerTexts();
    expect(groups[0]).toMatch(/^Contacts\b/);
    await shot('1-loaded');
  });

  it('authorizes with a bearer token', async () => {
    await page.locator('.auth-wrapper button.authorize').click();
    const dialog = page.locator('.modal-ux');
    await dialog.locator('input').first().fill(tokenFor(tenantId));
    await dialog.locator('.auth-btn-wrapper button.authorize').click();
    // Swagger UI swaps the Authorize button for Logout once it holds the token.
    await dialog.getByRole('button', { name: 'Remove authorization' }).waitFor();
    expect(await dialog.locator('.auth-btn-wrapper').innerText()).toContain('Logout');
    await shot('2-authorized');
    await dialog.locator('button.btn-done').click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('creates a contact with Try it out: 201 and a con_ id', async () => {
    const block = await tryItOut('createContact');
    await block
      .locator('textarea.body-param__text')
      .fill(JSON.stringify({ name, phone, customFields: { email } }, null, 2));
    const result = await execute(block);
    await shot('3-create-contact', block);
    expect(result.status).toBe('201');
    createdId = /"id": "(con_[0-9A-HJKMNP-TV-Z]{26})"/.exec(result.body)?.[1] ?? '';
    expect(createdId).toMatch(/^con_/);
    expect(JSON.parse(result.body)).toMatchObject({ id: createdId, name, tenantId });
  });

  it('lists contacts with a customFields filter through Try it out', async () => {
    // Another contact in the tenant, which the filter must leave out.
    await api()
      .post('/v1/contacts')
      .set('Authorization', `Bearer ${tokenFor(tenantId)}`)
      .send({ name: 'Not filtered', customFields: { email: 'other@example.com' } })
      .expect(201);
    const block = await tryItOut('getContacts');
    await block
      .locator('tr[data-param-name="customFields"] textarea')
      .fill(JSON.stringify({ email }));
    const result = await execute(block);
    await shot('4-get-contacts', block);
    expect(result.status).toBe('200');
    expect(result.requestUrl).toContain(`customFields%5Bemail%5D=${encodeURIComponent(email)}`);
    const body = JSON.parse(result.body) as { contacts: { id: string }[] };
    expect(body.contacts.map((c) => c.id)).toEqual([createdId]);
  });
});
