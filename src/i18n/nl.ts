import type { Messages } from './en.js';

import { twoFactorNl } from './nl-two-factor.js';
import { adminNl } from './nl-admin.js';
import { kbNl, kbAdminNl } from './nl-kb.js';

export const nl: Messages = {
  twoFactor: twoFactorNl,
  kb: kbNl,
  kbAdmin: kbAdminNl,
  admin: adminNl,
  language: {
    name: 'Nederlands',
    switchLabel: 'Taal',
  },
  layout: {
    skipToContent: 'Naar de inhoud',
    accountMenu: 'Accountmenu',
    myProfile: 'Mijn profiel',
    logOut: 'Uitloggen',
    logIn: 'Inloggen',
    register: 'Registreren',
    administration: 'Beheer',
    footer: 'Mogelijk gemaakt door Portico',
    signedInAs: (name: string) => `Ingelogd als ${name}`,
    primaryNav: 'Hoofdmenu',
  },
  common: {
    supportContact: 'Je helpdesk bereiken:',
    errorSummary: 'Er is een probleem',
    required: 'verplicht',
    back: 'Terug',
    cancel: 'Annuleren',
    save: 'Opslaan',
    saved: 'Je wijzigingen zijn opgeslagen.',
  },
  errors: {
    required: (field: string) => `Vul „${field}” in.`,
    tooLong: (field: string, max: number) => `${field} mag hoogstens ${max} tekens lang zijn.`,
    oneLine: (field: string) =>
      `${field} moet één regel tekst zijn, zonder onzichtbare stuurtekens.`,
    invalidEmail: 'Vul een e-mailadres in zoals naam@voorbeeld.nl.',
    unusualEmail:
      'Typ het adres met gewone tekens: er staan tekens in die onzichtbaar zijn of op andere lijken.',
    passwordTooShort: (min: number) => `Kies een wachtwoord van minstens ${min} tekens.`,
    passwordTooLong: (max: number) => `Kies een wachtwoord van hoogstens ${max} tekens.`,
    passwordMismatch: 'De twee nieuwe wachtwoorden zijn niet gelijk.',
    currentPasswordWrong: 'Je huidige wachtwoord klopt niet.',
    samePassword: 'Kies een ander wachtwoord dan je huidige.',
    passwordWeak: {
      common:
        'Dit wachtwoord is te gewoon: veel mensen gebruiken het, of een dat er sterk op lijkt. Een paar woorden die niets met elkaar te maken hebben, maken een sterk wachtwoord.',
      repeat:
        'Dit wachtwoord is te makkelijk te raden: het herhaalt tekens of een patroon. Een paar woorden die niets met elkaar te maken hebben, maken een sterk wachtwoord.',
      sequence:
        'Dit wachtwoord is te makkelijk te raden: het is vooral een reeks zoals 1234 of abcd. Een paar woorden die niets met elkaar te maken hebben, maken een sterk wachtwoord.',
      keyboard:
        'Dit wachtwoord is te makkelijk te raden: het volgt een rij of patroon op het toetsenbord. Een paar woorden die niets met elkaar te maken hebben, maken een sterk wachtwoord.',
      date: 'Dit wachtwoord is te makkelijk te raden: het is vooral een datum of een jaartal. Een paar woorden die niets met elkaar te maken hebben, maken een sterk wachtwoord.',
      personal:
        'Dit wachtwoord is te makkelijk te raden: het bestaat uit je naam, je e-mailadres of de naam van deze site. Een paar woorden die niets met elkaar te maken hebben, maken een sterk wachtwoord.',
      guessable:
        'Dit wachtwoord is te makkelijk te raden. Een paar woorden die niets met elkaar te maken hebben, maken een sterk wachtwoord.',
    },
    invalidLanguage: 'Kies een van de getoonde talen.',
    csrf: 'Dit formulier is verlopen of kwam van een andere site. Laad de pagina opnieuw en probeer het nog eens.',
    tooManyAttempts: 'Te veel pogingen. Wacht een paar minuten en probeer het opnieuw.',
    notFoundTitle: 'Pagina niet gevonden',
    notFoundText:
      'We konden de gevraagde pagina niet vinden. Controleer het adres of ga naar de startpagina.',
    methodNotAllowedTitle: 'Deze pagina neemt dit verzoek niet aan',
    methodNotAllowedText:
      'Dit adres kan niet op deze manier worden gebruikt. Ga naar de startpagina of open de pagina via een link.',
    badRequestTitle: 'Er klopt iets niet met dit verzoek',
    badRequestText:
      'Het verzoek kon niet worden gelezen. Ga terug, laad de pagina opnieuw en probeer het nog eens.',
    tooLargeTitle: 'Te veel gegevens',
    tooLargeText:
      'Het formulier bevatte meer gegevens dan we accepteren. Maak je invoer korter en probeer het opnieuw.',
    forbiddenTitle: 'Niet toegestaan',
    forbiddenText: 'Je hebt geen toegang tot deze pagina.',
    serverErrorTitle: 'Er ging bij ons iets mis',
    serverErrorText:
      'Probeer het zo opnieuw. Blijft het gebeuren, neem dan contact op met je helpdesk.',
    busyTitle: 'Het is nu even druk',
    busyText:
      'Op dit moment loggen veel mensen in. Er is niets gewijzigd: ga terug en probeer het over een paar seconden opnieuw.',
    goHome: 'Naar de startpagina',
  },
  home: {
    title: 'Waarmee kunnen we helpen?',
    intro: 'Doorzoek de kennisbank of blader door de categorieën hieronder.',
    searchLabel: 'Doorzoek de kennisbank',
    searchButton: 'Zoeken',
    categoriesHeading: 'Categorieën',
    noCategories: 'Er zijn nog geen artikelen gepubliceerd.',
  },
  register: {
    title: 'Account aanmaken',
    name: 'Naam',
    email: 'E-mailadres',
    password: 'Wachtwoord',
    passwordHint: (min: number) =>
      `Minstens ${min} tekens, en geen wachtwoord dat veel mensen gebruiken. Een lange zin is makkelijk te onthouden en moeilijk te raden.`,
    submit: 'Account aanmaken',
    tooManyFromHere:
      'Er zijn het afgelopen uur te veel accounts aangemaakt vanaf jouw netwerk. Probeer het later opnieuw.',
    haveAccount: 'Heb je al een account?',
    checkEmailTitle: 'Controleer je e-mail',
    checkEmailText: (email: string) =>
      `We hebben een bericht gestuurd naar ${email}. Volg de link daarin om je adres te bevestigen en log daarna in. De link is 24 uur geldig.`,
  },
  verifyEmail: {
    confirmIntro: (email: string) =>
      `Klik op de knop hieronder om te bevestigen dat ${email} jouw e-mailadres is.`,
    passwordIntro: (email: string) =>
      `Vul het wachtwoord van je account in om te bevestigen dat ${email} jouw e-mailadres is.`,
    wrongPassword:
      'Dit is niet het wachtwoord van het account waarvoor deze link is. Heb je je met dit adres meer dan eens geregistreerd? Dan hoort dit wachtwoord misschien bij de link in een andere e-mail van ons.',
    passwordIntroOther: (email: string) =>
      `Deze link is voor het account dat zich met ${email} registreerde, niet voor het account waarmee je bent ingelogd. Vul het wachtwoord van dat account in om het adres te bevestigen.`,
    verifiedTitle: 'E-mailadres bevestigd',
    verifiedOther: (email: string) =>
      `${email} is bevestigd. Je bent ingelogd met een ander account: log uit om met dat account in te loggen.`,
    verifiedNotice: 'Je e-mailadres is bevestigd. Je kunt nu inloggen.',
    addressVerified: 'Het e-mailadres is bevestigd.',
    invalidTitle: 'Deze link werkt niet',
    invalidText:
      'De bevestigingslink klopt niet, is al gebruikt of is verlopen. Log in om een nieuwe te krijgen.',
    takenText: 'Dit e-mailadres wordt al door een ander account gebruikt.',
    alreadyTitle: 'Dit adres is al bevestigd',
    alreadyText: 'Het adres waarvoor deze link was, is bevestigd: je hoeft niets meer te doen.',
  },
  login: {
    title: 'Inloggen',
    email: 'E-mailadres',
    password: 'Wachtwoord',
    submit: 'Inloggen',
    forgot: 'Wachtwoord vergeten?',
    createAccount: 'Account aanmaken',
    failed:
      'Het e-mailadres of wachtwoord klopt niet. Heb je net een account aangemaakt? Open dan eerst de bevestigingslink die we je hebben gemaild.',
    disabled: 'Je account is uitgeschakeld. Neem contact op met je helpdeskbeheerder.',
    blockedInARow:
      'Te veel verkeerde wachtwoorden achter elkaar voor dit e-mailadres. Log in vanuit een browser waarmee je eerder hebt ingelogd, of stel je wachtwoord opnieuw in.',
    loggedOut: 'Je bent uitgelogd.',
    sessionEnded: 'Je sessie is beëindigd. Log opnieuw in om verder te gaan.',
  },
  forgot: {
    title: 'Wachtwoord opnieuw instellen',
    intro:
      'Vul het e-mailadres van je account in. We sturen je een link om een nieuw wachtwoord te kiezen.',
    email: 'E-mailadres',
    submit: 'Stuur resetlink',
    sentTitle: 'Controleer je e-mail',
    sentText: (email: string) =>
      `Als ${email} bij een account hoort, hebben we er een link naartoe gestuurd om het wachtwoord opnieuw in te stellen. De link is 30 minuten geldig.`,
    backToLogin: 'Terug naar inloggen',
    tooManyFromHere:
      'Vanaf je netwerk is het afgelopen uur te vaak om een nieuw wachtwoord gevraagd. Probeer het later opnieuw.',
  },
  reset: {
    title: 'Kies een nieuw wachtwoord',
    newPassword: 'Nieuw wachtwoord',
    confirmPassword: 'Bevestig nieuw wachtwoord',
    submit: 'Nieuw wachtwoord instellen',
    invalidTitle: 'Deze link werkt niet',
    invalidText: 'De resetlink klopt niet, is al gebruikt of is verlopen. Vraag een nieuwe aan.',
    requestNew: 'Vraag een nieuwe resetlink aan',
    done: 'Je wachtwoord is gewijzigd. Log in met je nieuwe wachtwoord.',
    twoFactorNote:
      'Gebruik je tweestapsverificatie, dan heb je bij het inloggen nog steeds je tweede stap nodig.',
  },
  profile: {
    title: 'Mijn profiel',
    sectionsLabel: 'Profielonderdelen',
    account: 'Je account',
    password: 'Je wachtwoord',
    twoFactor: 'Je 2FA',
    emails: 'Je e-mailadressen',
    accountHeading: 'Je account',
    name: 'Naam',
    language: 'Voorkeurstaal',
    languageAuto: 'De taal van mijn browser',
    passwordHeading: 'Je wachtwoord',
    currentPassword: 'Huidig wachtwoord',
    newPassword: 'Nieuw wachtwoord',
    confirmPassword: 'Bevestig nieuw wachtwoord',
    changePassword: 'Wachtwoord wijzigen',
    passwordChanged: 'Je wachtwoord is gewijzigd. Je bent overal elders uitgelogd.',
    twoFactorHeading: 'Tweestapsverificatie instellen',
    twoFactorIntro:
      'Tweestapsverificatie vraagt na je wachtwoord om een tweede stap, zodat een gestolen wachtwoord op zichzelf je account niet opent.',
    emailsHeading: 'Je e-mailadressen',
    emailsIntro:
      'Je kunt inloggen met elk bevestigd adres. E-mail van het helpcentrum gaat naar je primaire adres.',
    emailColumn: 'E-mailadres',
    statusColumn: 'Status',
    actionsColumn: 'Acties',
    primary: 'Primair',
    verified: 'Bevestigd',
    unverified: 'Niet bevestigd',
    makePrimary: 'Maak primair',
    makePrimaryLabel: (email: string) => `Maak primair: ${email}`,
    remove: 'Verwijderen',
    removeLabel: (email: string) => `Verwijderen: ${email}`,
    resend: 'Link opnieuw sturen',
    resendLabel: (email: string) => `Link opnieuw sturen naar ${email}`,
    addHeading: 'E-mailadres toevoegen',
    newEmail: 'E-mailadres',
    add: 'Adres toevoegen',
    added: (email: string) =>
      `We hebben een bevestigingslink gestuurd naar ${email}. Je kunt het adres gebruiken zodra het is bevestigd.`,
    resent: (email: string) => `We hebben een nieuwe bevestigingslink gestuurd naar ${email}.`,
    addedNotSent: (email: string) =>
      `${email} is toegevoegd, maar we konden de bevestigingslink niet versturen. Probeer het zo met „Link opnieuw sturen”.`,
    resendFailed: (email: string) =>
      `We konden de link naar ${email} niet versturen. Probeer het over een minuut opnieuw.`,
    resendTooSoon: 'Een nieuwe link kan één keer per minuut. Probeer het over een minuut opnieuw.',
    addedLinkLater: (email: string, count: number) =>
      `${email} is toegevoegd. Het adres heeft het afgelopen uur al ${count} bevestigingslinks gekregen, dus er is geen nieuwe gestuurd: kies later „Link opnieuw sturen”.`,
    tooManyLinks: (count: number) =>
      `Dit adres heeft het afgelopen uur al ${count} bevestigingslinks gekregen. Probeer het later opnieuw.`,
    madePrimary: (email: string) => `${email} is nu je primaire adres.`,
    madePrimaryCodesElsewhere: (email: string) =>
      `${email} is nu je primaire adres. Je inlogcodes gaan nog steeds naar het adres van je e-mailauthenticatie: wijzig dat onder Je 2FA als je ze daar ook wilt ontvangen.`,
    removed: (email: string) => `${email} is verwijderd.`,
    removedCodesThere: (email: string) =>
      `${email} is verwijderd. Je inlogcodes gaan er nog steeds naartoe: lees je die mailbox niet meer, wijzig het adres dan onder Je 2FA.`,
    cannotRemoveLast: 'Je kunt je enige bevestigde adres niet verwijderen.',
    cannotRemovePrimary: 'Maak eerst een ander bevestigd adres primair voordat je dit verwijdert.',
    mustBeVerified: 'Alleen een bevestigd adres kan primair zijn.',
    alreadyYours: 'Dit adres staat al op je account.',
    notAddedTryAgain: 'Het adres kon deze keer niet worden toegevoegd. Voeg het opnieuw toe.',
    sessions: {
      heading: 'Waar je bent ingelogd',
      intro:
        'Op deze browsers ben je ingelogd. Herken je er een niet, log hem dan uit en wijzig je wachtwoord.',
      thisBrowser: 'deze browser',
      signedIn: 'Ingelogd',
      lastActive: 'Laatst actief',
      address: 'IP-adres',
      signOut: 'Uitloggen',
      signOutLabel: (browser: string) => `Uitloggen: ${browser}`,
      signOutOthers: 'Overal elders uitloggen',
      ended: 'Die browser is uitgelogd.',
      endedOthers: (count: string) =>
        count === '1'
          ? 'Je bent op 1 andere browser uitgelogd.'
          : `Je bent op ${count} andere browsers uitgelogd.`,
      gone: 'Die browser was al uitgelogd.',
      thisOne: 'Dat is deze browser: log hem uit met Uitloggen in het accountmenu.',
    },
    tooManyAddresses: (max: number) => `Je kunt hoogstens ${max} adressen hebben.`,
  },
  reauth: {
    title: 'Bevestig dat jij het bent',
    intro: 'Voor je veiligheid vragen we je wachtwoord opnieuw voordat je verdergaat.',
    password: 'Wachtwoord',
    submit: 'Bevestigen',
    failed: 'Het wachtwoord klopt niet.',
    confirmed: 'Bedankt, je hebt bevestigd dat jij het bent. Je kunt nu verder.',
    ended:
      'Te veel verkeerde codes. Er is niets gewijzigd: begin opnieuw en bevestig dat jij het bent.',
    gone: 'Bevestigen dat jij het bent duurde te lang, of was al gedaan. Er is niets gewijzigd: begin opnieuw.',
  },
  mail: {
    greeting: (name: string | null) => (name ? `Hallo ${name},` : 'Hallo,'),
    signature: (site: string) => `— ${site}`,
    supportContact: (contact: string) => `Je helpdesk bereiken: ${contact}`,
    supportContactLead: 'Je helpdesk bereiken:',
    ignore: 'Heb je hier niet om gevraagd, dan kun je dit bericht negeren.',
    verifySubject: (site: string) => `Bevestig je e-mailadres voor ${site}`,
    verifyBody:
      'Bevestig dat dit adres van jou is door de link hieronder te openen. Hij is 24 uur geldig.',
    verifyButton: 'E-mailadres bevestigen',
    existsSubject: (site: string) =>
      `Iemand probeerde zich bij ${site} te registreren met je adres`,
    existsBody:
      'Iemand, misschien jij, probeerde een account aan te maken met dit e-mailadres, maar er bestaat al een account. Kies met de link hieronder een nieuw wachtwoord om er weer in te komen. De link is 30 minuten geldig en werkt één keer; een resetlink die je eerder kreeg, werkt niet meer.',
    resetSubject: (site: string) => `Stel je wachtwoord opnieuw in voor ${site}`,
    resetBody:
      'Open de link hieronder om een nieuw wachtwoord te kiezen. Hij is 30 minuten geldig en werkt één keer.',
    resetButton: 'Kies een nieuw wachtwoord',
    resetTwoFactorNote: 'Je wachtwoord opnieuw instellen zet tweestapsverificatie niet uit.',
    resetVerifiesAddress:
      'Je e-mailadres is nog niet bevestigd: als je via deze link een nieuw wachtwoord kiest, is het daarmee ook bevestigd en kun je inloggen.',
    passwordChangedSubject: (site: string) => `Je wachtwoord voor ${site} is gewijzigd`,
    passwordChangedBody: (when: string) =>
      `Het wachtwoord van je account is gewijzigd op ${when}. Je bent overal elders uitgelogd, en elk apparaat dat voor tweestapsverificatie werd onthouden, is vergeten.`,
    passwordResetBody: (when: string) =>
      `Het wachtwoord van je account is opnieuw ingesteld op ${when}. Je bent overal uitgelogd, en elk apparaat dat voor tweestapsverificatie werd onthouden, is vergeten.`,
    notYou:
      'Was jij dit niet, stel dan meteen je wachtwoord opnieuw in en neem contact op met je helpdeskbeheerder.',
    addressAddedSubject: (site: string) => `Bevestig het nieuwe adres voor je account bij ${site}`,
    passwordBlockedSubject: (site: string) =>
      `Inloggen op je account bij ${site} vanuit nieuwe browsers is gestopt`,
    passwordBlockedBody: (email: string, when: string) =>
      `Op ${when} is er honderd keer achter elkaar een verkeerd wachtwoord opgegeven voor ${email}. Sindsdien wordt inloggen daarmee geweigerd vanuit browsers die nog niet eerder op je account hebben ingelogd; browsers waarmee je al eens hebt ingelogd werken nog wel.`,
    passwordBlockedWhatNow:
      'Om vanuit een andere browser in te loggen, stel je je wachtwoord opnieuw in (Wachtwoord vergeten? op de inlogpagina): dat heft de stop overal op.',
    passwordBlockedNotYou:
      'Waren de verkeerde wachtwoorden niet van jou, dan probeert iemand je wachtwoord te raden: kies bij het opnieuw instellen een lang wachtwoord dat je nergens anders gebruikt.',
    notYouRemoved:
      'Was jij dit niet, neem dan meteen contact op met je helpdeskbeheerder: met dit adres kun je niet meer inloggen of het wachtwoord opnieuw instellen.',
    addressesChangedSubject: (site: string) =>
      `De e-mailadressen van je account bij ${site} zijn gewijzigd`,
    addressVerifiedBody: (email: string, when: string) =>
      `${email} is op ${when} aan je account toegevoegd en bevestigd. Je kunt ermee inloggen en er je wachtwoord mee opnieuw instellen.`,
    addressMadePrimaryBody: (email: string, when: string) =>
      `${email} is sinds ${when} het primaire adres van je account. Mail van het helpcentrum gaat voortaan daarheen.`,
    addressMadePrimaryCodesElsewhereBody: (email: string, when: string, codesTo: string) =>
      `${email} is sinds ${when} het primaire adres van je account. Mail van het helpcentrum gaat voortaan daarheen, maar inlogcodes gaan nog steeds naar ${codesTo}, het adres van je e-mailauthenticatie: wijzig dat onder Je 2FA als je die mailbox niet meer leest.`,
    addressRemovedBody: (email: string, when: string) =>
      `${email} is op ${when} van je account verwijderd. Je kunt er niet meer mee inloggen.`,
  },
};
