// Cross-check: every request `sinch-auth simulate` sends must pass the
// signature validators of Sinch's official Node SDK (@sinch/sdk-core), not
// only this project's own verifiers. A server on 127.0.0.1 validates each
// request with the SDK and parses it with the SDK's event parsers; the real
// CLI binary (SINCH_AUTH_BIN) sends every Voice, Numbers and Conversation
// event to it. Forged requests must fail the same validators.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  VoiceCallbackWebhooks,
  NumbersCallbackWebhooks,
  ConversationCallbackWebhooks,
} from '@sinch/sdk-core';

const run = promisify(execFile);
const BIN = process.env.SINCH_AUTH_BIN;
const KEY = 'a32e5a8d-f7d8-411c-9645-9038e8dd051d';
const SECRET = 'ax8hTTQJF0OPXL32r1LHMA==';
const NUMBERS_SECRET = 'numbers-callback-secret';
const CONVERSATION_SECRET = 'conversation-webhook-secret';

const voice = new VoiceCallbackWebhooks({ applicationKey: KEY, applicationSecret: SECRET });
const numbers = new NumbersCallbackWebhooks(NUMBERS_SECRET);
const conversation = new ConversationCallbackWebhooks(CONVERSATION_SECRET);

// What the SDK said about each request, by path.
const seen = [];
let server;
let base;
let dir;

const SVAML = {
  ice: { action: { name: 'connectPstn', number: '+46700000002' } },
  ace: { action: { name: 'continue' } },
  pie: { action: { name: 'hangup' } },
};

function judge(path, headers, raw) {
  if (path === '/voice') {
    const valid = voice.validateAuthenticationHeader(headers, raw, path, 'POST');
    return { valid, event: voice.parseEvent(raw) };
  }
  if (path === '/numbers') {
    return { valid: numbers.validateAuthenticationHeader(headers, raw), event: numbers.parseEvent(raw) };
  }
  if (path === '/conversation') {
    return { valid: conversation.validateAuthenticationHeader(headers, raw), event: conversation.parseEvent(raw) };
  }
  return { valid: false, event: null };
}

before(async () => {
  assert.ok(BIN, 'set SINCH_AUTH_BIN to the sinch-auth binary');
  dir = mkdtempSync(join(tmpdir(), 'simulate-node-'));
  writeFileSync(join(dir, 'numbers'), `${NUMBERS_SECRET}\n`);
  writeFileSync(join(dir, 'conversation'), `${CONVERSATION_SECRET}\n`);
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let verdict;
      try {
        verdict = judge(req.url, req.headers, raw);
      } catch (error) {
        verdict = { valid: false, event: null, error: String(error) };
      }
      seen.push({ path: req.url, ...verdict });
      if (!verdict.valid) {
        res.writeHead(401).end('rejected by the Sinch SDK validator');
        return;
      }
      const answer = SVAML[verdict.event?.event];
      res.writeHead(200, { 'content-type': 'application/json' }).end(answer ? JSON.stringify(answer) : '');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => server.close());

async function simulate(args) {
  const env = { ...process.env, SINCH_APPLICATION_KEY: KEY, SINCH_APPLICATION_SECRET: SECRET };
  delete env.SINCH_APPLICATION_SECRET_FILE;
  try {
    const { stdout } = await run(BIN, ['simulate', ...args], { env });
    return { code: 0, stdout };
  } catch (error) {
    return { code: error.code, stdout: error.stdout, stderr: error.stderr };
  }
}

async function expectAccepted(api, event, path, extra = []) {
  const before = seen.length;
  const result = await simulate([api, event, '--url', `${base}${path}`, ...extra]);
  assert.equal(seen.length, before + 1, `${api} ${event}: the server saw no request`);
  const verdict = seen[seen.length - 1];
  assert.equal(verdict.valid, true, `${api} ${event}: the Sinch SDK rejected the signature`);
  assert.equal(result.code, 0, `${api} ${event}: ${result.stdout}\n${result.stderr}`);
  return verdict.event;
}

test('every Voice event passes VoiceCallbackWebhooks.validateAuthenticationHeader', async () => {
  for (const event of ['ice', 'ace', 'dice', 'pie', 'notify']) {
    const parsed = await expectAccepted('voice', event, '/voice');
    assert.equal(parsed.event, event);
  }
});

test('every Numbers event passes NumbersCallbackWebhooks.validateAuthenticationHeader', async () => {
  for (const event of [
    'provisioning-to-sms-platform', 'deprovisioning-from-sms-platform',
    'provisioning-to-campaign', 'deprovisioning-from-campaign',
    'provisioning-to-voice-platform', 'deprovisioning-from-voice-platform',
  ]) {
    const parsed = await expectAccepted('numbers', event, '/numbers',
      ['--callback-secret-file', join(dir, 'numbers')]);
    assert.equal(parsed.eventType, event.toUpperCase().replaceAll('-', '_'));
    assert.ok(parsed.timestamp instanceof Date && !Number.isNaN(parsed.timestamp.getTime()));
  }
});

test('every Conversation trigger passes ConversationCallbackWebhooks and parses as that trigger', async () => {
  for (const event of [
    'message-inbound', 'message-delivery', 'message-submit', 'event-inbound',
    'conversation-start', 'conversation-stop', 'contact-create',
  ]) {
    const parsed = await expectAccepted('conversation', event, '/conversation',
      ['--webhook-secret-file', join(dir, 'conversation')]);
    assert.equal(parsed.trigger, event.toUpperCase().replaceAll('-', '_'));
  }
});

test('forged requests fail the same SDK validators', async () => {
  const forgeries = [
    ['voice', 'ice', '/voice', ['--set', `header:authorization=Application ${KEY}:qDXMwzfaxCRS849c/2R0hg0nphgdHciTo7OdM6MsdnM=`]],
    ['voice', 'ace', '/voice', ['--set', 'header:x-timestamp=2014-06-04T13:41:58Z']],
    ['numbers', 'provisioning-to-campaign', '/numbers',
      ['--callback-secret-file', join(dir, 'conversation')]],
    ['conversation', 'message-inbound', '/conversation',
      ['--webhook-secret-file', join(dir, 'conversation'), '--set', 'header:x-sinch-webhook-signature-nonce=01FJA8B4A7BM43YGWSG9GBV067']],
  ];
  for (const [api, event, path, extra] of forgeries) {
    const before = seen.length;
    const result = await simulate([api, event, '--url', `${base}${path}`, ...extra]);
    assert.equal(seen.length, before + 1);
    assert.equal(seen[seen.length - 1].valid, false, `${api} ${event}: the SDK accepted a forgery`);
    assert.equal(result.code, 1, `${api} ${event}: ${result.stdout}`);
  }
});
