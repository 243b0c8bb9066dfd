/**
 * The English catalog is the source of keys: `Messages` is its type, so a key missing from
 * another language (or one it adds) fails the build.
 */
import { twoFactorEn } from './en-two-factor.js';
import { adminEn } from './en-admin.js';
import { kbEn, kbAdminEn } from './en-kb.js';

export const en = {
  twoFactor: twoFactorEn,
  kb: kbEn,
  kbAdmin: kbAdminEn,
  admin: adminEn,
  language: {
    name: 'English',
    switchLabel: 'Language',
  },
  layout: {
    skipToContent: 'Skip to content',
    accountMenu: 'Account menu',
    myProfile: 'My Profile',
    logOut: 'Log out',
    logIn: 'Log in',
    register: 'Register',
    administration: 'Administration',
    footer: 'Powered by Portico',
    signedInAs: (name: string) => `Signed in as ${name}`,
    primaryNav: 'Main',
  },
  common: {
    supportContact: 'To reach your helpdesk:',
    errorSummary: 'There is a problem',
    required: 'required',
    back: 'Back',
    cancel: 'Cancel',
    save: 'Save',
    saved: 'Your changes have been saved.',
  },
  errors: {
    /** The label as the form shows it: lower-cased or after "your" it misreads ("your url name"). */
    required: (field: string) => `Fill in “${field}”.`,
    tooLong: (field: string, max: number) => `${field} must be at most ${max} characters.`,
    oneLine: (field: string) =>
      `${field} must be one line of text, without invisible control characters.`,
    invalidEmail: 'Enter an email address in the form name@example.com.',
    unusualEmail:
      'Type the address with ordinary characters: it holds characters that are invisible or that look like others.',
    passwordTooShort: (min: number) => `Use a password of at least ${min} characters.`,
    passwordTooLong: (max: number) => `Use a password of at most ${max} characters.`,
    passwordMismatch: 'The two new passwords do not match.',
    currentPasswordWrong: 'Your current password is not correct.',
    samePassword: 'Choose a password that is different from your current one.',
    /** Why a new password was refused (`Weakness`); each ends with how to choose a better one. */
    passwordWeak: {
      common:
        'This password is too common: many people use it, or one very like it. A few unrelated words make a strong password.',
      repeat:
        'This password is too easy to guess: it repeats characters or a pattern. A few unrelated words make a strong password.',
      sequence:
        'This password is too easy to guess: it is mostly a sequence such as 1234 or abcd. A few unrelated words make a strong password.',
      keyboard:
        'This password is too easy to guess: it follows a row or pattern on the keyboard. A few unrelated words make a strong password.',
      date: 'This password is too easy to guess: it is mostly a date or a year. A few unrelated words make a strong password.',
      personal:
        'This password is too easy to guess: it is made of your name, your email address or the name of this site. A few unrelated words make a strong password.',
      guessable:
        'This password is too easy to guess. A few unrelated words make a strong password.',
    },
    invalidLanguage: 'Choose one of the listed languages.',
    csrf: 'This form has expired or was sent from another site. Reload the page and try again.',
    tooManyAttempts: 'Too many attempts. Wait a few minutes and try again.',
    notFoundTitle: 'Page not found',
    notFoundText:
      'We could not find the page you asked for. Check the address, or go to the home page.',
    methodNotAllowedTitle: 'This page does not take that request',
    methodNotAllowedText:
      'This address cannot be used this way. Go to the home page, or open the page from a link.',
    badRequestTitle: 'Something is wrong with this request',
    badRequestText: 'The request could not be read. Go back, reload the page and try again.',
    tooLargeTitle: 'Too much data',
    tooLargeText: 'The form sent more data than we accept. Shorten what you entered and try again.',
    forbiddenTitle: 'Not allowed',
    forbiddenText: 'You do not have access to this page.',
    serverErrorTitle: 'Something went wrong on our side',
    serverErrorText: 'Please try again in a moment. If it keeps happening, contact your helpdesk.',
    busyTitle: 'Busy right now',
    busyText:
      'Many people are logging in at this moment. Nothing was changed: go back and try again in a few seconds.',
    goHome: 'Go to the home page',
  },
  home: {
    title: 'How can we help?',
    intro: 'Search the knowledge base or browse the categories below.',
    searchLabel: 'Search the knowledge base',
    searchButton: 'Search',
    categoriesHeading: 'Categories',
    noCategories: 'No articles have been published yet.',
  },
  register: {
    title: 'Create an account',
    name: 'Name',
    email: 'Email address',
    password: 'Password',
    passwordHint: (min: number) =>
      `At least ${min} characters, and not one that many people use. A long phrase is easy to remember and hard to guess.`,
    submit: 'Create account',
    haveAccount: 'Already have an account?',
    tooManyFromHere:
      'Too many accounts were created from your network in the last hour. Try again later.',
    checkEmailTitle: 'Check your email',
    checkEmailText: (email: string) =>
      `We sent a message to ${email}. Follow the link in it to verify your address, then log in. The link is valid for 24 hours.`,
  },
  verifyEmail: {
    confirmIntro: (email: string) =>
      `Press the button below to confirm that ${email} is your email address.`,
    passwordIntro: (email: string) =>
      `To confirm that ${email} is your email address, enter the password of your account.`,
    wrongPassword:
      'This is not the password of the account this link is for. If you registered more than once with this address, the link in another of our mails may be the one for this password.',
    /** The page a link opens while another account is logged in here. */
    passwordIntroOther: (email: string) =>
      `This link is for the account that registered ${email}, not the one you are logged in with. To confirm the address, enter that account’s password.`,
    verifiedTitle: 'Email address verified',
    verifiedOther: (email: string) =>
      `${email} is verified. You are logged in with another account: log out to log in with that one.`,
    verifiedNotice: 'Your email address is verified. You can now log in.',
    addressVerified: 'The email address is verified.',
    invalidTitle: 'This link does not work',
    invalidText:
      'The verification link is wrong, was already used, or has expired. Log in to get a new one.',
    takenText: 'This email address is already in use by another account.',
    alreadyTitle: 'This address is already verified',
    alreadyText: 'The address this link was for is verified: there is nothing more to do.',
  },
  login: {
    title: 'Log in',
    email: 'Email address',
    password: 'Password',
    submit: 'Log in',
    forgot: 'Forgot your password?',
    createAccount: 'Create an account',
    failed:
      'The email address or password is not correct. If you have just created your account, first open the verification link we emailed you.',
    disabled: 'Your account has been disabled. Contact your helpdesk administrator.',
    blockedInARow:
      'Too many wrong passwords in a row for this email address. Log in from a browser you have logged in with before, or reset your password.',
    loggedOut: 'You have been logged out.',
    sessionEnded: 'Your session has ended. Log in again to continue.',
  },
  forgot: {
    title: 'Reset your password',
    intro:
      'Enter the email address of your account. We will send you a link to choose a new password.',
    email: 'Email address',
    submit: 'Send reset link',
    sentTitle: 'Check your email',
    sentText: (email: string) =>
      `If ${email} belongs to an account, we have sent it a link to reset the password. The link is valid for 30 minutes.`,
    backToLogin: 'Back to log in',
    tooManyFromHere:
      'Too many password resets were asked for from your network in the last hour. Try again later.',
  },
  reset: {
    title: 'Choose a new password',
    newPassword: 'New password',
    confirmPassword: 'Confirm new password',
    submit: 'Set new password',
    invalidTitle: 'This link does not work',
    invalidText: 'The reset link is wrong, was already used, or has expired. Ask for a new one.',
    requestNew: 'Ask for a new reset link',
    done: 'Your password has been changed. Log in with your new password.',
    twoFactorNote:
      'If you use two-factor authentication, you will still need your second step to log in.',
  },
  profile: {
    title: 'My Profile',
    sectionsLabel: 'Profile sections',
    account: 'Your account',
    password: 'Your password',
    twoFactor: 'Your 2FA',
    emails: 'Your email addresses',
    accountHeading: 'Your account',
    name: 'Name',
    language: 'Preferred language',
    languageAuto: 'Use my browser’s language',
    passwordHeading: 'Your password',
    currentPassword: 'Current password',
    newPassword: 'New password',
    confirmPassword: 'Confirm new password',
    changePassword: 'Change password',
    passwordChanged: 'Your password has been changed. You have been signed out everywhere else.',
    twoFactorHeading: 'Set Up Two-Factor Authentication',
    twoFactorIntro:
      'Two-factor authentication asks for a second step after your password, so a stolen password alone cannot open your account.',
    emailsHeading: 'Your email addresses',
    emailsIntro:
      'You can log in with any verified address. Mail from the help center goes to your primary address.',
    emailColumn: 'Email address',
    statusColumn: 'Status',
    actionsColumn: 'Actions',
    primary: 'Primary',
    verified: 'Verified',
    unverified: 'Not verified',
    makePrimary: 'Make primary',
    makePrimaryLabel: (email: string) => `Make primary: ${email}`,
    remove: 'Remove',
    removeLabel: (email: string) => `Remove ${email}`,
    resend: 'Send link again',
    resendLabel: (email: string) => `Send link again: ${email}`,
    addHeading: 'Add an email address',
    newEmail: 'Email address',
    add: 'Add address',
    added: (email: string) =>
      `We sent a verification link to ${email}. The address can be used once it is verified.`,
    resent: (email: string) => `We sent a new verification link to ${email}.`,
    addedNotSent: (email: string) =>
      `${email} was added, but we could not send its verification link. Try “Send link again” in a moment.`,
    resendFailed: (email: string) =>
      `We could not send the link to ${email}. Try again in a minute.`,
    resendTooSoon: 'A new link can be sent once a minute. Try again in a minute.',
    addedLinkLater: (email: string, count: number) =>
      `${email} has been added. It has had ${count} verification links in the last hour, so no new one was sent: choose “Send link again” later.`,
    tooManyLinks: (count: number) =>
      `This address has had ${count} verification links in the last hour. Try again later.`,
    madePrimary: (email: string) => `${email} is now your primary address.`,
    madePrimaryCodesElsewhere: (email: string) =>
      `${email} is now your primary address. Your sign-in codes still go to the address of your email authentication: change it under Your 2FA if you want them there too.`,
    removed: (email: string) => `${email} has been removed.`,
    removedCodesThere: (email: string) =>
      `${email} has been removed. Your sign-in codes still go to it: if you no longer read that mailbox, change the address under Your 2FA.`,
    cannotRemoveLast: 'You cannot remove your only verified address.',
    cannotRemovePrimary: 'Make another verified address primary before you remove this one.',
    mustBeVerified: 'Only a verified address can be primary.',
    alreadyYours: 'This address is already on your account.',
    notAddedTryAgain: 'The address could not be added this time. Add it again.',
    tooManyAddresses: (max: number) => `You can have at most ${max} addresses.`,
    sessions: {
      heading: 'Where you are signed in',
      intro:
        'These browsers are signed in to your account. If you do not recognise one, sign it out and change your password.',
      thisBrowser: 'this browser',
      signedIn: 'Signed in',
      lastActive: 'Last active',
      address: 'IP address',
      signOut: 'Sign out',
      signOutLabel: (browser: string) => `Sign out ${browser}`,
      signOutOthers: 'Sign out everywhere else',
      ended: 'That browser has been signed out.',
      endedOthers: (count: string) =>
        count === '1'
          ? 'You have been signed out of 1 other browser.'
          : `You have been signed out of ${count} other browsers.`,
      gone: 'That browser was already signed out.',
      thisOne: 'That is this browser: to sign it out, use Log out in the account menu.',
    },
  },
  reauth: {
    title: 'Confirm it’s you',
    intro: 'For your security, enter your password again before you go on.',
    password: 'Password',
    submit: 'Confirm',
    failed: 'The password is not correct.',
    confirmed: 'Thanks, that was you. You can go on now.',
    ended: 'Too many wrong codes. Nothing was changed: start again and confirm it’s you.',
    gone: 'Confirming it’s you took too long, or was already done. Nothing was changed: start again.',
  },
  mail: {
    greeting: (name: string | null) => (name ? `Hello ${name},` : 'Hello,'),
    signature: (site: string) => `— ${site}`,
    supportContact: (contact: string) => `To reach your helpdesk: ${contact}`,
    supportContactLead: 'To reach your helpdesk:',
    ignore: 'If you did not ask for this, you can ignore this message.',
    verifySubject: (site: string) => `Verify your email address for ${site}`,
    verifyBody:
      'Confirm that this address is yours by opening the link below. It is valid for 24 hours.',
    verifyButton: 'Verify email address',
    existsSubject: (site: string) => `Someone tried to register at ${site} with your address`,
    existsBody:
      'Someone, maybe you, tried to create an account with this email address, but an account already exists. To get back into it, choose a new password with the link below. It is valid for 30 minutes and works once; a reset link mailed to you before no longer works.',
    resetSubject: (site: string) => `Reset your password for ${site}`,
    resetBody:
      'Open the link below to choose a new password. It is valid for 30 minutes and works once.',
    resetButton: 'Choose a new password',
    resetTwoFactorNote: 'Resetting your password does not turn off two-factor authentication.',
    resetVerifiesAddress:
      'Your email address is not verified yet: choosing a new password through this link verifies it as well, and then you can log in.',
    passwordChangedSubject: (site: string) => `Your ${site} password was changed`,
    passwordChangedBody: (when: string) =>
      `The password of your account was changed on ${when}. All other sessions were signed out, and every device remembered for two-factor sign-in was forgotten.`,
    /** After a reset by link: no session is kept, and remembered browsers are forgotten. */
    passwordResetBody: (when: string) =>
      `The password of your account was reset on ${when}. Every session was signed out, and every device remembered for two-factor sign-in was forgotten.`,
    notYou:
      'If this was not you, reset your password at once and contact your helpdesk administrator.',
    addressAddedSubject: (site: string) => `Verify the new address for your ${site} account`,
    passwordBlockedSubject: (site: string) =>
      `Log-ins to your ${site} account from new browsers are stopped`,
    passwordBlockedBody: (email: string, when: string) =>
      `On ${when} someone had given the wrong password for ${email} a hundred times in a row. Since then, log-ins with it are refused from browsers that have not logged in to your account before; browsers you have logged in with still work.`,
    passwordBlockedWhatNow:
      'To log in from another browser, reset your password (Forgot your password? on the log-in page): that lifts the stop everywhere.',
    passwordBlockedNotYou:
      'If the wrong passwords were not yours, someone is guessing your password: when you reset it, choose a long one that you use nowhere else.',
    notYouRemoved:
      'If this was not you, contact your helpdesk administrator at once: this address can no longer be used to log in or to reset the password.',
    addressesChangedSubject: (site: string) =>
      `The email addresses of your ${site} account changed`,
    addressVerifiedBody: (email: string, when: string) =>
      `${email} was added to your account, and verified, on ${when}. You can log in with it, and reset your password through it.`,
    addressMadePrimaryBody: (email: string, when: string) =>
      `${email} became the primary address of your account on ${when}. Mail from the help center goes there from now on.`,
    addressMadePrimaryCodesElsewhereBody: (email: string, when: string, codesTo: string) =>
      `${email} became the primary address of your account on ${when}. Mail from the help center goes there from now on, but sign-in codes still go to ${codesTo}, the address of your email authentication: change it under Your 2FA if you no longer read that mailbox.`,
    addressRemovedBody: (email: string, when: string) =>
      `${email} was removed from your account on ${when}. It can no longer be used to log in.`,
  },
};

export type Messages = typeof en;
