/**
 * The admin console of SPEC §2.7 through HTTP, on both stores: the two-factor settings and
 * what they do at the next log-in, user groups, finding users, a user's page, and the 2FA
 * reset that helps someone who lost their authenticator (and that no administrator can use on
 * themselves).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDateTime, formatShortDate } from '../../src/i18n/index.js';
import { newId } from '../../src/security/tokens.js';
import { totpCodeAt } from '../../src/two-factor/totp/totp.js';
import type { SignedInAdmin } from '../helpers/admin.js';
import { adminClient, logInAdmin, plainUser, signedInAdmin } from '../helpers/admin.js';
import { fieldError, textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, registerAndVerify, uniqueEmail } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { savePolicy, setUpApp, TEST_META } from '../helpers/two-factor.js';

describe.each(DIALECTS)('admin console (%s)', (dialect) => {
  let app: TestApp;
  let admin: SignedInAdmin;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
    admin = await signedInAdmin(app, { name: 'Ada Admin' });
  });
  afterAll(async () => {
    await app?.close();
  });

  /** The words of the page's own content, without the console's menu. */
  const mainText = (body: string) =>
    textOf(
      /<div class="admin-content">([\s\S]*)<\/div>\s*<\/div>\s*<\/main>/.exec(body)?.[1] ?? '',
    );

  /** A page as the administrator sees it in Dutch (their language is English again after). */
  const inDutch = async (url: string) => {
    await admin.client.post('/language', { lang: 'nl', return_to: url });
    const page = await admin.client.get(url);
    await admin.client.post('/language', { lang: 'en', return_to: url });
    return page;
  };

  /** A form post with a field given more than once (checkboxes), as the administrator. */
  const postPairs = async (url: string, pairs: Array<[string, string]>) =>
    admin.client.request('POST', url, {
      body: new URLSearchParams([['_csrf', await admin.client.csrfToken()], ...pairs]).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

  const auditEvents = (event: string) =>
    app.db.selectFrom('audit_events').selectAll().where('event', '=', event).execute();

  const resetPolicy = () =>
    app.services.twoFactor.policy.save(
      {
        methods: { email: true, totp: true, webauthn: true },
        require: 'nobody',
        groupIds: [],
        graceUntil: null,
      },
      { actorLabel: 'test' },
    );

  describe('two-factor settings', () => {
    it('shows the settings with the labels of SPEC §2.7', async () => {
      const page = await admin.client.get('/admin/2fa');
      expect(page.status).toBe(200);
      const text = textOf(page.body);
      for (const label of [
        'Two-factor authentication',
        'Email Authentication',
        'Authentication App',
        'Security Keys',
        'Require two-factor authentication for',
        'Nobody',
        'Selected user groups',
        'All users',
        'Users may postpone set-up until',
        'Save',
      ]) {
        expect(text).toContain(label);
      }
      expect(page.body).toMatch(/id="webauthn"[^>]*checked/);
      expect(page.body).toContain('People who already have it keep using it to sign in');
    });

    it('saves "All users", audits it, and the next log-in of a user without 2FA leads to set-up', async () => {
      const user = await plainUser(app);
      const saved = await admin.client.submit('/admin/2fa', {
        email: 'on',
        totp: 'on',
        require: 'all',
        grace_until: '',
      });
      expect(saved.status).toBe(303);
      expect(textOf((await admin.client.follow(saved)).body)).toContain(
        'The two-factor settings have been saved.',
      );
      expect((await app.services.twoFactor.policy.get()).require).toBe('all');
      const [event] = (await auditEvents('two_factor.policy_changed')).filter(
        (e) => e.actor_user_id === admin.userId,
      );
      expect(event?.ip).toBeTruthy();

      const login = await logIn(adminClient(app), user.email);
      expect(login.location).toBe('/login/2fa/setup');
      await resetPolicy();
      expect((await logIn(adminClient(app), user.email)).location).toBe('/');
    });

    it('offers "Set up later" until the grace date, shown back on the settings page', async () => {
      const user = await plainUser(app);
      const next = new Date(app.clock.now() + 3 * 86_400_000).toISOString().slice(0, 10);
      const saved = await admin.client.submit('/admin/2fa', {
        email: 'on',
        totp: 'on',
        require: 'all',
        grace_until: next,
      });
      expect(saved.status).toBe(303);
      expect((await admin.client.get('/admin/2fa')).body).toContain(`value="${next}"`);
      const client = adminClient(app);
      await logIn(client, user.email);
      expect(textOf((await client.get('/login/2fa/setup')).body)).toContain('Set up later');
      await resetPolicy();
    });

    it('says the settings were not saved when the recent sign-in ran out while the form was open', async () => {
      const form = await admin.client.get('/admin/2fa');
      expect(form.status).toBe(200);
      app.clock.advance(11 * 60_000);
      const sent = await admin.client.post('/admin/2fa', {
        email: 'on',
        totp: 'on',
        require: 'all',
      });
      expect(sent.location).toMatch(/^\/reauth\?next=%2Fadmin%2F2fa/);
      expect(textOf((await admin.client.follow(sent)).body)).toContain(
        'Your changes to the two-factor settings have not been saved: confirm it’s you, then make them again.',
      );
      expect((await app.services.twoFactor.policy.get()).require).toBe('nobody');
      admin = { ...admin, client: await logInAdmin(app, admin) };
    });

    it('refuses a save from a page opened before another administrator’s, and keeps both changes in the form', async () => {
      const [first, second, third] = await Promise.all(
        ['First', 'Second', 'Third'].map(async (name) => {
          const made = await app.services.admin.groups.create(`${name} ${newId()}`, {
            actorUserId: admin.userId,
          });
          if (!made.ok) throw new Error('group');
          return made.value.id;
        }),
      );
      await savePolicy(app, { require: 'groups', groupIds: [first ?? '', second ?? ''] });
      const stale = await admin.client.get('/admin/2fa');
      const opened = /name="opened_policy" value="([^"]*)"/.exec(stale.body)?.[1];
      expect(opened).toBeTruthy();
      // Meanwhile another administrator (another tab, process or the API) turns email codes off
      // and unticks the second group.
      const theirs = await app.services.admin.twoFactorSettings.save(
        {
          methods: { email: false, totp: true, webauthn: true },
          require: 'groups',
          groupIds: [first ?? ''],
          graceUntil: null,
        },
        { actorLabel: 'test' },
      );
      expect(theirs.ok).toBe(true);
      // This page, still showing email on, sets a grace date and ticks the third group.
      const grace = new Date(app.clock.now() + 5 * 86_400_000).toISOString().slice(0, 10);
      const before = await auditEvents('two_factor.policy_changed');
      const refused = await postPairs('/admin/2fa', [
        ['email', 'on'],
        ['totp', 'on'],
        ['webauthn', 'on'],
        ['require', 'groups'],
        ...[first, second, third].map((id): [string, string] => ['group', id ?? '']),
        ['grace_until', grace],
        ['opened_policy', textOf(opened ?? '')],
      ]);
      expect(refused.status).toBe(409);
      expect(textOf(refused.body)).toContain(
        'Since you opened this page, another administrator saved the two-factor settings. Your changes have not been saved',
      );
      // Nothing saved: email stays off, as the other administrator left it.
      const policy = await app.services.twoFactor.policy.get();
      expect(policy.methods.email).toBe(false);
      expect(policy.graceUntil).toBeNull();
      expect(await auditEvents('two_factor.policy_changed')).toHaveLength(before.length);
      // The form: their changes where this page left the field alone, this page's own on top.
      const checked = (id: string) =>
        new RegExp(`<input[^>]*id="${id}"[^>]*checked`).test(refused.body);
      expect(checked('email')).toBe(false);
      expect(refused.body).toContain(`value="${grace}"`);
      const ticked = [...refused.body.matchAll(/name="group"\s+value="([^"]+)"\s+checked/g)].map(
        (m) => m[1],
      );
      expect(ticked.sort()).toEqual([first, third].sort());
      // Saved again from that form, it saves.
      const again = await postPairs('/admin/2fa', [
        ['totp', 'on'],
        ['webauthn', 'on'],
        ['require', 'groups'],
        ...[first, third].map((id): [string, string] => ['group', id ?? '']),
        ['grace_until', grace],
        [
          'opened_policy',
          textOf(/name="opened_policy" value="([^"]*)"/.exec(refused.body)?.[1] ?? ''),
        ],
      ]);
      expect(again.status).toBe(303);
      const now = await app.services.twoFactor.policy.get();
      expect(now.methods.email).toBe(false);
      expect([...now.groupIds].sort()).toEqual([first, third].sort());
      expect(now.graceUntil).not.toBeNull();
      await resetPolicy();
    });

    it('says nothing of the saved grace moment on a refused stale form whose date is another', async () => {
      const moment = Math.floor(app.clock.now() / 86_400_000) * 86_400_000 + 5.5 * 86_400_000;
      await savePolicy(app, { require: 'nobody', graceUntil: moment });
      const page = await admin.client.get('/admin/2fa');
      expect(textOf(page.body)).toContain('The saved period ends at');
      const opened = textOf(/name="opened_policy" value="([^"]*)"/.exec(page.body)?.[1] ?? '');
      await savePolicy(app, { require: 'all', graceUntil: moment });
      const later = new Date(moment + 10 * 86_400_000).toISOString().slice(0, 10);
      const refused = await postPairs('/admin/2fa', [
        ['email', 'on'],
        ['totp', 'on'],
        ['webauthn', 'on'],
        ['require', 'nobody'],
        ['grace_until', later],
        ['opened_policy', opened],
      ]);
      expect(refused.status).toBe(409);
      expect(refused.body).toContain(`value="${later}"`);
      expect(textOf(refused.body)).not.toContain('The saved period ends at');
      await resetPolicy();
    });

    it('reads a tampered opened policy as none, never as a server error', async () => {
      await admin.client.get('/admin/2fa');
      for (const opened of [
        '{"groupIds":["a\\u0000b"]}',
        '{"groupIds":[1,{"x":2}],"methods":"no"}',
        '[1,2]',
        'not json',
      ]) {
        const saved = await postPairs('/admin/2fa', [
          ['email', 'on'],
          ['totp', 'on'],
          ['webauthn', 'on'],
          ['require', 'nobody'],
          ['grace_until', ''],
          ['opened_policy', opened],
        ]);
        expect(saved.status, opened).toBeLessThan(500);
      }
      await resetPolicy();
    });

    it('takes a group deleted since the page opened for no other administrator’s save', async () => {
      const made = await app.services.admin.groups.create(`Gone ${newId()}`, {
        actorUserId: admin.userId,
      });
      if (!made.ok) throw new Error('group');
      // Kept ticked under "Nobody", then deleted while the page is open.
      await savePolicy(app, { require: 'nobody', groupIds: [made.value.id] });
      const page = await admin.client.get('/admin/2fa');
      const opened = textOf(/name="opened_policy" value="([^"]*)"/.exec(page.body)?.[1] ?? '');
      const removed = await app.services.admin.groups.remove(made.value.id, {
        actorUserId: admin.userId,
      });
      expect(removed.ok).toBe(true);
      // The page showed its box ticked, and the browser still sends it.
      const saved = await postPairs('/admin/2fa', [
        ['totp', 'on'],
        ['webauthn', 'on'],
        ['require', 'nobody'],
        ['group', made.value.id],
        ['grace_until', ''],
        ['opened_policy', opened],
      ]);
      expect(saved.status).toBe(303);
      expect((await app.services.twoFactor.policy.get()).methods.email).toBe(false);
      // A group ticked on the page only, and deleted before the save: said as that.
      const other = await app.services.admin.groups.create(`Other ${newId()}`, {
        actorUserId: admin.userId,
      });
      if (!other.ok) throw new Error('group');
      const page2 = await admin.client.get('/admin/2fa');
      const opened2 = textOf(/name="opened_policy" value="([^"]*)"/.exec(page2.body)?.[1] ?? '');
      await app.services.admin.groups.remove(other.value.id, { actorUserId: admin.userId });
      const refused = await postPairs('/admin/2fa', [
        ['totp', 'on'],
        ['require', 'groups'],
        ['group', other.value.id],
        ['grace_until', ''],
        ['opened_policy', opened2],
      ]);
      expect(refused.status).toBe(422);
      expect(textOf(refused.body)).toContain(
        'A user group ticked here has been deleted meanwhile. Check the groups and save again.',
      );
      await resetPolicy();
    });

    it('keeps a grace date that has passed when the other settings are saved', async () => {
      const yesterday = new Date(app.clock.now() - 86_400_000).toISOString().slice(0, 10);
      await app.services.twoFactor.policy.save(
        {
          methods: { email: true, totp: true, webauthn: true },
          require: 'all',
          groupIds: [],
          graceUntil: Date.parse(`${yesterday}T00:00:00Z`) + 86_400_000,
        },
        { actorLabel: 'test' },
      );
      expect((await admin.client.get('/admin/2fa')).body).toContain(`value="${yesterday}"`);
      const saved = await admin.client.submit('/admin/2fa', {
        email: 'on',
        require: 'all',
        grace_until: yesterday,
      });
      expect(saved.status).toBe(303);
      expect(saved.location).toBe('/admin/2fa');
      expect((await app.services.twoFactor.policy.get()).methods.totp).toBe(false);
      await resetPolicy();
    });

    it('shows and keeps a grace period that ends within a day, as the API may set it', async () => {
      const moment = Date.parse('2099-12-15T12:30:00Z');
      await savePolicy(app, { require: 'all', graceUntil: moment });
      const page = await admin.client.get('/admin/2fa');
      expect(page.body).toContain('value="2099-12-15"');
      expect(textOf(page.body)).toContain(
        `The saved period ends at ${formatDateTime('en', moment)}; saving the same date keeps that moment.`,
      );
      // Another setting saved with the date as shown: the moment stays.
      const saved = await admin.client.submit('/admin/2fa', {
        email: 'on',
        totp: 'on',
        require: 'all',
        grace_until: '2099-12-15',
      });
      expect(saved.status).toBe(303);
      expect((await app.services.twoFactor.policy.get()).graceUntil).toBe(moment);
      // Another date is a whole day, as the field says; the page no longer speaks of a moment.
      await admin.client.submit('/admin/2fa', {
        email: 'on',
        totp: 'on',
        require: 'all',
        grace_until: '2099-12-16',
      });
      expect((await app.services.twoFactor.policy.get()).graceUntil).toBe(
        Date.parse('2099-12-17T00:00:00Z'),
      );
      expect(textOf((await admin.client.get('/admin/2fa')).body)).not.toContain(
        'The saved period ends at',
      );
      await resetPolicy();
    });

    it('turns a method off for new set-ups', async () => {
      const saved = await admin.client.submit('/admin/2fa', { totp: 'on', require: 'nobody' });
      expect(saved.status).toBe(303);
      expect((await app.services.twoFactor.policy.get()).methods).toEqual({
        email: false,
        totp: true,
        webauthn: false,
      });
      const user = adminClient(app);
      const { email } = await registerAndVerify(app, user);
      await logIn(user, email);
      expect((await user.get('/profile/2fa/email/new')).status).toBe(403);
      expect((await user.get('/profile/2fa/security-keys/new')).status).toBe(403);
      await resetPolicy();
    });

    it('warns when security keys are the only method people who must use 2FA can set up', async () => {
      const WARNING = 'Security keys are the only method on';
      const saved = await admin.client.submit('/admin/2fa', { webauthn: 'on', require: 'all' });
      expect(saved.status).toBe(303);
      expect(textOf((await admin.client.get('/admin/2fa')).body)).toContain(WARNING);
      await admin.client.submit('/admin/2fa', { webauthn: 'on', require: 'nobody' });
      expect(textOf((await admin.client.get('/admin/2fa')).body)).not.toContain(WARNING);
      await admin.client.submit('/admin/2fa', { webauthn: 'on', totp: 'on', require: 'all' });
      expect(textOf((await admin.client.get('/admin/2fa')).body)).not.toContain(WARNING);
      await resetPolicy();
    });

    it('refuses to turn every method off, a group requirement without groups, and a bad date', async () => {
      const before = await app.services.twoFactor.policy.get();
      const none = await admin.client.submit('/admin/2fa', { require: 'nobody' });
      expect(none.status).toBe(422);
      expect(textOf(none.body)).toContain('Leave at least one method on.');
      expect(none.body).toMatch(/href="#email"/);
      const noGroup = await admin.client.submit('/admin/2fa', { email: 'on', require: 'groups' });
      expect(noGroup.status).toBe(422);
      expect(textOf(noGroup.body)).toContain('Choose at least one user group.');
      // Its link in the error summary leads somewhere: a group box, or with none the link
      // that makes one.
      expect(noGroup.body).toMatch(/href="#group"/);
      expect(noGroup.body).toMatch(/<(input|a)\b[^>]*\bid="group"/);
      const badDate = await admin.client.submit('/admin/2fa', {
        email: 'on',
        require: 'nobody',
        grace_until: '2026-02-31',
      });
      expect(badDate.status).toBe(422);
      expect(textOf(badDate.body)).toContain('Enter a date as YYYY-MM-DD.');
      const yesterday = new Date(app.clock.now() - 86_400_000).toISOString().slice(0, 10);
      const pastDate = await admin.client.submit('/admin/2fa', {
        email: 'on',
        require: 'all',
        grace_until: yesterday,
      });
      expect(pastDate.status).toBe(422);
      expect(textOf(pastDate.body)).toContain('That day is over');
      // Its period would end in the year 10000, which no four-digit date shows: refused here
      // as the API refuses it (it once saved, and broke the API's reading of the policy).
      const lastDay = await admin.client.submit('/admin/2fa', {
        email: 'on',
        require: 'all',
        grace_until: '9999-12-31',
      });
      expect(lastDay.status).toBe(422);
      expect(fieldError(lastDay.body, 'grace_until')).toBe(
        'Pick an earlier day: the last one that can be given is 30 December 9999.',
      );
      expect(lastDay.body).toContain('value="9999-12-31"');
      // A choice the form does not offer (made elsewhere) is refused, never read as "Nobody".
      for (const require of ['everyone', '']) {
        const unknownRequirement = await admin.client.submit('/admin/2fa', {
          email: 'on',
          require,
        });
        expect(unknownRequirement.status, require).toBe(422);
        expect(textOf(unknownRequirement.body)).toContain(
          'Choose for whom two-factor authentication is required.',
        );
        expect(unknownRequirement.body).toContain('href="#require-nobody"');
        // No choice is shown as made: "Nobody" checked beside the error would say otherwise.
        expect(unknownRequirement.body).toMatch(/<input[^>]*name="require"/);
        expect(unknownRequirement.body).not.toMatch(/<input[^>]*name="require"[^>]*checked/);
      }
      const unknownGroup = await admin.client.submit('/admin/2fa', {
        email: 'on',
        require: 'groups',
        group: newId(),
      });
      expect(unknownGroup.status).toBe(422);
      expect(await app.services.twoFactor.policy.get()).toEqual(before);
    });
  });

  describe('user groups', () => {
    it('creates, renames, fills, requires, protects and deletes a group', async () => {
      const member = await plainUser(app, { name: 'Gina Group' });
      const outsider = await plainUser(app, { name: 'Oscar Outside' });
      const name = `Support ${newId().slice(0, 6)}`;

      const created = await admin.client.submit('/admin/groups', { name });
      expect(created.status).toBe(303);
      const groupPath = created.location ?? '';
      expect(groupPath).toMatch(/^\/admin\/groups\/[0-9a-f-]{36}$/);
      const groupId = groupPath.split('/').pop() ?? '';
      expect(textOf((await admin.client.follow(created)).body)).toContain(
        `The group “${name}” has been created.`,
      );
      // Names that look the same are the same: case, a zero-width space or soft hyphen, runs
      // of spaces, and the two ways Unicode can write an accented letter.
      for (const lookalike of [
        name.toUpperCase(),
        `${name}\u200b`,
        `${name.slice(0, 3)}\u00ad${name.slice(3)}`,
        name.replace(' ', '   '),
      ]) {
        const taken = await admin.client.submit('/admin/groups', { name: lookalike });
        expect(taken.status, JSON.stringify(lookalike)).toBe(409);
        expect(textOf(taken.body)).toContain('A group with this name already exists.');
      }
      const composed = await admin.client.submit('/admin/groups', { name: `Zo\u00eb ${name}` });
      expect(composed.status).toBe(303);
      const decomposed = await admin.client.submit('/admin/groups', { name: `Zoe\u0308 ${name}` });
      expect(decomposed.status).toBe(409);
      const composedId = composed.location?.split('/').pop() ?? '';
      await app.db.deleteFrom('user_groups').where('id', '=', composedId).execute();

      const renamed = await admin.client.submit(
        groupPath,
        { name: `${name} team` },
        `${groupPath}/rename`,
      );
      expect(renamed.status).toBe(303);
      expect(textOf((await admin.client.get(groupPath)).body)).toContain(`${name} team`);
      // The log says which group became what; a group event is about no user.
      const renames = await auditEvents('user_group.renamed');
      expect(
        renames.map((e) => [e.target_user_id, JSON.parse(String(e.details)) as unknown]),
      ).toEqual([[null, { previous_group: name, group: `${name} team` }]]);
      const creations = (await auditEvents('user_group.created')).filter(
        (e) => (JSON.parse(String(e.details)) as { group?: string }).group === name,
      );
      expect(creations.map((e) => e.target_user_id)).toEqual([null]);
      // The same name again changes nothing and logs nothing.
      const unchanged = await admin.client.submit(
        groupPath,
        { name: `${name} team` },
        `${groupPath}/rename`,
      );
      expect(unchanged.status).toBe(303);
      expect(await auditEvents('user_group.renamed')).toHaveLength(1);

      const unknown = await admin.client.submit(
        groupPath,
        { email: uniqueEmail('nobody') },
        `${groupPath}/members`,
      );
      expect(unknown.status).toBe(422);
      expect(textOf(unknown.body)).toContain('No account has this verified email address.');
      const added = await admin.client.submit(
        groupPath,
        { email: member.email.toUpperCase() },
        `${groupPath}/members`,
      );
      expect(added.status).toBe(303);
      const page = await admin.client.get(groupPath);
      expect(textOf(page.body)).toContain('Gina Group');
      expect(
        (await auditEvents('user_group.member_added')).some(
          (e) => e.target_user_id === member.userId,
        ),
      ).toBe(true);
      expect(textOf(page.body)).toContain(`${member.email} has been added to the group.`);

      // Adding them again says they already are a member, and changes and audits nothing.
      const addedEvents = (await auditEvents('user_group.member_added')).length;
      const addedAgain = await admin.client.submit(
        groupPath,
        { email: member.email },
        `${groupPath}/members`,
      );
      expect(addedAgain.status).toBe(303);
      const againText = textOf((await admin.client.follow(addedAgain)).body);
      expect(againText).toContain(`${member.email} is already a member of this group.`);
      expect(againText).not.toContain('has been added');
      expect(await auditEvents('user_group.member_added')).toHaveLength(addedEvents);
      expect(await app.services.admin.groups.members(groupId)).toHaveLength(1);

      // The policy requires the group: its member must set up 2FA, the outsider need not.
      const saved = await admin.client.submit('/admin/2fa', {
        email: 'on',
        totp: 'on',
        require: 'groups',
        group: groupId,
      });
      expect(saved.status).toBe(303);
      expect((await logIn(adminClient(app), member.email)).location).toBe('/login/2fa/setup');
      expect((await logIn(adminClient(app), outsider.email)).location).toBe('/');

      // A group the policy relies on cannot be deleted.
      const groupPage = await admin.client.get(groupPath);
      expect(groupPage.body).not.toContain(`href="${groupPath}/delete"`);
      expect((await admin.client.get(`${groupPath}/delete`)).status).toBe(409);
      const refused = await admin.client.post(`${groupPath}/delete`);
      expect(refused.status).toBe(409);
      expect(await app.services.twoFactor.groups.get(groupId)).toBeDefined();

      // Taking a member out of a group the policy names takes protection away: on a console
      // session idle for more than 10 minutes it asks for a new sign-in and removes no one.
      app.clock.advance(11 * 60_000);
      const removePath = `${groupPath}/members/${member.userId}/remove`;
      const stale = await admin.client.post(removePath);
      expect(stale.location).toBe(
        `/reauth?next=${encodeURIComponent(groupPath)}&cancel=${encodeURIComponent(groupPath)}`,
      );
      expect(await app.services.admin.groups.members(groupId)).toHaveLength(1);
      admin = { ...admin, client: await logInAdmin(app, admin) };

      const removed = await admin.client.post(removePath);
      expect(removed.status).toBe(303);
      expect(await app.services.admin.groups.members(groupId)).toHaveLength(0);
      expect((await logIn(adminClient(app), member.email)).location).toBe('/');

      // Named in the policy while it requires everyone, the group takes no one's protection
      // away: its member's removal asks for no new sign-in.
      await savePolicy(app, { require: 'all', groupIds: [groupId] });
      expect((await app.services.twoFactor.policy.get()).groupIds).toEqual([groupId]);
      await app.services.admin.groups.addMemberByEmail(groupId, member.email, {
        actorLabel: 'test',
      });
      app.clock.advance(11 * 60_000);
      expect((await admin.client.post(removePath)).location).toBe(groupPath);
      expect(await app.services.admin.groups.members(groupId)).toHaveLength(0);
      admin = { ...admin, client: await logInAdmin(app, admin) };

      // Deleting asks first, saying what stays; cancelling leaves the group.
      await resetPolicy();
      const again = await admin.client.get(groupPath);
      expect(again.body).toContain(`href="${groupPath}/delete"`);
      const confirm = await admin.client.get(`${groupPath}/delete`);
      expect(confirm.status).toBe(200);
      expect(textOf(confirm.body)).toContain(`Delete the group “${name} team”?`);
      expect(textOf(confirm.body)).toContain('The group has no members.');
      expect(confirm.body).toContain(`action="${groupPath}/delete"`);
      expect(confirm.body).toContain(`href="${groupPath}"`);
      expect(await app.services.twoFactor.groups.get(groupId)).toBeDefined();
      const deleted = await admin.client.post(`${groupPath}/delete`);
      expect(deleted.status).toBe(303);
      expect(await app.services.twoFactor.groups.get(groupId)).toBeUndefined();
      expect((await admin.client.get(groupPath)).status).toBe(404);
    });

    it('answers 404 for ids that are no group', async () => {
      expect((await admin.client.get('/admin/groups/not-a-uuid')).status).toBe(404);
      expect((await admin.client.get(`/admin/groups/${newId()}`)).status).toBe(404);
    });
  });

  describe('users', () => {
    it('lists the users without two-factor authentication the dashboard counts, searchable', async () => {
      const tag = newId().slice(0, 8);
      const bare = await plainUser(app, { name: `Bare ${tag}` });
      const guarded = adminClient(app);
      const withApp = await registerAndVerify(app, guarded, { name: `Guarded ${tag}` });
      await logIn(guarded, withApp.email);
      await setUpApp(app, guarded);
      const dashboard = await admin.client.get('/admin');
      expect(dashboard.body).toContain('href="/admin/users?2fa=none"');
      const filtered = await admin.client.get(`/admin/users?2fa=none&q=${tag}`);
      expect(filtered.status).toBe(200);
      expect(textOf(filtered.body)).toContain('Without two-factor authentication: 1 user');
      expect(filtered.body).toContain(`/admin/users/${bare.userId}`);
      expect(filtered.body).not.toContain(`/admin/users/${withApp.userId}`);
      // The search form keeps the filter; "Show all users" drops it.
      expect(filtered.body).toContain('<input type="hidden" name="2fa" value="none" />');
      expect(textOf((await admin.client.get(`/admin/users?q=${tag}`)).body)).toContain('2 users');
      // As many as the dashboard says.
      const all = await admin.client.get('/admin/users?2fa=none');
      const counted = /Without two-factor authentication: (\d+) users?/.exec(textOf(all.body))?.[1];
      const { users, withTwoFactor } = await app.services.admin.dashboard.counts();
      expect(Number(counted)).toBe(users - withTwoFactor);
    });

    it('finds users by part of the name or email, case-insensitively, wildcards taken literally', async () => {
      const tag = newId().slice(0, 8);
      const rosa = await plainUser(app, { name: `Rosa ${tag}`, email: `rosa.${tag}@example.com` });
      await plainUser(app, { name: `Other ${tag}`, email: `o_${tag}@example.com` });
      const byName = await admin.client.get(`/admin/users?q=${encodeURIComponent(`ROSA ${tag}`)}`);
      expect(textOf(byName.body)).toContain('1 user');
      expect(byName.body).toContain(`/admin/users/${rosa.userId}`);
      const byEmail = await admin.client.get(
        `/admin/users?q=${encodeURIComponent(`rosa.${tag.toUpperCase()}@`)}`,
      );
      expect(byEmail.body).toContain(`/admin/users/${rosa.userId}`);
      const both = await admin.client.get(`/admin/users?q=${tag}`);
      expect(textOf(both.body)).toContain('2 users');
      // "_" and "%" are no wildcards: "o_" matches only the address with an underscore.
      const literal = await admin.client.get(`/admin/users?q=${encodeURIComponent(`_${tag}`)}`);
      expect(textOf(literal.body)).toContain('1 user');
      const percent = await admin.client.get(`/admin/users?q=${encodeURIComponent('%')}`);
      expect(textOf(percent.body)).toContain('No users match “%”.');
      // A NUL in the address is dropped from the search, not read as no search at all (which
      // listed everyone).
      const nul = await admin.client.get(`/admin/users?q=rosa.${tag}%00@`);
      expect(nul.status).toBe(200);
      expect(textOf(nul.body)).toContain('1 user');
      expect(nul.body).toContain(`/admin/users/${rosa.userId}`);
      // Every letter's case is ignored, not only A to Z's (SQLite's own lower() folds those only).
      const zoe = await plainUser(app, { name: `Zoë O'Brien-Ångström ${tag}` });
      for (const typed of ['Ångström', 'ångström', 'BRIEN-Å', 'ZOË']) {
        const found = await admin.client.get(`/admin/users?q=${encodeURIComponent(typed)}`);
        expect(found.body, typed).toContain(`/admin/users/${zoe.userId}`);
      }
      // Unicode writes "ë" as one character or as "e" with a mark after it; keyboards and
      // pastes differ. A name is stored one way, and a search of either finds it.
      const decomposed = await plainUser(app, { name: `Chloe\u0308 ${tag}` });
      const stored = await app.db
        .selectFrom('users')
        .select('name')
        .where('id', '=', decomposed.userId)
        .executeTakeFirstOrThrow();
      expect(stored.name).toBe(`Chlo\u00eb ${tag}`);
      for (const typed of ['Chlo\u00eb', 'Chloe\u0308', 'CHLOE\u0308']) {
        const found = await admin.client.get(`/admin/users?q=${encodeURIComponent(typed)}`);
        expect(found.body, typed).toContain(`/admin/users/${decomposed.userId}`);
      }
      // A name stored before, as it was typed, is found by the same search typed the same way.
      await app.db
        .updateTable('users')
        .set({ name: `Chloe\u0308 ${tag}` })
        .where('id', '=', decomposed.userId)
        .execute();
      const older = await admin.client.get(`/admin/users?q=${encodeURIComponent('Chloe\u0308')}`);
      expect(older.body).toContain(`/admin/users/${decomposed.userId}`);
      // A search given twice runs neither, and says so: never the whole list.
      const twice = await admin.client.get(`/admin/users?q=rosa.${tag}&q=o_${tag}`);
      expect(twice.status).toBe(422);
      expect(textOf(twice.body)).toContain('The search is in the address more than once');
      expect(twice.body).not.toContain(`/admin/users/${rosa.userId}`);
      expect(twice.body).toMatch(/<input[^>]*id="q"[^>]*aria-invalid="true"/);
    });

    it('pages through many users', async () => {
      const tag = newId().slice(0, 8);
      const now = app.clock.now();
      for (let i = 0; i < 30; i++) {
        const id = newId();
        await app.db
          .insertInto('users')
          .values({
            id,
            name: `Paged ${tag} ${String(i).padStart(2, '0')}`,
            locale: null,
            password_hash: 'x',
            disabled_at: null,
            created_at: now,
            updated_at: now,
          })
          .execute();
      }
      const first = await admin.client.get(`/admin/users?q=${tag}`);
      expect(textOf(first.body)).toContain('30 users');
      expect(textOf(first.body)).toContain('Page 1 of 2');
      expect(first.body).toContain(`Paged ${tag} 00`);
      expect(first.body).not.toContain(`Paged ${tag} 29`);
      const second = await admin.client.get(`/admin/users?q=${tag}&page=2`);
      expect(second.body).toContain(`Paged ${tag} 29`);
      expect(second.body).not.toContain(`Paged ${tag} 00`);
      expect((await admin.client.get(`/admin/users?q=${tag}&page=abc`)).status).toBe(200);
    });

    it('shows every user’s status in the list, the same as on their own page, and the day they came', async () => {
      const tag = newId().slice(0, 8);
      const active = await plainUser(app, { name: `Status ${tag} active` });
      const unverifiedEmail = uniqueEmail('unverified');
      const registered = await adminClient(app).submit('/register', {
        name: `Status ${tag} unverified`,
        email: unverifiedEmail,
        password: PASSWORD,
      });
      expect(registered.status).toBe(200);
      // The account is written just after the answer (registration.ts).
      await app.services.postman.drain();
      // Found by the text of its address: an exact look-up finds only an account that verified it.
      const { directory } = app.services.admin;
      const [listed] = (await directory.search({ text: unverifiedEmail })).users;
      const unverified = listed ? await directory.find(listed.id) : undefined;
      const disabled = await plainUser(app, { name: `Status ${tag} disabled` });
      expect((await admin.client.post(`/admin/users/${disabled.userId}/disable`)).status).toBe(303);
      const chief = await plainUser(app, { name: `Status ${tag} chief` });
      await app.db
        .updateTable('users')
        .set({ is_admin: 1 })
        .where('id', '=', chief.userId)
        .execute();

      /** The status cell (the fourth) of a user's row in the list. */
      const statusOf = (body: string, userId: string) => {
        const row = [...body.matchAll(/<tr>[\s\S]*?<\/tr>/g)]
          .map((m) => m[0])
          .find((tr) => tr.includes(`href="/admin/users/${userId}"`));
        return textOf([...(row ?? '').matchAll(/<td\b[^>]*>[\s\S]*?<\/td>/g)][3]?.[0] ?? '');
      };
      /** The badges under a user's name on their page. */
      const badges = async (userId: string) =>
        textOf(
          /<p class="badges">([\s\S]*?)<\/p>/.exec(
            (await admin.client.get(`/admin/users/${userId}`)).body,
          )?.[1] ?? '',
        );
      const list = (await admin.client.get(`/admin/users?q=${tag}`)).body;
      const dutch = (await inDutch(`/admin/users?q=${tag}`)).body;
      const chiefBadges = await badges(chief.userId);
      // Later tests count the administrators, whatever happens below.
      await app.db
        .updateTable('users')
        .set({ is_admin: 0 })
        .where('id', '=', chief.userId)
        .execute();

      expect(statusOf(list, active.userId)).toBe('Active');
      expect(statusOf(list, unverified?.id ?? '')).toBe('Email not verified');
      expect(statusOf(list, disabled.userId)).toBe('Disabled');
      expect(statusOf(list, chief.userId)).toBe('Administrator Active');
      expect(statusOf(dutch, active.userId)).toBe('Actief');
      expect(statusOf(dutch, unverified?.id ?? '')).toBe('E-mailadres niet bevestigd');
      expect(statusOf(dutch, disabled.userId)).toBe('Uitgeschakeld');
      expect(statusOf(dutch, chief.userId)).toBe('Beheerder Actief');
      // A user's page says the same of them.
      expect(await badges(unverified?.id ?? '')).toBe('Email not verified');
      expect(await badges(active.userId)).toBe('Active');
      expect(await badges(disabled.userId)).toBe('Disabled');
      expect(chiefBadges).toBe('Administrator Active');

      // "Created" is the day, short and whole, with the exact time kept for those who point at it.
      const created = unverified?.created_at ?? 0;
      const time = new RegExp(
        `<time\\s+class="nowrap"\\s+datetime="${new Date(created).toISOString()}"[^>]*>([^<]*)</time`,
      ).exec(list);
      expect(time?.[1]).toBe(formatShortDate('en', created));
      expect(textOf(list)).not.toContain(formatDateTime('en', created));
    });

    it('shows a user’s addresses, groups, methods, sessions and recent events', async () => {
      const client = adminClient(app);
      const { email, userId } = await registerAndVerify(app, client, { name: 'Mona Methods' });
      await logIn(client, email);
      await setUpApp(app, client, '/profile/2fa', 'Pixel phone');
      const page = await admin.client.get(`/admin/users/${userId}`);
      expect(page.status).toBe(200);
      const text = textOf(page.body);
      expect(text).toContain(email);
      expect(text).toContain('Pixel phone');
      expect(text).toContain('Authentication App');
      expect(text).toContain('Last used');
      expect(text).toContain('10 unused recovery codes.');
      expect(text).toContain('Active sessions');
      // The session's browser in words, its whole User-Agent on hover.
      expect(page.body).toContain(`<span title="${client.userAgent}">Linux</span>`);
      expect(text).toContain('2FA method added');
      expect(page.body).toContain(`/admin/users/${userId}/reset-2fa`);
      expect(page.body).not.toContain('secret_encrypted');
      expect((await admin.client.get(`/admin/users/${newId()}`)).status).toBe(404);
      expect((await admin.client.get('/admin/users/%00')).status).toBe(404);
    });

    it('resets a user’s 2FA after a confirmation: methods, codes and sessions go, audited and mailed', async () => {
      const client = adminClient(app);
      const { email, userId } = await registerAndVerify(app, client, { name: 'Lost Phone' });
      await logIn(client, email);
      await setUpApp(app, client);
      expect((await client.get('/profile')).status).toBe(200);

      const confirm = await admin.client.get(`/admin/users/${userId}/reset-2fa`);
      expect(confirm.status).toBe(200);
      expect(mainText(confirm.body)).toBe(
        'Reset two-factor authentication for Lost Phone? All their methods, recovery codes, trusted devices and sessions are removed, and they are emailed. Two-factor authentication is optional for them: they can log in with their password alone and set it up again under Your 2FA in their profile. Reset two-factor authentication Cancel',
      );
      const dutch = await inDutch(`/admin/users/${userId}/reset-2fa`);
      expect(mainText(dutch.body)).toBe(
        'Tweestapsverificatie resetten voor Lost Phone? Alle methoden, herstelcodes, vertrouwde apparaten en sessies van deze gebruiker worden verwijderd, en de gebruiker krijgt een e-mail. Tweestapsverificatie is niet verplicht voor deze gebruiker: die kan met alleen het wachtwoord inloggen en tweestapsverificatie later opnieuw instellen onder Je 2FA in het profiel. Tweestapsverificatie resetten Annuleren',
      );
      const since = app.mail.messages.length;
      const reset = await admin.client.post(`/admin/users/${userId}/reset-2fa`);
      expect(reset.status).toBe(303);
      expect(reset.location).toBe(`/admin/users/${userId}`);
      const after = await admin.client.follow(reset);
      expect(textOf(after.body)).toContain(
        'Two-factor authentication for Lost Phone has been reset.',
      );
      // Nothing is left to reset: no button for it.
      expect(textOf(after.body)).toContain(
        'They have no two-factor method set up: there is nothing to reset.',
      );
      expect(after.body).not.toContain(`href="/admin/users/${userId}/reset-2fa"`);

      expect(await app.services.twoFactor.methods.list(userId)).toEqual([]);
      expect(await app.services.twoFactor.recovery.remaining(userId)).toBe(0);
      expect((await client.get('/profile')).location).toMatch(/^\/login/);
      const [event] = (await auditEvents('two_factor.reset_by_admin')).filter(
        (e) => e.target_user_id === userId,
      );
      expect(event?.actor_user_id).toBe(admin.userId);
      const mail = await app.mail.waitFor(email, /two-factor authentication was reset/, { since });
      expect(mail.text).toContain('reset the two-factor authentication');
      // The administrator did it: the mail asks whether the person asked for it.
      expect(mail.text).toContain('If you did not ask your helpdesk for this, contact them');
      expect(mail.text).not.toContain('If this was not you');

      // Asked again (an old tab, a bookmark): nothing to reset, and nothing ends or is mailed.
      await logIn(client, email);
      const mailsBefore = app.mail.messages.length;
      for (const again of [
        await admin.client.get(`/admin/users/${userId}/reset-2fa`),
        await admin.client.post(`/admin/users/${userId}/reset-2fa`),
      ]) {
        expect(again.status).toBe(409);
        expect(textOf(again.body)).toContain('there is nothing to reset');
        expect(again.body).toMatch(/<h1>\s*Reset two-factor authentication\s*<\/h1>/);
      }
      expect((await client.get('/profile')).status).toBe(200);
      expect(
        (await auditEvents('two_factor.reset_by_admin')).filter((e) => e.target_user_id === userId),
      ).toHaveLength(1);
      await app.services.postman.drain();
      expect(app.mail.messages.length).toBe(mailsBefore);
    });

    it('says what a reset leaves the user to do as the policy has it: set-up at log-in only when required', async () => {
      const user = await plainUser(app, { name: 'Polly Policy' });
      // Someone with a method, whose reset there is something to say about.
      const client = adminClient(app);
      await logIn(client, user.email);
      await setUpApp(app, client);
      const bystanders = await app.services.admin.groups.create(`Bystanders ${newId()}`, {
        actorUserId: admin.userId,
      });
      const members = await app.services.admin.groups.create(`Members ${newId()}`, {
        actorUserId: admin.userId,
      });
      if (!bystanders.ok || !members.ok) throw new Error('groups');
      await app.services.admin.groups.addMemberByEmail(members.value.id, user.email, {
        actorUserId: admin.userId,
      });
      const requireOf = (require: 'nobody' | 'groups' | 'all', groupIds: string[] = []) =>
        savePolicy(app, { require, groupIds });
      /** The reset's words on the user's page and on its confirmation, in one language. */
      const resetWords = async (get: (url: string) => Promise<{ body: string }>) => [
        textOf(
          /<section class="admin-action"[\s\S]*?<\/section>/.exec(
            (await get(`/admin/users/${user.userId}`)).body,
          )?.[0] ?? '',
        ),
        mainText((await get(`/admin/users/${user.userId}/reset-2fa`)).body),
      ];
      const english = (url: string) => admin.client.get(url);
      const optional =
        'Two-factor authentication is optional for them: they can log in with their password alone and set it up again under Your 2FA in their profile.';
      const required =
        'Two-factor authentication is required for them, so at their next log-in they are asked to set it up again.';
      const cases: Array<[string, () => Promise<unknown>, string, string]> = [
        ['nobody', () => requireOf('nobody'), optional, 'is niet verplicht'],
        [
          'another group',
          () => requireOf('groups', [bystanders.value.id]),
          optional,
          'is niet verplicht',
        ],
        ['their group', () => requireOf('groups', [members.value.id]), required, 'is verplicht'],
        ['all users', () => requireOf('all'), required, 'is verplicht'],
      ];
      for (const [policy, apply, expected, dutchExpected] of cases) {
        await apply();
        for (const words of await resetWords(english)) {
          expect(words, policy).toContain(expected);
          expect(words, policy).not.toContain(expected === optional ? required : optional);
        }
        for (const words of await resetWords(inDutch)) {
          expect(words, policy).toContain(
            `Tweestapsverificatie ${dutchExpected} voor deze gebruiker`,
          );
        }
      }
      await resetPolicy();
    });

    it('has no reset for the administrator’s own account, and refuses the post', async () => {
      const own = await admin.client.get(`/admin/users/${admin.userId}`);
      expect(own.status).toBe(200);
      expect(own.body).not.toContain(`/admin/users/${admin.userId}/reset-2fa`);
      expect(textOf(own.body)).toContain(
        'You cannot reset your own two-factor authentication here.',
      );
      expect((await admin.client.get(`/admin/users/${admin.userId}/reset-2fa`)).status).toBe(409);
      const post = await admin.client.post(`/admin/users/${admin.userId}/reset-2fa`);
      expect(post.status).toBe(409);
      expect(await app.services.twoFactor.methods.list(admin.userId)).toHaveLength(1);
      expect((await admin.client.get('/admin')).status).toBe(200);
    });

    it('disables an account (its sessions end, it cannot log in) and enables it again', async () => {
      const client = adminClient(app);
      const { email, userId } = await registerAndVerify(app, client, { name: 'Dora Disabled' });
      await logIn(client, email);
      await admin.client.get(`/admin/users/${userId}`);
      const disabled = await admin.client.post(`/admin/users/${userId}/disable`);
      expect(disabled.status).toBe(303);
      expect(textOf((await admin.client.follow(disabled)).body)).toContain(
        'The account of Dora Disabled has been disabled.',
      );
      expect((await client.get('/profile')).location).toMatch(/^\/login/);
      // The right password learns why (test/integration/disabled-account.test.ts).
      expect((await logIn(adminClient(app), email)).status).toBe(403);
      expect((await admin.client.post(`/admin/users/${userId}/disable`)).status).toBe(409);
      const enabled = await admin.client.post(`/admin/users/${userId}/enable`);
      expect(enabled.status).toBe(303);
      expect((await logIn(adminClient(app), email)).location).toBe('/');
      expect((await auditEvents('user.disabled')).some((e) => e.target_user_id === userId)).toBe(
        true,
      );
      expect((await auditEvents('user.enabled')).some((e) => e.target_user_id === userId)).toBe(
        true,
      );
    });

    it('asks before disabling an account or changing administrator rights, in English and Dutch', async () => {
      const other = await plainUser(app, { name: 'Cora Confirm' });
      const base = `/admin/users/${other.userId}`;
      const page = await admin.client.get(base);
      for (const change of ['disable', 'grant-admin']) {
        expect(page.body).toContain(`href="${base}/${change}"`);
        expect(page.body).not.toContain(`action="${base}/${change}"`);
      }

      const disable = await admin.client.get(`${base}/disable`);
      expect(disable.status).toBe(200);
      expect(mainText(disable.body)).toBe(
        'Disable the account of Cora Confirm? They can no longer log in, every session of theirs ends at once, and the browsers they asked to remember are forgotten. Their data stays, and you can enable the account again later. Disable account Cancel',
      );
      expect(disable.body).toContain(`<title>Disable the account of Cora Confirm?`);
      expect(disable.body).toMatch(
        new RegExp(`<form method="post" action="${base}/disable"[\\s\\S]*<button type="submit"`),
      );
      expect(disable.body).toContain(`<a class="button secondary" href="${base}">Cancel</a>`);
      expect(mainText((await inDutch(`${base}/disable`)).body)).toBe(
        'Het account van Cora Confirm uitschakelen? De gebruiker kan niet meer inloggen, alle sessies van de gebruiker eindigen meteen, en de browsers die onthouden moesten worden, worden vergeten. De gegevens blijven bewaard, en je kunt het account later weer inschakelen. Account uitschakelen Annuleren',
      );
      // Only the confirmation's button changes the account.
      expect((await app.services.admin.directory.find(other.userId))?.disabled_at).toBeNull();
      await admin.client.get(`${base}/disable`);
      expect((await admin.client.post(`${base}/disable`)).status).toBe(303);
      expect((await admin.client.get(`${base}/disable`)).status).toBe(409);
      expect((await admin.client.post(`${base}/enable`)).status).toBe(303);

      const grant = await admin.client.get(`${base}/grant-admin`);
      expect(mainText(grant.body)).toBe(
        'Make Cora Confirm an administrator? Administrators can change every setting and reset anyone’s two-factor authentication. They must use two-factor authentication themselves. Make administrator Cancel',
      );
      expect(mainText((await inDutch(`${base}/grant-admin`)).body)).toContain(
        'Cora Confirm beheerder maken?',
      );
      expect((await app.services.admin.directory.find(other.userId))?.is_admin).toBe(0);
      await admin.client.get(`${base}/grant-admin`);
      expect((await admin.client.post(`${base}/grant-admin`)).status).toBe(303);
      expect((await admin.client.get(base)).body).toContain(`href="${base}/revoke-admin"`);

      const revoke = await admin.client.get(`${base}/revoke-admin`);
      expect(mainText(revoke.body)).toBe(
        'Revoke the administrator rights of Cora Confirm? They can no longer open the admin console, and their API keys stop working. Their account stays. Revoke administrator rights Cancel',
      );
      expect(mainText((await inDutch(`${base}/revoke-admin`)).body)).toContain(
        'De beheerdersrechten van Cora Confirm intrekken?',
      );
      expect((await admin.client.post(`${base}/revoke-admin`)).status).toBe(303);
      expect((await admin.client.get(`${base}/revoke-admin`)).status).toBe(409);

      for (const change of ['disable', 'grant-admin', 'revoke-admin']) {
        expect((await admin.client.get(`/admin/users/${admin.userId}/${change}`)).status).toBe(409);
        expect((await admin.client.get(`/admin/users/${newId()}/${change}`)).status).toBe(404);
      }
    });

    it('signs a user out everywhere', async () => {
      const a = adminClient(app);
      const b = adminClient(app);
      const { email, userId } = await registerAndVerify(app, a);
      await logIn(a, email);
      await logIn(b, email);
      await admin.client.get(`/admin/users/${userId}`);
      const done = await admin.client.post(`/admin/users/${userId}/sign-out`);
      expect(done.status).toBe(303);
      expect((await a.get('/profile')).location).toMatch(/^\/login/);
      expect((await b.get('/profile')).location).toMatch(/^\/login/);
      expect(
        (await auditEvents('user.signed_out_everywhere')).some((e) => e.target_user_id === userId),
      ).toBe(true);
    });

    it('lifts a lock on the second step and keeps the methods, audited', async () => {
      const owner = adminClient(app);
      const { email, userId } = await registerAndVerify(app, owner, { name: 'Lou Locked' });
      await logIn(owner, email);
      const { secret } = await setUpApp(app, owner);
      const base = `/admin/users/${userId}`;
      expect(textOf((await admin.client.get(base)).body)).not.toContain(
        'Unlock two-factor sign-in',
      );
      // Not locked: nothing to lift.
      expect((await admin.client.post(`${base}/unlock-2fa`)).status).toBe(409);
      // Locked until a reset (a hundred wrong codes in a row).
      await app.db
        .updateTable('users')
        .set({ second_factor_locked_until: 8_640_000_000_000_000, second_factor_locks: 10 })
        .where('id', '=', userId)
        .execute();
      const page = textOf((await admin.client.get(base)).body);
      expect(page).toContain(
        'until an administrator unlocks it or resets two-factor authentication',
      );
      expect(page).toContain('Unlock two-factor sign-in');
      const unlocked = await admin.client.post(`${base}/unlock-2fa`);
      expect(unlocked.status).toBe(303);
      expect(textOf((await admin.client.follow(unlocked)).body)).toContain(
        'Two-factor sign-in is unlocked for Lou Locked. Their methods are unchanged.',
      );
      const row = await app.services.admin.directory.find(userId);
      expect(row).toMatchObject({ second_factor_locked_until: null, second_factor_locks: 0 });
      expect(await app.services.twoFactor.methods.list(userId)).toHaveLength(1);
      expect(
        (await auditEvents('two_factor.unlocked_by_admin')).filter(
          (e) => e.target_user_id === userId,
        ),
      ).toHaveLength(1);
      // The owner signs in with the app again; the password alone still does not.
      const again = adminClient(app);
      expect((await logIn(again, email)).location).toBe('/login/2fa');
      app.clock.advance(30_000);
      const code = totpCodeAt(secret, app.clock.now());
      expect((await again.post('/login/2fa', { method: 'totp', code })).location).toBe('/');
      // Never one's own.
      expect((await admin.client.post(`/admin/users/${admin.userId}/unlock-2fa`)).status).toBe(409);
    });

    it('makes and unmakes administrators, never the last one and never oneself', async () => {
      const other = await plainUser(app, { name: 'Nia New-Admin' });
      await admin.client.get(`/admin/users/${other.userId}`);
      const granted = await admin.client.post(`/admin/users/${other.userId}/grant-admin`);
      expect(granted.status).toBe(303);
      expect((await app.services.admin.directory.find(other.userId))?.is_admin).toBe(1);
      const revoked = await admin.client.post(`/admin/users/${other.userId}/revoke-admin`);
      expect(revoked.status).toBe(303);
      expect((await app.services.admin.directory.find(other.userId))?.is_admin).toBe(0);

      const own = await admin.client.get(`/admin/users/${admin.userId}`);
      expect(own.body).not.toContain('/revoke-admin');
      expect(own.body).not.toContain('/disable');
      expect((await admin.client.post(`/admin/users/${admin.userId}/revoke-admin`)).status).toBe(
        409,
      );
      const ownDisable = await admin.client.post(`/admin/users/${admin.userId}/disable`);
      expect(ownDisable.status).toBe(409);
      // Said as what it is, not as a 2FA reset.
      expect(textOf(ownDisable.body)).toContain('You cannot do this to your own account here.');
      expect(textOf(ownDisable.body)).not.toContain('two-factor');

      // Without a person acting (the CLI), the last administrator still cannot go.
      const admins = await app.db
        .selectFrom('users')
        .select('id')
        .where('is_admin', '=', 1)
        .execute();
      expect(admins).toHaveLength(1);
      const last = await app.services.admin.accounts.revokeAdmin(admin.userId, {
        actorLabel: 'cli',
      });
      expect(last).toEqual({ ok: false, error: 'LAST_ADMIN' });
      const lastDisabled = await app.services.admin.accounts.disable(admin.userId, {
        actorLabel: 'cli',
      });
      expect(lastDisabled).toEqual({ ok: false, error: 'LAST_ADMIN' });
    });

    it('never leaves the console without an administrator, also when two revoke each other at once', async () => {
      const one = await plainUser(app);
      const two = await plainUser(app);
      for (const id of [one.userId, two.userId]) {
        await app.services.admin.accounts.grantAdmin(id, { actorUserId: admin.userId });
      }
      // Take the signed-in administrator out of the count for this race.
      await app.db
        .updateTable('users')
        .set({ is_admin: 0 })
        .where('id', '=', admin.userId)
        .execute();
      const results = await Promise.all([
        app.services.admin.accounts.revokeAdmin(two.userId, { actorUserId: one.userId }),
        app.services.admin.accounts.revokeAdmin(one.userId, { actorUserId: two.userId }),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      const left = await app.db
        .selectFrom('users')
        .select('id')
        .where('is_admin', '=', 1)
        .execute();
      expect(left).toHaveLength(1);
      await app.db
        .updateTable('users')
        .set({ is_admin: 1 })
        .where('id', '=', admin.userId)
        .execute();
      await app.db
        .updateTable('users')
        .set({ is_admin: 0 })
        .where('id', 'in', [one.userId, two.userId])
        .execute();
    });
    it('asks for a recent sign-in before granting administrator rights', async () => {
      const other = await plainUser(app, { name: 'Stan Step-up' });
      app.clock.advance(11 * 60_000);
      await admin.client.get(`/admin/users/${other.userId}`);
      const stale = await admin.client.post(`/admin/users/${other.userId}/grant-admin`);
      expect(stale.status).toBe(303);
      expect(stale.location).toBe(
        `/reauth?next=${encodeURIComponent(`/admin/users/${other.userId}/grant-admin`)}&cancel=${encodeURIComponent(`/admin/users/${other.userId}`)}`,
      );
      // The confirmation page asks for the new sign-in before it asks its question.
      const question = await admin.client.get(`/admin/users/${other.userId}/grant-admin`);
      expect(question.location).toBe(
        `/reauth?next=${encodeURIComponent(`/admin/users/${other.userId}/grant-admin`)}&cancel=${encodeURIComponent(`/admin/users/${other.userId}`)}`,
      );
      expect((await app.services.admin.directory.find(other.userId))?.is_admin).toBe(0);
      // Signing someone out needs no new sign-in (nor does enabling an account).
      const signOut = await admin.client.post(`/admin/users/${other.userId}/sign-out`);
      expect(signOut.location).toBe(`/admin/users/${other.userId}`);
      admin = { ...admin, client: await logInAdmin(app, admin) };
    });

    it('asks for a recent sign-in before disabling an account or revoking administrator rights', async () => {
      // An idle console session in the wrong hands could otherwise lock every other
      // administrator out, one click each.
      const other = await plainUser(app, { name: 'Dora Demoted' });
      await app.db
        .updateTable('users')
        .set({ is_admin: 1 })
        .where('id', '=', other.userId)
        .execute();
      app.clock.advance(11 * 60_000);
      const toReauth = (action: string) =>
        `/reauth?next=${encodeURIComponent(`/admin/users/${other.userId}/${action}`)}&cancel=${encodeURIComponent(`/admin/users/${other.userId}`)}`;
      for (const action of ['disable', 'revoke-admin']) {
        const question = await admin.client.get(`/admin/users/${other.userId}/${action}`);
        expect(question.location, action).toBe(toReauth(action));
        const stale = await admin.client.post(`/admin/users/${other.userId}/${action}`);
        expect(stale.location, action).toBe(toReauth(action));
      }
      const after = await app.services.admin.directory.find(other.userId);
      expect(after?.is_admin).toBe(1);
      expect(after?.disabled_at).toBeNull();
      // With a fresh sign-in both go through.
      admin = { ...admin, client: await logInAdmin(app, admin) };
      for (const action of ['revoke-admin', 'disable']) {
        const done = await admin.client.post(`/admin/users/${other.userId}/${action}`);
        expect(done.location, action).toBe(`/admin/users/${other.userId}`);
      }
      const done = await app.services.admin.directory.find(other.userId);
      expect(done?.is_admin).toBe(0);
      expect(done?.disabled_at).not.toBeNull();
    });

    it('asks for a recent sign-in before resetting someone’s 2FA or changing the 2FA policy', async () => {
      const other = await plainUser(app, { name: 'Rhea Reset' });
      const client = adminClient(app);
      await logIn(client, other.email);
      await setUpApp(app, client);
      const policyBefore = await app.services.twoFactor.policy.get();
      app.clock.advance(11 * 60_000);
      const resetPath = `/admin/users/${other.userId}/reset-2fa`;
      const toReauth = (next: string, cancel: string) =>
        `/reauth?next=${encodeURIComponent(next)}&cancel=${encodeURIComponent(cancel)}`;
      await admin.client.get(`/admin/users/${other.userId}`);
      const question = await admin.client.get(resetPath);
      expect(question.location).toBe(toReauth(resetPath, `/admin/users/${other.userId}`));
      const stale = await admin.client.post(resetPath);
      expect(stale.location).toBe(toReauth(resetPath, `/admin/users/${other.userId}`));
      expect(await app.services.twoFactor.methods.list(other.userId)).toHaveLength(1);

      const settings = await admin.client.get('/admin/2fa');
      expect(settings.location).toBe(toReauth('/admin/2fa', '/admin'));
      const change = await admin.client.post('/admin/2fa', {
        totp: 'on',
        email: 'on',
        require: 'all',
      });
      expect(change.location).toBe(toReauth('/admin/2fa', '/admin'));
      expect(await app.services.twoFactor.policy.get()).toEqual(policyBefore);

      // After a new sign-in both work.
      admin = { ...admin, client: await logInAdmin(app, admin) };
      expect((await admin.client.get(resetPath)).status).toBe(200);
      expect((await admin.client.post(resetPath)).status).toBe(303);
      expect(await app.services.twoFactor.methods.list(other.userId)).toEqual([]);
      expect((await admin.client.get('/admin/2fa')).status).toBe(200);
    });
  });

  describe('dashboard', () => {
    it('counts users, 2FA by method, lockouts, wrong and reused codes since yesterday', async () => {
      const counts = await app.services.admin.dashboard.counts();
      expect(counts.users).toBeGreaterThan(1);
      expect(counts.byMethod.totp).toBeGreaterThanOrEqual(1);
      expect(counts.withTwoFactor).toBeGreaterThanOrEqual(counts.byMethod.totp);
      for (const event of [
        'two_factor.challenge_failed',
        'two_factor.code_replayed',
        'two_factor.locked',
      ] as const) {
        await app.services.audit.record({ event, targetUserId: admin.userId });
      }
      const after = await app.services.admin.dashboard.counts();
      expect(after.failedCodes).toBe(counts.failedCodes + 1);
      expect(after.reusedCodes).toBe(counts.reusedCodes + 1);
      expect(after.lockouts).toBe(counts.lockouts + 1);
      const page = await admin.client.get('/admin');
      const text = textOf(page.body);
      for (const label of [
        'Dashboard',
        'Users',
        'With two-factor authentication',
        'Authentication App',
        'Email Authentication',
        'Security Keys',
        'Yesterday and today (UTC)',
        'Lockouts',
        'Wrong codes',
        'Reused codes',
      ]) {
        expect(text).toContain(label);
      }
      // The policy in a sentence, and a link that says where it leads.
      expect(text).toMatch(
        /Two-factor authentication is required for: (Nobody|All users|Selected user groups) ?\. Change the two-factor authentication settings/,
      );
      expect(page.body).toContain(
        '<a href="/admin/2fa">Change the two-factor authentication settings</a>',
      );
      app.clock.advance(49 * 3_600_000);
      const later = await app.services.admin.dashboard.counts();
      expect(later.lockouts).toBe(0);
      app.clock.advance(-49 * 3_600_000);
    });

    it('names the groups the policy requires, and a grace period still running', async () => {
      const name = `Night shift ${newId().slice(0, 6)}`;
      const created = await app.services.admin.groups.create(name, {
        actorLabel: 'test',
        meta: TEST_META,
      });
      if (!created.ok) throw new Error(created.error);
      const day = new Date(app.clock.now() + 10 * 86_400_000).toISOString().slice(0, 10);
      const graceUntil = Date.parse(`${day}T00:00:00Z`) + 86_400_000;
      await savePolicy(app, { require: 'groups', groupIds: [created.value.id], graceUntil });
      try {
        const text = textOf((await admin.client.get('/admin')).body);
        expect(text).toContain(
          `Two-factor authentication is required for: Selected user groups (${name}) .`,
        );
        expect(text).toMatch(
          /Those without a method may postpone set-up until the end of \d+ \w+ \d{4} \(UTC\)\./,
        );
        // Once the period has ended, the dashboard no longer speaks of it.
        const ended = app.clock.now() - 86_400_000;
        await savePolicy(app, { require: 'all', graceUntil: ended });
        const later = textOf((await admin.client.get('/admin')).body);
        expect(later).toContain('Two-factor authentication is required for: All users');
        expect(later).not.toContain('postpone');
      } finally {
        await savePolicy(app, {});
      }
    });

    it('shows behind each number the very events it counts', async () => {
      // Events from the day before yesterday and from yesterday: only the second are counted.
      const now = app.clock.now();
      const lateYesterday = Math.floor(now / 86_400_000) * 86_400_000 - 3_600_000;
      for (const at of [lateYesterday - 86_400_000, lateYesterday]) {
        app.clock.set(at);
        await app.services.audit.record({
          event: 'two_factor.code_replayed',
          targetUserId: admin.userId,
        });
      }
      app.clock.set(now);
      const page = await admin.client.get('/admin');
      const stats = [
        ...page.body.matchAll(
          /<dt>([^<]+)<\/dt>\s*<dd>\s*<span class="stat-value">(\d+)<\/span\s*><span class="stat-extra"><a href="([^"]+)"/g,
        ),
      ];
      for (const [, label, value, href] of stats) {
        const events = await admin.client.get((href ?? '').replace(/&amp;/g, '&'));
        expect(events.status, label).toBe(200);
        // The count must be on the page, or the words for none: missing text is no zero.
        const text = textOf(events.body);
        const shown =
          /(\d+) events?\b/.exec(text)?.[1] ??
          (text.includes('No events match these filters.') ? '0' : undefined);
        expect(shown, `${label ?? ''}: the number of events on the page`).toBeDefined();
        expect(shown, label).toBe(value);
      }
      expect(stats.map((m) => m[1])).toEqual(['Lockouts', 'Wrong codes', 'Reused codes']);
    });
  });
});
