// SPDX-License-Identifier: MIT
// Questions and answers and the library (docs/community.md), in two
// browsers: Bob asks with the composer's "Ask as a question", both see the open count in the
// conversation header, Alice answers with a reply, Bob accepts it, the accepted answer shows
// under the question and the open count drops; Alice saves the question to the library and
// finds it by search and by tag. axe on each new screen, desktop and phone; screenshots with
// SCREENSHOTS=1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { expectAccessible } from './lib/axe.mjs';
import { launchBrowser, login, messageWith, newPage, openGroup, screenshot, sendMessage } from './lib/browser.mjs';
import { PeerchatServer, SCREENSHOTS, eventually, list } from './lib/server.mjs';
import { ALICE, BOB, groupWith } from './lib/fixtures.mjs';

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const QUESTION = 'How do you keep stand-ups under 15 minutes?';
const ANSWER = 'Everyone really stands, and long topics go to a parking lot';

let server;
let browser;
let tokens;
let coaches;
let alice;
let bob;

before(async () => {
  server = await new PeerchatServer('questions-library').init([ALICE, BOB]);
  tokens = { alice: await server.token(ALICE.username, ALICE.password), bob: await server.token(BOB.username, BOB.password) };
  coaches = await groupWith(server, tokens.alice, { name: 'Coaches' }, [tokens.bob]);
  browser = await launchBrowser();
  alice = await newPage(browser, DESKTOP);
  bob = await newPage(browser, DESKTOP);
  await login(alice.page, server.url, ALICE.username, ALICE.password);
  await login(bob.page, server.url, BOB.username, BOB.password);
  await openGroup(alice.page, 'Coaches');
  await openGroup(bob.page, 'Coaches');
});

after(async () => {
  for (const p of [alice, bob]) assert.deepEqual(p?.page.problems ?? [], [], 'no page errors');
  await browser?.close();
  await server?.destroy();
});

function openCount(page, n) {
  return page.getByRole('button', { name: `Open questions: ${n}` });
}

test('ask → answer → accept: the open count drops and the answer shows under the question', { timeout: 180000 }, async () => {
  const a = alice.page;
  const b = bob.page;
  await openCount(a, 0).waitFor();

  // Bob asks with the composer's toggle.
  const toggle = b.getByRole('button', { name: 'Ask as a question' });
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  await expectAccessible(b, 'composer asking a question, desktop');
  await sendMessage(b, QUESTION);
  await messageWith(b, QUESTION).locator('.question-badge', { hasText: 'Open question' }).waitFor();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false', 'the toggle is for one message');
  await messageWith(a, QUESTION).locator('.question-badge', { hasText: 'Open question' }).waitFor();
  await openCount(a, 1).waitFor();
  await openCount(b, 1).waitFor();
  const stored = list(await server.ok('GET', `/groups/${coaches.id}/questions`, { token: tokens.alice }), 'questions');
  assert.deepEqual(stored.map((q) => q.body), [QUESTION]);

  // The Open questions view lists it with its age and answer count.
  await openCount(a, 1).click();
  const view = a.getByRole('dialog', { name: 'Open questions' });
  await view.locator('.question-item', { hasText: QUESTION }).waitFor();
  await view.locator('.question-meta', { hasText: '0 answers' }).waitFor();
  await view.locator('.question-meta', { hasText: /asked \d+ s ago/ }).waitFor();
  await expectAccessible(a, 'Open questions view, desktop');
  await screenshot(a, path.join(SCREENSHOTS, 'questions-open.png'));
  await view.getByRole('button', { name: 'Close open questions' }).click();

  // Alice answers with a reply.
  const question = messageWith(a, QUESTION);
  await question.hover();
  await question.getByRole('button', { name: 'Reply' }).click();
  await sendMessage(a, ANSWER);
  await messageWith(b, ANSWER).waitFor();
  // Only the asker (or an owner/admin) is offered "Accept answer": Alice owns the group, so both are.
  const answer = messageWith(b, ANSWER);
  await answer.hover();
  await answer.getByRole('button', { name: 'Accept answer' }).click();

  await openCount(b, 0).waitFor();
  await openCount(a, 0).waitFor();
  const inline = messageWith(a, QUESTION).getByRole('group', { name: 'Accepted answer' });
  await inline.locator('.accepted-body', { hasText: ANSWER }).waitFor();
  await messageWith(a, QUESTION).locator('.question-badge', { hasText: 'Answered question' }).waitFor();
  await messageWith(b, QUESTION).getByRole('group', { name: 'Accepted answer' }).waitFor();
  await expectAccessible(a, 'conversation with an answered question, desktop');
  await screenshot(a, path.join(SCREENSHOTS, 'questions-answered.png'));

  const answered = list(await server.ok('GET', `/groups/${coaches.id}/questions?state=answered`, { token: tokens.bob }), 'questions');
  assert.equal(answered.length, 1);
  assert.equal(answered[0].accepted.body, ANSWER);
  assert.ok(answered[0].first_answer_after_ms >= 0, 'the time to the first answer is kept');
  const group = await server.ok('GET', `/groups/${coaches.id}`, { token: tokens.bob });
  assert.equal(group.open_questions, 0);
  assert.equal(group.median_first_answer_ms_30d, answered[0].first_answer_after_ms);

  // The view now shows none, and the group's median time to a first answer.
  await openCount(b, 0).click();
  const empty = b.getByRole('dialog', { name: 'Open questions' });
  await empty.getByText('No open questions').waitFor();
  await empty.getByText(/median time to a first answer \(30 days\): \d+ (s|min)/).waitFor();
  await empty.getByRole('button', { name: 'Close open questions' }).click();
});

