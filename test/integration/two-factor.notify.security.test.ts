/**
 * SPEC §4 "notify": a change to a person's second factors is mailed to them. For the email
 * method, where its codes go is the factor itself: whoever moves them to an address of their
 * own holds it from then on. So a new address is told to the account's primary address and
 * to the address the codes went to until then, naming the new one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/databases.js';
import { uniqueEmail } from '../helpers/flows.js';
import { codeIn } from '../helpers/mail-capture.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import {
  confirmRemoval,
  hiddenValue,
  pendingSignIn,
  setUpEmail,
  signedInUser,
  submitCode,
  userWithApp,
  wrongCode,
} from '../helpers/two-factor.js';
import { PASSWORD } from '../helpers/flows.js';

const SUBJECT = /Sign-in codes of your .* account go to a new address/;

describe.each(DIALECTS)('a new address for email codes is told (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('mails the primary address and the old one, naming the new address', async () => {
    const user = await signedInUser(app);
    const before = uniqueEmail('codes');
    const after = uniqueEmail('elsewhere');
    await setUpEmail(app, user.client, before);
    app.clock.advance(61_000);

    await user.client.get('/profile/2fa/email/edit');
    let since = app.mail.messages.length;
    const sent = await user.client.post('/profile/2fa/email/edit', {
      action: 'change',
      email: after,
    });
    expect(sent.status).toBe(200);
    const code = codeIn(await app.mail.waitFor(after, /verification code/, { since }));
    since = app.mail.messages.length;
    const confirmed = await user.client.post('/profile/2fa/email/edit', {
      action: 'confirm',
      setup_id: hiddenValue(sent, 'setup_id'),
      email: after,
      code,
    });
    expect(confirmed.status).toBe(303);

    for (const address of [user.email, before]) {
      const notice = await app.mail.waitFor(address, SUBJECT, { since });
      expect(notice.text).toContain(`now go to ${after}`);
      expect(notice.text).toContain('If this was not you, change your password now');
    }
    // The new address gets its code only: the notice is for those who did not ask.
    await app.services.postman.drain();
    expect(app.mail.to(after).filter((m) => SUBJECT.test(m.subject))).toEqual([]);
  });

  /*
   * New recovery codes end the old ones: whoever holds a session and the password could make a
   * set of their own, a way into the account that outlives a new password. The owner is told.
   */
  it('mails the owner when new recovery codes replace the old ones', async () => {
    const user = await userWithApp(app);
    await user.client.get('/profile/2fa');
    const since = app.mail.messages.length;
    const made = await user.client.post('/profile/2fa/recovery-codes');
    expect(made.status).toBe(303);
    const notice = await app.mail.waitFor(user.email, /New recovery codes for your .* account/, {
      since,
    });
    expect(notice.text).toContain('The recovery codes you had before no longer work.');
    expect(notice.text).toContain('If this was not you, change your password now');
  });

  /*
   * The right password and a wrong code: someone may know the password. A lock tells the
   * owner only after ten wrong codes; they hear of the first (and then at most once an hour).
   */
  it('mails the owner at the first wrong code after the right password, once an hour', async () => {
    const user = await userWithApp(app);
    const wrongAtLogIn = async () => {
      const client = await pendingSignIn(app, user.email);
      const answer = await submitCode(client, 'totp', wrongCode(app, user.secret));
      expect(answer.status).toBe(422);
      await app.services.postman.drain();
    };
    const told = () =>
      app.mail.to(user.email).filter((m) => /wrong two-factor code/.test(m.subject));
    // An identity check is the session's own: no mail.
    await user.client.get('/reauth');
    await user.client.post('/reauth', { password: PASSWORD });
    const stepUp = await submitCode(
      user.client,
      'totp',
      wrongCode(app, user.secret),
      '/reauth/2fa',
    );
    expect(stepUp.status).toBe(422);
    await app.services.postman.drain();
    expect(told()).toHaveLength(0);

    await wrongAtLogIn();
    expect(told()).toHaveLength(1);
    expect(told()[0]?.text).toContain('someone entered the right password for your account');
    expect(told()[0]?.text).toContain('If this was not you, change your password now');
    await wrongAtLogIn();
    expect(told()).toHaveLength(1);
    app.clock.advance(61 * 60_000);
    await wrongAtLogIn();
    expect(told()).toHaveLength(2);
  });

  /* A method removed is a factor fewer between a stolen password and the account. */
  it('mails the owner when a method is added and when one is removed, naming it', async () => {
    const since = app.mail.messages.length;
    const user = await userWithApp(app);
    const added = await app.mail.waitFor(user.email, /method added to your .* account/, { since });
    expect(added.text).toContain('The method “My phone” was added to your account');
    const removal = app.mail.messages.length;
    expect((await confirmRemoval(user.client, '/profile/2fa/app/remove')).status).toBe(303);
    const removed = await app.mail.waitFor(user.email, /method removed from your .* account/, {
      since: removal,
    });
    expect(removed.text).toContain('The method “My phone” was removed from your account');
    expect(removed.text).toContain('If this was not you, change your password now');
    // It was the last one: the mail says what that means.
    expect(removed.text).toContain(
      'It was your last method: you now log in with your password alone.',
    );
  });

  it('says nothing of a last method when another one is left', async () => {
    const user = await userWithApp(app);
    await setUpEmail(app, user.client, user.email);
    const removal = app.mail.messages.length;
    expect((await confirmRemoval(user.client, '/profile/2fa/app/remove')).status).toBe(303);
    const removed = await app.mail.waitFor(user.email, /method removed from your .* account/, {
      since: removal,
    });
    expect(removed.text).not.toContain('last method');
  });
});
