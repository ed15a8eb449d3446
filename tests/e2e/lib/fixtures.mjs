// SPDX-License-Identifier: MIT
// Readable fixtures shared by the scenarios: people, and a group made through the API.
import { list } from './server.mjs';

export const ALICE = { username: 'alice', display_name: 'Alice Martin', password: 'alice-password-1', admin: true };
export const BOB = { username: 'bob', display_name: 'Bob Okafor', password: 'bob-password-12' };

/** Creates a group as `owner` and lets each of `members` join through an invite. */
export async function groupWith(server, ownerToken, { name, topic }, memberTokens = []) {
  const group = await server.ok('POST', '/groups', { token: ownerToken, body: topic ? { name, topic } : { name } });
  if (memberTokens.length) {
    const invite = await server.ok('POST', `/groups/${group.id}/invites`,
      { token: ownerToken, body: { max_uses: memberTokens.length, expires_in_s: 3600 } });
    for (const t of memberTokens) await server.ok('POST', `/invites/${invite.code}/accept`, { token: t, body: {} });
  }
  return group;
}

/** Posts a message as `token`; when the server rate-limits, waits as long as it says and retries. */
export async function post(server, token, groupId, body, clientMsgId) {
  const payload = { body, client_msg_id: clientMsgId || `seed-${Math.random().toString(36).slice(2)}` };
  for (let attempt = 0; ; attempt += 1) {
    const r = await server.api('POST', `/groups/${groupId}/messages`, { token, body: payload });
    if (r.status === 201 || r.status === 200) return r.body;
    if (r.status !== 429 || attempt > 50) throw new Error(`POST /groups/${groupId}/messages → ${r.status} ${JSON.stringify(r.body)}`);
    await new Promise((resolve) => setTimeout(resolve, r.body?.error?.retry_after_ms ?? 100));
  }
}

export async function messagesOf(server, token, groupId) {
  return list(await server.ok('GET', `/groups/${groupId}/messages?limit=200`, { token }), 'messages');
}
