// SPDX-License-Identifier: MIT
// A live quiz with three browsers (docs/community.md): Alice builds a two-question quiz on
// her desktop and starts it; Bob and Carol play on phones with big answer buttons; the server
// closes each question at its deadline and shows the right answer, the counts and the
// leaderboard; Carol reloads mid-question and finds her place; the podium ends it.
// axe on the builder, the list, the play screen, the results and the podium (desktop and phone).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { expectAccessible } from './lib/axe.mjs';
import { launchBrowser, login, newPage, openGroup, screenshot } from './lib/browser.mjs';
import { PeerchatServer, SCREENSHOTS } from './lib/server.mjs';
import { ALICE, BOB, groupWith } from './lib/fixtures.mjs';

const CAROL = { username: 'carol', display_name: 'Carol Nguyen', password: 'carol-password-1' };
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const WAIT = { timeout: 30000 };

let server;
let browser;

before(async () => {
  server = await new PeerchatServer('quiz').init([ALICE, BOB, CAROL]);
  const t = {
    alice: await server.token(ALICE.username, ALICE.password),
    bob: await server.token(BOB.username, BOB.password),
    carol: await server.token(CAROL.username, CAROL.password),
  };
  await groupWith(server, t.alice, { name: 'Coaches' }, [t.bob, t.carol]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.destroy();
});

async function fillQuestion(page, n, text, options, correct) {
  await page.getByLabel(`Question ${n} text`).fill(text);
  const fs = page.locator('.quiz-q').nth(n - 1);
  for (let i = 2; i < options.length; i += 1) await fs.getByRole('button', { name: 'Add option' }).click();
  for (let i = 0; i < options.length; i += 1) {
    await page.getByLabel(`Question ${n}, option ${'ABCDEF'[i]}`).fill(options[i]);
    if (correct.includes(i)) await fs.locator('.quiz-opt').nth(i).getByRole('checkbox').check();
  }
  await page.getByLabel(`Seconds for question ${n}`).selectOption('10');
}

test('a live quiz from the builder to the podium, host on a desktop and two phones', { timeout: 180000 }, async () => {
  const alice = (await newPage(browser, DESKTOP)).page;
  const bob = (await newPage(browser, PHONE)).page;
  const carol = (await newPage(browser, PHONE)).page;
  await login(alice, server.url, ALICE.username, ALICE.password);
  await login(bob, server.url, BOB.username, BOB.password);
  await login(carol, server.url, CAROL.username, CAROL.password);
  for (const p of [alice, bob, carol]) await openGroup(p, 'Coaches');

  // Alice builds the quiz.
  await alice.getByRole('button', { name: 'Quiz', exact: true }).click();
  await alice.getByRole('button', { name: 'New quiz' }).click();
  await alice.getByLabel('Title').fill('Workshop warm-up');
  await fillQuestion(alice, 1, 'Which question opens a coaching session?', ['What do you want to leave with?', 'Why did you fail?'], [0]);
  await alice.getByRole('button', { name: 'Add question' }).click();
  await fillQuestion(alice, 2, 'How long is a good check-in?', ['2 minutes', '20 minutes', '1 hour'], [0]);
  await expectAccessible(alice, 'quiz builder (desktop)');
  await screenshot(alice, path.join(SCREENSHOTS, 'quiz-builder.png'));
  await alice.getByRole('button', { name: 'Save draft' }).click();

  // The draft is Alice's only; she starts it from the list.
  const start = alice.getByRole('button', { name: 'Start “Workshop warm-up”' });
  await start.waitFor(WAIT);
  await expectAccessible(alice, 'quiz list (desktop)');
  await start.click();

  // The phones open the play screen by themselves, with big answer buttons and a countdown.
  const right1 = (p) => p.getByRole('button', { name: /What do you want to leave with\?/ });
  const wrong1 = (p) => p.getByRole('button', { name: /Why did you fail\?/ });
  await right1(bob).waitFor(WAIT);
  await wrong1(carol).waitFor(WAIT);
  const box = await right1(bob).boundingBox();
  assert.ok(box && box.height >= 72, `answer buttons are big on a phone (${box?.height}px)`);
  assert.ok(Number(await bob.locator('.quiz-count-num').textContent()) <= 10, 'the countdown starts from the server\'s time');
  await expectAccessible(bob, 'quiz question (phone)');
  await screenshot(bob, path.join(SCREENSHOTS, 'quiz-question-phone.png'));
  await screenshot(alice, path.join(SCREENSHOTS, 'quiz-host.png'));
  await right1(bob).tap();
  await wrong1(carol).tap();
  await bob.getByText('Answer locked in').waitFor(WAIT);
  await carol.getByText('Answer locked in').waitFor(WAIT);

  // At the deadline: the right answer, the counts, the leaderboard.
  await bob.locator('.quiz-verdict', { hasText: /Right! \+\d+ points/ }).waitFor(WAIT);
  await carol.locator('.quiz-verdict', { hasText: 'Not this time.' }).waitFor(WAIT);
  await alice.getByRole('button', { name: 'Next question' }).waitFor(WAIT);
  await expectAccessible(bob, 'quiz results (phone)');
  await expectAccessible(alice, 'quiz results (desktop)');
  await screenshot(bob, path.join(SCREENSHOTS, 'quiz-results-phone.png'));
  await alice.getByRole('button', { name: 'Next question' }).click();

  // Question 2: Carol's phone reloads mid-question and comes straight back to it.
  const right2 = (p) => p.getByRole('button', { name: /2 minutes/ });
  await right2(carol).waitFor(WAIT);
  await carol.reload();
  await right2(carol).waitFor(WAIT);
  await right2(carol).tap();
  await right2(bob).waitFor(WAIT);
  await right2(bob).tap();
  await carol.locator('.quiz-verdict', { hasText: /Right! \+\d+ points/ }).waitFor(WAIT);

  // The podium.
  await alice.getByRole('button', { name: 'Show the podium' }).click();
  for (const p of [alice, bob, carol]) await p.getByRole('list', { name: 'Podium' }).waitFor(WAIT);
  const first = bob.locator('.quiz-place-1 .quiz-podium-name');
  assert.equal(await first.textContent(), BOB.display_name, 'Bob answered both right: first place');
  await expectAccessible(bob, 'quiz podium (phone)');
  await expectAccessible(alice, 'quiz podium (desktop)');
  await screenshot(bob, path.join(SCREENSHOTS, 'quiz-podium-phone.png'));
  await screenshot(alice, path.join(SCREENSHOTS, 'quiz-podium.png'));

  // Back in the conversation: where the quiz started and where it finished, with the top three.
  const startedCard = (p) => p.getByRole('article', { name: 'Quiz “Workshop warm-up” started' });
  const finishedCard = (p) => p.getByRole('article', { name: 'Quiz “Workshop warm-up” finished' });
  await alice.getByRole('button', { name: 'Close', exact: true }).click();
  await startedCard(alice).waitFor(WAIT);
  await finishedCard(alice).getByText(BOB.display_name).waitFor(WAIT);
  await expectAccessible(alice, 'conversation with quiz cards (desktop)');
  await screenshot(alice, path.join(SCREENSHOTS, 'quiz-cards.png'));
  // After a reload the cards come from the quiz list, in place; the podium opens from them.
  await bob.reload();
  await finishedCard(bob).waitFor(WAIT);
  await startedCard(bob).getByRole('button', { name: 'Results' }).waitFor(WAIT);
  await expectAccessible(bob, 'conversation with quiz cards (phone)');
  await finishedCard(bob).getByRole('button', { name: 'See the podium' }).click();
  await bob.getByRole('list', { name: 'Podium' }).waitFor(WAIT);
});
