import { afterEach, describe, expect, it } from 'vitest';
import type { PasswordScreen } from './password-screen.js';
import {
  createPasswordScreen,
  madeOfPersonalWords,
  personalWords,
  weaknessOf,
} from './password-screen.js';

const SITE = 'Portico Help Center';

describe('password screen', () => {
  let screen: PasswordScreen | undefined;
  afterEach(async () => {
    await screen?.close();
    screen = undefined;
  });

  it('refuses the passwords people use most, with their usual endings, and says why', async () => {
    screen = createPasswordScreen();
    const none: string[] = [];
    expect(await screen.screen('password1234', none)).toBe('common');
    expect(await screen.screen('Password123!', none)).toBe('common');
    expect(await screen.screen('P@ssw0rd123456', none)).toBe('common');
    expect(await screen.screen('letmein123456', none)).toBe('common');
    expect(await screen.screen('111111111111', none)).toBe('repeat');
    expect(await screen.screen('hunter2hunter2', none)).toBe('repeat');
    expect(await screen.screen('abcdefghijkl', none)).toBe('sequence');
  });

  it('refuses a password made of the person’s name or address, or the site’s name', async () => {
    screen = createPasswordScreen();
    const personal = personalWords('Grace Hopper', 'grace.hopper@example.com', SITE);
    expect(await screen.screen('grace.hopper@example.com', personal)).toBe('personal');
    expect(await screen.screen('GraceHopper1', personal)).toBe('personal');
    expect(await screen.screen('porticohelpcenter', personal)).toBe('personal');
    expect(await screen.screen('grace-hopper-1906', personal)).toBe('personal');
    expect(await screen.screen('hopper.grace@example.com', personal)).toBe('personal');
    expect(await screen.screen('Hopper!Grace!1', personal)).toBe('personal');
    // Her name with words of her own is hers to choose.
    expect(await screen.screen('grace sails north at dawn', personal)).toBe(null);
    // The same words are fine for someone else.
    expect(await screen.screen('GraceHopper1', personalWords('Ada', 'ada@example.com', SITE))).toBe(
      null,
    );
  });

  it('accepts passphrases and random passwords, whatever their characters', async () => {
    screen = createPasswordScreen();
    for (const password of [
      'correct horse battery staple',
      'een lange wachtzin hier',
      'wachtwoord met ë en 🔑',
      'zK8#pq2!mW4v',
      'x7Gq-pL2r-Vn9c',
    ])
      expect(await screen.screen(password, []), password).toBe(null);
  });

  it('judges a long password by its first 100 characters', async () => {
    screen = createPasswordScreen();
    const strong = 'Hk9!qLm2#vRt7@pZw4&nYc6*bXs8^dFg1%jKe5';
    expect(await screen.screen(strong, [])).toBe(null);
    // Weak for 100 characters, strong after: estimated whole it would pass (about 10^41
    // guesses), but only the first 100 count.
    expect(await screen.screen('a'.repeat(100) + strong, [])).toBe('repeat');
  });

  it('refuses the season-and-year passwords that sprays try first', async () => {
    screen = createPasswordScreen();
    for (const password of ['Welcome2024!', 'P@ssw0rd2026', 'Passw0rd!2024', 'Qwerty123456!'])
      expect(await screen.screen(password, []), password).not.toBe(null);
  });

  it('answers many passwords at once, each with its own verdict', async () => {
    screen = createPasswordScreen();
    const passwords = [
      'password1234',
      'correct horse battery staple',
      '111111111111',
      'zK8#pq2!mW4v',
    ];
    const verdicts = await Promise.all(passwords.map((password) => screen!.screen(password, [])));
    expect(verdicts).toEqual(['common', null, 'repeat', null]);
  });

  it('stops its worker when idle and starts a new one for the next password', async () => {
    screen = createPasswordScreen(20);
    expect(screen.running()).toBe(false);
    expect(await screen.screen('password1234', [])).toBe('common');
    expect(screen.running()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(screen.running()).toBe(false);
    expect(await screen.screen('password1234', [])).toBe('common');
    expect(screen.running()).toBe(true);
  });

  it('fails a password waiting when it is closed, and works again afterwards', async () => {
    screen = createPasswordScreen();
    const refused = expect(screen.screen('correct horse battery staple', [])).rejects.toThrow(
      /closed/,
    );
    await screen.close();
    await refused;
    expect(await screen.screen('password1234', [])).toBe('common');
  });
});

describe('weaknessOf', () => {
  it('names every warning of the estimate, and any other as merely guessable', () => {
    expect(weaknessOf('topTen')).toBe('common');
    expect(weaknessOf('similarToCommon')).toBe('common');
    expect(weaknessOf('extendedRepeat')).toBe('repeat');
    expect(weaknessOf('sequences')).toBe('sequence');
    expect(weaknessOf('straightRow')).toBe('keyboard');
    expect(weaknessOf('keyPattern')).toBe('keyboard');
    expect(weaknessOf('recentYears')).toBe('date');
    expect(weaknessOf('userInputs')).toBe('personal');
    expect(weaknessOf(null)).toBe('guessable');
    expect(weaknessOf('somethingNew')).toBe('guessable');
  });
});

describe('madeOfPersonalWords', () => {
  const personal = personalWords('Jan de Vries', 'jan@vries.nl', SITE);
  it('finds a password whose letters are only the person’s words, in any order', () => {
    for (const password of [
      'JanDeVries',
      'vries.jan.1980',
      'jan@vries.nl',
      'devriesjan!!',
      'Portico-Jan-2026',
    ])
      expect(madeOfPersonalWords(password, personal), password).toBe(true);
  });
  it('lets a password with a letter of its own through', () => {
    for (const password of ['JanDeVriesX', 'jan walks the dog', '1234567890123', 'vriesland jan'])
      expect(madeOfPersonalWords(password, personal), password).toBe(false);
  });
});

describe('personalWords', () => {
  it('takes the whole name and address, and their parts of two letters or more', () => {
    expect(personalWords('Jan de Vries', 'J.deVries+help@Example.org', SITE)).toEqual([
      'jan de vries',
      'jan',
      'de',
      'vries',
      'j.devries+help@example.org',
      'devries',
      'help',
      'example',
      'org',
      'portico help center',
      'portico',
      'center',
    ]);
  });
});
