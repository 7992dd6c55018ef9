// The sinch-auth page: sign up, log in, and fetch Sinch credentials with the
// session cookie. No framework and no inline code, so the service can send a
// strict Content-Security-Policy (default-src 'self').

const $ = (id) => document.getElementById(id);

// Relative paths, so the page keeps working when the router is mounted under a prefix.
const ROUTES = {
  signUp: 'v1/accounts',
  logIn: 'v1/login',
  logOut: 'v1/logout',
  ticket: 'v1/tickets',
  token: 'v1/registration-tokens',
};

// Same rules as the server (FORMATS §2 alphabet); the server stays the authority.
const USERNAME_RULE = /^[A-Za-z0-9_=-]{1,255}$/;
const PASSWORD_MIN = 8;
const PASSWORD_MAX = 128;

/** An RFC 9457 problem (or something we turned into one). */
class Problem extends Error {
  constructor({ title, detail, code, status }) {
    super(detail || title);
    this.title = title || 'Request failed';
    this.detail = detail || '';
    this.code = code || '';
    this.status = status || 0;
  }
}

// ---- HTTP ---------------------------------------------------------------

async function post(path, body = {}) {
  let response;
  try {
    response = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, application/problem+json',
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new Problem({
      title: 'Service unreachable',
      detail: 'The token service did not answer. Is it still running?',
      code: 'network_error',
    });
  }
  const data = await readJson(response);
  if (!response.ok) {
    throw new Problem({
      title: data?.title || `${response.status} ${response.statusText}`.trim(),
      detail: data?.detail,
      code: data?.code,
      status: response.status,
    });
  }
  return data;
}

