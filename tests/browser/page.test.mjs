// Browser test of the page served at GET / by `sinch-auth serve` (accounts mode).
// Drives Debian's Chromium headless through playwright-core: sign up, log in,
// get a ticket and a registration token, check what the page decodes against an
// independent decode here, log out, and check the session is really revoked.
//
//   BASE_URL=http://127.0.0.1:8080/ node --test page.test.mjs
//
// .ci/browser.sh starts the real server and runs this. Screenshots go to output/.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { chromium } from 'playwright-core';

const BASE_URL = process.env.BASE_URL;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const OUTPUT = fileURLToPath(new URL('./output/', import.meta.url));
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

// Exercises the whole user-id alphabet (FORMATS §2): letters, digits, - _ =
const username = `e2e-${Date.now().toString(36)}_${randomBytes(3).toString('hex')}=`;
const password = `pw ${randomUUID()}`; // a space: passwords are not trimmed

let context;
let page;
let failed = false;
const consoleErrors = [];
const requests = [];

/** Runs steps in order; once one fails, the rest are skipped (reported, not hidden). */
function step(name, body) {
  test(name, async (t) => {
    if (failed) return t.skip('an earlier step failed');
    try {
      await body(t);
    } catch (error) {
      failed = true;
      throw error;
    }
  });
}

const byTestId = (id) => page.getByTestId(id);
const text = async (id) => (await byTestId(id).textContent())?.trim() ?? '';

async function expectError({ status, code }) {
  const alert = page.getByRole('alert');
  await alert.waitFor({ state: 'visible' });
  assert.ok((await alert.textContent()).trim().length > 0, 'the alert says something');
  if (status) assert.equal(await alert.getAttribute('data-status'), String(status));
  if (code) assert.equal(await alert.getAttribute('data-code'), code);
  else assert.ok(await alert.getAttribute('data-code'), 'the problem carries a code');
}

async function expectNoError() {
  assert.equal(await page.getByTestId('error').isVisible(), false, `no error: ${await text('error')}`);
}

/** Waits for the in-flight request (buttons are disabled meanwhile) to finish. */
async function settled() {
  await page.waitForFunction(() => !document.body.hasAttribute('aria-busy'));
}

