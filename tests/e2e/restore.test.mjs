// SPDX-License-Identifier: MIT
// After `peerchat restore`, an open web client notices the database's new epoch (in `ready`),
// drops the groups and positions it cached for the old history and reloads, showing the
// restored history (issue 10, item 15).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { launchBrowser, login, messageWith, newPage, openGroup } from './lib/browser.mjs';
import { PeerchatServer } from './lib/server.mjs';
import { ALICE, groupWith, post } from './lib/fixtures.mjs';

let server;
let browser;

before(async () => {
  server = await new PeerchatServer('restore').init([ALICE]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.destroy();
});

function cli(...args) {
  const r = spawnSync(server.bin, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `peerchat ${args.join(' ')}: ${r.stdout}${r.stderr}`);
}

test('a client open across a restore drops its cache and reloads', { timeout: 120000 }, async () => {
  const token = await server.token(ALICE.username, ALICE.password);
  const group = await groupWith(server, token, { name: 'Archive' });
  await post(server, token, group.id, 'Kept by the backup');

  const { page } = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await login(page, server.url, ALICE.username, ALICE.password);
  await openGroup(page, 'Archive');
  await page.locator('.conn-online').waitFor({ state: 'attached' });
  const before = await page.evaluate(() => localStorage.getItem('peerchat.epoch'));
  assert.match(before ?? '', /^[0-9a-f]{32}$/, 'the client remembers the epoch');

  const backup = path.join(server.dir, '..', `restore-${process.pid}.db`);
  cli('backup', '--data-dir', server.dir, '--to', backup);
  await post(server, token, group.id, 'Lost with the restore');
  await messageWith(page, 'Lost with the restore').waitFor();

  await page.evaluate(() => { window.beforeRestore = true; });
  await server.stop();
  cli('restore', '--data-dir', server.dir, '--from', backup);
  await server.start();

  // The socket reconnects, `ready` brings the new epoch, and the page reloads by itself.
  await page.waitForFunction(() => window.beforeRestore === undefined, null, { timeout: 60000 });
  await page.locator('.conn-online').waitFor({ state: 'attached' });
  const after = await page.evaluate(() => localStorage.getItem('peerchat.epoch'));
  assert.match(after ?? '', /^[0-9a-f]{32}$/);
  assert.notEqual(after, before, 'the restored database has a new epoch');
  await openGroup(page, 'Archive');
  await messageWith(page, 'Kept by the backup').waitFor();
  assert.equal(await messageWith(page, 'Lost with the restore').count(), 0, 'what the restore undid is not shown');
  assert.deepEqual(page.problems, []);
});
