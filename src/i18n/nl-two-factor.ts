import type { TwoFactorMessages } from './en-two-factor.js';

export const twoFactorNl: TwoFactorMessages = {
  heading: 'Tweestapsverificatie instellen',
  intro:
    'Tweestapsverificatie vraagt na je wachtwoord om een tweede stap, zodat een gestolen wachtwoord op zichzelf je account niet opent.',
  notEnabled:
    'Tweestapsverificatie is niet beschikbaar in dit helpcentrum. Vraag het je helpdeskbeheerder.',
  statusOn: 'Aan',
  statusOff: 'Niet ingesteld',
  recommended: 'Aanbevolen',
  app: 'Authenticatie-app',
  appDescription:
    'Gebruik codes uit een app zoals Google Authenticator, Microsoft Authenticator, Authy, 1Password of FreeOTP.',
  setUpApp: 'Authenticatie-app instellen',
  editApp: 'Authenticatie-app bewerken',
  email: 'E-mailauthenticatie',
  emailDescription:
    'Ontvang een code per e-mail. Dit bewijst dat je je mailbox kunt lezen, niet dat je een apparaat hebt: gebruik het naast een authenticatie-app, niet in plaats daarvan.',
  setUpEmail: 'E-mailauthenticatie instellen',
  editEmail: 'E-mailauthenticatie bewerken',
  methodDisabledNote:
    'Je helpdesk biedt deze methode niet meer aan nieuwe gebruikers aan. Voor jou blijft hij werken; je kunt ook een andere methode instellen en deze verwijderen.',
  keysUnusableHereNote:
    'Browsers staan beveiligingssleutels niet toe op het huidige adres van dit helpcentrum, dus je sleutels werken hier voorlopig niet. Gebruik een andere methode of een herstelcode, en laat het je helpdesk weten.',
  recoveryCodes: 'Herstelcodes',
  recoveryCodesReplaced:
    'Die herstelcodes zijn vervangen door een nieuwere set, gemaakt in een ander tabblad of venster, en werken niet meer. Heb je de nieuwere set niet bewaard, maak dan nieuwe codes.',
  recoveryDescription: (remaining: number) =>
    remaining === 0
      ? 'Je hebt geen ongebruikte herstelcodes meer. Maak nieuwe aan, zodat je nog kunt inloggen als je je andere methoden niet kunt gebruiken.'
      : remaining === 1
        ? 'Je hebt nog 1 ongebruikte herstelcode. Gebruik hem als je je andere methoden niet kunt gebruiken, en maak binnenkort nieuwe aan.'
        : `Je hebt nog ${remaining} ongebruikte herstelcodes. Gebruik er een als je je andere methoden niet kunt gebruiken.`,
  recoveryNone: 'Herstelcodes worden gemaakt wanneer je je eerste methode instelt.',
  codesGoTo: (email: string) => `Codes gaan naar ${email}.`,
  regenerate: 'Nieuwe herstelcodes maken',
  recoveryCodeUsed: (left: number) =>
    left === 0
      ? 'Je bent ingelogd met je laatste herstelcode. Maak een nieuwe set onder Je 2FA, zodat je er een hebt als je die nodig hebt.'
      : `Je bent ingelogd met een herstelcode, die nu niet meer werkt. Je hebt er nog ${left}; onder Je 2FA kun je een nieuwe set maken.`,
  regenerateWarning: 'Nieuwe codes vervangen je huidige: de oude codes werken meteen niet meer.',
  regenerateConfirmHeading: 'Nieuwe herstelcodes maken?',
  regenerateConfirmText:
    'De nieuwe codes zie je één keer, op de volgende pagina: zorg dat je een veilige plek klaar hebt om ze te bewaren.',
  securityKeys: 'Beveiligingssleutels',
  mandatoryNote: 'Je helpdesk verplicht tweestapsverificatie voor je account.',
  endOfDay: (day: string) => `het einde van ${day} (UTC)`,
  mandatoryBy: (when: string) =>
    `Je helpdesk verplicht tweestapsverificatie voor je account. Stel vóór ${when} een methode in: daarna moet je er een instellen wanneer je inlogt.`,
  postponed: (when: string) =>
    `Tweestapsverificatie is uitgesteld tot ${when}. Stel het voor die tijd in, onder Mijn profiel, Je 2FA.`,
  lostAccess: 'Heb je geen toegang meer tot je authenticatie-app of e-mailaccount?',
  lostAccessText:
    'Gebruik een van je herstelcodes om in te loggen. Heb je er geen meer, neem dan contact op met je helpdeskbeheerder.',

  authenticatorName: 'Naam van de authenticator',
  emailAddress: 'E-mailadres',
  verificationCode: 'Verificatiecode',
  sendCode: 'Verificatiecode versturen',
  sendAgain: 'Stuur een nieuwe code',
  submitCreate: 'Code controleren en instellen',
  setUpDifferent: 'Andere methode instellen',
  codeSentTo: (masked: string) =>
    `We hebben een code van 6 cijfers gestuurd naar ${masked}. Hij is 10 minuten geldig.`,
  codeHint: 'De code van 6 cijfers, zonder spaties.',
  nameSavedChangeWaiting: (current: string, next: string) =>
    `De naam is opgeslagen. Codes gaan nog naar ${current}: vul de code in die naar ${next} is gestuurd en kies „Nieuw adres bevestigen”.`,
  defaultAppName: 'Authenticatie-app',
  defaultEmailName: 'E-mail',

  emailSteps:
    'Geef deze methode een naam en controleer het adres: we sturen er een code naartoe, en door die hier in te vullen bewijs je dat je die mailbox kunt lezen. Bij elke keer inloggen sturen we er dan een nieuwe code naartoe.',
  qrAlt: 'QR-code voor je authenticatie-app',
  setupKey: 'Instelsleutel',
  appSteps:
    'Open je authenticatie-app en scan de QR-code, of typ de instelsleutel. Geef je authenticator daarna een naam en vul de code in die de app toont.',
  cannotScan:
    'Lukt scannen niet? Vul dan de instelsleutel in je app in (tijdgebaseerd, 6 cijfers).',

  createdApp:
    'Je authenticatie-app is ingesteld. Vanaf nu vragen we bij het inloggen om een code uit de app.',
  createdEmail:
    'E-mailauthenticatie is ingesteld. Vanaf nu kun je bij het inloggen een code per e-mail ontvangen.',
  saved: 'Je wijzigingen zijn opgeslagen.',
  removeEmail: 'E-mailauthenticatie verwijderen',
  removeApp: 'Authenticatie-app verwijderen',
  removeConfirmHeading: (name: string) => `„${name}” verwijderen?`,
  removeConfirmText: 'Je kunt hem dan niet meer gebruiken om in te loggen.',
  removeConfirmLastText:
    'Het is je enige methode: je account wordt dan alleen door je wachtwoord beschermd, en je herstelcodes worden verwijderd.',
  confirmRemove: 'Ja, verwijderen',
  removed: (name: string) => `„${name}” is verwijderd.`,
  cannotRemoveLast:
    'Je kunt je laatste methode niet verwijderen: je helpdesk verplicht tweestapsverificatie voor je account. Stel eerst een andere methode in.',
  changeEmailHeading: 'E-mailadres wijzigen',
  emailChanged: (email: string) => `Codes worden nu naar ${email} gestuurd.`,
  confirmEmailChange: 'Nieuw adres bevestigen',
  saveName: 'Opslaan',

  recoveryHeading: 'Bewaar je herstelcodes',
  recoveryIntro:
    'Als je geen toegang meer hebt tot je authenticatie-app of e-mail, kun je met elk van deze codes één keer inloggen. Bewaar ze op een veilige plek, zoals een wachtwoordmanager. Ze worden alleen nu getoond.',
  download: 'Downloaden',
  downloadFileName: 'herstelcodes.txt',
  continue: 'Doorgaan',
  recoveryFileTitle: (site: string) => `Herstelcodes voor ${site}`,
  recoveryAccount: (email: string) => `Account: ${email}`,
  recoveryFileNote: 'Elke code werkt één keer. Gemaakt op',

  challengeHeading: 'Tweestapsverificatie',
  challengeAppIntro: 'Vul de code van 6 cijfers uit je authenticatie-app in.',
  challengeEmailIntro: 'We kunnen een code naar je e-mailadres sturen.',
  challengeEmailCodeIntro: (masked: string) =>
    `Vul de code in die we naar ${masked} hebben gemaild, of stuur een nieuwe.`,
  challengeRecoveryIntro: 'Vul een van je herstelcodes in. Elke code werkt één keer.',
  sendCodeTo: (masked: string) => `Stuur code naar ${masked}`,
  sendNewCodeTo: (masked: string) => `Stuur een nieuwe code naar ${masked}`,
  verify: 'Verifiëren',
  useDifferent: 'Een andere methode gebruiken',
  useRecovery: 'Een herstelcode gebruiken',
  recoveryCode: 'Herstelcode',
  useApp: 'Je authenticatie-app gebruiken',
  useEmail: 'E-mailauthenticatie gebruiken',
  lostAccessSignIn:
    'Geen toegang meer tot je authenticatie-app of e-mailaccount? Neem contact op met je helpdeskbeheerder.',
  cancelSignIn: 'Annuleren en opnieuw inloggen',
  rememberDevice: 'Dit apparaat 30 dagen onthouden',
  rememberDeviceHint:
    'Alleen op een apparaat dat niemand anders gebruikt. Je kunt het weer vergeten onder Je 2FA.',
  devices: {
    heading: 'Vertrouwde apparaten',
    intro:
      'Op deze browsers vinkte je „Dit apparaat 30 dagen onthouden” aan: ze slaan de tweede stap over als je met je wachtwoord inlogt, tot de getoonde datum. Vergeet apparaten die je niet herkent of niet meer gebruikt. Een vergeten browser blijft ingelogd: log hem uit onder „Waar je bent ingelogd” bij Je account.',
    none: 'Je hebt geen vertrouwde apparaten.',
    browser: 'Browser',
    firstUsed: 'Eerst gebruikt',
    lastUsed: 'Laatst gebruikt',
    until: 'Vertrouwd tot',
    actions: 'Acties',
    place: (when: string, ip: string) => `${when}, vanaf ${ip}`,
    thisBrowser: 'deze browser',
    forget: 'Vergeten',
    forgetLabel: (browser: string) => `Vergeten: ${browser}`,
    forgetAll: 'Alle apparaten vergeten',
    forgotten: 'Het apparaat is vergeten: het krijgt weer de tweede stap.',
    forgottenAll: 'Alle vertrouwde apparaten zijn vergeten.',
    unknownBrowser: 'Onbekende browser',
    on: (browser: string, system: string) => `${browser} op ${system}`,
  },
  stepUpHeading: 'Bevestig dat jij het bent',
  stepUpIntro: 'Bevestig deze wijziging voor je veiligheid met je tweede stap.',

  setupRequiredHeading: 'Tweestapsverificatie instellen',
  setupRequiredIntro:
    'Je helpdesk verplicht tweestapsverificatie. Stel een methode in om het inloggen af te ronden.',
  setupLater: 'Later instellen',
  graceNote: (day: string) => `Je kunt dit uitstellen tot en met ${day} (UTC).`,
  graceNoteAt: (moment: string) => `Je kunt dit uitstellen tot ${moment}.`,

  errors: {
    INVALID_CODE: 'Die code klopt niet. Controleer hem en probeer het opnieuw.',
    CODE_EXPIRED: 'Die code is verlopen. Vraag een nieuwe aan.',
    CODE_ALREADY_USED: 'Die code is al gebruikt. Wacht op een nieuwe code en probeer het opnieuw.',
    KEY_COUNTER_WENT_BACK:
      'De beveiligingssleutel kon niet worden gecontroleerd. Probeer het opnieuw, of gebruik een andere methode.',
    CHALLENGE_RAN_OUT:
      'Deze pagina heeft te lang op je beveiligingssleutel gewacht. Gebruik je sleutel nu opnieuw, of gebruik een andere methode.',
    recoveryCodeAlreadyUsed:
      'Die herstelcode is al gebruikt. Gebruik een andere van je herstelcodes.',
    SIGN_IN_ENDED: 'Te veel verkeerde codes. Log opnieuw in met je wachtwoord.',
    lockedUntilReset:
      'Te veel verkeerde codes. Inloggen met tweestapsverificatie is voor dit account geblokkeerd tot je helpdeskbeheerder het herstelt. We hebben je daarover gemaild.',
    LOCKED: (time: string) =>
      `Te veel verkeerde codes. Inloggen met tweestapsverificatie is voor dit account geblokkeerd tot ${time}. We hebben je daarover gemaild.`,
    RESEND_TOO_SOON:
      'We sturen hooguit één code per minuut, en je hebt er minder dan een minuut geleden een gekregen. Wacht even en vraag het dan opnieuw.',
    RESEND_LIMIT: 'Je hebt te veel codes gevraagd. Probeer het over een uur opnieuw.',
    METHOD_DISABLED: 'Deze methode is door je beheerder uitgezet.',
    METHOD_NOT_SET_UP:
      'Deze methode is niet ingesteld voor je account: gebruik een van de manieren op deze pagina.',
    METHOD_EXISTS: 'Je hebt deze methode al ingesteld.',
    NAME_TAKEN: 'Je hebt al een beveiligingssleutel met deze naam.',
    NOT_FOUND: 'Deze methode bestaat niet meer.',
    SETUP_EXPIRED: 'Het instellen is verlopen. Begin opnieuw.',
    LAST_METHOD_REQUIRED:
      'Je kunt je laatste methode niet verwijderen: je helpdesk verplicht tweestapsverificatie voor je account.',
    MAIL_FAILED: 'We konden de e-mail niet versturen. Probeer het zo opnieuw.',
    SECRET_UNREADABLE:
      'Je authenticatie-app kan nu niet worden gecontroleerd door een probleem aan onze kant. Probeer het later opnieuw, of gebruik een herstelcode of een andere methode.',
    appSetupRestarted:
      'Dat instellen is beëindigd (te veel verkeerde codes, of het bleef te lang liggen), en de sleutel die je misschien al in je app hebt gezet werkt niet meer. Verwijder die uit de app, scan deze nieuwe QR-code en vul de code ervan in.',
    nameRequired: 'Geef deze authenticator een naam.',
    codeRequired: 'Vul de verificatiecode in.',
    recoveryCodeRequired: 'Vul een van je herstelcodes in.',
    codeShape: 'Een code heeft 6 cijfers. Controleer hem en probeer het opnieuw.',
    codeForOtherAddress:
      'De code is naar een ander adres gestuurd. Stuur eerst een code naar dit adres om het te gebruiken.',
    sessionGone: 'Je inlogpoging is verlopen. Log opnieuw in.',
    signInReplaced: (name: string) =>
      `Deze browser is een andere inlogpoging begonnen nadat die pagina werd geopend, dus er is niets gecontroleerd. Deze pagina hoort nu bij de inlogpoging van ${name}: ga daarmee verder, of annuleer hem en log opnieuw in.`,
  },

  mail: {
    codeSubject: (site: string) => `Je verificatiecode voor ${site}`,
    codeSignIn:
      'Gebruik deze code om het inloggen af te ronden. Hij is 10 minuten geldig en werkt één keer.',
    codeSetup: 'Gebruik deze code om e-mailauthenticatie in te stellen. Hij is 10 minuten geldig.',
    codeChange:
      'Gebruik deze code om het nieuwe adres voor e-mailauthenticatie te bevestigen. Hij is 10 minuten geldig.',
    codeNotYou:
      'Probeerde je net niet in te loggen? Dan kent iemand je wachtwoord: wijzig het meteen.',
    codeStepUp:
      'Gebruik deze code om te bevestigen dat jij het bent. Hij is 10 minuten geldig en werkt één keer.',
    codeStepUpNotYou:
      'Bevestigde je net niet dat jij het bent? Dan is iemand bij je account ingelogd die je wachtwoord kent: wijzig het meteen, dan worden alle andere browsers uitgelogd.',
    addedSubject: (site: string) =>
      `Methode voor tweestapsverificatie toegevoegd aan je account bij ${site}`,
    addedBody: (name: string, when: string) =>
      `De methode „${name}” is op ${when} aan je account toegevoegd.`,
    emailChangedSubject: (site: string) =>
      `Inlogcodes van je account bij ${site} gaan naar een nieuw adres`,
    emailChangedBody: (name: string, to: string, when: string) =>
      `De methode „${name}” is op ${when} gewijzigd: de inlogcodes gaan nu naar ${to}.`,
    removedSubject: (site: string) =>
      `Methode voor tweestapsverificatie verwijderd van je account bij ${site}`,
    removedBody: (name: string, when: string) =>
      `De methode „${name}” is op ${when} van je account verwijderd.`,
    removedLast:
      'Het was je laatste methode: je logt nu alleen met je wachtwoord in. Je herstelcodes zijn verwijderd en onthouden apparaten vergeten; als je opnieuw een methode instelt, krijg je nieuwe herstelcodes.',
    resetSubject: (site: string) => `Je tweestapsverificatie bij ${site} is gereset`,
    resetBody: (when: string) =>
      `Een helpdeskbeheerder heeft op ${when} de tweestapsverificatie van je account gereset. Al je methoden, herstelcodes, vertrouwde apparaten en sessies zijn verwijderd. Stel tweestapsverificatie opnieuw in nadat je bent ingelogd.`,
    regeneratedSubject: (site: string) => `Nieuwe herstelcodes voor je account bij ${site}`,
    regeneratedBody: (when: string) =>
      `Op ${when} zijn er nieuwe herstelcodes voor je account gemaakt. De herstelcodes die je daarvoor had, werken niet meer.`,
    recoveryUsedSubject: (site: string) =>
      `Er is een herstelcode gebruikt op je account bij ${site}`,
    recoveryUsedBody: (when: string, remaining: number, stepUp: boolean) =>
      `${
        stepUp
          ? `Op ${when} is een herstelcode gebruikt om te bevestigen dat jij het was, voor een wijziging die dat vraagt.`
          : `Op ${when} is met een herstelcode ingelogd.`
      } ${
        remaining === 0
          ? 'Dat was je laatste: maak nu nieuwe codes via Je 2FA.'
          : remaining === 1
            ? 'Je hebt er nog 1: maak binnenkort nieuwe codes via Je 2FA.'
            : `Je hebt er nog ${remaining}. Maak nieuwe codes via Je 2FA als je er bijna geen meer hebt.`
      }`,
    wrongCodeSubject: (site: string) =>
      `Verkeerde code voor tweestapsverificatie ingevuld voor je account bij ${site}`,
    wrongCodeBody: (when: string) =>
      `Op ${when} heeft iemand het juiste wachtwoord van je account ingevuld en daarna een verkeerde code voor tweestapsverificatie. Was jij dat, dan kun je dit bericht negeren; het komende uur krijg je hier geen nieuw bericht over.`,
    lockedSubject: (site: string) => `Tweestapsverificatie geblokkeerd op je account bij ${site}`,
    lockedUntilResetBody:
      'Er zijn te veel verkeerde codes ingevuld voor je account, dus inloggen met tweestapsverificatie is geblokkeerd tot je helpdeskbeheerder het herstelt. Wie dit probeert, kent waarschijnlijk je wachtwoord.',
    lockedBody: (until: string) =>
      `Er zijn te veel verkeerde codes ingevuld voor je account, dus inloggen met tweestapsverificatie is geblokkeerd tot ${until}. Wie dit probeert, kent waarschijnlijk je wachtwoord.`,
    changePassword:
      'Was jij dit niet, wijzig dan meteen je wachtwoord en neem contact op met je helpdeskbeheerder.',
    resetNote:
      'Heb je je helpdesk hier niet om gevraagd? Neem dan meteen contact met ze op en wijzig je wachtwoord: misschien heeft iemand het uit jouw naam gevraagd.',
  },

  /** Beveiligingssleutels en passkeys (WebAuthn). */
  webauthn: {
    title: 'Beveiligingssleutels',
    description:
      'Gebruik een hardwarebeveiligingssleutel (zoals een YubiKey) of een passkey op je telefoon of computer. Je kunt er meerdere toevoegen, elk met een eigen naam.',
    none: 'Je hebt nog geen beveiligingssleutels.',
    listCaption: 'Je beveiligingssleutels',
    name: 'Naam',
    created: 'Toegevoegd',
    lastUsed: 'Laatst gebruikt',
    never: 'Nooit',
    actions: 'Acties',
    add: 'Beveiligingssleutel toevoegen',
    addHeading: 'Een beveiligingssleutel toevoegen',
    addIntro:
      'Geef de sleutel een naam en kies dan „Beveiligingssleutel toevoegen”. Je browser vraagt je de sleutel in te steken, aan te raken of te ontgrendelen.',
    defaultName: 'Beveiligingssleutel',
    rename: 'Naam wijzigen',
    renameLabel: (name: string) => `Naam wijzigen van ${name}`,
    renameHeading: 'Naam van beveiligingssleutel wijzigen',
    remove: 'Verwijderen',
    removeLabel: (name: string) => `Verwijderen: ${name}`,
    removeButton: 'Beveiligingssleutel verwijderen',
    added: 'Je beveiligingssleutel is toegevoegd. Vanaf nu kun je hem gebruiken als je inlogt.',
    use: 'Een beveiligingssleutel gebruiken',
    useIntro:
      'Steek je beveiligingssleutel in of ontgrendel hem, en kies dan „Een beveiligingssleutel gebruiken”.',
    waiting: 'Volg de aanwijzingen van je browser om je beveiligingssleutel te gebruiken.',
    needsScript:
      'Beveiligingssleutels hebben JavaScript in je browser nodig. Zet het aan, of gebruik een andere methode.',
    unsupported:
      'Deze browser kan geen beveiligingssleutels gebruiken. Probeer een andere browser, of gebruik een andere methode.',
    cancelled: 'De beveiligingssleutel is niet gebruikt. Probeer het opnieuw als je klaar bent.',
    wrongAddress: (origin: string) =>
      `Beveiligingssleutels werken alleen op ${origin}. Open dit helpcentrum daar, of gebruik een andere methode.`,
    nameTaken: 'Je hebt al een beveiligingssleutel met deze naam.',
    alreadyAdded: 'Deze beveiligingssleutel is al aan je account toegevoegd.',
    failed:
      'De beveiligingssleutel kon niet worden gecontroleerd. Probeer het opnieuw, of gebruik een andere methode.',
  },

  admin: {
    settingsHeading: 'Tweestapsverificatie',
    methodsLegend: 'Methoden die mensen kunnen gebruiken',
    emailMethod: 'E-mailauthenticatie',
    appMethod: 'Authenticatie-app',
    securityKeysMethod: 'Beveiligingssleutels',
    keysNeedName:
      'Browsers gebruiken beveiligingssleutels alleen op een site met een domeinnaam (ook localhost), en het adres van dit helpcentrum (PUBLIC_URL) is een IP-adres: sleutels worden pas aangeboden als het een naam heeft.',
    keysOnlyWarning:
      'Beveiligingssleutels zijn de enige methode die aanstaat, en tweestapsverificatie is verplicht: wie geen beveiligingssleutel heeft, of geen telefoon of computer die passkeys bewaart, kan die niet instellen en dus niet inloggen. Zet ook de Authenticatie-app aan, tenzij iedereen er een heeft.',
    disableNote:
      'Een methode uitzetten verbergt hem voor nieuwe instellingen. Wie hem al heeft, blijft er gewoon mee inloggen, zodat niemand met alleen een wachtwoord overblijft; verwijderen kan (zodra er een andere methode is, als tweestapsverificatie voor hen verplicht is).',
    requireLegend: 'Tweestapsverificatie verplicht voor',
    requireNote:
      'Bij opslaan worden mensen die het nu moeten gebruiken en geen methode hebben uitgelogd, of, als ze het instellen nog mogen uitstellen, zodra die datum voorbij is; hetzelfde geldt voor wie later aan een verplichte groep wordt toegevoegd. Bij de volgende keer inloggen wordt hun gevraagd het in te stellen.',
    nobody: 'Niemand',
    selectedGroups: 'Gekozen gebruikersgroepen',
    allUsers: 'Alle gebruikers',
    groupsLegend: 'Gebruikersgroepen die tweestapsverificatie moeten gebruiken',
    noGroups: 'Er zijn nog geen gebruikersgroepen.',
    graceLabel: 'Gebruikers mogen het instellen uitstellen tot',
    graceHint:
      'Optioneel. Tot deze datum biedt het instelscherm bij het inloggen „Later instellen”.',
    graceEndsAt: (when: string) =>
      `De bewaarde periode eindigt op ${when}; bewaar je dezelfde datum, dan blijft dat moment.`,
    adminsNote: 'Beheerders hebben altijd een tweede stap nodig voor de beheeromgeving.',
    save: 'Opslaan',
    saved: 'De instellingen voor tweestapsverificatie zijn opgeslagen.',
    changedMeanwhileHeading: 'Iemand anders heeft deze instellingen gewijzigd',
    changedMeanwhile:
      'Sinds je deze pagina opende, heeft een andere beheerder de instellingen voor tweestapsverificatie opgeslagen. Jouw wijzigingen zijn niet opgeslagen: wat je wijzigde staat nog in het formulier hieronder, en de instellingen die je niet wijzigde tonen wat nu opgeslagen is. Controleer ze en klik nogmaals op Opslaan.',
    notSavedConfirmFirst:
      'Je wijzigingen in de instellingen voor tweestapsverificatie zijn niet opgeslagen: bevestig dat jij het bent en breng ze dan opnieuw aan.',
    atLeastOneMethod: 'Laat minstens één methode aan staan.',
    atLeastOneUsable:
      'Laat de Authenticatie-app of E-mailauthenticatie aan staan: beveiligingssleutels werken niet op het adres van dit helpcentrum (zie de opmerking erbij).',
    chooseRequirement: 'Kies voor wie tweestapsverificatie verplicht is.',
    chooseGroup: 'Kies minstens één gebruikersgroep.',
    groupGone:
      'Een gebruikersgroep die hier is aangevinkt, is inmiddels verwijderd. Controleer de groepen en sla opnieuw op.',
    invalidDate: 'Vul een datum in als JJJJ-MM-DD.',
    pastDate: 'Die dag is voorbij: kies vandaag of een latere dag, of laat het veld leeg.',
    tooLateDate: 'Kies een eerdere dag: de laatste die kan, is 30 december 9999.',
    resetHeading: 'Tweestapsverificatie resetten',
    resetButton: 'Tweestapsverificatie resetten',
    resetDone: (name: string) => `Tweestapsverificatie voor ${name} is gereset.`,
    cannotResetSelf: 'Je kunt hier je eigen tweestapsverificatie niet resetten.',
  },
};