/** axe-core's findings for the page as it is now, one line each. */
async function accessibilityViolations() {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(await readFile(AXE, 'utf8'));
  return page.evaluate(async () => {
    const { violations } = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return violations.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`);
  });
}

function decodeBase64Json(part) {
  return JSON.parse(Buffer.from(part, 'base64').toString('utf8')); // Buffer reads both alphabets
}

before(async () => {
  assert.ok(BASE_URL, 'set BASE_URL to the running service, e.g. http://127.0.0.1:8080/');
  await mkdir(OUTPUT, { recursive: true });
  const userDataDir = await mkdtemp(join(tmpdir(), 'sinch-auth-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1100, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context.userDataDir = userDataDir;
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(BASE_URL).origin });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // Expected 4xx answers show up as "Failed to load resource"; anything else
    // (a CSP violation, a script error) is a bug in the page.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      consoleErrors.push(message.text());
    }
  });
  page.on('request', (request) => requests.push(new URL(request.url()).pathname));
});

after(async () => {
  if (page && failed) await page.screenshot({ path: join(OUTPUT, 'failure.png'), fullPage: true });
  if (context) {
    await context.close();
    await rm(context.userDataDir, { recursive: true, force: true });
  }
});

step('the page loads under a strict Content-Security-Policy', async () => {
  const response = await page.goto(BASE_URL);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-type'], /^text\/html/);
  const csp = response.headers()['content-security-policy'] ?? '';
  assert.match(csp, /default-src '(self|none)'/, 'the service sends a CSP');
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, 'and a strict one');
  // The module script adds this class once its handlers are attached: proof it loaded under the CSP.
  await page.waitForSelector('body.ready');
  await page.getByLabel('Username').waitFor();
  await page.getByLabel('Password').waitFor();
  assert.equal(await text('session-state'), 'Not signed in.');
});

step('a username outside the alphabet is refused before anything is sent', async () => {
  const sent = requests.length;
  await page.getByLabel('Username').fill('John Smith');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expectError({ code: 'invalid_input' });
  assert.equal(await page.getByLabel('Username').getAttribute('aria-invalid'), 'true');
  const apiCalls = requests.slice(sent).filter((path) => path.includes('/v1/'));
  assert.deepEqual(apiCalls, [], 'no request left the page');
});

step('a common password is refused, and the page says why', async () => {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('password1');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await settled();
  await expectError({ status: 422, code: 'invalid_password' });
  assert.match(await page.getByRole('alert').textContent(), /common or breached/);
});

step('sign up', async () => {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await settled();
  await expectNoError();
  assert.ok((await text('status')).includes(`Account ${username} created`), await text('status'));
});

step('signing up the same name again shows the problem from the server', async () => {
  await page.getByRole('button', { name: 'Sign up' }).click();
  await settled();
  await expectError({});
  assert.match(await page.getByRole('alert').getAttribute('data-status'), /^4\d\d$/);
});

step('a wrong password is refused', async () => {
  await page.getByLabel('Password').fill(`${password}!`);
  await page.getByLabel('Password').press('Enter');
  await settled();
  await expectError({ status: 401 });
  assert.equal(await text('session-state'), 'Not signed in.');
});

step('log in with the keyboard (Enter) sets an HttpOnly SameSite=Strict session cookie', async () => {
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Password').press('Enter');
  await settled();
  await expectNoError();
  assert.equal(await text('session-state'), `Signed in as ${username}.`);
  assert.equal(await page.getByLabel('Password').inputValue(), '', 'the password field is cleared');
  const cookies = await context.cookies(BASE_URL);
  assert.ok(cookies.length > 0, 'a session cookie was set');
  for (const cookie of cookies) {
    assert.equal(cookie.httpOnly, true, `${cookie.name} is HttpOnly`);
    assert.equal(cookie.sameSite, 'Strict', `${cookie.name} is SameSite=Strict`);
  }
  assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read the session');
});

step('get a user ticket: the page shows it decoded, for this user', async () => {
  await byTestId('get-ticket').click();
  await byTestId('ticket-card').waitFor({ state: 'visible' });
  await expectNoError();

  const ticket = await text('ticket-raw');
  const [payloadPart, signaturePart, ...rest] = ticket.split(':');
  assert.equal(rest.length, 0, 'one ":" in a ticket');
  const payload = decodeBase64Json(payloadPart);
  assert.equal(Buffer.from(signaturePart, 'base64').length, 32, 'HMAC-SHA256 signature');
  assert.equal(payload.identity.type, 'username');

  assert.equal(await text('ticket-user-id'), username, 'decoded user id shown = username');
  assert.equal(payload.identity.endpoint, username);
  assert.equal(await text('ticket-app-key'), payload.applicationKey);
  assert.deepEqual(JSON.parse(await text('ticket-payload')), payload);

  const expiresAt = Date.parse(await byTestId('ticket-expires-at').getAttribute('datetime'));
  assert.equal(expiresAt, Date.parse(payload.created) + payload.expiresIn * 1000);
  const countdown = await text('ticket-countdown');
  assert.match(countdown, /^in (\d+ h )?\d+ min \d\d s$/);
  await page.waitForFunction((before) => document.getElementById('ticket-countdown').textContent !== before, countdown);

  const snippet = await text('ticket-snippet');
  assert.ok(snippet.includes(`.start({ userTicket: ${JSON.stringify(ticket)} })`), 'JS SDK 1.x snippet');
  assert.ok(snippet.includes(`applicationKey: ${JSON.stringify(payload.applicationKey)}`));
  assert.doesNotThrow(() => new Script(snippet), 'the snippet is valid JavaScript');

  await byTestId('copy-ticket').click();
  await settled();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), ticket, 'copy button copies the ticket');
});

step('get a registration token: sub ends with /users/<username>', async () => {
  await byTestId('get-token').click();
  await byTestId('token-card').waitFor({ state: 'visible' });
  await expectNoError();

  const jwt = await text('token-raw');
  const parts = jwt.split('.');
  assert.equal(parts.length, 3, 'compact JWS');
  const header = decodeBase64Json(parts[0]);
  const claims = decodeBase64Json(parts[1]);
  assert.equal(header.alg, 'HS256');
  assert.match(header.kid, /^hkdfv1-\d{8}$/);
  assert.ok(claims.sub.endsWith(`/users/${username}`), `sub ${claims.sub}`);

  assert.ok((await text('token-sub')).endsWith(`/users/${username}`), 'decoded sub shown on the page');
  assert.equal(await text('token-user-id'), username);
  assert.deepEqual(JSON.parse(await text('token-header')), header);
  assert.deepEqual(JSON.parse(await text('token-claims')), claims);
  assert.equal(Date.parse(await byTestId('token-expires-at').getAttribute('datetime')), claims.exp * 1000);
  assert.match(await text('token-countdown'), /^in (\d+ h )?\d+ min \d\d s$/);

  const snippet = await text('token-snippet');
  assert.ok(snippet.includes(`let pastedToken = ${JSON.stringify(jwt)};`), 'current SDK snippet');
  assert.ok(snippet.includes(`.userId(${JSON.stringify(username)})`));
  assert.ok(snippet.includes('.environmentHost("ocra.api.sinch.com")'), 'the host from the response');
  assert.doesNotThrow(() => new Script(snippet), 'the snippet is valid JavaScript');

  await page.screenshot({ path: join(OUTPUT, 'credentials.png'), fullPage: true });
});

// The snippets run as pasted, in the signed-in page, against stand-ins for the
// SDKs that record what they are given: they build the client from the service's
// answer and fetch fresh credentials with the session cookie.
step('the pasted snippets build the client from the response and fetch fresh credentials', async () => {
  const ticketSnippet = await text('ticket-snippet');
  const tokenSnippet = await text('token-snippet');
  const jwt = await text('token-raw');
  const ticketRun = await page.evaluate(`(async () => {
    let options;
    const started = [];
    class SinchClient {
      constructor(o) { options = o; }
      start(ticket) { started.push(ticket); return Promise.resolve(); }
    }
    ${ticketSnippet}
    const fresh = await freshTicket();
    return { options, started, fresh };
  })()`);
  const applicationKey = ticketRun.fresh.applicationKey;
  assert.ok(applicationKey, 'the ticket response names the application');
  assert.equal(ticketRun.options.applicationKey, applicationKey);
  assert.deepEqual(ticketRun.started, [{ userTicket: await text('ticket-raw') }]);
  assert.equal(decodeBase64Json(ticketRun.fresh.userTicket.split(':')[0]).identity.endpoint, username);
  assert.equal(ticketRun.fresh.environmentHost, 'ocra.api.sinch.com');

  const tokenRun = await page.evaluate(`(async () => {
    const built = {};
    let listener;
    const builder = {
      applicationKey(k) { built.applicationKey = k; return builder; },
      environmentHost(h) { built.environmentHost = h; return builder; },
      userId(u) { built.userId = u; return builder; },
      build() { return { addListener(l) { listener = l; }, start() { built.started = true; } }; },
    };
    const Sinch = { getSinchClientBuilder: () => builder };
    ${tokenSnippet}
    const registered = [];
    const registration = { register: (token) => registered.push(token) };
    listener.onCredentialsRequired(null, registration); // at start: the pasted token
    listener.onCredentialsRequired(null, registration); // later: a fresh one
    for (let i = 0; i < 200 && registered.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    return { built, registered };
  })()`);
  assert.deepEqual(tokenRun.built, {
    applicationKey,
    environmentHost: 'ocra.api.sinch.com',
    userId: username,
    started: true,
  });
  assert.equal(tokenRun.registered.length, 2, 'both registrations happened');
  assert.equal(tokenRun.registered[0], jwt, 'first the pasted token');
  assert.notEqual(tokenRun.registered[1], jwt, 'then a fresh one');
  const fresh = decodeBase64Json(tokenRun.registered[1].split('.')[1]);
  assert.ok(fresh.sub.endsWith(`/users/${username}`), fresh.sub);
  assert.ok(fresh.iss.endsWith(`/applications/${applicationKey}`), fresh.iss);
});

step('axe-core finds no accessibility violation, light or dark', async () => {
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    assert.deepEqual(await accessibilityViolations(), [], `${colorScheme} color scheme`);
  }
  await page.screenshot({ path: join(OUTPUT, 'credentials-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
});

step('a registration token with a chosen lifetime', async () => {
  await byTestId('token-ttl').fill('120');
  await byTestId('get-token').click();
  await settled();
  await expectNoError();
  const claims = JSON.parse(await text('token-claims'));
  assert.equal(claims.exp - claims.iat, 120);
  assert.match(await text('token-countdown'), /^in [12] min \d\d s$/);
});

step('log out revokes the session: a ticket is refused afterwards', async () => {
  const sessionCookies = await context.cookies(BASE_URL);
  await byTestId('logout').click();
  await settled();
  await expectNoError();
  assert.equal(await text('session-state'), 'Not signed in.');
  assert.equal(await byTestId('ticket-card').isVisible(), false, 'old credentials are cleared from the page');

  await byTestId('get-ticket').click();
  await settled();
  await expectError({ status: 401, code: 'unauthenticated' });
  assert.equal(await byTestId('ticket-card').isVisible(), false);

  // Revoked on the server, not just forgotten by the browser: replay the old cookie.
  await context.addCookies(sessionCookies);
  await byTestId('get-token').click();
  await settled();
  await expectError({ status: 401, code: 'unauthenticated' });
  assert.equal(await byTestId('token-card').isVisible(), false);

  assert.deepEqual(await accessibilityViolations(), [], 'with the error shown');
  await page.screenshot({ path: join(OUTPUT, 'after-logout.png'), fullPage: true });
});

step('no script error or CSP violation on the whole way', async () => {
  assert.deepEqual(consoleErrors, []);
});

// Independent of the steps above: a page whose script never loads.
test('without app.js the form cannot send the password anywhere, least of all in a URL', async () => {
  const blocked = await context.newPage();
  const seen = [];
  blocked.on('request', (request) => seen.push({ url: request.url(), body: request.postData() ?? '' }));
  await blocked.route('**/app.js', (route) => route.abort());
  try {
    await blocked.goto(BASE_URL);
    const form = blocked.locator('#account-form');
    assert.equal(await form.getAttribute('method'), 'post');
    for (const name of ['Log in', 'Sign up']) {
      assert.equal(await blocked.getByRole('button', { name }).isDisabled(), true, `${name} stays disabled`);
    }
    await blocked.getByLabel('Username').fill('blocked-user');
    await blocked.getByLabel('Password').fill('a password that must not leak');
    await blocked.getByLabel('Password').press('Enter'); // implicit submission
    await blocked.getByRole('button', { name: 'Log in' }).click({ force: true });
    await blocked.waitForTimeout(1000);
    assert.doesNotMatch(blocked.url(), /password=/);
    const leaks = seen.filter(({ url, body }) => /password=/.test(url) || /password=/.test(body));
    assert.deepEqual(leaks, [], 'no request carries password=');
    assert.ok(seen.some(({ url }) => url.endsWith('/app.js')), 'the script was requested (and blocked)');
  } finally {
    await blocked.close();
  }
});