async function readJson(response) {
  const type = response.headers.get('Content-Type') || '';
  if (response.status === 204 || !/[/+]json\b/i.test(type)) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

// ---- Decoding (display only: the browser holds no secret, so nothing is verified here)

const utf8 = new TextDecoder('utf-8', { fatal: true });

function base64ToBytes(text) {
  const standard = text.replace(/-/g, '+').replace(/_/g, '/');
  const padded = standard + '='.repeat((4 - (standard.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

const bytesToBase64 = (bytes) => btoa(String.fromCharCode(...bytes));

function decodeJsonPart(part, what) {
  try {
    return JSON.parse(utf8.decode(base64ToBytes(part)));
  } catch {
    throw new Error(`its ${what} is not base64-encoded JSON`);
  }
}

// Sinch's samples write `created` with an offset, with `Z`, or (Python) with none: that means UTC.
function parseCreated(text) {
  if (typeof text !== 'string') return NaN;
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(text);
  return Date.parse(hasZone ? text : `${text}Z`);
}

/** user ticket = base64(json) ":" base64(HMAC-SHA256) — FORMATS §1 */
function decodeTicket(ticket) {
  const parts = ticket.split(':');
  if (parts.length !== 2) throw new Error('a ticket has exactly one ":"');
  const payload = decodeJsonPart(parts[0], 'payload');
  const signature = base64ToBytes(parts[1]);
  const created = parseCreated(payload.created);
  return {
    payload,
    signature: `${bytesToBase64(signature)} (${signature.length} bytes)`,
    userId: payload.identity?.endpoint ?? '',
    applicationKey: payload.applicationKey ?? '',
    expiresAtMs: created + Number(payload.expiresIn) * 1000,
  };
}

/** registration token = compact HS256 JWT — FORMATS §2 */
function decodeToken(jwt) {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new Error('a JWT has three "."-separated parts');
  const header = decodeJsonPart(parts[0], 'header');
  const claims = decodeJsonPart(parts[1], 'claims');
  const sub = String(claims.sub ?? '');
  const iss = String(claims.iss ?? '');
  return {
    header,
    claims,
    sub,
    userId: sub.match(/\/users\/([^/]+)$/)?.[1] ?? '',
    applicationKey: iss.match(/\/applications\/([^/]+)$/)?.[1] ?? '',
    expiresAtMs: Number(claims.exp) * 1000,
  };
}

// ---- Snippets -----------------------------------------------------------

const js = (value) => JSON.stringify(String(value));
const endpointPath = (route) => new URL(route, document.baseURI).pathname;

// How an app gets a fresh credential from this service instead of pasting one:
// an async function, so that `await` is where JavaScript allows it.
const fetchFunction = (name, route, result) => `async function ${name}() {
  const response = await fetch(${js(endpointPath(route))}, {
    method: "POST",
    credentials: "same-origin", // the session cookie
    headers: { "Content-Type": "application/json" },
    body: "{}",
  });
  if (response.status === 401) throw new Error("signed out: log in again");
  if (!response.ok) throw new Error(\`sinch-auth answered \${response.status}\`);
  return ${result};
}`;

// `response` is the service's answer: it names the application and environment to build the client with.
function ticketSnippet(ticket, response, userId, expiresAtMs) {
  return `// Sinch JavaScript SDK 1.x: start the client as ${js(userId)}.
// This ticket expires ${new Date(expiresAtMs).toISOString()}; freshTicket() gets a new one
// from this service (same-origin page, signed in).
${fetchFunction('freshTicket', ROUTES.ticket, 'response.json(); // { userTicket, applicationKey, … }')}
const sinchClient = new SinchClient({
  applicationKey: ${js(response.applicationKey)},
  capabilities: { calling: true },
});
sinchClient
  .start({ userTicket: ${js(ticket)} }) // later: freshTicket().then((t) => sinchClient.start(t))
  .then(() => console.log("Sinch client started"))
  .catch((error) => console.error("Sinch client failed to start", error));
`;
}

function tokenSnippet(jwt, response, userId, expiresAtMs) {
  return `// Sinch Voice & Video SDK: register ${js(userId)} with a registration token.
// The token below expires ${new Date(expiresAtMs).toISOString()}; freshToken() gets a new one
// from this service (same-origin page, signed in).
${fetchFunction('freshToken', ROUTES.token, '(await response.json()).token;')}
let pastedToken = ${js(jwt)};
const sinchClient = Sinch.getSinchClientBuilder()
  .applicationKey(${js(response.applicationKey)})
  .environmentHost(${js(response.environmentHost)})
  .userId(${js(userId)})
  .build();
sinchClient.addListener({
  onClientStarted: () => console.log("Sinch client started"),
  onClientFailed: (client, error) => console.error("Sinch client failed", error),
  // Not an async function: the SDK does not wait for one. The promise registers when it resolves.
  onCredentialsRequired: (client, clientRegistration) => {
    const token = pastedToken ? Promise.resolve(pastedToken) : freshToken();
    pastedToken = null; // used once; from then on, a fresh one each time
    token
      .then((jwt) => clientRegistration.register(jwt))
      .catch((error) => console.error("no registration token", error));
  },
});
sinchClient.start();
`;
}

// ---- Expiry countdowns ------------------------------------------------------

const countdowns = new Map(); // element id -> expiry (ms since epoch)
let countdownTimer = 0;

function formatRemaining(ms) {
  if (!Number.isFinite(ms)) return 'unknown expiry';
  if (ms <= 0) return 'expired';
  const total = Math.ceil(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return `in ${hours ? `${hours} h ` : ''}${minutes} min ${seconds} s`;
}

function tick() {
  const now = Date.now();
  for (const [id, expiresAtMs] of countdowns) {
    const element = $(id);
    element.textContent = formatRemaining(expiresAtMs - now);
    element.classList.toggle('expired', expiresAtMs <= now);
  }
}

function startCountdown(id, expiresAtMs) {
  countdowns.set(id, expiresAtMs);
  tick();
  if (!countdownTimer) countdownTimer = setInterval(tick, 1000);
}

function stopCountdown(id) {
  countdowns.delete(id);
  if (countdowns.size === 0 && countdownTimer) {
    clearInterval(countdownTimer);
    countdownTimer = 0;
  }
}

function showExpiry(prefix, expiresAtMs) {
  const time = $(`${prefix}-expires-at`);
  if (Number.isFinite(expiresAtMs)) {
    const date = new Date(expiresAtMs);
    time.dateTime = date.toISOString();
    time.textContent = date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  } else {
    time.removeAttribute('datetime');
    time.textContent = 'unknown';
  }
  startCountdown(`${prefix}-countdown`, expiresAtMs);
}

// ---- Messages -----------------------------------------------------------------

function showError(error) {
  const box = $('error');
  const problem =
    error instanceof Problem
      ? error
      : new Problem({ title: 'Unexpected response', detail: `Could not read it: ${error.message}.` });
  const title = document.createElement('strong');
  title.textContent = problem.title;
  const parts = [title];
  if (problem.detail) parts.push(document.createTextNode(` ${problem.detail}`));
  if (problem.code) {
    const code = document.createElement('span');
    code.className = 'code';
    code.textContent = ` (${problem.code})`;
    parts.push(code);
  }
  box.replaceChildren(...parts);
  box.dataset.code = problem.code;
  box.dataset.status = String(problem.status);
  box.hidden = false;
  $('status').textContent = '';
}

function clearError() {
  const box = $('error');
  box.hidden = true;
  box.replaceChildren();
  delete box.dataset.code;
  delete box.dataset.status;
}

function say(message) {
  $('status').textContent = message;
}

// ---- State ------------------------------------------------------------------

function setSignedIn(userId) {
  $('session-state').textContent = userId ? `Signed in as ${userId}.` : 'Not signed in.';
  document.body.classList.toggle('signed-in', Boolean(userId));
}

function hideCard(prefix) {
  $(`${prefix}-card`).hidden = true;
  stopCountdown(`${prefix}-countdown`);
}

const fallbackExpiry = (response) => Date.parse(response?.expiresAt ?? '');

function showTicket(response) {
  const ticket = String(response?.userTicket ?? '');
  const decoded = decodeTicket(ticket);
  const expiresAtMs = Number.isFinite(decoded.expiresAtMs) ? decoded.expiresAtMs : fallbackExpiry(response);
  $('ticket-raw').textContent = ticket;
  $('ticket-user-id').textContent = decoded.userId;
  $('ticket-app-key').textContent = decoded.applicationKey;
  $('ticket-payload').textContent = JSON.stringify(decoded.payload, null, 2);
  $('ticket-signature').textContent = decoded.signature;
  $('ticket-snippet').textContent = ticketSnippet(ticket, response, decoded.userId, expiresAtMs);
  showExpiry('ticket', expiresAtMs);
  $('ticket-card').hidden = false;
  return decoded;
}

function showToken(response) {
  const jwt = String(response?.token ?? '');
  const decoded = decodeToken(jwt);
  const expiresAtMs = Number.isFinite(decoded.expiresAtMs) ? decoded.expiresAtMs : fallbackExpiry(response);
  $('token-raw').textContent = jwt;
  $('token-user-id').textContent = decoded.userId;
  $('token-sub').textContent = decoded.sub;
  $('token-header').textContent = JSON.stringify(decoded.header, null, 2);
  $('token-claims').textContent = JSON.stringify(decoded.claims, null, 2);
  $('token-snippet').textContent = tokenSnippet(jwt, response, decoded.userId, expiresAtMs);
  showExpiry('token', expiresAtMs);
  $('token-card').hidden = false;
  return decoded;
}

// ---- Actions ------------------------------------------------------------------

function accountInput() {
  const username = $('username').value;
  const password = $('password').value; // never trimmed: spaces are part of a password
  let problem = null;
  let field = null;
  if (!USERNAME_RULE.test(username)) {
    field = $('username');
    problem = 'Use 1–255 characters from A–Z a–z 0–9 - _ = for the username.';
  } else if ([...password].length < PASSWORD_MIN || [...password].length > PASSWORD_MAX) {
    field = $('password');
    problem = `Use ${PASSWORD_MIN}–${PASSWORD_MAX} characters for the password.`;
  }
  for (const id of ['username', 'password']) $(id).removeAttribute('aria-invalid');
  if (field) {
    field.setAttribute('aria-invalid', 'true');
    field.focus();
    throw new Problem({ title: 'Check the form', detail: problem, code: 'invalid_input' });
  }
  return { username, password };
}

async function signUp() {
  const input = accountInput();
  await post(ROUTES.signUp, input);
  say(`Account ${input.username} created. You can log in now.`);
}

async function logIn() {
  const input = accountInput();
  const response = await post(ROUTES.logIn, input);
  $('password').value = '';
  hideCard('ticket');
  hideCard('token');
  setSignedIn(response?.userId || input.username);
  say(`Signed in as ${response?.userId || input.username}.`);
}

async function logOut() {
  await post(ROUTES.logOut);
  setSignedIn(null);
  hideCard('ticket');
  hideCard('token');
  say('Signed out. Credentials issued before stay valid until they expire.');
}

async function getTicket() {
  const decoded = showTicket(await post(ROUTES.ticket));
  say(`Got a user ticket for ${decoded.userId}.`);
}

async function getToken() {
  const ttlText = $('token-ttl').value.trim();
  const body = ttlText ? { ttl: Number(ttlText) } : {};
  const decoded = showToken(await post(ROUTES.token, body));
  say(`Got a registration token for ${decoded.userId}.`);
}

async function copy(button) {
  const source = $(button.dataset.copy);
  const text = source.textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Plain-HTTP pages other than localhost have no Clipboard API: select the text instead.
    getSelection().selectAllChildren(source);
    if (!document.execCommand('copy')) {
      throw new Problem({ title: 'Copy failed', detail: 'The text is selected: press Ctrl+C (⌘C) to copy it.' });
    }
  }
  say('Copied to the clipboard.');
}

// Runs one action at a time: buttons are disabled while a request is in flight.
async function run(action, ...args) {
  const buttons = [...document.querySelectorAll('button')];
  buttons.forEach((b) => (b.disabled = true));
  document.body.setAttribute('aria-busy', 'true');
  clearError();
  try {
    await action(...args);
  } catch (error) {
    if (error instanceof Problem && error.code === 'unauthenticated') setSignedIn(null);
    showError(error);
  } finally {
    buttons.forEach((b) => (b.disabled = false));
    document.body.removeAttribute('aria-busy');
  }
}

$('account-form').addEventListener('submit', (event) => {
  event.preventDefault();
  run(event.submitter?.value === 'signup' ? signUp : logIn);
});
$('logout').addEventListener('click', () => run(logOut));
$('get-ticket').addEventListener('click', () => run(getTicket));
$('get-token').addEventListener('click', () => run(getToken));
for (const button of document.querySelectorAll('button[data-copy]')) {
  button.addEventListener('click', () => run(copy, button));
}
// The buttons ship disabled, so that nothing submits the form before its handler is attached.
for (const button of document.querySelectorAll('button')) button.disabled = false;
document.body.classList.add('ready'); // lets tests wait until the handlers are attached
