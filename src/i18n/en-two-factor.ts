/** English words of the two-factor screens (SPEC §2.2–§2.7, §3); labels exactly as SPEC. */
export const twoFactorEn = {
  heading: 'Set Up Two-Factor Authentication',
  intro:
    'Two-factor authentication asks for a second step after your password, so a stolen password alone cannot open your account.',
  notEnabled:
    'Two-factor authentication is not available on this help center. Ask your helpdesk administrator.',
  statusOn: 'On',
  statusOff: 'Not set up',
  recommended: 'Recommended',
  app: 'Authentication App',
  appDescription:
    'Get codes from an app such as Google Authenticator, Microsoft Authenticator, Authy, 1Password or FreeOTP.',
  setUpApp: 'Set up authentication app',
  editApp: 'Edit authentication app',
  email: 'Email Authentication',
  emailDescription:
    'Receive a code by email. This proves you can read your mailbox, not that you hold a device: use it beside an authenticator app, not instead of one.',
  setUpEmail: 'Set up email authentication',
  editEmail: 'Edit email authentication',
  methodDisabledNote:
    'Your helpdesk no longer offers this method to new users. It keeps working for you; you may also set up another method and remove this one.',
  keysUnusableHereNote:
    "Browsers do not allow security keys at this help center's current address, so your keys cannot be used here for now. Use another method or a recovery code, and let your helpdesk know.",
  recoveryCodes: 'Recovery codes',
  recoveryCodesReplaced:
    'Those recovery codes were replaced by a newer set, made in another tab or window, and no longer work. If you did not save the newer set, generate new codes.',
  recoveryDescription: (remaining: number) =>
    remaining === 0
      ? 'You have no unused recovery codes left. Generate new ones, so that you can still log in when you cannot use your other methods.'
      : remaining === 1
        ? 'You have 1 unused recovery code left. Use it when you cannot use your other methods, and generate new ones soon.'
        : `You have ${remaining} unused recovery codes. Use one when you cannot use your other methods.`,
  recoveryNone: 'Recovery codes are created when you set up your first method.',
  codesGoTo: (email: string) => `Codes go to ${email}.`,
  regenerate: 'Generate new recovery codes',
  recoveryCodeUsed: (left: number) =>
    left === 0
      ? 'You logged in with your last recovery code. Make a new set under Your 2FA, so you have some when you need one.'
      : `You logged in with a recovery code, which now no longer works. You have ${left} left; you can make a new set under Your 2FA.`,
  regenerateWarning: 'New codes replace your current ones: the old codes stop working at once.',
  regenerateConfirmHeading: 'Generate new recovery codes?',
  regenerateConfirmText:
    'The new codes are shown once, on the next page: have a safe place ready for them.',
  securityKeys: 'Security keys',
  mandatoryNote: 'Your helpdesk requires two-factor authentication for your account.',
  endOfDay: (day: string) => `the end of ${day} (UTC)`,
  mandatoryBy: (when: string) =>
    `Your helpdesk requires two-factor authentication for your account. Set up a method before ${when}: after that, you will have to set one up when you log in.`,
  postponed: (when: string) =>
    `Two-factor authentication is postponed until ${when}. Set it up before then, under My Profile, Your 2FA.`,
  lostAccess: 'Have you lost access to your authenticator app or email account?',
  lostAccessText:
    'Use one of your recovery codes to sign in. If you have none left, contact your helpdesk administrator.',

  authenticatorName: 'Authenticator Name',
  emailAddress: 'Email Address',
  verificationCode: 'Verification Code',
  sendCode: 'Send Verification Code',
  sendAgain: 'Send a new code',
  submitCreate: 'Submit Code and Create',
  setUpDifferent: 'Set up Different Method',
  codeSentTo: (masked: string) =>
    `We sent a 6-digit code to ${masked}. It is valid for 10 minutes.`,
  codeHint: 'The 6-digit code, without spaces.',
  nameSavedChangeWaiting: (current: string, next: string) =>
    `The name has been saved. Codes still go to ${current}: enter the code sent to ${next} and choose “Confirm new address”.`,
  defaultAppName: 'Authenticator app',
  defaultEmailName: 'Email',

  emailSteps:
    'Give this method a name and check the address: we send a code there, and typing it here proves you can read that mailbox. At every log-in we then send a new code to it.',
  qrAlt: 'QR code for your authenticator app',
  setupKey: 'Setup Key',
  appSteps:
    'Open your authenticator app and scan the QR code, or type the setup key. Then give your authenticator a name and enter the code the app shows.',
  cannotScan: 'Cannot scan? Enter the setup key in your app instead (time-based, 6 digits).',

  createdApp:
    'Your authentication app is set up. From now on you will be asked for a code from it when you log in.',
  createdEmail:
    'Email authentication is set up. From now on you can receive a code by email when you log in.',
  saved: 'Your changes have been saved.',
  removeEmail: 'Remove Email Authentication',
  removeApp: 'Remove Authentication App',
  removeConfirmHeading: (name: string) => `Remove “${name}”?`,
  removeConfirmText: 'You will no longer be able to use it to sign in.',
  removeConfirmLastText:
    'It is your only method: your account will be protected by your password alone, and your recovery codes will be deleted.',
  confirmRemove: 'Yes, remove it',
  removed: (name: string) => `“${name}” has been removed.`,
  cannotRemoveLast:
    'You cannot remove your last method: your helpdesk requires two-factor authentication for your account. Set up another method first.',
  changeEmailHeading: 'Change the email address',
  emailChanged: (email: string) => `Codes will now be sent to ${email}.`,
  confirmEmailChange: 'Confirm new address',
  saveName: 'Save',

  recoveryHeading: 'Save your recovery codes',
  recoveryIntro:
    'If you lose access to your authenticator app or email, each of these codes lets you sign in once. Keep them somewhere safe, such as a password manager. They are shown only now.',
  download: 'Download',
  /** The name the recovery codes' text file is saved under. */
  downloadFileName: 'recovery-codes.txt',
  continue: 'Continue',
  recoveryFileTitle: (site: string) => `Recovery codes for ${site}`,
  recoveryAccount: (email: string) => `Account: ${email}`,
  recoveryFileNote: 'Each code works once. Generated on',

  challengeHeading: 'Two-Factor Authentication',
  challengeAppIntro: 'Enter the 6-digit code from your authenticator app.',
  challengeEmailIntro: 'We can send a code to your email address.',
  /** Above the code field when a code was asked for before (a wrong or expired one came back). */
  challengeEmailCodeIntro: (masked: string) =>
    `Enter the code we emailed to ${masked}, or send a new one.`,
  challengeRecoveryIntro: 'Enter one of your recovery codes. Each code works once.',
  sendCodeTo: (masked: string) => `Send code to ${masked}`,
  sendNewCodeTo: (masked: string) => `Send a new code to ${masked}`,
  verify: 'Verify',
  useDifferent: 'Use a different method',
  useRecovery: 'Use a recovery code',
  recoveryCode: 'Recovery code',
  useApp: 'Use your authenticator app',
  useEmail: 'Use email authentication',
  lostAccessSignIn:
    'Lost access to your authenticator app or email account? Contact your helpdesk administrator.',
  cancelSignIn: 'Cancel and log in again',
  rememberDevice: 'Remember this device for 30 days',
  rememberDeviceHint: 'Only on a device you alone use. You can forget it again under Your 2FA.',
  devices: {
    heading: 'Trusted devices',
    intro:
      'On these browsers you ticked “Remember this device for 30 days”: they skip the second step when you log in with your password, until the date shown. Forget any you do not recognise or no longer use. Forgetting a browser does not sign it out: do that under “Where you are signed in” in Your account.',
    none: 'You have no trusted devices.',
    browser: 'Browser',
    firstUsed: 'First used',
    lastUsed: 'Last used',
    until: 'Trusted until',
    actions: 'Actions',
    place: (when: string, ip: string) => `${when}, from ${ip}`,
    thisBrowser: 'this browser',
    forget: 'Forget',
    forgetLabel: (browser: string) => `Forget ${browser}`,
    forgetAll: 'Forget all devices',
    forgotten: 'The device was forgotten: it will be asked for the second step again.',
    forgottenAll: 'All trusted devices were forgotten.',
    unknownBrowser: 'Unknown browser',
    on: (browser: string, system: string) => `${browser} on ${system}`,
  },
  stepUpHeading: 'Confirm it’s you',
  stepUpIntro: 'For your security, confirm this change with your second step.',

  setupRequiredHeading: 'Set Up Two-Factor Authentication',
  setupRequiredIntro:
    'Your helpdesk requires two-factor authentication. Set up a method to finish logging in.',
  setupLater: 'Set up later',
  graceNote: (day: string) => `You can postpone this until ${day} (end of the day, UTC).`,
  graceNoteAt: (moment: string) => `You can postpone this until ${moment}.`,

  errors: {
    INVALID_CODE: 'That code is not correct. Check it and try again.',
    CODE_EXPIRED: 'That code has expired. Send a new one.',
    CODE_ALREADY_USED: 'That code has already been used. Wait for a new code and try again.',
    KEY_COUNTER_WENT_BACK:
      'The security key could not be verified. Try again, or use a different method.',
    CHALLENGE_RAN_OUT:
      'This page waited too long for your security key. Use your key again now, or use a different method.',
    /** CODE_ALREADY_USED for a recovery code, which is never followed by a new one. */
    recoveryCodeAlreadyUsed:
      'That recovery code has already been used. Use another one of your recovery codes.',
    SIGN_IN_ENDED: 'Too many wrong codes. Log in again with your password.',
    lockedUntilReset:
      'Too many wrong codes. Two-factor sign-in for this account is locked until your helpdesk administrator resets it. We have emailed you about it.',
    LOCKED: (time: string) =>
      `Too many wrong codes. Two-factor sign-in for this account is locked until ${time}. We have emailed you about it.`,
    RESEND_TOO_SOON:
      'Codes are sent at most once a minute, and one was sent to you less than a minute ago. Wait a moment, then ask again.',
    RESEND_LIMIT: 'You have asked for too many codes. Try again in an hour.',
    METHOD_DISABLED: 'This method has been turned off by your administrator.',
    METHOD_NOT_SET_UP:
      'This method is not set up for your account: use one of the ways offered on this page.',
    METHOD_EXISTS: 'You have already set up this method.',
    NAME_TAKEN: 'You already have a security key with this name.',
    NOT_FOUND: 'This method does not exist any more.',
    SETUP_EXPIRED: 'This set-up has expired. Start again.',
    LAST_METHOD_REQUIRED:
      'You cannot remove your last method: your helpdesk requires two-factor authentication for your account.',
    MAIL_FAILED: 'We could not send the email. Try again in a moment.',
    SECRET_UNREADABLE:
      'Your authentication app cannot be checked right now because of a problem on our side. Try again later, or use a recovery code or another method.',
    appSetupRestarted:
      'That set-up has ended (too many wrong codes, or it was left too long), and the key you may have added to your app no longer works. Remove it from the app, scan this new QR code and enter its code.',
    nameRequired: 'Enter a name for this authenticator.',
    codeRequired: 'Enter the verification code.',
    recoveryCodeRequired: 'Enter one of your recovery codes.',
    codeShape: 'A code has 6 digits. Check it and try again.',
    codeForOtherAddress:
      'The code was sent to another address. To use this one, send a code to it first.',
    sessionGone: 'Your log-in has expired. Log in again.',
    signInReplaced: (name: string) =>
      `This browser started another log-in after that page was opened, so nothing was checked. This page is now for the log-in of ${name}: go on with it, or cancel it and log in again.`,
  },

  mail: {
    codeSubject: (site: string) => `Your ${site} verification code`,
    codeSignIn: 'Use this code to finish logging in. It is valid for 10 minutes and works once.',
    codeSetup: 'Use this code to set up email authentication. It is valid for 10 minutes.',
    codeChange:
      'Use this code to confirm the new address for email authentication. It is valid for 10 minutes.',
    codeNotYou: 'If you did not just try to log in, someone knows your password: change it now.',
    codeStepUp: 'Use this code to confirm it’s you. It is valid for 10 minutes and works once.',
    codeStepUpNotYou:
      'If you did not just confirm it’s you, someone signed in to your account knows your password: change it now, which signs out every other browser.',
    addedSubject: (site: string) =>
      `Two-factor authentication method added to your ${site} account`,
    addedBody: (name: string, when: string) =>
      `The method “${name}” was added to your account on ${when}.`,
    emailChangedSubject: (site: string) =>
      `Sign-in codes of your ${site} account go to a new address`,
    emailChangedBody: (name: string, to: string, when: string) =>
      `The method “${name}” was changed on ${when}: its sign-in codes now go to ${to}.`,
    removedSubject: (site: string) =>
      `Two-factor authentication method removed from your ${site} account`,
    removedBody: (name: string, when: string) =>
      `The method “${name}” was removed from your account on ${when}.`,
    /** After the removal of the last method. */
    removedLast:
      'It was your last method: you now log in with your password alone. Your recovery codes were deleted and remembered devices forgotten; setting up a method again gives you new recovery codes.',
    resetSubject: (site: string) => `Your ${site} two-factor authentication was reset`,
    resetBody: (when: string) =>
      `A helpdesk administrator reset the two-factor authentication of your account on ${when}. All your methods, recovery codes, trusted devices and sessions were removed. Set up two-factor authentication again after you log in.`,
    regeneratedSubject: (site: string) => `New recovery codes for your ${site} account`,
    regeneratedBody: (when: string) =>
      `New recovery codes were made for your account on ${when}. The recovery codes you had before no longer work.`,
    recoveryUsedSubject: (site: string) => `A recovery code was used on your ${site} account`,
    recoveryUsedBody: (when: string, remaining: number, stepUp: boolean) =>
      `${
        stepUp
          ? `A recovery code was used on ${when} to confirm it was you, before a change that needs it.`
          : `A recovery code was used to log in on ${when}.`
      } ${
        remaining === 0
          ? 'That was your last one: generate new ones from Your 2FA now.'
          : remaining === 1
            ? 'You have 1 left: generate new ones from Your 2FA soon.'
            : `You have ${remaining} left. Generate new ones from Your 2FA if you are running low.`
      }`,
    wrongCodeSubject: (site: string) =>
      `A wrong two-factor code was entered for your ${site} account`,
    wrongCodeBody: (when: string) =>
      `On ${when} someone entered the right password for your account, then a wrong two-factor code. If that was you, you can ignore this message; you will not get another one for an hour.`,
    lockedSubject: (site: string) => `Two-factor sign-in locked on your ${site} account`,
    lockedUntilResetBody:
      'There were too many wrong two-factor codes for your account, so two-factor sign-in is locked until your helpdesk administrator resets it. Someone who tries this probably knows your password.',
    lockedBody: (until: string) =>
      `There were too many wrong two-factor codes for your account, so two-factor sign-in is locked until ${until}. Someone who tries this probably knows your password.`,
    changePassword:
      'If this was not you, change your password now and contact your helpdesk administrator.',
    resetNote:
      'If you did not ask your helpdesk for this, contact them at once and change your password: someone may have asked in your name.',
  },

  /** Security keys and passkeys (WebAuthn). */
  webauthn: {
    title: 'Security keys',
    description:
      'Use a hardware security key (such as a YubiKey) or a passkey on your phone or computer. You can add several, each with its own name.',
    none: 'You have no security keys yet.',
    listCaption: 'Your security keys',
    name: 'Name',
    created: 'Added',
    lastUsed: 'Last used',
    never: 'Never',
    actions: 'Actions',
    add: 'Add security key',
    addHeading: 'Add a security key',
    addIntro:
      'Give the key a name, then choose “Add security key”. Your browser will ask you to insert, touch or unlock the key.',
    defaultName: 'Security key',
    rename: 'Rename',
    renameLabel: (name: string) => `Rename ${name}`,
    renameHeading: 'Rename security key',
    remove: 'Remove',
    removeLabel: (name: string) => `Remove ${name}`,
    removeButton: 'Remove Security Key',
    added: 'Your security key has been added. From now on you can use it when you log in.',
    use: 'Use a security key',
    useIntro: 'Insert or unlock your security key, then choose “Use a security key”.',
    waiting: 'Follow the instructions of your browser to use your security key.',
    needsScript:
      'Security keys need JavaScript in your browser. Turn it on, or use a different method.',
    unsupported:
      'This browser cannot use security keys. Try another browser, or use a different method.',
    cancelled: 'The security key was not used. Try again when you are ready.',
    /** The page was opened at another address than PUBLIC_URL: the browser refuses the key. */
    wrongAddress: (origin: string) =>
      `Security keys work only at ${origin}. Open this help center there, or use a different method.`,
    nameTaken: 'You already have a security key with this name.',
    alreadyAdded: 'This security key is already added to your account.',
    failed: 'The security key could not be verified. Try again, or use a different method.',
  },

  admin: {
    settingsHeading: 'Two-factor authentication',
    methodsLegend: 'Methods people can use',
    emailMethod: 'Email Authentication',
    appMethod: 'Authentication App',
    securityKeysMethod: 'Security Keys',
    /** Beside "Security Keys" while PUBLIC_URL is an IP address. */
    keysNeedName:
      'Browsers use security keys only on a site with a domain name (localhost too), and this help center’s address (PUBLIC_URL) is an IP address: keys are not offered for set-up until it has a name.',
    /** Shown while security keys are the only method on and someone must use 2FA. */
    keysOnlyWarning:
      'Security keys are the only method on, and two-factor authentication is required: people without a security key, or a phone or computer that keeps passkeys, cannot set it up, and so cannot log in. Turn on the Authentication App as well, unless everyone has one.',
    disableNote:
      'Turning a method off hides it for new set-ups. People who already have it keep using it to sign in, so nobody is left with their password alone; they can remove it (once they have another method, where two-factor authentication is required for them).',
    requireLegend: 'Require two-factor authentication for',
    requireNote:
      'On saving, people who must now use it and have no method are signed out, or when the grace date passes if they may still postpone set-up; so is someone added to a required group later. Their next log-in asks them to set it up.',
    nobody: 'Nobody',
    selectedGroups: 'Selected user groups',
    allUsers: 'All users',
    groupsLegend: 'User groups that must use two-factor authentication',
    noGroups: 'There are no user groups yet.',
    graceLabel: 'Users may postpone set-up until',
    graceHint: 'Optional. Until this date the log-in set-up screen offers “Set up later”.',
    graceEndsAt: (when: string) =>
      `The saved period ends at ${when}; saving the same date keeps that moment.`,
    adminsNote: 'Administrators always need a second factor for the admin console.',
    save: 'Save',
    saved: 'The two-factor settings have been saved.',
    changedMeanwhileHeading: 'Someone else changed these settings',
    changedMeanwhile:
      'Since you opened this page, another administrator saved the two-factor settings. Your changes have not been saved: what you changed is still in the form below, and the settings you did not change show what is saved now. Check them and press Save again.',
    notSavedConfirmFirst:
      'Your changes to the two-factor settings have not been saved: confirm it’s you, then make them again.',
    atLeastOneMethod: 'Leave at least one method on.',
    atLeastOneUsable:
      'Leave the Authentication App or Email Authentication on: security keys cannot be used at this help center’s address (see the note beside them).',
    chooseGroup: 'Choose at least one user group.',
    groupGone:
      'A user group ticked here has been deleted meanwhile. Check the groups and save again.',
    chooseRequirement: 'Choose for whom two-factor authentication is required.',
    invalidDate: 'Enter a date as YYYY-MM-DD.',
    pastDate: 'That day is over: pick today or a later day, or leave the field empty.',
    tooLateDate: 'Pick an earlier day: the last one that can be given is 30 December 9999.',
    resetHeading: 'Reset two-factor authentication',
    resetButton: 'Reset two-factor authentication',
    resetDone: (name: string) => `Two-factor authentication for ${name} has been reset.`,
    cannotResetSelf: 'You cannot reset your own two-factor authentication here.',
  },
};

export type TwoFactorMessages = typeof twoFactorEn;
