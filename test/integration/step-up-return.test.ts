/*
 * Coming back from "Confirm it's you". A form post cannot be replayed after the step-up, so a
 * person who filled in a form, was sent to confirm and came back found it empty, with no word
 * of why and nothing changed. The password form now asks for the confirmation before it is
 * shown; any page a completed step-up returns to says the change can be made now; and the
 * confirmation page has a way back that is never another site.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../helpers/client.js';
import { textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, uniqueEmail } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { freshCode, newClient, signedInUser, userWithApp } from '../helpers/two-factor.js';

const ELEVEN_MINUTES = 11 * 60_000;
const NEW_PASSWORD = 'another long and fresh passphrase';
const CONFIRMED = 'Thanks, that was you. You can go on now.';

/** The href of the re-authentication page's Cancel link. */
function cancelHref(body: string): string | undefined {
  return /<a class="button secondary" href="([^"]*)"\s*>\s*Cancel\s*<\/a\s*>/.exec(body)?.[1];
}

function statusNotice(body: string): string {
  return textOf(
    /<div class="notice notice-status" role="status" data-announce>[\s\S]*?<\/div>/.exec(
      body,
    )?.[0] ?? '',
  );
}

describe.each(DIALECTS)('coming back from a step-up (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  async function addressCount(userId: string): Promise<number> {
    const rows = await app.db
      .selectFrom('email_addresses')
      .select('id')
      .where('user_id', '=', userId)
      .execute();
    return rows.length;
  }

  async function staleUser() {
    const user = await signedInUser(app);
    app.clock.advance(ELEVEN_MINUTES);
    return user;
  }

  it('asks to confirm before the password form is shown, then shows it with a word of why', async () => {
    const { client, email } = await staleUser();
    const form = await client.get('/profile/password');
    expect(form.status).toBe(303);
    expect(form.location).toBe('/reauth?next=%2Fprofile%2Fpassword&cancel=%2Fprofile');

    const reauth = await client.follow(form);
    expect(reauth.status).toBe(200);
    // Cancel leads back to the profile, not to the form that would ask again.
    expect(cancelHref(reauth.body)).toBe('/profile');

    const confirmed = await client.post('/reauth', {
      password: PASSWORD,
      next: '/profile/password',
      cancel: '/profile',
    });
    expect(confirmed.status).toBe(303);
    expect(confirmed.location).toBe('/profile/password');
    const page = await client.follow(confirmed);
    expect(page.status).toBe(200);
    expect(statusNotice(page.body)).toBe(CONFIRMED);
    expect(page.body).toContain('name="current_password"');

    // The form filled in now is the one that counts.
    const changed = await client.post('/profile/password', {
      current_password: PASSWORD,
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
    });
    expect(changed.status).toBe(303);
    expect(textOf((await client.follow(changed)).body)).toContain(
      'Your password has been changed.',
    );
    expect((await logIn(newClient(app), email, NEW_PASSWORD)).status).toBe(303);
  });

  it('shows the password form at once after a recent sign-in, with no notice', async () => {
    const { client } = await signedInUser(app);
    const page = await client.get('/profile/password');
    expect(page.status).toBe(200);
    expect(statusNotice(page.body)).toBe('');
  });

  it('says so on the page it returns to after the password and the second factor, with the address typed', async () => {
    const user = await userWithApp(app);
    app.clock.advance(ELEVEN_MINUTES);
    await user.client.get('/profile/emails');
    const address = uniqueEmail('added+step');
    const back = `/profile/emails?email=${encodeURIComponent(address)}`;
    const refused = await user.client.post('/profile/emails', { email: ` ${address} ` });
    expect(refused.location).toBe(
      `/reauth?next=${encodeURIComponent(back)}&cancel=%2Fprofile%2Femails`,
    );
    const reauth = await user.client.follow(refused);
    expect(cancelHref(reauth.body)).toBe('/profile/emails');
    const password = await user.client.post('/reauth', {
      password: PASSWORD,
      next: back,
      cancel: '/profile/emails',
    });
    const challenge = await user.client.follow(password);
    expect(statusNotice(challenge.body)).toBe('');
    expect(cancelHref(challenge.body)).toBe('/profile/emails');
    const done = await user.client.post('/reauth/2fa', {
      method: 'totp',
      code: freshCode(app, user.secret),
      next: back,
      cancel: '/profile/emails',
    });
    expect(done.status).toBe(303);
    expect(done.location).toBe(back);
    const page = await user.client.follow(done);
    expect(statusNotice(page.body)).toBe(CONFIRMED);
    // The address is in its field again, not added until the person says so.
    expect(page.body).toContain(`value="${address}"`);
    expect(await addressCount(user.userId)).toBe(1);
    // Once only.
    expect(statusNotice((await user.client.get('/profile/emails')).body)).toBe('');
    const added = await user.client.post('/profile/emails', { email: address });
    expect(added.status).toBe(303);
    expect(await addressCount(user.userId)).toBe(2);
  });

  it('asks before new recovery codes, so that a step-up comes back to the question, not to press again', async () => {
    const user = await userWithApp(app);
    const before = await app.db
      .selectFrom('recovery_codes')
      .select('code_hash')
      .where('user_id', '=', user.userId)
      .execute();
    app.clock.advance(ELEVEN_MINUTES);
    const overview = await user.client.get('/profile/2fa');
    expect(overview.body).toMatch(
      /<a class="button secondary" href="\/profile\/2fa\/recovery-codes\/new"\s*>\s*Generate new recovery codes/,
    );
    const asked = await user.client.get('/profile/2fa/recovery-codes/new');
    expect(asked.location).toBe(
      '/reauth?next=%2Fprofile%2F2fa%2Frecovery-codes%2Fnew&cancel=%2Fprofile%2F2fa',
    );
    const reauth = await user.client.follow(asked);
    expect(cancelHref(reauth.body)).toBe('/profile/2fa');
    await user.client.post('/reauth', {
      password: PASSWORD,
      next: '/profile/2fa/recovery-codes/new',
      cancel: '/profile/2fa',
    });
    const done = await user.client.post('/reauth/2fa', {
      method: 'totp',
      code: freshCode(app, user.secret),
      next: '/profile/2fa/recovery-codes/new',
      cancel: '/profile/2fa',
    });
    expect(done.location).toBe('/profile/2fa/recovery-codes/new');
    const question = await user.client.follow(done);
    expect(question.status).toBe(200);
    expect(statusNotice(question.body)).toBe(CONFIRMED);
    const text = textOf(question.body);
    expect(text).toContain('Generate new recovery codes?');
    expect(text).toContain('the old codes stop working at once');
    expect(cancelHref(question.body)).toBe('/profile/2fa');
    // Nothing replaced until the question is answered.
    const unchanged = await app.db
      .selectFrom('recovery_codes')
      .select('code_hash')
      .where('user_id', '=', user.userId)
      .execute();
    expect(unchanged).toEqual(before);
    const made = await user.client.post('/profile/2fa/recovery-codes');
    expect(made.location).toBe('/profile/2fa/recovery-codes');
    expect(textOf((await user.client.follow(made)).body)).toContain('Save your recovery codes');
  });

  it('has no question about recovery codes for a person without a method', async () => {
    const { client } = await signedInUser(app);
    const asked = await client.get('/profile/2fa/recovery-codes/new');
    expect(asked.status).toBe(303);
    expect(asked.location).toBe('/profile/2fa');
  });

  it('comes back to the bare page when the typed address is too long to carry', async () => {
    const { client } = await staleUser();
    const refused = await client.post('/profile/emails', {
      email: `${'a'.repeat(300)}@example.com`,
    });
    expect(refused.location).toBe('/reauth?next=%2Fprofile%2Femails&cancel=%2Fprofile%2Femails');
    // A value put in the address bar by hand is only ever a field's value.
    const page = await client.get(`/profile/emails?email=${encodeURIComponent('"><b>x</b>')}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('value="&quot;&gt;&lt;b&gt;x&lt;/b&gt;"');
  });

  it('offers the same Cancel on the second step of the confirmation', async () => {
    const user = await userWithApp(app);
    app.clock.advance(ELEVEN_MINUTES);
    const form = await user.client.get('/profile/password');
    await user.client.follow(form);
    const password = await user.client.post('/reauth', {
      password: PASSWORD,
      next: '/profile/password',
      cancel: '/profile',
    });
    expect(password.location).toBe('/reauth/2fa?next=%2Fprofile%2Fpassword&cancel=%2Fprofile');
    const second = await user.client.follow(password);
    expect(second.status).toBe(200);
    expect(cancelHref(second.body)).toBe('/profile');
    // Choosing another method keeps it.
    const other = await user.client.get(
      '/reauth/2fa?method=recovery&next=%2Fprofile%2Fpassword&cancel=%2Fprofile',
    );
    expect(cancelHref(other.body)).toBe('/profile');
    expect(other.body).toContain(
      'href="/reauth/2fa?method=choose&amp;next=%2Fprofile%2Fpassword&amp;cancel=%2Fprofile"',
    );
    const wrong = await user.client.post('/reauth/2fa', {
      method: 'totp',
      code: '000000',
      next: '/profile/password',
      cancel: '/profile',
    });
    expect(wrong.status).toBe(422);
    expect(cancelHref(wrong.body)).toBe('/profile');
    // Without a cancel of its own it leads back to where the step-up returns; never elsewhere.
    const plain = await user.client.get('/reauth/2fa?next=%2Fprofile%2Femails');
    expect(cancelHref(plain.body)).toBe('/profile/emails');
    const evil = await user.client.get(
      '/reauth/2fa?next=%2Fprofile%2Femails&cancel=%2F%2Fevil.example',
    );
    expect(cancelHref(evil.body)).toBe('/profile/emails');
    const done = await user.client.post('/reauth/2fa', {
      method: 'totp',
      code: freshCode(app, user.secret),
      next: '/profile/password',
      cancel: '/profile',
    });
    expect(done.location).toBe('/profile/password');
  });

  it('says it in Dutch too', async () => {
    const { client } = await staleUser();
    await client.post('/language', { lang: 'nl', return_to: '/' });
    const reauth = await client.get('/reauth?next=%2Fprofile%2F2fa');
    expect(textOf(reauth.body)).toContain('Annuleren');
    await client.post('/reauth', { password: PASSWORD, next: '/profile/2fa' });
    const page = await client.get('/profile/2fa');
    expect(statusNotice(page.body)).toBe(
      'Bedankt, je hebt bevestigd dat jij het bent. Je kunt nu verder.',
    );
  });

  it('keeps Cancel on this site, and keeps it after a wrong password', async () => {
    const { client } = await staleUser();
    const cancelOf = async (query: string) =>
      cancelHref((await client.get(`/reauth?${query}`)).body);
    expect(await cancelOf('next=%2F%2Fevil.example')).toBe('/profile');
    expect(await cancelOf('next=https%3A%2F%2Fevil.example')).toBe('/profile');
    expect(await cancelOf('next=%2Fprofile%2Femails&cancel=%2F%2Fevil.example')).toBe(
      '/profile/emails',
    );
    expect(await cancelOf('next=%2Fprofile%2Femails&cancel=%2F%5Cevil.example')).toBe(
      '/profile/emails',
    );
    await client.get('/reauth?next=%2Fprofile%2Fpassword&cancel=%2Fprofile');
    const wrong = await client.post('/reauth', {
      password: 'not the password at all',
      next: '/profile/password',
      cancel: '/profile',
    });
    expect(wrong.status).toBe(422);
    expect(cancelHref(wrong.body)).toBe('/profile');
    expect(statusNotice(wrong.body)).toBe('');
  });

  it('adds no notice to a log-in', async () => {
    const user = await userWithApp(app);
    const client: Client = newClient(app);
    await logIn(client, user.email);
    const done = await client.post('/login/2fa', {
      method: 'totp',
      code: freshCode(app, user.secret),
    });
    expect(done.status).toBe(303);
    expect(statusNotice((await client.follow(done)).body)).toBe('');
  });
});