test('save to the library, then find it by search and by tag', { timeout: 180000 }, async () => {
  const a = alice.page;
  const question = messageWith(a, QUESTION);
  await question.hover();
  await question.getByRole('button', { name: 'Save to library' }).click();
  const form = a.getByRole('dialog', { name: 'Save to library' });
  await form.getByLabel('Title').fill('Short stand-ups');
  await form.getByLabel('Tags').fill('#Meetings, standup');
  await expectAccessible(a, 'Save to library dialog, desktop');
  await form.getByRole('button', { name: 'Save' }).click();
  await form.waitFor({ state: 'detached' });
  // The dialog closes first; the toast says the entry is stored.
  await a.getByText('Saved “Short stand-ups” to the library.').waitFor();
  const entries = list(await server.ok('GET', `/groups/${coaches.id}/library`, { token: tokens.bob }), 'entries');
  assert.equal(entries.length, 1);
  assert.deepEqual(entries[0].tags, ['meetings', 'standup']);
  assert.equal(entries[0].answer.body, ANSWER, 'a question is saved with its accepted answer');

  // Bob opens the Library: the entry, its tags and its accepted answer.
  const b = bob.page;
  await b.getByRole('button', { name: 'Library', exact: true }).click();
  const lib = b.getByRole('dialog', { name: 'Library' });
  const entry = lib.locator('.library-entry', { hasText: 'Short stand-ups' });
  await entry.waitFor();
  await entry.locator('.accepted-body', { hasText: ANSWER }).waitFor();
  await entry.getByRole('button', { name: 'Show entries tagged standup' }).waitFor();

  // Search: a word of the answer finds it, another word finds nothing.
  await lib.getByRole('searchbox', { name: 'Search the library' }).fill('parking');
  await eventually(async () => (await lib.locator('.library-entry').count()) === 1, { what: 'search hit' });
  await lib.getByRole('searchbox', { name: 'Search the library' }).fill('retrospective');
  await lib.getByText('Nothing in the library matches.').waitFor();
  await lib.getByRole('searchbox', { name: 'Search the library' }).fill('');
  await lib.locator('.library-entry', { hasText: 'Short stand-ups' }).waitFor();
  // Tags: the filter keeps it.
  await lib.getByRole('combobox', { name: 'Filter by tag' }).selectOption('standup');
  await lib.locator('.library-entry', { hasText: 'Short stand-ups' }).waitFor();
  await expectAccessible(b, 'Library view filtered by tag, desktop');
  // On a desktop the search, the tag filter and the button share one row.
  const tops = await Promise.all([
    lib.getByRole('searchbox', { name: 'Search the library' }), lib.getByRole('combobox', { name: 'Filter by tag' }),
    lib.getByRole('button', { name: 'Search', exact: true }),
  ].map(async (l) => Math.round((await l.boundingBox()).y + (await l.boundingBox()).height / 2)));
  assert.ok(Math.max(...tops) - Math.min(...tops) <= 4, `the library's filters are on one row (${tops})`);
  await screenshot(b, path.join(SCREENSHOTS, 'library.png'));

  // Bob did not curate it and is a plain member: no Edit or Remove for him.
  assert.equal(await entry.getByRole('button', { name: /^Edit/ }).count(), 0);
  // "Go to message" brings him back to the conversation at the question.
  await lib.locator('.library-entry', { hasText: 'Short stand-ups' }).getByRole('button', { name: 'Go to message' }).click();
  await lib.waitFor({ state: 'detached' });

  // Alice, the curator, edits its title.
  await a.getByRole('button', { name: 'Library', exact: true }).click();
  const aliceLib = a.getByRole('dialog', { name: 'Library' });
  await aliceLib.getByRole('button', { name: 'Edit “Short stand-ups”' }).click();
  const edit = a.getByRole('dialog', { name: 'Edit library entry' });
  await edit.getByLabel('Title').fill('Stand-ups under 15 minutes');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await aliceLib.locator('.library-entry', { hasText: 'Stand-ups under 15 minutes' }).waitFor();
  await aliceLib.getByRole('button', { name: 'Close library' }).click();
});

test('the questions and library views on a phone', { timeout: 180000 }, async () => {
  const phone = await newPage(browser, PHONE);
  const p = phone.page;
  await login(p, server.url, BOB.username, BOB.password);
  await openGroup(p, 'Coaches');
  await messageWith(p, QUESTION).getByRole('group', { name: 'Accepted answer' }).waitFor();
  await expectAccessible(p, 'conversation with an answered question, phone');
  await openCount(p, 0).click();
  await p.getByRole('dialog', { name: 'Open questions' }).getByText('No open questions').waitFor();
  await expectAccessible(p, 'Open questions view, phone');
  await p.getByRole('button', { name: 'Close open questions' }).click();
  await p.getByRole('button', { name: 'Library', exact: true }).click();
  const lib = p.getByRole('dialog', { name: 'Library' });
  await lib.locator('.library-entry', { hasText: 'Stand-ups under 15 minutes' }).waitFor();
  await expectAccessible(p, 'Library view, phone');
  await screenshot(p, path.join(SCREENSHOTS, 'library-phone.png'));
  await lib.getByRole('button', { name: 'Close library' }).click();
  assert.deepEqual(p.problems, [], 'no page errors on the phone');
  await phone.context.close();
});
