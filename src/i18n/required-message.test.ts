import { describe, expect, it } from 'vitest';
import type { Messages } from './index.js';
import { LOCALES, messagesFor } from './index.js';

/** Every label a form passes to the "required" message, as the form shows it. */
function requiredLabels(t: Messages): string[] {
  return [
    t.register.name,
    t.register.email,
    t.login.email,
    t.login.password,
    t.forgot.email,
    t.profile.name,
    t.profile.currentPassword,
    t.profile.newEmail,
    t.reauth.password,
    t.twoFactor.authenticatorName,
    t.twoFactor.emailAddress,
    t.twoFactor.verificationCode,
    t.kbAdmin.slug,
    t.kbAdmin.articleTitle,
    t.kbAdmin.body,
    ...Object.values(t.kb.languageNames).map((language) => t.kbAdmin.nameIn(language)),
    t.admin.groupsPage.groupName,
    t.admin.groupsPage.memberEmail,
    t.admin.apiKeysPage.name,
  ];
}

describe('the message for a required field left empty', () => {
  it.each(LOCALES)('names the field as its label reads, case and all (%s)', (locale) => {
    const t = messagesFor(locale);
    for (const label of requiredLabels(t)) {
      const message = t.errors.required(label);
      expect(message).toContain(label);
      expect(message).toMatch(/\.$/);
      // "Enter your url name.": no possessive glued onto a label that is not the reader's.
      expect(message).not.toMatch(/\byour\b|\bje\b/i);
    }
  });

  it('reads as a sentence in each language', () => {
    expect(messagesFor('en').errors.required('URL name')).toBe('Fill in “URL name”.');
    expect(messagesFor('en').errors.required('Name (English)')).toBe('Fill in “Name (English)”.');
    expect(messagesFor('nl').errors.required('URL-naam')).toBe('Vul „URL-naam” in.');
    expect(messagesFor('nl').errors.required('Naam (Engels)')).toBe('Vul „Naam (Engels)” in.');
  });
});
